"""PricingApi: a day on disk per region (injected clock), corrupt files ignored, and None plus one hint, never an
error, without the permission or the network."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.models.pricing import LINUX, WINDOWS, fleet_usd_per_hour, platform_for_image
from ec2tui.gateway.core import GatewayCore
from ec2tui.gateway.price_cache import PRICE_TTL, PriceDiskCache
from ec2tui.gateway.pricing import DENIED_PAUSE, PricingApi


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def box(instance_type: str, usd: str) -> str:
    return json.dumps(
        {
            "product": {
                "productFamily": "Compute Instance",
                "sku": instance_type,
                "attributes": {"instanceType": instance_type, "operation": "RunInstances"},
            },
            "terms": {"OnDemand": {"t": {"priceDimensions": {"d": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}}}},
        }
    )


@pytest.fixture
def core(aws):
    core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1")))
    yield core
    core.close()


@pytest.fixture
def stub(core):
    """The Price List client the gateway uses, stubbed: a call with nothing queued fails the test."""
    with Stubber(core.factory.client("pricing", "us-east-1")) as stubber:
        yield stubber


def new_api(core, directory, clock) -> PricingApi:
    return PricingApi(core, cache_dir=directory, clock=clock)


async def test_price_is_kept_on_disk_for_a_day(core, stub, tmp_path):
    clock = Clock()
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0416")]})
    first = await new_api(core, tmp_path, clock).instance_price("t3.medium", LINUX, "us-east-1")
    assert first is not None and first.usd_per_hour == 0.0416
    stub.assert_no_pending_responses()

    # a later run (new core, empty memory) reads the disk, asking nobody
    later = GatewayCore(ClientFactory(AwsTarget(region="us-east-1")))
    try:
        with Stubber(later.factory.client("pricing", "us-east-1")):
            clock.now += PRICE_TTL - 60
            again = await new_api(later, tmp_path, clock).instance_price("t3.medium", LINUX, "us-east-1")
            assert again == first
    finally:
        later.close()

    # after a day, it asks again
    fresh_core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1")))
    try:
        with Stubber(fresh_core.factory.client("pricing", "us-east-1")) as fresh:
            fresh.add_response("get_products", {"PriceList": [box("t3.medium", "0.0420")]})
            clock.now += 120
            newer = await new_api(fresh_core, tmp_path, clock).instance_price("t3.medium", LINUX, "us-east-1")
            fresh.assert_no_pending_responses()
    finally:
        fresh_core.close()
    assert newer is not None and newer.usd_per_hour == 0.042


async def test_cache_is_per_region_and_platform(core, stub, tmp_path):
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0416")]})
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0456")]})
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0600")]})
    api = new_api(core, tmp_path, Clock())
    east = await api.instance_price("t3.medium", LINUX, "us-east-1")
    west = await api.instance_price("t3.medium", LINUX, "eu-west-1")
    windows = await api.instance_price("t3.medium", WINDOWS, "us-east-1")
    assert [p.usd_per_hour for p in (east, west, windows)] == [0.0416, 0.0456, 0.06]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["prices-eu-west-1.json", "prices-us-east-1.json"]
    stub.assert_no_pending_responses()


@pytest.mark.parametrize("garbage", ["{not json", "[]", '{"version": 1, "region": "us-east-1", "entries": 7}'])
async def test_a_corrupt_cache_file_is_ignored_and_replaced(core, stub, tmp_path, garbage):
    clock = Clock()
    path = PriceDiskCache(tmp_path, clock=clock).path("us-east-1")
    path.write_text(garbage)
    stub.add_response("get_products", {"PriceList": [box("t3.small", "0.0208")]})
    price = await new_api(core, tmp_path, clock).instance_price("t3.small", LINUX, "us-east-1")
    assert price is not None and price.usd_per_hour == 0.0208
    assert json.loads(path.read_text())["entries"]["od:RunInstances:t3.small"]["value"] == 0.0208


def test_disk_cache_drops_expired_entries_and_survives_an_unwritable_folder(tmp_path):
    clock = Clock()
    cache = PriceDiskCache(tmp_path, clock=clock)
    cache.put("us-east-1", "old", 1)
    clock.now += PRICE_TTL
    cache.put("us-east-1", "new", 2)
    assert json.loads(cache.path("us-east-1").read_text())["entries"].keys() == {"new"}
    blocked = tmp_path / "file"
    blocked.write_text("")
    PriceDiskCache(blocked / "below", clock=clock).put("us-east-1", "k", 1)  # logged, not raised


async def test_a_whole_region_table_answers_single_prices_without_asking_again(core, stub, tmp_path):
    stub.add_response("get_products", {"PriceList": [box("t3.micro", "0.0104"), box("m5.large", "0.096")]})
    api = new_api(core, tmp_path, Clock())
    assert await api.instance_prices(LINUX, region="us-east-1") == {"t3.micro": 0.0104, "m5.large": 0.096}
    price = await api.instance_price("m5.large", LINUX, region="us-east-1")
    assert price is not None and price.usd_per_hour == 0.096
    stub.assert_no_pending_responses()


async def test_access_denied_is_none_and_one_hint_then_no_more_calls(core, stub, tmp_path):
    clock = Clock()
    stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=400)
    api = new_api(core, tmp_path, clock)
    assert await api.instance_price("t3.medium", LINUX, region="us-east-1") is None
    assert api.hint is not None and "pricing:GetProducts" in api.hint
    # every other price is refused alike: no call for an hour (the stub has nothing queued: a call would fail)
    assert await api.ebs_prices(region="us-east-1") is None
    assert await api.instance_prices(LINUX, region="us-east-1") is None
    assert core.calls["prices"] == 1
    clock.now += DENIED_PAUSE + 1
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0416")]})
    assert await api.instance_price("t3.medium", LINUX, region="us-east-1") is not None
    await api.forget()
    assert api.hint is None


async def test_offline_is_none_and_a_hint(core, tmp_path):
    def unreachable(**_):
        raise EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com")

    core.factory.client("pricing", "us-east-1").meta.events.register("before-send.pricing", unreachable)
    api = new_api(core, tmp_path, Clock())
    assert await api.ebs_prices("us-west-2") is None
    assert api.hint is not None and "cannot reach" in api.hint
    assert not list(tmp_path.iterdir())  # nothing learnt, nothing saved


async def test_forget_asks_again_at_once(core, stub, tmp_path):
    stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=400)
    stub.add_response("get_products", {"PriceList": [box("t3.medium", "0.0416")]})
    api = new_api(core, tmp_path, Clock())
    assert await api.instance_price("t3.medium", LINUX, region="us-east-1") is None
    await api.forget()
    assert (await api.instance_price("t3.medium", LINUX, region="us-east-1")).usd_per_hour == 0.0416


async def test_spot_prices_per_zone_from_moto_and_none_for_platforms_without_spot(core, tmp_path):
    api = new_api(core, tmp_path, Clock())
    spot = await api.spot_prices(["t3.medium"], LINUX, region="us-east-1")
    assert spot is not None and len(spot["t3.medium"]) >= 2
    byol = platform_for_image("Windows BYOL")
    assert byol is not None and await api.spot_prices(["t3.medium"], byol, region="us-east-1") == {}


async def test_spot_denied_is_none_with_its_own_permission_in_the_hint(core, tmp_path):
    with Stubber(core.factory.ec2("us-east-1")) as ec2:
        ec2.add_client_error(
            "describe_spot_price_history", service_error_code="UnauthorizedOperation", http_status_code=403
        )
        api = new_api(core, tmp_path, Clock())
        assert await api.spot_prices(["t3.medium"], LINUX, region="us-east-1") is None
    assert api.hint is not None and "ec2:DescribeSpotPriceHistory" in api.hint


async def test_a_type_missing_from_the_region_table_is_not_asked_for(core, stub, tmp_path):
    stub.add_response("get_products", {"PriceList": [box("t3.micro", "0.0104")]})
    api = new_api(core, tmp_path, Clock())
    await api.instance_prices(LINUX, region="us-east-1")
    assert await api.instance_price("u-24tb1.metal", LINUX, region="us-east-1") is None
    assert core.calls["prices"] == 1 and api.hint is None


async def test_hourly_prices_for_a_mixed_fleet(core, stub, tmp_path):
    # the two queries run concurrently, in either order: each answer holds both products, and each query keeps
    # the one it asked for
    both = {"PriceList": [box("t3.medium", "0.0416"), box("m5.large", "0.188")]}
    stub.add_response("get_products", both)
    stub.add_response("get_products", both)
    api = new_api(core, tmp_path, Clock())
    prices = await api.hourly_prices(
        [("t3.medium", LINUX), ("m5.large", WINDOWS), ("t3.medium", LINUX)], region="us-east-1"
    )
    assert prices == {("t3.medium", "Linux/UNIX"): 0.0416, ("m5.large", "Windows"): 0.188}
    total, unknown = fleet_usd_per_hour([prices["t3.medium", "Linux/UNIX"]] * 2 + [prices["m5.large", "Windows"]])
    assert total == pytest.approx(0.2712) and unknown == 0  # 2 x 0.0416 + 0.188


async def test_stored_values_that_do_not_decode_are_asked_for_again(core, stub, tmp_path):
    clock = Clock()
    disk = PriceDiskCache(tmp_path, clock=clock)
    disk.put("us-east-1", "od-all:RunInstances", ["not", "a", "table"])
    disk.put("us-east-1", "od:RunInstances:t3.small", "twenty cents")
    disk.put("us-east-1", "ebs", {"region": "us-east-1"})
    stub.add_response("get_products", {"PriceList": [box("t3.small", "0.0208")]})
    for _ in range(3):  # the EBS families
        stub.add_response("get_products", {"PriceList": []})
    api = new_api(core, tmp_path, clock)
    price = await api.instance_price("t3.small", LINUX, region="us-east-1")
    assert price is not None and price.usd_per_hour == 0.0208
    ebs = await api.ebs_prices(region="us-east-1")
    assert ebs is not None and ebs.gb_month == {} and api.hint is None
    stub.assert_no_pending_responses()
