"""Pure parts of the AMI catalog: categories, friendly OS names, Image Builder tags, record parsing."""

from __future__ import annotations

import pytest

from ec2tui.aws.image_parsing import image_builder_from_tags, os_label_for, parse_image, parse_launch_permissions
from ec2tui.aws.models.images import ImageCategory
from ec2tui.errors import ValidationError


def test_category_words_are_the_command_words():
    assert [c.value for c in ImageCategory] == ["quickstart", "mine", "marketplace", "community", "custom"]
    assert ImageCategory.parse("Mine") is ImageCategory.MINE
    assert ImageCategory.parse("comm") is ImageCategory.COMMUNITY
    assert ImageCategory.COMMUNITY.paged and not ImageCategory.MINE.paged
    assert ImageCategory.QUICKSTART.label == "Quick Start"


@pytest.mark.parametrize("word", ["", "m", "bogus"])  # "m" is ambiguous: mine / marketplace
def test_unknown_category_is_a_validation_error(word):
    with pytest.raises(ValidationError) as info:
        ImageCategory.parse(word)
    assert info.value.field == "category" and "quickstart" in str(info.value)


@pytest.mark.parametrize(
    ("name", "description", "details", "label"),
    [
        ("al2023-ami-2023.9.20261015.0-kernel-6.1-x86_64", "", "Linux/UNIX", "Amazon Linux 2023"),
        ("amzn2-ami-kernel-5.10-hvm-2.0.20260930.0-arm64-gp2", "", "Linux/UNIX", "Amazon Linux 2"),
        ("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261015", "", "", "Ubuntu 24.04 LTS"),
        ("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20261002", "", "", "Ubuntu 22.04 LTS"),
        ("ubuntu-minimal/images/hvm-ssd/ubuntu-oracular-24.10-amd64-minimal", "", "", "Ubuntu 24.10"),
        ("debian-12-amd64-20261010-2263", "", "", "Debian 12"),
        ("Windows_Server-2022-English-Full-Base-2026.10.15", "", "Windows", "Windows Server 2022"),
        ("Windows_Server-2012-R2_RTM-English-64Bit-Base", "", "Windows", "Windows Server 2012 R2"),
        (
            "RHEL-9.6.0_HVM-20260915-x86_64-0-Hourly2-GP3",
            "",
            "Red Hat Enterprise Linux",
            "Red Hat Enterprise Linux 9.6",
        ),
        ("suse-sles-15-sp7-v20260920-hvm-ssd-x86_64", "", "SUSE Linux", "SUSE Linux Enterprise Server 15 SP7"),
        ("Rocky-9-EC2-Base-9.6-20260601.0.x86_64", "", "", "Rocky Linux 9"),
        ("AlmaLinux OS 9.6.20260601 x86_64", "", "", "AlmaLinux 9.6"),
        ("Fedora-Cloud-Base-42-1.1.x86_64-hvm-us-east-1-gp3-0", "", "", "Fedora 42"),
        ("CentOS Stream 9 x86_64 20260601", "", "", "CentOS Stream 9"),
        ("FreeBSD 14.3-RELEASE-amd64", "", "", "FreeBSD 14.3"),
        ("openSUSE-Leap-15-6-v20260601-hvm-ssd-x86_64", "", "", "openSUSE Leap 15.6"),
        ("OL9.6-x86_64-HVM-2026-06-01", "", "", "Oracle Linux 9.6"),
        ("nixos/25.05.806.abcdef-x86_64-linux", "", "", "NixOS 25.05"),
        ("kali-last-snapshot-amd64-2026.2.0", "", "", "Kali Linux"),
        ("golden-2026-10", "Built on Amazon Linux 2023", "Linux/UNIX", "Amazon Linux 2023"),
        ("my-sql-box", "", "Windows with SQL Server Standard", "Windows"),
        ("my-rhel-box", "", "Red Hat Enterprise Linux", "Red Hat Enterprise Linux"),
        ("web-server-golden", "nginx", "Linux/UNIX", "Linux"),
    ],
)
def test_os_label(name, description, details, label):
    assert os_label_for(name, description, details) == label


def test_image_builder_name_from_tags():
    arn = "arn:aws:imagebuilder:us-east-1:123456789012"
    assert image_builder_from_tags({"Ec2ImageBuilderArn": f"{arn}:image/web-golden/1.4.0/3"}) == "web-golden 1.4.0"
    both = {
        "Ec2ImageBuilderArn": f"{arn}:image/web-golden/1.4.0/3",
        "CreatedBy": f"{arn}:image-pipeline/web-nightly",
    }
    assert image_builder_from_tags(both) == "web-nightly"
    assert image_builder_from_tags({"CreatedBy": "EC2 Image Builder"}) == "EC2 Image Builder"
    assert image_builder_from_tags({"CreatedBy": "terraform"}) is None
    assert image_builder_from_tags({}) is None


def test_parse_image_fields_and_helpers():
    raw = {
        "ImageId": "ami-0123456789abcdef0",
        "Name": "Windows_Server-2022-English-Full-Base-2026.10.15",
        "Description": "Microsoft Windows Server 2022",
        "OwnerId": "801119661308",
        "ImageOwnerAlias": "amazon",
        "Public": True,
        "State": "available",
        "Architecture": "x86_64",
        "Platform": "windows",
        "VirtualizationType": "hvm",
        "EnaSupport": True,
        "BootMode": "uefi",
        "RootDeviceName": "/dev/sda1",
        "RootDeviceType": "ebs",
        "CreationDate": "2026-10-15T08:00:00.000Z",
        "DeprecationTime": "2020-01-01T00:00:00.000Z",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
            {
                "DeviceName": "/dev/sda1",
                "Ebs": {"SnapshotId": "snap-1", "VolumeSize": 30, "VolumeType": "gp3", "Encrypted": False},
            },
        ],
        "Tags": [{"Key": "Name", "Value": "win"}],
    }
    image = parse_image(raw, "eu-west-1")
    assert image.platform == "Windows" and image.is_windows and image.platform_details == "Windows"
    assert image.os_label == "Windows Server 2022" and image.title == "Windows Server 2022 (x86_64)"
    assert image.root_size_gib == 30 and image.snapshot_ids == ("snap-1",)
    assert image.block_devices[0].virtual_name == "ephemeral0" and not image.block_devices[0].is_ebs
    assert image.tag("Name") == "win" and image.tag("Missing") is None
    assert image.creation_date is not None and image.creation_date.year == 2026
    assert image.deprecated and image.region == "eu-west-1" and image.owner_alias == "amazon"


def test_parse_launch_permissions():
    permissions = parse_launch_permissions(
        [{"Group": "all"}, {"UserId": "210987654321"}, {"OrganizationArn": "arn:aws:organizations::1:organization/o-1"}]
    )
    assert permissions.public and permissions.account_ids == ("210987654321",) and permissions.shared
    assert permissions.organization_arns == ("arn:aws:organizations::1:organization/o-1",)
