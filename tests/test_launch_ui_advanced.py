"""The launch form's advanced details by keyboard: an IAM instance profile picked from the account's, IMDSv2,
shutdown behaviour and monitoring reach the instance in moto; without iam:ListInstanceProfiles the profile is typed."""

from __future__ import annotations

import io

import boto3
from botocore.exceptions import ClientError
from rich.console import Console

from ec2tui.aws import iam as iam_svc
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from tests.launch_ui_helpers import field_message, moto_instance, open_form, tab_to, type_text
from tests.test_amis_ui_helpers import wait_for
from tests.test_launch_advanced import make_profile
from tests.ui_helpers import notifications, settle

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def facts_loaded(pilot, form) -> None:
    """Wait for every picker's facts, so the keys below meet the form a user would see once it has loaded."""
    state = form.state

    def loaded() -> bool:
        lists = (state.types, state.key_pairs, state.vpcs, state.subnets, state.groups, state.instance_profiles)
        return (
            state.facts is not None and all(facts is not None for facts in lists) and bool(form.request.instance_type)
        )

    await wait_for(pilot, loaded, timeout=30, what="the launch form's facts")


async def no_blocking_issues(pilot, form) -> None:
    """Wait until nothing blocks the launch (facts still loading on a slow machine can), else say what does."""
    errors = lambda: [i.message for i in form.issues if not i.is_warning]  # noqa: E731
    try:
        await wait_for(pilot, lambda: not errors(), timeout=30)
    except AssertionError:
        raise AssertionError(f"the form still reports {errors()}") from None


def hint_text(form) -> str:
    return str(form.query_one("#iam-profile-hint").render())


async def test_advanced_details_by_keyboard_reach_the_instance(launch_app):
    arn = make_profile(boto3.client("iam", region_name="us-east-1"), "web-role", role="web")
    boto3.client("ec2", region_name="us-east-1").create_key_pair(KeyName="mine")  # the form picks it
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await facts_loaded(pilot, form)
        await tab_to(pilot, "#iam-profile")
        await pilot.press("enter", "down", "enter")  # after "none": web-role
        await tab_to(pilot, "#metadata")
        await pilot.press("enter", "down", "enter")  # IMDSv2 only
        await tab_to(pilot, "#shutdown")
        await pilot.press("enter", "down", "enter")  # terminate
        await tab_to(pilot, "#detailed-monitoring")
        await pilot.press("space")
        await settle(pilot)
        advanced = form.request.advanced
        assert (advanced.iam_instance_profile, advanced.metadata, advanced.shutdown_behavior) == (
            "web-role",
            "required",
            "terminate",
        )
        assert advanced.detailed_monitoring and not advanced.termination_protection
        shown = form.query_one("#iam-profile").query_one("SelectCurrent #label").render()
        assert "web-role (role web)" in str(shown)
        assert "terminates it" in field_message(form, "advanced.shutdown_behavior")
        await no_blocking_issues(pilot, form)

        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        console = Console(width=140, record=True, file=io.StringIO())
        console.print(review.summary_table())
        summary = console.export_text()
        assert "IAM profile web-role · IMDSv2 only · shutdown terminates · detailed monitoring" in summary
        assert "--iam-instance-profile" in review.cli_text and "--metadata-options" in review.cli_text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LaunchedScreen), notifications(app)
        (instance_id,) = review.result.instance_ids

    instance = moto_instance(instance_id)
    assert instance["IamInstanceProfile"]["Arn"] == arn
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["Monitoring"]["State"] == "enabled"
    ec2 = boto3.client("ec2", region_name="us-east-1")
    attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="instanceInitiatedShutdownBehavior")
    assert attribute["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"


async def test_profiles_that_cannot_be_listed_are_typed_instead(launch_app, monkeypatch):
    def refused(iam):
        error = {"Code": "AccessDenied", "Message": "not authorized to perform: iam:ListInstanceProfiles"}
        raise ClientError({"Error": error}, "ListInstanceProfiles")

    monkeypatch.setattr(iam_svc, "list_instance_profiles", refused)
    async with launch_app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert not form.query_one("#iam-profile-row").display
        assert "Couldn't list instance profiles" in hint_text(form)
        assert "iam:ListInstanceProfiles" in hint_text(form)
        assert not any("instance profiles" in n for n in notifications(launch_app)), "no error popup for this"
        await tab_to(pilot, "#iam-profile-typed")
        await type_text(pilot, "ops role")
        await settle(pilot)
        assert form.request.advanced.iam_instance_profile == "ops role"
        assert "not an instance profile name" in field_message(form, "advanced.iam_instance_profile")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "-role")
        await settle(pilot)
        assert form.request.advanced.iam_instance_profile == "ops-role"
        assert field_message(form, "advanced.iam_instance_profile") == "", "existence unknown: not flagged"


async def test_spot_by_keyboard_with_its_price_checked_as_typed(launch_app):
    boto3.client("ec2", region_name="us-east-1").create_key_pair(KeyName="mine")
    async with launch_app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await facts_loaded(pilot, form)
        assert not form.query_one("#spot-price-row").display, "no price for On-Demand"
        await tab_to(pilot, "#purchasing")
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert form.request.advanced.purchasing == "spot" and form.query_one("#spot-price-row").display
        await tab_to(pilot, "#spot-max-price")
        await type_text(pilot, "cheap")
        await settle(pilot)
        assert "not a price" in field_message(form, "advanced.spot_max_price")
        await pilot.press(*["backspace"] * 5)
        await type_text(pilot, "0.03")
        await tab_to(pilot, "#termination-protection")
        await pilot.press("space")
        await settle(pilot)
        assert field_message(form, "advanced.spot_max_price") == ""
        assert "can't have termination protection" in field_message(form, "advanced.termination_protection")
        await pilot.press("space")
        await settle(pilot)
        await no_blocking_issues(pilot, form)

        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        assert "Spot: AWS may reclaim it" in str(review.query_one("#review-creates").render())
        assert '"MaxPrice": "0.03"' in review.json_text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LaunchedScreen), notifications(launch_app)
        (instance_id,) = review.result.instance_ids
    assert moto_instance(instance_id)["InstanceLifecycle"] == "spot"
