"""The launch form end to end: filled by keyboard alone, reviewed and launched into moto."""

from __future__ import annotations

import os
import stat

import boto3

from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.screens.instances import InstancesScreen
from tests.launch_ui_helpers import (
    UBUNTU_24_PARAMETER,
    all_instances,
    field_message,
    moto_instance,
    open_form,
    parameter,
    tab_to,
    type_text,
    user_data_of,
)
from tests.ui_helpers import notifications, settle

USER_DATA = "#!/bin/bash\necho hello\n"

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def test_fill_by_keyboard_and_launch(launch_app, launch_env, monkeypatch):
    app = launch_app
    ubuntu = parameter(UBUNTU_24_PARAMETER)
    monkeypatch.setenv("HOME", str(launch_env))  # "~/keys" is typed: short, and under tmp_path
    key_dir = launch_env / "keys"
    key_dir.mkdir()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        # 1. name and one extra tag
        await tab_to(pilot, "#name")
        await type_text(pilot, "web-1")
        await tab_to(pilot, "#add-tag")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "env")
        await pilot.press("tab")
        await type_text(pilot, "dev")
        # 2. OS family Ubuntu: its first Quick Start AMI (24.04, x86_64) is chosen
        await tab_to(pilot, "#os-family")
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert form.request.image_id == ubuntu
        assert "ubuntu" in str(form.query_one("#ami-info").render()).lower()
        # 3. instance type typed (the field's text is selected on focus, typing replaces it)
        await tab_to(pilot, "#instance-type")
        await type_text(pilot, "t3.small")
        # 4. a new key pair saved under tmp_path
        await tab_to(pilot, "#key-new-name")
        await type_text(pilot, "k1")
        await tab_to(pilot, "#key-type")
        await pilot.press("enter", "down", "enter")  # RSA
        await tab_to(pilot, "#key-directory")
        await type_text(pilot, "~/keys")
        # 5. the first real subnet (after "no preference")
        await tab_to(pilot, "#subnet")
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        subnet_id = form.request.network.subnet_id
        assert subnet_id.startswith("subnet-")
        # 6. the default group too, and the new group's SSH rule narrowed; plus an HTTP rule
        await tab_to(pilot, "#sg-existing")
        await pilot.press("space")
        await tab_to(pilot, ".rule-cidr")
        await type_text(pilot, "203.0.113.0/24")
        await tab_to(pilot, ".preset-http")
        await pilot.press("enter")
        await settle(pilot)
        # 7. root 20 GiB gp3 with 4000 IOPS, encrypted; plus a 30 GiB gp2 volume
        await tab_to(pilot, ".vol-size")
        await type_text(pilot, "20")
        await tab_to(pilot, ".vol-iops")
        await type_text(pilot, "4000")
        await tab_to(pilot, ".vol-encrypted")
        await pilot.press("space")
        await tab_to(pilot, "#add-volume")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.focused.has_class("vol-device")
        await pilot.press("tab")
        await type_text(pilot, "30")
        await pilot.press("tab", "enter", "down", "enter")  # gp3 -> gp2
        await settle(pilot)
        assert pilot.app.screen.query(".vol-iops").last().disabled, "gp2 has no provisioned IOPS"
        # 8. user data
        await tab_to(pilot, "#ud-text")
        await type_text(pilot, USER_DATA)
        await settle(pilot)
        # 9. count stays 1
        assert [i.message for i in form.issues if not i.is_warning] == []

        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        creates = str(review.query_one("#review-creates").render())
        assert "new rsa key pair 'k1'" in creates and "launch-wizard-1" in creates
        assert "tcp 22 from 203.0.113.0/24" in creates and "tcp 80 from 0.0.0.0/0" in creates
        assert "aws ec2 create-security-group" in review.cli_text and "--instance-type t3.small" in review.cli_text
        assert '"Iops": 4000' in review.json_text and '"VolumeType": "gp2"' in review.json_text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LaunchedScreen), notifications(app)
        result = review.result
        assert result is not None and len(result.instance_ids) == 1
        shown = str(pilot.app.screen.query_one("#launched-ids").render())
        assert result.instance_ids[0] in shown

        # what moto holds is exactly what was typed
        instance = moto_instance(result.instance_ids[0])
        assert instance["ImageId"] == ubuntu and instance["InstanceType"] == "t3.small"
        assert instance["KeyName"] == "k1" and instance["SubnetId"] == subnet_id
        tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
        assert tags == {"Name": "web-1", "env": "dev"}
        assert user_data_of(instance["InstanceId"]) == USER_DATA
        key_file = key_dir / "k1.pem"
        assert result.key_file == str(key_file) and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        ec2 = boto3.client("ec2", region_name="us-east-1")
        groups = {g["GroupName"]: g["GroupId"] for g in instance["SecurityGroups"]}
        assert set(groups) == {"default", "launch-wizard-1"}
        new_group = ec2.describe_security_groups(GroupIds=[groups["launch-wizard-1"]])["SecurityGroups"][0]
        rules = sorted(
            (p["IpProtocol"], p["FromPort"], p["ToPort"], r["CidrIp"])
            for p in new_group["IpPermissions"]
            for r in p["IpRanges"]
        )
        assert rules == [("tcp", 22, 22, "203.0.113.0/24"), ("tcp", 80, 80, "0.0.0.0/0")]
        devices = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
        volumes = {v["VolumeId"]: v for v in ec2.describe_volumes(VolumeIds=list(devices.values()))["Volumes"]}
        assert set(devices) == {"/dev/sda1", "/dev/sdf"}, "Ubuntu's root device, then the added volume"
        root, extra = volumes[devices["/dev/sda1"]], volumes[devices["/dev/sdf"]]
        assert (root["Size"], root["VolumeType"], root["Encrypted"]) == (20, "gp3", True)
        assert (extra["Size"], extra["VolumeType"], extra["Encrypted"]) == (30, "gp2", False)

        # enter goes to the instances list; the form starts afresh (nothing of this launch is silently reused)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InstancesScreen)
        assert any(result.instance_ids[0] in n for n in notifications(app))
        assert form.request.name == "" and form.request.user_data == "" and form.request.volumes == []
        # ... and "launch again" (ctrl+l) brings the launch back, what it created now referred to as existing
        app.navigate("launch")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert form.request.name == "web-1" and form.request.user_data == USER_DATA
        assert form.request.key_pair.choice == "existing" and form.request.key_pair.name == "k1"
        assert groups["launch-wizard-1"] in form.request.security_groups.existing_ids
        assert form.request.security_groups.new_group is None
        assert form.query_one("#name").value == "web-1"
    assert len(all_instances()) == 1


