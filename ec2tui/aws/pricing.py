"""Prices from AWS: the Price List Query API (On-Demand instances, EBS) and DescribeSpotPriceHistory (Spot).

The Price List API is global and answers from us-east-1; its GetProducts returns each product as a JSON *string*
holding the product's attributes and its terms. Only On-Demand terms in USD are read here, and only dimensions whose
unit fits what is being priced (hours for instances, GB-month / IOPS-month / throughput-month for EBS).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ec2tui.aws.models.pricing import EbsPrices, InstancePrice, Platform, SpotPrice

log = logging.getLogger(__name__)

PRICING_REGION = "us-east-1"
"""Where the Price List Query API is served (it also answers in eu-central-1 and ap-south-1)."""

SERVICE_CODE = "AmazonEC2"
HOURLY_UNITS = frozenset({"hrs", "hours", "hour"})
GIB_PER_MIB = 1024

# The usage type (after its region prefix, e.g. "USW2-") names the EBS product: more dependable than the volume
# attributes, which some records leave out. io1 is "piops" and magnetic "standard" has no suffix.
_EBS_STORAGE = {
    "EBS:VolumeUsage": "standard",
    "EBS:VolumeUsage.gp2": "gp2",
    "EBS:VolumeUsage.gp3": "gp3",
    "EBS:VolumeUsage.piops": "io1",
    "EBS:VolumeUsage.io2": "io2",
    "EBS:VolumeUsage.st1": "st1",
    "EBS:VolumeUsage.sc1": "sc1",
}
_EBS_IOPS = {
    "EBS:VolumeP-IOPS.gp3": "gp3",
    "EBS:VolumeP-IOPS.piops": "io1",
    "EBS:VolumeP-IOPS.io2": "io2",
    "EBS:VolumeP-IOPS.io2.tier2": "io2.tier2",
    "EBS:VolumeP-IOPS.io2.tier3": "io2.tier3",
}
_EBS_THROUGHPUT = {"EBS:VolumeP-Throughput.gp3": "gp3"}


@dataclass(frozen=True)
class PriceDimension:
    unit: str
    usd: float
    begin_range: str = "0"


@dataclass(frozen=True)
class PriceRecord:
    """One Price List product with its On-Demand USD dimensions."""

    sku: str
    product_family: str
    attributes: Mapping[str, str]
    on_demand: tuple[PriceDimension, ...]

    @property
    def usage_suffix(self) -> str:
        """The usage type without its region prefix (``USW2-EBS:VolumeUsage.gp3`` -> ``EBS:VolumeUsage.gp3``)."""
        usage = self.attributes.get("usagetype", "")
        head, sep, tail = usage.partition("-")
        return tail if sep and ":" not in head else usage

    def price(self, units: Iterable[str]) -> PriceDimension | None:
        """The first-tier dimension in one of ``units`` (compared case-insensitively)."""
        wanted = {u.casefold() for u in units}
        matching = [d for d in self.on_demand if d.unit.casefold() in wanted]
        first = [d for d in matching if d.begin_range in ("0", "")]
        return next(iter(first or matching), None)


def parse_price_record(raw: str | Mapping[str, Any]) -> PriceRecord | None:
    """Read one PriceList entry; None (and a debug log) for anything that is not a priced product."""
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else raw
        product = data["product"]
        attributes = {str(k): str(v) for k, v in (product.get("attributes") or {}).items()}
        terms = (data.get("terms") or {}).get("OnDemand") or {}
        dimensions = []
        for term in terms.values():
            for dimension in (term.get("priceDimensions") or {}).values():
                usd = (dimension.get("pricePerUnit") or {}).get("USD")
                if usd is None:
                    continue  # priced in another currency only (the China regions' CNY)
                try:
                    value = float(usd)
                except ValueError:
                    continue
                dimensions.append(
                    PriceDimension(str(dimension.get("unit", "")), value, str(dimension.get("beginRange", "0")))
                )
        return PriceRecord(
            str(product.get("sku", "")), str(product.get("productFamily", "")), attributes, tuple(dimensions)
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.debug("Ignoring an unreadable Price List entry: %s", exc)
        return None


def term_filters(**fields: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in fields.items()]


def products(pricing: Any, filters: list[dict[str, str]]) -> Iterator[PriceRecord]:
    """Every EC2 product matching ``filters`` (all pages)."""
    paginator = pricing.get_paginator("get_products")
    for page in paginator.paginate(ServiceCode=SERVICE_CODE, Filters=filters, FormatVersion="aws_v1"):
        for raw in page.get("PriceList", ()):
            record = parse_price_record(raw)
            if record is not None:
                yield record


def _instance_filters(region: str, platform: Platform, **more: str) -> list[dict[str, str]]:
    return term_filters(
        regionCode=region,
        operatingSystem=platform.operating_system,
        tenancy="Shared",
        preInstalledSw=platform.pre_installed_sw,
        capacitystatus="Used",
        licenseModel=platform.license_model,
        operation=platform.operation,
        **more,
    )


def _hourly_by_type(records: Iterable[PriceRecord], platform: Platform) -> dict[str, float]:
    """Instance type -> USD per hour. Where several products remain for one type (the filters name one in the
    real Price List), the one whose ``operation`` is exactly the platform's wins, then the cheapest."""
    best: dict[str, tuple[bool, float]] = {}
    for record in records:
        instance_type = record.attributes.get("instanceType")
        dimension = record.price(HOURLY_UNITS)
        if not instance_type or dimension is None or dimension.usd <= 0:
            continue
        candidate = (record.attributes.get("operation") != platform.operation, dimension.usd)
        if instance_type not in best or candidate < best[instance_type]:
            best[instance_type] = candidate
    return {name: usd for name, (_, usd) in best.items()}


