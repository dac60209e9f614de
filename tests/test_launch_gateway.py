"""LaunchApi: cached pickers, validation against the region, dry run and export allowed read-only, launch guarded."""

from __future__ import annotations

import pytest

from ec2tui.aws.models.launch import IngressRule, LaunchRequest, NewSecurityGroup, apply_image
from ec2tui.errors import ReadOnlyError

LINUX_AMI_NAME = "amzn2-ami-hvm-2.0.20180810-x86_64-gp2"


async def _request(gw, tmp_path) -> LaunchRequest:
    ec2 = gw.core.factory.ec2()
    image_id = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"][0]["ImageId"]
    request = LaunchRequest(name="gw", instance_type="t3.micro")
    apply_image(request, await gw.launch.image_facts(image_id, region="us-east-1"))
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "gw-key", str(tmp_path)
    request.security_groups.new_group = NewSecurityGroup("gw", "gw", [IngressRule("tcp", 80, 80, "0.0.0.0/0")])
    return request


async def test_instance_types_are_cached_and_survive_a_launch(gateway, tmp_path):
    types = await gateway.launch.instance_types(region="us-east-1")
    assert any(t.name == "t3.micro" for t in types)
    offered = await gateway.launch.offerings(region="us-east-1")
    assert "t3.micro" in offered
    await gateway.launch.launch(await _request(gateway, tmp_path), region="us-east-1")
    await gateway.launch.instance_types(region="us-east-1")
    await gateway.launch.offerings(region="us-east-1")
    assert gateway.core.calls["instance-types"] == 1 and gateway.core.calls["instance-type-offerings"] == 1


async def test_pickers_and_invalidation_after_launch(gateway, tmp_path):
    vpcs = await gateway.launch.vpcs(region="us-east-1")
    default = next(v for v in vpcs if v.is_default)
    subnets = await gateway.launch.subnets(default.vpc_id, region="us-east-1")
    assert subnets and all(s.vpc_id == default.vpc_id for s in subnets)
    assert [g.name for g in await gateway.launch.security_groups(default.vpc_id, region="us-east-1")] == ["default"]
    assert await gateway.launch.key_pairs(region="us-east-1") == []

    request = await _request(gateway, tmp_path)
    assert [i for i in await gateway.launch.validate(request, region="us-east-1") if not i.is_warning] == []
    result = await gateway.launch.launch(request, region="us-east-1")
    assert len(result.instance_ids) == 1 and result.key_file and result.security_group_id
    # the region's reads were invalidated: the new key pair and group show up without a refresh
    assert [k.name for k in await gateway.launch.key_pairs(region="us-east-1")] == ["gw-key"]
    assert "gw" in {g.name for g in await gateway.launch.security_groups(default.vpc_id, region="us-east-1")}
    # and validating the same request again now reports the name clashes
    issues = {i.field for i in await gateway.launch.validate(request, region="us-east-1")}
    assert {"key_pair.name", "security_groups.new_group.name"} <= issues


async def test_validate_uses_region_facts(gateway, tmp_path):
    request = await _request(gateway, tmp_path)
    request.instance_type = "t4g.micro"  # arm64, the AMI is x86_64
    request.key_pair.choice, request.key_pair.name = "existing", "missing"
    fields = {i.field: i.message for i in await gateway.launch.validate(request, region="us-east-1")}
    assert "arm64" in fields["instance_type"]
    assert "no key pair named 'missing'" in fields["key_pair.name"]
    request.image_id = "ami-0000000000000000f"
    fields = {i.field: i.message for i in await gateway.launch.validate(request, region="us-east-1")}
    assert "not found" in fields["image_id"]


async def test_read_only_refuses_launch_but_allows_dry_run_and_export(read_only_gateway, tmp_path):
    gw = read_only_gateway
    request = await _request(gw, tmp_path)
    with pytest.raises(ReadOnlyError, match="Launch instances"):
        await gw.launch.launch(request, region="us-east-1")
    with pytest.raises(ReadOnlyError):
        await gw.launch.create_key_pair("k", "rsa", str(tmp_path), region="us-east-1")
    with pytest.raises(ReadOnlyError):
        await gw.launch.create_security_group(None, "g", "d", [], region="us-east-1")
    ec2 = gw.core.factory.ec2()
    assert ec2.describe_instances()["Reservations"] == [] and ec2.describe_key_pairs()["KeyPairs"] == []

    result = await gw.launch.dry_run(request, region="us-east-1")
    assert result.ok, result.message
    assert await gw.launch.validate_remote(request, region="us-east-1") == []
    command = gw.launch.cli_command(request, region="us-east-1")
    assert command.startswith("aws ec2 run-instances") and "--region us-east-1" in command
    assert "create-security-group" in gw.launch.cli_script(request, region="us-east-1")
    assert ec2.describe_instances()["Reservations"] == [], "dry run and export launch nothing"


async def test_dry_run_reports_form_errors_first(gateway, tmp_path):
    request = await _request(gateway, tmp_path)
    request.max_count = 0
    result = await gateway.launch.dry_run(request, region="us-east-1")
    assert not result.ok and "Fix the form first" in result.message
    issues = await gateway.launch.validate_remote(request, region="us-east-1")
    assert any(i.field == "max_count" for i in issues)


async def test_create_key_pair_and_group_through_the_gateway(gateway, tmp_path):
    path = await gateway.launch.create_key_pair("direct", "rsa", str(tmp_path), region="us-east-1")
    assert path.endswith("direct.pem")
    group_id = await gateway.launch.create_security_group(
        None, "direct", "d", [IngressRule("udp", 53, 53, "::/0")], region="us-east-1"
    )
    groups = await gateway.launch.security_groups(region="us-east-1")
    assert next(g for g in groups if g.group_id == group_id).inbound[0].source == "::/0"
