"""The demo's Price List API: a real botocore pricing client against a moto server with the middleware installed,
and the gateway's prices (with the arithmetic checked by hand) from the bundled sample."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from ec2tui.aws import pricing as svc
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.models.pricing import LINUX, WINDOWS, VolumeSpec, estimate_cost, platform_for_image
from ec2tui.demo.pricing_api import install_pricing_api, load_sample
from ec2tui.demo.seed import FLEET
from ec2tui.gateway.core import GatewayCore
from ec2tui.gateway.pricing import PricingApi


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    install_pricing_api(server)
    install_pricing_api(server)  # twice is harmless: one wrapper
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def pricing(endpoint):
    return boto3.client("pricing", region_name="us-east-1", endpoint_url=endpoint)


def test_get_products_filters_by_term_match(pricing):
    answer = pricing.get_products(
        ServiceCode="AmazonEC2",
        Filters=[
            {"Type": "TERM_MATCH", "Field": "instanceType", "Value": "m5.large"},
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"},
            {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "windows"},  # matched without regard to case
            {"Type": "TERM_MATCH", "Field": "licenseModel", "Value": "No License required"},
        ],
    )
    products = [json.loads(p) for p in answer["PriceList"]]
    assert [p["product"]["attributes"]["operation"] for p in products] == ["RunInstances:0002"]
    assert answer["FormatVersion"] == "aws_v1" and "NextToken" not in answer


def test_get_products_pages_with_next_token(pricing):
    filters = [{"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Storage"}]
    first = pricing.get_products(ServiceCode="AmazonEC2", Filters=filters, MaxResults=5)
    assert len(first["PriceList"]) == 5 and first["NextToken"]
    pages = pricing.get_paginator("get_products").paginate(
        ServiceCode="AmazonEC2", Filters=filters, PaginationConfig={"PageSize": 5}
    )
    skus = [json.loads(p)["product"]["sku"] for page in pages for p in page["PriceList"]]
    storage = [p for p in load_sample() if p["product"]["productFamily"] == "Storage"]
    assert len(skus) == len(set(skus)) == len(storage) == 7 * 4  # seven volume types in four regions


def test_bad_requests_get_aws_errors(pricing):
    with pytest.raises(ClientError) as bad_token:
        pricing.get_products(ServiceCode="AmazonEC2", NextToken="nonsense")
    assert bad_token.value.response["Error"]["Code"] == "InvalidNextTokenException"
    with pytest.raises(ClientError) as unsupported:
        pricing.describe_services()
    assert unsupported.value.response["Error"]["Code"] == "UnsupportedOperation"


def test_everything_else_still_reaches_moto(endpoint):
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    assert ec2.describe_regions(RegionNames=["us-east-1"])["Regions"][0]["RegionName"] == "us-east-1"


def test_sample_prices_every_demo_instance_type_on_linux(pricing):
    for region, fleet in FLEET.items():
        table = svc.instance_prices(pricing, region, LINUX)
        assert {spec.instance_type for spec in fleet} <= set(table), region
    windows = svc.instance_price(pricing, "us-east-1", "m5.large", WINDOWS)
    assert windows is not None and windows.usd_per_hour == 0.188  # the BYOL product in the sample is filtered out
    for name in ("Red Hat Enterprise Linux", "SUSE Linux", "Ubuntu Pro"):
        platform = platform_for_image(name)
        assert platform is not None and svc.instance_price(pricing, "us-east-1", "t3.medium", platform), name


@pytest.fixture
def api(endpoint, tmp_path):
    core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint)))
    yield PricingApi(core, cache_dir=tmp_path)
    core.close()


async def test_gateway_review_estimate_from_the_demo_sample(api):
    price = await api.instance_price("t3.medium", LINUX, region="us-east-1")
    ebs = await api.ebs_prices(region="us-east-1")
    assert price is not None and ebs is not None and api.hint is None
    volumes = [VolumeSpec("gp3", 30, 4000, 125), VolumeSpec("io2", 100, 40_000)]
    estimate = estimate_cost(2, price.usd_per_hour, volumes, ebs, region="us-east-1")
    # by hand, us-east-1 sample: 2 x 0.0416 x 730 = 60.736
    # per instance: gp3 30 x 0.08 = 2.4, (4000 - 3000) x 0.005 = 5; io2 100 x 0.125 = 12.5,
    # 32,000 x 0.065 = 2080, 8,000 x 0.0455 = 364 -> 2463.9; two instances: 4927.8
    assert estimate.usd_per_month == pytest.approx(60.736 + 4927.8)
    assert estimate.complete


async def test_gateway_picker_table_and_eu_prices(api):
    table = await api.instance_prices(LINUX, "eu-west-1")
    assert table is not None and table["t3.medium"] == 0.0456
    ordered = sorted(table, key=table.__getitem__)
    assert ordered[0] == "t3.micro"
    ebs = await api.ebs_prices("eu-west-1")
    assert ebs is not None and ebs.gb_month["gp3"] == 0.088 and ebs.mibps_month["gp3"] == pytest.approx(0.044)


async def test_no_disk_cache_against_a_custom_endpoint_unless_asked(endpoint):
    core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint)))
    try:
        assert PricingApi(core).disk is None
    finally:
        core.close()


def test_demo_spot_prices_replace_motos_placeholder(endpoint):
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    linux = svc.spot_prices(ec2, "Linux/UNIX", ["t3.medium", "x2iedn.metal"])
    zones = {p.zone: p.usd_per_hour for p in linux["t3.medium"]}
    # synthetic by design: the sample's On-Demand $0.0416 x 0.31 in zone a, x 0.34 in zone b
    assert zones["us-east-1a"] == 0.0129 and zones["us-east-1b"] == 0.0141
    assert "x2iedn.metal" not in linux  # no sample price: left out, so the app shows "—"
    assert all(p.timestamp.year >= 2026 for p in linux["t3.medium"])
    windows = svc.spot_prices(ec2, "Windows", ["m5.large"])
    assert {p.zone: p.usd_per_hour for p in windows["m5.large"]}["us-east-1a"] == 0.0583  # 0.188 x 0.31
    answer = ec2.describe_spot_price_history(InstanceTypes=["t3.medium"], ProductDescriptions=["Windows"])
    assert {item["ProductDescription"] for item in answer["SpotPriceHistory"]} == {"Windows"}


async def test_gateway_spot_prices_in_the_demo(api):
    spot = await api.spot_prices(["c7g.large"], LINUX, "us-west-2")
    assert spot is not None and spot["c7g.large"]
    assert min(p.usd_per_hour for p in spot["c7g.large"]) == round(0.0725 * 0.31, 4)


async def test_prices_are_reads_allowed_in_read_only_mode(endpoint, tmp_path):
    core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint)), read_only=True)
    try:
        api = PricingApi(core, cache_dir=tmp_path)
        price = await api.instance_price("m7g.large", LINUX, region="us-east-1")
        assert price is not None and price.usd_per_hour == 0.0816
        assert await api.spot_prices(["m7g.large"], LINUX, region="us-east-1") and api.hint is None
    finally:
        core.close()
