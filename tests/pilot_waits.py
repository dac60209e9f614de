"""Pilot's waits ask only the nodes with work, as the app's key gate does (``ec2tui.key_gate``).

Before and after every key it presses, and on every ``pause()``, Pilot waits "for the screen": it posts a callback to
the app, the screen and every widget on it and waits until all have run it. A widget whose message loop waits for
its next message with none queued has handled everything already, so the callback proves nothing there; on the
launch form (~300 widgets) those callbacks were a large part of each test's CPU time. This keeps Pilot's own wait and
hands it the screen's nodes minus the idle ones, as the gate's own :func:`ec2tui.key_gate.at_work` decides (the app and
the screen always take part: they lay out and repaint when idle).
"""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode
from textual.pilot import Pilot

from ec2tui.key_gate import at_work

WAIT_FOR_SCREEN = "_wait_for_screen"
"""Pilot's private wait (Textual 8.2; tests/test_compat.py checks it is still there)."""

_original = getattr(Pilot, WAIT_FOR_SCREEN)


async def _wait_for_screen_at_work(self: Pilot[Any], timeout: float = 30.0) -> bool:
    try:
        screen = self.app.screen
    except Exception:
        return bool(await _original(self, timeout))
    walk = screen.walk_children

    def walk_once(*args: Any, **kwargs: Any) -> list[DOMNode]:
        # Pilot's wait calls this at once, before its first await; every other caller gets the screen's own method.
        del screen.walk_children
        return [node for node in walk(*args, **kwargs) if node is screen or at_work(node)]

    screen.walk_children = walk_once  # type: ignore[method-assign]
    try:
        return bool(await _original(self, timeout))
    finally:
        screen.__dict__.pop("walk_children", None)  # (when the wait returned before asking)


def install() -> None:
    setattr(Pilot, WAIT_FOR_SCREEN, _wait_for_screen_at_work)
