"""`ec2tui --demo`'s data: every screen has something to show. Runs in a subprocess, as `ec2tui --demo` runs: the
demo's moto server is a process of its own (with moto's switches: no preloaded AMIs, AWS-like validation)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.aws.models.pricing import LINUX
    from ec2tui.demo.seed import DEMO_REGIONS, demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway

    async def main():
        demo = start_demo(wait=False)  # what `ec2tui --demo` does: the gateway holds data calls until seeded
        factory = ClientFactory(AwsTarget(region="us-east-1", endpoint_url=demo.endpoint_url), demo_session())
        gw = Gateway(factory, ready=demo.wait_seeded)
        out = {"endpoint": demo.endpoint_url}
        out["regions"] = len(await gw.regions.list())
        out["seed_asked_by_regions"] = demo._seed_asked
        out["instances"] = {r: len(await gw.instances.list(region=r)) for r in DEMO_REGIONS}
        states = {i.state for r in DEMO_REGIONS for i in await gw.instances.list(region=r)}
        out["states"] = sorted(states)
        fleet = [i for r in DEMO_REGIONS for i in await gw.instances.list(region=r)]
        out["with_role"] = sum(1 for i in fleet if i.iam_profile_arn)
        for category in ("quickstart", "mine", "marketplace", "community", "custom"):
            out[category] = len(await gw.images.list(category, region="us-east-1"))
        out["key_pairs"] = len(await gw.launch.key_pairs(region="us-east-1"))
        vpcs = await gw.launch.vpcs(region="us-east-1")
        out["vpcs"] = len(vpcs)
        out["subnets"] = sum([len(await gw.launch.subnets(v.vpc_id, region="us-east-1")) for v in vpcs])
        out["security_groups"] = sum([len(await gw.launch.security_groups(v.vpc_id, region="us-east-1")) for v in vpcs])
        web = next(i for i in await gw.instances.list(region="us-east-1") if i.name == "web-prod-1")
        out["user_data"] = await gw.instances.user_data(web.id, region="us-east-1")
        db = next(i for i in await gw.instances.list(region="us-east-1") if i.name == "db-primary")
        details = [await gw.instances.detail(i.id, region="us-east-1") for i in (web, db)]
        out["protected"] = [d.termination_protection for d in details]
        out["metadata"] = [web.metadata, db.metadata]
        out["profiles"] = [p.name for p in await gw.launch.instance_profiles(region="us-east-1")]
        out["moto_here"] = sorted(m for m in sys.modules if m.startswith("moto"))
        # moto has no Price List: the demo serves one
        price = await gw.pricing.instance_price("t3.micro", LINUX, region="us-east-1")
        out["t3_micro_per_hour"] = price.usd_per_hour if price else None
        # The second account, reached as `ec2tui --demo` reaches it: its profile in the demo's AWS config files.
        import os, pathlib, tempfile
        from ec2tui.demo.profiles import STAGING_PROFILE, write_demo_profiles
        os.environ.update(write_demo_profiles(pathlib.Path(tempfile.mkdtemp()), demo.endpoint_url, "us-east-1"))
        target = AwsTarget(profile=STAGING_PROFILE, region="us-east-1", endpoint_url=demo.endpoint_url)
        staging = Gateway(ClientFactory(target), ready=demo.wait_staging_seeded)
        out["staging_account"] = (await staging.regions.identity()).account
        out["staging"] = {r: sorted(i.name for i in await staging.instances.list(r)) for r in DEMO_REGIONS}
        out["staging_quickstart"] = len(await staging.images.list("quickstart", "eu-west-1"))
        out["main_after"] = len(await gw.instances.list("us-east-1", refresh=True))
        staging.close()
        gw.close()
        demo.stop()
        out["server_exit"] = demo._process.returncode
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
    assert data["moto_here"] == [], "moto runs in the server's process, not the UI's"
    assert data["regions"] >= 30
    assert data["seed_asked_by_regions"] is False, "the region list needs no data: it doesn't wait for seeding"
    assert data["server_exit"] == 0
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
    assert data["t3_micro_per_hour"] and data["t3_micro_per_hour"] > 0, "the demo's server answers the Price List"
    assert data["staging_account"] == "210987654321", "demo-staging is a role in another account"
    assert data["staging"]["us-east-1"] == ["api-staging-1", "db-staging", "load-test", "web-staging-1"]
    assert data["staging"]["eu-west-1"] == ["feature-branch-42", "web-staging-eu"]
    assert data["staging"]["us-west-2"] == [] and data["staging_quickstart"] > 0
    assert data["main_after"] == data["instances"]["us-east-1"], "the accounts never mix"


ORPHAN_SCRIPT = textwrap.dedent(
    """
    import os
    from ec2tui.demo.server import start_demo

    demo = start_demo(wait=False)
    demo.endpoint_url  # it listens
    print(demo._process.pid, flush=True)
    os.kill(os.getpid(), 9)  # the UI dies without any clean-up
    """
)


def test_demo_server_exits_when_the_ui_is_killed():
    import os
    import time

    result = subprocess.run(
        [sys.executable, "-c", ORPHAN_SCRIPT], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert result.returncode == -9, result.stderr[-2000:]
    pid = int(result.stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    raise AssertionError("the demo's server outlived the UI that started it")


def test_a_server_that_cannot_start_is_a_clear_error(tmp_path):
    import pytest

    from ec2tui.demo.server import DemoServer, DemoServerError

    errors = (tmp_path / "errors").open("w+b")
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stderr.write('port in use\\n'); sys.exit(1)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    demo = DemoServer(process, errors)
    with pytest.raises(DemoServerError, match="did not start: port in use"):
        _ = demo.endpoint_url
    demo.stop()
