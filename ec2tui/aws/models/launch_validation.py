"""Validation of a :class:`LaunchRequest`, field by field, with the limits AWS applies. Pure Python.

Limits come from the EC2 API reference (botocore's ec2 service model: CreateVolume/EbsBlockDevice ``Size``,
``Iops``, ``Throughput``; Tag; CreateKeyPair; CreateSecurityGroup) and the EBS volume types page of the
Amazon EBS User Guide (IOPS-per-GiB and throughput-per-IOPS ratios; st1/sc1 can't be boot volumes).
"""

from __future__ import annotations

import ipaddress
import os
import re

from ec2tui.aws.image_parsing import root_device_type_known, root_device_type_warning
from ec2tui.aws.models.launch import (
    KEY_CHOICES,
    KEY_TYPES,
    METADATA_CHOICES,
    PROTOCOLS,
    PURCHASING_OPTIONS,
    SHUTDOWN_BEHAVIORS,
    VOLUME_TYPES,
    FieldError,
    IngressRule,
    LaunchContext,
    LaunchRequest,
    NewSecurityGroup,
    VolumeSpec,
)
from ec2tui.aws.models.launch_reuse import free_name, group_named, same_group
from ec2tui.aws.user_data import USER_DATA_LIMIT, user_data_size

# Valid sizes per volume type, GiB (EC2 API reference, CreateVolume "Size").
SIZE_LIMITS: dict[str, tuple[int, int]] = {
    "gp2": (1, 16_384),
    "gp3": (1, 65_536),
    "io1": (4, 16_384),
    "io2": (4, 65_536),
    "st1": (125, 16_384),
    "sc1": (125, 16_384),
    "standard": (1, 1_024),
}
# Valid provisioned IOPS per type (CreateVolume "Iops"); required for io1/io2, optional for gp3, refused otherwise.
IOPS_LIMITS: dict[str, tuple[int, int]] = {"gp3": (3_000, 80_000), "io1": (100, 64_000), "io2": (100, 256_000)}
# Maximum IOPS per GiB of volume size (EBS User Guide, volume types).
IOPS_PER_GIB: dict[str, int] = {"gp3": 500, "io1": 50, "io2": 1_000}
# gp3 only (CreateVolume "Throughput"), MiB/s; at most 0.25 MiB/s per provisioned IOPS.
THROUGHPUT_LIMITS = (125, 2_000)
THROUGHPUT_PER_IOPS = 0.25
GP3_DEFAULT_IOPS = 3_000
NOT_BOOTABLE = frozenset({"st1", "sc1"})

TAG_KEY_MAX = 127
TAG_VALUE_MAX = 256
TAGS_PER_RESOURCE = 50
KEY_NAME_MAX = 255
GROUP_NAME_MAX = 255
GROUP_DESCRIPTION_MAX = 255
RULE_DESCRIPTION_MAX = 255
GROUPS_PER_INTERFACE_DEFAULT = 5
GROUPS_PER_INTERFACE_MAX = 16
# CreateSecurityGroup: "Valid characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
_GROUP_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")
_IMAGE_ID = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
# IAM CreateInstanceProfile "InstanceProfileName": [\w+=,.@-]+, 1 to 128 characters.
_PROFILE_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_PROFILE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:instance-profile/[\w+=,.@/-]+$")
_PRICE = re.compile(r"^\d{1,6}(\.\d{1,6})?$")
_DEVICE_NAME = re.compile(r"^(/dev/(sd[a-z][a-z]?|xvd[a-z][a-z]?|hd[a-z])|xvd[a-z][a-z]?)$")
REMOTE_ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
_OPEN_TO_WORLD = {"0.0.0.0/0", "::/0"}


