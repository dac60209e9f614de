"""Instance actions from the list: confirmations, batch, read-only refusal, copy, SSH, create image."""

from __future__ import annotations

import boto3

from ec2tui.screens.ami_dialogs import ImageProgressDialog
from ec2tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from ec2tui.screens.instance_dialogs import CreateImageDialog, InfoDialog
from ec2tui.screens.instances import InstancesScreen
from tests.instances_ui_helpers import (
    InstancesFirstApp,
    moto_instance,
    moto_state,
    open_instances,
    rows_by_name,
    run,
    select,
)
from tests.ui_helpers import notifications, settle, static_text

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


async def test_stop_start_reboot_need_y_and_the_list_follows_without_ctrl_r(app, fleet):
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert moto_state(web) == "running", "n cancels"

        await pilot.press("o")
        await pilot.pause()
        body = " ".join(static_text(app, w) for w in (".dialog-title", ".dialog-body"))
        assert "Stop instances?" in body and web in body and "web-1" in body
        await pilot.press("y")
        await settle(pilot)
        assert moto_state(web) == "stopped"
        assert rows_by_name(app)["web-1"][3] == "stopped"
        assert any("Stopping 1: web-1" in n for n in notifications(app))

        await pilot.press("s", "y")
        await settle(pilot)
        assert moto_state(web) == "running"
        assert rows_by_name(app)["web-1"][3] == "running"

        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        # EC2 never reports a reboot: the row says so for a while, with the auto-refresh on
        assert rows_by_name(app)["web-1"][3] == "rebooting"
        assert "auto-refresh" in static_text(app, "#title")
        assert moto_state(web) == "running"


async def test_actions_that_do_not_apply_say_why_without_asking(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, InstancesScreen)
        assert any("Cannot start web-1" in n and "only stopped instances" in n for n in notifications(app))


