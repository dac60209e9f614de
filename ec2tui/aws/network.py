"""VPCs, subnets, security groups and key pairs: reading them for the launch form, and creating the new key pair
or security group it asks for."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from ec2tui.aws.models.launch import KEY_TYPES, IngressRule, NewSecurityGroup
from ec2tui.aws.models.launch_validation import key_file_path, key_name_problem, new_group_problems
from ec2tui.aws.models.network import KeyPair, SecurityGroup, SecurityGroupRule, Subnet, Vpc
from ec2tui.errors import ValidationError
from ec2tui.state_files import UnsafeFileError, private_dir

_PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _name_tag(raw: dict[str, Any]) -> str:
    return next((t.get("Value", "") for t in raw.get("Tags") or [] if t.get("Key") == "Name"), "")


def list_vpcs(ec2: Any) -> list[Vpc]:
    """The region's VPCs, the default one first."""
    vpcs = [
        Vpc(
            vpc_id=raw["VpcId"],
            cidr=raw.get("CidrBlock", ""),
            is_default=bool(raw.get("IsDefault", False)),
            name=_name_tag(raw),
            state=raw.get("State", ""),
        )
        for page in ec2.get_paginator("describe_vpcs").paginate()
        for raw in page.get("Vpcs", [])
    ]
    return sorted(vpcs, key=lambda v: (not v.is_default, v.name.lower(), v.vpc_id))


def _ipv6_cidrs(raw: dict[str, Any]) -> tuple[str, ...]:
    associations = raw.get("Ipv6CidrBlockAssociationSet") or []
    return tuple(a["Ipv6CidrBlock"] for a in associations if a.get("Ipv6CidrBlock"))


def list_subnets(ec2: Any, vpc_id: str | None = None) -> list[Subnet]:
    """Subnets of one VPC (every subnet of the region when ``vpc_id`` is None), sorted by availability zone."""
    kwargs: dict[str, Any] = {}
    if vpc_id:
        kwargs["Filters"] = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnets = [
        Subnet(
            subnet_id=raw["SubnetId"],
            vpc_id=raw.get("VpcId", ""),
            cidr=raw.get("CidrBlock", ""),
            availability_zone=raw.get("AvailabilityZone", ""),
            available_ips=int(raw.get("AvailableIpAddressCount", 0)),
            default_for_az=bool(raw.get("DefaultForAz", False)),
            map_public_ip_on_launch=bool(raw.get("MapPublicIpOnLaunch", False)),
            name=_name_tag(raw),
            ipv6_cidrs=_ipv6_cidrs(raw),
        )
        for page in ec2.get_paginator("describe_subnets").paginate(**kwargs)
        for raw in page.get("Subnets", [])
    ]
    return sorted(subnets, key=lambda s: (s.availability_zone, s.cidr, s.subnet_id))


def _rules(permissions: list[dict[str, Any]]) -> tuple[SecurityGroupRule, ...]:
    rules: list[SecurityGroupRule] = []
    for perm in permissions:
        raw_protocol = str(perm.get("IpProtocol", "-1"))
        protocol = _PROTOCOL_NAMES.get(raw_protocol, raw_protocol)
        low = perm.get("FromPort") if protocol != "all" else None
        high = perm.get("ToPort") if protocol != "all" else None
        sources = [(r.get("CidrIp", ""), r.get("Description", "")) for r in perm.get("IpRanges") or []]
        sources += [(r.get("CidrIpv6", ""), r.get("Description", "")) for r in perm.get("Ipv6Ranges") or []]
        sources += [(r.get("GroupId", ""), r.get("Description", "")) for r in perm.get("UserIdGroupPairs") or []]
        sources += [(r.get("PrefixListId", ""), r.get("Description", "")) for r in perm.get("PrefixListIds") or []]
        rules += [SecurityGroupRule(protocol, low, high, source, description or "") for source, description in sources]
    return tuple(rules)


def list_security_groups(ec2: Any, vpc_id: str | None = None) -> list[SecurityGroup]:
    """Security groups of one VPC (all when ``vpc_id`` is None) with their inbound rules, sorted by name."""
    kwargs: dict[str, Any] = {}
    if vpc_id:
        kwargs["Filters"] = [{"Name": "vpc-id", "Values": [vpc_id]}]
    groups = [
        SecurityGroup(
            group_id=raw["GroupId"],
            name=raw.get("GroupName", ""),
            description=raw.get("Description", ""),
            vpc_id=raw.get("VpcId", ""),
            inbound=_rules(raw.get("IpPermissions") or []),
        )
        for page in ec2.get_paginator("describe_security_groups").paginate(**kwargs)
        for raw in page.get("SecurityGroups", [])
    ]
    return sorted(groups, key=lambda g: (g.name.lower(), g.group_id))


