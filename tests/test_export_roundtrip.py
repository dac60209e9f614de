"""Round trip with the real AWS CLI: each exported script and JSON, run by ``aws`` against one moto server, creates
what ec2tui's own launch (:func:`ec2tui.aws.launch.launch` through the normal client factory) creates from the same
request on a second, identically seeded server.

The CLI is ``$EC2TUI_AWS_CLI`` or ``.ci-awscli/bin/aws`` (``.ci/run`` builds that venv: awscli pins its own
botocore, so it can't share the project's). Compared per instance: type, AMI, key, security groups (name,
description, inbound rules), subnet, public IP, volumes (device, type, size, IOPS, encryption, delete on
termination, tags), user data bytes, tags, metadata options, market (lifecycle), monitoring, IAM profile, shutdown
behaviour, termination protection, count;
and the key pair and its ``.pem``. Not comparable on moto: the Spot max price (moto keeps only the lifecycle),
the client token's de-duplication (moto launches again; the test checks the token is the same), IOPS and gp3
throughput (moto drops both from run_instances: gp3 gets its default 3000 IOPS, io1/io2 are refused).
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ec2tui.aws.cli_export import cli_command, cli_script, fill_new_group_id, json_export
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.launch import launch
from ec2tui.aws.models.launch import (
    AdvancedSpec,
    IngressRule,
    LaunchRequest,
    NewSecurityGroup,
    Tag,
    VolumeSpec,
    to_run_instances_params,
)
from tests.moto_servers import TEST_IMAGE, MotoServer, cli_env, find_aws_cli, write_images

REPO = Path(__file__).resolve().parent.parent
AWS = find_aws_cli(REPO)
if AWS is None:
    pytest.skip(
        "The AWS CLI is not installed: set EC2TUI_AWS_CLI=/path/to/aws, or run .ci/run (it builds .ci-awscli).",
        allow_module_level=True,
    )
REGION = "us-east-1"
TRICKY = 'it\'s "$HOME" `id` $(id) ${NEW_SG_ID} ${UNSET_VARIABLE} \\ é ✓'
USER_DATA = "#!/bin/bash\r\necho 'quotes' \"$HOME\" `date` ${NEW_SG_ID} $UNSET\r\nnon-ASCII: é ✓ 日本\n"


@dataclass(frozen=True)
class Seed:
    """What the identical seeding gave one server (its IDs differ from the other's)."""

    image_id: str
    subnet_id: str
    group_id: str
    vpc_id: str


def seed(server: MotoServer) -> Seed:
    """The same starting point on each server: a key pair, a group with rules, an instance profile."""
    ec2 = server.client()
    ec2.create_key_pair(KeyName="seed-key", KeyType="rsa")
    group_id = ec2.create_security_group(GroupName="seed-web", Description="seeded web")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    server.client("iam").create_instance_profile(InstanceProfileName="web-role")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnet = min(subnets, key=lambda s: s["AvailabilityZone"])
    # The servers load the same image, with the same ID.
    return Seed(TEST_IMAGE["ami_id"], subnet["SubnetId"], group_id, subnet["VpcId"])


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(app server, CLI server), seeded identically; shared by the module: each case uses names of its own."""
    images = write_images(tmp_path_factory.mktemp("moto") / "amis.json")
    app, cli = MotoServer.start_many(2, REGION, images)
    try:
        with ThreadPoolExecutor(2) as pool:  # the first request of each server loads its AMIs: side by side
            app_seed, cli_seed = pool.map(seed, (app, cli))
        yield (app, app_seed), (cli, cli_seed)
    finally:
        app.stop()
        cli.stop()


# -- reading back what a launch created ----------------------------------------------------------------------------


def group_facts(ec2: Any, group_id: str) -> dict[str, Any]:
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    rules = []
    for permission in group.get("IpPermissions", []):
        for kind in ("IpRanges", "Ipv6Ranges"):
            for source in permission.get(kind, []):
                rules.append(
                    (
                        permission["IpProtocol"],
                        permission.get("FromPort"),
                        permission.get("ToPort"),
                        source.get("CidrIp") or source.get("CidrIpv6"),
                        source.get("Description", ""),
                    )
                )
    return {"name": group["GroupName"], "description": group["Description"], "rules": sorted(rules, key=str)}


def instance_facts(server: MotoServer, instance_ids: list[str]) -> list[dict[str, Any]]:
    """What ``instance_ids`` are, with every server-specific ID replaced by what it stands for."""
    ec2 = server.client()
    pages = ec2.get_paginator("describe_instances").paginate(InstanceIds=instance_ids)
    instances = [i for page in pages for r in page["Reservations"] for i in r["Instances"]]
    out = []
    for instance in instances:
        iid = instance["InstanceId"]
        volumes = []
        for mapping in instance.get("BlockDeviceMappings", []):
            volume = ec2.describe_volumes(VolumeIds=[mapping["Ebs"]["VolumeId"]])["Volumes"][0]
            volumes.append(
                {
                    "device": mapping["DeviceName"],
                    "type": volume["VolumeType"],
                    "size": volume["Size"],
                    "iops": volume.get("Iops") if volume["VolumeType"] in ("gp3", "io1", "io2") else None,
                    "encrypted": volume["Encrypted"],
                    "delete_on_termination": mapping["Ebs"]["DeleteOnTermination"],
                    "tags": sorted((t["Key"], t["Value"]) for t in volume.get("Tags", [])),
                }
            )
        user_data = ec2.describe_instance_attribute(InstanceId=iid, Attribute="userData")["UserData"].get("Value")
        groups = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
        for interface in instance.get("NetworkInterfaces", []):
            groups += [g["GroupId"] for g in interface.get("Groups", []) if g["GroupId"] not in groups]
        subnet = ec2.describe_subnets(SubnetIds=[instance["SubnetId"]])["Subnets"][0]
        metadata = instance.get("MetadataOptions", {})

        def attribute(name: str, iid: str = iid) -> Any:
            answer = ec2.describe_instance_attribute(InstanceId=iid, Attribute=name)
            return answer[name[0].upper() + name[1:]]["Value"]

        out.append(
            {
                "type": instance["InstanceType"],
                "image": instance["ImageId"],
                "key": instance.get("KeyName"),
                "groups": sorted((group_facts(ec2, g) for g in groups), key=str),
                "subnet": (subnet["AvailabilityZone"], subnet["CidrBlock"]),
                "public_ip": bool(instance.get("PublicIpAddress")),
                "volumes": sorted(volumes, key=lambda v: v["device"]),
                "user_data": base64.b64decode(user_data) if user_data else None,
                "tags": sorted((t["Key"], t["Value"]) for t in instance.get("Tags", [])),
                "metadata": (metadata.get("HttpEndpoint"), metadata.get("HttpTokens")),
                "lifecycle": instance.get("InstanceLifecycle", "on-demand"),
                "monitoring": instance.get("Monitoring", {}).get("State"),
                "profile": instance.get("IamInstanceProfile", {}).get("Arn", "").rpartition("/")[2],
                "shutdown": attribute("instanceInitiatedShutdownBehavior"),
                "protected": attribute("disableApiTermination"),
            }
        )
    return sorted(out, key=str)


def key_facts(server: MotoServer, name: str) -> list[tuple[str, str]]:
    pairs = server.client().describe_key_pairs()["KeyPairs"]
    return [(k["KeyName"], k.get("KeyType", "")) for k in pairs if k["KeyName"] == name]


def group_exists(server: MotoServer, name: str) -> bool:
    groups = server.client().describe_security_groups()["SecurityGroups"]
    return any(g["GroupName"] == name.strip() for g in groups)


def pem_shape(path: Path) -> tuple[str, str, int, int]:
    """What two .pem files of different key material share when written the same way."""
    text = path.read_text()
    return text.splitlines()[0], text.splitlines()[-1], len(text) - len(text.rstrip("\n")), path.stat().st_mode & 0o777


# -- running both sides ------------------------------------------------------------------------------------------


def app_launch(server: MotoServer, request: LaunchRequest, home: Path, monkeypatch) -> list[str]:
    """ec2tui's own launch through its client factory (and its request guards), with ``~`` in ``home``."""
    monkeypatch.setenv("HOME", str(home))
    factory = ClientFactory(AwsTarget(region=REGION, endpoint_url=server.url))
    result = launch(factory.ec2(REGION, change=True), request)
    return list(result.instance_ids)


def run_aws(server: MotoServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AWS, *args], env=cli_env(server, home), capture_output=True, text=True, timeout=120)


