"""The launch form's drafts: a :class:`LaunchRequest` kept on disk between sessions, one per context (profile or
endpoint, account, region: :class:`DraftContext`), so a draft never crosses accounts or regions. Pure (no Textual,
no boto3).

A :class:`DraftStore` holds an advisory lock (``fcntl.flock`` on ``<draft>.lock``) while a form edits its draft,
and before each save checks that the file is still the one it last read or wrote: when another process holds the
lock or changed the file, this process's version is saved beside it (``<draft>.conflict-<pid>.json``), never over
it, and the caller is told where.

The file is JSON, written atomically (temp file + ``os.replace``) with mode 0600 in a 0700 folder: user data may
hold secrets. It is read only if it is a regular file (not a symlink, FIFO or device) of at most
:data:`DRAFT_LIMIT` bytes. A file that can't be read back into a request (corrupt, or written by an incompatible
version) is moved aside to ``*.bad`` (``*.bad.1``, … when earlier ones exist) and treated as no draft.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.paths import state_dir
from ec2tui.state_files import MIB, UnsafeFileError, private_dir, read_regular_file

DRAFT_FORMAT = 1
DRAFT_FILE = "launch-draft.json"
DRAFT_LIMIT = MIB
"""A draft is a few KB (user data is capped at 16 KB); anything much larger is not one of ours."""


class DraftLocationError(OSError):
    """The state folder can't hold a draft (world-writable, not a folder, …); the message says why."""


class DraftFormatError(ValueError):
    """The draft's JSON doesn't describe a :class:`LaunchRequest` this version understands."""


def draft_path() -> Path:
    """The draft of earlier versions, kept for every context at once (read only by the functions below that take
    no ``path``; the form uses a :class:`DraftStore` per context)."""
    return state_dir() / DRAFT_FILE


def bad_draft_path(number: int = 0, path: Path | None = None) -> Path:
    """Where an unreadable draft is moved aside: ``<draft>.bad``, then ``<draft>.bad.1``, ``.bad.2``, …"""
    path = path or draft_path()
    return path.with_name(path.name + ".bad" + (f".{number}" if number else ""))


_MAX_BAD_COPIES = 1000


def _move_aside(path: Path) -> Path:
    """Move ``path`` to the first free :func:`bad_draft_path`, never over an earlier one; returns where it went."""
    for number in range(_MAX_BAD_COPIES):
        bad = bad_draft_path(number, path)
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


def request_to_dict(request: LaunchRequest, context: DraftContext | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"format": DRAFT_FORMAT, "request": dataclasses.asdict(request)}
    if context is not None:
        data["context"] = dataclasses.asdict(context)
    return data


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


def save_draft(request: LaunchRequest, path: Path | None = None, context: DraftContext | None = None) -> Path:
    """Write the draft atomically (mode 0600, directory 0700) and return its path."""
    path = path or draft_path()
    _write(path, _payload(request, context))
    return path


def _payload(request: LaunchRequest, context: DraftContext | None) -> bytes:
    return (json.dumps(request_to_dict(request, context), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write(path: Path, payload: bytes) -> None:
    try:
        private_dir(path.parent, what="state folder")
    except UnsafeFileError as exc:
        raise DraftLocationError(str(exc)) from None
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def load_draft(*, on_problem: Callable[[str], None] | None = None, path: Path | None = None) -> LaunchRequest | None:
    """The saved draft, or None when there is none or it can't be used.

    An unusable file is moved aside to :func:`bad_draft_path`; ``on_problem`` (if given) receives a sentence
    for the user saying so. Never raises for a bad or unreadable file, and never blocks on a FIFO; it does read a
    file, so call it from a thread (or use :func:`load_draft_async`) when the disk may be slow.
    """
    return _load(path or draft_path(), on_problem)[0]


def _read(path: Path, on_problem: Callable[[str], None] | None) -> bytes | None:
    try:
        if path.parent.is_dir():  # refuse to read from a folder that anybody could have planted the file in
            private_dir(path.parent, what="state folder")
        return read_regular_file(path, limit=DRAFT_LIMIT, follow_symlinks=False)
    except UnsafeFileError as exc:
        if on_problem:
            on_problem(f"Couldn't read the launch draft: {exc}")
        return None


def _load(
    path: Path, on_problem: Callable[[str], None] | None
) -> tuple[LaunchRequest | None, bytes | None, dict[str, Any]]:
    """The draft at ``path``, the bytes read, and the context it says it belongs to (empty for old drafts)."""
    raw = _read(path, on_problem)
    if raw is None:
        return None, None, {}
    try:
        data = json.loads(raw.decode("utf-8"))
        request = request_from_dict(data)
    except (ValueError, TypeError, RecursionError) as exc:  # JSON, UTF-8 and DraftFormatError are ValueErrors
        try:
            bad = _move_aside(path)
        except OSError:
            moved = "it could not be moved aside"
        else:
            moved = f"it was moved to {bad}"
        if on_problem:
            on_problem(f"The launch draft couldn't be used ({_reason(exc)}); {moved}.")
        return None, None, {}
    context = data.get("context")
    return request, raw, context if isinstance(context, dict) else {}


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


# -- one draft per context ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DraftContext:
    """Where a draft belongs: the profile (or endpoint), the account and the region it was made against."""

    origin: str
    """``profile NAME`` or ``endpoint URL``."""
    account: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.origin}, account {self.account}, {self.region}"

    @property
    def file_name(self) -> str:
        """A readable, file-safe name; the hash keeps two contexts that read alike (``a/b`` vs ``a_b``) apart."""
        key = f"{self.origin}\n{self.account}\n{self.region}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{self.origin}-{self.account}-{self.region}")[:80]
        return f"launch-draft-{readable}-{digest}.json"


