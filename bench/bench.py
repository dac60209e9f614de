"""Performance figures for ec2tui (not a test: run `python bench/bench.py` and read the table).

Everything runs against moto on 127.0.0.1 (server mode, like --endpoint-url), never AWS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from multiprocessing.connection import Connection

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# Measure the checkout this file is in, not whichever ec2tui the venv has installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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
    """The demo's server as `ec2tui --demo` starts it: its own process, seeded there."""
    from ec2tui.demo.server import start_demo

    with timer() as start:
        demo = start_demo(wait=False)
        _ = demo.endpoint_url
    with timer() as seed:
        demo.wait_seeded()
    record("demo: server process listening (imports moto)", start["elapsed"])
    record("demo: seeded in its process", seed["elapsed"], target="target < 2 s")
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
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    region = "ca-central-1"
    ec2 = demo_session().client("ec2", region_name=region, endpoint_url=endpoint)
    # The demo's server is a process of its own: its images are registered through the API, not its backends.
    image = ec2.register_image(Name="bench-image", Architecture="x86_64", RootDeviceName="/dev/xvda")
    image_id = image["ImageId"]
    for _ in range(count // 100):
        ec2.run_instances(ImageId=image_id, MinCount=100, MaxCount=100, InstanceType="t3.micro")
    gateway = Gateway(ClientFactory(AwsTarget(region=region, endpoint_url=endpoint), demo_session()))
    if hasattr(gateway, "instances"):
        with timer() as t:
            instances = await gateway.instances.list(region)
        assert len(instances) == count
        record(f"instances: list {count} (paginated), cold", t["elapsed"])
        record(f"instances: list {count}, cached", await median_of(20, lambda: gateway.instances.list(region)), "ms")
    await bench_filter(gateway, count)
    gateway.close()


async def bench_filter(gateway: object, count: int) -> None:
    """The app's own work per filter keystroke (match every row, swap the shown rows in) over ``count`` instances.
    Pilot's key presses cost ~60 ms each by themselves, so this calls the handler's work directly."""
    from ec2tui.app import Ec2App

    start_as_ec2tui_does()
    app = Ec2App(gateway, demo=True)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        app.navigate("instances")
        while len(getattr(app.screen, "items", ())) < count:
            await pilot.pause(0.05)
        screen = app.screen
        samples = []
        for text in ("i", "i-", "i-0", "i-0a", "t3", "micro", "running", ""):
            t0 = time.perf_counter()
            screen.set_filter(text)  # type: ignore[attr-defined]
            while screen.view_pending:  # type: ignore[attr-defined]  (a big list filters in a thread)
                await asyncio.sleep(0)
            samples.append(time.perf_counter() - t0)
        record(f"ui: filter over {count} instances, app-side work per keystroke", statistics.median(samples), "ms")


def start_as_ec2tui_does() -> None:
    """Just before an app starts: what `ec2tui`'s main does (``collector.freeze_start_up``: what the start left alive
    is frozen, out of the full passes' reach), as if in a process of its own. `ec2tui` starts one app per process;
    this bench runs several in one, so the earlier apps' leftovers are collected, then frozen with the rest. Without
    that, a later app's full passes walked them: 182 ms of stall while the third app's counts arrived, against
    28-38 ms for the same app in a fresh process."""
    gc.collect()
    gc.freeze()


def _item_count(app: object) -> int:
    return len(getattr(app.screen, "items", ()) or ())  # type: ignore[attr-defined]


def _every_count_shown(app: object) -> bool:
    screen = app.screen  # type: ignore[attr-defined]
    counts = getattr(screen, "counts", {})
    enabled = [r for r in getattr(screen, "items", []) if r.enabled]
    return bool(enabled) and all(r.name in counts for r in enabled)


async def _regions_then_counts(app: object, pilot: object, start: float) -> tuple[float, float]:
    """Seconds until the regions are listed and until every count is shown; records the longest event-loop stall
    meanwhile (the count fan-out must never freeze input)."""
    first_rows = every = float("nan")
    worst = 0.0
    while time.perf_counter() - start < 60:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        worst = max(worst, time.perf_counter() - before - 0.005)
        if first_rows != first_rows and _item_count(app):
            first_rows = time.perf_counter() - start
            worst = 0.0  # from here on: the count fan-out (before it, the app's start-up)
        if _every_count_shown(app):
            every = time.perf_counter() - start
            break
    record("ui: longest event-loop stall while the counts arrive", worst, "ms", "target < 100 ms")
    return first_rows, every


async def bench_ui(endpoint: str) -> None:
    """Time from app start until the regions are listed and every region's instance count has arrived."""
    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session()))
    start_as_ec2tui_does()
    app = Ec2App(gateway, demo=True)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        first_rows, done = await _regions_then_counts(app, pilot, start)
        record("ui: app start → regions listed (headless, demo seeded)", first_rows, target="target < 0.5 s")
        record("ui: app start → every region's instance count shown", done, target="target < 1.5 s")
        # Filter responsiveness over the loaded list.
        samples = []
        for key in "eu-w":
            t0 = time.perf_counter()
            await pilot.press(key) if key != "e" else await pilot.press("slash", key)
            samples.append(time.perf_counter() - t0)
        record(
            "ui: filter keystroke through Pilot (38 rows; Pilot's own ~60 ms included)",
            statistics.median(samples),
            "ms",
        )
    gateway.close()


