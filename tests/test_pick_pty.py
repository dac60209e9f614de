"""``ec2tui pick`` for real: in a tmux pane (a pseudo-terminal), inside ``$(...)`` of a real bash, against the demo
and against a moto server. stdout must hold exactly the chosen value; the list is drawn on the terminal.

It needs tmux (its own server, ``-L``); it reaches no network (moto on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.moto_servers import FAKE_CREDENTIALS, MotoServer

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

ROOT = Path(__file__).resolve().parent.parent
CEILING = 120.0
"""Generous: the demo's server imports moto and seeds four regions first, on a loaded machine."""


class Shell:
    """A bash in a tmux pane of a tmux server of its own; ``run`` types a command whose result lands in files."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.tmux = ["tmux", "-L", f"ec2tui-pick-{os.getpid()}-{tmp.name}"]
        self.name = "pick"
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        shim = bin_dir / "ec2tui"  # `ec2tui` as installed, but this checkout's code
        shim.write_text(f"#!/bin/sh\nPYTHONPATH='{ROOT}' exec '{sys.executable}' -m ec2tui \"$@\"\n")
        shim.chmod(0o755)
        env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "EC2TUI_STATE_DIR": str(tmp / "state"),
            "EC2TUI_CONFIG_DIR": str(tmp / "config"),
            "EC2TUI_CACHE_DIR": str(tmp / "cache"),
            "TERM": "xterm-256color",
            "PS1": "$ ",
        }
        assignments = " ".join(f"{k}='{v}'" for k, v in env.items())
        # CI, COLUMNS and LINES from the test runner's environment would change what is tested
        command = f"cd '{tmp}' && env -u CI -u COLUMNS -u LINES {assignments} bash --norc --noprofile"
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", "120", "-y", "30", command], check=True)

    def text(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        ).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def run(self, command: str) -> None:
        """``x=$(command)``, then the exit code and ``$x`` written to files (``rc``, ``out``)."""
        for name in ("rc", "out"):
            (self.tmp / name).unlink(missing_ok=True)
        self.keys(f'x=$({command}); echo $? > rc.part; printf "%s" "$x" > out; mv rc.part rc', "Enter")

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + CEILING
        while time.monotonic() < deadline:
            screen = self.text()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never showed; the screen is:\n{self.text()}")

    def result(self) -> tuple[int, str]:
        deadline = time.monotonic() + CEILING
        while not (self.tmp / "rc").exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"the command never finished; the screen is:\n{self.text()}")
            time.sleep(0.1)
        return int((self.tmp / "rc").read_text()), (self.tmp / "out").read_text()

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def shell(tmp_path):
    shell = Shell(tmp_path)
    try:
        yield shell
    finally:
        shell.close()


@needs_tmux
def test_demo_ami_in_command_substitution_holds_exactly_the_id(shell):
    shell.run("ec2tui pick ami --demo")
    screen = shell.wait_for("Pick AMIs:")
    first = re.search(r"ami-[0-9a-f]{17}", screen)
    assert first, screen
    shell.keys("Enter")
    code, out = shell.result()
    assert (code, out) == (0, first[0])  # nothing but the ID (printf "%s" keeps a stray newline or escape)
    assert "Pick AMIs" not in shell.text()  # the list was drawn on the terminal and is gone again

    shell.run("ec2tui pick ip --demo")
    shell.wait_for("Pick instance addresses:")
    shell.keys("Escape")
    assert shell.result() == (1, "")


@pytest.fixture
def moto_server():
    server = MotoServer.start()
    try:
        yield server
    finally:
        server.stop()


@needs_tmux
def test_against_a_moto_server_marks_print_one_per_line_and_json_whole_records(shell, moto_server):
    ec2 = moto_server.client()
    for name in ("alpha", "bravo", "charlie"):
        ec2.create_key_pair(KeyName=name)
    credentials = " ".join(f"{k}={v}" for k, v in FAKE_CREDENTIALS.items())
    context = f"--endpoint-url {moto_server.url} --region us-east-1"
    shell.run(f"env {credentials} ec2tui pick key-pair {context}")
    shell.wait_for("Pick key pairs: 3")
    shell.keys("Space", "Space", "Enter")  # alpha, bravo marked
    assert shell.result() == (0, "alpha\nbravo")

    shell.run(f"env {credentials} ec2tui pick key-pair {context} --format json --filter charlie")
    shell.wait_for("Pick key pairs: 1 of 3")
    shell.keys("Enter")
    code, out = shell.result()
    assert code == 0
    record = json.loads(out)
    assert record["name"] == "charlie" and record["key_pair_id"].startswith("key-")


def run_pick(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ec2tui", "pick", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
        timeout=60,
    )


def test_without_a_terminal_it_says_so_and_exits_2():
    result = run_pick("ami", "--demo", CI="")
    assert (result.returncode, result.stdout) == (2, "")
    assert "needs a terminal" in result.stderr and "/dev/tty" in result.stderr


def test_in_ci_it_says_so_and_exits_2():
    result = run_pick("ami", "--demo", CI="true")
    assert (result.returncode, result.stdout) == (2, "")
    assert "CI is set" in result.stderr


def test_an_option_that_does_not_apply_or_a_bad_category_is_one_line_and_exit_2():
    result = run_pick("subnet", "--state", "running", CI="true")
    assert result.returncode == 2 and "--state does not apply to 'pick subnet'" in result.stderr
    result = run_pick("ami", "--category", "nope", CI="true")
    assert result.returncode == 2 and "Unknown AMI category 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
