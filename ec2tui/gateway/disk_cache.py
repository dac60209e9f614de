"""Slow-changing lookups kept on disk between runs: the instance-type catalogue (a full ``describe_instance_types``
takes seconds) and the type offerings, per (endpoint, region), for a day; the region list, per (endpoint, profile),
shown at start while it is asked afresh.

One JSON file per lookup, written atomically (a temporary file renamed over the old one) in a private folder (0700,
see :func:`ec2tui.state_files.private_dir`). A file that is unreadable, corrupt or from another format is ignored
with a log line; a folder that cannot be created or written (read-only home, full disk) turns the disk cache off
with a log line: the app then asks AWS as it would without it. Never a secret in these files: they hold what EC2
publishes about instance types and regions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from ec2tui.aws.models.instance_types import InstanceStorage, InstanceTypeInfo
from ec2tui.aws.models.regions import Region
from ec2tui.diagnostics import log
from ec2tui.state_files import MIB, UnsafeFileError, private_dir, read_regular_file

T = TypeVar("T")

FORMAT = 1
"""Bumped when what a file holds changes shape: files of another format are ignored (and replaced)."""

DAY = 24 * 3600.0
FILE_LIMIT = 64 * MIB


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How one kind of value goes to JSON and back; ``decode`` raises (any error) on a file it can't read."""

    encode: Callable[[T], Any]
    decode: Callable[[Any], T]


def _encode_types(types: list[InstanceTypeInfo]) -> list[dict[str, Any]]:
    return [asdict(t) for t in types]


def _decode_types(raw: list[dict[str, Any]]) -> list[InstanceTypeInfo]:
    return [
        InstanceTypeInfo(
            **{
                **item,
                "architectures": tuple(item["architectures"]),
                "root_device_types": tuple(item["root_device_types"]),
                "storage": InstanceStorage(**item["storage"]) if item["storage"] is not None else None,
            }
        )
        for item in raw
    ]


INSTANCE_TYPES: Codec[list[InstanceTypeInfo]] = Codec(_encode_types, _decode_types)
NAMES: Codec[frozenset[str]] = Codec(sorted, lambda raw: frozenset(str(name) for name in raw))
REGIONS: Codec[list[Region]] = Codec(
    lambda regions: [asdict(r) for r in regions], lambda raw: [Region(**r) for r in raw]
)


@dataclass(frozen=True)
class Entry(Generic[T]):
    value: T
    age: float
    """Seconds since it was stored (by the cache's clock)."""
    expired: bool


class DiskCache:
    """Files under ``directory``, each for one (endpoint, region, kind, key); ``clock`` is injectable for tests."""

    def __init__(
        self,
        directory: Path,
        endpoint: str,
        *,
        ttl: float = DAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.endpoint = endpoint
        """Whose answers these are: ``aws`` or the custom endpoint's URL (a LocalStack's types are not AWS's)."""
        self.ttl = ttl
        self.clock = clock
        self._disabled: str | None = None
        self._lock = threading.Lock()

    def _path(self, region: str, kind: str, key: object) -> tuple[Path, str]:
        identity = json.dumps([self.endpoint, region, kind, repr(key)])
        digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
        safe_kind = "".join(c if c.isalnum() or c in "-_" else "_" for c in kind)
        return self.directory / f"{safe_kind}-{digest}.json", identity

    def load(self, region: str, kind: str, key: object, codec: Codec[T]) -> Entry[T] | None:
        """The stored value, or None when there is none usable (missing, corrupt, another endpoint's or format)."""
        if self._disabled:
            return None
        path, identity = self._path(region, kind, key)
        try:
            raw = read_regular_file(path, limit=FILE_LIMIT, follow_symlinks=False)
        except UnsafeFileError as exc:
            log.warning("disk cache: ignoring %s: %s", path, exc)
            return None
        if raw is None:
            return None
        try:
            document = json.loads(raw)
            if document.get("format") != FORMAT or document.get("identity") != identity:
                raise ValueError(f"format {document.get('format')!r} or identity does not match")
            stored_at = float(document["stored_at"])
            value = codec.decode(document["value"])
        except Exception as exc:  # corrupt, truncated, or written by another version: ask AWS instead
            log.warning("disk cache: ignoring corrupt %s: %s: %s", path, type(exc).__name__, exc)
            return None
        age = max(0.0, self.clock() - stored_at)
        return Entry(value, age, expired=age >= self.ttl)

    def store(self, region: str, kind: str, key: object, codec: Codec[T], value: T) -> bool:
        """Write the value (atomically); False, with a log line, when the folder can't be used."""
        if self._disabled:
            return False
        path, identity = self._path(region, kind, key)
        document = {"format": FORMAT, "identity": identity, "stored_at": self.clock(), "value": codec.encode(value)}
        with self._lock:
            try:
                private_dir(self.directory, what="cache folder")
                handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
                try:
                    with os.fdopen(handle, "w", encoding="utf-8") as out:
                        json.dump(document, out, separators=(",", ":"))
                    os.replace(temporary, path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
            except (OSError, UnsafeFileError) as exc:
                self._disabled = str(exc)
                log.warning("disk cache: off for this run, %s can't be written: %s", self.directory, exc)
                return False
        return True
