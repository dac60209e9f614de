"""Region and account models."""

from __future__ import annotations

from dataclasses import dataclass

ENABLED_STATUSES = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    endpoint: str
    opt_in_status: str
    description: str = ""
    """Human name such as "US East (N. Virginia)", from botocore's endpoint data."""

    @property
    def enabled(self) -> bool:
        return self.opt_in_status in ENABLED_STATUSES


@dataclass(frozen=True, slots=True)
class InstanceCounts:
    """How many instances a region holds (terminated ones left out), and how many of them run."""

    total: int
    running: int


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the credentials belong to (never holds a secret)."""

    account: str
    arn: str
