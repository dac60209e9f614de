"""Instance service functions against moto: listing (paged), detail lookups and user data."""

from __future__ import annotations

import gzip
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from ec2tui.aws import instances as svc
from ec2tui.aws.models.instances import AMI_NOT_FOUND, InstanceState
from ec2tui.errors import AwsError, ValidationError

REGION = "us-east-1"


def image_id(ec2, name_pattern: str) -> str:
    images = ec2.describe_images(Filters=[{"Name": "name", "Values": [name_pattern]}])["Images"]
    assert images, f"moto has no image matching {name_pattern}"
    return sorted(images, key=lambda i: i["Name"])[0]["ImageId"]


def run(ec2, count: int = 1, **kwargs) -> list[str]:
    kwargs.setdefault("ImageId", image_id(ec2, "amzn2-ami-hvm*x86_64*"))
    kwargs.setdefault("InstanceType", "t3.micro")
    response = ec2.run_instances(MinCount=count, MaxCount=count, **kwargs)
    return [i["InstanceId"] for i in response["Instances"]]


def name_tag(name: str) -> list[dict]:
    return [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}, {"Key": "team", "Value": "ops"}]}]


def test_list_pages_through_more_than_one_page_of_reservations(ec2, monkeypatch):
    monkeypatch.setattr(svc, "LIST_PAGE_SIZE", 50)
    ami = image_id(ec2, "amzn2-ami-hvm*x86_64*")
    expected = {iid for _ in range(120) for iid in run(ec2, ImageId=ami)}
    requests: list[str] = []
    ec2.meta.events.register("before-call.ec2.DescribeInstances", lambda **_: requests.append("call"))

    pages: list[list[str]] = []
    instances = svc.list_instances(ec2, REGION, on_page=lambda page: pages.append([i.id for i in page]))

    assert {i.id for i in instances} == expected
    assert len(requests) > 1, "the paginator should have asked for a second page"
    assert len(pages) == len(requests) and all(len(page) <= 50 for page in pages), "each page handed on as it came"
    every = [iid for page in pages for iid in page]
    assert sorted(every) == sorted(expected), "every instance in exactly one page"


def test_list_includes_terminated_and_parses_fields(ec2):
    ec2.create_key_pair(KeyName="deploy")
    live = run(ec2, KeyName="deploy", TagSpecifications=name_tag("web-1"))[0]
    gone = run(ec2)[0]
    ec2.terminate_instances(InstanceIds=[gone])

    by_id = {i.id: i for i in svc.list_instances(ec2, REGION)}

    assert by_id[gone].state == InstanceState.TERMINATED
    assert "shutdown" in by_id[gone].state_reason.lower()
    web = by_id[live]
    assert web.name == "web-1" and web.tag("team") == "ops" and web.tag("missing") is None
    assert web.state == "running" and not web.is_transitional
    assert web.instance_type == "t3.micro" and web.key_name == "deploy" and web.region == REGION
    assert web.availability_zone.startswith(REGION)
    assert web.private_ip and web.public_ip and web.public_dns
    assert web.platform == "Linux/UNIX" and not web.is_windows and web.architecture == "x86_64"
    assert web.vpc_id and web.subnet_id
    assert [name for _, name in web.security_groups] == ["default"]
    assert web.block_devices and web.block_devices[0].volume_id.startswith("vol-")
    assert web.network_interfaces[0].private_ips == (web.private_ip,)
    assert web.network_interfaces[0].public_ip == web.public_ip
    assert web.monitoring == "disabled"
    assert web.launch_time is not None and web.launch_time.tzinfo is not None
    assert web.age_at(web.launch_time + timedelta(days=3, hours=4, minutes=5)) == "3d 4h"
    # named instances sort first, by name
    assert next(iter(by_id.values())).name == "web-1"


def test_list_of_an_empty_region(ec2):
    assert svc.list_instances(ec2, REGION) == []


@pytest.fixture
def detailed_instance(ec2):
    """An Ubuntu instance with a custom security group, an extra encrypted gp3 volume and an instance profile."""
    sg = ec2.create_security_group(GroupName="web", Description="web servers")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "vpn"}],
            },
            {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8080, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]},
        ],
    )
    iam = boto3.client("iam", region_name=REGION)
    profile = iam.create_instance_profile(InstanceProfileName="web-role")["InstanceProfile"]["Arn"]
    iid = run(
        ec2,
        ImageId=image_id(ec2, "ubuntu/images/*xenial*"),
        InstanceType="m5.large",
        SecurityGroupIds=[sg],
        IamInstanceProfile={"Arn": profile},
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 30, "VolumeType": "gp2"}},
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {"VolumeSize": 100, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": False},
            },
        ],
    )[0]
    return iid, sg, profile


