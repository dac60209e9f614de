"""A failed launch whose rollback is refused, and CreateKeyPair / CreateSecurityGroup answers that get lost (issue 11
point 6). botocore event hooks play the least-privilege policy and the lost answer; moto holds the state."""

from __future__ import annotations

import os

import pytest
from botocore.exceptions import ClientError

from ec2tui.aws import launch as svc
from ec2tui.aws import launch_leftovers as leftovers
from ec2tui.aws import network as net
from ec2tui.aws.models.launch import IngressRule, LaunchRequest, NewSecurityGroup, apply_image
from ec2tui.errors import LaunchRollbackError, ValidationError

LINUX_AMI_NAME = "amzn2-ami-hvm-2.0.20180810-x86_64-gp2"


def _denied(operation: str):
    def hook(**_):
        error = {"Code": "UnauthorizedOperation", "Message": "You are not authorized to perform this operation."}
        raise ClientError({"Error": error}, operation)

    return hook


def _capacity(**_):
    raise ClientError(
        {"Error": {"Code": "InsufficientInstanceCapacity", "Message": "No t3.micro capacity."}}, "RunInstances"
    )


def _retry_first_attempt(calls: list[int]):
    """A ``needs-retry`` hook: the first call's first attempt did reach AWS, but botocore is told its answer was
    lost (later calls are answered)."""

    def hook(attempts, **_):
        calls.append(attempts)
        return 0 if calls == [1] else None  # retry at once (no sleep): the clock plays no part

    return hook


@pytest.fixture
def request_(ec2, tmp_path) -> LaunchRequest:
    raw = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"][0]
    request = LaunchRequest(name="web", instance_type="t3.micro")
    apply_image(request, svc.image_facts_from_raw(raw))
    request.key_pair.choice, request.key_pair.name = "new", "k1"
    request.key_pair.key_type, request.key_pair.directory = "ed25519", str(tmp_path / "keys")
    rules = [IngressRule("tcp", 80, 80, "0.0.0.0/0"), IngressRule("tcp", 22, 22, "203.0.113.7/32", "admin")]
    request.security_groups.new_group = NewSecurityGroup("web", "web tier", rules)
    return request


def _groups(ec2) -> dict[str, str]:
    return {g.group_id: g.name for g in net.list_security_groups(ec2)}


def _fail_run_and_deny_deletes(ec2, *operations: str) -> list[tuple[str, object]]:
    hooks: list[tuple[str, object]] = [("before-call.ec2.RunInstances", _capacity)]
    hooks += [(f"before-call.ec2.{op}", _denied(op)) for op in operations]
    for event, hook in hooks:
        ec2.meta.events.register(event, hook)
    return hooks


def _unhook(ec2, hooks) -> None:
    for event, hook in hooks:
        ec2.meta.events.unregister(event, hook)


def test_denied_rollback_keeps_the_key_file_and_names_what_is_left(ec2, request_):
    groups_before = _groups(ec2)
    hooks = _fail_run_and_deny_deletes(ec2, "DeleteKeyPair", "DeleteSecurityGroup")
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    _unhook(ec2, hooks)

    error = info.value
    key_file = os.path.join(request_.key_pair.directory, "k1.pem")
    (new_group_id,) = set(_groups(ec2)) - set(groups_before)
    by_kind = {leftover.kind: leftover for leftover in error.leftovers}
    assert by_kind["key pair"].name == "k1" and by_kind["key pair"].kept_file == key_file
    assert by_kind["security group"].resource_id == new_group_id and by_kind["security group"].name == "web"
    assert error.code == "InsufficientInstanceCapacity"
    message = str(error)
    for needed in ("No t3.micro capacity", "us-east-1", "'k1'", key_file, new_group_id, "UnauthorizedOperation"):
        assert needed in message
    # Both are still in AWS, and the private key of the key pair that stays is kept (and is its key).
    info_k1 = leftovers.describe_key(ec2, "k1")
    assert info_k1 is not None and leftovers.key_file_matches(key_file, info_k1)
    assert _groups(ec2)[new_group_id] == "web"


