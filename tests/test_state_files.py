"""State and config files are read only if they are regular files under a cap (a FIFO never blocks), folders the app
creates are 0700, a world-writable one is refused, a symlinked key folder is refused, bad drafts never overwrite."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from ec2tui import drafts
from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.aws.network import create_key_pair
from ec2tui.errors import ValidationError
from ec2tui.settings import KEYMAP_LIMIT, load_keymap
from ec2tui.state_files import UnsafeFileError, private_dir, read_regular_file


@pytest.fixture
def state(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(directory))
    return directory


def in_thread_within(seconds: float, call):
    """Run ``call`` in a daemon thread; fail (instead of hanging the suite) if it doesn't return in time."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    return thread.is_alive(), result


def test_a_fifo_at_the_draft_path_is_refused_at_once(state):
    state.mkdir(mode=0o700)
    os.mkfifo(drafts.draft_path())
    problems: list[str] = []
    blocked, result = in_thread_within(30, lambda: drafts.load_draft(on_problem=problems.append))
    if blocked:  # unblock the reader so the thread can end, then fail
        with open(drafts.draft_path(), "w"):
            pass
        pytest.fail("reading the draft blocked on a FIFO")
    assert result == [None]
    assert problems and "named pipe" in problems[0] and "Couldn't read the launch draft" in problems[0]
    assert stat.S_ISFIFO(os.lstat(drafts.draft_path()).st_mode), "the FIFO is left alone"


def test_a_huge_draft_is_refused_without_reading_it(state):
    state.mkdir(mode=0o700)
    with open(drafts.draft_path(), "wb") as handle:
        handle.truncate(drafts.DRAFT_LIMIT + 1)
    problems: list[str] = []
    assert drafts.load_draft(on_problem=problems.append) is None
    assert "at most 1,048,576 are read" in problems[0]


def test_a_symlinked_draft_is_refused(state, tmp_path):
    state.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(drafts.request_to_dict(LaunchRequest(name="planted"))))
    drafts.draft_path().symlink_to(elsewhere)
    problems: list[str] = []
    assert drafts.load_draft(on_problem=problems.append) is None
    assert "symbolic link" in problems[0]


def test_corrupt_drafts_never_overwrite_an_earlier_bad_copy(state):
    state.mkdir(mode=0o700)
    for number in range(3):
        drafts.draft_path().write_text(f"{{corrupt {number}")
        problems: list[str] = []
        assert drafts.load_draft(on_problem=problems.append) is None
        assert str(drafts.bad_draft_path(number)) in problems[0]
    assert [drafts.bad_draft_path(n).read_text() for n in range(3)] == ["{corrupt 0", "{corrupt 1", "{corrupt 2"]
    assert drafts.bad_draft_path(1).name == "launch-draft.json.bad.1"
    assert not drafts.draft_path().exists()


def test_the_state_folder_is_created_0700(state):
    drafts.save_draft(LaunchRequest(name="x"))
    assert stat.S_IMODE(state.stat().st_mode) == 0o700


def test_a_world_writable_state_folder_is_refused(state):
    state.mkdir()
    state.chmod(0o777)
    with pytest.raises(drafts.DraftLocationError, match="writable by every user"):
        drafts.save_draft(LaunchRequest(name="x"))
    assert list(state.iterdir()) == []
    (state / drafts.DRAFT_FILE).write_text(json.dumps(drafts.request_to_dict(LaunchRequest(name="planted"))))
    problems: list[str] = []
    assert drafts.load_draft(on_problem=problems.append) is None
    assert "writable by every user" in problems[0] and "chmod o-w" in problems[0]


async def test_the_draft_can_be_loaded_off_the_event_loop(state):
    drafts.save_draft(LaunchRequest(name="async"))
    loop_thread = threading.get_ident()
    readers: list[int] = []
    real = drafts.read_regular_file

    def spy(*args, **kwargs):
        readers.append(threading.get_ident())
        return real(*args, **kwargs)

    drafts.read_regular_file = spy  # type: ignore[assignment]
    try:
        request = await drafts.load_draft_async()
    finally:
        drafts.read_regular_file = real  # type: ignore[assignment]
    assert request is not None and request.name == "async"
    assert readers and loop_thread not in readers
    problems: list[str] = []
    drafts.draft_path().write_text("{bad")
    assert await drafts.load_draft_async(on_problem=problems.append) is None
    assert problems and asyncio.get_running_loop()


