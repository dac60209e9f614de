"""Random keys, bursts included, over every screen of the demo: nothing crashes, nothing changes AWS unconfirmed.

The run happens in a subprocess (tests/fuzz_helpers.py says why and what it checks). Longer local runs:
``EC2TUI_FUZZ_SEED=7 EC2TUI_FUZZ_KEYS=20000 python -m pytest tests/test_fuzz_keys.py -n 0``, or
``python -m tests.fuzz_helpers`` for the JSON report alone (``EC2TUI_FUZZ_TRACE=1`` prints every burst).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fuzz_helpers import DEFAULT_KEYS, DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
MAIN_SCREENS = {
    "RegionsScreen",
    "AmisScreen",
    "AmiDetailScreen",
    "InstancesScreen",
    "InstanceDetailScreen",
    "LaunchScreen",
    "HelpScreen",
    "CommandPrompt",
    "ConfirmScreen",
}


def run_fuzz() -> dict:
    seed = os.environ.get("EC2TUI_FUZZ_SEED") or str(DEFAULT_SEED)
    keys = os.environ.get("EC2TUI_FUZZ_KEYS") or str(DEFAULT_KEYS)
    env = {**os.environ, "EC2TUI_FUZZ_SEED": seed, "EC2TUI_FUZZ_KEYS": keys, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.fuzz_helpers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"seed {seed}: the fuzz run itself failed\n{result.stderr[-4000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_random_keys_never_crash_never_change_aws_unconfirmed_and_leave_the_app_answering():
    report = run_fuzz()
    seed = report["seed"]
    again = f"seed {seed} (rerun: EC2TUI_FUZZ_SEED={seed} EC2TUI_FUZZ_KEYS={report['keys_wanted']})"
    problems = []
    for title, items in (
        ("unhandled exceptions", report["exceptions"]),
        ("workers that failed with an unexpected error", report["worker_errors"]),
        ("the app stopped handling messages", report["stalls"]),
        ("the app asked to exit, though no quit key was sent", report["exits"]),
        ("mutating AWS calls no confirmation covers", [json.dumps(u, indent=1) for u in report["unconfirmed"]]),
    ):
        if items:
            problems.append(f"{title} ({len(items)}):\n" + "\n---\n".join(items[:5]))
    if report["answers_colon"] != "ok":
        problems.append(f"after the run, the app does not answer `:`: {report['answers_colon']}")
    assert not problems, f"{again}, after {report['keys_sent']} keys:\n" + "\n\n".join(problems)
    assert report["keys_sent"] >= report["keys_wanted"], again
    missing = MAIN_SCREENS - set(report["screens"])
    assert not missing, f"{again}: the run never reached {sorted(missing)}; it saw {report['screens']}"
