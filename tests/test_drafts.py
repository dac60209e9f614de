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


# -- one draft per context ----------------------------------------------------------------------------------------

EAST = drafts.DraftContext("profile work", "111111111111", "us-east-1")
WEST = drafts.DraftContext("profile work", "111111111111", "us-west-2")
OTHER_ACCOUNT = drafts.DraftContext("profile home", "222222222222", "us-east-1")
ENDPOINT = drafts.DraftContext("endpoint http://127.0.0.1:5000", "123456789012", "us-east-1")


def test_contexts_never_see_each_others_draft(state):
    stores = {context: drafts.DraftStore(context) for context in (EAST, WEST, OTHER_ACCOUNT, ENDPOINT)}
    for context, store in stores.items():
        assert store.load() == (None, context.label)
        store.save(LaunchRequest(name=context.label))
    assert len({store.path for store in stores.values()}) == 4
    for context in stores:
        request, origin = drafts.DraftStore(context).load()
        assert request is not None and request.name == context.label and origin == context.label
    for store in stores.values():
        store.unlock()


def test_file_names_of_contexts_that_read_alike_differ():
    one = drafts.DraftContext("profile a/b", "1", "us-east-1")
    two = drafts.DraftContext("profile a_b", "1", "us-east-1")
    assert one.file_name != two.file_name and "/" not in one.file_name


def test_the_restore_says_where_a_draft_came_from(state):
    store = drafts.DraftStore(EAST)
    store.save(full_request())
    store.unlock()
    moved = state / drafts.DraftStore(WEST).path.name  # a draft copied under another context's name
    moved.write_bytes(store.path.read_bytes())
    request, origin = drafts.DraftStore(WEST).load()
    assert request == full_request() and origin == EAST.label


def test_restore_then_discard(state):
    store = drafts.DraftStore(EAST)
    assert store.lock() == ""
    store.save(full_request())
    again = drafts.DraftStore(EAST)
    store.unlock()
    assert again.lock() == ""
    assert again.load()[0] == full_request()
    again.clear()
    assert not again.path.exists()
    assert drafts.DraftStore(EAST).load()[0] is None


def test_a_second_store_on_the_same_draft_is_detected_and_nothing_is_lost(state):
    first, second = drafts.DraftStore(EAST), drafts.DraftStore(EAST)
    assert first.lock() == ""
    first.load()
    second.load()
    first.save(LaunchRequest(name="first"))
    assert "is editing this draft" in second.lock()
    outcome = second.save(LaunchRequest(name="second"))
    assert outcome.conflict and outcome.path != first.path and outcome.path.exists()
    assert drafts.load_draft(path=first.path).name == "first", "the first process's draft is not overwritten"
    assert drafts.load_draft(path=outcome.path).name == "second", "the second one's is kept beside it"
    assert second.save(LaunchRequest(name="second, more")).conflict == "", "told once"
    assert drafts.load_draft(path=outcome.path).name == "second, more"
    second.clear()  # e.g. the second launched: its copy goes, the first's draft stays
    assert not outcome.path.exists() and first.path.exists()
    first.unlock()


def test_a_draft_changed_behind_a_stores_back_is_not_overwritten(state):
    store = drafts.DraftStore(EAST)
    store.load()
    store.save(LaunchRequest(name="mine"))
    store.unlock()
    drafts.save_draft(LaunchRequest(name="theirs"), path=store.path)  # another process, after the lock was free
    outcome = store.save(LaunchRequest(name="mine, later"))
    assert "changed by another process" in outcome.conflict
    assert drafts.load_draft(path=store.path).name == "theirs"
    assert drafts.load_draft(path=outcome.path).name == "mine, later"


LOCK_HOLDER = """
import sys, time
from ec2tui import drafts
store = drafts.DraftStore(drafts.DraftContext("profile work", "111111111111", "us-east-1"))
assert store.lock() == ""
store.save(drafts.LaunchRequest(name="other process"))
print("locked", flush=True)
sys.stdin.readline()  # hold the lock until told to go
"""


def test_a_real_second_process_holding_the_lock_is_detected(state):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "EC2TUI_STATE_DIR": str(state), "PYTHONPATH": str(root)}
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        store = drafts.DraftStore(EAST)
        assert f"pid {holder.pid}" in store.lock()
        request, _ = store.load()
        assert request is not None and request.name == "other process"
        outcome = store.save(LaunchRequest(name="this process"))
        assert outcome.conflict and drafts.load_draft(path=store.path).name == "other process"
        assert drafts.load_draft(path=outcome.path).name == "this process"
    finally:
        holder.communicate("go\n", timeout=30)
    assert drafts.DraftStore(EAST).lock() == "", "the lock is free once that process is gone"
