"""An AMI's root device type: only the documented values (ebs, instance-store) can rule an instance type out.

moto reports ``RootDeviceType: standard`` for an image created from an instance; before, the launch form then
refused every instance type for it ("can't boot an AMI whose root device is standard").
"""

from __future__ import annotations

import pytest

from ec2tui.aws.image_parsing import parse_image, root_device_type_known, root_device_type_warning
from ec2tui.aws.launch import describe_image_facts
from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.aws.models.launch import ImageFacts, LaunchContext, LaunchRequest, apply_image, blocking
from ec2tui.aws.models.launch_validation import validate
from ec2tui.screens.ami_detail import root_device_text

EBS_ONLY = InstanceTypeInfo(
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


def facts(root_device_type: str) -> ImageFacts:
    return ImageFacts(
        image_id="ami-0123456789abcdef0",
        architecture="x86_64",
        root_device_type=root_device_type,
        root_device_name="/dev/sda1",
        root_volume_size_gib=15,
        root_volume_type="standard",
    )


def issues(image: ImageFacts, instance_type: InstanceTypeInfo = EBS_ONLY) -> dict[str, list[tuple[str, str]]]:
    request = LaunchRequest(name="from-my-ami", instance_type=instance_type.name)
    request.key_pair.choice = "none"
    apply_image(request, image)
    found: dict[str, list[tuple[str, str]]] = {}
    for issue in validate(request, LaunchContext(image=image, instance_type=instance_type)):
        found.setdefault(issue.field, []).append((issue.level, issue.message))
    return found


@pytest.mark.parametrize("value", ["standard", "", "something-new"])
def test_an_undocumented_root_device_type_is_a_warning_never_a_conflict(value):
    found = issues(facts(value))
    assert "instance_type" not in found, found
    assert [level for level, _ in found["image_id"]] == ["warning"]
    assert "unknown" in found["image_id"][0][1] and "ebs or instance-store" in found["image_id"][0][1]
    assert found["root_volume"] == [
        (
            "warning",
            "Root volume settings are not applied: the AMI's root device type is unknown, so its root volume is "
            "launched as the AMI defines it.",
        )
    ]
    request = LaunchRequest(name="x", instance_type="t3.micro")
    request.key_pair.choice = "none"
    apply_image(request, facts(value))
    assert blocking(validate(request, LaunchContext(image=facts(value), instance_type=EBS_ONLY))) == []


def test_a_documented_root_device_type_still_rules_out_a_type_that_cannot_boot_it():
    found = issues(facts("instance-store"))
    assert found["instance_type"][0][0] == "error" and "can't boot" in found["instance_type"][0][1]
    assert "image_id" not in found
    assert "instance_type" not in issues(facts("ebs")) and "image_id" not in issues(facts("ebs"))


def test_the_warning_names_what_aws_reported():
    assert root_device_type_known("ebs") and root_device_type_known("instance-store")
    assert not root_device_type_known("standard") and not root_device_type_known("")
    assert root_device_type_warning("ebs") == ""
    assert "'standard'" in root_device_type_warning("standard")
    assert "no root device type" in root_device_type_warning("")


def test_an_image_created_from_an_instance_on_moto_can_be_launched_on_any_ebs_type(ec2):
    """The real record moto gives (RootDeviceType 'standard'), through both parsers the app uses."""
    image_id = next(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"] if not i.get("Platform"))
    instance = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    created = ec2.create_image(InstanceId=instance["InstanceId"], Name="golden")["ImageId"]
    raw = ec2.describe_images(ImageIds=[created])["Images"][0]
    assert raw["RootDeviceType"] == "standard", "moto changed: this test documents its quirk"
    image = parse_image(raw, "us-east-1")
    assert image.root_device_type == "standard"  # what AWS said is kept, and shown with the warning
    launch_facts = describe_image_facts(ec2, created)
    found = issues(launch_facts)
    assert "instance_type" not in found and found["image_id"][0][0] == "warning"
    detail = root_device_text(image).plain
    assert detail.startswith("/dev/sda1  (standard)") and "⚠" in detail and "unknown" in detail


def test_the_ami_detail_shows_a_documented_root_device_type_without_a_warning(ec2):
    raw = ec2.describe_images(Owners=["amazon"])["Images"][0]
    assert raw["RootDeviceType"] == "ebs"
    assert root_device_text(parse_image(raw, "us-east-1")).plain == f"{raw['RootDeviceName']}  (ebs)"