def _as_int(value: object) -> int | None:
    """An int from an int or a digit string (the form's inputs are text); ``None`` when it isn't one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def parse_cidr(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network | None, str]:
    """(network, "") for a valid CIDR, or (None, reason)."""
    text = text.strip()
    if not text:
        return None, "Enter a source CIDR, e.g. 203.0.113.0/24, 0.0.0.0/0 or ::/0."
    if "/" not in text:
        return None, f"'{text}' has no prefix length: write it as a CIDR, e.g. {text}/32 for one address."
    try:
        return ipaddress.ip_network(text, strict=True), ""
    except ValueError as exc:
        try:
            fixed = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None, f"'{text}' is not a valid IPv4 or IPv6 CIDR ({exc})."
        return None, f"'{text}' has host bits set: did you mean {fixed}?"


_FIELD_LABELS = {
    "name": "Name",
    "tags": "Tags",
    "image_id": "AMI",
    "instance_type": "Instance type",
    "key_pair": "Key pair",
    "key_pair.choice": "Key pair",
    "key_pair.name": "Key pair name",
    "key_pair.key_type": "Key pair type",
    "key_pair.directory": "Key file folder",
    "network.vpc_id": "VPC",
    "network.subnet_id": "Subnet",
    "security_groups": "Security groups",
    "root_volume": "Root volume",
    "user_data": "User data",
    "min_count": "Count (min)",
    "max_count": "Count (max)",
    "advanced.iam_instance_profile": "IAM instance profile",
    "advanced.metadata": "Instance metadata",
    "advanced.shutdown_behavior": "Shutdown behaviour",
    "advanced.termination_protection": "Termination protection",
    "advanced.purchasing": "Purchasing option",
    "advanced.spot_max_price": "Spot max price",
}
_PART_LABELS = {
    "key": "key",
    "value": "value",
    "name": "name",
    "description": "description",
    "protocol": "protocol",
    "from_port": "from port",
    "to_port": "to port",
    "cidr": "source",
    "device_name": "device",
    "size_gib": "size",
    "volume_type": "type",
    "iops": "IOPS",
    "throughput": "throughput",
    "encrypted": "encryption",
}
_INDEXED = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<index>\d+)\](?:\.(?P<part>\w+))?$")
_INDEXED_LABELS = {
    "tags": "Tag",
    "volumes": "Volume",
    "security_groups.existing_ids": "Security group",
    "security_groups.new_group.rules": "New group rule",
}


def field_label(path: str) -> str:
    """What the form calls a field, for messages shown away from it ("New group rule 1", not "...rules[0]")."""
    if path in _FIELD_LABELS:
        return _FIELD_LABELS[path]
    match = _INDEXED.match(path)
    if match and match["list"] in _INDEXED_LABELS:
        label = f"{_INDEXED_LABELS[match['list']]} {int(match['index']) + 1}"
        return f"{label} {_PART_LABELS.get(match['part'], match['part'])}" if match["part"] else label
    head, _, part = path.rpartition(".")
    if head == "security_groups.new_group":
        return f"New group {_PART_LABELS.get(part, part)}"
    if head == "root_volume":
        return f"Root volume {_PART_LABELS.get(part, part)}"
    return path.replace("_", " ").replace(".", " ").capitalize()


class _Collector:
    def __init__(self) -> None:
        self.issues: list[FieldError] = []

    def error(self, field: str, message: str) -> None:
        self.issues.append(FieldError(field, message))

    def warn(self, field: str, message: str) -> None:
        self.issues.append(FieldError(field, message, "warning"))


def validate(request: LaunchRequest, context: LaunchContext | None = None) -> list[FieldError]:
    """Every problem with the request, in form order. Errors block the launch; warnings (``level="warning"``)
    flag risky choices: SSH/RDP open to the internet, no key pair."""
    ctx = context or LaunchContext()
    out = _Collector()
    _check_name_and_tags(request, out)
    _check_image_and_type(request, ctx, out)
    _check_key_pair(request, ctx, out)
    _check_network(request, ctx, out)
    _check_security_groups(request, ctx, out)
    _check_storage(request, ctx, out)
    _check_user_data(request, out)
    _check_count(request, ctx, out)
    _check_advanced(request, ctx, out)
    _check_purchasing(request, out)
    return [*ctx.remote_errors, *out.issues]


# -- name and tags ---------------------------------------------------------------------------------------------


def _check_name_and_tags(request: LaunchRequest, out: _Collector) -> None:
    if len(request.name) > TAG_VALUE_MAX:
        out.error("name", f"The name is a tag value: at most {TAG_VALUE_MAX} characters (it has {len(request.name)}).")
    seen: dict[str, int] = {}
    for i, tag in enumerate(request.tags):
        key, path = tag.key, f"tags[{i}]"
        if not key.strip():
            if tag.value:
                out.error(f"{path}.key", "A tag needs a key.")
            continue
        if len(key) > TAG_KEY_MAX:
            out.error(f"{path}.key", f"Tag keys are at most {TAG_KEY_MAX} characters (this one has {len(key)}).")
        if key.lower().startswith("aws:"):
            out.error(f"{path}.key", "Tag keys can't start with 'aws:' (reserved for AWS).")
        if key != key.strip():
            out.warn(f"{path}.key", "The key has leading or trailing spaces; AWS keeps them as part of the key.")
        if key == "Name" and request.name:
            out.error(f"{path}.key", "The Name tag comes from the Name field: remove this tag or clear the name.")
        if len(tag.value) > TAG_VALUE_MAX:
            out.error(f"{path}.value", f"Tag values are at most {TAG_VALUE_MAX} characters ({len(tag.value)} given).")
        if key in seen:
            out.error(f"{path}.key", f"Duplicate tag key '{key}' (also tag {seen[key] + 1}).")
        else:
            seen[key] = i
    total = len(seen) + (1 if request.name and "Name" not in seen else 0)
    if total > TAGS_PER_RESOURCE:
        out.error("tags", f"At most {TAGS_PER_RESOURCE} tags per resource, Name included ({total} given).")


# -- image and instance type -----------------------------------------------------------------------------------


def _check_image_and_type(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    if not request.image_id:
        out.error("image_id", "Choose an AMI.")
    elif not _IMAGE_ID.match(request.image_id):
        out.error("image_id", f"'{request.image_id}' is not an AMI id (ami- followed by 8 or 17 hex digits).")
    elif ctx.image is not None and ctx.image.state != "available":
        out.error("image_id", f"The AMI is {ctx.image.state}, not available.")
    elif ctx.image is not None and not root_device_type_known(ctx.image.root_device_type):
        out.warn("image_id", root_device_type_warning(ctx.image.root_device_type))

    name = request.instance_type
    if not name:
        out.error("instance_type", "Choose an instance type.")
        return
    if not _INSTANCE_TYPE.match(name):
        out.error("instance_type", f"'{name}' is not an instance type name (family.size, e.g. t3.micro).")
        return
    if ctx.offered_types is not None and name not in ctx.offered_types:
        out.error("instance_type", f"{name} is not offered in this region.")
    info, image = ctx.instance_type, ctx.image
    if info is None or info.name != name:
        return
    if image is not None:
        if not info.supports_architecture(image.architecture):
            archs = ", ".join(info.architectures) or "none"
            out.error(
                "instance_type",
                f"{name} runs {archs} but the AMI is {image.architecture}: choose a type for {image.architecture}.",
            )
        # Only a documented root device type can rule a type out; an unknown one is warned about on the AMI.
        known = root_device_type_known(image.root_device_type)
        if known and info.root_device_types and image.root_device_type not in info.root_device_types:
            out.error(
                "instance_type",
                f"{name} can't boot an AMI whose root device is {image.root_device_type} "
                f"(it supports {', '.join(info.root_device_types)}).",
            )


# -- key pair --------------------------------------------------------------------------------------------------


def key_file_path(name: str, directory: str) -> str:
    """Where a new key pair's private key is saved: ``<directory>/<name>.pem`` with unsafe characters replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "key"
    return os.path.join(os.path.expanduser(directory), f"{safe}.pem")


