"""An exception nobody expected (a key's action, a screen's handler, a worker, a widget) shows the ErrorScreen and the
app keeps running; the user data editor's paste-then-undo no longer raises at all."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.message_pump import MessagePump
from textual.widgets import Static, TextArea

from ec2tui import diagnostics, unexpected
from ec2tui.app import Ec2App
from ec2tui.compat import textual_private
from ec2tui.launch.screen import LaunchScreen
from ec2tui.screens.command_prompt import CommandPrompt
from ec2tui.screens.error_screen import NO_LOG_HINT, ErrorScreen
from ec2tui.screens.regions import RegionsScreen
from ec2tui.widgets.user_data_editor import UndoSafeTextArea, UserDataEditor
from tests.launch_ui_helpers import open_form
from tests.ui_helpers import settle, static_text

pytest_plugins = ["tests.launch_ui_fixtures"]

PASTED = "#!/bin/bash\n" + "\n".join(f"echo line {i}" for i in range(40)) + "\n"


async def wait_for_screen(pilot, kind: type, rounds: int = 200) -> None:
    for _ in range(rounds):
        if isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted:
            return
        await pilot.pause()
    raise AssertionError(f"{kind.__name__} never showed; the screen is {pilot.app.screen!r}")


def error_body(app: Ec2App) -> str:
    return static_text(app, "#error-body")


async def answers_the_prompt(pilot) -> None:
    """`:` opens the command prompt, escape closes it: the app's loop is alive."""
    await pilot.press("colon")
    await wait_for_screen(pilot, CommandPrompt)
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(pilot.app.screen, CommandPrompt)


def acknowledge(app: Ec2App, kind: type[BaseException], text: str) -> None:
    """Under Pilot the app keeps the first unexpected error for run_test to re-raise at the end (so no other test can
    pass over one); here it is the point of the test: check it, then clear it."""
    assert isinstance(app._exception, kind) and text in str(app._exception), app._exception
    app._exception = None


def test_the_textual_privates_touched_still_exist():
    """ec2tui/unexpected.py and UndoSafeTextArea reach into Textual: fail loudly when a Textual release moves them."""
    assert unexpected._original_dispatch.__name__ == "_dispatch_message"
    assert MessagePump._dispatch_message is unexpected._dispatch_surviving
    app = App()
    assert app._exception is None and app._exit is False and callable(App._handle_exception)
    assert callable(TextArea._recompute_cursor_offset) and callable(TextArea.clamp_visitable)


async def test_pasting_many_lines_then_undo_keeps_the_app_and_undoes(launch_app):
    """The issue's crash: a bracketed paste of 10+ lines into the user data editor, then ctrl+z, raised
    ``ValueError: The document line index 1 is out of bounds`` from the TextArea's undo and ended the app."""
    async with launch_app.run_test(size=(120, 40)) as pilot:
        screen = await open_form(pilot)
        editor = screen.query_one(UserDataEditor)
        assert isinstance(editor.text_area, UndoSafeTextArea)
        editor.text_area.focus()
        await pilot.pause()
        launch_app.post_message(events.Paste(PASTED))  # as the driver posts a bracketed paste: to the app
        for _ in range(100):
            if editor.text == PASTED:
                break
            await pilot.pause()
        assert editor.text == PASTED
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.text == ""
        assert isinstance(launch_app.screen, LaunchScreen), "the undo raised"
        await pilot.press("ctrl+y")  # redo brings the paste back
        await pilot.pause()
        assert editor.text == PASTED
        assert launch_app.is_running


async def test_an_exception_in_a_keys_action_shows_the_error_screen_and_the_app_goes_on(gateway, monkeypatch):
    def broken_help(self) -> None:
        raise RuntimeError("help exploded")

    monkeypatch.setattr(Ec2App, "action_help", broken_help)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, ErrorScreen)
        body = error_body(app)
        assert "RuntimeError: help exploded" in body and NO_LOG_HINT in body
        assert app.is_running
        await pilot.press("escape")
        await wait_for_screen(pilot, RegionsScreen)
        await answers_the_prompt(pilot)
        await pilot.press("question_mark")  # a second failure: the app still survives
        await wait_for_screen(pilot, ErrorScreen)
        await pilot.press("escape")
        await answers_the_prompt(pilot)
        acknowledge(app, RuntimeError, "help exploded")


