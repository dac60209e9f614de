"""Bursts of keys (as SSH delivers them) land where they were aimed, and never answer a confirmation by accident."""

from __future__ import annotations

import asyncio
import threading

from ec2tui.app import Ec2App
from ec2tui.aws import instances as instances_service
from ec2tui.screens.command_prompt import CommandPrompt
from ec2tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from ec2tui.screens.instances import InstancesScreen
from ec2tui.screens.regions import RegionsScreen
from tests.instances_ui_helpers import moto_state, open_instances, select
from tests.key_bursts import BURST_CEILING, burst, drained
from tests.ui_helpers import notifications, settle

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


async def test_filter_burst_then_copy_goes_to_the_filter_and_reboots_nothing(app, fleet, clipboard):
    """The issue's reboot: `/web` + enter + `c` in one write once put `w e b` into the list (b = reboot)."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await burst(app, "/web", "enter", "c")
        assert not isinstance(app.screen, ConfirmScreen), "b reached the list and opened the reboot dialog"
        assert screen.filter_input.value == "web"
        assert app.focused is screen.table, "enter hands focus back to the list"
        assert clipboard == [fleet["web-1"]], "c copied the first matching row"
        await settle(pilot)
        assert moto_state(fleet["web-1"]) == "running"
        assert moto_state(fleet["web-2"]) == "running"


async def test_burst_straight_after_start_reaches_the_command_prompt(fleet, gateway):
    """`:instances` + enter right after the first frame, while the list is still loading, is not lost."""
    app = Ec2App(gateway)  # opens on the regions screen, which fans out over every region when it mounts: busy
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, ":regions", "enter", ":instances", "enter")
        assert isinstance(app.screen, InstancesScreen), f"ended on {app.screen!r}: the prompt lost keys"
        await settle(pilot)


async def test_every_key_of_a_burst_lands_in_the_prompt_in_order(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await burst(app, ":amis mi")
        assert isinstance(app.screen, CommandPrompt)
        assert app.screen.query_one("#prompt").value == "amis mi"
        await burst(app, "escape", "/db", "escape")
        screen = app.screen
        assert isinstance(screen, InstancesScreen)
        assert screen.filter_input.value == "" and screen.filter_text == "", "escape cleared what the burst typed"
        assert app.key_gate.held_total > 0, "the bursts had keys held for their turn"


async def test_enter_never_confirms_a_stop(app, fleet):
    """`o` then enter sent StopInstances: the dialog now opens on No."""
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("o")
        await drained(app)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert app.focused is dialog.query_one("#no"), "No is focused"
        assert not dialog.query_one("#yes").can_focus, "tab can't reach Yes either: only y or a click acts"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert moto_state(web) == "running"


async def test_keys_typed_before_a_confirmation_opened_never_answer_it(app, fleet):
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await burst(app, "o", "y", "enter")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen), "the y and enter typed with o did not answer the dialog"
        assert dialog.stale_keys == 2
        assert any("typed before this dialog opened were ignored" in n for n in notifications(app))
        await settle(pilot)
        assert moto_state(web) == "running"
        await pilot.press("y")  # a deliberate y, typed once the dialog is there
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert moto_state(web) in ("stopping", "stopped")


async def test_a_typed_id_dialog_ignores_a_burst_that_spells_the_id(app, fleet):
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await burst(app, "ctrl+d", web, "enter")
        dialog = app.screen
        assert isinstance(dialog, TypedConfirmScreen)
        assert dialog.query_one("#typed").value == ""
        assert moto_state(web) == "running"
        await pilot.press("escape")
        await settle(pilot)
        assert moto_state(web) == "running"


async def test_a_burst_waits_while_terminate_asks_aws_before_its_dialog(app, fleet, monkeypatch):
    """ctrl+d asks AWS for the termination protection before it opens its dialog: the ID typed with it, `b`
    (reboot) among its letters, waited for the dialog instead of reaching the list. (CI, loaded, once saw the
    dialog missing: the answer came after the keys had gone to the list.)"""
    web = fleet["web-1"]
    asked, answer = threading.Event(), threading.Event()
    real_detail = instances_service.instance_detail

    def slow_detail(*args, **kwargs):
        asked.set()
        assert answer.wait(BURST_CEILING), "never answered"
        return real_detail(*args, **kwargs)

    monkeypatch.setattr(instances_service, "instance_detail", slow_detail)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, web)
        try:
            await burst(app, "ctrl+d", web, "b", "enter", wait=False)
            async with asyncio.timeout(BURST_CEILING):
                while not asked.is_set():
                    await asyncio.sleep(0.01)
                while app.message_queue_size:  # every key of the burst reached the gate
                    await asyncio.sleep(0.01)
            for _ in range(100):  # let the gate's rounds go on meanwhile
                await asyncio.sleep(0)
            assert app.screen is screen and app.key_gate.busy, "the keys wait for AWS's answer"
        finally:
            answer.set()
        await drained(app)
        dialog = app.screen
        assert isinstance(dialog, TypedConfirmScreen), f"ended on {dialog!r}"
        assert dialog.query_one("#typed").value == "" and dialog.stale_keys > 0
        assert screen.filter_text == "" and not screen.marked
        await pilot.press("escape")
        await settle(pilot)
        assert moto_state(web) == "running"


async def test_ctrl_q_is_never_held(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await burst(app, "/", wait=False)
        await burst(app, "ctrl+q", wait=False)
        await pilot.pause()
        await drained(app)
    assert app.return_code == 0
    assert not any("Traceback" in n for n in notifications(app))


async def test_regions_screen_keeps_keys_in_order_while_its_counts_fan_out(fleet, gateway):
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, "/us-east", "enter")
        screen = app.screen
        assert isinstance(screen, RegionsScreen)
        assert screen.filter_text == "us-east"
        await settle(pilot)
