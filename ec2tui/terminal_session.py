"""Run a connection (ssh, aws ssm …) in this very terminal: the app suspends itself, the program gets the terminal
with the user's environment, and when it ends the app redraws exactly where it was (same screen, row, filter).

This is what works inside tmux, over SSH on a jump host and in a plain console alike: no new window is opened.
Tests replace the runner (``app.command_runner``): under Textual's Pilot there is no terminal to hand over and
``App.suspend()`` raises ``SuspendNotSupported``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol

from ec2tui.aws.connect_commands import Command

INTERRUPTED_STATUS = 130
"""128 + SIGINT: what a program ended with Ctrl+C exits with (as a shell reports it)."""
NOT_FOUND_STATUS = 127
"""What a shell reports for a command it can't find; used when the program vanished from PATH."""


@dataclass(frozen=True)
class RunResult:
    status: int
    command: str
    """The command line that ran (no secrets: see :class:`~ec2tui.aws.connect_commands.Command`)."""
    error: str = ""
    """Why it couldn't start at all (program not found, terminal can't be handed over)."""

    @property
    def ok(self) -> bool:
        return self.status == 0 and not self.error


class CommandRunner(Protocol):
    def run(self, app: Any, command: Command) -> RunResult: ...


def command_env(command: Command, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The user's environment plus what the command adds (profile, region, endpoint)."""
    env = dict(os.environ if base is None else base)
    env.update(command.env)
    return env


def run_in_foreground(command: Command, env: Mapping[str, str] | None = None) -> RunResult:
    """Run ``command`` attached to this process's terminal and wait for it.

    Ctrl+C belongs to the program (it ends a port forward, it interrupts a remote command): while it runs this
    process ignores SIGINT with a no-op handler, which unlike ``SIG_IGN`` is not inherited by the program.
    """
    if command.banner:
        print(f"\n{command.banner}\n", flush=True)
    previous = None
    in_main_thread = _is_main_thread()
    if in_main_thread:
        previous = signal.signal(signal.SIGINT, _ignore)
    try:
        completed = subprocess.run(list(command.argv), env=command_env(command, env), check=False)
    except FileNotFoundError:
        return RunResult(NOT_FOUND_STATUS, command.display, f"{command.argv[0]} is not on PATH")
    except OSError as exc:
        return RunResult(NOT_FOUND_STATUS, command.display, f"{command.argv[0]} could not start: {exc.strerror}")
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    status = completed.returncode
    if status < 0:  # killed by a signal: report it as a shell would
        status = 128 - status
    if status == INTERRUPTED_STATUS and command.ended_by_ctrl_c:
        status = 0  # the normal way to end it
    return RunResult(status, command.display)


class SuspendRunner:
    """The real runner: ``App.suspend()`` around :func:`run_in_foreground`."""

    def run(self, app: Any, command: Command) -> RunResult:
        from textual.app import SuspendNotSupported

        try:
            with app.suspend():
                result = run_in_foreground(command)
                if result.status != 0 and not result.error:
                    wait_for_enter(result)
                return result
        except SuspendNotSupported:
            return RunResult(
                -1,
                command.display,
                "this terminal can't be handed over (no suspend support here): run the command yourself",
            )


def wait_for_enter(result: RunResult, stdin: IO[str] | None = None) -> None:
    """After a failure, keep the program's last words (ssh's "Permission denied", "Connection timed out") on the
    screen until the user presses Enter: the app's redraw would cover them at once."""
    stdin = stdin if stdin is not None else sys.stdin
    try:
        if not stdin.isatty():
            return
        print(f"\n[ec2tui] Exit status {result.status}. Press Enter to return to ec2tui.", end="", flush=True)
        stdin.readline()
    except (OSError, ValueError, KeyboardInterrupt):  # no terminal after all, or Ctrl+C: return now
        pass


def runner_of(app: Any) -> CommandRunner:
    """The app's runner: tests set ``app.command_runner``; by default the suspending one."""
    runner = getattr(app, "command_runner", None)
    return runner if runner is not None else SuspendRunner()


def _ignore(signum: int, frame: Any) -> None:
    """Ctrl+C while a connection runs is the connection's."""


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread() and sys.platform != "emscripten"
