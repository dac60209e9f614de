"""Launching from a LaunchRequest against moto: what was entered is what AWS holds."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from botocore.stub import Stubber

from ec2tui.aws import instance_types as types_svc
from ec2tui.aws import launch as svc
from ec2tui.aws import network as net
from ec2tui.aws.models.launch import (
    ImageFacts,
    IngressRule,
    LaunchContext,
    LaunchRequest,
    NewSecurityGroup,
    Tag,
    VolumeSpec,
    apply_image,
    to_run_instances_params,
)
from ec2tui.aws.user_data import USER_DATA_LIMIT
from ec2tui.errors import ValidationError

LINUX_AMI_NAME = "amzn2-ami-hvm-2.0.20180810-x86_64-gp2"


@pytest.fixture
def linux_image(ec2):
    images = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"]
    return svc.image_facts_from_raw(images[0])


@pytest.fixture
def default_vpc(ec2):
    return next(v for v in net.list_vpcs(ec2) if v.is_default)


def _request(image, subnet_id: str = "", **changes) -> LaunchRequest:
    request = LaunchRequest(name="web-1", instance_type="t3.micro", **changes)
    request.key_pair.choice = "none"
    request.network.subnet_id = subnet_id
    apply_image(request, image)
    return request


def _instance(ec2, instance_id: str) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def _volumes_by_device(ec2, instance: dict) -> dict[str, dict]:
    ids = [m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]]
    volumes = ec2.describe_volumes(VolumeIds=ids)["Volumes"]
    return {v["Attachments"][0]["Device"]: v for v in volumes}


def test_image_facts_and_apply_image(ec2, linux_image):
    assert linux_image.architecture == "x86_64" and not linux_image.is_windows
    assert linux_image.root_device_name == "/dev/xvda" and linux_image.root_volume_size_gib == 15
    request = LaunchRequest()
    request.root_volume.size_gib = 8
    apply_image(request, linux_image)
    assert request.image_id == linux_image.image_id
    assert request.root_volume.device_name == "/dev/xvda" and request.root_volume.size_gib == 15
    windows = svc.describe_image_facts(ec2, "ami-12c6146b")
    assert windows.is_windows and windows.root_device_name == "/dev/sda1"


def test_launch_round_trips_every_field(ec2, tmp_path, linux_image, default_vpc):
    subnet = net.list_subnets(ec2, default_vpc.vpc_id)[1]
    existing = net.create_security_group(ec2, default_vpc.vpc_id, "existing", "pre-made", [])
    user_data = "#!/bin/bash\necho 'héllo' > /tmp/x\n"
    request = _request(linux_image, subnet.subnet_id, user_data=user_data, tags=[Tag("team", "blue"), Tag("env", "")])
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "deploy", str(tmp_path)
    request.network.vpc_id = default_vpc.vpc_id
    request.security_groups.existing_ids = [existing]
    request.security_groups.new_group = NewSecurityGroup(
        "web", "web servers", [IngressRule("tcp", 443, 443, "0.0.0.0/0", "https")]
    )
    request.root_volume.size_gib = 30
    request.root_volume.volume_type = "gp3"
    request.root_volume.iops = 4000
    request.root_volume.throughput = 250
    request.root_volume.encrypted = True
    request.volumes = [VolumeSpec("/dev/sdf", 500, "st1", encrypted=False, delete_on_termination=False)]
    request.min_count, request.max_count = 2, 2

    sent: list[dict] = []
    ec2.meta.events.register("provide-client-params.ec2.RunInstances", lambda params, **_: sent.append(params))
    context = LaunchContext(image=linux_image, key_pair_names=frozenset(), subnets=tuple(net.list_subnets(ec2)))
    result = svc.launch(ec2, request, context)

    # moto drops Iops/Throughput of run_instances block devices (gp3 gets its default 3000): check what was sent.
    root_sent = sent[0]["BlockDeviceMappings"][0]
    assert root_sent == {
        "DeviceName": "/dev/xvda",
        "Ebs": {
            "DeleteOnTermination": True,
            "VolumeSize": 30,
            "VolumeType": "gp3",
            "Iops": 4000,
            "Throughput": 250,
            "Encrypted": True,
        },
    }

    assert len(result.instance_ids) == 2
    assert result.key_file == str(tmp_path / "deploy.pem") and result.security_group_id
    for instance_id in result.instance_ids:
        instance = _instance(ec2, instance_id)
        assert instance["ImageId"] == linux_image.image_id
        assert instance["InstanceType"] == "t3.micro"
        assert instance["KeyName"] == "deploy"
        assert instance["SubnetId"] == subnet.subnet_id
        assert {g["GroupId"] for g in instance["SecurityGroups"]} == {existing, result.security_group_id}
        assert {t["Key"]: t["Value"] for t in instance["Tags"]} == {"Name": "web-1", "team": "blue", "env": ""}
        volumes = _volumes_by_device(ec2, instance)
        root, data = volumes["/dev/xvda"], volumes["/dev/sdf"]
        assert (root["Size"], root["VolumeType"], root["Encrypted"]) == (30, "gp3", True)
        assert (data["Size"], data["VolumeType"], data["Encrypted"]) == (500, "st1", False)
        assert {t["Key"]: t["Value"] for t in root.get("Tags", [])}.get("Name") == "web-1"
        attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
        assert base64.b64decode(attribute["UserData"]["Value"]).decode() == user_data
    # delete-on-termination as entered
    mappings = {m["DeviceName"]: m["Ebs"] for m in _instance(ec2, result.instance_ids[0])["BlockDeviceMappings"]}
    assert mappings["/dev/xvda"]["DeleteOnTermination"] is True
    assert mappings["/dev/sdf"]["DeleteOnTermination"] is False


def test_public_ip_choice_goes_through_the_network_interface(ec2, linux_image, default_vpc):
    subnet = net.list_subnets(ec2, default_vpc.vpc_id)[0]
    group = net.create_security_group(ec2, default_vpc.vpc_id, "g", "d", [])
    request = _request(linux_image, subnet.subnet_id)
    request.network.public_ip = False
    request.security_groups.existing_ids = [group]
    params = to_run_instances_params(request)
    assert "SubnetId" not in params and "SecurityGroupIds" not in params
    assert params["NetworkInterfaces"] == [
        {
            "DeviceIndex": 0,
            "AssociatePublicIpAddress": False,
            "DeleteOnTermination": True,
            "SubnetId": subnet.subnet_id,
            "Groups": [group],
        }
    ]
    instance = _instance(ec2, svc.launch(ec2, request).instance_ids[0])
    assert instance["SubnetId"] == subnet.subnet_id and "PublicIpAddress" not in instance
    # moto reports the groups on the interface only (AWS also lists them on the instance)
    assert [g["GroupId"] for g in instance["NetworkInterfaces"][0]["Groups"]] == [group]

    request.network.public_ip = True
    instance = _instance(ec2, svc.launch(ec2, request).instance_ids[0])
    assert instance.get("PublicIpAddress")


def test_new_key_pair_file_is_0600_and_never_overwritten(ec2, tmp_path):
    path = net.create_key_pair(ec2, "laptop", "ed25519", str(tmp_path / "keys"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        assert handle.read().startswith("-----BEGIN")
    assert [(k.name, k.key_type) for k in net.list_key_pairs(ec2)] == [("laptop", "ed25519")]

    existing = tmp_path / "keys" / "other.pem"
    existing.write_text("precious")
    with pytest.raises(ValidationError, match="never overwrites") as info:
        net.create_key_pair(ec2, "other", "rsa", str(tmp_path / "keys"))
    assert info.value.field == "key_pair.directory"
    assert existing.read_text() == "precious"
    assert "other" not in {k.name for k in net.list_key_pairs(ec2)}, "AWS must not be asked when the file exists"


def test_failed_key_pair_creation_leaves_no_file(ec2, tmp_path):
    net.create_key_pair(ec2, "dup", "rsa", str(tmp_path / "a"))
    with pytest.raises(Exception, match=r"already exists|Duplicate"):
        net.create_key_pair(ec2, "dup", "rsa", str(tmp_path / "b"))
    assert not (tmp_path / "b" / "dup.pem").exists()


def test_new_security_group_has_exactly_the_entered_rules(ec2, default_vpc):
    rules = [
        IngressRule("tcp", 22, 22, "203.0.113.7/32", "admin"),
        IngressRule("tcp", 8000, 8100, "10.0.0.0/8"),
        IngressRule("udp", 53, 53, "::/0"),
        IngressRule("icmp", 8, -1, "0.0.0.0/0"),
        IngressRule("icmp", -1, -1, "2001:db8::/32"),
        IngressRule("all", None, None, "192.168.0.0/16"),
    ]
    group_id = net.create_security_group(ec2, default_vpc.vpc_id, "web", "web tier", rules)
    group = next(g for g in net.list_security_groups(ec2, default_vpc.vpc_id) if g.group_id == group_id)
    assert (group.name, group.description, group.vpc_id) == ("web", "web tier", default_vpc.vpc_id)
    got = sorted((r.protocol, r.from_port, r.to_port, r.source, r.description) for r in group.inbound)
    expected = sorted(
        [
            ("tcp", 22, 22, "203.0.113.7/32", "admin"),
            ("tcp", 8000, 8100, "10.0.0.0/8", ""),
            ("udp", 53, 53, "::/0", ""),
            ("icmp", 8, -1, "0.0.0.0/0", ""),
            ("icmpv6", -1, -1, "2001:db8::/32", ""),
            ("all", None, None, "192.168.0.0/16", ""),
        ]
    )
    assert got == expected


def test_invalid_security_group_is_refused_before_aws(ec2, default_vpc):
    before = len(net.list_security_groups(ec2))
    with pytest.raises(ValidationError) as info:
        net.create_security_group(ec2, default_vpc.vpc_id, "web", "d", [IngressRule("tcp", 80, 70, "0.0.0.0/0")])
    assert info.value.field == "security_groups.new_group.rules[0].to_port"
    assert len(net.list_security_groups(ec2)) == before


def test_user_data_over_16_kb_is_refused_before_calling_aws(ec2, linux_image, monkeypatch):
    calls: list[str] = []
    ec2.meta.events.register("before-call.ec2.*", lambda model, **_: calls.append(model.name))
    request = _request(linux_image, user_data="#!/bin/bash\n" + "x" * USER_DATA_LIMIT)
    with pytest.raises(ValidationError, match="16 KB") as info:
        svc.launch(ec2, request)
    assert info.value.field == "user_data"
    assert calls == [], "no AWS call may be made"
    # exactly at the limit (multi-byte characters counted in bytes) is accepted
    request.user_data = "é" * (USER_DATA_LIMIT // 2)
    assert svc.launch(ec2, request).instance_ids
    assert "RunInstances" in calls


def test_failed_run_instances_rolls_back_the_new_key_and_group(ec2, tmp_path, linux_image, default_vpc):
    request = _request(linux_image)
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k1", str(tmp_path)
    request.security_groups.new_group = NewSecurityGroup("temp", "temp", [IngressRule("tcp", 80, 80, "0.0.0.0/0")])
    groups_before = {g.group_id for g in net.list_security_groups(ec2)}
    real_run = ec2.run_instances

    def failing_run(**kwargs):
        raise RuntimeError("capacity")

    ec2.run_instances = failing_run
    try:
        with pytest.raises(RuntimeError, match="capacity"):
            svc.launch(ec2, request)
    finally:
        ec2.run_instances = real_run
    assert {g.group_id for g in net.list_security_groups(ec2)} == groups_before
    assert net.list_key_pairs(ec2) == []
    assert not (tmp_path / "k1.pem").exists()


def test_dry_run_success_and_failures(ec2, linux_image, default_vpc):
    request = _request(linux_image)
    request.security_groups.new_group = NewSecurityGroup("dry", "dry", [])
    ok = svc.dry_run_request(ec2, request)
    assert ok.ok and ok.code == "DryRunOperation"
    assert not any(g.name == "dry" for g in net.list_security_groups(ec2)), "a dry run changes nothing"
    assert ec2.describe_instances()["Reservations"] == []

    subnet = net.list_subnets(ec2)[0]
    bad = {**to_run_instances_params(request, include_new_resources=False), "SubnetId": subnet.subnet_id}
    bad["NetworkInterfaces"] = [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}]
    refused = svc.dry_run(ec2, bad)
    assert not refused.ok and refused.code == "InvalidParameterCombination"
    assert "may not be specified" in refused.message

    params = to_run_instances_params(request, include_new_resources=False)
    with Stubber(ec2) as stubber:
        stubber.add_client_error(
            "run_instances", service_error_code="UnauthorizedOperation", service_message="You are not authorized."
        )
        denied = svc.dry_run(ec2, params)
    assert not denied.ok and denied.code == "UnauthorizedOperation"
    assert "not allowed" in denied.message and "You are not authorized" in denied.message


def test_list_network_resources(ec2, default_vpc):
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "lab"}])
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1b")
    vpcs = net.list_vpcs(ec2)
    assert vpcs[0].is_default and any(v.vpc_id == vpc and v.name == "lab" for v in vpcs)
    subnets = net.list_subnets(ec2, vpc)
    assert [(s.availability_zone, s.cidr, s.default_for_az) for s in subnets] == [("us-east-1b", "10.1.1.0/24", False)]
    assert subnets[0].available_ips == 251  # AWS reserves 5 addresses per subnet
    default_subnets = net.list_subnets(ec2, default_vpc.vpc_id)
    assert default_subnets and all(s.default_for_az and s.map_public_ip_on_launch for s in default_subnets)
    groups = net.list_security_groups(ec2, vpc)
    assert [g.name for g in groups] == ["default"]


def test_instance_types_and_offerings(ec2):
    types = types_svc.list_instance_types(ec2)
    micro = next(t for t in types if t.name == "t3.micro")
    assert (micro.vcpus, micro.memory_gib, micro.architectures) == (2, 1.0, ("x86_64",))
    assert micro.free_tier_eligible and micro.current_generation and micro.ebs_only
    with_disks = next(t for t in types if t.storage is not None)
    assert with_disks.storage.count >= 1 and with_disks.storage.disk_type in ("ssd", "hdd")
    region = types_svc.offered_types(ec2)
    zone = types_svc.offered_types(ec2, "availability-zone", "us-east-1a")
    assert "t3.micro" in region and zone <= region and zone
    with pytest.raises(ValidationError):
        types_svc.offered_types(ec2, "availability-zone")


def test_image_facts_from_the_catalog_image_model(ec2, linux_image):
    parsing = pytest.importorskip("ec2tui.aws.image_parsing")
    raw = ec2.describe_images(ImageIds=[linux_image.image_id])["Images"][0]
    image = parsing.parse_image(raw, region="us-east-1")
    assert ImageFacts.from_image(image) == linux_image
