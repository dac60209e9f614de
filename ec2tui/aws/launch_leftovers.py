"""What a launch creates before ``run_instances`` (a key pair, a security group), made safe against failures:
a rollback that reports what it could not delete (and keeps the private key of a key pair that still exists), a
next attempt that reuses what an earlier one left, and a ``CreateKeyPair`` whose answer was lost.

Plain boto3, no UI. The private key material is never returned, logged or put in a message.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ec2tui.aws import network
from ec2tui.aws.errors import translate
from ec2tui.aws.models.launch import IngressRule, KeyPairSpec, LaunchRequest, NewSecurityGroup, SecurityGroupsSpec
from ec2tui.aws.models.launch_reuse import free_name
from ec2tui.aws.models.launch_validation import key_file_path, key_name_problem, new_group_problems
from ec2tui.errors import AwsError, LaunchRollbackError, Leftover, ValidationError

KEY_DUPLICATE = "InvalidKeyPair.Duplicate"
KEY_NOT_FOUND = "InvalidKeyPair.NotFound"
GROUP_DUPLICATE = "InvalidGroup.Duplicate"
RULE_DUPLICATE = "InvalidPermission.Duplicate"


def _code(exc: BaseException) -> str:
    return str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""


def was_retried(exc: ClientError) -> bool:
    """Whether botocore sent the call more than once (after a timeout or a dropped connection): the first attempt
    may have done its work although its answer never arrived."""
    return int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0) > 0


# -- key pairs -------------------------------------------------------------------------------------------------


def describe_key(ec2: Any, name: str) -> dict[str, Any] | None:
    """The key pair named ``name`` (with its public key), or None when there is none."""
    try:
        pairs = ec2.describe_key_pairs(KeyNames=[name], IncludePublicKey=True).get("KeyPairs", [])
    except ClientError as exc:
        if _code(exc) == KEY_NOT_FOUND:
            return None
        raise
    return next((p for p in pairs if p.get("KeyName") == name), None)


def public_key_of_file(path: str) -> str | None:
    """``<type> <base64>`` (OpenSSH) of the private key saved at ``path``, or None if it isn't a readable key."""
    try:
        from cryptography.hazmat.primitives import serialization  # moto's dependency; only needed here
    except ImportError:  # pragma: no cover - installed with moto
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(64 * 1024)
    except OSError:
        return None
    for load in (serialization.load_pem_private_key, serialization.load_ssh_private_key):
        try:
            key = load(data, password=None)
            public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        except (ValueError, TypeError, AttributeError):
            continue
        return " ".join(public.decode("ascii").split()[:2])
    return None


def key_file_matches(path: str, info: dict[str, Any]) -> bool:
    """Whether the file at ``path`` is the private key of the key pair ``info`` (compared by public key)."""
    remote = " ".join(str(info.get("PublicKey", "")).split()[:2])
    return bool(remote) and public_key_of_file(path) == remote


def create_key_pair(ec2: Any, key: KeyPairSpec, *, tries: int = 3) -> str:
    """:func:`network.create_key_pair`, safe when ``CreateKeyPair``'s answer is lost.

    botocore retries a call whose answer timed out; if the first attempt did create the key pair, the retry is
    refused as a duplicate and the private key is never received. The caller has just checked that no key pair of
    this name existed, so that key pair is ours and useless: it is deleted and created once more (``tries`` times
    at most). If it can't be deleted, :class:`LaunchRollbackError` names it.
    """
    for attempt in range(1, tries + 1):
        try:
            return network.create_key_pair(ec2, key.name, key.key_type, key.directory)
        except ClientError as exc:
            if _code(exc) != KEY_DUPLICATE or not was_retried(exc):
                raise
            _discard_unanswered_key(ec2, key.name, exc, known_to_exist=True)
            if attempt == tries:
                raise AwsError(
                    f"Creating key pair '{key.name}': AWS's answer was lost {tries} times (each key pair it made "
                    "was deleted again). Check the network, then launch again.",
                    "KeyMaterialLost",
                    "CreateKeyPair",
                ) from exc
        except (BotoCoreError, OSError) as exc:  # no answer (retries exhausted), or the key could not be saved:
            # the key pair may exist all the same, without its private key
            _discard_unanswered_key(ec2, key.name, exc)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _discard_unanswered_key(ec2: Any, name: str, cause: BaseException, *, known_to_exist: bool = False) -> None:
    """Delete the key pair a ``CreateKeyPair`` without an answer may have created (its private key is lost)."""
    region = ec2.meta.region_name
    what = "its private key could not be saved" if isinstance(cause, OSError) else "AWS's answer was lost"
    lost = f"Creating key pair '{name}': {what} ({translate(cause)})"
    try:
        if not known_to_exist and describe_key(ec2, name) is None:
            return
        ec2.delete_key_pair(KeyName=name)
    except Exception as exc:
        state = "was created" if known_to_exist else "may have been created"
        raise LaunchRollbackError(
            f"{lost}; the key pair {state} but its private key was never received.",
            (Leftover("key pair", name, reason=str(translate(exc))),),
            region,
            "KeyMaterialLost",
            advice=f"Delete key pair '{name}' (it can't be used without its private key), then launch again.",
        ) from exc


