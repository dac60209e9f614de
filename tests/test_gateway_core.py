"""The gateway runs calls off the event loop, caches reads, invalidates, fans out, and guards read-only."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ec2tui.errors import AwsError, ReadOnlyError


async def test_calls_run_off_the_event_loop(gateway):
    loop_thread = threading.get_ident()
    seen: list[int] = []
    ticks = 0
    loop_ticked = threading.Event()

    def blocking() -> str:
        seen.append(threading.get_ident())
        # returns only once the event loop has ticked five times meanwhile: were the call on the loop, it never would
        return "done" if loop_ticked.wait(10) else "the loop was blocked"

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1
            if ticks >= 5:
                loop_ticked.set()

    task = asyncio.create_task(ticker())
    assert await gateway.core.run(blocking) == "done"
    task.cancel()
    assert seen and seen[0] != loop_thread


async def test_second_read_is_a_cache_hit_and_refresh_bypasses_it(gateway, monkeypatch):
    from ec2tui.aws import regions as svc

    api_calls = 0
    real = svc.list_regions

    def counting(ec2):
        nonlocal api_calls
        api_calls += 1
        return real(ec2)

    monkeypatch.setattr(svc, "list_regions", counting)
    first = await gateway.regions.list()
    second = await gateway.regions.list()
    assert first == second and len(first) > 20
    assert api_calls == 1
    await gateway.regions.list(refresh=True)
    assert api_calls == 2
    await gateway.refresh()
    await gateway.regions.list()
    assert api_calls == 3


async def test_concurrent_identical_reads_share_one_call(gateway):
    calls = 0

    def slow() -> int:
        nonlocal calls
        calls += 1
        time.sleep(0.1)
        return 42

    results = await asyncio.gather(*(gateway.core.cached("k", 1, slow, region="us-east-1") for _ in range(5)))
    assert results == [42] * 5 and calls == 1


async def _until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_a_load_outlives_a_caller_that_gave_up(gateway):
    """Leaving a screen mid-load cancels its worker; the answer still arrives, is cached, and a new caller joins."""
    calls = 0
    release = threading.Event()

    def slow() -> int:
        nonlocal calls
        calls += 1
        release.wait(5)
        return 42

    first = asyncio.ensure_future(gateway.core.cached("k", 1, slow, region="us-east-1"))
    await _until(lambda: calls == 1)
    first.cancel()
    second = asyncio.ensure_future(gateway.core.cached("k", 1, slow, region="us-east-1"))
    await asyncio.sleep(0.05)
    release.set()
    assert await second == 42 and calls == 1, "the second caller joined the first call"
    assert first.cancelled()
    assert await gateway.core.cached("k", 1, slow, region="us-east-1") == 42 and calls == 1, "and it was cached"


async def test_a_load_that_straddles_an_invalidation_is_not_cached(gateway):
    calls = 0
    release = threading.Event()

    def load() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            release.wait(5)
        return calls

    pending = asyncio.ensure_future(gateway.core.cached("k", 1, load, region="us-east-1"))
    await _until(lambda: calls == 1)
    await gateway.core.invalidate("us-east-1")  # e.g. a mutation finished while the read was on its way
    release.set()
    assert await pending == 1
    assert await gateway.core.cached("k", 1, load, region="us-east-1") == 2, "the old answer was not cached"


async def test_invalidate_one_region_keeps_the_others(gateway):
    calls: list[str] = []

    def loader(region: str):
        return lambda: calls.append(region) or region

    for region in ("us-east-1", "eu-west-1"):
        await gateway.core.cached("x", None, loader(region), region=region)
    await gateway.core.invalidate("us-east-1")
    for region in ("us-east-1", "eu-west-1"):
        await gateway.core.cached("x", None, loader(region), region=region)
    assert calls == ["us-east-1", "eu-west-1", "us-east-1"]


async def test_fan_out_is_concurrent_and_keeps_failed_regions_separate(gateway):
    regions = ["a-1", "b-1", "bad-1", "c-1"]
    # each call waits until all four are in flight: run one after another, the first would wait in vain
    all_in_flight = threading.Barrier(len(regions), timeout=20)

    async def call(region: str) -> str:
        await gateway.core.run(all_in_flight.wait)
        if region == "bad-1":
            raise AwsError("boom", "Boom")
        return region

    results = [r async for r in gateway.core.fan_out(regions, call)]
    assert not all_in_flight.broken, "fan-out ran the regions one after another"
    by_region = {r.region: r for r in results}
    assert by_region["a-1"].value == "a-1"
    assert by_region["bad-1"].error is not None and by_region["bad-1"].value is None


async def test_read_only_refuses_mutations_without_calling(read_only_gateway):
    called = False

    def mutation():
        nonlocal called
        called = True

    with pytest.raises(ReadOnlyError, match="Read-only"):
        await read_only_gateway.core.mutate("Terminate instance", mutation)
    assert not called


async def test_boto_errors_become_aws_errors(gateway):
    def bad():
        return gateway.core.factory.ec2().describe_instances(InstanceIds=["i-0000000000000000f"])

    with pytest.raises(AwsError) as info:
        await gateway.core.run(bad)
    assert "InvalidInstanceID" in info.value.code


async def test_region_list_and_identity_do_not_wait_for_the_demo_seed(aws):
    """The demo's gateway holds data calls until the server is seeded; the region list and the caller identity are
    the backend's own, so the first screen fills without waiting."""
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.gateway import Gateway

    seeded = threading.Event()
    gw = Gateway(ClientFactory(AwsTarget(region="us-east-1")), ready=lambda: seeded.wait(30))
    try:
        counts = asyncio.ensure_future(gw.regions.instance_counts("us-east-1"))
        regions = await asyncio.wait_for(gw.regions.list(), 30)
        identity = await asyncio.wait_for(gw.regions.identity(), 30)
        assert len(regions) > 20 and identity.account
        assert not counts.done(), "a data call went out before the seeding was done"
        seeded.set()
        assert (await asyncio.wait_for(counts, 30)).total == 0
    finally:
        seeded.set()
        gw.close()


async def test_a_burst_of_calls_starts_no_thread_on_the_event_loop(aws, monkeypatch):
    """The worker threads are started by a thread of their own when the gateway is made: a thread started by a call
    makes the event loop wait until it runs (24 counts at once held it 60-80 ms)."""
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.gateway.core import GatewayCore

    core = GatewayCore(ClientFactory(AwsTarget(region="us-east-1")), max_workers=6)
    try:
        for starter in [t for t in threading.enumerate() if t.name == "ec2tui-aws-start"]:
            starter.join(30)
        started_by: list[str] = []
        start = threading.Thread.start
        monkeypatch.setattr(
            threading.Thread, "start", lambda self: started_by.append(threading.current_thread().name) or start(self)
        )
        all_in = threading.Barrier(6)
        answers = await asyncio.gather(*(core.run(all_in.wait, 30) for _ in range(6)))
        assert sorted(answers) == list(range(6)), "six calls ran side by side"
        assert started_by == [], "each found an idle worker"
    finally:
        core.close()
