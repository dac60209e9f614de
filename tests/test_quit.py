"""Quitting asks first only when it would lose something; ctrl+q always gets out."""

from __future__ import annotations

from ec2tui.screens.confirm import QuitScreen
from tests.instances_ui_helpers import open_instances, select
from tests.launch_ui_helpers import open_form, tab_to, type_text
from tests.ui_helpers import settle, static_text

pytest_plugins = ["tests.instances_ui_fixtures", "tests.launch_ui_fixtures"]  # app/fleet, launch_app


async def test_q_quits_at_once_when_nothing_would_be_lost(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0, "q exited at once"


async def test_unsaved_work_makes_quit_ask_and_n_stays(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        app.quit_checks.append(lambda: "The launch form holds a request you have not launched (its draft is kept).")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        assert "not launched" in static_text(app, ".dialog-body")
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, QuitScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code is None
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_q_twice_always_quits(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        app.quit_checks.append(lambda: "unsaved")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


async def test_the_demo_asks_once_the_user_has_changed_something(app, fleet):
    app.demo = True
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-2"])
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        app.navigate("quit")
        await settle(pilot)
        assert isinstance(app.screen, QuitScreen)
        assert "lost" in static_text(app, ".dialog-body")
        assert app.return_code is None
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0


async def test_an_edited_launch_form_makes_quit_ask_from_any_screen(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert not form.has_unlaunched_changes(), "a fresh form holds nothing to lose"
        await tab_to(pilot, "#name")
        await type_text(pilot, "web-9")
        await settle(pilot)
        assert form.has_unlaunched_changes()
        app.navigate("instances")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        assert "not launched" in static_text(app, ".dialog-body")
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None
