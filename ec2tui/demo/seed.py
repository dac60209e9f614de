"""Realistic demo data: networks, security groups, key pairs, images and a few dozen instances per region."""

from __future__ import annotations

import contextlib
import importlib.util
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase
from typing import Any

import boto3

from ec2tui import clock
from ec2tui.aws.clients import new_session
from ec2tui.demo.seed_templates import seed_templates
from ec2tui.demo.server import DEMO_ACCOUNT, DEMO_REGIONS

DEMO_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}  # moto accepts any


def demo_session() -> boto3.Session:
    """A session with dummy credentials confined to this process (the environment is left alone)."""
    return new_session(
        region_name=DEMO_REGIONS[0],
        aws_access_key_id=DEMO_CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=DEMO_CREDENTIALS["aws_secret_access_key"],
    )


@dataclass(frozen=True)
class DemoInstance:
    name: str
    instance_type: str
    state: str  # running | stopped | terminated
    tier: str  # public | private
    group: str
    key: str | None = None
    image: str = "al2023"
    user_data: str | None = None


WEB_USER_DATA = """#!/bin/bash
dnf -y update
dnf -y install nginx
systemctl enable --now nginx
"""

WORKER_USER_DATA = """#cloud-config
packages:
  - python3-pip
  - jq
runcmd:
  - [ systemctl, enable, --now, batch-worker ]
"""

FLEET: dict[str, tuple[DemoInstance, ...]] = {
    "us-east-1": (
        DemoInstance("web-prod-1", "t3.medium", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("web-prod-2", "t3.medium", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("web-prod-3", "t3.medium", "stopped", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("api-prod-1", "m6i.large", "running", "private", "app", "ops-2026", image="ubuntu"),
        DemoInstance("api-prod-2", "m6i.large", "running", "private", "app", "ops-2026", image="ubuntu"),
        DemoInstance("api-canary", "m7g.large", "running", "private", "app", "ops-2026", image="al2023-arm"),
        DemoInstance("db-primary", "r6i.xlarge", "running", "private", "db", "dba", image="ubuntu"),
        DemoInstance("db-replica", "r6i.xlarge", "running", "private", "db", "dba", image="ubuntu"),
        DemoInstance("bastion", "t3.micro", "running", "public", "ssh", "ops-2026"),
        DemoInstance("batch-worker-1", "c6i.2xlarge", "running", "private", "app", None, user_data=WORKER_USER_DATA),
        DemoInstance("batch-worker-2", "c6i.2xlarge", "stopped", "private", "app", None, user_data=WORKER_USER_DATA),
        DemoInstance("batch-worker-3", "c6i.2xlarge", "terminated", "private", "app", None),
        DemoInstance("jenkins", "m5.xlarge", "running", "private", "app", "ops-2026", image="debian"),
        DemoInstance("windows-build", "m5.large", "stopped", "private", "rdp", "ops-2026", image="windows"),
        DemoInstance("grafana", "t3.small", "running", "private", "app", "ops-2026"),
        DemoInstance("old-test-box", "t2.micro", "stopped", "public", "ssh", "legacy"),
    ),
    "us-west-2": (
        DemoInstance("web-dr-1", "t3.medium", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("web-dr-2", "t3.medium", "stopped", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("ml-train-1", "g5.xlarge", "stopped", "private", "app", "ml-team", image="ubuntu"),
        DemoInstance("ml-notebook", "m6i.xlarge", "running", "private", "app", "ml-team", image="ubuntu"),
        DemoInstance("etl-runner", "c7g.large", "running", "private", "app", None, image="al2023-arm"),
        DemoInstance("bastion-west", "t3.micro", "running", "public", "ssh", "ops-2026"),
        DemoInstance("scratch", "t3.nano", "terminated", "public", "ssh", None),
    ),
    "eu-west-1": (
        DemoInstance("web-eu-1", "t3.medium", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("web-eu-2", "t3.medium", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("api-eu-1", "m6i.large", "running", "private", "app", "ops-2026", image="debian"),
        DemoInstance("db-eu", "r6i.large", "stopped", "private", "db", "dba", image="ubuntu"),
        DemoInstance("vpn-gateway", "t3.small", "running", "public", "ssh", "ops-2026"),
    ),
    "ap-southeast-2": (
        DemoInstance("web-syd-1", "t3.small", "running", "public", "web", "ops-2026"),
        DemoInstance("web-syd-2", "t3.small", "stopped", "public", "web", "ops-2026"),
    ),
}

STAGING_FLEET: dict[str, tuple[DemoInstance, ...]] = {
    "us-east-1": (
        DemoInstance("web-staging-1", "t3.small", "running", "public", "web", "ops-2026", user_data=WEB_USER_DATA),
        DemoInstance("api-staging-1", "t3.medium", "running", "private", "app", "ops-2026", image="ubuntu"),
        DemoInstance("db-staging", "r6i.large", "stopped", "private", "db", "dba", image="ubuntu"),
        DemoInstance("load-test", "c6i.xlarge", "stopped", "private", "app", None),
    ),
    "eu-west-1": (
        DemoInstance("web-staging-eu", "t3.small", "running", "public", "web", "ops-2026"),
        DemoInstance("feature-branch-42", "t3.micro", "running", "public", "ssh", "legacy"),
    ),
}
"""The staging account's instances (profile ``demo-staging``): fewer, smaller, in two regions."""

GROUP_RULES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "web": (
        "Web servers: HTTP/HTTPS from anywhere, SSH from the VPC",
        [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]},
        ],
    ),
    "app": (
        "Application tier: 8080 from the VPC",
        [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}],
    ),
    "db": (
        "Databases: PostgreSQL from the app tier",
        [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}],
    ),
    "ssh": (
        "SSH from the office",
        [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}],
    ),
    "rdp": (
        "RDP from the office",
        [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}],
    ),
}

