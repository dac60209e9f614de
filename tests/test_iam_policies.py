"""The README's two IAM policies against the AWS calls the code makes: every call is allowed by the launch policy, and
every read the app makes while browsing by the read-only one, which allows nothing that changes AWS."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("ec2", "ssm", "iam", "sts", "pricing", "ec2-instance-connect")
"""The services ec2tui calls (each one's IAM prefix is its botocore name)."""

SENSITIVE_READS = {"ec2:GetPasswordData"}
"""Reads that belong with the actions: the Windows administrator password (encrypted, but still the way in)."""

NOT_CALLED_BY_THE_CODE = {"ec2:CreateTags", "iam:PassRole", "ssm:StartSession"}
"""Needed without a call of their own: tags on launch, passing the instance profile's role, the AWS CLI's session."""


def code_actions() -> set[str]:
    """IAM actions of every AWS operation named in ec2tui's code (calls, paginators), the demo's seeding left out."""
    session = botocore.session.get_session()
    operations: dict[str, set[str]] = {}
    for service in SERVICES:
        for name in session.get_service_model(service).operation_names:
            operations.setdefault(xform_name(name), set()).add(f"{service}:{name}")
    found: set[str] = set()
    for path in (ROOT / "ec2tui").rglob("*.py"):
        if "demo" in path.parts:
            continue
        text = path.read_text()
        names = set(re.findall(r"\.([a-z][a-z_]+)\(", text)) | set(re.findall(r'"([a-z]+_[a-z_]+)"', text))
        for name in names & operations.keys():
            found |= operations[name]
    return {action.replace("SendSshPublicKey", "SendSSHPublicKey") for action in found}


def readme_policies() -> list[dict]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## IAM permissions", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def allowed(policy: dict) -> set[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


@pytest.fixture(scope="module")
def policies():
    found = readme_policies()
    assert len(found) == 2, "the README has a read-only and a launch policy"
    return allowed(found[0]), allowed(found[1])


def test_the_launch_policy_allows_every_call_the_code_makes(policies):
    _, launch = policies
    calls = code_actions()
    assert {"ec2:RunInstances", "ec2:DescribeInstances", "iam:ListInstanceProfiles"} <= calls  # the scan works
    assert calls - launch == set()
    assert launch - calls - NOT_CALLED_BY_THE_CODE == set(), "the policy allows calls the code never makes"


def test_the_read_only_policy_allows_every_read_and_nothing_else(policies):
    read_only, launch = policies
    reads = {a for a in code_actions() if re.match(r"[\w-]+:(Describe|Get|List)", a)} - SENSITIVE_READS
    assert read_only == reads
    assert read_only <= launch


def test_the_policies_name_real_actions(policies):
    read_only, launch = policies
    session = botocore.session.get_session()
    known = {f"{s}:{name}" for s in SERVICES for name in session.get_service_model(s).operation_names}
    known = {action.replace("SendSshPublicKey", "SendSSHPublicKey") for action in known}
    assert (read_only | launch) - known == {"iam:PassRole"}  # a permission with no API call of its own
