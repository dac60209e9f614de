"""InstancesApi: caching with a short TTL, concurrent fan-out over regions, guarded mutations that invalidate."""

from __future__ import annotations

import threading
import time

import boto3
import pytest

from ec2tui.aws import instances as svc
from ec2tui.errors import AwsError, ReadOnlyError, ValidationError
from ec2tui.gateway.instances import INSTANCES_TTL

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "sa-east-1"]


def run(region: str, count: int = 1, **kwargs) -> list[str]:
    ec2 = boto3.client("ec2", region_name=region)
    response = ec2.run_instances(ImageId="ami-12c6146b", MinCount=count, MaxCount=count, **kwargs)
    return [i["InstanceId"] for i in response["Instances"]]


def moto_state(region: str, instance_id: str) -> str:
    response = boto3.client("ec2", region_name=region).describe_instances(InstanceIds=[instance_id])
    return response["Reservations"][0]["Instances"][0]["State"]["Name"]


@pytest.fixture
def counting_list(monkeypatch):
    """Counts real ``list_instances`` calls (cache misses) by region."""
    calls: list[str] = []
    real = svc.list_instances

    def counting(ec2, region):
        calls.append(region)
        return real(ec2, region)

    monkeypatch.setattr(svc, "list_instances", counting)
    return calls


async def test_list_is_cached_and_refresh_bypasses_it(gateway, counting_list):
    run("us-east-1", 2)
    first = await gateway.instances.list(region="us-east-1")
    second = await gateway.instances.list("us-east-1")
    assert len(first) == 2 and first == second
    assert counting_list == ["us-east-1"]
    await gateway.instances.list(refresh=True, region="us-east-1")
    assert counting_list == ["us-east-1", "us-east-1"]
    assert all(i.region == "us-east-1" for i in first)
    assert INSTANCES_TTL <= 30


async def test_list_asks_the_region_it_is_given(gateway):
    (west,) = run("us-west-2")
    assert [i.id for i in await gateway.instances.list("us-west-2")] == [west]
    with pytest.raises(TypeError, match="explicit region"):
        await gateway.instances.list()  # no implicit "current region" in the gateway: the app owns it


async def test_all_regions_fan_out_is_concurrent(gateway, monkeypatch):
    for region in REGIONS:
        run(region, 2)
    # moto's own work, and making each region's client (serialised, ~25 ms each, far more on a loaded machine), are
    # done before the clock starts, so what is timed is only the fan-out
    answers = {region: svc.list_instances(boto3.client("ec2", region_name=region), region) for region in REGIONS}
    for region in REGIONS:
        gateway.core.factory.ec2(region)
    delay = 1.0
    # each call waits until every region's call is in flight: run one after another, the first would wait in vain
    all_in_flight = threading.Barrier(len(REGIONS), timeout=20)

    def slow(ec2, region):
        all_in_flight.wait()
        time.sleep(delay)
        return answers[region]

    monkeypatch.setattr(svc, "list_instances", slow)
    start = time.perf_counter()
    results = [r async for r in gateway.instances.list_all_regions(REGIONS)]
    elapsed = time.perf_counter() - start

    assert {r.region: r.value for r in results} == answers
    assert all(r.error is None for r in results)
    assert not all_in_flight.broken, "regions ran one after another"
    # run one after another they cannot take less than 5 x 1 s; together they take about one delay
    assert elapsed < delay * (len(REGIONS) - 1), f"fan-out looked sequential: {elapsed:.2f}s for {len(REGIONS)} regions"