async def bench_cold_demo() -> None:
    """What `ec2tui --demo` does from the start: a new server process, the app starting meanwhile, data calls held
    until the server is seeded. Twice, with the disk cache the CLI gives it (a temporary folder here): a first run
    ever (nothing stored: the region list waits for the new server), then the next run (the list stored by the
    first shows at once while the server starts). Python's own start and imports are not in these figures: see
    bench/terminal_start.py for the whole of it in a real terminal."""
    import tempfile
    from pathlib import Path

    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway
    from ec2tui.gateway.disk_cache import DiskCache

    with tempfile.TemporaryDirectory() as folder:
        for run in ("first run", "next run"):
            start = time.perf_counter()
            demo = start_demo(wait=False)
            try:
                factory = ClientFactory(AwsTarget(region="us-east-1", endpoint_url=demo.endpoint_url), demo_session())
                gateway = Gateway(factory, ready=demo.wait_seeded, disk=DiskCache(Path(folder), "demo"))
                start_as_ec2tui_does()
                app = Ec2App(gateway, demo=True)
                async with app.run_test(size=(120, 40)) as pilot:
                    first_rows, done = await _regions_then_counts(app, pilot, start)
                gateway.close()
                record(f"ui: demo start (new server, {run}) → regions listed", first_rows, target="target < 0.5 s")
                record(
                    f"ui: demo start (new server, {run}) → every count shown",
                    done,
                    target="(after seeding: the line below)",
                )
            finally:
                demo.stop()


async def bench_fan_out(endpoint: str) -> None:
    """All-regions instance scan ÷ one-region scan (the demo: 4 regions seeded), clients made as the app's regions
    screen makes them (its counts), each scan asked afresh."""
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session()))
    enabled = [r.name for r in await gateway.regions.list() if r.enabled]
    _ = [r async for r in gateway.regions.instance_counts_all(enabled)]

    async def one() -> None:
        await gateway.instances.list("us-east-1", refresh=True)

    async def every() -> None:
        _ = [r async for r in gateway.instances.list_all_regions(enabled, refresh=True)]

    single = await median_of(5, one)
    everywhere = await median_of(5, every)
    record("instances: one-region scan (us-east-1)", single, "ms")
    record(f"instances: all-regions scan ({len(enabled)} regions, 4 seeded)", everywhere, "ms")
    RESULTS.append(("instances: all regions ÷ one region", f"{everywhere / single:.2f}x", "target ≤ 1.5x"))
    print(f"  {'instances: all regions ÷ one region':<58} {everywhere / single:>11.2f}x  target ≤ 1.5x", flush=True)
    gateway.close()


async def bench_instance_types(endpoint: str) -> None:
    import tempfile
    from pathlib import Path

    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.aws.models.instance_types import filter_types
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway
    from ec2tui.gateway.disk_cache import DiskCache

    with tempfile.TemporaryDirectory() as folder:
        factory = ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session())
        gateway = Gateway(factory, disk=DiskCache(Path(folder), endpoint))
        with timer() as t:
            types = await gateway.launch.instance_types(region="us-east-1")
        record(f"launch: describe_instance_types ({len(types)} types), cold", t["elapsed"])
        record(
            "launch: instance types, cached in memory",
            await median_of(20, lambda: gateway.launch.instance_types("us-east-1")),
            "ms",
        )
        gateway.close()
        later = Gateway(factory, disk=DiskCache(Path(folder), endpoint))  # the next run of the app
        with timer() as t:
            await later.launch.instance_types(region="us-east-1")
        record("launch: instance types, next run (disk cache)", t["elapsed"], target="target < 0.3 s")
        later.close()
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        filter_types(types, min_vcpu=4, min_mem_gib=16, architecture="x86_64", family="m*", current_only=True)
        samples.append(time.perf_counter() - start)
    record(
        "launch: type picker filter over every type (per keystroke)", statistics.median(samples), "ms", "target < 50 ms"
    )
    gateway.close()