def test_the_next_attempt_reuses_what_the_failed_one_left(ec2, request_):
    hooks = _fail_run_and_deny_deletes(ec2, "DeleteKeyPair", "DeleteSecurityGroup")
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    _unhook(ec2, hooks)
    left_group = next(x.resource_id for x in info.value.leftovers if x.kind == "security group")
    key_file = os.path.join(request_.key_pair.directory, "k1.pem")
    key_text = open(key_file).read()  # noqa: SIM115
    groups = _groups(ec2)

    dry = svc.dry_run_request(ec2, request_)  # checks the launch as it will run: with what was left
    assert dry.ok, dry.message
    result = svc.launch(ec2, request_)  # the same request, as the form still holds it

    instance = ec2.describe_instances(InstanceIds=list(result.instance_ids))["Reservations"][0]["Instances"][0]
    assert instance["KeyName"] == "k1"
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [left_group]
    assert _groups(ec2) == groups, "no second group"
    assert (result.key_file, result.security_group_id) == (key_file, left_group)
    assert open(key_file).read() == key_text  # noqa: SIM115


def test_only_the_refused_delete_is_reported_and_a_deleted_key_loses_its_file(ec2, request_):
    hooks = _fail_run_and_deny_deletes(ec2, "DeleteSecurityGroup")
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    _unhook(ec2, hooks)
    assert [x.kind for x in info.value.leftovers] == ["security group"]
    assert leftovers.describe_key(ec2, "k1") is None
    assert not os.path.exists(os.path.join(request_.key_pair.directory, "k1.pem"))


def test_a_clash_that_is_not_a_leftover_offers_a_free_name(ec2, request_, tmp_path):
    net.create_key_pair(ec2, "k1", "ed25519", str(tmp_path / "elsewhere"))  # its key is not where the form saves
    net.create_key_pair(ec2, "k1-2", "ed25519", str(tmp_path / "elsewhere"))
    with pytest.raises(ValidationError, match=r"'k1' already exists and its private key is not at .*'k1-3'") as info:
        svc.launch(ec2, request_)
    assert info.value.field == "key_pair.name"

    request_.key_pair.name = "k9"
    vpc = leftovers.default_vpc_id(ec2)
    other = net.create_security_group(ec2, vpc, "web", "web tier", [IngressRule("tcp", 443, 443, "0.0.0.0/0")])
    with pytest.raises(ValidationError, match=rf"{other}\) and its inbound rules differ.*'web-2'") as info:
        svc.launch(ec2, request_)
    assert info.value.field == "security_groups.new_group.name"
    assert leftovers.describe_key(ec2, "k9") is None, "nothing is created before the clash is found"


def test_an_identical_group_in_use_is_not_reused(ec2, request_):
    hooks = _fail_run_and_deny_deletes(ec2, "DeleteSecurityGroup")
    with pytest.raises(LaunchRollbackError):
        svc.launch(ec2, request_)
    _unhook(ec2, hooks)
    first = svc.launch(ec2, request_)  # reuses the leftover group, which is now in use
    request_.key_pair.name = "k2"
    with pytest.raises(ValidationError, match=rf"{first.security_group_id}\) and it is in use"):
        svc.launch(ec2, request_)


def test_a_lost_create_key_pair_answer_is_deleted_and_created_again(ec2, request_):
    attempts: list[int] = []
    ec2.meta.events.register("needs-retry.ec2.CreateKeyPair", _retry_first_attempt(attempts))
    result = svc.launch(ec2, request_)
    assert attempts == [1, 2, 1], "botocore retried CreateKeyPair once, then ec2tui created it again"
    info = leftovers.describe_key(ec2, "k1")
    assert info is not None and result.key_file is not None
    assert leftovers.key_file_matches(result.key_file, info), "the key file holds the key pair AWS has now"