KEY_PAIRS = ("ops-2026", "dba", "ml-team", "legacy")

AL2023_PARAM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


SSM_PROFILE = "ec2-ssm-managed"
"""The demo's instance profile (a role allowing Session Manager), given to the web/app/db tiers and the Windows box
(Session Manager is how its RDP is forwarded); :mod:`ec2tui.demo.ssm_api` shows these instances' agents Online."""
SSM_TIERS = frozenset({"web", "app", "db", "rdp"})


RANDOM_SEEDS = {DEMO_ACCOUNT: 14, "staging": 15}
"""moto's generator is seeded before each account's seeding: the demo's IDs and public IPs are the same in every run
(as long as nothing else asks the server meanwhile), so screenshots and snapshots show the same data."""


def seed_random(endpoint_url: str, seed: int) -> None:
    """Seed moto's random generator (every ID, IP and request ID it makes) through its documented endpoint."""
    request = urllib.request.Request(f"{endpoint_url}/moto-api/seed?a={seed}", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def seed_demo(endpoint_url: str) -> None:
    """Seed every demo region (sequentially: the work is CPU-bound in moto, threads only add GIL contention)."""
    seed_random(endpoint_url, RANDOM_SEEDS[DEMO_ACCOUNT])
    _seed_account(demo_session(), endpoint_url, DEMO_ACCOUNT, lambda region: FLEET)


def _seed_account(
    session: boto3.Session,
    endpoint_url: str,
    account: str,
    fleet_of: Callable[[str], dict[str, tuple[DemoInstance, ...]]],
) -> None:
    """One account: its instance profile, then every demo region (catalog, network, key pairs, ``fleet_of(region)``)."""
    _seed_instance_profile(session.client("iam", endpoint_url=endpoint_url))
    for region in DEMO_REGIONS:
        seed_region(
            region,
            session.client("ec2", region_name=region, endpoint_url=endpoint_url),
            session.client("ssm", region_name=region, endpoint_url=endpoint_url),
            account=account,
            fleet=fleet_of(region),
        )


def staging_session(endpoint_url: str) -> boto3.Session:
    """The staging account's session, as its profile gets it: a role assumed from the demo's keys (moto's STS puts
    the role's credentials in the role's account)."""
    from ec2tui.demo.profiles import STAGING_ROLE

    sts = demo_session().client("sts", endpoint_url=endpoint_url)
    credentials = sts.assume_role(RoleArn=STAGING_ROLE, RoleSessionName="ec2tui-demo-seed")["Credentials"]
    return new_session(
        region_name=DEMO_REGIONS[0],
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def seed_staging(endpoint_url: str) -> None:
    """The second demo account (profile ``demo-staging``): its own catalog in every region, a small fleet in two."""
    from ec2tui.demo.profiles import STAGING_ACCOUNT, STAGING_REGIONS

    seed_random(endpoint_url, RANDOM_SEEDS["staging"])
    _seed_account(
        staging_session(endpoint_url),
        endpoint_url,
        STAGING_ACCOUNT,
        lambda region: STAGING_FLEET if region in STAGING_REGIONS else {},
    )


def _seed_instance_profile(iam: Any) -> None:
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    )
    iam.create_role(RoleName=SSM_PROFILE, AssumeRolePolicyDocument=trust, Description="EC2 instances managed by SSM")
    # What AmazonSSMManagedInstanceCore grants, inline (moto does not load AWS's managed policies).
    core = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*","Action":['
        '"ssm:UpdateInstanceInformation","ssmmessages:*","ec2messages:*"]}]}'
    )
    iam.put_role_policy(RoleName=SSM_PROFILE, PolicyName="ssm-managed-instance-core", PolicyDocument=core)
    iam.create_instance_profile(InstanceProfileName=SSM_PROFILE)
    iam.add_role_to_instance_profile(InstanceProfileName=SSM_PROFILE, RoleName=SSM_PROFILE)


