"""Spot prices for the demo: moto answers DescribeSpotPriceHistory with $0.00001 for every type, zone and
platform, dated 2006. The demo rewrites that answer from its Price List sample instead.

The figures are synthetic, and say so: the sample's On-Demand price for the type, region and platform times a
fixed factor per zone (``a`` 0.31, ``b`` 0.34, ``c`` 0.37…, the usual 60-70 % Spot discount), dated now. A type
the sample has no price for is left out of the answer, so the app shows "—" for it as it would for a type AWS does
not sell on Spot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from ec2tui.aws.models.pricing import platform_for_spot

ZONE_FACTOR_BASE = 0.31
ZONE_FACTOR_STEP = 0.03

PriceIndex = Mapping[tuple[str, str, str], float]
"""(region, operation, instance type) -> USD per hour."""

_ITEM = re.compile(rb"<item>(.*?)</item>", re.DOTALL)


def zone_factor(zone: str) -> float:
    """``us-east-1a`` -> 0.31, ``us-east-1b`` -> 0.34, …"""
    letter = zone[-1:].lower()
    index = ord(letter) - ord("a") if "a" <= letter <= "z" else 0
    return ZONE_FACTOR_BASE + ZONE_FACTOR_STEP * index


def on_demand_index(products: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], float]:
    """(region, operation, instance type) -> USD per hour, from Price List records."""
    index: dict[tuple[str, str, str], float] = {}
    for product in products:
        attributes = product.get("product", {}).get("attributes", {})
        if attributes.get("licenseModel") != "No License required" or "instanceType" not in attributes:
            continue
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = dimension.get("pricePerUnit", {}).get("USD")
                if usd is not None and dimension.get("unit") == "Hrs":
                    key = (attributes["regionCode"], attributes["operation"], attributes["instanceType"])
                    index[key] = float(usd)
    return index


def rewrite(body: bytes, product_description: str, prices: PriceIndex, now: datetime) -> bytes:
    """moto's DescribeSpotPriceHistory XML with the demo's prices in it (and the items without one removed)."""
    platform = platform_for_spot(product_description)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def one(match: re.Match[bytes]) -> bytes:
        item = match.group(1)
        zone = _text(item, b"availabilityZone")
        instance_type = _text(item, b"instanceType")
        usd = prices.get((zone[:-1], platform.operation, instance_type)) if platform else None
        if usd is None:
            return b""
        spot = f"{usd * zone_factor(zone):.4f}"
        fields = {
            "availabilityZone": zone,
            "instanceType": instance_type,
            "productDescription": product_description,
            "spotPrice": spot,
            "timestamp": stamp,
        }
        return b"<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()).encode() + b"</item>"

    return _ITEM.sub(one, body)


def _text(item: bytes, tag: bytes) -> str:
    found = re.search(rb"<" + tag + rb">(.*?)</" + tag + rb">", item)
    return found.group(1).decode() if found else ""