def test_a_lost_create_key_pair_answer_that_cannot_be_deleted_is_reported(ec2, request_):
    ec2.meta.events.register("needs-retry.ec2.CreateKeyPair", _retry_first_attempt([]))
    ec2.meta.events.register("before-call.ec2.DeleteKeyPair", _denied("DeleteKeyPair"))
    groups = _groups(ec2)
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    assert info.value.code == "KeyMaterialLost"
    assert [(x.kind, x.name, x.kept_file) for x in info.value.leftovers] == [("key pair", "k1", None)]
    assert "private key was never received" in str(info.value) and "Delete key pair 'k1'" in str(info.value)
    assert not os.path.exists(os.path.join(request_.key_pair.directory, "k1.pem")), "no empty .pem stays"
    assert _groups(ec2) == groups, "nothing else was created"


def test_a_lost_create_security_group_answer_uses_the_group_it_created(ec2, request_):
    ec2.meta.events.register("needs-retry.ec2.CreateSecurityGroup", _retry_first_attempt([]))
    before = _groups(ec2)
    result = svc.launch(ec2, request_)
    created = set(_groups(ec2)) - set(before)
    assert created == {result.security_group_id}
    group = next(g for g in net.list_security_groups(ec2) if g.group_id == result.security_group_id)
    assert sorted((r.from_port, r.source) for r in group.inbound) == [(22, "203.0.113.7/32"), (80, "0.0.0.0/0")]


async def test_gateway_validation_says_what_the_launch_will_reuse(gateway, tmp_path):
    ec2 = gateway.core.factory.ec2(change=True)
    raw = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"][0]
    request = LaunchRequest(name="gw", instance_type="t3.micro")
    apply_image(request, svc.image_facts_from_raw(raw))
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "gk", str(tmp_path)
    request.security_groups.new_group = NewSecurityGroup("gw", "gw", [IngressRule("tcp", 80, 80, "0.0.0.0/0")])
    hooks = _fail_run_and_deny_deletes(ec2, "DeleteKeyPair", "DeleteSecurityGroup")
    with pytest.raises(LaunchRollbackError):
        await gateway.launch.launch(request, region="us-east-1")
    _unhook(ec2, hooks)

    issues = await gateway.launch.validate(request, region="us-east-1")
    assert [i.field for i in issues if not i.is_warning] == []
    warnings = {i.field: i.message for i in issues if i.is_warning}
    assert "reused" in warnings["key_pair.name"] and "reused" in warnings["security_groups.new_group.name"]
    assert (await gateway.launch.launch(request, region="us-east-1")).instance_ids

    request.security_groups.new_group.rules.append(IngressRule("tcp", 443, 443, "0.0.0.0/0"))
    request.key_pair.name = "gk2"
    issues = await gateway.launch.validate(request, region="us-east-1")
    errors = {i.field: i.message for i in issues if not i.is_warning}
    assert "'gw-2'" in errors["security_groups.new_group.name"]


def test_a_create_key_pair_that_never_answered_deletes_the_key_it_may_have_made(ec2, request_):
    from botocore.exceptions import ReadTimeoutError

    def lost(**_):  # AWS did the work; the answer never came back, even after botocore's retries
        raise ReadTimeoutError(endpoint_url="https://ec2.us-east-1.amazonaws.com/")

    ec2.meta.events.register("after-call.ec2.CreateKeyPair", lost)
    with pytest.raises(ReadTimeoutError):
        svc.launch(ec2, request_)
    assert leftovers.describe_key(ec2, "k1") is None, "the key pair without its private key was deleted"
    assert not os.path.exists(os.path.join(request_.key_pair.directory, "k1.pem"))


