"""Reading the Price List (realistic GetProducts records) and the Spot price history, through botocore's Stubber."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ec2tui.aws import pricing as svc
from ec2tui.aws.models.pricing import LINUX, WINDOWS, platform_for_image

RHEL = platform_for_image("Red Hat Enterprise Linux")


def dimension(unit: str, usd: str | None, begin: str = "0", currency: str = "USD") -> dict:
    price = {} if usd is None else {currency: usd}
    return {"unit": unit, "beginRange": begin, "endRange": "Inf", "description": "...", "pricePerUnit": price}


def record(family: str, attributes: dict, *dimensions: dict, sku: str = "SKU1") -> str:
    """A GetProducts PriceList entry: a JSON string, with a Reserved term that must be ignored."""
    dims = {f"{sku}.JRTCKXETXF.{i}": d for i, d in enumerate(dimensions)}
    return json.dumps(
        {
            "product": {"productFamily": family, "attributes": attributes, "sku": sku},
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {f"{sku}.JRTCKXETXF": {"priceDimensions": dims, "sku": sku}},
                "Reserved": {f"{sku}.4NA7Y494T4": {"priceDimensions": {"x": dimension("Quantity", "1.0")}}},
            },
            "version": "20251120000000",
        }
    )


def box(instance_type: str, os_name: str, operation: str, usd: str, *, region="us-east-1", sku="SKU1") -> str:
    attributes = {
        "instanceType": instance_type,
        "operatingSystem": os_name,
        "operation": operation,
        "tenancy": "Shared",
        "capacitystatus": "Used",
        "preInstalledSw": "NA",
        "licenseModel": "No License required",
        "regionCode": region,
        "usagetype": f"BoxUsage:{instance_type}",
    }
    return record("Compute Instance", attributes, dimension("Hrs", usd), sku=sku)


def ebs(family: str, usagetype: str, unit: str, usd: str) -> str:
    return record(family, {"usagetype": usagetype, "regionCode": "us-west-2"}, dimension(unit, usd), sku=usagetype)


@pytest.fixture
def pricing():
    client = boto3.client("pricing", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def expect_filters(region: str, **fields: str) -> dict:
    return {"ServiceCode": "AmazonEC2", "FormatVersion": "aws_v1", "Filters": svc.term_filters(**fields)}


def test_linux_price_with_the_filters_that_name_one_product(pricing):
    client, stub = pricing
    stub.add_response(
        "get_products",
        {"PriceList": [box("t3.medium", "Linux", "RunInstances", "0.0416000000")], "FormatVersion": "aws_v1"},
        expect_filters(
            "us-east-1",
            regionCode="us-east-1",
            operatingSystem="Linux",
            tenancy="Shared",
            preInstalledSw="NA",
            capacitystatus="Used",
            licenseModel="No License required",
            operation="RunInstances",
            instanceType="t3.medium",
        ),
    )
    price = svc.instance_price(client, "us-east-1", "t3.medium", LINUX)
    assert price is not None
    assert (price.usd_per_hour, price.platform) == (0.0416, "Linux/UNIX")
    assert price.usd_per_month == pytest.approx(30.368)  # 0.0416 x 730


def test_windows_and_rhel_prices(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": [box("m5.large", "Windows", "RunInstances:0002", "0.188")]}, None)
    stub.add_response("get_products", {"PriceList": [box("m5.large", "RHEL", "RunInstances:0010", "0.1248")]}, None)
    assert svc.instance_price(client, "us-east-1", "m5.large", WINDOWS).usd_per_hour == 0.188
    assert RHEL is not None
    rhel = svc.instance_price(client, "us-east-1", "m5.large", RHEL)
    assert (rhel.usd_per_hour, rhel.platform) == (0.1248, "Red Hat Enterprise Linux")


def test_whole_region_table_over_pages_skipping_what_cannot_be_priced(pricing):
    client, stub = pricing
    no_usd = record(
        "Compute Instance",
        {"instanceType": "x9.large", "operation": "RunInstances"},
        dimension("Hrs", "0.5", currency="CNY"),
        sku="CNY",
    )
    per_request = record(
        "Compute Instance",
        {"instanceType": "odd.large", "operation": "RunInstances"},
        dimension("Requests", "0.01"),
        sku="REQ",
    )
    stub.add_response(
        "get_products",
        {
            "PriceList": [box("t3.micro", "Linux", "RunInstances", "0.0104", sku="A"), no_usd, "{not json", "[]"],
            "NextToken": "page-2",
        },
        None,
    )
    stub.add_response(
        "get_products",
        {"PriceList": [box("t3.small", "Linux", "RunInstances", "0.0208", sku="B"), per_request]},
        {"ServiceCode": "AmazonEC2", "FormatVersion": "aws_v1", "Filters": ANY, "NextToken": "page-2"},
    )
    assert svc.instance_prices(client, "us-east-1", LINUX) == {"t3.micro": 0.0104, "t3.small": 0.0208}


def test_several_products_for_one_type_prefer_the_exact_operation_then_the_cheapest(pricing):
    client, stub = pricing
    stub.add_response(
        "get_products",
        {
            "PriceList": [
                box("m5.large", "Linux", "RunInstances:0004", "0.5", sku="SQL"),
                box("m5.large", "Linux", "RunInstances", "0.096", sku="A"),
                box("m5.large", "Linux", "RunInstances", "0.0", sku="ZERO"),  # a $0 product is no price
            ]
        },
        None,
    )
    assert svc.instance_price(client, "us-east-1", "m5.large", LINUX).usd_per_hour == 0.096


def test_several_dimensions_take_the_first_tier():
    raw = record(
        "Compute Instance",
        {"instanceType": "t3.nano"},
        dimension("Hrs", "0.004", begin="750"),
        dimension("Hrs", "0.0052", begin="0"),
        dimension("Quantity", "9.99"),
    )
    parsed = svc.parse_price_record(raw)
    assert parsed is not None and parsed.price(svc.HOURLY_UNITS).usd == 0.0052
    assert svc.parse_price_record('{"terms": {}}') is None  # no product


def test_unknown_type_is_none(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": []}, None)
    assert svc.instance_price(client, "us-east-1", "zz9.huge", LINUX) is None


def test_ebs_prices_by_usage_type_with_gp3_throughput_per_gib(pricing):
    client, stub = pricing
    storage = [
        ebs("Storage", "USW2-EBS:VolumeUsage.gp2", "GB-Mo", "0.10"),
        ebs("Storage", "USW2-EBS:VolumeUsage.gp3", "GB-Mo", "0.08"),
        ebs("Storage", "USW2-EBS:VolumeUsage.piops", "GB-Mo", "0.125"),
        ebs("Storage", "USW2-EBS:VolumeUsage.io2", "GB-Mo", "0.125"),
        ebs("Storage", "USW2-EBS:VolumeUsage.st1", "GB-Mo", "0.045"),
        ebs("Storage", "USW2-EBS:VolumeUsage.sc1", "GB-Mo", "0.015"),
        ebs("Storage", "USW2-EBS:VolumeUsage", "GB-Mo", "0.05"),
        ebs("Storage", "USW2-EBS:SnapshotUsage", "GB-Mo", "0.05"),  # not a volume
    ]
    operations = [
        ebs("System Operation", "USW2-EBS:VolumeP-IOPS.gp3", "IOPS-Mo", "0.005"),
        ebs("System Operation", "USW2-EBS:VolumeP-IOPS.piops", "IOPS-Mo", "0.065"),
        ebs("System Operation", "USW2-EBS:VolumeP-IOPS.io2", "IOPS-Mo", "0.065"),
        ebs("System Operation", "USW2-EBS:VolumeP-IOPS.io2.tier2", "IOPS-Mo", "0.0455"),
        ebs("System Operation", "USW2-EBS:VolumeP-IOPS.io2.tier3", "IOPS-Mo", "0.03185"),
        ebs("System Operation", "USW2-EBS:VolumeIOUsage", "IOs", "0.00000005"),
    ]
    throughput = [ebs("Provisioned Throughput", "USW2-EBS:VolumeP-Throughput.gp3", "GiBps-mo", "40.96")]
    pages = {"Storage": storage, "System Operation": operations, "Provisioned Throughput": throughput}
    for family, page in pages.items():
        stub.add_response(
            "get_products",
            {"PriceList": page},
            expect_filters("us-west-2", regionCode="us-west-2", productFamily=family),
        )
    prices = svc.ebs_prices(client, "us-west-2")
    assert prices.gb_month == {"gp2": 0.10, "gp3": 0.08, "io1": 0.125, "io2": 0.125, "st1": 0.045, "sc1": 0.015,
                               "standard": 0.05}  # fmt: skip
    assert prices.iops_month == {"gp3": 0.005, "io1": 0.065, "io2": 0.065, "io2.tier2": 0.0455, "io2.tier3": 0.03185}
    assert prices.mibps_month == {"gp3": pytest.approx(0.04)}  # 40.96 / 1024


def test_spot_price_is_the_latest_per_zone():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def item(zone: str, price: str, minutes_ago: int, instance_type: str = "m5.large") -> dict:
        return {
            "AvailabilityZone": zone,
            "InstanceType": instance_type,
            "ProductDescription": "Linux/UNIX",
            "SpotPrice": price,
            "Timestamp": now - timedelta(minutes=minutes_ago),
        }

    with Stubber(ec2) as stub:
        stub.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [item("us-east-1a", "0.0400", 90), item("us-east-1a", "0.0380", 10)],
                "NextToken": "more",
            },
            {"ProductDescriptions": ["Linux/UNIX"], "StartTime": now, "InstanceTypes": ["m5.large", "t3.micro"]},
        )
        stub.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    item("us-east-1b", "0.0350", 30),
                    item("us-east-1a", "0.0410", 200),  # older than the one seen: ignored
                    item("us-east-1c", "0.0031", 5, "t3.micro"),
                ]
            },
            {
                "ProductDescriptions": ["Linux/UNIX"],
                "StartTime": now,
                "InstanceTypes": ["m5.large", "t3.micro"],
                "NextToken": "more",
            },
        )
        prices = svc.spot_prices(ec2, "Linux/UNIX", ["t3.micro", "m5.large", "m5.large"], now=now)
    assert {t: [(p.zone, p.usd_per_hour) for p in ps] for t, ps in prices.items()} == {
        "m5.large": [("us-east-1a", 0.038), ("us-east-1b", 0.035)],
        "t3.micro": [("us-east-1c", 0.0031)],
    }


def test_spot_from_moto_reads_every_zone(aws):
    prices = svc.spot_prices(boto3.client("ec2", region_name="us-east-1"), "Linux/UNIX", ["t3.medium"])
    assert len(prices["t3.medium"]) >= 2 and len({p.zone for p in prices["t3.medium"]}) == len(prices["t3.medium"])
