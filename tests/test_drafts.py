"""The launch draft on disk: location, atomic 0600 writes, exact round trip, bad files moved aside."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ec2tui import drafts
from ec2tui.aws.models.launch import (
    AdvancedSpec,
    IngressRule,
    KeyPairSpec,
    LaunchRequest,
    NetworkSpec,
    NewSecurityGroup,
    SecurityGroupsSpec,
    Tag,
    VolumeSpec,
)


@pytest.fixture
def state(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(directory))
    return directory


def full_request() -> LaunchRequest:
    """Every field set to a non-default value, including nested optionals and lists."""
    return LaunchRequest(
        name="web-1 ✓",
        tags=[Tag("team", "platform"), Tag("cost-centre", "")],
        image_id="ami-0123456789abcdef0",
        instance_type="t4g.small",
        key_pair=KeyPairSpec(choice="new", name="laptop", key_type="rsa", directory="~/keys"),
        network=NetworkSpec(vpc_id="vpc-1", subnet_id="subnet-2", public_ip=False),
        security_groups=SecurityGroupsSpec(
            existing_ids=["sg-1", "sg-2"],
            new_group=NewSecurityGroup(
                name="web",
                description="web and ssh",
                rules=[
                    IngressRule("tcp", 443, 443, "0.0.0.0/0", "https"),
                    IngressRule("icmp", -1, -1, "::/0", "ping"),
                    IngressRule("all", None, None, "10.0.0.0/8", ""),
                ],
            ),
        ),
        root_volume=VolumeSpec("/dev/xvda", 30, "io2", 4000, None, True, False),
        volumes=[VolumeSpec("/dev/sdf", 100, "gp3", 3000, 250, False, True)],
        user_data="#!/bin/bash\necho 'secret token'\n",
        min_count=2,
        max_count=3,
        advanced=AdvancedSpec("web-role", "required", "terminate", True, True),
    )


def test_state_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("EC2TUI_STATE_DIR", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert drafts.state_dir() == tmp_path / "home" / ".local" / "state" / "ec2tui"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert drafts.state_dir() == tmp_path / "home" / ".local" / "state" / "ec2tui"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert drafts.state_dir() == tmp_path / "xdg" / "ec2tui"
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "explicit"))
    assert drafts.state_dir() == tmp_path / "explicit"


def test_round_trip_every_field(state):
    request = full_request()
    path = drafts.save_draft(request)
    assert path == state / "launch-draft.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    loaded = drafts.load_draft()
    assert loaded == request
    assert isinstance(loaded.security_groups.new_group, NewSecurityGroup)
    assert isinstance(loaded.security_groups.new_group.rules[1], IngressRule)
    assert isinstance(loaded.volumes[0], VolumeSpec)
    assert loaded.network.public_ip is False
    assert loaded.security_groups.new_group.rules[2].from_port is None
    # Nothing but the draft is left in the directory (the temp file was renamed over it).
    assert [p.name for p in state.iterdir()] == ["launch-draft.json"]


def test_default_request_round_trips_and_overwrite_keeps_0600(state):
    drafts.save_draft(full_request())
    path = drafts.draft_path()
    path.chmod(0o644)
    drafts.save_draft(LaunchRequest())
    assert drafts.load_draft() == LaunchRequest()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_draft_and_clear(state):
    assert drafts.load_draft() is None
    drafts.clear_draft()  # nothing to clear: no error
    drafts.save_draft(full_request())
    drafts.clear_draft()
    assert not drafts.draft_path().exists()
    assert drafts.load_draft() is None


def test_fields_missing_from_an_older_draft_take_defaults(state):
    data = drafts.request_to_dict(full_request())
    del data["request"]["max_count"]
    del data["request"]["network"]["public_ip"]
    del data["request"]["advanced"]  # drafts saved before the advanced details existed
    state.mkdir()
    drafts.draft_path().write_text(json.dumps(data))
    loaded = drafts.load_draft()
    assert loaded is not None
    assert loaded.max_count == 1 and loaded.network.public_ip is None
    assert loaded.network.subnet_id == "subnet-2"
    assert loaded.advanced == AdvancedSpec()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[]", "not an ec2tui launch draft"),
        (json.dumps({"format": 99, "request": {}}).encode(), "not an ec2tui launch draft"),
        (json.dumps({"format": 1, "request": {"min_count": "2"}}).encode(), "min_count: expected an integer"),
        (json.dumps({"format": 1, "request": {"min_count": True}}).encode(), "min_count: expected an integer"),
        (json.dumps({"format": 1, "request": {"tags": [{"key": 1}]}}).encode(), "tags[0].key: expected a string"),
        (json.dumps({"format": 1, "request": {"colour": "red"}}).encode(), "unknown fields colour"),
        (
            json.dumps({"format": 1, "request": {"security_groups": {"new_group": {"rules": [{"nope": 1}]}}}}).encode(),
            "security_groups.new_group.rules[0]: unknown fields nope",
        ),
        (json.dumps({"format": 1, "request": {"network": []}}).encode(), "network: expected an object"),
    ],
)
def test_bad_file_is_moved_aside(state, content, reason):
    state.mkdir()
    drafts.draft_path().write_bytes(content)
    problems: list[str] = []
    assert drafts.load_draft(on_problem=problems.append) is None
    assert not drafts.draft_path().exists()
    assert drafts.bad_draft_path().read_bytes() == content
    assert len(problems) == 1 and reason in problems[0] and str(drafts.bad_draft_path()) in problems[0]
    # A fresh save works afterwards and the bad copy stays for inspection.
    drafts.save_draft(full_request())
    assert drafts.load_draft() == full_request()
    assert drafts.bad_draft_path().exists()


def test_unreadable_file_returns_none_without_traceback(state):
    state.mkdir()
    drafts.draft_path().mkdir()  # a directory where the file should be: reading fails with an OSError
    problems: list[str] = []
    assert drafts.load_draft(on_problem=problems.append) is None
    assert problems and "Couldn't read the launch draft" in problems[0]


def test_failed_write_leaves_previous_draft_and_no_temp_file(state, monkeypatch):
    drafts.save_draft(full_request())

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(drafts.os, "replace", broken_replace)
        drafts.save_draft(LaunchRequest(name="new"))
    assert [p.name for p in state.iterdir()] == ["launch-draft.json"]
    assert drafts.load_draft() == full_request()
