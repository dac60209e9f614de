"""The demo's Price List sample served to a gateway in-process (moto has no Pricing service), for Pilot tests.

``serve_prices(gateway)`` hooks the gateway's own clients: GetProducts is answered by the demo's
:class:`~ec2tui.demo.pricing_api.PriceListApi` before anything is sent (a ``before-call`` handler), and moto's
DescribeSpotPriceHistory answer gets the demo's Spot prices (an ``after-call`` handler rewriting the parsed
answer, as the demo's middleware rewrites the XML). ``denied=True`` answers every pricing call AccessDenied.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from ec2tui.aws import pricing as pricing_service
from ec2tui.aws.models.pricing import platform_for_spot
from ec2tui.demo.pricing_api import PriceListApi, load_sample
from ec2tui.demo.spot_history import on_demand_index, zone_factor

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def spot_price(region: str, description: str, instance_type: str, zone: str) -> float | None:
    """The demo's Spot price of a type in a zone (None where the sample has no On-Demand price)."""
    platform = platform_for_spot(description)
    usd = on_demand_index(load_sample()).get((region, platform.operation, instance_type)) if platform else None
    return None if usd is None else round(usd * zone_factor(zone), 4)


def serve_prices(gateway: Any, *, denied: bool = False) -> list[str]:
    """Hook the gateway's pricing and EC2 clients; returns the list of Price List calls made (for assertions)."""
    gateway.pricing.disk = None  # never the user's cache directory
    api = PriceListApi(load_sample())
    calls: list[str] = []
    factory = gateway.core.factory

    def get_products(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        calls.append("GetProducts")
        if denied:
            error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
            return AWSResponse("https://api.pricing", 400, {}, None), error
        body = json.loads(params.get("body") or b"{}")
        return AWSResponse("https://api.pricing", 200, {}, None), api.get_products(body)

    factory.client("pricing", pricing_service.PRICING_REGION).meta.events.register(
        "before-call.pricing.GetProducts", get_products
    )

    def spot_history(parsed: dict[str, Any], **_: Any) -> None:
        kept = []
        for item in parsed.get("SpotPriceHistory", ()):
            zone = item["AvailabilityZone"]
            usd = spot_price(zone[:-1], item["ProductDescription"], item["InstanceType"], zone)
            if usd is not None:
                kept.append(item | {"SpotPrice": f"{usd:.4f}"})
        parsed["SpotPriceHistory"] = kept

    for region in REGIONS:
        factory.ec2(region).meta.events.register("after-call.ec2.DescribeSpotPriceHistory", spot_history)
    return calls
