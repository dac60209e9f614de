"""Instance type models and the pure filter the launch form's type picker uses."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InstanceStorage:
    """Local instance-store disks (``None`` on :class:`InstanceTypeInfo` means EBS-only)."""

    count: int
    size_gb: int
    """Size of one disk, in GB."""
    disk_type: str
    """``ssd`` or ``hdd``."""
    total_gb: int


@dataclass(frozen=True, slots=True)
class InstanceTypeInfo:
    name: str
    vcpus: int
    memory_mib: int
    architectures: tuple[str, ...]
    current_generation: bool
    network_performance: str
    free_tier_eligible: bool
    storage: InstanceStorage | None
    root_device_types: tuple[str, ...]
    """``ebs`` and/or ``instance-store``: which AMIs the type can boot."""
    burstable: bool = False
    bare_metal: bool = False

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def size(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else ""

    @property
    def memory_gib(self) -> float:
        return self.memory_mib / 1024

    @property
    def ebs_only(self) -> bool:
        return self.storage is None

    def supports_architecture(self, architecture: str) -> bool:
        return architecture in self.architectures


def _family_key(family: str) -> tuple[str, int, str]:
    """``t3a`` -> ("t", 3, "a"): families sort by series letter, then generation number, then suffix."""
    match = re.match(r"([a-z-]+?)(\d+)(.*)", family)
    if not match:
        return (family, 0, "")
    return (match.group(1), int(match.group(2)), match.group(3))


def sort_key(info: InstanceTypeInfo) -> tuple[object, ...]:
    """Family (t2 < t3 < t3a < t4g), then size by vCPUs and memory, then name."""
    return (_family_key(info.family), info.vcpus, info.memory_mib, info.name)


def filter_types(
    types: Iterable[InstanceTypeInfo],
    *,
    min_vcpu: int = 0,
    min_mem_gib: float = 0,
    architecture: str | None = None,
    family: str | None = None,
    current_only: bool = False,
    offered: Collection[str] | None = None,
    free_tier_only: bool = False,
    text: str = "",
) -> list[InstanceTypeInfo]:
    """Types matching every given criterion, sorted by family then size.

    ``family`` matches the family exactly (``t3``) or, when it ends with ``*``, as a prefix (``t*``, ``m7*``).
    ``offered`` is the set of type names offered at the chosen location (``None`` = don't filter).
    ``text`` is a case-insensitive substring of the type name.
    """
    family_filter = (family or "").strip().lower()
    needle = text.strip().lower()
    result = []
    for info in types:
        if info.vcpus < min_vcpu or info.memory_gib < min_mem_gib:
            continue
        if architecture and architecture not in info.architectures:
            continue
        if family_filter:
            if family_filter.endswith("*"):
                if not info.family.startswith(family_filter[:-1]):
                    continue
            elif info.family != family_filter:
                continue
        if current_only and not info.current_generation:
            continue
        if offered is not None and info.name not in offered:
            continue
        if free_tier_only and not info.free_tier_eligible:
            continue
        if needle and needle not in info.name:
            continue
        result.append(info)
    return sorted(result, key=sort_key)
