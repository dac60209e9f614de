"""Keys are dispatched one at a time: the next key waits until the previous one's effects have settled.

Textual forwards each key to the widget focused *when the app reads it*. A burst (SSH delivers what was typed in one
packet) is read before the first key's action has run: after `/` the filter input exists but focus moves to it only
on a later callback, after `:` the prompt is pushed but not mounted yet, so the rest of the burst lands on the list
(where `b` means reboot) or on a screen with nothing focused (lost). The gate holds every key that arrives while the
previous one is still settling and replays them in order, so each key goes where the one before it sent the focus.

"Settled" means: every node of the current screen (and the app) has processed what was queued when we looked, for
as many rounds as the key needs to bubble up to the app (one hop a round), and then one more round saw the same
screen and the same focused widget. Counting rounds of queue flushes, not time, keeps it exact on a loaded machine.
A round waits only on the nodes with work (a message queued or being handled, or not mounted yet: an idle node's loop
waits for its next message) and on the screen and the app (they refresh and run after-refresh callbacks when idle).
On the launch form, whose ~300 nodes are mostly idle, waiting on each of them cost ~2,400 callbacks and ~100 ms of
CPU per key.

Some keys open their dialog only after asking AWS (terminate checks the termination protection first, "copy to
region" lists the regions): their action wraps the asking in :meth:`KeyGate.holding`, and the rest of the burst waits
for the dialog (which ignores the keys typed before it opened) instead of reaching the list beneath, where letters
are actions.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.widget import Widget

from ec2tui.compat.textual_private import message_pump_idle

MAX_ROUNDS = 60
"""A key's effects settle in a handful of rounds; past this something keeps changing focus: let the next key go."""

MAX_WAIT = 5.0
"""Seconds: a safety net only (the rounds above end it first), so that a wedged widget can never swallow typing."""

HOLD_CEILING = 30.0
"""Seconds keys wait for an action that asks AWS before opening its dialog (see ``KeyGate.holding``): past this AWS
is slow to answer, and typing goes on rather than waiting on it."""

BYPASS = frozenset({"ctrl+q", "ctrl+c"})
"""Keys that are never held: quitting (and ctrl+c's hint) work even when something wedges the gate."""


