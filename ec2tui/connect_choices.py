"""What the user chose last time they connected to each instance (method, login user, key file, bastion, forward),
kept in ``connect-choices.json`` in the state folder. Pure Python (no Textual, no boto3).

Nothing secret is stored: paths and names only. A file that can't be read is ignored (choices are a convenience).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ec2tui.drafts import state_dir
from ec2tui.state_files import KIB, UnsafeFileError, private_dir, read_regular_file

CHOICES_FILE = "connect-choices.json"
CHOICES_LIMIT = 512 * KIB
MAX_REMEMBERED = 500
"""Instances come and go: the oldest choices are dropped beyond this many."""


@dataclass(frozen=True)
class ConnectChoice:
    method: str = ""
    user: str = ""
    key_file: str = ""
    bastion: str = ""
    remote_port: str = ""
    local_port: str = ""
    remote_host: str = ""


def choices_path() -> Path:
    return state_dir() / CHOICES_FILE


def _load_all(path: Path) -> dict[str, dict[str, str]]:
    try:
        raw = read_regular_file(path, limit=CHOICES_LIMIT, follow_symlinks=False)
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnsafeFileError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def load_choice(instance_id: str, path: Path | None = None) -> ConnectChoice:
    entry = _load_all(path or choices_path()).get(instance_id)
    if not isinstance(entry, dict):
        return ConnectChoice()
    known = {f.name for f in fields(ConnectChoice)}
    return ConnectChoice(**{k: str(v) for k, v in entry.items() if k in known and isinstance(v, str | int)})


def save_choice(instance_id: str, choice: ConnectChoice, path: Path | None = None) -> None:
    """Remember ``choice`` for the instance (atomically, 0600 in a 0700 folder). Raises UnsafeFileError/OSError."""
    path = path or choices_path()
    private_dir(path.parent, what="state folder")
    data = _load_all(path)
    data.pop(instance_id, None)
    data[instance_id] = asdict(choice)  # last used last: the oldest are at the front
    while len(data) > MAX_REMEMBERED:
        data.pop(next(iter(data)))
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