# -- the keymap ---------------------------------------------------------------------------------------------------


def test_a_fifo_keymap_is_a_clear_error_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path))
    os.mkfifo(tmp_path / "keymap.toml")
    blocked, result = in_thread_within(30, lambda: _error_of(load_keymap))
    if blocked:
        with open(tmp_path / "keymap.toml", "w"):
            pass
        pytest.fail("reading the keymap blocked on a FIFO")
    assert "named pipe" in result[0] and "keymap.toml" in result[0]


def test_an_oversized_keymap_is_refused_and_a_symlinked_one_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path / "config"))
    (tmp_path / "config").mkdir()
    big = tmp_path / "config" / "keymap.toml"
    big.write_text("[keymap]\n" + "#" * KEYMAP_LIMIT)
    assert "at most 65,536" in _error_of(load_keymap)
    big.unlink()
    dotfiles = tmp_path / "dotfiles-keymap.toml"
    dotfiles.write_text('[keymap]\n"app.quit" = "ctrl+x"\n')
    big.symlink_to(dotfiles)  # dotfile managers link config files: that is fine
    assert load_keymap() == {"app.quit": "ctrl+x"}


def _error_of(call) -> str:
    try:
        call()
    except ValidationError as exc:
        return str(exc)
    raise AssertionError("no error")


# -- the helpers --------------------------------------------------------------------------------------------------


def test_read_regular_file_refuses_devices_and_directories(tmp_path):
    with pytest.raises(UnsafeFileError, match="a device"):
        read_regular_file(Path("/dev/zero"), limit=10)
    with pytest.raises(UnsafeFileError, match="a directory"):
        read_regular_file(tmp_path, limit=10)
    assert read_regular_file(tmp_path / "missing", limit=10) is None


def test_private_dir_creates_0700_and_refuses_unsafe_ones(tmp_path):
    made = private_dir(tmp_path / "a" / "b", what="state folder")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    link = tmp_path / "link"
    link.symlink_to(made)
    assert private_dir(link, what="state folder") == link
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        private_dir(link, what="key folder", allow_symlink=False)
    (tmp_path / "file").write_text("")
    with pytest.raises(UnsafeFileError, match="not a folder"):
        private_dir(tmp_path / "file", what="key folder")


# -- the key folder (create_key_pair) -----------------------------------------------------------------------------


def test_a_new_key_folder_is_created_0700(ec2, tmp_path):
    path = create_key_pair(ec2, "laptop", "ed25519", str(tmp_path / "keys"))
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("kind", ["symlink", "world-writable"])
def test_an_unsafe_key_folder_is_refused_before_aws_is_asked(ec2, tmp_path, kind):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    if kind == "symlink":
        folder = tmp_path / "keys"
        folder.symlink_to(real)
        expected = "symbolic link"
    else:
        folder = real
        folder.chmod(0o777)
        expected = "writable by every user"
    with pytest.raises(ValidationError, match=expected) as caught:
        create_key_pair(ec2, "laptop", "rsa", str(folder))
    assert caught.value.field == "key_pair.directory"
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert list(real.iterdir()) == []


def test_a_fifo_given_as_the_user_data_file_is_refused_at_once(tmp_path):
    from ec2tui.widgets.user_data_editor import UserDataFileError, read_user_data_file

    fifo = tmp_path / "script.sh"
    os.mkfifo(fifo)

    def load() -> str:
        try:
            read_user_data_file(str(fifo))
        except UserDataFileError as exc:
            return str(exc)
        return "loaded"

    blocked, result = in_thread_within(30, load)
    if blocked:
        with open(fifo, "w"):
            pass
        pytest.fail("loading user data blocked on a FIFO")
    assert result == [f"{fifo} is a named pipe (FIFO), not a file. Nothing loaded."]