async def test_bad_input_is_shown_next_to_the_field_and_kept(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, ".rule-cidr")
        await type_text(pilot, "10.0.0.1")
        await tab_to(pilot, ".vol-size")
        await type_text(pilot, "abc")
        await tab_to(pilot, "#max-count")
        await type_text(pilot, "0")
        await settle(pilot)
        assert "Source: '10.0.0.1' has no prefix length" in field_message(form, "security_groups.new_group.rules[0]")
        assert "Size: Enter the size as a whole number" in field_message(form, "root_volume")
        assert "between 1 and 100" in field_message(form, "max_count")
        assert "Enter a key pair name" in field_message(form, "key_pair.name")

        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        assert "Launch disabled: fix 5 problems" in str(review.query_one("#review-banner").render())
        assert review.check_action("launch", ()) is None
        await pilot.press("y")
        await settle(pilot)
        assert all_instances() == []
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.query_one(".rule-cidr").value == "10.0.0.1"
        assert form.query_one(".vol-size").value == "abc"
        assert form.query_one("#max-count").value == "0"
        # fixing the typo clears its message as you type
        cidr = form.query_one(".rule-cidr")
        cidr.focus()
        await pilot.press("end", *"/32")
        await settle(pilot)
        assert "Source:" not in field_message(form, "security_groups.new_group.rules[0]")