async def test_an_exception_in_a_screens_handler_leaves_that_screen_working(launch_app, monkeypatch):
    """The handler runs in the screen's own message loop, which Textual stops after an exception: keys that bubble
    through the screen (``:`` from a button) would never reach the app again."""
    calls = []
    resume = LaunchScreen.on_screen_resume

    def broken_resume(self) -> None:
        calls.append(self)
        if len(calls) == 1:  # once: escape from the error screen resumes the form again
            raise RuntimeError("resume exploded")
        resume(self)

    async with launch_app.run_test(size=(120, 40)) as pilot:
        screen = await open_form(pilot)
        monkeypatch.setattr(LaunchScreen, "on_screen_resume", broken_resume)
        launch_app.navigate("regions")
        await settle(pilot)
        launch_app.navigate("launch")
        await wait_for_screen(pilot, ErrorScreen)
        assert calls and "RuntimeError: resume exploded" in error_body(launch_app)
        assert "LaunchScreen" in error_body(launch_app)
        await pilot.press("escape")
        await wait_for_screen(pilot, LaunchScreen)
        screen.query_one("#review").focus()  # a button: `:` bubbles through the launch screen to the app
        await pilot.pause()
        await answers_the_prompt(pilot)
        # Typing still lands in the form.
        name = screen.query_one("#name")
        name.focus()
        await pilot.press(*"web")
        await pilot.pause()
        assert name.value.endswith("web")  # type: ignore[attr-defined]
        acknowledge(launch_app, RuntimeError, "resume exploded")


async def test_a_worker_failing_with_an_unexpected_error_is_reported(gateway, monkeypatch):
    """A worker started with exit_on_error=False used to vanish silently (the title stayed "loading…")."""

    async def broken_fetch(self, refresh: bool):
        raise KeyError("Regions")

    monkeypatch.setattr(RegionsScreen, "fetch", broken_fetch)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, ErrorScreen)
        body = error_body(app)
        assert "KeyError: 'Regions'" in body and "background task" in body
        await pilot.press("escape")
        await answers_the_prompt(pilot)
        acknowledge(app, KeyError, "Regions")


async def test_an_ec2tui_error_from_a_worker_is_left_to_the_screen(gateway, monkeypatch):
    from ec2tui.errors import AwsError

    async def refused_fetch(self, refresh: bool):
        raise AwsError("You are not authorized to perform this operation.", "UnauthorizedOperation")

    monkeypatch.setattr(RegionsScreen, "fetch", refused_fetch)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 5)
        assert not isinstance(app.screen, ErrorScreen)


async def test_the_error_screen_names_the_log_file_and_the_log_has_the_traceback(gateway, monkeypatch, tmp_path):
    log = tmp_path / "ec2tui.log"
    diagnostics.configure(log)

    def broken_help(self) -> None:
        raise RuntimeError("key AKIAABCDEFGHIJKLMNOP leaked")

    monkeypatch.setattr(Ec2App, "action_help", broken_help)
    app = Ec2App(gateway)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await wait_for_screen(pilot, ErrorScreen)
            body = error_body(app)
            assert f"Details are in the log: {log}" in body
            assert "AKIAABCDEFGHIJKLMNOP" not in body and "[hidden]" in body
            acknowledge(app, RuntimeError, "leaked")
    finally:
        diagnostics.shutdown()
    text = log.read_text()
    assert "unexpected error" in text and "Traceback" in text and "broken_help" in text
    assert "AKIAABCDEFGHIJKLMNOP" not in text


async def test_ctrl_q_quits_from_the_error_screen(gateway, monkeypatch):
    def broken_help(self) -> None:
        raise RuntimeError("help exploded")

    monkeypatch.setattr(Ec2App, "action_help", broken_help)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, ErrorScreen)
        assert "ctrl+q quits" in static_text(app, ".dialog-hint")
        acknowledge(app, RuntimeError, "help exploded")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app._exit


async def test_an_error_while_quitting_is_logged_not_shown(gateway, tmp_path):
    """Quitting while a screen still loads can make its handler raise as it is torn down: no screen, no traceback."""
    log = tmp_path / "quit.log"
    diagnostics.configure(log)
    app = Ec2App(gateway)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app._exit = True  # as App.exit() sets it, without ending the test's run yet
            assert unexpected.report(app, LookupError("No nodes match '#table'"), "RegionsScreen handling Loaded")
            await pilot.pause()
            assert not isinstance(app.screen, ErrorScreen)
            acknowledge(app, LookupError, "#table")
            app._exit = False
    finally:
        diagnostics.shutdown()
    assert "No nodes match '#table'" in log.read_text()


class ReadsItsChildOnMount(Static):
    """As Textual's Select does: its mount reads a child its compose made (``#label``)."""

    def on_mount(self) -> None:
        self.query_one("#label")


async def test_a_widget_failing_to_mount_as_the_app_shuts_down_is_no_crash(gateway):
    """Quit while the launch form mounts a row: Textual starts no new widget once its shutdown has begun, so a Select
    mounting then finds no ``#label``. CI saw the app end in that NoMatches; it is dropped once the shutdown began,
    and still Textual's (a crash, as any failed mount) before."""
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        widget = ReadsItsChildOnMount()
        with pytest.raises(NoMatches):
            await unexpected._dispatch_surviving(widget, events.Mount())
        app._running = False  # as App._shutdown begins
        try:
            await unexpected._dispatch_surviving(widget, events.Mount())  # no exception: the app is closing
        finally:
            app._running = True
        assert textual_private.app_exception(app) is None
