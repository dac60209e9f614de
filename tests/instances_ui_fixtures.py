"""Fixtures for the instances screens' Pilot tests, loaded with ``pytest_plugins``: a small moto fleet and the app."""

from __future__ import annotations

import pytest

from ec2tui.app import Ec2App
from tests.instances_ui_helpers import USER_DATA, Fleet, InstancesFirstApp, run


@pytest.fixture
def fleet(no_default_amis, ec2) -> Fleet:
    """web-1 (Ubuntu AMI, SG with SSH/HTTPS, key, encrypted gp3 volume, user data), web-2, db (stopped)."""
    fleet = Fleet()
    ec2.create_key_pair(KeyName="ops")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="Web servers", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    fleet.group_id = group
    builder = run("us-east-1", "builder")
    fleet.image_id = ec2.create_image(InstanceId=builder, Name="ubuntu-noble-24.04-base")["ImageId"]
    ec2.terminate_instances(InstanceIds=[builder])
    fleet.ids["builder"] = builder
    fleet.ids["web-1"] = run(
        "us-east-1",
        "web-1",
        ImageId=fleet.image_id,
        InstanceType="t3.medium",
        KeyName="ops",
        SecurityGroupIds=[group],
        UserData=USER_DATA,  # boto3 base64-encodes it for RunInstances
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "Encrypted": True}}
        ],
    )
    fleet.ids["web-2"] = run("us-east-1", "web-2", InstanceType="t3.micro")
    fleet.ids["db"] = run("us-east-1", "db", InstanceType="r6i.large")
    ec2.stop_instances(InstanceIds=[fleet.ids["db"]])
    return fleet


@pytest.fixture
def app(no_default_amis, fleet, gateway) -> Ec2App:
    return InstancesFirstApp(gateway)
