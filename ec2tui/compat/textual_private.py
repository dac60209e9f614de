"""Textual's private names ec2tui uses, and why. Checked against Textual 8.2.8.

- ``MessagePump._dispatch_message``: wrapped by ``ec2tui.unexpected`` so an exception in a handler is reported and
  the message loop goes on (Textual stops the loop for good).
- ``App._exception``, ``App._exit`` and ``App._running``: ``ec2tui.unexpected`` records an unexpected error for
  Pilot to re-raise, knows when the app is quitting, and when it has begun to shut down (Textual then starts no new
  widget's message loop: see ``app_shutting_down``).
- ``Select._options``: the options a Select offers (no public accessor), read by the launch form.
- ``MessagePump._message_queue`` (Textual's own queue, its ``ready_event``) and ``asyncio.Event._waiters``: whether a
  node's message loop sits waiting for its next message with none queued, i.e. it has handled everything it was sent
  (idle handlers and ``call_next`` callbacks included), for the key gate (``ec2tui.key_gate``).
- ``Input._suggestion``: the suggester's current completion, taken by tab in the command prompt.
- ``Footer._bindings_ready``: set by ``ec2tui.widgets.stable_footer.StableFooter`` as Footer's own bindings handler
  does (its compose shows nothing until then); the footer then rebuilds only when the keys it shows change.
- ``TextArea._recompute_cursor_offset`` and ``TextArea._cursor_offset``: replaced by
  ``ec2tui.widgets.user_data_editor.UndoSafeTextArea`` so that undoing a long paste can't crash (Textual #6686).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump
from textual.widgets import Footer, Input, Select, TextArea

CHECKED_WITH = "8.2.8"

DISPATCH_MESSAGE = "_dispatch_message"
RECOMPUTE_CURSOR_OFFSET = "_recompute_cursor_offset"


def dispatch_message() -> Callable[..., Any]:
    return getattr(MessagePump, DISPATCH_MESSAGE)


def replace_dispatch_message(method: Callable[..., Any]) -> None:
    setattr(MessagePump, DISPATCH_MESSAGE, method)


def app_exception(app: App[Any]) -> BaseException | None:
    return app._exception


def set_app_exception(app: App[Any], error: BaseException) -> None:
    """What ``run_test`` re-raises when the test ends."""
    app._exception = error  # type: ignore[assignment]  # Textual declares Exception; run_test re-raises any


def app_exiting(app: App[Any]) -> bool:
    return bool(app._exit)


def app_shutting_down(app: App[Any]) -> bool:
    """Whether the app's shutdown has begun (``App._shutdown`` clears ``_running`` first). From then on a widget
    mounted is never started (``MessagePump._start_messages``), so a parent mounting at that moment may find its
    children empty (Select's mount reads its ``#label``)."""
    return not app._running


def message_pump_idle(node: MessagePump) -> bool:
    """Whether ``node``'s message loop is waiting for a message with none queued (not handling one, nor running its
    idle handlers or ``call_next`` callbacks after one)."""
    queue: Any = node._message_queue
    return queue.qsize() == 0 and bool(queue.ready_event._waiters)


def select_options(select: Select[Any]) -> list[tuple[Any, Any]]:
    """(label, value) of every option of ``select``, the blank one included when it has one."""
    return list(select._options)


def set_footer_bindings_ready(footer: Footer) -> None:
    footer._bindings_ready = True


def input_suggestion(field: Input) -> str:
    return field._suggestion


def replace_recompute_cursor_offset(area_class: type[TextArea], method: Callable[[Any], None]) -> None:
    setattr(area_class, RECOMPUTE_CURSOR_OFFSET, method)


def set_cursor_offset(area: TextArea, offset: Any) -> None:
    area._cursor_offset = offset


def _has_event_waiters(pump: MessagePump) -> bool:
    event = getattr(getattr(pump, "_message_queue", None), "ready_event", None)
    return isinstance(event, asyncio.Event) and hasattr(event, "_waiters")


def missing() -> list[str]:
    """The private names above that this Textual no longer has (empty when all is well)."""
    import textual

    app: App[None] = App()
    checks = {
        f"MessagePump.{DISPATCH_MESSAGE}": callable(getattr(MessagePump, DISPATCH_MESSAGE, None)),
        "App._exception": hasattr(app, "_exception"),
        "App._exit": hasattr(app, "_exit"),
        "App._running": isinstance(getattr(app, "_running", None), bool),
        "Select._options": isinstance(getattr(Select([("a", 1)]), "_options", None), list),
        "Input._suggestion": hasattr(Input, "_suggestion"),
        "Footer._bindings_ready (and Footer.bindings_changed)": hasattr(Footer, "_bindings_ready")
        and callable(getattr(Footer, "bindings_changed", None)),
        "MessagePump._message_queue.ready_event (an asyncio.Event with _waiters)": _has_event_waiters(app),
        f"TextArea.{RECOMPUTE_CURSOR_OFFSET}": callable(getattr(TextArea, RECOMPUTE_CURSOR_OFFSET, None)),
        "TextArea._cursor_offset": hasattr(TextArea(), "_cursor_offset"),
    }
    return [
        f"{name} (checked with Textual {CHECKED_WITH}, installed {textual.__version__})"
        for name, present in checks.items()
        if not present
    ]
