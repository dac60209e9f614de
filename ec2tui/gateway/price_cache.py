"""Prices kept on disk for a day, one small JSON file per region: the Price List changes a few times a month, and
asking it again at every start would cost seconds (the whole region's instance prices are megabytes)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ec2tui.paths import cache_dir

log = logging.getLogger(__name__)

PRICE_TTL = 24 * 3600.0
FORMAT_VERSION = 1


def default_cache_dir() -> Path:
    """``$EC2TUI_CACHE_DIR``, else the platform's user cache directory (``~/.cache/ec2tui`` on Linux)."""
    return cache_dir()


class Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()
"""What :meth:`PriceDiskCache.get` returns for no (fresh) entry; ``None`` is a value ("no price there")."""


class PriceDiskCache:
    """JSON values by (region, key), each valid for ``ttl`` seconds of ``clock``. An unreadable or foreign file is
    treated as empty (and replaced at the next write); a failed write is logged and forgotten: the cache only
    saves time, it never stops a price from showing."""

    def __init__(self, directory: Path, *, ttl: float = PRICE_TTL, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()

    def path(self, region: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", region)
        return self.directory / f"prices-{safe}.json"

    def get(self, region: str, key: str) -> Any:
        with self._lock:
            entry = self._entries(region).get(key)
        if not isinstance(entry, dict) or "value" not in entry:
            return MISSING
        saved_at = entry.get("saved_at")
        if not isinstance(saved_at, int | float) or not 0 <= self.clock() - saved_at < self.ttl:
            return MISSING
        return entry["value"]

    def put(self, region: str, key: str, value: Any) -> None:
        with self._lock:
            entries = self._entries(region)
            now = self.clock()
            fresh = {
                k: e
                for k, e in entries.items()
                if isinstance(e, dict) and isinstance(e.get("saved_at"), int | float) and now - e["saved_at"] < self.ttl
            }
            fresh[key] = {"saved_at": now, "value": value}
            self._write(region, {"version": FORMAT_VERSION, "region": region, "entries": fresh})

    def _entries(self, region: str) -> dict[str, Any]:
        try:
            data = json.loads(self.path(region).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.debug("Ignoring the unreadable price cache %s: %s", self.path(region), exc)
            return {}
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or data.get("region") != region:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _write(self, region: str, data: dict[str, Any]) -> None:
        target = self.path(region)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, separators=(",", ":"))
                os.replace(tmp, target)  # readers see the old file or the new one, never half of one
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            log.debug("Could not save the price cache %s: %s", target, exc)
