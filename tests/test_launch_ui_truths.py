"""The launch form tells the truth and keeps the way out: pickers AWS won't fill become typed fields, a local file
error is not blamed on AWS, "my IP" says whom it asks (and asks no one in the demo), and `q` never quits the form."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from textual.widgets import Button, Input

from ec2tui.app import Ec2App
from ec2tui.aws import network as network_service
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.launch.screen import LaunchScreen
from ec2tui.launch.sections.network import DEMO_IP, MY_IP_HOST
from ec2tui.launch.sections.security_groups import SecurityGroupSection
from tests.launch_ui_helpers import all_instances, field_message, open_form, tab_to, type_text
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


def denied(operation: str):
    def call(*args, **kwargs):
        error = {"Code": "UnauthorizedOperation", "Message": "You are not authorized to perform this operation."}
        raise ClientError({"Error": error}, operation)

    return call


def shown(form: LaunchScreen, selector: str) -> bool:
    return form.query_one(selector).display


def hint(form: LaunchScreen, selector: str) -> str:
    return str(form.query_one(selector).render())


# -- denied lists become typed fields --------------------------------------------------------------------------


async def test_denied_key_pair_vpc_and_subnet_lists_become_typed_fields_that_reach_the_launch(
    launch_app, launch_env, ec2, monkeypatch
):
    for name, operation in (
        ("list_key_pairs", "DescribeKeyPairs"),
        ("list_vpcs", "DescribeVpcs"),
        ("list_subnets", "DescribeSubnets"),
    ):
        monkeypatch.setattr(network_service, name, denied(operation))
    ec2.create_key_pair(KeyName="ops")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        for picker, typed in (("#key-name-row", "#key-name-typed-row"), ("#vpc-row", "#vpc-typed-row")):
            assert not shown(form, picker) and shown(form, typed), "a text field, never 'loading…' for good"
        assert not shown(form, "#subnet-row") and shown(form, "#subnet-typed-row")
        assert "Couldn't list key pairs" in hint(form, "#key-name-hint") and "UnauthorizedOperation" in hint(
            form, "#key-name-hint"
        )
        assert "Couldn't list VPCs" in hint(form, "#network-hint")

        # shapes are checked as typed
        await tab_to(pilot, "#key-name-typed")
        await type_text(pilot, "clé-de-test")
        await tab_to(pilot, "#vpc-typed")
        await type_text(pilot, "vpc-nothex")
        await settle(pilot)
        assert "ASCII" in field_message(form, "key_pair.name")
        assert "'vpc-nothex' is not a VPC id" in field_message(form, "network.vpc_id")

        form.query_one("#key-name-typed", Input).value = "ops"
        form.query_one("#vpc-typed", Input).value = vpc
        await tab_to(pilot, "#subnet-typed")
        await type_text(pilot, subnet)
        await settle(pilot)
        assert field_message(form, "key_pair.name") == "" and field_message(form, "network.vpc_id") == ""
        request = form.request
        assert (request.key_pair.choice, request.key_pair.name) == ("existing", "ops")
        assert (request.network.vpc_id, request.network.subnet_id) == (vpc, subnet)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LaunchReviewScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, LaunchedScreen))
    [instance] = all_instances()
    assert instance["KeyName"] == "ops" and instance["SubnetId"] == subnet and instance["VpcId"] == vpc


# -- a local error is not AWS's ----------------------------------------------------------------------------------


async def test_a_local_file_error_during_launch_is_not_called_an_aws_refusal(launch_app, launch_env):
    blocker = launch_env / "not-a-directory"
    blocker.write_text("a file where the key folder should be\n")
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        await open_form(pilot)
        await tab_to(pilot, "#key-new-name")
        await type_text(pilot, "rk")
        await tab_to(pilot, "#key-directory")
        await type_text(pilot, str(blocker / "keys"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = app.screen
        await pilot.press("y")
        await settle(pilot)
        banner = str(review.query_one("#review-banner").render())
        # The key folder is checked before AWS is asked (ec2tui.state_files.private_dir): a local problem, said so.
        assert "AWS refused" not in banner
        assert "Not launched" in banner and str(blocker) in banner and "Not a directory" in banner
    assert all_instances() == []
    assert boto3.client("ec2", region_name="us-east-1").describe_key_pairs()["KeyPairs"] == []


# -- "my IP" -----------------------------------------------------------------------------------------------------


async def test_my_ip_in_the_demo_answers_locally(launch_env, gateway, monkeypatch):
    def no_network() -> str:
        raise AssertionError("the demo looked up the public IP")

    monkeypatch.setattr(SecurityGroupSection, "my_ip_lookup", staticmethod(no_network))
    app = Ec2App(gateway, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert "no lookup is made" in hint(form, "#my-ip-message")
        await tab_to(pilot, ".rule-my-ip")
        await pilot.press("enter")
        await settle(pilot)
        assert form.request.security_groups.new_group.rules[0].cidr == f"{DEMO_IP}/32"
        assert "demo: no lookup made" in hint(form, "#my-ip-message")


async def test_my_ip_says_whom_it_asks_before_asking(launch_app, launch_env, monkeypatch):
    notes: list[str] = []
    app = launch_app

    def lookup() -> str:
        return "198.51.100.7"

    monkeypatch.setattr(SecurityGroupSection, "my_ip_lookup", staticmethod(lookup))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        notes.append(hint(form, "#my-ip-message"))
        button = form.query_one(".rule-my-ip", Button)
        assert MY_IP_HOST in notes[0] and MY_IP_HOST in str(button.tooltip)
        await tab_to(pilot, ".rule-my-ip")
        await pilot.press("enter")
        await settle(pilot)
        assert form.request.security_groups.new_group.rules[0].cidr == "198.51.100.7/32"
        assert f"from {MY_IP_HOST}" in hint(form, "#my-ip-message")


# -- q -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["#termination-protection", "#purchasing", "#sg-existing", "#review"])
async def test_q_never_quits_from_the_form(launch_app, launch_env, where):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        if where == "#review":
            form.query_one("#review").focus()
        else:
            await tab_to(pilot, where)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code is None and app.screen is form
        assert any("q doesn't quit from the launch form: ctrl+q quits" in n for n in notifications(app))


async def test_q_types_in_text_fields_and_does_not_quit_the_review(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#name")
        await pilot.press("q")
        assert form.request.name == "q"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, LaunchReviewScreen)


async def test_has_unlaunched_changes_follows_the_user_not_the_defaults(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert form.request.image_id and form.request.instance_type, "the defaults are filled in"
        assert not form.has_unlaunched_changes(), "defaults are not the user's request"
        await tab_to(pilot, "#name")
        await type_text(pilot, "web")
        await settle(pilot)
        assert form.has_unlaunched_changes()
        await tab_to(pilot, "#key-new-name")
        await type_text(pilot, "rk")
        await tab_to(pilot, "#key-directory")
        await type_text(pilot, str(launch_env))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, LaunchedScreen))
        assert not form.has_unlaunched_changes(), "launched: nothing is left to lose"
