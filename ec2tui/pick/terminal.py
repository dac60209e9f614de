"""Lending the picker's UI the terminal while stdout stays the pipeline's.

``$(ec2tui pick ami)`` captures stdout, and input may be a pipe too: the UI must draw on and read from the terminal
itself. Textual writes to fd 2 and reads fd 0 and measures the screen on fd 1, so for the UI's lifetime all three
point at ``/dev/tty``; afterwards they are put back and the choice is printed on the real stdout.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping

TRUTHY = {"1", "true", "yes", "on"}


class NoTerminal(Exception):
    """There is no terminal to draw the picker on; the message says why."""


def no_terminal_reason(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the picker cannot run here (``CI`` set, or no controlling terminal), None when it can."""
    environ = os.environ if environ is None else environ
    if environ.get("CI", "").strip().lower() in TRUTHY:
        return "CI is set (a CI job has no one to pick)"
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return "there is no terminal (/dev/tty cannot be opened)"
    os.close(fd)
    return None


@contextlib.contextmanager
def ui_on_terminal() -> Iterator[None]:
    """Point fds 0, 1 and 2 at ``/dev/tty`` inside the block; restore them (and so stdout) on the way out."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError as exc:
        raise NoTerminal(f"there is no terminal ({exc.strerror})") from None
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    try:
        for fd in (0, 1, 2):
            os.dup2(tty, fd)
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        for fd, original in zip((0, 1, 2), saved, strict=True):
            os.dup2(original, fd)
            os.close(original)
        os.close(tty)