def seed_region(
    region: str,
    ec2: Any,
    ssm: Any,
    *,
    account: str = DEMO_ACCOUNT,
    fleet: dict[str, tuple[DemoInstance, ...]] | None = None,
) -> None:
    seeded: dict[str, str] = {}
    if importlib.util.find_spec("ec2tui.demo.seed_images") is not None:
        from ec2tui.demo.seed_images import seed_images

        seeded = seed_images(account, region, ec2, ssm)
    images = _pick_images(ec2, ssm, seeded)
    subnets = _seed_network(ec2, region)
    groups = _seed_groups(ec2, subnets["vpc"])
    for key in KEY_PAIRS:
        ec2.create_key_pair(KeyName=key, KeyType="ed25519")
    _seed_instances(ec2, region, images, subnets, groups, FLEET if fleet is None else fleet)
    seed_templates(ec2, images, subnets, groups)
    _backdate(account, region)


def _backdate(account: str, region: str) -> None:
    """Launch and creation times spread over the last weeks, as a real account's (moto stamps each with the second
    it was seeded), counted back from :func:`ec2tui.clock.now`, which the snapshot tests pin."""
    from moto.ec2.models import ec2_backends

    now = clock.now().replace(microsecond=0, tzinfo=None)  # moto keeps naive UTC
    backend = ec2_backends[account][region]
    for n, instance in enumerate(backend.all_instances(), start=1):
        instance.launch_time = now - timedelta(days=(17 * n) % 60, hours=(5 * n) % 24, minutes=(23 * n) % 60)
    for n, template in enumerate(backend.launch_templates.values(), start=1):
        created = now - timedelta(days=90 + 20 * n, hours=3 * n, minutes=11 * n)
        template.create_time = created
        for version in template.versions:  # a week between versions
            version.create_time = created + timedelta(days=7 * (version.number - 1))


