"""`ec2tui --demo`'s data: every screen has something to show. Runs in a subprocess because the demo sets
moto's process-wide switches (no preloaded AMIs, AWS-like validation) that other tests must not inherit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, json, threading
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.cli import _seed_in_background
    from ec2tui.demo.seed import DEMO_REGIONS, demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway

    async def main():
        demo = start_demo(seed=False)
        ready = threading.Event()
        _seed_in_background(demo.endpoint_url, ready)  # what `ec2tui --demo` does while the UI starts
        assert ready.wait(120)
        factory = ClientFactory(AwsTarget(region="us-east-1", endpoint_url=demo.endpoint_url), demo_session())
        gw = Gateway(factory)
        out = {"frozen": gc.get_freeze_count(), "endpoint": demo.endpoint_url}
        out["regions"] = len(await gw.regions.list())
        out["instances"] = {r: len(await gw.instances.list(region=r)) for r in DEMO_REGIONS}
        states = {i.state for r in DEMO_REGIONS for i in await gw.instances.list(region=r)}
        out["states"] = sorted(states)
        fleet = [i for r in DEMO_REGIONS for i in await gw.instances.list(region=r)]
        out["with_role"] = sum(1 for i in fleet if i.iam_profile_arn)
        for category in ("quickstart", "mine", "marketplace", "community", "custom"):
            out[category] = len(await gw.images.list(category))
        out["key_pairs"] = len(await gw.launch.key_pairs())
        vpcs = await gw.launch.vpcs()
        out["vpcs"] = len(vpcs)
        out["subnets"] = sum([len(await gw.launch.subnets(v.vpc_id)) for v in vpcs])
        out["security_groups"] = sum([len(await gw.launch.security_groups(v.vpc_id)) for v in vpcs])
        web = next(i for i in await gw.instances.list() if i.name == "web-prod-1")
        out["user_data"] = await gw.instances.user_data(web.id)
        db = next(i for i in await gw.instances.list() if i.name == "db-primary")
        out["protected"] = [(await gw.instances.detail(i.id)).termination_protection for i in (web, db)]
        out["metadata"] = [web.metadata, db.metadata]
        out["profiles"] = [p.name for p in await gw.launch.instance_profiles()]
        gw.close()
        demo.stop()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_demo_seeds_every_screen_with_data():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["endpoint"].startswith("http://127.0.0.1:")
    assert data["frozen"] > 100_000, "the seeded moto state is kept out of the garbage collector's full passes"
    assert data["regions"] >= 30
    assert sum(data["instances"].values()) >= 30 and all(data["instances"].values())
    assert {"running", "stopped", "terminated"} <= set(data["states"])
    assert data["with_role"] >= 10, "the web/app/db tiers have an instance profile for Session Manager"
    for category in ("quickstart", "mine", "marketplace", "community", "custom"):
        assert data[category] > 0, category
    assert data["key_pairs"] >= 3 and data["vpcs"] >= 2 and data["subnets"] >= 3 and data["security_groups"] >= 5
    assert data["user_data"].startswith("#!/bin/bash") and "nginx" in data["user_data"]
    assert data["protected"] == [False, True], "the databases have termination protection"
    assert data["metadata"] == ["required", "optional"], "Amazon Linux 2023 instances use IMDSv2 only"
    assert data["profiles"] == ["ec2-ssm-managed"], "the launch form offers the demo's instance profile"
