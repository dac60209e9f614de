"""Helpers for Pilot tests: build the real app on a moto-backed gateway, read what the screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerCancelled

from ec2tui.app import Ec2App
from ec2tui.widgets.virtual_table import VirtualTable


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and the screen repaint."""
    for _ in range(rounds):
        await wait_for_workers(pilot.app)
        await pilot.pause()


async def paste(pilot: Pilot, text: str) -> None:
    """Give ``text`` to the focused widget as a terminal paste (as the driver does). Pilot's ``press`` waits for the
    app to go idle after each key (40 ms at least): a 60-character path typed key by key spent seconds doing nothing."""
    assert pilot.app.focused is not None, "nothing has the focus to paste into"
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def wait_for_workers(app: App) -> None:
    """Wait for every worker running now; a failed one raises, as ``app.workers.wait_for_complete()`` does.

    Unlike ``wait_for_complete``, a worker cancelled meanwhile is not an error: an ``exclusive`` worker is cancelled
    whenever a newer one of its group starts (a refresh replacing a load), which is the app working as designed.
    The newer worker is waited for by the next round of ``settle``.
    """
    outcomes = await asyncio.gather(*(worker.wait() for worker in app.workers), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled | asyncio.CancelledError):
            raise outcome


def table_rows(app: Ec2App, selector: str = "#table") -> list[list[str]]:
    """Every row's cells as plain text, in the order shown (the whole cells, not cut to the screen)."""
    table = app.screen.query_one(selector, VirtualTable)
    return [table.row_text(key) for key in table.row_keys]


def rendered_table(app: Ec2App, selector: str = "#table") -> list[str]:
    """The lines the table draws on screen now (header first), as plain text: what a user reads, cuts included."""
    table = app.screen.query_one(selector, VirtualTable)
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def notifications(app: Ec2App) -> list[str]:
    """The notifications still shown (one can time out on a loaded machine: see :func:`record_notifications`)."""
    return [n.message for n in app._notifications]


def app_state(app: App) -> str:
    """What a timed-out wait saw, for its message: the screens, the focus, the notifications, the workers and the
    keys the app holds (a wait that failed in CI once said only what it waited for)."""
    gate = getattr(app, "key_gate", None)
    keys = f"key gate busy={gate.busy}, keys held so far={gate.held_total}" if gate is not None else "no key gate"
    workers = ", ".join(f"{w.name or w.group}:{w.state.name}" for w in app.workers) or "none"
    shown = [n.message for n in app._notifications]
    banners = [str(w.render()) for w in app.screen.query(Static) if (w.id or "").endswith("banner")]  # the review's
    return (
        f"screens: {[type(s).__name__ for s in app.screen_stack]}; focused: {app.focused!r}; {keys}\n"
        f"workers: {workers}\nnotifications: {shown}\nbanners: {banners}"
    )


def record_notifications(app: Ec2App) -> list[str]:
    """Every notification's message from now on, kept after it has timed out of the screen."""
    sent: list[str] = []
    notify = app.notify

    def recording(message: str, *args: object, **kwargs: object) -> None:
        sent.append(str(message))
        notify(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = recording  # type: ignore[method-assign]
    return sent


def static_text(app: Ec2App, selector: str) -> str:
    """The plain text a Static/Label shows."""
    widget = app.screen.query_one(selector)
    content = widget.render()
    return str(getattr(content, "plain", content))


async def acknowledge_unexpected(pilot: Pilot, kind: type[BaseException], text: str) -> None:
    """A test that injects a bug: the app shows it on the ErrorScreen (checked here, then closed) and keeps it for
    run_test to re-raise at the end (checked, then cleared: here it is the point of the test)."""
    from ec2tui.screens.error_screen import ErrorScreen

    app = pilot.app
    for _ in range(300):
        if isinstance(app.screen, ErrorScreen):
            break
        await pilot.pause(0.1)
    assert isinstance(app.screen, ErrorScreen), f"no error screen for the injected {kind.__name__}"
    assert isinstance(app._exception, kind) and text in str(app._exception), app._exception
    app._exception = None
    await pilot.press("escape")
    await pilot.pause()


async def until(pilot: Pilot, check: Callable[[], bool], what: str) -> None:
    """Settle and poll (30 s ceiling) until ``check()`` holds on a screen that has composed its widgets (a pushed
    screen is on top a moment before); unlike ``wait_for``, workers finish each round."""
    for _ in range(300):
        if check() and pilot.app.screen.is_mounted:
            return
        await settle(pilot, 1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {what}\n{app_state(pilot.app)}")
