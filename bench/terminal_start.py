"""`ec2tui --demo` in a real terminal (tmux): time until the regions are listed and until every count is shown, and
the process's RSS then. Run `python bench/terminal_start.py [runs]`; needs tmux.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = f"{os.environ.get('EC2TUI_TMUX_PREFIX', 'wt-bench')}-start-{os.getpid()}"
"""The tmux session (EC2TUI_TMUX_PREFIX names it after your worktree when sessions must say whose they are)."""


def pane() -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True, check=False
    ).stdout


def pane_pid() -> int:
    out = subprocess.run(
        ["tmux", "list-panes", "-t", SESSION, "-F", "#{pane_pid}"], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run() -> tuple[float, float, float]:
    python = shlex.quote(sys.executable)
    command = f"cd {shlex.quote(str(ROOT))} && exec {python} -m ec2tui --demo"
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "45", command], check=True)
    listed = counted = float("nan")
    try:
        while time.perf_counter() - start < 30:
            text = pane()
            if listed != listed and "ap-southeast-2" in text and "us-east-1" in text:
                listed = time.perf_counter() - start
            # A count still waiting shows "…"; every enabled region answered once none is left.
            if listed == listed and "Location" in text and "…" not in text:
                counted = time.perf_counter() - start
                break
            time.sleep(0.02)
        time.sleep(0.5)
        rss = rss_mb(pane_pid())
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
    return listed, counted, rss


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print("ec2tui --demo in tmux (120x45)")
    for _ in range(runs):
        listed, counted, rss = one_run()
        print(
            f"  regions listed {listed:5.2f} s (target < 1 s)   every count shown {counted:5.2f} s"
            f"   RSS {rss:5.0f} MB (target < 200 MB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