# -- security groups ------------------------------------------------------------------------------------------


def _flat_rules(permissions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """One comparable tuple per (protocol, ports, source, description) of AWS IpPermissions."""
    out: set[tuple[Any, ...]] = set()
    for perm in permissions:
        protocol = str(perm.get("IpProtocol", ""))
        ports = (None, None) if protocol == "-1" else (perm.get("FromPort"), perm.get("ToPort"))
        for ranges, key in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")):
            for source in perm.get(ranges) or []:
                out.add((protocol, *ports, source.get(key, ""), source.get("Description", "")))
        if perm.get("UserIdGroupPairs") or perm.get("PrefixListIds"):
            out.add((protocol, *ports, "other sources", ""))
    return out


def default_vpc_id(ec2: Any) -> str:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}]).get("Vpcs", [])
    return vpcs[0]["VpcId"] if vpcs else ""


def find_group(ec2: Any, vpc_id: str, name: str) -> dict[str, Any] | None:
    """The security group named ``name`` in ``vpc_id`` (or None)."""
    filters = [{"Name": "group-name", "Values": [name]}]
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    groups = ec2.describe_security_groups(Filters=filters).get("SecurityGroups", [])
    return next((g for g in groups if g.get("GroupName") == name), None)


def group_difference(ec2: Any, raw: dict[str, Any], group: NewSecurityGroup) -> str:
    """Why the existing group ``raw`` is not what ``group`` would create (``""`` when it is, and nothing uses it).

    Such a group is what an earlier failed launch of this request left behind: reusing it launches exactly what
    the form shows."""
    if raw.get("Description", "") != group.description.strip():
        return f"its description is '{raw.get('Description', '')}'"
    wanted = _flat_rules([network.ip_permission(rule) for rule in group.rules])
    if _flat_rules(raw.get("IpPermissions") or []) != wanted:
        return "its inbound rules differ from the ones entered"
    egress = _flat_rules(raw.get("IpPermissionsEgress") or [])
    if not egress <= {("-1", None, None, "0.0.0.0/0", ""), ("-1", None, None, "::/0", "")}:
        return "its outbound rules are not the default allow-all"
    filters = [{"Name": "group-id", "Values": [raw["GroupId"]]}]
    interfaces = _unless_denied(lambda: ec2.describe_network_interfaces(Filters=filters)) or {}
    if interfaces.get("NetworkInterfaces"):
        return "it is in use"
    return ""


def create_security_group(ec2: Any, vpc_id: str | None, group: NewSecurityGroup) -> str:
    """Create the group, without its rules (:func:`add_rules` adds them, so that a refused rule leaves a group the
    launch's rollback knows of). Safe when ``CreateSecurityGroup``'s answer is lost: the retry's "duplicate" then
    names the group the first attempt created."""
    problems = new_group_problems(group)
    if problems:
        sub, message = problems[0]
        raise ValidationError(message, f"security_groups.new_group.{sub}")
    kwargs: dict[str, Any] = {"GroupName": group.name.strip(), "Description": group.description.strip()}
    if vpc_id:
        kwargs["VpcId"] = vpc_id
    try:
        return str(ec2.create_security_group(**kwargs)["GroupId"])
    except ClientError as exc:
        if _code(exc) != GROUP_DUPLICATE or not was_retried(exc):
            raise
    raw = find_group(ec2, vpc_id or default_vpc_id(ec2), group.name.strip())
    if raw is None or raw.get("IpPermissions"):
        raise ValidationError(
            f"A security group named '{group.name}' appeared while it was being created: choose another name.",
            "security_groups.new_group.name",
        )
    return str(raw["GroupId"])


def add_rules(ec2: Any, group_id: str, rules: list[IngressRule]) -> None:
    """Authorize the entered inbound rules; a retry that finds them there already (lost answer) is a success."""
    if not rules:
        return
    try:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[network.ip_permission(r) for r in rules])
    except ClientError as exc:
        if _code(exc) != RULE_DUPLICATE or not was_retried(exc):
            raise


# -- reuse and rollback -----------------------------------------------------------------------------------------


