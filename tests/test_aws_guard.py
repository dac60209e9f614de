"""The hooks on every client the factory makes: read-only enforced where requests leave, ignored dry runs caught,
changes sent through the patient client with an idempotency token."""

from __future__ import annotations

from collections import Counter

import pytest
from botocore.stub import Stubber

from ec2tui.aws import guards
from ec2tui.aws import launch as launch_svc
from ec2tui.aws.clients import CHANGE_CONFIG, READ_CONFIG
from ec2tui.aws.models.images import ImageCategory
from ec2tui.aws.models.launch import LaunchRequest, blocking
from ec2tui.errors import DryRunIgnoredError, ReadOnlyError
from ec2tui.gateway import Gateway

AMI = "ami-12c6146b"  # one of moto's preloaded images in us-east-1


def _count_sends(client) -> Counter[str]:
    """Requests that actually left the client (moto answers in ``before-send``, as a server would on the wire)."""
    sent: Counter[str] = Counter()
    client.meta.events.register("before-send", lambda event_name, **_: sent.update([event_name.split(".")[-1]]))
    return sent


def _request() -> LaunchRequest:
    request = LaunchRequest(name="guarded", image_id=AMI, instance_type="t3.micro")
    request.key_pair.choice = "none"
    return request


def test_read_only_refuses_every_change_before_a_byte_is_sent(read_only_gateway):
    factory = read_only_gateway.core.factory
    assert factory.read_only, "the gateway tells the factory"
    ec2, ec2_change, iam = factory.ec2(), factory.ec2(change=True), factory.client("iam")
    sent = [_count_sends(c) for c in (ec2, ec2_change, iam)]

    # Straight to the clients, past the gateway's own check: the hook refuses anyway.
    with pytest.raises(ReadOnlyError, match="RunInstances"):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    with pytest.raises(ReadOnlyError, match="RebootInstances"):
        ec2_change.reboot_instances(InstanceIds=["i-0123456789abcdef0"])
    with pytest.raises(ReadOnlyError, match="CreateRole"):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    with pytest.raises(ReadOnlyError, match="ModifyInstanceAttribute"):
        ec2.modify_instance_attribute(InstanceId="i-0123456789abcdef0", DisableApiTermination={"Value": True})
    assert sum(sent, Counter()) == Counter(), "nothing left the machine"

    assert ec2.describe_instances()["Reservations"] == []
    assert sent[0] == Counter({"DescribeInstances": 1})


