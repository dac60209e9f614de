"""Performance figures for ec2tui (not a test: run `python bench/bench.py` and read the table).

Everything runs against moto on 127.0.0.1 (server mode, like --endpoint-url), never AWS.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

RESULTS: list[tuple[str, str, str]] = []


def record(name: str, value: float, unit: str = "s", target: str = "") -> None:
    shown = f"{value * 1000:.1f} ms" if unit == "ms" else f"{value:.2f} s"
    RESULTS.append((name, shown, target))
    print(f"  {name:<58} {shown:>12}  {target}", flush=True)


@contextmanager
def timer():
    start = time.perf_counter()
    box = {}
    yield box
    box["elapsed"] = time.perf_counter() - start


async def median_of(times: int, call: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_demo_start() -> object:
    from ec2tui.demo.server import start_demo

    with timer() as t:
        demo = start_demo()
    record("demo: start moto server + seed (first backend use included)", t["elapsed"], target="target < 2 s")
    return demo


async def bench_gateway(endpoint: str) -> None:
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session()))
    with timer() as t:
        regions = await gateway.regions.list()
    record("gateway: describe_regions, cold", t["elapsed"], "ms")
    record("gateway: describe_regions, cached", await median_of(50, gateway.regions.list), "ms", "target < 1 ms")
    enabled = [r.name for r in regions if r.enabled]
    with timer() as t:
        results = [r async for r in gateway.regions.instance_counts_all(enabled)]
    record(f"gateway: instance counts, {len(results)} regions concurrently", t["elapsed"], target="target < 2 s")
    gateway.close()


async def bench_many_instances(endpoint: str, count: int = 1000) -> None:
    import boto3

    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    region = "ca-central-1"
    ec2 = demo_session().client("ec2", region_name=region, endpoint_url=endpoint)
    for _ in range(count // 100):
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=100, MaxCount=100, InstanceType="t3.micro")
    gateway = Gateway(ClientFactory(AwsTarget(region=region, endpoint_url=endpoint), demo_session()))
    if hasattr(gateway, "instances"):
        with timer() as t:
            instances = await gateway.instances.list()
        assert len(instances) == count
        record(f"instances: list {count} (paginated), cold", t["elapsed"])
        record(f"instances: list {count}, cached", await median_of(20, gateway.instances.list), "ms")
    gateway.close()
    del boto3


async def bench_ui(endpoint: str) -> None:
    """Time from app start until the regions table is filled and every instance count has arrived."""
    from textual.widgets import DataTable

    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session()))
    app = Ec2App(gateway, demo=True)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        first_rows = None
        while time.perf_counter() - start < 30:
            await pilot.pause(0.01)
            screen = app.screen
            table = screen.query_one("#table", DataTable)
            if first_rows is None and table.row_count:
                first_rows = time.perf_counter() - start
            counts = getattr(screen, "counts", {})
            enabled = [r for r in getattr(screen, "items", []) if r.enabled]
            if enabled and all(r.name in counts for r in enabled):
                break
        done = time.perf_counter() - start
        record("ui: app start → regions listed (headless)", first_rows or float("nan"), target="target < 1 s")
        record("ui: app start → every region's instance count shown", done, target="target < 2 s")
        # Filter responsiveness over the loaded list.
        samples = []
        for key in "eu-w":
            t0 = time.perf_counter()
            await pilot.press(key) if key != "e" else await pilot.press("slash", key)
            samples.append(time.perf_counter() - t0)
        record("ui: filter keystroke (38 rows)", statistics.median(samples), "ms", "target < 50 ms")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    print("ec2tui benchmark (moto server on 127.0.0.1)\n")
    demo = bench_demo_start()
    try:
        asyncio.run(bench_gateway(demo.endpoint_url))
        asyncio.run(bench_ui(demo.endpoint_url))
        asyncio.run(bench_many_instances(demo.endpoint_url))
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