@dataclass
class ReusePlan:
    """The request to launch: a new key pair / group that already exists as an earlier attempt left it becomes an
    existing one. ``notes``: form field -> what is reused there."""

    request: LaunchRequest
    key_file: str | None = None
    group_id: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def plan_reuse(ec2: Any, request: LaunchRequest) -> ReusePlan:
    """Reuse a key pair / security group the request would create when it exists already and is exactly what would
    be created (the key pair's private key file is where the request saves it; the group, unused, has the entered
    description and rules). Any other clash raises :class:`ValidationError` naming a free name to use instead.

    Read-only calls, made only when the request creates something."""
    plan = ReusePlan(copy.deepcopy(request))
    key = request.key_pair
    if key.choice == "new" and key.name and not key_name_problem(key.name):
        info = _unless_denied(lambda: describe_key(ec2, key.name))
        if info is not None:
            path = key_file_path(key.name, key.directory)
            same_type = info.get("KeyType", key.key_type) == key.key_type
            if same_type and os.path.isfile(path) and key_file_matches(path, info):
                plan.request.key_pair = KeyPairSpec("existing", key.name, key.key_type, key.directory)
                plan.key_file = path
                plan.notes["key_pair.name"] = f"Key pair '{key.name}' exists and {path} is its private key: reused."
            else:
                raise ValidationError(_key_clash(ec2, key, path, same_type), "key_pair.name")
    group = request.security_groups.new_group
    if group is not None and group.name.strip():
        vpc_id = request.network.vpc_id or _unless_denied(lambda: default_vpc_id(ec2)) or ""
        raw = _unless_denied(lambda: find_group(ec2, vpc_id, group.name.strip()))
        if raw is not None:
            why = group_difference(ec2, raw, group)
            if why:
                message = _group_clash(ec2, group.name.strip(), vpc_id, raw, why)
                raise ValidationError(message, "security_groups.new_group.name")
            group_id = str(raw["GroupId"])
            existing = [*request.security_groups.existing_ids, group_id]
            plan.request.security_groups = SecurityGroupsSpec(existing_ids=existing, new_group=None)
            plan.group_id = group_id
            plan.notes["security_groups.new_group.name"] = (
                f"Security group {group_id} ('{group.name.strip()}') has exactly the entered rules and is unused: "
                "it is reused."
            )
    return plan


def _unless_denied(call: Callable[[], Any]) -> Any:
    """``call()``, or None when the policy doesn't allow it: the launch then goes on as before (reuse is a bonus)."""
    try:
        return call()
    except ClientError as exc:
        if _code(exc) in ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException"):
            return None
        raise


def _key_clash(ec2: Any, key: KeyPairSpec, path: str, same_type: bool) -> str:
    if not same_type:
        why = f"it is not an {key.key_type} key"
    elif os.path.isfile(path):
        why = f"{path} is not its private key"
    else:
        why = f"its private key is not at {path}"
    names = {k.name for k in network.list_key_pairs(ec2)}
    suggestion = free_name(key.name, lambda n: n in names or os.path.lexists(key_file_path(n, key.directory)))
    offer = f" (e.g. '{suggestion}')" if suggestion else ""
    return (
        f"A key pair named '{key.name}' already exists and {why}: choose another name{offer}, or choose it as an "
        "existing key pair if you have its private key elsewhere."
    )


def _group_clash(ec2: Any, name: str, vpc_id: str, raw: dict[str, Any], why: str) -> str:
    names = {g.name.lower() for g in network.list_security_groups(ec2, vpc_id or None)}
    suggestion = free_name(name, lambda n: n.lower() in names)
    offer = f" (e.g. '{suggestion}')" if suggestion else ""
    return (
        f"A security group named '{name}' already exists in {vpc_id or 'this VPC'} ({raw['GroupId']}) and {why}: "
        f"choose another name{offer}, or select it among the existing groups."
    )


def roll_back(
    ec2: Any, *, key_name: str | None, key_file: str | None, group_id: str | None, group_name: str = ""
) -> list[Leftover]:
    """Delete what this launch created; return what could not be deleted. The private key file is removed only
    once its key pair is gone: a key pair left in AWS keeps its key."""
    left: list[Leftover] = []
    if group_id is not None:
        try:
            ec2.delete_security_group(GroupId=group_id)
        except Exception as exc:
            left.append(Leftover("security group", group_name, group_id, str(translate(exc))))
    if key_name is not None:
        try:
            ec2.delete_key_pair(KeyName=key_name)
        except Exception as exc:
            left.append(Leftover("key pair", key_name, "", str(translate(exc)), kept_file=key_file))
        else:
            if key_file is not None:
                with contextlib.suppress(OSError):
                    os.unlink(key_file)
    return left
