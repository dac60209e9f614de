"""How instance-type facts read on screen: shared by the type picker, the launch form and its review."""

from __future__ import annotations

from ec2tui.aws.models.instance_types import InstanceTypeInfo


def format_memory(gib: float) -> str:
    """0.5, 1, 3.75, 768: no trailing zeros."""
    return f"{gib:,.3f}".rstrip("0").rstrip(".")


def format_network(performance: str) -> str:
    """ "Up to 12.5 Gigabit" -> "Up to 12.5 Gbit" (keeps the table narrow enough for 100 columns)."""
    return performance.replace(" Gigabit", " Gbit")


def format_storage(info: InstanceTypeInfo) -> str:
    if info.storage is None:
        return "EBS only"
    storage = info.storage
    return f"{storage.count} x {storage.size_gb:,} GB {storage.disk_type.upper()}".strip()
