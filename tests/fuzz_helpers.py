"""A seeded run of random keys over every screen of the demo, and what it checks (used by tests/test_fuzz_keys.py).

It runs in its own process (``python -m tests.fuzz_helpers``), as ``ec2tui --demo`` does: the demo's moto server
lives in the process and sets moto's process-wide switches, which other tests must not inherit. The run prints one
JSON report on its last line; the test asserts on it.

What is checked:
- no unhandled exception (whatever reaches ``App._handle_exception``) and no worker that failed with anything but an
  ``Ec2TuiError``;
- no mutating AWS call without its confirmation: a botocore hook on the gateway's session sees every operation;
  one that is not Describe/Get/List (nor ``DryRun=True``, nor turning termination protection *on*) must be covered
  by a confirmation given before it: ``y`` delivered to an open yes/no dialog (the key's binding ran while that
  dialog was on top; a button pressed by Enter is not a confirmation), a typed-ID dialog accepted (its ID typed),
  or ``y`` on the launch review while it may launch. Each confirmation covers a bounded number of calls
  (:data:`POOLS`), counted cumulatively in call order, so nothing depends on timing;
- the app never exits (``q``, ``ctrl+q``, ``ctrl+c``, ``ctrl+p`` are never sent, so nothing can ask it to);
- afterwards the app still answers ``:``: a few escapes, then ``:instances`` + enter reaches the instances list;
- every main screen was visited.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.key_bursts import key_event  # the Key event a terminal read makes, one helper for every burst test

DEFAULT_SEED = 20261201
DEFAULT_KEYS = 1200
SIZE = (120, 40)

# -- the keys ---------------------------------------------------------------------------------------------------------
NEVER_SENT = frozenset({"q", "Q", "ctrl+q", "ctrl+c", "ctrl+p"})
"""Quit keys and the command palette (its fuzzy search can land on "Quit"): without them nothing may end the app."""

LETTERS = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in NEVER_SENT]
DIGITS = list("0123456789")
PUNCTUATION = [":", "/", "?", "[", "]", "-", ".", "_"]
SPECIAL = [
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "up",
    "down",
    "left",
    "right",
    "pageup",
    "pagedown",
    "home",
    "end",
    "space",
    "backspace",
    "delete",
    "ctrl+r",
    "ctrl+s",
    "ctrl+d",
    "ctrl+z",
    "ctrl+t",
    "ctrl+up",
    "ctrl+down",
]
ALPHABET = LETTERS + DIGITS + PUNCTUATION + SPECIAL

NAVIGATION = [":instances", ":amis mine", ":amis", ":amis community", ":launch", ":regions", ":help"]
"""Typed as a burst of single keys, then enter: how every screen gets reached (no "quickstart": it has a q; the
AMI catalog's `1` shows that tab)."""

PAUSE = "|"
"""In a tour: end the burst here and let the app settle (the list loads) before the rest."""

TOURS: list[tuple[str, list[str]]] = [
    (":regions", ["down", "enter"]),
    (":amis", ["escape", "1", PAUSE, "down", "enter"]),  # the AMI detail (escape: a filter left by random keys goes)
    (":instances", ["escape", PAUSE, "down", "enter"]),  # the instance detail
    (":amis mine", ["]"]),
    (":instances", ["a"]),  # all regions
    (":launch", ["ctrl+s"]),  # the review
    (":instances", ["down", "o"]),  # a yes/no dialog
    (":launch", ["tab", "tab", "tab"]),
    (":amis marketplace", ["?"]),  # help
    (":amis custom", ["down", "r"]),  # a form dialog
]
"""Every few bursts, one of these in turn, paced (escapes, `:`, the command, then the keys): every screen is reached
whatever the random keys did before."""
TOUR_EVERY = 5


def _split(keys: list[str]) -> list[list[str]]:
    """A tour's keys as bursts, cut at each PAUSE."""
    bursts: list[list[str]] = [[]]
    for key in keys:
        if key == PAUSE:
            bursts.append([])
        else:
            bursts[-1].append(key)
    return [burst for burst in bursts if burst]


def _keys_of(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


def bursts(seed: int, count: int) -> Iterator[list[str]]:
    """Bursts of keys (each sent in one go, with no pause) until ``count`` keys: the same for the same seed.

    Navigation is weighted so that every screen is reached, and often followed in the same burst by keys aimed at
    what it opens (the race of a fast typist); the rest are random keys, focus walks and list moves.
    """
    rng = random.Random(seed)
    sent = 0
    for round_ in itertools.count():
        if sent >= count:
            return
        if round_ % TOUR_EVERY == TOUR_EVERY - 1:
            command, then = TOURS[(round_ // TOUR_EVERY) % len(TOURS)]
            for paced in (["escape", "escape"], [":"], [*_keys_of(command[1:]), "enter"], *_split(then)):
                yield paced
                sent += len(paced)
            continue
        roll = rng.random()
        if roll < 0.16:
            word = _keys_of(rng.choice(NAVIGATION))
            if rng.random() < 0.8:  # paced: out of any dialog or prompt first, then `:` on its own, then the word
                yield ["escape", "escape"]
                yield word[:1]
                sent += 3
                word = word[1:]
            burst = [*word, "enter"]
            if rng.random() < 0.6:  # straight on, in the same write: open a row, act on it, …
                burst += rng.choices(["enter", "down", "o", "b", "s", "i", "m", "u", "a", "y", "n", "ctrl+s"], k=3)
        elif roll < 0.24:  # open something from a list: move, then enter
            burst = [*rng.choices(["down", "up", "pagedown", "end", "home"], k=rng.randint(1, 3)), "enter"]
        elif roll < 0.32:  # an instance or AMI action, and an answer to its dialog
            burst = [rng.choice(["o", "s", "b", "ctrl+d", "i", "r", "p", "h", "x", "l"])]
            if rng.random() < 0.7:
                burst.append(rng.choice(["enter", "y", "n", "escape", "tab", "space"]))
        elif roll < 0.40:  # walk the focus (the launch form's fields and sections, dialogs' buttons)
            burst = rng.choices(["tab", "shift+tab", "ctrl+down", "ctrl+up"], weights=[6, 2, 2, 1], k=rng.randint(1, 6))
            if rng.random() < 0.5:
                burst.append(rng.choice(["enter", "space", "down", "ctrl+s"]))
        elif roll < 0.46:  # filter or search: a slash or `s`, a few letters, enter
            burst = [rng.choice(["/", "s"]), *rng.choices(LETTERS + DIGITS, k=rng.randint(1, 4)), "enter"]
        elif roll < 0.50:
            burst = ["escape"] * rng.randint(1, 3)
        else:
            burst = rng.choices(ALPHABET, k=rng.randint(1, 8))
        burst = [key for key in burst if key not in NEVER_SENT][: count - sent]
        sent += len(burst)
        yield burst


# -- mutating calls and their confirmations ----------------------------------------------------------------------------
READ_PREFIXES = ("Describe", "Get", "List")

POOLS: dict[str, tuple[frozenset[str], dict[str, int]]] = {
    "instance or AMI change": (
        frozenset(
            {
                "StartInstances",
                "StopInstances",
                "RebootInstances",
                "TerminateInstances",
                "ModifyInstanceAttribute",
                "ModifyImageAttribute",
                "DeregisterImage",
            }
        ),
        {"dialog": 1},
    ),
    "snapshots of a deregistered AMI": (frozenset({"DeleteSnapshot"}), {"dialog": 16}),
    "image made from a form": (frozenset({"CreateImage", "CopyImage"}), {"form": 1}),
    "launch": (frozenset({"RunInstances"}), {"launch": 1}),
    "launch set-up and roll-back": (
        frozenset(
            {
                "CreateKeyPair",
                "ImportKeyPair",
                "CreateSecurityGroup",
                "AuthorizeSecurityGroupIngress",
                "CreateTags",
                "DeleteSecurityGroup",
                "DeleteKeyPair",
            }
        ),
        {"launch": 6},
    ),
}
"""Which confirmation covers which calls, and how many per confirmation; a mutating operation in no pool is never
covered. CreateImage and CopyImage are covered by their form's submission (enter or its button): the form is the
confirmation, and an enter typed before it opened never submits it (FreshKeysOnly)."""


def is_mutating(operation: str, params: dict[str, Any]) -> bool:
    if operation.startswith(READ_PREFIXES) or params.get("DryRun") is True:
        return False
    # Turning termination protection on acts at once: it only makes things safer.
    protection = params.get("DisableApiTermination")
    return not (operation == "ModifyInstanceAttribute" and isinstance(protection, dict) and protection.get("Value"))


@dataclass
class Ledger:
    """Confirmations given and mutating calls made, in order; a call beyond what the confirmations cover is logged."""

    tokens: Counter[str] = field(default_factory=Counter)
    used: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    confirmations: list[str] = field(default_factory=list)
    unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def confirm(self, kind: str, what: str) -> None:
        with self.lock:
            self.tokens[kind] += 1
            self.confirmations.append(f"{kind}: {what}")

    def call(self, operation: str, params: dict[str, Any], context: dict[str, Any]) -> None:
        if not is_mutating(operation, params):
            return
        with self.lock:
            self.calls[operation] += 1
            pool = next((name for name, (ops, _) in POOLS.items() if operation in ops), None)
            capacity = 0 if pool is None else sum(self.tokens[k] * per for k, per in POOLS[pool][1].items())
            if pool is not None and self.used[pool] < capacity:
                self.used[pool] += 1  # an unconfirmed call is reported, and uses up no later confirmation
            else:
                self.unconfirmed.append(
                    {
                        "operation": operation,
                        "params": {k: v for k, v in params.items() if k != "UserData"},
                        "covered_by": pool or "nothing: no confirmation covers it",
                        "confirmations_so_far": dict(self.tokens),
                        **context,
                    }
                )


# -- the run ----------------------------------------------------------------------------------------------------------
@dataclass
class Run:
    """What the run saw, reported as JSON."""

    seed: int
    keys_wanted: int
    keys_sent: int = 0
    bursts: int = 0
    recent: list[str] = field(default_factory=list)
    screens: set[str] = field(default_factory=set)
    ami_tabs: set[str] = field(default_factory=set)
    launch_sections: set[str] = field(default_factory=set)
    exceptions: list[str] = field(default_factory=list)
    worker_errors: list[str] = field(default_factory=list)
    expected_worker_errors: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    stalls: list[str] = field(default_factory=list)
    answers_colon: str = "not checked"
    seconds: float = 0.0

    def context(self, app: Any) -> dict[str, Any]:
        return {"last_keys": " ".join(self.recent[-24:]), "screens": [type(s).__name__ for s in app.screen_stack]}


_binding_key: dict[str, Any] = {}
"""The key whose binding is running, and in which task: a dialog dismissed from inside it was answered by that key."""


def _answered_by(key: str) -> bool:
    current = _binding_key.get("key")
    return current is not None and current[0] == key and current[1] is asyncio.current_task()


def install_hooks(app: Any, factory: Any, ledger: Ledger, run: Run) -> None:
    """Watch the confirmations, the AWS calls, exceptions and exits of this app (patches undone by the process end)."""
    from textual.app import App

    from ec2tui.launch.review import LaunchReviewScreen
    from ec2tui.screens.ami_dialogs import CopyToRegionDialog
    from ec2tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
    from ec2tui.screens.instance_dialogs import CreateImageDialog

    original_check_bindings = App._check_bindings

    async def check_bindings(self: Any, key: str, priority: bool = False) -> bool:
        outer = _binding_key.get("key")
        _binding_key["key"] = (key, asyncio.current_task())
        try:
            return await original_check_bindings(self, key, priority)
        finally:
            _binding_key["key"] = outer

    App._check_bindings = check_bindings  # type: ignore[method-assign]

    original_dismiss = ConfirmScreen.dismiss

    def confirm_dismiss(self: Any, result: Any = None) -> Any:
        if result is True and _answered_by("y") and self.is_current:
            ledger.confirm("dialog", f"y on {self.title_text!r}")
        return original_dismiss(self, result)

    ConfirmScreen.dismiss = confirm_dismiss  # type: ignore[method-assign]

    original_typed = TypedConfirmScreen.dismiss

    def typed_dismiss(self: Any, result: Any = None) -> Any:
        if result is True:
            from textual.widgets import Input

            typed = self.query_one("#typed", Input).value
            if self.check(typed):  # the ID was typed: the fuzz is not expected to manage it, but it would count
                ledger.confirm("dialog", f"typed {typed!r} on {self.title_text!r}")
        return original_typed(self, result)

    TypedConfirmScreen.dismiss = typed_dismiss  # type: ignore[method-assign]

    for form in (CreateImageDialog, CopyToRegionDialog):
        original_form_dismiss = form.dismiss

        def form_dismiss(self: Any, result: Any = None, _original: Any = original_form_dismiss) -> Any:
            if result is not None and self.is_current:
                ledger.confirm("form", f"{type(self).__name__} submitted")
            return _original(self, result)

        form.dismiss = form_dismiss  # type: ignore[method-assign]

    original_launch = LaunchReviewScreen.action_launch

    def launch(self: Any) -> Any:
        if _answered_by("y") and self.is_current and not (self.errors or self.launching or self.result is not None):
            ledger.confirm("launch", "y on the launch review")
        return original_launch(self)

    LaunchReviewScreen.action_launch = launch  # type: ignore[method-assign]

    def before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
        ledger.call(model.name, dict(params), run.context(app))

    factory.session.events.register("before-parameter-build", before_parameter_build)

    original_handle = app._handle_exception

    def handle_exception(error: Exception) -> None:
        run.exceptions.append(_describe(error, run))
        original_handle(error)

    app._handle_exception = handle_exception

    def exit_(*args: Any, **kwargs: Any) -> None:  # nothing sent may quit: record it and stay
        run.exits.append(f"exit{args or ''} after: {' '.join(run.recent[-24:])}")

    app.exit = exit_


def _describe(error: BaseException, run: Run) -> str:
    lines = traceback.format_exception(error)
    return f"{''.join(lines[-12:])}after the keys: {' '.join(run.recent[-24:])}"


def watch_workers(run: Run) -> Any:
    """A ``message_hook``: failed workers (those started with ``exit_on_error=False`` fail silently otherwise)."""
    from textual.worker import Worker, WorkerState

    from ec2tui.errors import Ec2TuiError

    def hook(message: Any) -> None:
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            error = message.worker.error
            text = f"worker {message.worker.name!r}: {_describe(error, run)}"
            if isinstance(error, Ec2TuiError):
                run.expected_worker_errors.append(text)
            else:
                run.worker_errors.append(text)

    return hook


def note_where(app: Any, run: Run) -> None:
    from ec2tui.launch.screen import LaunchScreen
    from ec2tui.screens.amis import AmisScreen

    for screen in app.screen_stack:
        run.screens.add(type(screen).__name__)
    screen = app.screen
    if isinstance(screen, AmisScreen):
        run.ami_tabs.add(screen.category.value)
    if isinstance(screen, LaunchScreen) and app.focused is not None:
        section = next((n.id for n in app.focused.ancestors_with_self if str(n.id).startswith("sec-")), None)
        if section:
            run.launch_sections.add(section)


async def settle(pilot: Any, gateway: Any, run: Run, ceiling: float = 30.0) -> None:
    """Until the app has handled what it was sent and no AWS call is out (a few rounds in a row), up to ``ceiling``.

    Not ``pilot.pause()``: it waits for the process to idle, which the demo's moto server (in this process)
    keeps from happening for up to a second each time.
    """
    from textual.pilot import WaitForScreenTimeout

    deadline = time.monotonic() + ceiling
    quiet = 0
    while quiet < 3:
        try:
            await pilot.pause(0)  # the screen and its widgets handled their messages
        except WaitForScreenTimeout:  # a message loop that never ends, say: the rest of the run would only wait
            run.stalls.append(
                f"the screen {type(pilot.app.screen).__name__} handled nothing for 30 s after: "
                f"{' '.join(run.recent[-24:])}"
            )
            return
        if gateway.busy or pilot.app.key_gate.busy or not app_queue_empty(pilot.app):
            quiet = 0
            await asyncio.sleep(0.005)  # let the gateway's threads have the GIL
        else:
            quiet += 1
        if time.monotonic() > deadline:  # endless messages or AWS calls (a loop between two handlers, say)
            run.stalls.append(
                f"never quiet for {ceiling:g} s (AWS calls or app messages kept coming) after: "
                f"{' '.join(run.recent[-24:])}"
            )
            return


def app_queue_empty(app: Any) -> bool:
    return app.message_queue_size == 0


async def answers_colon(pilot: Any) -> str:
    """ "ok", or what went wrong: escapes, then `:` opens the prompt and `:instances` reaches the list."""
    from ec2tui.screens.command_prompt import CommandPrompt
    from ec2tui.screens.instances import InstancesScreen

    app = pilot.app

    async def wait(condition: Any) -> bool:
        deadline = time.monotonic() + 30
        while not condition():
            if time.monotonic() > deadline:
                return False
            await pilot.pause(0.02)
        return True

    for _ in range(4):
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("colon")
    if not await wait(lambda: isinstance(app.screen, CommandPrompt)):
        return f"`:` did not open the prompt; on top: {type(app.screen).__name__}"
    await pilot.press(*"instances", "enter")
    if not await wait(lambda: isinstance(app.screen, InstancesScreen)):
        return f"`:instances` did not reach the instances list; on top: {type(app.screen).__name__}"
    return "ok"


async def fuzz(seed: int, count: int) -> dict[str, Any]:
    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import DEMO_REGIONS, demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway

    started = time.monotonic()
    demo = start_demo(seed=True)
    factory = ClientFactory(AwsTarget(region=DEMO_REGIONS[0], endpoint_url=demo.endpoint_url), demo_session())
    gateway = Gateway(factory)
    app = Ec2App(gateway, demo=True)
    run, ledger = Run(seed=seed, keys_wanted=count), Ledger()
    install_hooks(app, factory, ledger, run)
    try:
        async with app.run_test(size=SIZE, message_hook=watch_workers(run)) as pilot:
            await settle(pilot, gateway, run)
            driver = app._driver
            for burst in bursts(seed, count):
                for key in burst:  # one write: no pause between the keys of a burst
                    driver.send_message(key_event(key))
                run.recent = (run.recent + burst)[-64:]
                run.keys_sent += len(burst)
                run.bursts += 1
                await settle(pilot, gateway, run)
                note_where(app, run)
                if os.environ.get("EC2TUI_FUZZ_TRACE"):
                    print(f"{time.monotonic() - started:7.1f}s {type(app.screen).__name__:24} {burst}", file=sys.stderr)
                if app._exception is not None or not app.is_running or run.stalls:
                    break
            if app._exception is None and app.is_running and not run.stalls:
                run.answers_colon = await answers_colon(pilot)
    except Exception as exc:  # run_test re-raises the app's exception: it is already recorded
        if not run.exceptions:
            run.exceptions.append(_describe(exc, run))
    finally:
        demo.stop()
    run.seconds = round(time.monotonic() - started, 1)
    return {
        "seed": run.seed,
        "keys_wanted": run.keys_wanted,
        "keys_sent": run.keys_sent,
        "bursts": run.bursts,
        "screens": sorted(run.screens),
        "ami_tabs": sorted(run.ami_tabs),
        "launch_sections": sorted(run.launch_sections),
        "exceptions": run.exceptions,
        "worker_errors": run.worker_errors,
        "expected_worker_errors": len(run.expected_worker_errors),
        "exits": run.exits,
        "answers_colon": run.answers_colon,
        "confirmations": ledger.confirmations,
        "mutating_calls": dict(ledger.calls),
        "unconfirmed": ledger.unconfirmed,
        "stalls": run.stalls,
        "seconds": run.seconds,
    }


# -- the process ------------------------------------------------------------------------------------------------------
def _loopback_only() -> None:
    """Tests never reach the network: refuse any connection that is not to this machine."""
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"the fuzz run refuses to connect to {address[0]} (tests never reach the network)")
        return original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]


def _isolate(home: str) -> None:
    """State, config, keys and the clipboard stay inside ``home``; "my IP" answers from here."""
    os.environ.update(
        {
            "HOME": home,
            "EC2TUI_STATE_DIR": os.path.join(home, "state"),
            "EC2TUI_CONFIG_DIR": os.path.join(home, "config"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
        }
    )
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        os.environ.pop(name, None)
    import pyperclip

    pyperclip.copy = lambda text: None
    from ec2tui.launch.sections import security_groups as launch_network

    if hasattr(launch_network.SecurityGroupSection, "my_ip_lookup"):
        launch_network.SecurityGroupSection.my_ip_lookup = staticmethod(lambda *a, **k: "203.0.113.7")
    _loopback_only()


def main() -> int:
    seed = int(os.environ.get("EC2TUI_FUZZ_SEED") or DEFAULT_SEED)
    count = int(os.environ.get("EC2TUI_FUZZ_KEYS") or DEFAULT_KEYS)
    with tempfile.TemporaryDirectory(prefix="ec2tui-fuzz-") as home:
        _isolate(home)
        report = asyncio.run(fuzz(seed, count))
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
