"""Exceptions nobody expected: logged (scrubbed), shown on an :class:`ErrorScreen`, and the app keeps running.

Textual ends the app on any unhandled exception (``App._handle_exception`` → ``_fatal_error``), and even when that
is overridden, the message loop in which a handler raised stops for good (``MessagePump._process_messages_loop``
breaks after reporting): an exception in a key binding's action kills the app's own loop, one in a screen's handler
leaves that screen deaf. The guard below wraps ``MessagePump._dispatch_message`` so that, for an app that opts in
with ``survives_unexpected_errors = True``, the exception is reported and the loop goes on with the next message.
It also sees every ``Worker.StateChanged`` (which doesn't bubble, so no app-level handler could), and reports a
worker that failed with anything but an :class:`Ec2TuiError` (those the screens handle themselves).

Textual privates touched here, through ``ec2tui.compat.textual_private``: ``MessagePump._dispatch_message``,
``App._exception``, ``App._exit`` (see :func:`report`); ``tests/test_compat.py`` checks they still exist.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from ec2tui import diagnostics
from ec2tui.compat import textual_private
from ec2tui.errors import Ec2TuiError
from ec2tui.screens.error_screen import ErrorScreen

MAX_REPORTS = 200
"""After this many unexpected errors in one run the app gives up and lets Textual end it (an error loop)."""

_SET_UP = (events.Compose, events.Mount)
"""A widget that fails to compose or mount is left to Textual (it is not mounted); the app still survives."""


def _opted_in(app: Any) -> bool:
    return bool(getattr(app, "survives_unexpected_errors", False))


def report(app: App[Any], error: BaseException, where: str = "") -> bool:
    """Log ``error`` and show it (or add it to the error screen already shown); while the app quits, only log it.
    Returns False when it couldn't be shown (the app isn't running yet, or errors keep coming): the caller then
    lets Textual end the app (terminal restored, traceback printed)."""
    if isinstance(error, WorkerFailed):
        error = error.error
    diagnostics.log_unexpected(error, where)
    count = getattr(app, "_ec2tui_unexpected_count", 0) + 1
    app._ec2tui_unexpected_count = count  # type: ignore[attr-defined]
    if app.is_headless and textual_private.app_exception(app) is None and isinstance(error, Exception):
        # Under Pilot, run_test re-raises this when the test ends: a test never passes over an unexpected error.
        # (_exception_event is left alone: Pilot's waits would stop waiting.)
        textual_private.set_app_exception(app, error)
    if textual_private.app_exiting(app):
        return True  # quitting: a screen torn down mid-load may raise; logged, never a traceback on the way out
    if count > MAX_REPORTS or not app.is_running or not app.screen_stack:
        return False
    summary = diagnostics.summary(error)
    try:
        top = app.screen_stack[-1]
        if isinstance(top, ErrorScreen):
            top.add(summary)
        else:
            app.push_screen(ErrorScreen(summary, where, diagnostics.log_path()))
    except Exception as failure:  # showing it failed too: don't loop
        diagnostics.log_unexpected(failure, "the error screen")
        return False
    return True


def is_unexpected_worker_failure(worker: Worker[Any]) -> bool:
    """A worker that ended in ERROR with an exception no screen handles (and that Textual doesn't report itself)."""
    error = worker.error
    return (
        worker.state is WorkerState.ERROR
        and not worker.exit_on_error  # those reach App._handle_exception already
        and error is not None
        and not isinstance(error, Ec2TuiError | WorkerCancelled | asyncio.CancelledError)
    )


_original_dispatch = textual_private.dispatch_message()


def _app_of(pump: MessagePump) -> App[Any] | None:
    try:
        return pump.app
    except Exception:  # NoActiveAppError: a pump outside any app
        return None


async def _dispatch_surviving(self: MessagePump, message: Message) -> None:
    try:
        await _original_dispatch(self, message)
    except Exception as error:
        app = _app_of(self)
        if not _opted_in(app):
            raise
        assert app is not None
        if isinstance(message, _SET_UP):
            if textual_private.app_shutting_down(app):
                # Quit while a widget mounted (a launch form's row, say): Textual starts no child's loop once the
                # shutdown has begun, so a widget reading its children on mount fails; nothing is shown again.
                diagnostics.log.debug("%s mounting as the app shuts down: %s", type(self).__name__, error)
                return
            raise
        if not report(app, error, f"{type(self).__name__} handling {type(message).__name__}"):
            raise
    if isinstance(message, Worker.StateChanged) and is_unexpected_worker_failure(message.worker):
        app = _app_of(self)
        if _opted_in(app):
            assert app is not None and message.worker.error is not None
            report(app, message.worker.error, f"background task {message.worker.name or message.worker.description!r}")


def install() -> None:
    """Wrap ``MessagePump._dispatch_message`` once (idempotent); inert for apps that don't opt in."""
    if textual_private.dispatch_message() is not _dispatch_surviving:
        textual_private.replace_dispatch_message(_dispatch_surviving)


install()
