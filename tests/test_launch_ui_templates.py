"""Launch templates in the UI, against moto: the form saved as a template (reviewed, with its CLI command), listed
with its versions, a new version, the form filled from a version with the template's sections marked, a launch
that references the template with an override, read-only refusal, and a template made from an instance."""

from __future__ import annotations

from pathlib import Path

import ec2tui.app
from ec2tui.app import Ec2App
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.launch.save_template import SaveTemplateScreen
from ec2tui.launch.screen import LaunchScreen
from ec2tui.launch.sections.instance_type import TypeSection
from ec2tui.screens.instance_dialogs import InfoDialog
from ec2tui.screens.instances import InstancesScreen
from ec2tui.screens.templates import TemplatesScreen
from tests.launch_ui_helpers import moto_instance, open_form, type_text
from tests.ui_helpers import notifications, record_notifications, settle, static_text, table_rows, until

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def ready_form(pilot) -> LaunchScreen:
    form = await open_form(pilot)
    await until(
        pilot,
        lambda: form.state.facts is not None and form.request.instance_type and form.request.key_pair.name,
        "the form's defaults",
    )
    return form


async def save_as(pilot, name: str) -> SaveTemplateScreen:
    await pilot.press("ctrl+t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SaveTemplateScreen)
    screen.query_one("#tpl-name").value = ""
    screen.query_one("#tpl-name").focus()
    await type_text(pilot, name)
    await settle(pilot)
    return screen


async def test_template_round_trip_from_the_form(launch_app, launch_env, ec2):
    ec2.create_key_pair(KeyName="ops")
    app = launch_app
    async with app.run_test(size=(160, 50)) as pilot:
        form = await ready_form(pilot)
        form.request.name = "tpl-web"
        image, key = form.request.image_id, form.request.key_pair.name
        saving = await save_as(pilot, "web-servers")
        assert "the new security group 'launch-wizard-1' (it does not exist yet)" in static_text(app, "#tpl-notes")
        cli = static_text(app, "#tpl-cli")
        assert cli.startswith("aws ec2 create-launch-template") and "--launch-template-name web-servers" in cli
        assert "--region us-east-1" in cli and image in static_text(app, "#tpl-data")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen), "back in the form")
        assert saving.is_attached is False
        [template] = ec2.describe_launch_templates()["LaunchTemplates"]
        assert template["LaunchTemplateName"] == "web-servers"
        data = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])[
            "LaunchTemplateVersions"
        ][0]["LaunchTemplateData"]
        assert (data["ImageId"], data["InstanceType"], data["KeyName"]) == (image, form.request.instance_type, key)

        # a new version of it, with another type

        form.section(TypeSection).set_type("t3.large")
        await settle(pilot)
        saving = await save_as(pilot, "unused")
        saving.query_one("#tpl-mode").value = "version"
        await until(pilot, lambda: saving.templates, "the templates to choose from")
        saving.query_one("#tpl-existing").value = template["LaunchTemplateId"]
        saving.query_one("#tpl-description").value = "bigger"
        await settle(pilot)
        assert "create-launch-template-version" in static_text(app, "#tpl-cli")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen), "back in the form")

        # the list: one row per version; enter shows the data; l fills the form, its sections marked
        form.action_templates()
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, TemplatesScreen)
        await until(pilot, lambda: len(listing.items) == 2, "both versions listed")
        rows = table_rows(app)
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
            ("web-servers", "2", "", "bigger", "t3.large"),
            ("web-servers", "1", "default", "", "t3.micro"),
        ]
        listing.table.move_cursor(key=f"{template['LaunchTemplateId']}:1")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog) and '"InstanceType": "t3.micro"' in app.screen.value
        await pilot.press("escape", "l")
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen) and form.state.template, "the filled form")
        await settle(pilot, 5)
        assert form.request.instance_type == "t3.micro" and form.request.name == "tpl-web"
        assert "Filled from launch template web-servers version 1." in static_text(app, "#launch-origin")
        titles = {s.id: s.border_title for s in form.sections}
        assert titles["sec-type"].endswith("· from template") and titles["sec-image"].endswith("· from template")
        assert not titles["sec-count"].endswith("· from template")

        # launch it with one override: the review says the template is referenced
        form.section(TypeSection).set_type("m5.large")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, LaunchReviewScreen)
        summary = static_text(app, "#review-template")
        assert f"References launch template web-servers ({template['LaunchTemplateId']}) version 1" in summary
        assert "overrides: InstanceType" in summary
        assert "--launch-template" in review.cli_text
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, LaunchedScreen), f"the launch: {notifications(app)}")
        [instance_id] = review.result.instance_ids
    instance = moto_instance(instance_id)
    assert instance["InstanceType"] == "m5.large" and instance["ImageId"] == image and instance["KeyName"] == key
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["aws:ec2launchtemplate:id"] == template["LaunchTemplateId"] and tags["Name"] == "tpl-web"