def run_script(server: MotoServer, home: Path, text: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(server, home)
    env["PATH"] = f"{Path(AWS).parent}:{env['PATH']}"
    script = home / "launch.sh"
    script.write_text(text)
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)


def launched_ids(stdout: str) -> list[str]:
    return [i["InstanceId"] for i in json.loads(stdout)["Instances"]]


def run_json(server: MotoServer, home: Path, request: LaunchRequest) -> list[str]:
    """Run the JSON export through the CLI as its note says: run-instances alone, or every step in order."""
    export = json_export(request, REGION)
    document = json.loads(export.text)
    steps = [{"Command": "run-instances", "Input": document}] if export.runnable else document["Steps"]
    group_id = ""
    ids: list[str] = []
    for n, step in enumerate(steps):
        path = home / f"step{n}.json"
        path.write_text(json.dumps(fill_new_group_id(step, group_id) if group_id else step["Input"]))
        done = run_aws(server, home, "ec2", step["Command"], "--cli-input-json", f"file://{path}", "--region", REGION)
        assert done.returncode == 0, (step["Command"], done.stderr)
        answer = json.loads(done.stdout or "{}")
        if step["Command"] == "create-key-pair":  # the step's note: save KeyMaterial 0600 (here as the app would)
            key_file = home / ".ssh" / f"{step['Input']['KeyName']}.pem"
            key_file.parent.mkdir(mode=0o700, exist_ok=True)
            key_file.write_text(answer["KeyMaterial"].rstrip("\n") + "\n")
            key_file.chmod(0o600)
        group_id = answer.get("GroupId", group_id)
        ids = launched_ids(done.stdout) if step["Command"] == "run-instances" else ids
    return ids


