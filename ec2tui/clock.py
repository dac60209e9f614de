"""The wall clock as ec2tui reads it for what it shows (instance ages, "deprecated", the demo's seeded dates).

One place, so that snapshot tests and the demo's scenes pin it (:func:`pin`) instead of freezing time for the whole
process: timers, timeouts and caches keep the real clocks (``time.monotonic``, ``time.time``).
"""

from __future__ import annotations

from datetime import UTC, datetime

_pinned: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC; the pinned instant while one is pinned."""
    return _pinned if _pinned is not None else datetime.now(UTC)


def pin(instant: datetime | None) -> None:
    """Make :func:`now` answer ``instant`` (aware) from now on; ``None`` goes back to the real clock."""
    global _pinned
    if instant is not None and instant.tzinfo is None:
        raise ValueError("pin an aware datetime (UTC), not a naive one")
    _pinned = instant
