"""The demo's instances say which connections fit and why (public SSH blocked by a private-only rule, no public IP,
stopped, terminated…). Runs in a subprocess, like test_demo.py: the demo sets moto's process-wide switches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, types
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway
    from ec2tui.screens.connect_flow import gather_plan

    async def main():
        demo = start_demo(seed=True)
        gw = Gateway(ClientFactory(AwsTarget(region="us-east-1", endpoint_url=demo.endpoint_url), demo_session()))
        app = types.SimpleNamespace(gateway=gw)
        tools = {"ssh": True, "aws": True, "session-manager-plugin": True}
        out = {}
        for instance in await gw.instances.list(region="us-east-1"):
            plan = await gather_plan(app, instance, tools=tools)
            out[instance.name] = {
                "offers": {o.method.value: [o.available, o.reason] for o in plan.offers},
                "user": plan.user,
                "notes": plan.notes,
            }
        gw.close()
        demo.stop()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_demo_instances_explain_each_way_of_connecting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "AWS_PROFILE")}
    env.update(HOME=str(tmp_path), EC2TUI_STATE_DIR=str(tmp_path / "state"), EC2TUI_CONFIG_DIR=str(tmp_path / "c"))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    demo = json.loads(result.stdout.strip().splitlines()[-1])

    web = demo["web-prod-1"]["offers"]
    assert web["ssh-public"][0] and "only from private ranges (10.40.0.0/16)" in web["ssh-public"][1]
    assert "use SSH over SSM or the private address" in web["ssh-public"][1]
    assert "no ~/.ssh/ops-2026.pem" in " ".join(demo["web-prod-1"]["notes"])

    api = demo["api-prod-1"]
    assert api["offers"]["ssh-public"] == [False, "no public IP address: use SSH over SSM or the private address"]
    assert api["offers"]["ssh-ssm"][0] and api["offers"]["ssm"][0]
    assert api["user"] == "ubuntu"
    assert demo["jenkins"]["user"] == "admin"  # Debian

    bastion = demo["bastion"]["offers"]["ssh-public"]
    assert bastion[0] and "port 22 is open only to 203.0.113.0/24" in bastion[1]
    # the demo's emulator has no Session Manager: the offer says registration couldn't be checked, never hides it
    assert "couldn't check Session Manager registration" in demo["bastion"]["offers"]["ssm"][1]
    assert any("No IAM instance profile" in note for note in demo["bastion"]["notes"])

    for name, state in (("windows-build", "stopped"), ("web-prod-3", "stopped"), ("batch-worker-3", "terminated")):
        offers = demo[name]["offers"].values()
        assert all(not available and f"the instance is {state}" in why for available, why in offers), name