# -- the cases -------------------------------------------------------------------------------------------------------


def existing_key_and_group(s: Seed, case: str) -> LaunchRequest:
    """Existing key + group; tricky text everywhere; several volumes; IMDSv2; count 2-3; the other advanced bits."""
    request = LaunchRequest(name=f"{case} {TRICKY}", image_id=s.image_id, instance_type="t3.small")
    request.tags = [Tag("cost center", TRICKY), Tag("empty", "")]
    request.user_data = USER_DATA
    request.key_pair.name = "seed-key"
    request.security_groups.existing_ids = [s.group_id]
    request.network.subnet_id = s.subnet_id
    request.root_volume = VolumeSpec("/dev/xvda", 20, "gp3", iops=4000, encrypted=True)
    request.volumes = [
        # moto refuses io1/io2 in run_instances (it drops the IOPS before creating the volume): not launchable here.
        VolumeSpec("/dev/sdf", 200, "sc1", encrypted=True, delete_on_termination=False),
        VolumeSpec("/dev/sdg", 500, "st1"),
        VolumeSpec("/dev/sdh", 30, "gp2", encrypted=False),
    ]
    request.min_count, request.max_count = 2, 3
    request.advanced = AdvancedSpec(
        iam_instance_profile="web-role",
        metadata="required",
        shutdown_behavior="terminate",
        termination_protection=True,
        detailed_monitoring=True,
    )
    return request


def new_key_and_group(s: Seed, case: str) -> LaunchRequest:
    """New key + new group with rules (named with ${NEW_SG_ID}); Spot; public IP (the group goes on the interface)."""
    request = LaunchRequest(name=case, image_id=s.image_id, instance_type="t3.micro", user_data=USER_DATA)
    request.key_pair.choice, request.key_pair.name, request.key_pair.key_type = "new", f"{case}-key", "ed25519"
    request.key_pair.directory = "~/.ssh"
    request.security_groups.existing_ids = [s.group_id]
    request.security_groups.new_group = NewSecurityGroup(
        f" {case}-${{NEW_SG_ID}} ",
        "web tier: ${NEW_SG_ID} $HOME (a&b) {x} [y] !*#@;=+,/",  # what AWS allows in a description
        [
            IngressRule("tcp", 22, 22, "10.0.0.0/8", "ssh: ${NEW_SG_ID} $USER"),
            IngressRule("icmp", -1, -1, "0.0.0.0/0"),
            IngressRule("all", None, None, "::/0", "$HOME"),
        ],
    )
    request.network.public_ip = True
    request.network.vpc_id = s.vpc_id  # chosen in the form (the rollback case leaves it empty: the default VPC)
    request.root_volume = VolumeSpec("/dev/xvda", 16, "gp3")
    request.min_count = request.max_count = 2
    request.advanced = AdvancedSpec(purchasing="spot", spot_max_price="0.05", metadata="optional")
    return request


CASES: dict[str, Callable[[Seed, str], LaunchRequest]] = {
    "existing": existing_key_and_group,
    "new": new_key_and_group,
}