def test_validation_lets_a_leftover_through_as_a_warning_and_names_a_free_name_otherwise(tmp_path):
    from ec2tui.aws.models.launch import LaunchContext
    from ec2tui.aws.models.launch_validation import validate
    from ec2tui.aws.models.network import SecurityGroup, SecurityGroupRule

    request = LaunchRequest(name="v", instance_type="t3.micro", image_id="ami-12345678")
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k1", str(tmp_path)
    rules = [IngressRule("tcp", 22, 22, "203.0.113.7/32", "admin"), IngressRule("all", None, None, "::/0")]
    request.security_groups.new_group = NewSecurityGroup("web", "web tier", rules)
    left = SecurityGroup(
        "sg-1",
        "web",
        "web tier",
        "vpc-1",
        (SecurityGroupRule("all", None, None, "::/0"), SecurityGroupRule("tcp", 22, 22, "203.0.113.7/32", "admin")),
    )
    context = LaunchContext(key_pair_names=frozenset({"k1", "k1-2"}), security_groups=(left,))

    def issues() -> dict[str, tuple[str, str]]:
        return {
            i.field: (i.level, i.message)
            for i in validate(request, context)
            if i.field.startswith(("key_pair", "security_groups.new_group.name"))
        }

    found = issues()
    assert found["key_pair.name"][0] == "error" and "(e.g. 'k1-3')" in found["key_pair.name"][1]
    assert (
        found["security_groups.new_group.name"][0] == "warning" and "sg-1" in found["security_groups.new_group.name"][1]
    )

    (tmp_path / "k1.pem").write_text("kept by a failed launch")
    found = issues()
    assert found["key_pair.name"][0] == "warning" and "reused" in found["key_pair.name"][1]
    assert "key_pair.directory" not in found, "the kept file is not an error when its key pair exists"

    request.security_groups.new_group.rules[0].to_port = 23
    found = issues()
    assert found["security_groups.new_group.name"] == (
        "error",
        "A security group named 'web' already exists in this VPC (e.g. 'web-2' is free).",
    )


def test_a_refused_rule_leaves_a_group_the_rollback_knows_of(ec2, request_):
    groups = _groups(ec2)
    hooks = [
        ("before-call.ec2.AuthorizeSecurityGroupIngress", _denied("AuthorizeSecurityGroupIngress")),
        ("before-call.ec2.DeleteSecurityGroup", _denied("DeleteSecurityGroup")),
    ]
    for event, hook in hooks:
        ec2.meta.events.register(event, hook)
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    _unhook(ec2, hooks)
    (left,) = info.value.leftovers
    assert (left.kind, left.name) == ("security group", "web") and left.resource_id in _groups(ec2)
    assert set(_groups(ec2)) - set(groups) == {left.resource_id}
    assert "AuthorizeSecurityGroupIngress" in str(info.value)
    assert leftovers.describe_key(ec2, "k1") is None, "the key pair it made was deleted, with its file"
    assert not os.path.exists(os.path.join(request_.key_pair.directory, "k1.pem"))


def test_a_lost_authorize_answer_keeps_the_rules_once(ec2, request_):
    ec2.meta.events.register("needs-retry.ec2.AuthorizeSecurityGroupIngress", _retry_first_attempt([]))
    result = svc.launch(ec2, request_)
    group = next(g for g in net.list_security_groups(ec2) if g.group_id == result.security_group_id)
    assert len(group.inbound) == 2


def test_a_key_that_could_not_be_saved_nor_deleted_is_reported(ec2, request_):
    def disk_full(**_):
        raise OSError(28, "No space left on device")

    ec2.meta.events.register("after-call.ec2.CreateKeyPair", disk_full)
    ec2.meta.events.register("before-call.ec2.DeleteKeyPair", _denied("DeleteKeyPair"))
    with pytest.raises(LaunchRollbackError) as info:
        svc.launch(ec2, request_)
    assert info.value.code == "KeyMaterialLost" and "may have been created" in str(info.value)
    assert [x.name for x in info.value.leftovers] == ["k1"]
    assert leftovers.describe_key(ec2, "k1") is not None
