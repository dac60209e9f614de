"""Send keys the way SSH delivers them: a whole burst read at once, with no pause between keys."""

from __future__ import annotations

import asyncio
import unicodedata

from textual import events
from textual.app import App
from textual.keys import KEY_NAME_REPLACEMENTS

BURST_CEILING = 30.0
"""Seconds a burst may take to be fully dispatched: generous, the tests wait on events, not on the clock."""


CONTROL_CHARACTERS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "backspace": "\x7f", "space": " "}


def key_event(key: str) -> events.Key:
    """The Key event the driver would make for ``key`` (a character such as ``/`` or a name such as ``enter``)."""
    if len(key) == 1:
        char: str | None = key
        if not key.isalnum():  # '/' is 'slash', ':' is 'colon', ' ' is 'space' …
            key = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
            key = KEY_NAME_REPLACEMENTS.get(key, key)
        return events.Key(key, char)
    return events.Key(key, CONTROL_CHARACTERS.get(key))


def split_keys(*parts: str) -> list[str]:
    """``("/web", "enter", "c")`` → ``["/", "w", "e", "b", "enter", "c"]``: text splits into characters, names stay."""
    keys: list[str] = []
    for part in parts:
        if len(part) > 1 and (part in ("enter", "escape", "tab", "backspace", "space") or "+" in part):
            keys.append(part)
        else:
            keys.extend(part)
    return keys


async def burst(app: App[object], *parts: str, wait: bool = True) -> None:
    """Post every key of ``parts`` to the app in one go (as one read from the terminal), then wait until each has
    been dispatched and settled (``wait=False`` returns at once)."""
    for key in split_keys(*parts):
        app.post_message(key_event(key))
    if wait:
        await asyncio.sleep(0)  # let the app's loop pick the first key up before asking whether the gate is idle
        await drained(app)


async def drained(app: App[object]) -> None:
    """Wait until the app's message queue is empty and its key gate has dispatched and settled every key."""
    gate = app.key_gate  # type: ignore[attr-defined]
    async with asyncio.timeout(BURST_CEILING):
        while True:
            await gate.wait_idle()
            await asyncio.sleep(0)
            if app.message_queue_size == 0 and not gate.busy:
                return
            await asyncio.sleep(0.01)
