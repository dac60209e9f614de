"""Advanced details of a launch: IAM instance profile, instance metadata, shutdown behaviour, termination protection,
detailed monitoring. Parameters, validation, the instance profiles listing and the launch against moto."""

from __future__ import annotations

import boto3
import pytest

from ec2tui.aws import iam as iam_svc
from ec2tui.aws import launch as svc
from ec2tui.aws.instances import parse_instance
from ec2tui.aws.models.iam import InstanceProfile, profile_names
from ec2tui.aws.models.launch import AdvancedSpec, LaunchContext, LaunchRequest, advanced_params, apply_image
from ec2tui.aws.models.launch_validation import validate
from ec2tui.errors import ValidationError
from tests.test_launch_service import LINUX_AMI_NAME

ARN = "arn:aws:iam::123456789012:instance-profile/ops/web-role"


def make_profile(iam, name: str, role: str | None = None, path: str = "/") -> str:
    arn = iam.create_instance_profile(InstanceProfileName=name, Path=path)["InstanceProfile"]["Arn"]
    if role:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    return arn


@pytest.fixture
def iam(aws):
    return boto3.client("iam", region_name="us-east-1")


@pytest.fixture
def request_for(ec2):
    image = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"][0]
    facts = svc.image_facts_from_raw(image)

    def build(advanced: AdvancedSpec) -> LaunchRequest:
        request = LaunchRequest(name="adv", instance_type="t3.micro", advanced=advanced)
        request.key_pair.choice = "none"
        apply_image(request, facts)
        return request

    return build


def issues_at(request: LaunchRequest, path: str, context: LaunchContext | None = None) -> list[tuple[str, str]]:
    return [(i.level, i.message) for i in validate(request, context) if i.field == path]


def test_defaults_send_nothing_so_aws_defaults_apply():
    assert advanced_params(AdvancedSpec()) == {}


def test_each_choice_becomes_its_run_instances_parameter():
    params = advanced_params(AdvancedSpec(" web-role ", "required", "terminate", True, True))
    assert params == {
        "IamInstanceProfile": {"Name": "web-role"},
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required"},
        "InstanceInitiatedShutdownBehavior": "terminate",
        "DisableApiTermination": True,
        "Monitoring": {"Enabled": True},
    }
    assert advanced_params(AdvancedSpec(ARN))["IamInstanceProfile"] == {"Arn": ARN}
    assert advanced_params(AdvancedSpec(metadata="optional"))["MetadataOptions"]["HttpTokens"] == "optional"
    assert advanced_params(AdvancedSpec(metadata="disabled"))["MetadataOptions"] == {"HttpEndpoint": "disabled"}


def test_spot_becomes_instance_market_options():
    assert advanced_params(AdvancedSpec(purchasing="spot")) == {"InstanceMarketOptions": {"MarketType": "spot"}}
    assert advanced_params(AdvancedSpec(purchasing="spot", spot_max_price=" 0.05 "))["InstanceMarketOptions"] == {
        "MarketType": "spot",
        "SpotOptions": {"MaxPrice": "0.05"},
    }
    assert "InstanceMarketOptions" not in advanced_params(AdvancedSpec(spot_max_price="0.05")), "on-demand: no price"


@pytest.mark.parametrize("price", ["cheap", "0", "-1", "1e3", "0.0000001"])
def test_spot_price_must_be_a_positive_dollar_amount(price):
    request = LaunchRequest(advanced=AdvancedSpec(purchasing="spot", spot_max_price=price))
    ((level, message),) = issues_at(request, "advanced.spot_max_price")
    assert level == "error" and "USD per instance-hour" in message


def test_spot_cannot_have_termination_protection():
    request = LaunchRequest(advanced=AdvancedSpec(purchasing="spot", spot_max_price="0.05"))
    assert issues_at(request, "advanced.spot_max_price") == [] and issues_at(request, "advanced.purchasing") == []
    request.advanced.termination_protection = True
    assert issues_at(request, "advanced.termination_protection") == [
        ("error", "Spot Instances can't have termination protection.")
    ]
    request.advanced.purchasing = "reserved"
    assert issues_at(request, "advanced.purchasing") == [("error", "Purchasing is on-demand or spot, not 'reserved'.")]


def test_validation_of_the_profile_name_and_existence():
    request = LaunchRequest(advanced=AdvancedSpec("no spaces allowed"))
    ((level, message),) = issues_at(request, "advanced.iam_instance_profile")
    assert level == "error" and "not an instance profile name" in message
    request.advanced.iam_instance_profile = "web-role"
    assert issues_at(request, "advanced.iam_instance_profile") == []  # existence unknown: not checked
    known = LaunchContext(instance_profiles=profile_names([InstanceProfile("web-role", ARN)]))
    assert issues_at(request, "advanced.iam_instance_profile", known) == []
    request.advanced.iam_instance_profile = ARN
    assert issues_at(request, "advanced.iam_instance_profile", known) == []
    request.advanced.iam_instance_profile = "db-role"
    assert issues_at(request, "advanced.iam_instance_profile", known) == [
        ("error", "There is no instance profile 'db-role' in this account.")
    ]


