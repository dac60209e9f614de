"""One mutation at a time per target, never cancelled half-way: a launch, an instance action and an AMI action whose
AWS call is held open, then asked for again by key and by palette. The second is refused with a message, exactly one
call reaches AWS, and the first is reported when its answer comes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from ec2tui.app import Ec2App
from ec2tui.aws import image_actions, instance_actions
from ec2tui.aws import launch as launch_service
from ec2tui.aws.models.launch import FieldError
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.mutation_guard import IMAGE, INSTANCE, MutationGuard, guard_of, refusal
from tests.instances_ui_helpers import moto_state, open_instances, select
from tests.launch_ui_helpers import all_instances, open_form, tab_to, type_text
from tests.test_amis_ui_helpers import LAST_MONTH, seed_demo_catalog, select_row, wait_for, wait_loaded
from tests.ui_helpers import app_state, notifications, settle

pytest_plugins = ["tests.launch_ui_fixtures", "tests.instances_ui_fixtures"]

LAUNCH_REFUSED = refusal("A launch")


class Held:
    """Wraps a service function so that each call waits (in its worker thread) until released; counts the calls."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real, self.calls = real, 0
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.started.set()
        assert self.release.wait(30), "never released"
        return self.real(*args, **kwargs)


def palette(app: Ec2App, title: str) -> None:
    """Run a palette entry as the palette does (the app calls it later; it may be async)."""
    app.call_later(next(c.callback for c in app.get_system_commands(app.screen) if c.title == title))


# -- the registry ----------------------------------------------------------------------------------------------


def test_a_target_is_held_once_and_free_again_after_release():
    guard = MutationGuard()
    hold = guard.acquire(INSTANCE, ["i-1", "i-2"], "Stopping web-1, web-2")
    assert hold is not None
    assert guard.acquire(INSTANCE, ["i-2", "i-3"], "Stopping web-2, web-3") is None, "one shared ID is enough"
    assert guard.busy(INSTANCE, ["i-3", "i-2"]) == "Stopping web-1, web-2"
    assert guard.busy(IMAGE, ["i-1"]) is None, "kinds are separate"
    other = guard.acquire(INSTANCE, ["i-3"], "Rebooting web-3")
    assert other is not None, "different targets run concurrently"
    with hold:
        pass
    assert guard.busy(INSTANCE, ["i-1", "i-2"]) is None
    hold.release()  # twice is harmless and does not free someone else's hold
    assert guard.busy(INSTANCE, ["i-3"]) == "Rebooting web-3"
    assert guard.in_flight == ["Rebooting web-3"]


def test_a_hold_is_released_when_the_mutation_fails():
    guard = MutationGuard()
    with pytest.raises(RuntimeError), guard.acquire(IMAGE, ["ami-1"], "Deregistering ami-1"):  # type: ignore[union-attr]
        raise RuntimeError("boom")
    assert guard.busy(IMAGE, ["ami-1"]) is None


# -- launch ----------------------------------------------------------------------------------------------------


async def _review(pilot, key_dir: str) -> LaunchReviewScreen:
    await open_form(pilot)
    await tab_to(pilot, "#key-new-name")
    await type_text(pilot, "rk")
    await tab_to(pilot, "#key-directory")
    await type_text(pilot, key_dir)
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    review = pilot.app.screen
    assert isinstance(review, LaunchReviewScreen)
    assert review.errors == [], f"y would be disabled: {review.errors}\n{app_state(pilot.app)}"
    return review


async def test_a_second_launch_while_one_is_out_is_refused_and_the_first_is_reported(
    launch_app, launch_env, monkeypatch
):
    held = Held(launch_service.launch)
    monkeypatch.setattr(launch_service, "launch", held)
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        review = await _review(pilot, str(launch_env))
        await pilot.press("y")
        await wait_for(pilot, held.started.is_set, what="RunInstances sent")
        await pilot.press("y")  # the key again
        await wait_for(pilot, lambda: LAUNCH_REFUSED in notifications(app))
        palette(app, "Launch")  # the palette entry too
        await wait_for(pilot, lambda: notifications(app).count(LAUNCH_REFUSED) == 2)
        assert review.launching and review.result is None and app.screen is review
        held.release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, LaunchedScreen), what="the first launch reported")
        assert held.calls == 1
        launched = [i["InstanceId"] for i in all_instances()]
        assert len(launched) == 1 and review.result is not None and list(review.result.instance_ids) == launched
        assert guard_of(app).in_flight == []


async def test_the_palette_launch_runs_the_same_check_as_y(launch_app, launch_env, monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr(launch_service, "launch", lambda *args, **kwargs: calls.append(args))
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        review = await _review(pilot, str(launch_env))
        review.issues.append(FieldError("instance_type", "Choose an instance type."))
        review.refresh_bindings()
        assert review.check_action("launch", ()) is None, "y is greyed out"
        palette(app, "Launch")
        await wait_for(pilot, lambda: any("Launch disabled: fix 1 problem" in n for n in notifications(app)))
        assert calls == [] and review.result is None


# -- instance actions ------------------------------------------------------------------------------------------


async def test_a_second_stop_of_the_same_instance_is_refused_another_instance_is_not(app, fleet, monkeypatch):
    held = Held(instance_actions.stop_instances)
    monkeypatch.setattr(instance_actions, "stop_instances", held)
    web1, web2 = fleet["web-1"], fleet["web-2"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web1)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, held.started.is_set, what="StopInstances sent")
        refused = f"Stopping web-1 ({web1}) is already in progress"
        await pilot.press("o")  # again, by key
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen), "refused before asking"
        palette(app, "Stop")  # and by palette
        await wait_for(pilot, lambda: sum(refused in n for n in notifications(app)) == 2)
        await pilot.press("ctrl+d")  # any other change to the same instance too
        await wait_for(pilot, lambda: sum(refused in n for n in notifications(app)) == 3)
        assert not isinstance(app.screen, ConfirmScreen)

        await select(pilot, web2)  # another instance is not held
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await pilot.pause()

        held.release.set()
        await wait_for(pilot, lambda: any(n.startswith("Stopping 1: web-1") for n in notifications(app)))
        assert held.calls == 1
        assert moto_state(web1) in ("stopping", "stopped")
        assert guard_of(app).in_flight == []


# -- AMI actions -----------------------------------------------------------------------------------------------


async def test_a_second_change_to_the_same_ami_is_refused_while_the_first_is_out(
    no_default_amis, gateway, ec2, monkeypatch
):
    seed_demo_catalog()
    held = Held(image_actions.set_launch_permissions)
    monkeypatch.setattr(image_actions, "set_launch_permissions", held)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis mine", "enter")
        await wait_loaded(pilot, app)
        image = select_row(app, f"db-postgres16-{LAST_MONTH}")
        palette(app, "Make AMI public")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, held.started.is_set, what="ModifyImageAttribute sent")
        refused = f"Changing who may launch {image.id} is already in progress"
        await pilot.press("ctrl+d")  # deregister the same image, by key
        await wait_for(pilot, lambda: any(refused in n for n in notifications(app)))
        palette(app, "Make AMI public")  # the same change again, by palette
        await wait_for(pilot, lambda: sum(refused in n for n in notifications(app)) == 2)
        assert not isinstance(app.screen, ConfirmScreen)
        held.release.set()
        await wait_for(pilot, lambda: any(f"{image.id} is now public" in n for n in notifications(app)))
        assert held.calls == 1
        assert ec2.describe_image_attribute(ImageId=image.id, Attribute="launchPermission")["LaunchPermissions"] == [
            {"Group": "all"}
        ]
        assert guard_of(app).in_flight == []
