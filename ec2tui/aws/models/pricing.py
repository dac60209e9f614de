"""Price models (On-Demand, Spot, EBS) and the pure cost arithmetic the launch review and the instances list use.

Prices are data from the AWS Price List (see :mod:`ec2tui.aws.pricing`); nothing here knows a price. What is here is
how AWS names platforms in the Price List, and how a bill adds up from unit prices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

HOURS_PER_MONTH = 730
"""AWS's own convention for monthly estimates (the pricing calculator uses 730 h)."""

GP3_FREE_IOPS = 3000
GP3_FREE_THROUGHPUT = 125
"""MiB/s included with every gp3 volume."""

IO2_TIER_LIMITS = (32_000, 64_000)
"""io2 IOPS are billed in tiers per volume: up to 32,000, 32,001 to 64,000, and above 64,000."""


@dataclass(frozen=True)
class Platform:
    """An AMI's billing platform, in the terms of the Price List's EC2 product attributes."""

    label: str
    """What AWS calls it in ``PlatformDetails`` (``Linux/UNIX``, ``Windows``, ``Red Hat Enterprise Linux``…)."""
    operation: str
    """The AMI's ``UsageOperation``, which the Price List's ``operation`` attribute repeats."""
    operating_system: str
    """The Price List's ``operatingSystem`` (``Linux``, ``Windows``, ``RHEL``, ``SUSE``, ``Ubuntu Pro``)."""
    license_model: str = "No License required"
    pre_installed_sw: str = "NA"
    spot_description: str | None = None
    """``ProductDescription`` for DescribeSpotPriceHistory; None where Spot has no such product."""


_PLATFORMS = (
    Platform("Linux/UNIX", "RunInstances", "Linux", spot_description="Linux/UNIX"),
    Platform("Windows", "RunInstances:0002", "Windows", spot_description="Windows"),
    Platform("Windows BYOL", "RunInstances:0800", "Windows", license_model="Bring your own license"),
    Platform("Red Hat Enterprise Linux", "RunInstances:0010", "RHEL", spot_description="Red Hat Enterprise Linux"),
    Platform("Red Hat Enterprise Linux with HA", "RunInstances:1010", "Red Hat Enterprise Linux with HA"),
    Platform("Red Hat BYOL Linux", "RunInstances:00g0", "RHEL", license_model="Bring your own license"),
    Platform("SUSE Linux", "RunInstances:000g", "SUSE", spot_description="SUSE Linux"),
    Platform("Ubuntu Pro", "RunInstances:0g00", "Ubuntu Pro"),
    Platform("Windows with SQL Server Standard", "RunInstances:0006", "Windows", pre_installed_sw="SQL Std"),
    Platform("Windows with SQL Server Web", "RunInstances:0202", "Windows", pre_installed_sw="SQL Web"),
    Platform("Windows with SQL Server Enterprise", "RunInstances:0102", "Windows", pre_installed_sw="SQL Ent"),
    Platform("Linux with SQL Server Standard", "RunInstances:0004", "Linux", pre_installed_sw="SQL Std"),
    Platform("Linux with SQL Server Web", "RunInstances:0200", "Linux", pre_installed_sw="SQL Web"),
    Platform("Linux with SQL Server Enterprise", "RunInstances:0100", "Linux", pre_installed_sw="SQL Ent"),
)
_BY_OPERATION = {p.operation: p for p in _PLATFORMS}
_BY_LABEL = {p.label.casefold(): p for p in _PLATFORMS}

LINUX = _PLATFORMS[0]
WINDOWS = _PLATFORMS[1]


def platform_for_image(platform_details: str | None, usage_operation: str | None = None) -> Platform | None:
    """The billing platform of an AMI (or instance) from what EC2 reports: ``UsageOperation`` is exact, else
    ``PlatformDetails`` by name; one that reports neither is Linux/UNIX (``Platform`` is only set for Windows).
    None for a platform the Price List query cannot name (a Marketplace product's own charges, say).

    Where ``UsageOperation`` is plain ``RunInstances`` but ``PlatformDetails`` names another platform, the details
    win: AWS never reports that pair, emulators (moto) leave the operation at its default."""
    by_label = _BY_LABEL.get(platform_details.strip().casefold()) if platform_details else None
    if usage_operation:
        by_operation = _BY_OPERATION.get(usage_operation.strip())
        if by_operation is LINUX and by_label is not None:
            return by_label
        return by_operation
    if not platform_details:
        return LINUX
    return by_label


def platform_for_spot(product_description: str) -> Platform | None:
    """The platform of a Spot ``ProductDescription`` (``Linux/UNIX``, ``Windows (Amazon VPC)``…)."""
    wanted = product_description.removesuffix(" (Amazon VPC)").strip().casefold()
    return next((p for p in _PLATFORMS if p.spot_description and p.spot_description.casefold() == wanted), None)


@dataclass(frozen=True)
class InstancePrice:
    instance_type: str
    region: str
    platform: str
    usd_per_hour: float

    @property
    def usd_per_month(self) -> float:
        return self.usd_per_hour * HOURS_PER_MONTH


@dataclass(frozen=True)
class SpotPrice:
    instance_type: str
    zone: str
    usd_per_hour: float
    timestamp: datetime


def cheapest_spot(prices: Iterable[SpotPrice]) -> SpotPrice | None:
    """The zone with the lowest current Spot price (the picker shows it beside the On-Demand price)."""
    return min(prices, key=lambda p: (p.usd_per_hour, p.zone), default=None)