class KeyGate:
    """Holds keys while the previous one settles; ``dispatch`` is the app's normal key handling."""

    def __init__(self, app: App[Any], dispatch: Callable[[events.Key], Awaitable[None]]) -> None:
        self._app = app
        self._dispatch = dispatch
        self._held: deque[events.Key] = deque()
        self._settling: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        """Clear while a key settles, and until the first frame is up: keys typed while the app starts (the
        terminal keeps them) wait for a screen to receive them instead of reaching none."""
        self.held_total = 0
        """Keys that had to wait for an earlier one (for tests and diagnostics)."""
        self._opened = False
        self._pumping = False
        """A key is being dispatched or settled, or the next one is about to be: one chain of them at a time."""
        self._holds: dict[object, float] = {}
        """Actions preparing a dialog (see ``holding``): when each began (monotonic)."""
        self._unheld = asyncio.Event()
        self._unheld.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def _hold_remaining(self) -> float:
        """Seconds keys still wait for the actions preparing a dialog (each for at most ``HOLD_CEILING``); 0: none."""
        now = time.monotonic()
        return max((began + HOLD_CEILING - now for began in self._holds.values()), default=0.0)

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold every key while the block runs: for an action that asks AWS something before it opens its dialog.
        Keys typed meanwhile are dispatched once the block is done, in order, as a burst is: open the dialog before
        leaving the block or right after it (before awaiting anything else), and they reach the dialog."""
        token = object()
        self._holds[token] = time.monotonic()
        self._unheld.clear()
        try:
            yield
        finally:
            del self._holds[token]
            if not self._holds:
                self._unheld.set()

    async def wait_idle(self) -> None:
        """Return once every key received so far has been dispatched and has settled."""
        await self._idle.wait()

    def open(self) -> None:
        """The first screen is up (the app's Ready): dispatch what was typed meanwhile, in order."""
        self._opened = True
        if not self._idle.is_set() and not self._pumping:
            self._pumping = True
            self._app.call_later(self._release_next)

    async def on_key(self, event: events.Key) -> None:
        """Dispatch ``event`` now if nothing is settling, else hold it for its turn."""
        if event.key in BYPASS:
            await self._dispatch(event)
            return
        if self.busy or self._hold_remaining() > 0:
            if not self._opened and event.key == "ctrl+j":
                # Typed before the app took the terminal: the tty, still in line mode, turned Enter into a newline.
                event = events.Key("enter", "\r")
            self._held.append(event)
            self.held_total += 1
            self._idle.clear()
            if self._opened and not self._pumping:  # held only by an action preparing its dialog (the palette's)
                self._settle_after_holds()
            return
        await self._dispatch_and_settle(event)

    async def _dispatch_and_settle(self, event: events.Key) -> None:
        self._idle.clear()
        self._pumping = True
        depth = _depth(self._app.focused)
        await self._dispatch(event)
        self._settling = asyncio.create_task(self._settle_then_release(depth))

    async def _settle_then_release(self, depth: int) -> None:
        try:
            await self._settle(min_rounds=depth + 1)
            remaining = self._hold_remaining()
            if remaining > 0:  # the key's action asks AWS before it opens its dialog: wait for the dialog
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._unheld.wait(), timeout=remaining)
                await self._settle(min_rounds=1)
        finally:
            self._settling = None
            if self._app.is_running:
                self._app.call_later(self._release_next)
            else:
                self._held.clear()
                self._pumping = False
                self._idle.set()

    async def _release_next(self) -> None:
        """Runs on the app's message loop, like any key the driver delivers."""
        if not self._held:
            self._pumping = False
            self._idle.set()
            return
        if self._hold_remaining() > 0:  # an action began preparing a dialog since the last key settled
            self._settle_after_holds()
            return
        await self._dispatch_and_settle(self._held.popleft())

    def _settle_after_holds(self) -> None:
        """Wait for the holds (and the dialog they open to settle), then go on with the held keys."""
        self._pumping = True
        self._settling = asyncio.create_task(self._settle_then_release(0))

    async def _settle(self, min_rounds: int) -> None:
        deadline = time.monotonic() + MAX_WAIT
        previous: tuple[int, int, int] | None = None
        for rounds in range(1, MAX_ROUNDS + 1):
            await self._flush_round(deadline)
            app = self._app
            if not app.is_running or time.monotonic() > deadline:
                return
            fingerprint = (id(app.screen), id(app.focused), len(app.screen_stack))
            focus_pending = app.focused is None and any(True for _ in app.screen.focus_chain)
            if rounds >= min_rounds and fingerprint == previous and not focus_pending:
                return
            previous = fingerprint

    async def _flush_round(self, deadline: float) -> None:
        """Wait until the app and every node of the current screen have handled what they had queued."""
        try:
            screen = self._app.screen
        except Exception:  # no screen yet (starting) or any more (closing)
            return
        nodes: list[DOMNode] = [self._app, screen, *filter(at_work, screen.walk_children())]
        pending = 0
        done = asyncio.Event()

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        for node in nodes:
            if node.call_later(one_done):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        self._held.clear()
        self._pumping = False
        if self._settling is not None:
            self._settling.cancel()
        self._idle.set()


def at_work(node: DOMNode) -> bool:
    """Whether a round must wait for ``node``: an idle, mounted widget has handled everything it was sent."""
    return not (isinstance(node, Widget) and node.is_mounted and message_pump_idle(node))


def _depth(widget: Widget | None) -> int:
    """How many hops a key takes from ``widget`` to the app (each hop is one round of the settle)."""
    depth = 1
    node: DOMNode | None = widget
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def hold_keys(app: object) -> contextlib.AbstractContextManager[None]:
    """``app``'s :meth:`KeyGate.holding` (nothing for an app without a gate, such as ``ec2tui pick``'s)."""
    gate = getattr(app, "key_gate", None)
    return gate.holding() if isinstance(gate, KeyGate) else contextlib.nullcontext()
