"""Reading and creating the app's own files and folders safely. Pure Python (no Textual, no boto3).

A path under the state or config folder may hold anything: a FIFO (opening it for reading blocks until a writer
comes, freezing the UI), a device, a huge file, a symlink planted by someone else. Files are opened without
blocking and read only if they are regular files under a size cap; folders the app creates are 0700 and one that
anybody may write to is refused, since whoever can write there can swap the files the app reads or writes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ec2tui.errors import Ec2TuiError

KIB = 1024
MIB = 1024 * KIB


class UnsafeFileError(Ec2TuiError):
    """A state/config file or folder that the app refuses to use; the message names it and says why."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class NotRegularFileError(UnsafeFileError):
    """The path is a directory, FIFO, socket or device; ``kind`` says which ("a named pipe (FIFO)")."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a regular file.")
        self.kind = kind


def open_regular_file(path: Path, *, follow_symlinks: bool = True) -> int:
    """A read-only descriptor of ``path``, opened without blocking (O_NONBLOCK: a FIFO doesn't wait for a writer).

    Raises :class:`NotRegularFileError` (the descriptor closed) unless it is a regular file, checked on the
    descriptor so nothing can be swapped in between; OSError as ``os.open`` raises it otherwise (ELOOP for a
    symlink when ``follow_symlinks`` is false).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFileError(path, _kind(mode))
    return fd


def read_regular_file(path: Path, *, limit: int, follow_symlinks: bool = True) -> bytes | None:
    """The bytes of ``path``, or None when it doesn't exist.

    Raises :class:`UnsafeFileError` when it is not a regular file (see :func:`open_regular_file`), is larger than
    ``limit`` bytes, or is a symlink and ``follow_symlinks`` is false; and for any other OSError, with the reason.
    """
    try:
        fd = open_regular_file(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not follow_symlinks and os.path.islink(path):  # ELOOP from O_NOFOLLOW
            raise UnsafeFileError(f"{path} is a symbolic link; ec2tui reads only the file itself.") from None
        raise UnsafeFileError(f"{path}: {exc.strerror or exc}.") from None
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise UnsafeFileError(f"{path} is {size:,} bytes; at most {limit:,} are read.")
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, 64 * KIB):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grown since fstat
                raise UnsafeFileError(f"{path} is over {limit:,} bytes; at most {limit:,} are read.")
        return b"".join(chunks)
    except OSError as exc:
        raise UnsafeFileError(f"{path}: {exc.strerror or exc}.") from None
    finally:
        os.close(fd)


def private_dir(path: Path, *, what: str, allow_symlink: bool = True) -> Path:
    """Make sure ``path`` is a folder fit for private files and return it.

    Created 0700 when missing (parents with the default mode, as ``mkdir -p`` does). An existing one is used as
    it is unless it is world-writable, not a folder, or (``allow_symlink=False``) a symbolic link: then
    :class:`UnsafeFileError` says so, naming ``what`` ("state folder", "key folder").
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(mode=0o700)
        except FileExistsError:  # created meanwhile: check it like an existing one
            return private_dir(path, what=what, allow_symlink=allow_symlink)
        except OSError as exc:
            raise UnsafeFileError(f"Can't create the {what} {path}: {exc.strerror or exc}.") from None
        return path
    except OSError as exc:
        raise UnsafeFileError(f"Can't use the {what} {path}: {exc.strerror or exc}.") from None
    if stat.S_ISLNK(info.st_mode):
        if not allow_symlink:
            raise UnsafeFileError(
                f"The {what} {path} is a symbolic link; ec2tui refuses it. Use the real folder's path."
            )
        try:
            info = os.stat(path)
        except OSError as exc:
            raise UnsafeFileError(f"Can't use the {what} {path}: {exc.strerror or exc}.") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFileError(f"The {what} {path} is not a folder.")
    if info.st_mode & stat.S_IWOTH:
        raise UnsafeFileError(
            f"The {what} {path} is writable by every user; ec2tui refuses it. "
            f"Fix it with: chmod o-w {path} (or choose another folder)."
        )
    return path