def seed_public_images(region: str, count: int) -> None:
    """Insert ``count`` public community images straight into the (in-process) moto server's backend."""
    from moto.ec2.models import ec2_backends
    from scale import insert_images  # bench/scale.py

    from ec2tui.demo.server import DEMO_ACCOUNT

    insert_images(
        ec2_backends[DEMO_ACCOUNT][region],
        count,
        f"{region}a",
        lambda i: {
            "name": f"community-{'arm' if i % 3 else 'web'}-image-{i:05d}",
            "description": f"Community image number {i}",
            "owner_id": f"{100000000000 + i % 500:012d}",
            "public": True,
        },
    )


async def loop_lag_during(call: Callable[[], Awaitable[object]]) -> tuple[float, float, object]:
    """Run ``call`` while a 10 ms ticker measures the event loop's worst stall (what a user would feel)."""
    worst = 0.0
    stop = False

    async def ticker() -> None:
        nonlocal worst
        while not stop:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    result = await call()
    elapsed = time.perf_counter() - start
    stop = True
    await task
    return elapsed, worst, result


def _community_server(region: str, count: int, conn: Connection) -> None:
    """A moto server in its own process, like a user's ``moto_server``: its work does not share our GIL."""
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    seed_public_images(region, count)
    host, port = server.get_host_and_port()
    conn.send(f"http://{host}:{port}")
    conn.recv()  # until the benchmark is done
    server.stop()


async def bench_community(count: int = 50_000) -> None:
    import multiprocessing

    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.aws.models.images import CommunityQuery
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    # This process hosts the demo's moto server and the earlier figures' data: put that heap out of the garbage
    # collector's reach (as the demo does after seeding), so the stall measured is the client's, not moto's.
    gc.freeze()
    region = "us-east-2"
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_community_server, args=(region, count, theirs), daemon=True)
    server.start()
    endpoint = ours.recv()
    # moto ignores MaxResults: an unfiltered search makes it render all public images in one answer (~30 s; the
    # gateway's search client waits that long).
    gateway = Gateway(ClientFactory(AwsTarget(region=region, endpoint_url=endpoint), demo_session()))
    try:
        elapsed, lag, page = await loop_lag_during(lambda: gateway.images.community_page(region=region))
        record(f"community, {count:,} images, moto server: first page", elapsed, target="(moto ignores paging)")
        record("community: worst event-loop stall meanwhile", lag, "ms", "target < 50 ms")
        elapsed, lag, second = await loop_lag_during(
            lambda: gateway.images.community_page(next_token=page.next_token, region=region)
        )
        record(f"community: next page ({len(second.images)} images, kept answer)", elapsed, "ms", "target < 50 ms")
        query = CommunityQuery(text="web-image-0424")
        elapsed, lag, found = await loop_lag_during(lambda: gateway.images.community_page(query, region=region))
        record(f"community: server-side name search ({len(found.images)} hits)", elapsed)
        record("community: worst event-loop stall meanwhile", lag, "ms", "target < 50 ms")
    finally:
        gateway.close()
        ours.send("stop")
        server.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", action="store_true", help="the big-fleet run (bench/scale.py) instead")
    parser.add_argument("--instances", type=int, default=10_000, help="--scale: instances to seed")
    parser.add_argument("--images", type=int, default=50_000, help="--scale: own AMIs to seed")
    parser.add_argument("--sort-key", default="greater_than_sign", help="--scale: the key that sorts a list")
    args = parser.parse_args()
    if args.scale:
        import scale  # bench/scale.py

        scale.main(args.instances, args.images, args.sort_key)
        return
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    print("ec2tui benchmark (moto server on 127.0.0.1)\n")
    asyncio.run(bench_cold_demo())
    demo = bench_demo_start()
    try:
        asyncio.run(bench_gateway(demo.endpoint_url))
        asyncio.run(bench_ui(demo.endpoint_url))
        asyncio.run(bench_fan_out(demo.endpoint_url))
        asyncio.run(bench_instance_types(demo.endpoint_url))
        asyncio.run(bench_many_instances(demo.endpoint_url))
        asyncio.run(bench_community())
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