def test_read_only_allows_dry_runs_and_the_launch_validation(read_only_gateway):
    ec2 = read_only_gateway.core.factory.ec2()
    result = launch_svc.dry_run(ec2, {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.micro"})
    assert result.ok and result.code == "DryRunOperation"
    assert ec2.describe_instances()["Reservations"] == []


async def test_read_only_reads_everything_ec2tui_shows(read_only_gateway, ec2):
    """Every read the screens make passes the hook: the Describe/Get/List prefixes cover them all."""
    gw = read_only_gateway
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", UserData="echo hi")
    assert await gw.regions.list()
    await gw.regions.instance_counts("us-east-1")
    await gw.regions.identity()
    (instance,) = await gw.instances.list(region="us-east-1")
    await gw.instances.detail(instance.id, region="us-east-1")
    assert await gw.instances.user_data(instance.id, region="us-east-1") == "echo hi"
    await gw.images.community_page(region="us-east-1")
    await gw.images.marketplace_page(region="us-east-1")
    assert await gw.images.list(ImageCategory.QUICKSTART, region="us-east-1")
    await gw.images.list(ImageCategory.MINE, region="us-east-1")
    await gw.images.detail(AMI, region="us-east-1")
    await gw.launch.instance_types(region="us-east-1")
    await gw.launch.offerings(region="us-east-1")
    vpcs = await gw.launch.vpcs(region="us-east-1")
    await gw.launch.subnets(vpcs[0].vpc_id, region="us-east-1")
    await gw.launch.security_groups(vpcs[0].vpc_id, region="us-east-1")
    await gw.launch.key_pairs(region="us-east-1")
    await gw.launch.instance_profiles(region="us-east-1")
    await gw.launch.image_facts(AMI, region="us-east-1")
    issues = await gw.launch.validate_remote(_request(), region="us-east-1")
    assert blocking(issues) == [], issues


def test_not_read_only_lets_changes_through(factory):
    Gateway(factory)
    assert not factory.read_only
    ec2 = factory.ec2(change=True)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    assert len(ec2.describe_instances()["Reservations"]) == 1


@pytest.mark.parametrize(
    "name", ["DescribeInstances", "GetCallerIdentity", "GetParametersByPath", "ListInstanceProfiles"]
)
def test_reads_are_named_as_reads(name):
    assert guards.is_read(name)


@pytest.mark.parametrize("name", ["RunInstances", "CreateImage", "ModifyImageAttribute", "PutParameter", "SearchX"])
def test_anything_else_is_a_change(name):
    assert not guards.is_read(name)


async def test_a_dry_run_answered_with_success_is_an_error_and_read_only_stops_sending_them(read_only_gateway):
    gw = read_only_gateway
    ec2 = gw.core.factory.ec2()
    with Stubber(ec2) as stub:  # an endpoint that ignores DryRun: it launches and says 200
        stub.add_response("run_instances", {"Instances": [{"InstanceId": "i-0123456789abcdef0"}]})
        with pytest.raises(DryRunIgnoredError, match="ignored DryRun: resources may have been created"):
            await gw.launch.dry_run(_request(), validate_first=False, region="us-east-1")
        stub.assert_no_pending_responses()

    # Now that this endpoint is known to ignore DryRun, read-only mode sends it no dry run at all.
    sent = _count_sends(ec2)
    with pytest.raises(ReadOnlyError, match="ignores it"):
        await gw.launch.dry_run(_request(), validate_first=False, region="us-east-1")
    assert not sent


async def test_an_ignored_dry_run_is_an_error_when_not_read_only_too(gateway):
    ec2 = gateway.core.factory.ec2()
    with Stubber(ec2) as stub:
        stub.add_response("describe_key_pairs", {"KeyPairs": []})  # a leftover of a failed launch would be reused
        stub.add_response("create_key_pair", {"KeyName": "k", "KeyFingerprint": "f", "KeyMaterial": "m"})
        request = _request()
        request.key_pair.choice, request.key_pair.name = "new", "k"
        with pytest.raises(DryRunIgnoredError, match="CreateKeyPair: this endpoint ignored DryRun"):
            await gateway.launch.dry_run(request, validate_first=False, region="us-east-1")
    assert not gateway.core.factory.policy.read_only
    result = await gateway.launch.dry_run(_request(), validate_first=False, region="us-east-1")  # moto honours DryRun
    assert result.ok, "not read-only: dry runs are still sent, and each is checked"


async def test_changes_go_through_the_patient_client_and_reads_through_the_quick_one(gateway, tmp_path):
    factory = gateway.core.factory
    read_calls: list[str] = []
    factory.ec2().meta.events.register(
        "before-call.ec2",
        lambda model, params, **_: read_calls.append(model.name + ("?" if "DryRun" in str(params) else "")),
    )
    change_calls: list[str] = []
    factory.ec2(change=True).meta.events.register("before-call.ec2", lambda model, **_: change_calls.append(model.name))

    request = _request()
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k", str(tmp_path)
    request.key_pair.key_type = "rsa"  # the AMI is a Windows one
    result = await gateway.launch.launch(request, region="us-east-1")
    (instance_id,) = result.instance_ids
    await gateway.instances.stop([instance_id], region="us-east-1")
    await gateway.instances.start([instance_id], region="us-east-1")
    await gateway.instances.reboot([instance_id], region="us-east-1")
    await gateway.instances.set_termination_protection(instance_id, False, region="us-east-1")
    image_id = await gateway.images.create_image(instance_id, "img", region="us-east-1")
    await gateway.images.set_launch_permissions(image_id, add_account_ids=["111122223333"], region="us-east-1")
    await gateway.images.copy_image("us-east-1", image_id, "copy", dest_region="us-east-1")
    await gateway.images.deregister(image_id, region="us-east-1")
    await gateway.instances.terminate([instance_id], region="us-east-1")
    await gateway.launch.create_key_pair("k2", "rsa", str(tmp_path), region="us-east-1")
    await gateway.launch.create_security_group(None, "g", "d", [], region="us-east-1")

    changes = [c for c in read_calls if not guards.is_read(c)]
    assert changes == [], f"changes sent through the read client: {changes}"
    assert {"RunInstances", "CreateKeyPair", "StopInstances", "CreateImage", "CopyImage", "TerminateInstances"} <= set(
        change_calls
    )
    assert factory.ec2(change=True).meta.config.read_timeout == CHANGE_CONFIG.read_timeout
    assert factory.ec2().meta.config.read_timeout == READ_CONFIG.read_timeout < CHANGE_CONFIG.read_timeout


def test_a_launch_sends_one_client_token(factory):
    ec2 = factory.ec2(change=True)
    sent: list[dict] = []
    ec2.meta.events.register("provide-client-params.ec2.RunInstances", lambda params, **_: sent.append(dict(params)))
    launch_svc.launch(ec2, _request())
    launch_svc.launch(ec2, _request())
    tokens = [p.get("ClientToken") for p in sent]
    assert all(tokens) and tokens[0] != tokens[1], "each launch has its own token, which its retries reuse"
