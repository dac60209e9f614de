"""The real thing in a real terminal: ``ec2tui --demo`` in a tmux pane (a pseudo-terminal), a connection to an
interactive fake ``ssh`` that waits for a typed line, then the app back on the same row with the same filter.

This is the one test of ``App.suspend()`` itself (Pilot can't suspend). It needs tmux; it reaches no network (the
demo's moto server is on 127.0.0.1 and the ``ssh`` on PATH is a script).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

TMUX = ["tmux", "-L", f"ec2tui-test-{os.getpid()}"]
"""A tmux server of this test's own: the user's tmux (and a `tmux kill-server` typed meanwhile) is left alone."""

ROOT = Path(__file__).resolve().parent.parent

FAKE_SSH = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_RECORD"
printf 'remote$ '
read line
echo "remote got: $line"
exit 3
"""


class Pane:
    def __init__(self, name: str) -> None:
        self.name = name

    def text(self) -> str:
        return subprocess.run(
            [*TMUX, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        ).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*TMUX, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, ceiling: float = 120.0) -> str:
        """Poll the screen until ``text`` shows (a generous ceiling: the demo seeds four regions first)."""
        deadline = time.monotonic() + ceiling
        while time.monotonic() < deadline:
            screen = self.text()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never showed; the screen is:\n{self.text()}")


@pytest.fixture
def pane(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(FAKE_SSH)
    (bin_dir / "ssh").chmod(0o755)
    name = f"wt-connect-test-{os.getpid()}"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_RECORD": str(tmp_path / "ssh-argv"),
        "EC2TUI_STATE_DIR": str(tmp_path / "state"),
        "EC2TUI_CONFIG_DIR": str(tmp_path / "config"),
        "TERM": "xterm-256color",
    }
    command = " ".join(f"{k}='{v}'" for k, v in env.items())
    # COLUMNS/LINES from the test runner's environment would override the pane's real size
    command = f"cd '{ROOT}' && env -u COLUMNS -u LINES {command} '{sys.executable}' -m ec2tui --demo; sleep 60"
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command], check=True)
    try:
        yield Pane(name), tmp_path / "ssh-argv"
    finally:
        subprocess.run([*TMUX, "kill-server"], check=False, capture_output=True)


def test_ssh_in_the_same_terminal_then_back_on_the_same_row_and_filter(pane):
    pane, record = pane
    pane.wait_for("Regions")
    pane.wait_for("us-east-1")
    pane.keys(":")
    pane.keys("instances", "Enter")
    pane.wait_for("web-prod-2")
    pane.keys("/")
    pane.keys("web-prod", "Enter")
    pane.wait_for("filter 'web-prod': 3 of")
    pane.keys("Down", "h")  # web-prod-1 → web-prod-2; the app takes keys one at a time (ec2tui.key_gate)
    pane.wait_for("Connect to web-prod-2 (")  # the dialog; which route it preselects depends on the tools on PATH
    pane.wait_for("SSH to the private address")
    pane.keys("Enter")
    pane.wait_for("remote$")  # the app stepped aside: the fake ssh has the terminal and waits for a line
    pane.keys("hello", "Enter")
    # a failure keeps the program's last words on the screen until Enter (the redraw would cover them)
    screen = pane.wait_for("[ec2tui] Exit status 3. Press Enter to return to ec2tui.")
    assert "remote got: hello" in screen
    pane.keys("Enter")
    screen = pane.wait_for("exit status 3")
    assert "filter 'web-prod': 3 of" in screen  # redrawn: same screen, same filter
    argv = record.read_text().split()
    assert argv[-1].startswith("ec2-user@")
    pane.keys("H")  # the copy-the-command dialog of the row under the cursor: still web-prod-2
    screen = pane.wait_for("SSH command")
    assert argv[-1] in screen