async def test_saving_a_template_is_refused_read_only(launch_env, read_only_gateway, ec2):
    ec2.create_key_pair(KeyName="ops")
    app = Ec2App(read_only_gateway)
    async with app.run_test(size=(160, 50)) as pilot:
        sent = record_notifications(app)
        await ready_form(pilot)
        await save_as(pilot, "never-saved")
        assert "Read-only mode" in static_text(app, "#tpl-banner")
        assert "aws ec2 create-launch-template" in static_text(app, "#tpl-cli")  # the export still works
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("saving is refused" in n for n in sent)
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []


async def test_create_template_from_an_instance(launch_app, launch_env, ec2):
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance_id = ec2.run_instances(
        ImageId=image,
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "worker"}]}],
    )["Instances"][0]["InstanceId"]
    app = launch_app
    async with app.run_test(size=(160, 50)) as pilot:
        app.navigate("instances")
        await settle(pilot)
        instances = app.screen
        assert isinstance(instances, InstancesScreen)
        await until(pilot, lambda: instances.items, "the instance listed")
        instances.table.move_cursor(key=instance_id)
        instances.action_template_from_instance()
        await until(pilot, lambda: isinstance(app.screen, SaveTemplateScreen), "the save screen")
        assert f"from instance {instance_id} (worker)" in static_text(app, "#tpl-title")
        assert app.screen.query_one("#tpl-name").value == "worker-template"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, InstancesScreen), "back in the list")
    [template] = ec2.describe_launch_templates()["LaunchTemplates"]
    data = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]
    assert (template["LaunchTemplateName"], data["InstanceType"], data["ImageId"]) == (
        "worker-template",
        "c5.large",
        image,
    )


async def test_a_template_naming_a_subnet_of_another_vpc_fills_that_vpc(launch_app, launch_env, ec2):
    ec2.create_key_pair(KeyName="ops")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.0.0/20")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="prod-web", Description="web", VpcId=vpc)["GroupId"]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.create_launch_template(
        LaunchTemplateName="prod-web",
        LaunchTemplateData={
            "ImageId": image,
            "InstanceType": "t3.small",
            "KeyName": "ops",
            "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group]}],
        },
    )
    app = launch_app
    async with app.run_test(size=(160, 50)) as pilot:
        form = await ready_form(pilot)  # on the default VPC
        default_vpc = form.request.network.vpc_id
        form.action_templates()
        await settle(pilot)
        listing = app.screen
        await until(pilot, lambda: listing.items, "the template listed")
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen) and form.state.template, "the filled form")
        await until(pilot, lambda: form.request.network.vpc_id == vpc, "the subnet's VPC")
        await settle(pilot, 5)
        assert vpc != default_vpc
        assert form.request.network.subnet_id == subnet and form.request.security_groups.existing_ids == [group]
        assert [i.message for i in form.issues if not i.is_warning] == []


class TemplatesModeApp(Ec2App):
    """The app with the ``templates`` mode the lead adds to ``Ec2App.MODES`` (see the issue 15 report)."""

    MODES = {**Ec2App.MODES, "templates": TemplatesScreen}
    CSS_PATH = str(Path(ec2tui.app.__file__).with_name("ec2tui.tcss"))  # relative paths resolve from this module


async def test_templates_command_opens_the_list_as_a_mode(launch_env, gateway, ec2):
    ec2.create_launch_template(LaunchTemplateName="solo", LaunchTemplateData={"InstanceType": "t3.nano"})
    app = TemplatesModeApp(gateway)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.navigate("templ")  # a prefix, as every : command
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, TemplatesScreen)
        await until(pilot, lambda: listing.items, "the template listed")
        assert [row[0] for row in table_rows(app)] == ["solo"]
        assert "Launch templates · us-east-1  1 launch template versions" in static_text(app, "#title")


def test_the_demo_regions_hold_launch_templates(no_default_amis, ec2):
    from ec2tui.demo.seed_templates import seed_templates

    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.create_security_group(GroupName="prod-web", Description="web", VpcId=vpc)["GroupId"]
    seed_templates(ec2, {"al2023": "ami-12345678"}, {"public": subnet}, {"web": group})
    names = {
        t["LaunchTemplateName"]: t["LatestVersionNumber"] for t in ec2.describe_launch_templates()["LaunchTemplates"]
    }
    assert names == {"web-server": 2, "bastion": 1}