def test_risky_choices_warn_and_unknown_values_are_errors():
    request = LaunchRequest(advanced=AdvancedSpec("web-role", "disabled", "terminate"))
    assert [level for level, _ in issues_at(request, "advanced.metadata")] == ["warning"]
    assert "can't get the profile's role credentials" in issues_at(request, "advanced.metadata")[0][1]
    ((level, message),) = issues_at(request, "advanced.shutdown_behavior")
    assert level == "warning" and "terminates it" in message
    request.advanced = AdvancedSpec(metadata="v1", shutdown_behavior="hibernate")
    assert [level for level, _ in issues_at(request, "advanced.metadata")] == ["error"]
    assert issues_at(request, "advanced.shutdown_behavior") == [
        ("error", "Shutdown behaviour is stop or terminate, not 'hibernate'.")
    ]


def test_list_instance_profiles_with_their_roles(iam):
    make_profile(iam, "web-role", role="web")
    arn = make_profile(iam, "bare", path="/ops/")
    profiles = iam_svc.list_instance_profiles(iam)
    assert profiles == [InstanceProfile("bare", arn, ()), InstanceProfile("web-role", profiles[1].arn, ("web",))]
    assert "no role" in profiles[0].label and "role web" in profiles[1].label


def test_launch_applies_every_advanced_choice(ec2, iam, request_for):
    arn = make_profile(iam, "web-role", role="web")
    request = request_for(AdvancedSpec("web-role", "required", "terminate", False, True))
    context = LaunchContext(instance_profiles=profile_names(iam_svc.list_instance_profiles(iam)))
    (instance_id,) = svc.launch(ec2, request, context).instance_ids

    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert instance["IamInstanceProfile"]["Arn"] == arn
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["Monitoring"]["State"] == "enabled"
    shown = parse_instance(instance, "us-east-1")  # what the instance detail shows
    assert (shown.metadata, shown.monitoring, shown.iam_profile_arn) == ("required", "enabled", arn)
    behaviour = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="instanceInitiatedShutdownBehavior")
    assert behaviour["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"


def test_metadata_off_is_read_back_as_disabled():
    assert parse_instance({"InstanceId": "i-1", "MetadataOptions": {"HttpEndpoint": "disabled"}}, "r").metadata == (
        "disabled"
    )
    assert parse_instance({"InstanceId": "i-1"}, "r").metadata == ""


def test_a_spot_launch_makes_a_spot_instance(ec2, request_for):
    (instance_id,) = svc.launch(ec2, request_for(AdvancedSpec(purchasing="spot", spot_max_price="0.02"))).instance_ids
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert instance["InstanceLifecycle"] == "spot"
    assert parse_instance(instance, "us-east-1").lifecycle == "spot"


def test_termination_protection_is_sent(ec2, request_for):
    """moto ignores DisableApiTermination in run_instances (it keeps False): check what was sent."""
    sent: list[dict] = []
    ec2.meta.events.register("provide-client-params.ec2.RunInstances", lambda params, **_: sent.append(params))
    svc.launch(ec2, request_for(AdvancedSpec(termination_protection=True)))
    assert sent[0]["DisableApiTermination"] is True


def test_a_profile_that_does_not_exist_is_refused_before_aws(ec2, iam, request_for):
    make_profile(iam, "web-role")
    context = LaunchContext(instance_profiles=profile_names(iam_svc.list_instance_profiles(iam)))
    with pytest.raises(ValidationError, match="no instance profile 'typo-role'"):
        svc.launch(ec2, request_for(AdvancedSpec("typo-role")), context)
    assert ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["adv"]}])["Reservations"] == []


async def test_gateway_lists_profiles_cached_and_checks_them_in_its_context(gateway, iam, request_for):
    make_profile(iam, "web-role", role="web")
    first = await gateway.launch.instance_profiles(region="us-east-1")
    make_profile(iam, "later")
    assert await gateway.launch.instance_profiles(region="us-east-1") == first, "cached"
    assert [p.name for p in await gateway.launch.instance_profiles(refresh=True, region="us-east-1")] == [
        "later",
        "web-role",
    ]
    issues = await gateway.launch.validate(request_for(AdvancedSpec("gone-role")), region="us-east-1")
    assert any(i.field == "advanced.iam_instance_profile" and "no instance profile" in i.message for i in issues)
    result = await gateway.launch.launch(request_for(AdvancedSpec("web-role")), region="us-east-1")
    assert len(result.instance_ids) == 1