def list_key_pairs(ec2: Any) -> list[KeyPair]:
    """The region's key pairs (public facts only), sorted by name."""
    response = ec2.describe_key_pairs()
    pairs = [
        KeyPair(
            name=raw.get("KeyName", ""),
            key_type=raw.get("KeyType", "rsa"),
            fingerprint=raw.get("KeyFingerprint", ""),
            key_pair_id=raw.get("KeyPairId", ""),
            created=raw.get("CreateTime"),
        )
        for raw in response.get("KeyPairs", [])
    ]
    return sorted(pairs, key=lambda k: k.name.lower())


def create_key_pair(ec2: Any, name: str, key_type: str, directory: str) -> str:
    """Create a key pair and save its private key to ``<directory>/<name>.pem`` (mode 0600); return the path.

    The file is created (exclusively, with mode 0600 from the start) before AWS is asked, so an existing file is
    never overwritten and a key is never created that can't be saved. If saving fails afterwards the new key pair
    is deleted again. The key material is never returned, logged or put in an error message.
    """
    if problem := key_name_problem(name):
        raise ValidationError(problem, "key_pair.name")
    if key_type not in KEY_TYPES:
        raise ValidationError(f"Key type must be rsa or ed25519, not '{key_type}'.", "key_pair.key_type")
    path = key_file_path(name, directory)
    try:  # created 0700; an existing world-writable or symlinked folder is refused (the key could be swapped)
        private_dir(Path(os.path.dirname(path)), what="key folder", allow_symlink=False)
    except UnsafeFileError as exc:
        raise ValidationError(str(exc), "key_pair.directory") from None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ValidationError(
            f"{path} already exists; ec2tui never overwrites a private key file.", "key_pair.directory"
        ) from None
    except OSError as exc:
        raise ValidationError(f"Can't create {path}: {exc.strerror}.", "key_pair.directory") from None
    created = False
    try:
        response = ec2.create_key_pair(KeyName=name, KeyType=key_type, KeyFormat="pem")
        created = True
        material = response.get("KeyMaterial", "")
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            fd = -1
            handle.write(material if material.endswith("\n") else material + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        del material, response
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        if created:
            with contextlib.suppress(Exception):
                ec2.delete_key_pair(KeyName=name)
        raise
    return path


def ip_permission(rule: IngressRule) -> dict[str, Any]:
    """One AWS IpPermission for an entered rule (ICMP with an IPv6 source becomes ICMPv6)."""
    cidr = rule.cidr.strip()
    permission: dict[str, Any]
    if rule.protocol == "all":
        permission = {"IpProtocol": "-1"}
    else:
        protocol = "icmpv6" if rule.protocol == "icmp" and rule.is_ipv6 else rule.protocol
        permission = {"IpProtocol": protocol, "FromPort": int(rule.from_port or 0), "ToPort": int(rule.to_port or 0)}
    source: dict[str, str] = {"CidrIpv6": cidr} if rule.is_ipv6 else {"CidrIp": cidr}
    if rule.description:
        source["Description"] = rule.description
    permission["Ipv6Ranges" if rule.is_ipv6 else "IpRanges"] = [source]
    return permission


def create_security_group(ec2: Any, vpc_id: str | None, name: str, description: str, rules: list[IngressRule]) -> str:
    """Create a security group with exactly the given inbound rules (AWS's default allow-all outbound rule stays);
    return its id. If a rule is refused the group is deleted again."""
    group = NewSecurityGroup(name=name, description=description, rules=list(rules))
    problems = new_group_problems(group)
    if problems:
        sub, message = problems[0]
        raise ValidationError(message, f"security_groups.new_group.{sub}")
    kwargs: dict[str, Any] = {"GroupName": name.strip(), "Description": description.strip()}
    if vpc_id:
        kwargs["VpcId"] = vpc_id
    group_id: str = ec2.create_security_group(**kwargs)["GroupId"]
    if rules:
        try:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[ip_permission(r) for r in rules])
        except BaseException:
            with contextlib.suppress(Exception):
                ec2.delete_security_group(GroupId=group_id)
            raise
    return group_id
