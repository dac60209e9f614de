"""The demo's instances say which connections fit and why (public SSH blocked by a private-only rule, no public IP,
Session Manager Online / not managed / agent lost, stopped, terminated…), and the demo server answers
ssm:DescribeInstanceInformation, which moto lacks. Runs in a subprocess, like test_demo.py: the demo sets moto's
process-wide switches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, types
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
        out = {"plans": {}, "no_cli": {}}
        instances = await gw.instances.list(region="us-east-1")
        names = {i.id: i.name for i in instances}
        for instance in instances:
            plan = await gather_plan(app, instance, tools=tools)
            out["plans"][instance.name] = {
                "offers": {o.method.value: [o.available, o.reason] for o in plan.offers},
                "user": plan.user,
                "notes": plan.notes,
            }
            if instance.name in ("api-prod-1", "bastion"):
                no_cli = await gather_plan(app, instance, tools={"ssh": True})
                out["no_cli"][instance.name] = {o.method.value: [o.available, o.reason] for o in no_cli.offers}

        ssm = demo_session().client("ssm", region_name="us-east-1", endpoint_url=demo.endpoint_url)
        listed = ssm.describe_instance_information()["InstanceInformationList"]
        out["ssm"] = {names[r["InstanceId"]]: [r["PingStatus"], r["PlatformName"]] for r in listed}
        lost = ssm.describe_instance_information(Filters=[{"Key": "PingStatus", "Values": ["ConnectionLost"]}])
        out["lost"] = sorted(names[r["InstanceId"]] for r in lost["InstanceInformationList"])
        pages = ssm.get_paginator("describe_instance_information").paginate(PaginationConfig={"PageSize": 5})
        out["paged"] = sum(len(page["InstanceInformationList"]) for page in pages)
        try:
            ssm.describe_instance_information(Filters=[{"Key": "Nope", "Values": ["x"]}])
        except Exception as exc:
            out["bad_filter"] = exc.response["Error"]["Code"]
        # other SSM calls still reach moto
        al2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        out["parameter"] = ssm.get_parameter(Name=al2023)["Parameter"]["Value"].startswith("ami-")
        west = demo_session().client("ssm", region_name="us-west-2", endpoint_url=demo.endpoint_url)
        west_names = {i.id: i.name for i in await gw.instances.list(region="us-west-2")}
        out["west"] = sorted(west_names[r["InstanceId"]] for r in west.describe_instance_information()[
            "InstanceInformationList"
        ])
        # the terminal's Ctrl+C (ending a port forward) reaches the foreground process group, not the server
        out["own_group"] = os.getpgid(demo._process.pid) != os.getpgid(0)
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
    out = json.loads(result.stdout.strip().splitlines()[-1])
    demo = out["plans"]

    web = demo["web-prod-1"]["offers"]
    assert web["ssh-public"][0] and "only from private ranges (10.40.0.0/16)" in web["ssh-public"][1]
    assert "use SSH over SSM or the private address" in web["ssh-public"][1]
    assert "then SSH over Session Manager (port 22 isn't open to the internet)" in web["instance-connect"][1]
    assert "no ~/.ssh/ops-2026.pem" in " ".join(demo["web-prod-1"]["notes"])

    # Session Manager: the managed private instance is Online, so SSM and SSH over SSM are ready, with no caveat
    api = demo["api-prod-1"]
    assert api["offers"]["ssh-public"] == [False, "no public IP address: use SSH over SSM or the private address"]
    assert api["offers"]["ssm"] == [True, ""] and api["offers"]["forward"] == [True, ""]
    assert api["offers"]["ssh-ssm"][0] and "couldn't check" not in api["offers"]["ssh-ssm"][1]
    assert api["user"] == "ubuntu"
    assert demo["jenkins"]["user"] == "admin"  # Debian
    # …and only the local tools are missing when the AWS CLI and the plugin are: the dialog names them, nothing else
    no_cli = out["no_cli"]["api-prod-1"]["ssm"]
    assert not no_cli[0] and "the AWS CLI is not on PATH" in no_cli[1] and "install session-manager-plugin" in no_cli[1]
    assert "not managed" not in no_cli[1]

    bastion = demo["bastion"]["offers"]
    assert bastion["ssh-public"][0] and "port 22 is open only to 203.0.113.0/24" in bastion["ssh-public"][1]
    for method in ("ssm", "forward", "ssh-ssm"):  # no instance profile: never registered, and the dialog says why
        assert not bastion[method][0], method
        assert "not managed by Session Manager: it has no IAM instance profile" in bastion[method][1]
        assert "AmazonSSMManagedInstanceCore" in bastion[method][1]
    both_missing = out["no_cli"]["bastion"]["ssm"][1]
    assert "the AWS CLI is not on PATH" in both_missing and "no IAM instance profile" in both_missing

    grafana = demo["grafana"]["offers"]["ssm"]  # a profile, but its agent stopped answering
    assert not grafana[0] and "Session Manager reports the agent ConnectionLost: it is not answering" in grafana[1]

    for name, state in (("windows-build", "stopped"), ("web-prod-3", "stopped"), ("batch-worker-3", "terminated")):
        offers = demo[name]["offers"].values()
        assert all(not available and f"the instance is {state}" in why for available, why in offers), name

    # the demo server's DescribeInstanceInformation: managed tiers listed, the unmanaged not at all
    ssm = out["ssm"]
    assert ssm["api-prod-1"] == ["Online", "Ubuntu"] and ssm["web-prod-1"] == ["Online", "Amazon Linux"]
    assert ssm["grafana"][0] == "ConnectionLost" and ssm["web-prod-3"][0] == "ConnectionLost"  # stopped
    assert ssm["windows-build"] == ["ConnectionLost", "Microsoft Windows Server 2022 Datacenter"]
    assert not {"bastion", "old-test-box"} & set(ssm)
    assert out["lost"] == sorted(n for n, (ping, _) in ssm.items() if ping == "ConnectionLost")
    assert out["paged"] == len(ssm) > 5
    assert out["bad_filter"] == "InvalidFilterKey" and out["parameter"]
    assert out["own_group"], "the demo server must not get the terminal's Ctrl+C"
    assert out["west"] == [
        "etl-runner",
        "ml-notebook",
        "ml-train-1",
        "web-dr-1",
        "web-dr-2",
    ]  # the region is the call's