def test_detail_has_type_ami_rules_and_volumes(ec2, detailed_instance):
    iid, sg, profile = detailed_instance

    detail = svc.instance_detail(ec2, iid, REGION)

    assert detail.warnings == ()
    assert detail.instance.id == iid and detail.instance.iam_profile_arn == profile
    assert detail.type_info is not None
    assert (detail.type_info.vcpus, detail.type_info.memory_mib) == (2, 8192)
    assert detail.type_info.label == "2 vCPU, 8 GiB"
    assert detail.ami.status == "available" and "ubuntu-xenial" in (detail.ami.name or "")
    assert detail.ssh_user == "ubuntu"

    (group,) = detail.security_groups
    assert (group.id, group.name, group.description) == (sg, "web", "web servers")
    rules = {(r.protocol_label, r.port_label): r.sources for r in group.inbound}
    assert rules[("TCP", "22")] == ("10.0.0.0/8 (vpn)",)
    assert rules[("TCP", "8000-8080")] == ("::/0",)
    assert rules[("All", "all")][0].startswith(sg)

    volumes = {v.device: v for v in detail.volumes}
    assert set(volumes) == {"/dev/sda1", "/dev/sdf"}
    data = volumes["/dev/sdf"]
    assert (data.size_gib, data.volume_type, data.encrypted, data.state) == (100, "gp3", True, "in-use")
    assert data.iops == 3000 and data.delete_on_termination is False
    assert volumes["/dev/sda1"].size_gib == 30 and not volumes["/dev/sda1"].encrypted


def test_detail_reports_a_deregistered_ami(ec2):
    source = run(ec2)[0]
    own_ami = ec2.create_image(InstanceId=source, Name="short-lived")["ImageId"]
    iid = run(ec2, ImageId=own_ami)[0]
    ec2.deregister_image(ImageId=own_ami)

    detail = svc.instance_detail(ec2, iid, REGION)

    assert detail.ami.status == AMI_NOT_FOUND and detail.ami.name is None
    assert "deregistered" in detail.ami.label
    assert detail.warnings == ()
    assert detail.ssh_user == "ec2-user"  # nothing to go on: the most common default


def test_detail_keeps_going_when_a_lookup_fails(ec2, detailed_instance):
    iid, _, _ = detailed_instance

    def deny(**_):
        raise ClientError(
            {"Error": {"Code": "UnauthorizedOperation", "Message": "You are not authorized"}}, "DescribeVolumes"
        )

    ec2.meta.events.register("before-call.ec2.DescribeVolumes", deny)
    detail = svc.instance_detail(ec2, iid, REGION)

    assert detail.volumes == ()
    assert len(detail.warnings) == 1 and "UnauthorizedOperation" in detail.warnings[0]
    assert detail.security_groups and detail.type_info is not None


def test_detail_of_an_unknown_instance_is_an_error(ec2):
    with pytest.raises(Exception, match="InvalidInstanceID"):
        svc.instance_detail(ec2, "i-0123456789abcdef0", REGION)
    with pytest.raises(ValidationError):
        svc.instance_detail(ec2, "not-an-id", REGION)


def test_windows_instance_has_no_ssh_user(ec2):
    iid = run(ec2, ImageId=image_id(ec2, "Windows_Server-2016*"))[0]
    detail = svc.instance_detail(ec2, iid, REGION)
    assert detail.instance.is_windows and detail.instance.platform == "Windows"
    assert detail.ssh_user is None


def test_user_data_round_trip(ec2):
    script = "#!/bin/bash\necho héllo > /tmp/greeting\n"
    with_data = run(ec2, UserData=script)[0]
    without = run(ec2)[0]
    assert svc.user_data(ec2, with_data) == script
    assert svc.user_data(ec2, without) is None


def test_compressed_and_binary_user_data_are_described_not_shown(ec2):
    compressed = gzip.compress(b"#cloud-config\npackages: [nginx]\n")
    gz = run(ec2, UserData=compressed)[0]
    binary = run(ec2, UserData=b"\xff\xfe\x00\x01binary")[0]
    assert svc.user_data(ec2, gz) == f"<gzip-compressed, {len(compressed)} bytes>"
    assert svc.user_data(ec2, binary) == "<binary, 10 bytes>"


def test_decode_user_data_rejects_bad_base64():
    with pytest.raises(AwsError, match="base64"):
        svc.decode_user_data("@@not base64@@")
