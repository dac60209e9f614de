"""The type picker asked for while the instance types load: it waits for the load's end, however the load ends, and
the demo's scene that opens it fails at once, with the cause, when the load failed.

The types' load is a stand-in the test holds (it answers when released, or never): the moto-backed form around it
is real. Polls with a 30 s ceiling, never a fixed wait; the form's other loads are moto's and end by themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.demo import scenes
from ec2tui.errors import AwsError
from ec2tui.launch.screen import LaunchScreen
from ec2tui.screens.instance_type_picker import InstanceTypePicker
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import acknowledge_unexpected, record_notifications

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app

TYPES = [
    InstanceTypeInfo("t3.micro", 2, 1024, ("x86_64",), True, "Up to 5 Gigabit", True, None, ("ebs",), burstable=True)
]
UNAVAILABLE = "The instance types could not be loaded"


class HeldTypes:
    """``gateway.launch.instance_types`` as a load the test ends: each call waits for :meth:`release`, then answers
    with its ``outcome``: types, or an exception to raise; None (and any call past the outcomes given) never answers.
    """

    def __init__(self, *outcomes: list[InstanceTypeInfo] | BaseException | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, region: str | None = None, *, refresh: bool = False) -> list[InstanceTypeInfo]:
        outcome = self.outcomes[self.calls] if self.calls < len(self.outcomes) else None
        self.calls += 1
        if outcome is None:
            await asyncio.Event().wait()  # never answers: only cancelled
        await self._released.wait()
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome


async def poll(pilot: Pilot, check: Callable[[], bool], what: str) -> None:
    """Until ``check()`` holds (30 s ceiling). Not the tests' ``until``: that waits for every worker to end, and
    here the types' load is held on purpose."""
    await wait_for(pilot, check, what=what)


def pickers_waiting(pilot: Pilot) -> list[object]:
    return [w for w in pilot.app.workers if w.group == "picker" and not w.is_finished]


async def ask_for_the_picker(pilot: Pilot, load: HeldTypes) -> LaunchScreen:
    """The form open, its types' load under way; the picker asked for: its waiter runs."""
    await poll(pilot, lambda: isinstance(pilot.app.screen, LaunchScreen) and load.calls == 1, "the types' load")
    form = pilot.app.screen
    assert isinstance(form, LaunchScreen) and form.state.types is None
    form.action_pick_type()
    await poll(pilot, lambda: bool(pickers_waiting(pilot)), "the picker's waiter")
    return form


async def test_a_cancelled_types_load_leaves_no_picker_waiting_and_says_so(launch_app, gateway, monkeypatch):
    load = HeldTypes()  # never answers
    monkeypatch.setattr(gateway.launch, "instance_types", load)
    async with launch_app.run_test(size=(120, 40)) as pilot:
        sent = record_notifications(pilot.app)
        form = await ask_for_the_picker(pilot, load)
        form.workers.cancel_group(form, "types")  # as leaving for good does, with no newer load after it
        await poll(pilot, lambda: not pickers_waiting(pilot), "the picker's waiter gone")
        assert any(UNAVAILABLE in message for message in sent), sent
        assert pilot.app.screen is form and form.state.types is None


async def test_a_types_load_that_raises_unexpectedly_leaves_no_picker_waiting(launch_app, gateway, monkeypatch):
    load = HeldTypes(RuntimeError("types broke"))
    monkeypatch.setattr(gateway.launch, "instance_types", load)
    async with launch_app.run_test(size=(120, 40)) as pilot:
        sent = record_notifications(pilot.app)
        form = await ask_for_the_picker(pilot, load)
        load.release()
        await acknowledge_unexpected(pilot, RuntimeError, "types broke")
        await poll(pilot, lambda: not pickers_waiting(pilot), "the picker's waiter gone")
        assert any(UNAVAILABLE in message for message in sent), sent
        assert pilot.app.screen is form


async def test_a_failed_types_load_says_why_the_picker_stays_closed(launch_app, gateway, monkeypatch):
    load = HeldTypes(AwsError("Read timeout on endpoint URL", "ReadTimeout"))
    monkeypatch.setattr(gateway.launch, "instance_types", load)
    async with launch_app.run_test(size=(120, 40)) as pilot:
        sent = record_notifications(pilot.app)
        form = await ask_for_the_picker(pilot, load)
        load.release()
        await poll(pilot, lambda: not pickers_waiting(pilot), "the picker's waiter gone")
        assert any(UNAVAILABLE in m and "Read timeout" in m for m in sent), sent
        sent.clear()
        form.action_pick_type()  # asked again: told at once, no waiter (it used to say "still loading")
        assert not pickers_waiting(pilot)
        assert any(UNAVAILABLE in message for message in sent), sent


async def test_a_refresh_during_the_wait_hands_it_to_the_new_load(launch_app, gateway, monkeypatch):
    load = HeldTypes(None, TYPES)  # the first load never answers, the refresh's does
    monkeypatch.setattr(gateway.launch, "instance_types", load)
    load.release()
    async with launch_app.run_test(size=(120, 40)) as pilot:
        form = await ask_for_the_picker(pilot, load)
        form.action_refresh()  # cancels the first load for a new one
        await poll(pilot, lambda: isinstance(pilot.app.screen, InstanceTypePicker), "the picker")
        picker = pilot.app.screen
        assert isinstance(picker, InstanceTypePicker) and load.calls == 2
        await poll(pilot, lambda: picker.prices is not None, "the picker's prices")  # its last work


async def test_the_scene_fails_at_once_with_the_cause_when_the_types_did_not_load(launch_app, gateway, monkeypatch):
    """The snapshot tests' launch walk: a form whose types' load failed never opens the picker; the scene says why
    instead of waiting out its ceiling (lowered here, so that a scene that waits fails this test soon)."""
    monkeypatch.setattr(scenes, "CEILING", 20.0)
    load = HeldTypes(AwsError("The AWS endpoint did not answer in time", "ReadTimeout"))
    monkeypatch.setattr(gateway.launch, "instance_types", load)
    async with launch_app.run_test(size=(120, 40)) as pilot:
        await poll(pilot, lambda: isinstance(pilot.app.screen, LaunchScreen) and load.calls == 1, "the types' load")
        step = asyncio.ensure_future(scenes.instance_type_picker(pilot))
        await poll(pilot, lambda: bool(pickers_waiting(pilot)), "the picker's waiter")
        assert not step.done()  # the scene waits while the load may still bring the types
        load.release()
        with pytest.raises(scenes.SceneFailed, match="could not load the instance types: The AWS endpoint did not"):
            await step
