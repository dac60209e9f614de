"""Probe of the list screens at scale (not a test, not the official bench): a moto server in its own process holds
N instances; the real app runs headless and this prints time to first/all rows, the longest event-loop stall while
loading, filter keystroke latencies (broad, narrow, escape), a sort, and RSS.

    /work/venv/bin/python bench/list_probe.py [--instances 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import resource
import time
from multiprocessing.connection import Connection


def _server(count: int, conn: Connection) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    ec2 = boto3.client(
        "ec2", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x"
    )
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    types = ["t3.micro", "t3.large", "m5.xlarge", "r6i.large"]
    made = 0
    while made < count:
        batch = min(100, count - made)
        ec2.run_instances(
            ImageId=image,
            MinCount=batch,
            MaxCount=batch,
            InstanceType=types[(made // 100) % len(types)],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"node-{made // 100:03}"}]}
            ],
        )
        made += batch
    conn.send(endpoint)
    conn.recv()  # until the probe is done
    server.stop()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def probe(endpoint: str, count: int) -> None:
    from ec2tui.app import Ec2App
    from ec2tui.aws import instances as svc
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.gateway import Gateway

    # moto pages by reservation (here 100 instances each) where AWS pages by instance: 10 reservations a page makes
    # moto's pages as big as AWS's (1,000 instances).
    svc.LIST_PAGE_SIZE = 10
    # moto answers a page of a 10,000-instance fleet far slower than AWS (it walks every reservation per request):
    # give it time rather than measure the app's read timeout.
    from botocore.config import Config

    from ec2tui.aws import clients

    clients._KIND_CONFIGS["read"] = clients.READ_CONFIG.merge(Config(read_timeout=120))
    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint), demo_session()))
    app = Ec2App(gateway)
    stalls: list[float] = []
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stalls.append(now - last - 0.005)
            last = now

    async with app.run_test(size=(120, 40)) as pilot:
        # let the regions screen's count fan-out finish (moto's first request per region is slow)
        while any(not w.is_finished for w in app.workers):
            await asyncio.sleep(0.05)
        await pilot.pause(0.2)
        tick = asyncio.create_task(ticker())
        start = time.perf_counter()
        app.navigate("instances")
        first = None
        while time.perf_counter() - start < 60:
            await asyncio.sleep(0.005)
            screen = app.screen
            if screen.id != "instances":
                continue
            if first is None and screen.table.row_count:
                first = time.perf_counter() - start
            if not screen.loading_data and screen.table.row_count >= count and not screen._pending:
                break
        done = time.perf_counter() - start
        if first is None:
            print("no rows:", app.screen, getattr(app.screen, "error", None), app.screen.query_one("#title").render())
            first = float("nan")
        await pilot.pause(0.2)
        load_stall = max(stalls)
        over = sum(1 for s in stalls if s > 0.1)
        stalls.clear()
        print(f"instances: {screen.table.row_count} listed; first rows {first:.2f} s, all {done:.2f} s")
        print(f"longest event-loop stall while loading: {load_stall * 1000:.0f} ms ({over} over 100 ms)")

        async def keystroke(text: str) -> float:
            """The filter as typed: the app's work until the new rows are on screen (the next frame included)."""
            t0 = time.perf_counter()
            screen.filter_input.value = text
            await asyncio.sleep(0)
            while screen.view_pending or screen.filter_text != text.strip():
                await asyncio.sleep(0.001)
            await pilot.pause()
            return (time.perf_counter() - t0) * 1000

        await pilot.press("slash")
        await pilot.pause()
        t0 = time.perf_counter()
        for _ in range(5):
            await pilot.pause()
        print(f"baseline: one idle frame (pilot.pause) costs {(time.perf_counter() - t0) * 200:.0f} ms here")
        broad = [await keystroke("n"), await keystroke(""), await keystroke("no"), await keystroke("")]
        typed = ""
        narrow = []
        for char in "node-007":
            typed += char
            narrow.append(await keystroke(typed))
        rows_narrow = screen.table.row_count
        field = await keystroke("type:t3.large")
        rows_field = screen.table.row_count
        t0 = time.perf_counter()
        await pilot.press("escape")
        while screen.view_pending or screen.filter_text:
            await asyncio.sleep(0.001)
        escape = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        screen.action_sort_next()
        while screen.view_pending:
            await asyncio.sleep(0.001)
        await pilot.pause()
        sort = (time.perf_counter() - t0) * 1000
        print(f"filter keystroke keeping all rows: {', '.join(f'{b:.0f}' for b in broad)} ms (target < 50)")
        print(f"filter typed 'node-007' ({rows_narrow} rows): {', '.join(f'{n:.0f}' for n in narrow)} ms (target < 30)")
        print(f"filter 'type:t3.large' ({rows_field} rows): {field:.0f} ms")
        print(f"escape clearing the filter (key press included): {escape:.0f} ms; sort by name: {sort:.0f} ms")
        print(f"longest stall during the keystrokes: {max(stalls) * 1000:.0f} ms")
        print(f"RSS: {rss_mb():.0f} MB (target < 150)")
        running = False
        await tick


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=10_000)
    args = parser.parse_args()
    mine, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_server, args=(args.instances, theirs), daemon=True)
    server.start()
    endpoint = mine.recv()
    try:
        asyncio.run(probe(endpoint, args.instances))
    finally:
        mine.send("done")
        server.join(10)


if __name__ == "__main__":
    main()