async def test_a_failing_region_does_not_hide_the_others(gateway, monkeypatch):
    for region in REGIONS:
        run(region)
    real = svc.list_instances

    def flaky(ec2, region):
        if region == "eu-west-1":
            raise AwsError("DescribeInstances: You are not authorized (UnauthorizedOperation)", "UnauthorizedOperation")
        return real(ec2, region)

    monkeypatch.setattr(svc, "list_instances", flaky)
    results = {r.region: r async for r in gateway.instances.list_all_regions(REGIONS)}

    assert set(results) == set(REGIONS)
    assert results["eu-west-1"].value is None and results["eu-west-1"].error.code == "UnauthorizedOperation"
    assert all(len(results[r].value) == 1 for r in REGIONS if r != "eu-west-1")


async def test_mutations_change_state_and_invalidate_the_list(gateway, counting_list):
    (iid,) = run("us-east-1")
    assert [i.state for i in await gateway.instances.list(region="us-east-1")] == ["running"]

    changes = await gateway.instances.stop([iid], region="us-east-1")
    assert changes[0].current_state == "stopping" and moto_state("us-east-1", iid) == "stopped"
    assert [i.state for i in await gateway.instances.list(region="us-east-1")] == ["stopped"], (
        "list still showed the cached state"
    )

    await gateway.instances.start([iid], region="us-east-1")
    assert [i.state for i in await gateway.instances.list(region="us-east-1")] == ["running"]

    (reboot,) = await gateway.instances.reboot([iid], region="us-east-1")
    assert reboot.current_state == "running"

    await gateway.instances.terminate([iid], region="us-east-1")
    assert moto_state("us-east-1", iid) == "terminated"
    assert [i.state for i in await gateway.instances.list(region="us-east-1")] == ["terminated"]
    await gateway.instances.list(region="us-east-1")
    assert len(counting_list) == 4  # the first read, then one fresh read after each of stop, start and terminate


async def test_mutation_in_another_region_invalidates_that_region_only(gateway, counting_list):
    (west,) = run("us-west-2")
    run("us-east-1")
    await gateway.instances.list("us-east-1")
    await gateway.instances.list("us-west-2")
    await gateway.instances.stop([west], region="us-west-2")
    await gateway.instances.list("us-east-1")
    assert [i.state for i in await gateway.instances.list("us-west-2")] == ["stopped"]
    assert counting_list == ["us-east-1", "us-west-2", "us-west-2"]


async def test_read_only_gateway_refuses_every_mutation(read_only_gateway):
    (iid,) = run("us-east-1")
    api = read_only_gateway.instances
    for action, name in (
        (api.start, "Start"),
        (api.stop, "Stop"),
        (api.reboot, "Reboot"),
        (api.terminate, "Terminate"),
    ):
        with pytest.raises(ReadOnlyError) as info:
            await action([iid], "us-east-1")
        assert info.value.action == f"{name} instances"
    assert moto_state("us-east-1", iid) == "running"
    assert len(await api.list("us-east-1")) == 1  # reads still work


async def test_bad_ids_surface_as_validation_errors(gateway):
    with pytest.raises(ValidationError):
        await gateway.instances.terminate(["not-an-id"], region="us-east-1")


async def test_unknown_instance_is_an_aws_error(gateway):
    with pytest.raises(AwsError) as info:
        await gateway.instances.detail("i-0123456789abcdef0", region="us-east-1")
    assert "InvalidInstanceID" in info.value.code


async def test_detail_and_user_data_through_the_gateway(gateway):
    (iid,) = run("us-east-1", UserData="#cloud-config\npackages: [htop]\n", InstanceType="t3.micro")
    detail = await gateway.instances.detail(iid, region="us-east-1")
    assert detail.instance.id == iid and detail.type_info is not None and detail.type_info.vcpus == 2
    assert detail.ami.name and detail.ssh_user is None  # ami-12c6146b is a Windows image in moto
    assert await gateway.instances.user_data(iid, region="us-east-1") == "#cloud-config\npackages: [htop]\n"
    assert await gateway.instances.detail(iid, region="us-east-1") is detail  # cached
    await gateway.instances.stop([iid], region="us-east-1")
    assert (await gateway.instances.detail(iid, region="us-east-1")).instance.state == "stopped"
