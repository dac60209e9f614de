"""The launch review: exports, dry run, read-only refusal, limits that block before AWS, errors that keep the form."""

from __future__ import annotations

import io
import json

import boto3
from rich.console import Console

from ec2tui.app import Ec2App
from ec2tui.launch.review import READ_ONLY_MESSAGE, LaunchReviewScreen
from tests.launch_ui_helpers import (
    all_instances,
    field_message,
    open_form,
    tab_to,
    type_text,
)
from tests.ui_helpers import notifications, settle

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def _ready_form(pilot, key_dir: str):
    """The defaults plus a new key pair name and directory: a launchable form."""
    form = await open_form(pilot)
    await tab_to(pilot, "#key-new-name")
    await type_text(pilot, "rk")
    await tab_to(pilot, "#key-directory")
    await type_text(pilot, key_dir)
    await settle(pilot)
    return form


def moto_is_untouched() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    assert all_instances() == []
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]] == ["default"]


async def test_review_shows_the_cli_and_c_j_copy_it(launch_app, launch_env, clipboard):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready_form(pilot, str(launch_env))
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        shown = str(review.query_one("#review-cli").render())
        assert "aws ec2 run-instances" in shown and "aws ec2 create-key-pair" in shown
        assert "--instance-type t3.micro" in shown and "--region us-east-1" in shown
        await pilot.press("c")
        assert clipboard == [review.cli_text]
        assert any("Copied the AWS CLI script" in n for n in notifications(app))
        # The launch creates a key pair and a group: run_instances alone can't run, so j copies every call in order
        # and the review says so.
        note = str(review.query_one("#review-json-note").render())
        assert "creates a key pair and a security group first" in note
        await pilot.press("j")
        steps = json.loads(clipboard[-1])["Steps"]
        assert steps[0]["Command"] == "create-key-pair" and steps[-1]["Command"] == "run-instances"
        params = steps[-1]["Input"]
        assert params["InstanceType"] == "t3.micro" and params["KeyName"] == "rk"
        assert steps[-1]["NewGroupIdAt"] == [["SecurityGroupIds", 0]]
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(review.summary_table())
        summary = console.export_text()
        assert "t3.micro" in summary and "new: rk (ed25519)" in summary
    moto_is_untouched()


async def test_v_runs_a_dry_run_and_shows_the_answer(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready_form(pilot, str(launch_env))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        answer = str(pilot.app.screen.query_one("#review-dry-run").render())
        assert "Dry run ✓ The request would have succeeded." in answer
    moto_is_untouched()


async def test_read_only_shows_the_review_but_refuses_y(launch_env, read_only_gateway, clipboard):
    app = Ec2App(read_only_gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _ready_form(pilot, str(launch_env))
        assert "read-only" in str(form.query_one("#launch-title").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        assert "Read-only mode" in str(review.query_one("#review-banner").render())
        await pilot.press("y")
        await settle(pilot)
        assert READ_ONLY_MESSAGE in notifications(app)
        assert pilot.app.screen is review and review.result is None
        await pilot.press("c", "v")
        await settle(pilot)
        assert clipboard == [review.cli_text]
        assert "would have succeeded" in str(review.query_one("#review-dry-run").render())
    moto_is_untouched()


async def test_user_data_over_16_kb_blocks_the_launch_before_any_aws_call(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _ready_form(pilot, str(launch_env))
        calls: list[object] = []
        app.gateway.launch.launch = lambda *args, **kwargs: calls.append(args)  # type: ignore[method-assign]
        await tab_to(pilot, "#ud-text")
        await type_text(pilot, "#!/bin/bash\n" + "echo 0123456789abcdef\n" * 800)
        await settle(pilot)
        assert "AWS allows 16,384 bytes" in field_message(form, "user_data")
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert "Launch disabled: fix 1 problem" in str(review.query_one("#review-banner").render())
        assert "✗ User data: " in str(review.query_one("#review-issues").render()), "named as the form names it"
        await pilot.press("y")
        await settle(pilot)
        review.action_launch()  # the palette's "Launch" too
        await settle(pilot)
        assert calls == [] and review.result is None
        await pilot.press("escape")
        await settle(pilot)
        assert form.request.user_data.startswith("#!/bin/bash\necho 0123456789abcdef")
    moto_is_untouched()


async def test_an_aws_error_keeps_the_form_as_it_is(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _ready_form(pilot, str(launch_env))
        # someone else creates the same key pair meanwhile: the form's list is stale, AWS refuses
        boto3.client("ec2", region_name="us-east-1").create_key_pair(KeyName="rk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        await pilot.press("y")
        await settle(pilot)
        banner = str(review.query_one("#review-banner").render())  # found before anything is created
        assert "Not launched" in banner and "'rk' already exists" in banner and "'rk-2'" in banner
        assert any("rk" in n and "exist" in n.lower() for n in notifications(app))
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.query_one("#key-new-name").value == "rk" and form.request.key_pair.choice == "new"
    assert all_instances() == []