async def test_terminate_needs_the_typed_id(app, fleet):
    web = fleet["web-2"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("ctrl+d")
        await settle(pilot)  # the termination protection is looked up first
        assert isinstance(app.screen, TypedConfirmScreen)
        await pilot.press(*"i-wrong", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TypedConfirmScreen)
        assert "Nothing was changed" in static_text(app, "#typed-error")
        await pilot.press("escape")
        await settle(pilot)
        assert moto_state(web) == "running"

        await pilot.press("ctrl+d")
        await settle(pilot)
        app.screen.query_one("#typed").value = web
        await pilot.press("enter")
        await settle(pilot)
        assert moto_state(web) == "terminated"
        assert rows_by_name(app)["web-2"][3] == "terminated"


async def test_batch_stop_applies_to_the_marked_rows_only(app, fleet, ec2):
    third = run("us-east-1", "web-3")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        await pilot.press("space")
        await select(pilot, fleet["web-2"])
        await pilot.press("space")
        rows = rows_by_name(app)
        assert rows["web-1"][0] == "●" and rows["web-2"][0] == "●" and rows["web-3"][0] == ""
        assert "2 marked" in static_text(app, "#title")
        await select(pilot, third)  # the cursor row does not matter once rows are marked
        await pilot.press("o")
        await pilot.pause()
        assert "Stop 2 instances" in static_text(app, ".dialog-body")
        await pilot.press("y")
        await settle(pilot)
        assert moto_state(fleet["web-1"]) == "stopped" and moto_state(fleet["web-2"]) == "stopped"
        assert moto_state(third) == "running"
        assert not screen.marked and "marked" not in static_text(app, "#title")


async def test_batch_terminate_types_the_count_and_skips_terminated(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        for name in ("web-1", "db", "builder"):
            await select(pilot, fleet[name])
            await pilot.press("space")
        await pilot.press("ctrl+d")
        await settle(pilot)  # the termination protection is looked up first
        body = static_text(app, ".dialog-body")
        assert "Terminate 2 instances" in body and "Skipped (already terminated or shutting down): builder" in body
        volume = moto_instance(fleet["web-1"])["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
        assert f"EBS volumes kept (billed until you delete them): {volume} (web-1 /dev/xvda)" in body
        app.screen.query_one("#typed").value = "terminate 2"
        await pilot.press("enter")
        await settle(pilot)
        assert moto_state(fleet["web-1"]) == "terminated" and moto_state(fleet["db"]) == "terminated"


async def test_all_regions_actions_act_in_the_instance_region(app, fleet):
    west = run("us-west-2", "west-1")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await pilot.press("a")
        await settle(pilot)
        await select(pilot, west)
        await pilot.press("o")
        await pilot.pause()
        assert "Region: us-west-2" in static_text(app, ".dialog-body")
        await pilot.press("y")
        await settle(pilot)
        assert moto_state(west, "us-west-2") == "stopped"
        assert moto_state(fleet["web-1"]) == "running"
        assert rows_by_name(app, name_column=2)["west-1"][4] == "stopped"


async def test_read_only_refuses_with_a_message_and_changes_nothing(fleet, read_only_gateway, clipboard):
    app = InstancesFirstApp(read_only_gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        for key in ("o", "b", "ctrl+d", "i"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, InstancesScreen), f"{key} must not ask for a confirmation"
        messages = [n for n in notifications(app) if n.startswith("Read-only mode")]
        assert len(messages) == 4
        assert "'Stop instances' is not allowed" in messages[0]
        assert "'Terminate instances' is not allowed" in messages[2]
        assert moto_state(fleet["web-1"]) == "running"
        assert boto3.client("ec2", region_name="us-east-1").describe_images(Owners=["self"])["Images"] == [
            boto3.client("ec2", region_name="us-east-1").describe_images(ImageIds=[fleet.image_id])["Images"][0]
        ]
        await pilot.press("c")  # reading and copying still work
        assert clipboard == [fleet["web-1"]]


async def test_copy_id_and_ips(app, fleet, clipboard):
    raw = moto_instance(fleet["web-1"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        await pilot.press("c", "p", "P")
        assert clipboard == [fleet["web-1"], raw["PublicIpAddress"], raw["PrivateIpAddress"]]
        assert any(f"Copied public IP {raw['PublicIpAddress']}" in n for n in notifications(app))
        await select(pilot, fleet["db"])
        await pilot.press("p")
        assert len(clipboard) == 3
        assert any("has no public IP (it is stopped)" in n for n in notifications(app))


async def test_ssh_command_dialog_copies_the_command(app, fleet, clipboard):
    raw = moto_instance(fleet["web-1"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        expected = f"ssh -i ~/.ssh/ops.pem ubuntu@{raw['PublicIpAddress']}"
        assert static_text(app, "#info-value") == expected
        assert "User 'ubuntu' guessed from the AMI (ubuntu-noble-24.04-base)" in static_text(app, ".dialog-body")
        await pilot.press("c")
        assert clipboard == [expected]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InstancesScreen)
        await select(pilot, fleet["db"])
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen)
        assert any("db" in n and "is stopped: start it before connecting" in n for n in notifications(app))


async def test_ssm_session_command_names_the_instance_and_warns_without_a_role(app, fleet, clipboard, monkeypatch):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        # The command names the profile the user chose (here through the environment: the session already exists).
        monkeypatch.setenv("AWS_PROFILE", "prod admin")
        await select(pilot, fleet["web-1"])
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        expected = f"aws ssm start-session --target {fleet['web-1']} --region us-east-1 --profile 'prod admin'"
        assert static_text(app, "#info-value") == expected
        body = static_text(app, ".dialog-body")
        assert "Session Manager plugin" in body and "no IAM instance profile" in body
        await pilot.press("c")
        assert clipboard == [expected]
        await pilot.press("q")  # closes a dialog without inputs (the app's q does not reach past a modal)
        await pilot.pause()
        assert isinstance(app.screen, InstancesScreen) and app.return_code is None
        await select(pilot, fleet["db"])
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen)
        assert any("db" in n and "is stopped: start it before opening a session" in n for n in notifications(app))


async def test_create_image_validates_the_name_then_creates_the_ami(app, fleet, clipboard, ec2):
    web = fleet["web-2"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CreateImageDialog)
        name_input = app.screen.query_one("#image-name")
        assert name_input.value.startswith("web-2-")
        name_input.value = "no"
        await pilot.press("enter")
        await pilot.pause()
        assert "3 to 128 characters" in static_text(app, "#image-name-error")
        name_input.value = "bad*name"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CreateImageDialog)
        assert ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["web-2*"]}])["Images"] == []

        name_input.value = "web-2 before upgrade"
        app.screen.query_one("#image-description").value = "nightly"
        app.screen.query_one("#no-reboot").value = True
        await pilot.press("enter")
        await settle(pilot)
        images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["web-2 before upgrade"]}])
        (image,) = images["Images"]
        assert image["Description"] == "nightly"
        assert isinstance(app.screen, ImageProgressDialog)
        assert static_text(app, "#ami-result-value") == image["ImageId"]
        assert "My AMIs" in static_text(app, ".dialog-body")
        await pilot.press("c")
        assert clipboard == [image["ImageId"]]


async def test_create_image_can_stop_the_instance_first(app, fleet, ec2, monkeypatch):
    from ec2tui.aws import image_actions

    monkeypatch.setattr(image_actions, "STOP_POLL_SECONDS", 0, raising=False)
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#image-name").value = "web-1 cold copy"
        app.screen.query_one("#stop-first").value = True
        await pilot.press("enter")
        await settle(pilot, rounds=5)
        assert ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["web-1 cold copy"]}])["Images"]
        assert moto_state(web) == "stopped"
        await pilot.press("escape")
        await settle(pilot)
        assert rows_by_name(app)["web-1"][3] == "stopped"


async def test_region_change_reloads_a_single_region_list_but_not_the_all_regions_one(app, fleet):
    west = run("us-west-2", "west-1")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        app.navigate("regions")
        await settle(pilot)
        app.set_region("us-west-2")
        app.navigate("instances")
        await settle(pilot)
        assert set(rows_by_name(app)) == {"west-1"}
        assert "Instances · us-west-2" in static_text(app, "#title")
        await pilot.press("a")
        await settle(pilot)
        app.navigate("regions")
        app.set_region("us-east-1")
        app.navigate("instances")
        await settle(pilot)
        assert "Instances · all regions" in static_text(app, "#title"), "the all-regions view stays as it was"
        assert {"west-1", "web-1"} <= set(rows_by_name(app, name_column=2))
        assert west in {r[3] for r in rows_by_name(app, name_column=2).values()}