@dataclasses.dataclass(frozen=True)
class SaveOutcome:
    """Where :meth:`DraftStore.save` wrote, and whether it had to write beside the draft for the first time
    (another process edits or changed it): then ``conflict`` says why, for the user."""

    path: Path
    conflict: str = ""


class DraftStore:
    """The draft of one context, for one form of one process (see the module's docstring for the locking)."""

    def __init__(self, context: DraftContext, directory: Path | None = None) -> None:
        self.context = context
        self.directory = directory or state_dir()
        self.path = self.directory / context.file_name
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.beside: Path | None = None
        """Set once this process must not write the draft itself: where its version goes instead."""
        self._seen: bytes | None = None
        """The file's bytes as this store last read or wrote them (None: no file then)."""
        self._lock_fd: int | None = None

    # -- the lock ---------------------------------------------------------------------------------------------
    def lock(self) -> str:
        """Take the advisory lock; ``""`` when held, else why not (another process edits this draft)."""
        if self._lock_fd is not None:
            return ""
        try:
            private_dir(self.directory, what="state folder")
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except (OSError, UnsafeFileError) as exc:
            return f"the draft's lock file can't be opened ({exc})"
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            return f"another ec2tui process{f' (pid {holder})' if holder else ''} is editing this draft"
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        return ""

    def unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def locked(self) -> bool:
        return self._lock_fd is not None

    # -- the draft ----------------------------------------------------------------------------------------------
    def load(self, on_problem: Callable[[str], None] | None = None) -> tuple[LaunchRequest | None, str]:
        """The context's draft and where it says it came from (its context's label)."""
        request, raw, context = _load(self.path, on_problem)
        self._seen = raw
        origin = self.context.label
        if context:
            with contextlib.suppress(TypeError):
                origin = DraftContext(**context).label
        return request, origin

    def forget(self) -> None:
        """Treat the draft on disk as unread (the form did not use it): a save then goes beside it."""
        self._seen = None

    def legacy_draft(self) -> Path | None:
        """The single draft of earlier versions, when one is left (it belongs to no known context: not restored)."""
        path = self.directory / DRAFT_FILE
        return path if path.is_file() else None

    def save(self, request: LaunchRequest) -> SaveOutcome:
        """Write the draft, unless another process holds it or changed it since: then beside it."""
        payload = _payload(request, self.context)
        if self.beside is None:
            conflict = "" if self.locked else self.lock()
            if not conflict:
                current = _read(self.path, None)
                if current is not None and current != self._seen:
                    conflict = "the draft was changed by another process since this one read it"
            if not conflict:
                _write(self.path, payload)
                self._seen = payload
                return SaveOutcome(self.path)
            self.beside = self._beside_path()
            _write(self.beside, payload)
            return SaveOutcome(self.beside, conflict)
        _write(self.beside, payload)
        return SaveOutcome(self.beside)

    def _beside_path(self) -> Path:
        stem = self.path.name.removesuffix(".json")
        return self.path.with_name(f"{stem}.conflict-{os.getpid()}.json")

    def clear(self) -> None:
        """Forget the draft (after a launch, or when the user discards it); another process's newer draft and
        a draft this store doesn't hold the lock of are left alone."""
        if self.beside is not None:
            with contextlib.suppress(FileNotFoundError):
                self.beside.unlink()
            return
        if not self.locked:
            return
        current = _read(self.path, None)
        if current is not None and current == self._seen:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        self._seen = None