def key_name_problem(name: str) -> str:
    """Why a key pair name is invalid, or ``""``."""
    if not name:
        return "Enter a key pair name."
    if len(name) > KEY_NAME_MAX:
        return f"Key pair names are at most {KEY_NAME_MAX} characters."
    if not name.isascii():
        return "Key pair names must be ASCII."
    if name != name.strip():
        return "The name has leading or trailing spaces."
    return ""


def _check_key_pair(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    key = request.key_pair
    if key.choice not in KEY_CHOICES:
        out.error("key_pair.choice", f"Unknown key pair choice '{key.choice}' (existing, new or none).")
        return
    if key.choice == "none":
        out.warn(
            "key_pair",
            "No key pair: you won't be able to log in over SSH/RDP unless the AMI offers another way "
            "(SSM Session Manager, EC2 Instance Connect, a user added in user data).",
        )
        return
    if key.choice == "existing":
        if not key.name:
            out.error("key_pair.name", "Choose a key pair, create a new one, or choose 'none'.")
        elif ctx.key_pair_names is not None and key.name not in ctx.key_pair_names:
            out.error("key_pair.name", f"There is no key pair named '{key.name}' in this region.")
        return
    problem = key_name_problem(key.name)
    names = ctx.key_pair_names
    path = key_file_path(key.name, key.directory) if not problem and key.directory.strip() else ""
    # In AWS and on disk: what a failed launch leaves; the launch reuses it if the file is its private key.
    left = bool(path) and names is not None and key.name in names and os.path.isfile(path)
    if problem:
        out.error("key_pair.name", problem)
    elif left:
        out.warn("key_pair.name", f"Key pair '{key.name}' exists and {path} is kept: reused if it is its private key.")
    elif names is not None and key.name in names:
        other = free_name(key.name, lambda n: n in names or os.path.lexists(key_file_path(n, key.directory)))
        out.error(
            "key_pair.name",
            f"A key pair named '{key.name}' already exists: choose it or another name (e.g. '{other}').",
        )
    if key.key_type not in KEY_TYPES:
        out.error("key_pair.key_type", f"Key type must be rsa or ed25519, not '{key.key_type}'.")
    elif key.key_type == "ed25519" and ctx.image is not None and ctx.image.is_windows:
        out.error("key_pair.key_type", "Windows instances don't support ED25519 keys: choose rsa.")
    if not key.directory.strip():
        out.error("key_pair.directory", "Choose a directory to save the private key in.")
    elif not problem:
        path = key_file_path(key.name, key.directory)
        if os.path.lexists(path) and not left:
            out.error("key_pair.directory", f"{path} already exists; ec2tui never overwrites a private key file.")
        parent = os.path.dirname(path)
        if os.path.exists(parent) and not os.path.isdir(parent):
            out.error("key_pair.directory", f"{parent} is not a directory.")


# -- network ---------------------------------------------------------------------------------------------------


def _check_network(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    network = request.network
    if network.vpc_id and not _VPC_ID.match(network.vpc_id):
        out.error("network.vpc_id", f"'{network.vpc_id}' is not a VPC id.")
    if network.subnet_id and not _SUBNET_ID.match(network.subnet_id):
        out.error("network.subnet_id", f"'{network.subnet_id}' is not a subnet id.")
        return
    vpc = next((v for v in ctx.vpcs or () if v.vpc_id == network.vpc_id), None)
    if ctx.vpcs is not None and network.vpc_id and vpc is None:
        out.error("network.vpc_id", f"There is no VPC {network.vpc_id} in this region.")
    if vpc is not None and not vpc.is_default and not network.subnet_id:
        out.error("network.subnet_id", f"Choose a subnet of {vpc.vpc_id}: only the default VPC has default subnets.")
    no_default_vpc = ctx.vpcs is not None and not any(v.is_default for v in ctx.vpcs)
    if no_default_vpc and not network.vpc_id and not network.subnet_id:
        out.error("network.subnet_id", "This region has no default VPC: choose a VPC and a subnet.")
    if not network.subnet_id or ctx.subnets is None:
        return
    subnet = next((s for s in ctx.subnets if s.subnet_id == network.subnet_id), None)
    if subnet is None:
        where = f" in {network.vpc_id}" if network.vpc_id else ""
        out.error("network.subnet_id", f"There is no subnet {network.subnet_id}{where}.")
        return
    if network.vpc_id and subnet.vpc_id != network.vpc_id:
        out.error("network.subnet_id", f"{subnet.subnet_id} belongs to {subnet.vpc_id}, not {network.vpc_id}.")
    count = _as_int(request.max_count)
    if count is not None and subnet.available_ips < count:
        out.error(
            "network.subnet_id",
            f"{subnet.subnet_id} has {subnet.available_ips} free IP addresses, fewer than the {count} instances.",
        )


# -- security groups -------------------------------------------------------------------------------------------


def group_name_problem(name: str) -> str:
    """Why a new security group name is invalid, or ``""`` (CreateSecurityGroup constraints)."""
    if not name.strip():
        return "Enter a name for the new security group."
    if len(name) > GROUP_NAME_MAX:
        return f"Security group names are at most {GROUP_NAME_MAX} characters."
    if name.lower().startswith("sg-"):
        return "Security group names can't start with 'sg-'."
    if not _GROUP_TEXT.match(name):
        return "Allowed characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"
    return ""


def group_description_problem(description: str) -> str:
    if not description.strip():
        return "AWS requires a description for a security group."
    if len(description) > GROUP_DESCRIPTION_MAX:
        return f"Descriptions are at most {GROUP_DESCRIPTION_MAX} characters."
    if not _GROUP_TEXT.match(description):
        return "Allowed characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"
    return ""


def rule_problems(rule: IngressRule) -> list[tuple[str, str]]:
    """(sub-field, message) for each problem with one inbound rule."""
    problems: list[tuple[str, str]] = []
    if rule.protocol not in PROTOCOLS:
        problems.append(("protocol", f"Protocol must be one of {', '.join(PROTOCOLS)}, not '{rule.protocol}'."))
    elif rule.protocol in ("tcp", "udp"):
        low, high = _as_int(rule.from_port), _as_int(rule.to_port)
        if low is None:
            problems.append(("from_port", "Enter a port number (0-65535)."))
        elif not 0 <= low <= 65535:
            problems.append(("from_port", f"Port {low} is out of range: ports are 0-65535."))
        if high is None:
            problems.append(("to_port", "Enter a port number (0-65535)."))
        elif not 0 <= high <= 65535:
            problems.append(("to_port", f"Port {high} is out of range: ports are 0-65535."))
        if low is not None and high is not None and 0 <= low <= 65535 and 0 <= high <= 65535 and low > high:
            problems.append(("to_port", f"The range ends ({high}) before it starts ({low})."))
    elif rule.protocol == "icmp":
        for sub, label in (("from_port", "ICMP type"), ("to_port", "ICMP code")):
            value = _as_int(getattr(rule, sub))
            if value is None or not -1 <= value <= 255:
                problems.append((sub, f"{label} must be -1 (any) or 0-255."))
    _, reason = parse_cidr(rule.cidr)
    if reason:
        problems.append(("cidr", reason))
    if len(rule.description) > RULE_DESCRIPTION_MAX:
        problems.append(("description", f"Rule descriptions are at most {RULE_DESCRIPTION_MAX} characters."))
    elif rule.description and not _GROUP_TEXT.match(rule.description):
        problems.append(("description", "Allowed characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"))
    return problems


def rule_key(rule: IngressRule) -> tuple[str, int | None, int | None, str]:
    """What AWS compares to find duplicate permissions."""
    if rule.protocol == "all":
        return ("all", None, None, rule.cidr.strip())
    return (rule.protocol, _as_int(rule.from_port), _as_int(rule.to_port), rule.cidr.strip())


def _opens_admin_port(protocol: str, low: int | None, high: int | None) -> list[str]:
    if protocol == "all":
        return list(REMOTE_ADMIN_PORTS.values())
    if protocol != "tcp" or low is None or high is None:
        return []
    return [label for port, label in REMOTE_ADMIN_PORTS.items() if low <= port <= high]


def new_group_problems(group: NewSecurityGroup) -> list[tuple[str, str]]:
    """(field path below the group, message) for every problem with a group to create."""
    problems: list[tuple[str, str]] = []
    if problem := group_name_problem(group.name):
        problems.append(("name", problem))
    if problem := group_description_problem(group.description):
        problems.append(("description", problem))
    seen: dict[tuple[str, int | None, int | None, str], int] = {}
    for i, rule in enumerate(group.rules):
        rule_issues = rule_problems(rule)
        problems += [(f"rules[{i}].{sub}", message) for sub, message in rule_issues]
        if rule_issues:
            continue
        key = rule_key(rule)
        if key in seen:
            problems.append((f"rules[{i}]", f"Same rule as rule {seen[key] + 1}: AWS refuses duplicate rules."))
        else:
            seen[key] = i
    return problems


def _check_security_groups(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    spec = request.security_groups
    known = {g.group_id: g for g in ctx.security_groups} if ctx.security_groups is not None else None
    seen: set[str] = set()
    for i, group_id in enumerate(spec.existing_ids):
        path = f"security_groups.existing_ids[{i}]"
        if not _GROUP_ID.match(group_id):
            out.error(path, f"'{group_id}' is not a security group id.")
        elif group_id in seen:
            out.error(path, f"{group_id} is selected twice.")
        elif known is not None and group_id not in known:
            where = request.network.vpc_id or "the default VPC"
            out.error(path, f"{group_id} is not a security group of {where}.")
        elif known is not None:
            for inbound in known[group_id].inbound:
                _warn_if_open_admin(
                    out, path, inbound.protocol, inbound.from_port, inbound.to_port, inbound.source, group_id
                )
        seen.add(group_id)
    count = len(spec.existing_ids) + (spec.new_group is not None)
    if count > GROUPS_PER_INTERFACE_MAX:
        out.error("security_groups", f"At most {GROUPS_PER_INTERFACE_MAX} security groups per network interface.")
    elif count > GROUPS_PER_INTERFACE_DEFAULT:
        out.warn(
            "security_groups",
            f"More than {GROUPS_PER_INTERFACE_DEFAULT} security groups needs a raised quota (default 5 per interface).",
        )
    group = spec.new_group
    if group is None:
        return
    base = "security_groups.new_group"
    for sub, message in new_group_problems(group):
        out.error(f"{base}.{sub}", message)
    taken = group_named(group.name, ctx.security_groups or ())
    if taken is not None and same_group(group, taken):  # what a failed launch leaves: reused if nothing uses it
        out.warn(f"{base}.name", f"{taken.group_id} ('{taken.name}') has exactly these rules: reused if unused.")
    elif taken is not None:
        names = {g.name.lower() for g in ctx.security_groups or ()}
        other = free_name(group.name.strip(), lambda n: n.lower() in names)
        out.error(
            f"{base}.name",
            f"A security group named '{group.name}' already exists in this VPC (e.g. '{other}' is free).",
        )
    for i, rule in enumerate(group.rules):
        if not rule_problems(rule):
            low, high = _as_int(rule.from_port), _as_int(rule.to_port)
            _warn_if_open_admin(out, f"{base}.rules[{i}]", rule.protocol, low, high, rule.cidr.strip(), "")


def _warn_if_open_admin(
    out: _Collector, path: str, protocol: str, low: int | None, high: int | None, source: str, group: str
) -> None:
    if source not in _OPEN_TO_WORLD:
        return
    for label in _opens_admin_port(protocol, low, high):
        where = f"{group} allows" if group else "This rule allows"
        out.warn(path, f"{where} {label} from anywhere ({source}): consider restricting it to your IP address.")


# -- storage ---------------------------------------------------------------------------------------------------


def _check_volume(path: str, volume: VolumeSpec, *, root: bool, min_size: int | None, out: _Collector) -> None:
    vtype = volume.volume_type
    if vtype not in VOLUME_TYPES:
        out.error(f"{path}.volume_type", f"Volume type must be one of {', '.join(VOLUME_TYPES)}, not '{vtype}'.")
        return
    if root and vtype in NOT_BOOTABLE:
        out.error(f"{path}.volume_type", f"{vtype} (HDD) volumes can't be boot volumes: choose gp3, gp2, io1 or io2.")
        return
    size = _as_int(volume.size_gib) if volume.size_gib is not None else None
    if volume.size_gib is not None and size is None:
        out.error(f"{path}.size_gib", "Enter the size as a whole number of GiB.")
    if size is None and not root:
        out.error(f"{path}.size_gib", "Enter a size in GiB.")
    effective = size if size is not None else min_size
    low, high = SIZE_LIMITS[vtype]
    if size is not None and not low <= size <= high:
        out.error(f"{path}.size_gib", f"{vtype} volumes are {low}-{high:,} GiB (got {size}).")
    elif root and size is not None and min_size is not None and size < min_size:
        out.error(f"{path}.size_gib", f"The root volume must be at least the AMI's snapshot size, {min_size} GiB.")
    elif root and size is None and min_size is not None and not low <= min_size <= high:
        out.error(f"{path}.size_gib", f"The AMI's {min_size} GiB root doesn't fit {vtype} limits ({low}-{high:,} GiB).")

    iops = _as_int(volume.iops) if volume.iops is not None else None
    if volume.iops is not None and iops is None:
        out.error(f"{path}.iops", "Enter IOPS as a whole number.")
    if vtype in IOPS_LIMITS:
        i_low, i_high = IOPS_LIMITS[vtype]
        if iops is None and vtype in ("io1", "io2") and volume.iops is None:
            out.error(f"{path}.iops", f"{vtype} volumes need provisioned IOPS ({i_low:,}-{i_high:,}).")
        elif iops is not None and not i_low <= iops <= i_high:
            out.error(f"{path}.iops", f"{vtype} IOPS must be {i_low:,}-{i_high:,} (got {iops:,}).")
        elif iops is not None and effective is not None and iops > effective * IOPS_PER_GIB[vtype]:
            out.error(
                f"{path}.iops",
                f"{vtype} allows at most {IOPS_PER_GIB[vtype]} IOPS per GiB: {iops:,} IOPS needs at least "
                f"{-(-iops // IOPS_PER_GIB[vtype])} GiB.",
            )
    elif volume.iops is not None:
        out.error(f"{path}.iops", f"IOPS can't be set on {vtype} volumes (only gp3, io1 and io2).")

    if volume.throughput is None:
        return
    throughput = _as_int(volume.throughput)
    if vtype != "gp3":
        out.error(f"{path}.throughput", f"Throughput can only be set on gp3 volumes, not {vtype}.")
    elif throughput is None:
        out.error(f"{path}.throughput", "Enter throughput as a whole number of MiB/s.")
    elif not THROUGHPUT_LIMITS[0] <= throughput <= THROUGHPUT_LIMITS[1]:
        low_t, high_t = THROUGHPUT_LIMITS
        out.error(f"{path}.throughput", f"gp3 throughput must be {low_t}-{high_t:,} MiB/s (got {throughput}).")
    else:
        provisioned = iops if iops is not None else GP3_DEFAULT_IOPS
        if throughput > provisioned * THROUGHPUT_PER_IOPS:
            out.error(
                f"{path}.throughput",
                f"gp3 allows {THROUGHPUT_PER_IOPS} MiB/s per IOPS: {throughput} MiB/s needs at least "
                f"{int(throughput / THROUGHPUT_PER_IOPS):,} IOPS.",
            )


def _check_storage(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    image = ctx.image
    root = request.root_volume
    if root.device_name:
        min_size = image.root_volume_size_gib if image is not None else None
        _check_volume("root_volume", root, root=True, min_size=min_size, out=out)
        if image is not None and image.root_encrypted and not root.encrypted:
            out.error("root_volume.encrypted", "The AMI's snapshot is encrypted: its volume can't be unencrypted.")
        if image is not None and image.root_device_type == "ebs" and root.device_name != image.root_device_name:
            out.error(
                "root_volume.device_name",
                f"The AMI's root device is {image.root_device_name}, not {root.device_name}.",
            )
    elif image is not None and image.root_device_type == "ebs" and image.root_device_name:
        # The form forgot apply_image(): AWS would use the AMI's own root volume, which is fine but not what was shown.
        out.warn("root_volume", "Root volume settings are not applied: the AMI's defaults will be used.")
    elif image is not None and not root_device_type_known(image.root_device_type):
        out.warn(
            "root_volume",
            "Root volume settings are not applied: the AMI's root device type is unknown, so its root volume is "
            "launched as the AMI defines it.",
        )

    taken = {root.device_name or (image.root_device_name if image else "")}
    for i, volume in enumerate(request.volumes):
        path = f"volumes[{i}]"
        if not volume.device_name:
            out.error(f"{path}.device_name", "Enter a device name, e.g. /dev/sdf.")
        elif not _DEVICE_NAME.match(volume.device_name):
            out.error(f"{path}.device_name", f"'{volume.device_name}' is not a device name (e.g. /dev/sdf or xvdf).")
        elif volume.device_name in taken:
            out.error(f"{path}.device_name", f"{volume.device_name} is already used.")
        taken.add(volume.device_name)
        _check_volume(path, volume, root=False, min_size=None, out=out)


# -- user data and count ---------------------------------------------------------------------------------------


def _check_user_data(request: LaunchRequest, out: _Collector) -> None:
    size = user_data_size(request.user_data)
    if size > USER_DATA_LIMIT:
        out.error(
            "user_data",
            f"User data is {size:,} bytes: AWS allows {USER_DATA_LIMIT:,} bytes (16 KB) before base64 encoding.",
        )


def _check_count(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    low, high = _as_int(request.min_count), _as_int(request.max_count)
    checks: list[tuple[str, int | None]] = [("min_count", low), ("max_count", high)]
    for name, value in checks:
        if value is None:
            out.error(name, "Enter a whole number of instances.")
        elif not 1 <= value <= ctx.max_count:
            out.error(name, f"Launch between 1 and {ctx.max_count} instances at a time (got {value}).")
    if low is not None and high is not None and low > high:
        out.error("max_count", f"The maximum ({high}) is below the minimum ({low}).")


# -- advanced details ------------------------------------------------------------------------------------------


def _check_advanced(request: LaunchRequest, ctx: LaunchContext, out: _Collector) -> None:
    advanced = request.advanced
    profile = advanced.iam_instance_profile.strip()
    if profile and not (_PROFILE_ARN.match(profile) or _PROFILE_NAME.match(profile)):
        out.error(
            "advanced.iam_instance_profile",
            f"'{profile}' is not an instance profile name (up to 128 letters, digits and +=,.@_-) or ARN.",
        )
    elif profile and ctx.instance_profiles is not None and profile not in ctx.instance_profiles:
        out.error("advanced.iam_instance_profile", f"There is no instance profile '{profile}' in this account.")
    if advanced.metadata not in METADATA_CHOICES:
        out.error("advanced.metadata", f"Unknown metadata setting '{advanced.metadata}'.")
    elif advanced.metadata == "disabled" and profile:
        out.warn(
            "advanced.metadata",
            "With instance metadata off, programs on the instance can't get the profile's role credentials.",
        )
    if advanced.shutdown_behavior not in SHUTDOWN_BEHAVIORS:
        out.error(
            "advanced.shutdown_behavior",
            f"Shutdown behaviour is stop or terminate, not '{advanced.shutdown_behavior}'.",
        )
    elif advanced.shutdown_behavior == "terminate":
        out.warn(
            "advanced.shutdown_behavior",
            "Shutting down from inside the instance (e.g. poweroff) terminates it, even with termination protection,"
            " and deletes volumes marked delete on termination.",
        )


def _check_purchasing(request: LaunchRequest, out: _Collector) -> None:
    advanced = request.advanced
    if advanced.purchasing not in PURCHASING_OPTIONS:
        out.error("advanced.purchasing", f"Purchasing is on-demand or spot, not '{advanced.purchasing}'.")
        return
    if advanced.purchasing != "spot":
        return
    price = advanced.spot_max_price.strip()
    if price and (not _PRICE.match(price) or float(price) <= 0):
        out.error(
            "advanced.spot_max_price",
            f"'{price}' is not a price: USD per instance-hour such as 0.05 (empty: up to the On-Demand price).",
        )
    if advanced.termination_protection:
        out.error("advanced.termination_protection", "Spot Instances can't have termination protection.")
