"""The launch form's draft: one :class:`LaunchRequest` kept on disk between sessions. Pure (no Textual, no boto3).

The file is JSON, written atomically (temp file + ``os.replace``) with mode 0600 in a 0700 folder: user data may
hold secrets. It is read only if it is a regular file (not a symlink, FIFO or device) of at most
:data:`DRAFT_LIMIT` bytes. A file that can't be read back into a request (corrupt, or written by an incompatible
version) is moved aside to ``*.bad`` (``*.bad.1``, … when earlier ones exist) and treated as no draft.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.state_files import MIB, UnsafeFileError, private_dir, read_regular_file

DRAFT_FORMAT = 1
DRAFT_FILE = "launch-draft.json"
DRAFT_LIMIT = MIB
"""A draft is a few KB (user data is capped at 16 KB); anything much larger is not one of ours."""


class DraftLocationError(OSError):
    """The state folder can't hold a draft (world-writable, not a folder, …); the message says why."""


class DraftFormatError(ValueError):
    """The draft's JSON doesn't describe a :class:`LaunchRequest` this version understands."""


def state_dir() -> Path:
    """``$EC2TUI_STATE_DIR``, else ``$XDG_STATE_HOME/ec2tui``, else ``~/.local/state/ec2tui``."""
    explicit = os.environ.get("EC2TUI_STATE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg) / "ec2tui"
    return Path.home() / ".local" / "state" / "ec2tui"


def draft_path() -> Path:
    return state_dir() / DRAFT_FILE


def bad_draft_path(number: int = 0) -> Path:
    """Where an unreadable draft is moved aside: ``<draft>.bad``, then ``<draft>.bad.1``, ``.bad.2``, …"""
    path = draft_path()
    return path.with_name(path.name + ".bad" + (f".{number}" if number else ""))


_MAX_BAD_COPIES = 1000


def _move_aside(path: Path) -> Path:
    """Move ``path`` to the first free :func:`bad_draft_path`, never over an earlier one; returns where it went."""
    for number in range(_MAX_BAD_COPIES):
        bad = bad_draft_path(number)
        try:
            os.link(path, bad)  # fails if ``bad`` exists: no check-then-rename race
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some file systems): check, then rename
            if bad.exists() or bad.is_symlink():
                continue
            os.replace(path, bad)
            return bad
        os.unlink(path)
        return bad
    raise OSError(f"{_MAX_BAD_COPIES} earlier bad drafts are in the way")


# -- (de)serialisation --------------------------------------------------------------------------------------------


def request_to_dict(request: LaunchRequest) -> dict[str, Any]:
    return {"format": DRAFT_FORMAT, "request": dataclasses.asdict(request)}


def _convert(value: Any, hint: Any, where: str) -> Any:
    """``value`` (decoded JSON) checked against the type ``hint`` and rebuilt (dataclasses, lists, optionals)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(value, option, where)
            except DraftFormatError as exc:
                errors.append(str(exc))
        raise DraftFormatError(errors[0] if errors else f"{where}: unexpected null")
    if origin is list:
        if not isinstance(value, list):
            raise DraftFormatError(f"{where}: expected a list")
        (item_hint,) = typing.get_args(hint)
        return [_convert(item, item_hint, f"{where}[{i}]") for i, item in enumerate(value)]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_from_dict(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise DraftFormatError(f"{where}: expected true or false")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise DraftFormatError(f"{where}: expected an integer")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise DraftFormatError(f"{where}: expected a string")
        return value
    raise DraftFormatError(f"{where}: unsupported type {hint!r}")


def _dataclass_from_dict(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise DraftFormatError(f"{where or cls.__name__}: expected an object")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = set(data) - known
    if unknown:
        # Written by a version with other fields: restoring part of it would silently drop what the user typed.
        raise DraftFormatError(f"{where or cls.__name__}: unknown fields {', '.join(sorted(unknown))}")
    kwargs = {name: _convert(value, hints[name], f"{where}.{name}" if where else name) for name, value in data.items()}
    return cls(**kwargs)  # fields added since the draft was written keep their defaults


def request_from_dict(data: Any) -> LaunchRequest:
    """The inverse of :func:`request_to_dict`; raises :class:`DraftFormatError` for anything else."""
    if not isinstance(data, dict) or data.get("format") != DRAFT_FORMAT or "request" not in data:
        raise DraftFormatError(f"not an ec2tui launch draft of format {DRAFT_FORMAT}")
    return _dataclass_from_dict(LaunchRequest, data["request"], "")


# -- files ------------------------------------------------------------------------------------------------------


def save_draft(request: LaunchRequest) -> Path:
    """Write the draft atomically (mode 0600, directory 0700) and return its path."""
    path = draft_path()
    try:
        private_dir(path.parent, what="state folder")
    except UnsafeFileError as exc:
        raise DraftLocationError(str(exc)) from None
    payload = json.dumps(request_to_dict(request), indent=2, ensure_ascii=False) + "\n"
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return path


def load_draft(*, on_problem: Callable[[str], None] | None = None) -> LaunchRequest | None:
    """The saved draft, or None when there is none or it can't be used.

    An unusable file is moved aside to :func:`bad_draft_path`; ``on_problem`` (if given) receives a sentence
    for the user saying so. Never raises for a bad or unreadable file, and never blocks on a FIFO; it does read a
    file, so call it from a thread (or use :func:`load_draft_async`) when the disk may be slow.
    """
    path = draft_path()
    try:
        if path.parent.is_dir():  # refuse to read from a folder that anybody could have planted the file in
            private_dir(path.parent, what="state folder")
        raw = read_regular_file(path, limit=DRAFT_LIMIT, follow_symlinks=False)
    except UnsafeFileError as exc:
        if on_problem:
            on_problem(f"Couldn't read the launch draft: {exc}")
        return None
    if raw is None:
        return None
    try:
        return request_from_dict(json.loads(raw.decode("utf-8")))
    except (ValueError, TypeError, RecursionError) as exc:  # JSON, UTF-8 and DraftFormatError are ValueErrors
        try:
            bad = _move_aside(path)
        except OSError:
            moved = "it could not be moved aside"
        else:
            moved = f"it was moved to {bad}"
        if on_problem:
            on_problem(f"The launch draft couldn't be used ({_reason(exc)}); {moved}.")
        return None


async def load_draft_async(*, on_problem: Callable[[str], None] | None = None) -> LaunchRequest | None:
    """:func:`load_draft` with the file read in a thread; ``on_problem`` is called back on the caller's loop."""
    problems: list[str] = []
    request = await asyncio.to_thread(load_draft, on_problem=problems.append)
    for problem in problems:
        if on_problem:
            on_problem(problem)
    return request


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return "not valid JSON"
    return str(exc)


def clear_draft() -> None:
    """Forget the draft (after a launch, or when the user discards it)."""
    with contextlib.suppress(FileNotFoundError):
        draft_path().unlink()