def instance_price(pricing: Any, region: str, instance_type: str, platform: Platform) -> InstancePrice | None:
    """The On-Demand price of one instance type; None when the Price List has none (not offered there)."""
    records = products(pricing, _instance_filters(region, platform, instanceType=instance_type))
    usd = _hourly_by_type(records, platform).get(instance_type)
    return None if usd is None else InstancePrice(instance_type, region, platform.label, usd)


def instance_prices(pricing: Any, region: str, platform: Platform) -> dict[str, float]:
    """Every instance type's On-Demand USD per hour in ``region`` for ``platform`` (for sorting the picker)."""
    return _hourly_by_type(products(pricing, _instance_filters(region, platform)), platform)


def ebs_prices(pricing: Any, region: str) -> EbsPrices:
    """The region's EBS prices: storage per GB-month, provisioned IOPS and gp3 throughput per month."""
    gb: dict[str, float] = {}
    iops: dict[str, float] = {}
    mibps: dict[str, float] = {}
    for family in ("Storage", "System Operation", "Provisioned Throughput"):
        for record in products(pricing, term_filters(regionCode=region, productFamily=family)):
            suffix = record.usage_suffix
            if suffix in _EBS_STORAGE:
                _keep(gb, _EBS_STORAGE[suffix], record.price(("GB-Mo", "GB-month")))
            elif suffix in _EBS_IOPS:
                _keep(iops, _EBS_IOPS[suffix], record.price(("IOPS-Mo", "IOPS-month")))
            elif suffix in _EBS_THROUGHPUT:
                per_mib = record.price(("MiBps-Mo", "MiBps-month"))
                per_gib = record.price(("GiBps-mo", "GiBps-month"))
                if per_mib is not None:
                    _keep(mibps, _EBS_THROUGHPUT[suffix], per_mib)
                elif per_gib is not None:  # the Price List quotes gp3 throughput per GiB/s-month
                    mibps[_EBS_THROUGHPUT[suffix]] = per_gib.usd / GIB_PER_MIB
    return EbsPrices(region, gb, iops, mibps)


def _keep(table: dict[str, float], key: str, dimension: PriceDimension | None) -> None:
    if dimension is not None:
        table[key] = dimension.usd


def spot_prices(
    ec2: Any, product_description: str, instance_types: Iterable[str] = (), *, now: datetime | None = None
) -> dict[str, tuple[SpotPrice, ...]]:
    """The current Spot price of each instance type in each zone (the latest record per type and zone).

    With ``StartTime`` now, DescribeSpotPriceHistory returns the price in force at that moment for each type and
    zone; older records that still come back (and later changes during paging) are resolved by timestamp.
    """
    kwargs: dict[str, Any] = {
        "ProductDescriptions": [product_description],
        "StartTime": now or datetime.now(UTC),
    }
    types = sorted(set(instance_types))
    if types:
        kwargs["InstanceTypes"] = types
    latest: dict[tuple[str, str], SpotPrice] = {}
    for page in ec2.get_paginator("describe_spot_price_history").paginate(**kwargs):
        for item in page.get("SpotPriceHistory", ()):
            price = _spot_price(item)
            if price is None:
                continue
            key = (price.instance_type, price.zone)
            if key not in latest or price.timestamp > latest[key].timestamp:
                latest[key] = price
    by_type: dict[str, list[SpotPrice]] = {}
    for (instance_type, _), price in sorted(latest.items()):
        by_type.setdefault(instance_type, []).append(price)
    return {name: tuple(prices) for name, prices in by_type.items()}


def _spot_price(item: Mapping[str, Any]) -> SpotPrice | None:
    try:
        timestamp = item.get("Timestamp")
        if not isinstance(timestamp, datetime):
            timestamp = datetime.fromtimestamp(0, UTC)
        return SpotPrice(str(item["InstanceType"]), str(item["AvailabilityZone"]), float(item["SpotPrice"]), timestamp)
    except (KeyError, TypeError, ValueError):
        return None  # moto answers offerings without a price
