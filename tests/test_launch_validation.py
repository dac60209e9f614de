"""Validation of a LaunchRequest: one clear message per field problem, warnings that don't block."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.aws.models.launch import (
    FieldError,
    ImageFacts,
    IngressRule,
    LaunchContext,
    LaunchRequest,
    NewSecurityGroup,
    Tag,
    VolumeSpec,
    apply_image,
    blocking,
    to_run_instances_params,
)
from ec2tui.aws.models.launch_validation import field_label, parse_cidr, validate
from ec2tui.aws.models.network import SecurityGroup, SecurityGroupRule, Subnet, Vpc
from ec2tui.aws.user_data import USER_DATA_LIMIT, base64_size, looks_like, templates_for, user_data_size

IMAGE = ImageFacts(
    image_id="ami-0123456789abcdef0",
    name="al2023-ami-2023.5-x86_64",
    architecture="x86_64",
    root_device_name="/dev/xvda",
    root_volume_size_gib=8,
    root_volume_type="gp3",
)
T3_MICRO = InstanceTypeInfo(
    name="t3.micro",
    vcpus=2,
    memory_mib=1024,
    architectures=("x86_64",),
    current_generation=True,
    network_performance="Up to 5 Gigabit",
    free_tier_eligible=True,
    storage=None,
    root_device_types=("ebs",),
)
T4G_MICRO = replace(T3_MICRO, name="t4g.micro", architectures=("arm64",))


def valid_request() -> LaunchRequest:
    request = LaunchRequest(name="web", instance_type="t3.micro")
    request.key_pair.name = "laptop"
    apply_image(request, IMAGE)
    return request


def messages(request: LaunchRequest, context: LaunchContext | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in validate(request, context or LaunchContext(image=IMAGE, instance_type=T3_MICRO)):
        found.setdefault(issue.field, []).append(issue.message)
    return found


def only(request: LaunchRequest, context: LaunchContext | None = None) -> tuple[str, str]:
    """The one issue the request has."""
    found = messages(request, context)
    assert len(found) == 1 and len(next(iter(found.values()))) == 1, found
    field, [message] = next(iter(found.items()))
    return field, message


def test_a_complete_request_is_valid():
    assert validate(valid_request(), LaunchContext(image=IMAGE, instance_type=T3_MICRO)) == []


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda r: setattr(r, "name", "n" * 257), "name", "at most 256"),
        (lambda r: r.tags.append(Tag("k" * 128, "v")), "tags[0].key", "at most 127"),
        (lambda r: r.tags.append(Tag("aws:owner", "me")), "tags[0].key", "aws:"),
        (lambda r: r.tags.append(Tag("team", "v" * 257)), "tags[0].value", "at most 256"),
        (lambda r: r.tags.extend([Tag("a", "1"), Tag("a", "2")]), "tags[1].key", "Duplicate"),
        (lambda r: r.tags.append(Tag("Name", "other")), "tags[0].key", "Name field"),
        (lambda r: r.tags.append(Tag("", "orphan")), "tags[0].key", "needs a key"),
        (lambda r: setattr(r, "image_id", ""), "image_id", "Choose an AMI"),
        (lambda r: setattr(r, "image_id", "ami-xyz"), "image_id", "not an AMI id"),
        (lambda r: setattr(r, "instance_type", ""), "instance_type", "Choose an instance type"),
        (lambda r: setattr(r, "instance_type", "T3 micro"), "instance_type", "family.size"),
        (lambda r: setattr(r.key_pair, "name", ""), "key_pair.name", "Choose a key pair"),
        (lambda r: setattr(r.key_pair, "choice", "maybe"), "key_pair.choice", "existing, new or none"),
        (lambda r: setattr(r.network, "subnet_id", "sub-1"), "network.subnet_id", "not a subnet id"),
        (lambda r: setattr(r.network, "vpc_id", "vpc1"), "network.vpc_id", "not a VPC id"),
        (lambda r: r.security_groups.existing_ids.append("default"), "security_groups.existing_ids[0]", "not a"),
        (
            lambda r: r.security_groups.existing_ids.extend(["sg-12345678"] * 2),
            "security_groups.existing_ids[1]",
            "twice",
        ),
        (lambda r: setattr(r.root_volume, "size_gib", 4), "root_volume.size_gib", "snapshot size, 8 GiB"),
        (lambda r: setattr(r.root_volume, "size_gib", 70_000), "root_volume.size_gib", "1-65,536 GiB"),
        (lambda r: setattr(r.root_volume, "size_gib", "big"), "root_volume.size_gib", "whole number"),
        (lambda r: setattr(r.root_volume, "volume_type", "st1"), "root_volume.volume_type", "can't be boot"),
        (lambda r: setattr(r.root_volume, "volume_type", "nvme"), "root_volume.volume_type", "must be one of"),
        (lambda r: setattr(r.root_volume, "iops", 2000), "root_volume.iops", "3,000-80,000"),
        (lambda r: setattr(r.root_volume, "iops", 5000), "root_volume.iops", "500 IOPS per GiB"),
        (lambda r: setattr(r.root_volume, "throughput", 100), "root_volume.throughput", "125-2,000"),
        (lambda r: setattr(r.root_volume, "throughput", 1000), "root_volume.throughput", "0.25 MiB/s per IOPS"),
        (lambda r: setattr(r, "user_data", "x" * (USER_DATA_LIMIT + 1)), "user_data", "16,384 bytes"),
        (lambda r: setattr(r, "min_count", 0), "min_count", "between 1 and 100"),
        (lambda r: setattr(r, "max_count", 101), "max_count", "between 1 and 100"),
        (lambda r: setattr(r, "max_count", "many"), "max_count", "whole number"),
        (lambda r: (setattr(r, "min_count", 3), setattr(r, "max_count", 2)), "max_count", "below the minimum"),
    ],
)
def test_each_field_has_a_clear_message(change, field, fragment):
    request = valid_request()
    change(request)
    got_field, message = only(request)
    assert got_field == field
    assert fragment in message


@pytest.mark.parametrize(
    ("volume", "field", "fragment"),
    [
        (VolumeSpec("", 10), "volumes[0].device_name", "Enter a device name"),
        (VolumeSpec("/dev/foo", 10), "volumes[0].device_name", "not a device name"),
        (VolumeSpec("/dev/xvda", 10), "volumes[0].device_name", "already used"),
        (VolumeSpec("/dev/sdf", None), "volumes[0].size_gib", "Enter a size"),
        (VolumeSpec("/dev/sdf", 100, "st1"), "volumes[0].size_gib", "125-16,384"),
        (VolumeSpec("/dev/sdf", 2048, "standard"), "volumes[0].size_gib", "1-1,024"),
        (VolumeSpec("/dev/sdf", 100, "io1"), "volumes[0].iops", "need provisioned IOPS"),
        (VolumeSpec("/dev/sdf", 100, "io1", iops=6000), "volumes[0].iops", "50 IOPS per GiB"),
        (VolumeSpec("/dev/sdf", 100, "io2", iops=300_000), "volumes[0].iops", "100-256,000"),
        (VolumeSpec("/dev/sdf", 100, "gp2", iops=3000), "volumes[0].iops", "only gp3, io1 and io2"),
        (VolumeSpec("/dev/sdf", 500, "st1", throughput=200), "volumes[0].throughput", "only be set on gp3"),
    ],
)
def test_extra_volume_rules(volume, field, fragment):
    request = valid_request()
    request.volumes.append(volume)
    got_field, message = only(request)
    assert (got_field, fragment in message) == (field, True), message


def test_valid_extra_volumes_pass():
    request = valid_request()
    request.volumes = [
        VolumeSpec("/dev/sdf", 500, "st1"),
        VolumeSpec("/dev/sdg", 100, "io2", iops=64_000),
        VolumeSpec("/dev/sdh", 16, "gp3", iops=8000, throughput=2000),  # 16 GiB * 500; 8000 IOPS * 0.25 MiB/s
        VolumeSpec("xvdi", 1, "standard"),
    ]
    assert messages(request) == {}


@pytest.mark.parametrize(
    ("rule", "field", "fragment"),
    [
        (IngressRule("tcp", 80, 70, "0.0.0.0/0"), "rules[0].to_port", "ends (70) before it starts (80)"),
        (IngressRule("tcp", -1, 80, "0.0.0.0/0"), "rules[0].from_port", "0-65535"),
        (IngressRule("udp", 53, 70000, "0.0.0.0/0"), "rules[0].to_port", "0-65535"),
        (IngressRule("tcp", None, 80, "0.0.0.0/0"), "rules[0].from_port", "Enter a port"),
        (IngressRule("icmp", 300, 0, "0.0.0.0/0"), "rules[0].from_port", "ICMP type"),
        (IngressRule("gre", 0, 0, "0.0.0.0/0"), "rules[0].protocol", "tcp, udp, icmp, all"),
        (IngressRule("tcp", 80, 80, "10.0.0.1/8"), "rules[0].cidr", "did you mean 10.0.0.0/8"),
        (IngressRule("tcp", 80, 80, "10.0.0.1"), "rules[0].cidr", "10.0.0.1/32"),
        (IngressRule("tcp", 80, 80, "300.1.1.1/32"), "rules[0].cidr", "not a valid"),
        (IngressRule("tcp", 80, 80, "2001:db8::1/32"), "rules[0].cidr", "did you mean 2001:db8::/32"),
        (IngressRule("tcp", 80, 80, ""), "rules[0].cidr", "Enter a source CIDR"),
    ],
)
def test_new_security_group_rule_messages(rule, field, fragment):
    request = valid_request()
    request.security_groups.new_group = NewSecurityGroup("web", "web tier", [rule])
    got_field, message = only(request)
    assert got_field == f"security_groups.new_group.{field}"
    assert fragment in message


def test_new_security_group_name_description_and_duplicates():
    request = valid_request()
    rule = IngressRule("tcp", 443, 443, "10.0.0.0/8")
    request.security_groups.new_group = NewSecurityGroup(
        "sg-web", "", [rule, IngressRule("tcp", 443, 443, "10.0.0.0/8")]
    )
    found = messages(request)
    assert "can't start with 'sg-'" in found["security_groups.new_group.name"][0]
    assert "requires a description" in found["security_groups.new_group.description"][0]
    assert "duplicate" in found["security_groups.new_group.rules[1]"][0]
    request.security_groups.new_group = NewSecurityGroup("web", "web tier", [rule])
    existing = SecurityGroup("sg-0aaaaaaaaaaaaaaaa", "WEB", "taken", "vpc-01234567")
    field, message = only(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO, security_groups=(existing,)))
    assert (field, "already exists" in message) == ("security_groups.new_group.name", True)


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        (IngressRule("tcp", 22, 22, "0.0.0.0/0"), "SSH"),
        (IngressRule("tcp", 3389, 3389, "::/0"), "RDP"),
        (IngressRule("tcp", 0, 65535, "0.0.0.0/0"), "SSH"),
        (IngressRule("all", None, None, "0.0.0.0/0"), "SSH"),
    ],
)
def test_admin_ports_open_to_the_world_warn_but_do_not_block(rule, label):
    request = valid_request()
    request.security_groups.new_group = NewSecurityGroup("web", "web tier", [rule])
    issues = validate(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO))
    assert issues and all(i.is_warning for i in issues) and blocking(issues) == []
    assert any(label in i.message and "anywhere" in i.message for i in issues)


def test_no_warning_for_restricted_ssh_or_open_https():
    request = valid_request()
    request.security_groups.new_group = NewSecurityGroup(
        "web", "web tier", [IngressRule("tcp", 22, 22, "203.0.113.0/24"), IngressRule("tcp", 443, 443, "0.0.0.0/0")]
    )
    assert validate(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO)) == []


def test_existing_group_open_ssh_warns():
    request = valid_request()
    group = SecurityGroup(
        "sg-0bbbbbbbbbbbbbbbb", "ssh", "", "vpc-01234567", (SecurityGroupRule("tcp", 22, 22, "0.0.0.0/0"),)
    )
    request.security_groups.existing_ids = [group.group_id]
    issues = validate(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO, security_groups=(group,)))
    assert [(i.field, i.level) for i in issues] == [("security_groups.existing_ids[0]", "warning")]
    request.security_groups.existing_ids = ["sg-0cccccccccccccccc"]
    field, message = only(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO, security_groups=(group,)))
    assert field == "security_groups.existing_ids[0]" and "not a security group of" in message


def test_no_key_pair_is_a_warning():
    request = valid_request()
    request.key_pair.choice = "none"
    [issue] = validate(request, LaunchContext(image=IMAGE, instance_type=T3_MICRO))
    assert issue == FieldError("key_pair", issue.message, "warning")
    assert "SSH" in issue.message
    assert "KeyName" not in to_run_instances_params(request)


def test_key_pair_checks_against_the_region_and_the_disk(tmp_path):
    request = valid_request()
    context = LaunchContext(image=IMAGE, instance_type=T3_MICRO, key_pair_names=frozenset({"other"}))
    assert only(request, context) == ("key_pair.name", "There is no key pair named 'laptop' in this region.")
    request.key_pair.choice, request.key_pair.directory = "new", str(tmp_path)
    assert messages(request, context) == {}
    request.key_pair.name = "other"
    assert "already exists" in only(request, context)[1]
    request.key_pair.name = "fresh"
    (tmp_path / "fresh.pem").write_text("old key")
    field, message = only(request, context)
    assert field == "key_pair.directory" and "never overwrites" in message
    request.key_pair.name, request.key_pair.key_type = "n" * 256, "dsa"
    found = messages(request, context)
    assert "at most 255" in found["key_pair.name"][0] and "rsa or ed25519" in found["key_pair.key_type"][0]


def test_windows_refuses_ed25519():
    windows = ImageFacts(**{**IMAGE.__dict__, "platform": "windows", "root_device_name": "/dev/sda1"})
    request = valid_request()
    apply_image(request, windows)
    request.key_pair.choice, request.key_pair.name, request.key_pair.key_type = "new", "winkey", "ed25519"
    request.key_pair.directory = "/nonexistent-dir-for-test"
    field, message = only(request, LaunchContext(image=windows, instance_type=T3_MICRO))
    assert field == "key_pair.key_type" and "Windows" in message


def test_instance_type_must_match_the_ami_architecture_and_be_offered():
    request = valid_request()
    request.instance_type = "t4g.micro"
    field, message = only(request, LaunchContext(image=IMAGE, instance_type=T4G_MICRO))
    assert field == "instance_type" and "arm64" in message and "x86_64" in message
    request.instance_type = "t3.micro"
    context = LaunchContext(image=IMAGE, instance_type=T3_MICRO, offered_types=frozenset({"t3.small"}))
    assert only(request, context) == ("instance_type", "t3.micro is not offered in this region.")
    store_only = replace(T3_MICRO, root_device_types=("instance-store",))
    assert "can't boot" in only(request, LaunchContext(image=IMAGE, instance_type=store_only))[1]


def test_network_against_the_region():
    vpc = Vpc("vpc-0aaaaaaaaaaaaaaaa", "10.0.0.0/16", is_default=False)
    default = Vpc("vpc-0bbbbbbbbbbbbbbbb", "172.31.0.0/16", is_default=True)
    subnet = Subnet("subnet-0aaaaaaaaaaaaaaaa", vpc.vpc_id, "10.0.1.0/28", "us-east-1a", 3, False, False)
    other = Subnet("subnet-0bbbbbbbbbbbbbbbb", default.vpc_id, "172.31.0.0/20", "us-east-1a", 4000, True, True)
    context = LaunchContext(image=IMAGE, instance_type=T3_MICRO, vpcs=(vpc, default), subnets=(subnet, other))
    request = valid_request()
    request.network.vpc_id = vpc.vpc_id
    assert "Choose a subnet of" in only(request, context)[1]
    request.network.subnet_id = other.subnet_id
    assert "belongs to" in only(request, context)[1]
    request.network.subnet_id = subnet.subnet_id
    assert messages(request, context) == {}
    request.max_count = 4
    assert "3 free IP addresses" in only(request, context)[1]


def test_remote_errors_are_reported():
    error = FieldError("image_id", "AMI ami-0123456789abcdef0 was not found")
    assert validate(valid_request(), LaunchContext(remote_errors=(error,))) == [error]


def test_cidr_parsing():
    assert str(parse_cidr("::/0")[0]) == "::/0"
    assert parse_cidr(" 192.168.1.0/24 ")[1] == ""


def test_user_data_size_is_raw_bytes_not_base64():
    text = "é" * 100
    assert user_data_size(text) == 200 and base64_size(text) == 268
    request = valid_request()
    request.user_data = "a" * USER_DATA_LIMIT  # base64 would be 21,848 bytes: still allowed
    assert messages(request) == {}


def test_user_data_kind_and_templates():
    assert looks_like("#!/bin/bash\necho hi") == "bash"
    assert looks_like("#cloud-config\npackages: [git]") == "cloud-config"
    assert looks_like("<powershell>\nGet-Date\n</powershell>") == "powershell"
    assert looks_like("#!/usr/bin/env python3\nprint(1)") == "python"
    assert looks_like('Content-Type: multipart/mixed; boundary="x"') == "mime"
    assert looks_like("   \n") == "empty" and looks_like("hello") == "text"
    ubuntu, amazon = templates_for("ubuntu"), templates_for("amazon-linux")
    assert any("nginx" in text and "apt-get" in text for text in ubuntu.values())
    assert any("httpd" in text and "dnf" in text for text in amazon.values())
    assert not any("apt-get" in text for text in amazon.values())
    for text in {**ubuntu, **amazon, **templates_for("windows")}.values():
        assert looks_like(text) in ("bash", "cloud-config", "powershell")
        assert user_data_size(text) < USER_DATA_LIMIT


def test_params_leave_out_unset_parts_and_tag_volumes():
    request = LaunchRequest(image_id="ami-0123456789abcdef0", instance_type="t3.micro")
    request.key_pair.choice = "none"
    assert to_run_instances_params(request) == {
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": "t3.micro",
        "MinCount": 1,
        "MaxCount": 1,
    }
    request.tags = [Tag("team", "a")]
    params = to_run_instances_params(request)
    assert params["TagSpecifications"] == [
        {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}]},
        {"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "a"}]},
    ]


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("name", "Name"),
        ("instance_type", "Instance type"),
        ("security_groups.new_group.rules[0]", "New group rule 1"),
        ("security_groups.new_group.rules[2].cidr", "New group rule 3 source"),
        ("security_groups.new_group.name", "New group name"),
        ("tags[1].key", "Tag 2 key"),
        ("volumes[0].size_gib", "Volume 1 size"),
        ("root_volume.iops", "Root volume IOPS"),
        ("key_pair.directory", "Key file folder"),
        ("max_count", "Count (max)"),
    ],
)
def test_messages_away_from_their_field_name_it_as_the_form_does(path, label):
    assert field_label(path) == label
