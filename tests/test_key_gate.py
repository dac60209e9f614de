"""The key gate waits for the widgets still at work on a key, and only for them."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from ec2tui import key_gate
from ec2tui.compat.textual_private import message_pump_idle
from ec2tui.key_gate import KeyGate
from tests.key_bursts import BURST_CEILING, burst, drained


class SlowField(Static, can_focus=True):
    """On `x`, waits for the test's go-ahead (its queue empty meanwhile), then sends the cursor to the input."""

    def __init__(self) -> None:
        super().__init__("slow")
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def on_key(self, event: events.Key) -> None:
        if event.key == "x":
            self.started.set()
            await self.release.wait()
            self.screen.query_one(Input).focus()


class GatedApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.key_gate = KeyGate(self, self._dispatch_key)

    def compose(self) -> ComposeResult:
        yield SlowField()
        yield Input()
        yield from (Static(f"idle {n}") for n in range(50))

    def on_ready(self) -> None:
        self.key_gate.open()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_gate.on_key(event)
        else:
            await super().on_event(event)

    async def _dispatch_key(self, event: events.Key) -> None:
        await super().on_event(event)


async def test_keys_wait_for_a_widget_still_handling_the_previous_one():
    app = GatedApp()
    async with app.run_test() as pilot:
        slow = app.query_one(SlowField)
        slow.focus()
        await pilot.pause()
        await burst(app, "xab", wait=False)
        try:
            async with asyncio.timeout(BURST_CEILING):
                await slow.started.wait()
                while app.key_gate.held_total < 2:  # `a` and `b` reached the gate
                    await asyncio.sleep(0.01)
            assert not message_pump_idle(slow), "a widget inside a handler is at work, though its queue is empty"
            for _ in range(100):  # let the gate's rounds go on meanwhile (pilot.pause would wait for the handler)
                await asyncio.sleep(0)
            assert app.key_gate.busy and app.query_one(Input).value == ""
        finally:
            slow.release.set()  # (also when an assertion failed: the app can't close while the handler waits)
        await drained(app)
        assert app.query_one(Input).value == "ab", "the keys after `x` went where `x` sent the cursor"
        assert all(message_pump_idle(w) for w in app.query(Static)), "once settled, every widget waits for messages"


async def _hold_until(app: GatedApp, holding: asyncio.Event, release: asyncio.Event) -> None:
    """An action preparing its dialog: holds the keys until ``release``, then moves the cursor to the input."""
    with app.key_gate.holding():
        holding.set()
        await release.wait()
    app.query_one(Input).focus()


async def test_keys_wait_for_an_action_that_asks_before_its_dialog():
    """A hold begun with no key settling (the palette started the action) holds the keys typed meanwhile, and
    releases them, in order, to where the action sent the cursor."""
    app = GatedApp()
    async with app.run_test() as pilot:
        app.query_one(SlowField).focus()
        await pilot.pause()
        holding, release = asyncio.Event(), asyncio.Event()
        app.run_worker(_hold_until(app, holding, release))
        async with asyncio.timeout(BURST_CEILING):
            await holding.wait()
        await burst(app, "ab", wait=False)
        async with asyncio.timeout(BURST_CEILING):
            while app.key_gate.held_total < 2:
                await asyncio.sleep(0.01)
        for _ in range(100):
            await asyncio.sleep(0)
        assert app.key_gate.busy and app.query_one(Input).value == ""
        release.set()
        await drained(app)
        assert app.query_one(Input).value == "ab"


async def test_a_hold_past_its_ceiling_lets_typing_go_on(monkeypatch):
    monkeypatch.setattr(key_gate, "HOLD_CEILING", 0.0)  # AWS has been slow for longer than keys may wait
    app = GatedApp()
    async with app.run_test() as pilot:
        app.query_one(Input).focus()
        await pilot.pause()
        with app.key_gate.holding():
            await burst(app, "ab")
            assert app.query_one(Input).value == "ab"