def _pick_images(ec2: Any, ssm: Any, seeded: dict[str, str]) -> dict[str, str]:
    """Image IDs for the fleet: the seeded Quick Start images (``seeded``: ID by name and by SSM parameter, which
    saves a round trip each), else asked of moto, which always has Amazon Linux."""
    images: dict[str, str] = {}
    for arch, key in (("x86_64", "al2023"), ("arm64", "al2023-arm")):
        parameter = AL2023_PARAM.format(arch=arch)
        if parameter in seeded:
            images[key] = seeded[parameter]
            continue
        with contextlib.suppress(Exception):  # the parameter only exists in moto's big regions
            images[key] = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    patterns = {"ubuntu": "*ubuntu*24.04*", "debian": "debian-12*", "windows": "Windows_Server-2022*"}
    for key, pattern in patterns.items():
        x86 = [image for name, image in seeded.items() if fnmatchcase(name, pattern) and "arm64" not in name]
        if x86:
            images[key] = x86[0]
            continue
        found = ec2.describe_images(
            Filters=[{"Name": "name", "Values": [pattern]}, {"Name": "architecture", "Values": ["x86_64"]}]
        ).get("Images", [])
        if found:
            images[key] = found[0]["ImageId"]
    if "al2023" not in images:
        # Newer regions have few preloaded images: any x86_64 Linux one will do (never list all 1,300).
        fallback = ec2.describe_images(
            Filters=[{"Name": "architecture", "Values": ["x86_64"]}, {"Name": "name", "Values": ["amzn*"]}]
        ).get("Images", [])
        images["al2023"] = fallback[0]["ImageId"]
    return images


def _seed_network(ec2: Any, region: str) -> dict[str, str]:
    vpc = ec2.create_vpc(
        CidrBlock="10.40.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "prod"}]}],
    )["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    subnets = {"vpc": vpc}
    for index, (tier, cidr) in enumerate((("public", "10.40.0.0/20"), ("private", "10.40.16.0/20"))):
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr,
            AvailabilityZone=zones[index % len(zones)],
            TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": f"prod-{tier}"}]}],
        )["Subnet"]["SubnetId"]
        if tier == "public":
            ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
        subnets[tier] = subnet
    return subnets


def _seed_groups(ec2: Any, vpc: str) -> dict[str, str]:
    groups = {}
    for name, (description, rules) in GROUP_RULES.items():
        group = ec2.create_security_group(GroupName=f"prod-{name}", Description=description, VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)
        groups[name] = group
    return groups


def _seed_instances(
    ec2: Any,
    region: str,
    images: dict[str, str],
    subnets: dict[str, str],
    groups: dict[str, str],
    fleet: dict[str, tuple[DemoInstance, ...]],
) -> None:
    to_stop, to_terminate = [], []
    for spec in fleet.get(region, ()):
        kwargs: dict[str, Any] = {
            "ImageId": images.get(spec.image, images["al2023"]),
            "InstanceType": spec.instance_type,
            "MinCount": 1,
            "MaxCount": 1,
            "SubnetId": subnets[spec.tier],
            "SecurityGroupIds": [groups[spec.group]],
            "TagSpecifications": [
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "Name", "Value": spec.name},
                        {"Key": "Environment", "Value": "demo"},
                        {"Key": "Team", "Value": spec.group},
                    ],
                }
            ],
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "VolumeSize": 30 if spec.group != "db" else 200,
                        "VolumeType": "gp3",
                        "Encrypted": spec.group == "db",
                        "DeleteOnTermination": True,
                    },
                }
            ],
        }
        if spec.key:
            kwargs["KeyName"] = spec.key
        if spec.group in SSM_TIERS:
            kwargs["IamInstanceProfile"] = {"Name": SSM_PROFILE}
        if spec.user_data:
            kwargs["UserData"] = spec.user_data  # boto3 base64-encodes it for RunInstances
        if spec.image.startswith("al2023"):
            kwargs["MetadataOptions"] = {"HttpTokens": "required", "HttpEndpoint": "enabled"}  # AL2023's default
        instance_id = ec2.run_instances(**kwargs)["Instances"][0]["InstanceId"]
        if spec.group == "db":  # databases are protected from a stray terminate
            ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
        if spec.state == "stopped":
            to_stop.append(instance_id)
        elif spec.state == "terminated":
            to_terminate.append(instance_id)
    if to_stop:
        ec2.stop_instances(InstanceIds=to_stop)
    if to_terminate:
        ec2.terminate_instances(InstanceIds=to_terminate)
