"""Launch templates against moto: the form's request saved as a template (and a new version), read back into a
request, and launched referencing the template with overrides, or with the parameters resolved."""

from __future__ import annotations

import base64
import copy

from ec2tui.aws import launch_templates as svc
from ec2tui.aws.models.launch import AdvancedSpec, KeyPairSpec, LaunchRequest, NetworkSpec, Tag, VolumeSpec
from ec2tui.aws.models.launch_templates import (
    TemplateSource,
    name_problem,
    request_from_template,
    template_data,
    template_launch,
)
from ec2tui.errors import ReadOnlyError

USER_DATA = "#!/bin/bash\necho from-template\n"


def a_request(ec2) -> LaunchRequest:
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_key_pair(KeyName="ops")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    request = LaunchRequest(
        name="web",
        tags=[Tag("env", "test")],
        image_id=image,
        instance_type="t3.small",
        key_pair=KeyPairSpec("existing", "ops"),
        network=NetworkSpec(subnet_id=subnet),
        root_volume=VolumeSpec("/dev/xvda", 16, "gp3"),
        user_data=USER_DATA,
        advanced=AdvancedSpec(metadata="required", detailed_monitoring=True),
    )
    request.security_groups.existing_ids = [group]
    return request


def test_template_data_round_trips_through_moto(ec2):
    request = a_request(ec2)
    saved = template_data(request)
    assert saved.left_out == ()
    assert "MinCount" not in saved.data and "SubnetId" not in saved.data
    assert saved.data["NetworkInterfaces"] == [
        {"DeviceIndex": 0, "SubnetId": request.network.subnet_id, "Groups": request.security_groups.existing_ids}
    ]
    assert base64.b64decode(saved.data["UserData"]).decode() == USER_DATA
    version = svc.save(ec2, svc.create_params(saved.data, name="web-servers", description="first"))
    assert version.number == 1 and version.template_name == "web-servers"

    second = svc.save(
        ec2,
        svc.create_params(
            {**saved.data, "InstanceType": "t3.large"}, template_id=version.template_id, description="bigger"
        ),
    )
    assert second.number == 2
    [template] = svc.list_templates(ec2)
    assert (template.name, template.latest_version, template.default_version) == ("web-servers", 2, 1)
    versions = svc.list_versions(ec2, template.template_id)
    assert [(v.number, v.description) for v in versions] == [(2, "bigger"), (1, "first")]

    back = request_from_template(versions[1].data)
    assert back.not_copied == ()
    again = back.request
    assert (again.name, [(t.key, t.value) for t in again.tags]) == ("web", [("env", "test")])
    assert (again.image_id, again.instance_type, again.key_pair.name) == (request.image_id, "t3.small", "ops")
    assert again.network.subnet_id == request.network.subnet_id
    assert again.security_groups.existing_ids == request.security_groups.existing_ids
    assert (again.root_volume.device_name, again.root_volume.size_gib) == ("/dev/xvda", 16)
    assert again.user_data == USER_DATA and again.advanced.metadata == "required"
    assert {"sec-name", "sec-image", "sec-type", "sec-key", "sec-network", "sec-security"} <= back.sections


def test_launch_references_the_template_with_overrides(ec2):
    request = a_request(ec2)
    version = svc.save(ec2, svc.create_params(template_data(request).data, name="web-servers"))
    back = request_from_template(version.data)
    source = TemplateSource(version.template_id, version.template_name, version.number, back.request, data=version.data)
    changed = copy.deepcopy(back.request)
    changed.instance_type = "m5.large"
    changed.min_count = changed.max_count = 2
    plan = template_launch(changed, source)
    assert plan.referenced and plan.overrides == ("InstanceType",)
    assert plan.params == {
        "LaunchTemplate": {"LaunchTemplateId": version.template_id, "Version": "1"},
        "MinCount": 2,
        "MaxCount": 2,
        "InstanceType": "m5.large",
    }
    launched = ec2.run_instances(**plan.params)["Instances"]
    assert [i["InstanceType"] for i in launched] == ["m5.large", "m5.large"]
    assert {i["ImageId"] for i in launched} == {request.image_id}
    tags = {t["Key"]: t["Value"] for t in launched[0]["Tags"]}
    assert tags["Name"] == "web" and tags["aws:ec2launchtemplate:id"] == version.template_id

    other_subnet = ec2.describe_subnets()["Subnets"][1]["SubnetId"]
    changed.network.subnet_id = other_subnet  # the template's interface carries the subnet: overridden there
    moved = template_launch(changed, source)
    assert moved.referenced and moved.params["NetworkInterfaces"][0]["SubnetId"] == other_subnet
    assert "SubnetId" not in moved.params
    [moved_instance] = ec2.run_instances(**{**moved.params, "MinCount": 1, "MaxCount": 1})["Instances"]
    assert moved_instance["SubnetId"] == other_subnet

    changed.key_pair = KeyPairSpec("none")  # a template's key can't be unset by an override
    resolved = template_launch(changed, source)
    assert not resolved.referenced and "KeyName" in resolved.reason and "LaunchTemplate" not in resolved.params
    assert "Sends the resolved parameters" in resolved.summary(source)


def test_new_resources_are_left_out_and_names_checked():
    request = LaunchRequest(image_id="ami-12345678", instance_type="t3.micro", key_pair=KeyPairSpec("new", "k9"))
    saved = template_data(request)
    assert "KeyName" not in saved.data and "new key pair 'k9'" in saved.left_out[0]
    assert name_problem("ab") and name_problem("web servers") and not name_problem("web-servers_(1).v2")


async def test_saving_is_refused_read_only(read_only_gateway):
    params = svc.create_params({"InstanceType": "t3.micro"}, name="nope")
    try:
        await read_only_gateway.templates.save(params, "us-east-1")
    except ReadOnlyError:
        pass
    else:
        raise AssertionError("saved in read-only mode")
    command = read_only_gateway.templates.cli_command(params, "us-east-1")
    assert command.startswith("aws ec2 create-launch-template") and "--launch-template-name nope" in command
