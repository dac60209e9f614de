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


def test_the_key_plan_is_seeded_bounded_and_never_asks_to_quit():
    from tests.fuzz_helpers import NEVER_SENT, TOURS, bursts

    plan = list(bursts(7, 3000))
    assert plan == list(bursts(7, 3000)), "the same seed gives the same keys"
    assert plan != list(bursts(8, 3000))
    keys = [key for burst in plan for key in burst]
    assert 3000 <= len(keys) < 3000 + 40 and not NEVER_SENT & set(keys)
    typed = "".join(k if len(k) == 1 else " " for k in keys)
    assert "quit" not in typed and all(command[1:] in typed for command, _ in TOURS)
    assert max(len(burst) for burst in plan) > 5, "bursts of several keys, sent in one go"


def test_the_ledger_covers_each_mutating_call_by_a_confirmation_given_before_it():
    from tests.fuzz_helpers import Ledger

    ledger = Ledger()
    ledger.call("DescribeInstances", {}, {})
    ledger.call("RunInstances", {"DryRun": True}, {})
    ledger.call("ModifyInstanceAttribute", {"DisableApiTermination": {"Value": True}}, {})
    assert not ledger.calls, "reads, dry runs and turning protection on change nothing worth a confirmation"
    ledger.call("StopInstances", {"InstanceIds": ["i-1"]}, {"last_keys": "o enter"})
    assert [u["operation"] for u in ledger.unconfirmed] == ["StopInstances"]
    ledger.confirm("dialog", "y on 'Stop instances?'")
    ledger.call("StopInstances", {"InstanceIds": ["i-2"]}, {})
    assert len(ledger.unconfirmed) == 1, "the y covers the call after it (the unconfirmed one used up nothing)"
    ledger.call("RebootInstances", {}, {})
    ledger.call("ModifyInstanceAttribute", {"DisableApiTermination": {"Value": False}}, {})
    ledger.call("CreateImage", {}, {})
    ledger.call("RunInstances", {}, {})
    assert [u["operation"] for u in ledger.unconfirmed][1:] == [
        "RebootInstances",
        "ModifyInstanceAttribute",
        "CreateImage",
        "RunInstances",
    ], "one call per y; no y covers a launch, and nothing covers CreateImage"
    ledger.confirm("launch", "y on the launch review")
    for operation in ("CreateKeyPair", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "RunInstances"):
        ledger.call(operation, {}, {})
    assert len(ledger.unconfirmed) == 5