def both_sides(servers, build, case: str):
    (app, app_seed), (cli, cli_seed) = servers
    return app, build(app_seed, case), cli, build(cli_seed, case)


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_the_script_creates_what_the_app_creates(servers, build, tmp_path, monkeypatch):
    case = f"script-{build.__name__[:3]}"
    app, app_request, cli, cli_request = both_sides(servers, build, case)
    expected = instance_facts(app, app_launch(app, app_request, tmp_path / "app", monkeypatch))
    creates = cli_request.key_pair.choice == "new" or cli_request.security_groups.new_group is not None
    # What the review copies: the script when the launch creates a key pair or group, the command otherwise.
    text = cli_script(cli_request, region=REGION) if creates else cli_command(to_run_instances_params(cli_request))
    home = tmp_path / "cli"
    home.mkdir()
    done = run_script(cli, home, text)
    assert done.returncode == 0, done.stderr
    first = launched_ids(done.stdout)
    assert instance_facts(cli, first) == expected
    # Same count on both sides (moto launches MinCount; AWS as many as it can up to MaxCount).
    assert app_request.min_count <= len(expected) <= app_request.max_count

    if cli_request.key_pair.choice != "new":
        return
    name = cli_request.key_pair.name
    assert key_facts(cli, name) == key_facts(app, name) == [(name, "ed25519")]
    app_pem, cli_pem = tmp_path / "app" / ".ssh" / f"{name}.pem", home / ".ssh" / f"{name}.pem"
    assert pem_shape(cli_pem) == pem_shape(app_pem) and pem_shape(cli_pem)[2:] == (1, 0o600)
    assert (home / ".ssh").stat().st_mode & 0o777 == 0o700
    pem_bytes = cli_pem.read_bytes()

    # Twice: the key pair and group of the first run are reused (nothing fails on "already exists"), the .pem is
    # untouched, and run-instances carries the same client token, so AWS returns the first run's instances. moto
    # does not de-duplicate by client token: it launches again, so the instances are compared, not counted.
    again = run_script(cli, home, text)
    assert again.returncode == 0, again.stderr
    assert "already exists and its private key is in" in again.stderr and "using it as it is" in again.stderr
    assert cli_pem.read_bytes() == pem_bytes and key_facts(cli, name) == [(name, "ed25519")]
    second = launched_ids(again.stdout)
    assert instance_facts(cli, second) == expected
    tokens = {
        i["ClientToken"]
        for r in cli.client().describe_instances(InstanceIds=first + second)["Reservations"]
        for i in r["Instances"]
    }
    assert len(tokens) == 1


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_the_json_creates_what_the_app_creates(servers, build, tmp_path, monkeypatch):
    case = f"json-{build.__name__[:3]}"
    app, app_request, cli, cli_request = both_sides(servers, build, case)
    expected = instance_facts(app, app_launch(app, app_request, tmp_path / "app", monkeypatch))
    home = tmp_path / "cli"
    home.mkdir()
    assert instance_facts(cli, run_json(cli, home, cli_request)) == expected
    if cli_request.key_pair.choice == "new":
        name = cli_request.key_pair.name
        assert key_facts(cli, name) == key_facts(app, name)


def test_a_failing_later_step_rolls_back_what_the_script_created(servers, tmp_path, monkeypatch):
    """run-instances refused (a subnet that doesn't exist): the app deletes its key pair, group and key file;
    the script's trap does the same, and says so."""
    app, app_request, cli, cli_request = both_sides(servers, new_key_and_group, "rollback")
    for request in (app_request, cli_request):
        request.network.subnet_id = "subnet-0000000000000dead"
        request.network.vpc_id = ""
        assert request.security_groups.new_group is not None
        request.security_groups.new_group.rules = []  # one CLI call less: rules are covered above
    with pytest.raises(Exception, match=r"(?i)subnet"):
        app_launch(app, app_request, tmp_path / "app", monkeypatch)
    home = tmp_path / "cli"
    home.mkdir()
    done = run_script(cli, home, cli_script(cli_request, region=REGION))
    assert done.returncode != 0
    assert "Rolled back: deleted the security group" in done.stderr
    assert "Rolled back: deleted the key pair" in done.stderr
    name, group = cli_request.key_pair.name, cli_request.security_groups.new_group
    assert group is not None
    for server in (app, cli):
        assert key_facts(server, name) == [] and not group_exists(server, group.name)
    assert not (home / ".ssh" / f"{name}.pem").exists() and not (tmp_path / "app" / ".ssh" / f"{name}.pem").exists()