@dataclass(frozen=True)
class EbsPrices:
    """A region's EBS unit prices in USD, by the volume type's API name (``gp3``, ``io1``, ``standard``…)."""

    region: str
    gb_month: Mapping[str, float] = field(default_factory=dict)
    iops_month: Mapping[str, float] = field(default_factory=dict)
    """Per provisioned IOPS-month: ``gp3``, ``io1``, ``io2`` (first tier), ``io2.tier2``, ``io2.tier3``."""
    mibps_month: Mapping[str, float] = field(default_factory=dict)
    """Per provisioned MiB/s-month of throughput: ``gp3``."""

    def to_json(self) -> dict[str, object]:
        return {
            "region": self.region,
            "gb_month": dict(self.gb_month),
            "iops_month": dict(self.iops_month),
            "mibps_month": dict(self.mibps_month),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> EbsPrices:
        def prices(name: str) -> dict[str, float]:
            raw = data.get(name)
            if not isinstance(raw, Mapping):
                raise ValueError(f"{name} is not a mapping")
            return {str(k): float(v) for k, v in raw.items()}

        return cls(str(data["region"]), prices("gb_month"), prices("iops_month"), prices("mibps_month"))


# -- cost arithmetic ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeSpec:
    """One EBS volume of the launch (per instance)."""

    volume_type: str
    size_gb: int
    iops: int | None = None
    throughput: int | None = None
    """MiB/s (gp3 only)."""


@dataclass(frozen=True)
class CostLine:
    label: str
    usd_per_month: float


@dataclass(frozen=True)
class CostEstimate:
    """What a launch costs per month (and per hour), line by line; ``missing`` names what had no price, so the
    total then covers only part of the bill and the UI says so."""

    lines: tuple[CostLine, ...]
    missing: tuple[str, ...]
    assumptions: str

    @property
    def usd_per_month(self) -> float:
        return sum(line.usd_per_month for line in self.lines)

    @property
    def usd_per_hour(self) -> float:
        return self.usd_per_month / HOURS_PER_MONTH

    @property
    def complete(self) -> bool:
        return not self.missing


def assumptions_text(platform: str, region: str) -> str:
    """The one line the review shows under an estimate."""
    return (
        f"On-Demand {platform} in {region}, shared tenancy, {HOURS_PER_MONTH} h a month; EBS per GB-month plus "
        f"gp3 IOPS above {GP3_FREE_IOPS:,} and throughput above {GP3_FREE_THROUGHPUT} MiB/s, every io1/io2 IOPS "
        "(io2 tiered); no snapshots, data transfer, public IPv4, Spot, Savings Plans or tax."
    )


def estimate_cost(
    count: int,
    usd_per_hour: float | None,
    volumes: Iterable[VolumeSpec],
    ebs: EbsPrices | None,
    *,
    platform: str = "Linux/UNIX",
    region: str = "",
) -> CostEstimate:
    """Monthly cost of ``count`` instances at ``usd_per_hour`` each, with ``volumes`` attached to each one."""
    lines: list[CostLine] = []
    missing: list[str] = []
    if usd_per_hour is None:
        missing.append("instance price")
    else:
        noun = "instance" if count == 1 else "instances"
        lines.append(CostLine(f"{count} {noun} x ${usd_per_hour:g}/h", count * usd_per_hour * HOURS_PER_MONTH))
    for volume in volumes:
        volume_lines, volume_missing = _volume_cost(volume, ebs)
        lines.extend(CostLine(line.label, line.usd_per_month * count) for line in volume_lines)
        missing.extend(volume_missing)
    return CostEstimate(tuple(lines), tuple(dict.fromkeys(missing)), assumptions_text(platform, region))


def _volume_cost(volume: VolumeSpec, ebs: EbsPrices | None) -> tuple[list[CostLine], list[str]]:
    kind = volume.volume_type
    lines: list[CostLine] = []
    missing: list[str] = []
    gb_price = ebs.gb_month.get(kind) if ebs else None
    if gb_price is None:
        missing.append(f"{kind} storage price")
    else:
        lines.append(CostLine(f"{kind} {volume.size_gb} GB", volume.size_gb * gb_price))
    iops = volume.iops or 0
    if kind == "gp3":
        _add(lines, missing, ebs, "iops_month", "gp3", max(0, iops - GP3_FREE_IOPS), "gp3 IOPS above 3,000")
        extra = max(0, (volume.throughput or 0) - GP3_FREE_THROUGHPUT)
        _add(lines, missing, ebs, "mibps_month", "gp3", extra, "gp3 throughput above 125 MiB/s")
    elif kind == "io1":
        _add(lines, missing, ebs, "iops_month", "io1", iops, "io1 IOPS")
    elif kind == "io2":
        first, second = IO2_TIER_LIMITS
        _add(lines, missing, ebs, "iops_month", "io2", min(iops, first), "io2 IOPS up to 32,000")
        _add(
            lines, missing, ebs, "iops_month", "io2.tier2", max(0, min(iops, second) - first), "io2 IOPS 32,001-64,000"
        )
        _add(lines, missing, ebs, "iops_month", "io2.tier3", max(0, iops - second), "io2 IOPS above 64,000")
    return lines, missing


def _add(
    lines: list[CostLine], missing: list[str], ebs: EbsPrices | None, table: str, key: str, units: int, label: str
) -> None:
    if units <= 0:
        return
    price = getattr(ebs, table).get(key) if ebs else None
    if price is None:
        missing.append(f"{label} price")
    else:
        lines.append(CostLine(f"{label}: {units:,}", units * price))


def fleet_usd_per_hour(prices: Iterable[float | None]) -> tuple[float, int]:
    """The total of the known hourly prices of listed (running) instances, and how many had no price."""
    total, unknown = 0.0, 0
    for price in prices:
        if price is None:
            unknown += 1
        else:
            total += price
    return total, unknown
