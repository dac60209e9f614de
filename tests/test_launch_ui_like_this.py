""" "Launch more like this": the form filled from an instance (AMI, type, key, subnet, groups, volumes, user data,
tags, IAM profile, metadata and market options), what could not be copied listed, and a launch that reproduces
the instance's settings in moto."""

from __future__ import annotations

import boto3

from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.launch.screen import LaunchScreen
from ec2tui.screens.instances import InstancesScreen
from tests.launch_ui_helpers import AL2023_PARAMETER, moto_instance, parameter, user_data_of
from tests.ui_helpers import notifications, settle, static_text, until

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app

USER_DATA = "#!/bin/bash\necho like-this > /tmp/marker\n"


def original_instance(ec2) -> str:
    """An instance with most of what the form can set."""
    boto3.client("iam", region_name="us-east-1").create_instance_profile(InstanceProfileName="web-role")
    ec2.create_key_pair(KeyName="ops")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="Web", VpcId=vpc)["GroupId"]
    subnet = ec2.describe_subnets()["Subnets"][1]["SubnetId"]
    return ec2.run_instances(
        ImageId=parameter(AL2023_PARAMETER),
        InstanceType="t3.small",
        MinCount=1,
        MaxCount=1,
        KeyName="ops",
        SubnetId=subnet,
        SecurityGroupIds=[group],
        UserData=USER_DATA,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "env", "Value": "prod"}]}
        ],
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 24, "VolumeType": "gp3", "DeleteOnTermination": True}},
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 50, "VolumeType": "gp2", "DeleteOnTermination": True}},
        ],
        IamInstanceProfile={"Name": "web-role"},
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        InstanceMarketOptions={"MarketType": "spot"},
    )["Instances"][0]["InstanceId"]


async def test_launch_more_like_this_reproduces_the_instance(launch_app, launch_env, ec2):
    original_id = original_instance(ec2)
    original = moto_instance(original_id)
    app = launch_app
    async with app.run_test(size=(160, 50)) as pilot:
        app.navigate("instances")
        await settle(pilot)
        instances = app.screen
        assert isinstance(instances, InstancesScreen)
        await until(pilot, lambda: instances.items, "the instance listed")
        instances.table.move_cursor(key=original_id)
        await pilot.pause()
        instances.action_launch_like_this()
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen) and app.screen.state.origin, "the form")
        form = app.screen
        await settle(pilot, 5)
        request = form.request
        assert request.image_id == original["ImageId"] and request.instance_type == "t3.small"
        assert request.name == "web-1" and [(t.key, t.value) for t in request.tags] == [("env", "prod")]
        assert request.key_pair.choice == "existing" and request.key_pair.name == "ops"
        assert request.network.subnet_id == original["SubnetId"]
        assert request.security_groups.existing_ids == [g["GroupId"] for g in original["SecurityGroups"]]
        assert request.security_groups.new_group is None
        assert (request.root_volume.size_gib, request.root_volume.volume_type) == (24, "gp3")
        assert [(v.device_name, v.size_gib, v.volume_type) for v in request.volumes] == [("/dev/sdf", 50, "gp2")]
        assert request.user_data == USER_DATA
        assert request.advanced.iam_instance_profile.endswith(":instance-profile/web-role")
        assert request.advanced.metadata == "required" and request.advanced.purchasing == "spot"
        shown = static_text(app, "#launch-origin")
        assert f"Filled from instance {original_id} (web-1)." in shown
        assert "Not copied:" in shown and "Spot maximum price" in shown and "shutdown behaviour" in shown
        assert [i.message for i in form.issues if not i.is_warning] == []

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LaunchReviewScreen)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, LaunchedScreen), f"the launch: {notifications(app)}")
        review_result = form.last_launched
        assert review_result is not None
    new_ids = [
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["InstanceId"] != original_id
    ]
    assert len(new_ids) == 1
    copy = moto_instance(new_ids[0])
    for key in ("ImageId", "InstanceType", "KeyName", "SubnetId", "InstanceLifecycle"):
        assert copy.get(key) == original.get(key), key
    # the public IP is asked for on the network interface, which then carries the groups (moto lists them there)
    assert copy["PublicIpAddress"] and copy["NetworkInterfaces"][0]["SubnetId"] == original["SubnetId"]
    groups = {g["GroupId"] for g in copy["SecurityGroups"] + copy["NetworkInterfaces"][0]["Groups"]}
    assert groups == {g["GroupId"] for g in original["SecurityGroups"]}
    assert {t["Key"]: t["Value"] for t in copy["Tags"]} == {"Name": "web-1", "env": "prod"}
    assert copy["MetadataOptions"]["HttpTokens"] == "required"
    assert copy["IamInstanceProfile"]["Arn"] == original["IamInstanceProfile"]["Arn"]
    assert user_data_of(new_ids[0]) == USER_DATA
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [new_ids[0]]}])["Volumes"]
    assert sorted((v["Attachments"][0]["Device"], v["Size"], v["VolumeType"]) for v in volumes) == [
        ("/dev/sdf", 50, "gp2"),
        ("/dev/xvda", 24, "gp3"),
    ]
