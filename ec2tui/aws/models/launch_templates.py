"""Launch templates: what the list shows, the form's request as ``LaunchTemplateData`` (saving), the reverse
(``GetLaunchTemplateData``-shaped data into the form, with the fields it set and what it could not take), and a
launch that references a template with overrides. Pure Python: the UI imports this module.
"""

from __future__ import annotations

import base64
import binascii
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ec2tui.aws.models.launch import (
    VOLUME_TYPES,
    KeyPairSpec,
    LaunchRequest,
    Tag,
    VolumeSpec,
    to_run_instances_params,
)

ROOT_DEVICE_NAMES = ("/dev/xvda", "/dev/sda1", "/dev/sda")
NAME_LIMITS = (3, 128)
"""A launch template's name: 3 to 128 characters of letters, digits and ``( ) . - / _``."""
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789().-/_")

SECTION_OF_KEY: dict[str, str] = {
    "TagSpecifications": "sec-name",
    "ImageId": "sec-image",
    "InstanceType": "sec-type",
    "KeyName": "sec-key",
    "NetworkInterfaces": "sec-network",
    "SecurityGroupIds": "sec-security",
    "SecurityGroups": "sec-security",
    "BlockDeviceMappings": "sec-storage",
    "UserData": "sec-user-data",
    "IamInstanceProfile": "sec-advanced",
    "MetadataOptions": "sec-advanced",
    "InstanceInitiatedShutdownBehavior": "sec-advanced",
    "DisableApiTermination": "sec-advanced",
    "Monitoring": "sec-advanced",
    "InstanceMarketOptions": "sec-advanced",
}
"""Template data keys the form takes, by the form section that shows them (marked "from template" there)."""


@dataclass(frozen=True)
class LaunchTemplate:
    template_id: str
    name: str
    default_version: int
    latest_version: int
    created: datetime | None = None


@dataclass(frozen=True)
class TemplateVersion:
    template_id: str
    template_name: str
    number: int
    description: str
    is_default: bool
    data: Mapping[str, Any]
    created: datetime | None = None

    @property
    def label(self) -> str:
        return f"launch template {self.template_name} version {self.number}"


def template_from_raw(raw: Mapping[str, Any]) -> LaunchTemplate:
    return LaunchTemplate(
        str(raw["LaunchTemplateId"]),
        str(raw.get("LaunchTemplateName", "")),
        int(raw.get("DefaultVersionNumber") or 1),
        int(raw.get("LatestVersionNumber") or 1),
        raw.get("CreateTime"),
    )


def version_from_raw(raw: Mapping[str, Any]) -> TemplateVersion:
    return TemplateVersion(
        str(raw["LaunchTemplateId"]),
        str(raw.get("LaunchTemplateName", "")),
        int(raw.get("VersionNumber") or 1),
        str(raw.get("VersionDescription") or ""),
        bool(raw.get("DefaultVersion")),
        dict(raw.get("LaunchTemplateData") or {}),
        raw.get("CreateTime"),
    )


def name_problem(name: str) -> str:
    """Why AWS would refuse this template name ("" when it would not)."""
    low, high = NAME_LIMITS
    if not low <= len(name) <= high:
        return f"A launch template name has {low} to {high} characters."
    bad = sorted(set(name) - _NAME_CHARACTERS)
    if bad:
        return f"A launch template name may not hold {' '.join(repr(c) for c in bad)} (letters, digits, ( ) . - / _)."
    return ""


# -- the form's request -> LaunchTemplateData --------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateData:
    data: dict[str, Any]
    left_out: tuple[str, ...]
    """What of the form a template cannot hold, one sentence each (the review shows them)."""


def template_data(request: LaunchRequest) -> TemplateData:
    """The ``LaunchTemplateData`` of the form's request: what ``run_instances`` would get, without the count, with
    the subnet on the primary network interface and the user data base64-encoded (templates take it encoded).
    A key pair or security group the launch would create does not exist yet: a template can't name it."""
    left_out: list[str] = []
    plain = copy.deepcopy(request)
    if plain.key_pair.choice == "new":
        plain.key_pair = KeyPairSpec("none")
        left_out.append(f"the new key pair '{request.key_pair.name}' (it does not exist yet)")
    if plain.security_groups.new_group is not None:
        left_out.append(f"the new security group '{plain.security_groups.new_group.name}' (it does not exist yet)")
        plain.security_groups.new_group = None
    params = to_run_instances_params(plain)
    params.pop("MinCount", None)
    params.pop("MaxCount", None)
    subnet = params.pop("SubnetId", None)
    if subnet is not None:
        interface: dict[str, Any] = {"DeviceIndex": 0, "SubnetId": subnet}
        groups = params.pop("SecurityGroupIds", None)
        if groups:
            interface["Groups"] = groups
        params["NetworkInterfaces"] = [interface]
    if "UserData" in params:
        params["UserData"] = base64.b64encode(str(params["UserData"]).encode()).decode()
    if not params.get("ImageId"):
        params.pop("ImageId", None)
    if not params.get("InstanceType"):
        params.pop("InstanceType", None)
    return TemplateData(params, tuple(left_out))


# -- LaunchTemplateData -> the form's request --------------------------------------------------------------------


@dataclass(frozen=True)
class FromTemplate:
    request: LaunchRequest
    sections: frozenset[str]
    """Section ids (``sec-type``…) whose values came from the template."""
    not_copied: tuple[str, ...]


def _decoded_user_data(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _volume(mapping: Mapping[str, Any]) -> VolumeSpec | None:
    ebs = mapping.get("Ebs")
    if not isinstance(ebs, Mapping):
        return None
    kind = str(ebs.get("VolumeType") or "gp3")
    return VolumeSpec(
        device_name=str(mapping.get("DeviceName") or ""),
        size_gib=ebs.get("VolumeSize"),
        volume_type=kind if kind in VOLUME_TYPES else "gp3",
        iops=ebs.get("Iops"),
        throughput=ebs.get("Throughput"),
        encrypted=bool(ebs.get("Encrypted", False)),
        delete_on_termination=bool(ebs.get("DeleteOnTermination", True)),
    )


def request_from_template(data: Mapping[str, Any]) -> FromTemplate:
    """The form's request from ``LaunchTemplateData`` (count 1), the sections it filled and what it left."""
    request = LaunchRequest()
    taken: set[str] = set()
    not_copied: list[str] = []
    for key, value in data.items():
        if key not in SECTION_OF_KEY:
            not_copied.append(f"{key} (the form has no field for it)")
            continue
        if _take(request, key, value, not_copied):
            taken.add(key)
    sections = frozenset(SECTION_OF_KEY[k] for k in taken)
    if "NetworkInterfaces" in taken and request.security_groups.existing_ids:
        sections |= {"sec-security"}
    return FromTemplate(request, sections, tuple(not_copied))


def _take(request: LaunchRequest, key: str, value: Any, not_copied: list[str]) -> bool:
    advanced = request.advanced
    if key == "ImageId":
        request.image_id = str(value)
    elif key == "InstanceType":
        request.instance_type = str(value)
    elif key == "KeyName":
        request.key_pair = KeyPairSpec("existing", str(value))
    elif key in ("SecurityGroupIds", "SecurityGroups"):
        request.security_groups.existing_ids = [str(g) for g in value or ()]
        if key == "SecurityGroups":
            not_copied.append("security groups named (not by ID): check them in the form")
    elif key == "NetworkInterfaces":
        interfaces = list(value or ())
        primary = next((i for i in interfaces if i.get("DeviceIndex", 0) == 0), interfaces[0] if interfaces else {})
        request.network.subnet_id = str(primary.get("SubnetId") or "")
        if "AssociatePublicIpAddress" in primary:
            request.network.public_ip = bool(primary["AssociatePublicIpAddress"])
        groups = [str(g) for g in primary.get("Groups") or ()]
        if groups:
            request.security_groups.existing_ids = groups
        if len(interfaces) > 1:
            not_copied.append(f"{len(interfaces) - 1} extra network interface(s)")
    elif key == "BlockDeviceMappings":
        volumes = [v for v in (_volume(m) for m in value or ()) if v is not None]
        root = next((v for v in volumes if v.device_name in ROOT_DEVICE_NAMES), None)
        if root is not None:
            request.root_volume = root
            volumes.remove(root)
        request.volumes = volumes
    elif key == "TagSpecifications":
        for spec in value or ():
            if spec.get("ResourceType") != "instance":
                continue
            for tag in spec.get("Tags") or ():
                if tag.get("Key") == "Name":
                    request.name = str(tag.get("Value", ""))
                else:
                    request.tags.append(Tag(str(tag.get("Key", "")), str(tag.get("Value", ""))))
    elif key == "UserData":
        text = _decoded_user_data(str(value))
        if text is None:
            not_copied.append("the user data (not base64-encoded UTF-8 text)")
            return False
        request.user_data = text
    elif key == "IamInstanceProfile":
        advanced.iam_instance_profile = str(value.get("Arn") or value.get("Name") or "")
    elif key == "MetadataOptions":
        if value.get("HttpEndpoint") == "disabled":
            advanced.metadata = "disabled"
        elif value.get("HttpTokens") in ("required", "optional"):
            advanced.metadata = str(value["HttpTokens"])
    elif key == "InstanceInitiatedShutdownBehavior":
        advanced.shutdown_behavior = "terminate" if value == "terminate" else "stop"
    elif key == "DisableApiTermination":
        advanced.termination_protection = bool(value)
    elif key == "Monitoring":
        advanced.detailed_monitoring = bool(value.get("Enabled"))
    elif key == "InstanceMarketOptions" and value.get("MarketType") == "spot":
        advanced.purchasing = "spot"
        advanced.spot_max_price = str((value.get("SpotOptions") or {}).get("MaxPrice") or "")
    return True


# -- launching from a template -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSource:
    """The template version a form was filled from, and the request it gave (to tell the user's changes)."""

    template_id: str
    template_name: str
    version: int
    request: LaunchRequest
    sections: frozenset[str] = field(default_factory=frozenset)
    not_copied: tuple[str, ...] = ()
    """Template settings the form has no field for: kept only when the launch references the template."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The version's ``LaunchTemplateData`` as AWS holds it."""


@dataclass(frozen=True)
class TemplateLaunch:
    """How a launch from a template goes: ``referenced`` sends ``LaunchTemplate`` plus only what the form changed
    (``overrides``); otherwise the resolved parameters, and ``reason`` says why."""

    referenced: bool
    params: dict[str, Any]
    overrides: tuple[str, ...] = ()
    reason: str = ""

    def summary(self, source: TemplateSource) -> str:
        where = f"launch template {source.template_name} ({source.template_id}) version {source.version}"
        if self.referenced:
            changed = ", ".join(self.overrides) if self.overrides else "none"
            return f"References {where}; overrides: {changed}."
        return f"Sends the resolved parameters, not a reference to {where}: {self.reason}"


def template_launch(
    request: LaunchRequest, source: TemplateSource, *, new_group_id: str | None = None
) -> TemplateLaunch:
    """The ``run_instances`` parameters launching ``request`` from ``source``: the template referenced, with the
    form's changes as overrides; or, where an override can't express the change (a setting of the template the
    form removed), every parameter resolved."""
    params = to_run_instances_params(request, new_group_id=new_group_id)
    from_template = to_run_instances_params(source.request)
    counts = {k: params[k] for k in ("MinCount", "MaxCount")}
    removed = [k for k in from_template if k not in params and k not in counts]
    if removed:
        reason = f"the form removes {', '.join(removed)}, which an override cannot unset."
        return TemplateLaunch(False, params, reason=reason)
    overrides = {k: v for k, v in params.items() if k not in counts and from_template.get(k) != v}
    instance_level: dict[str, Any] = {k: overrides.pop(k) for k in ("SubnetId", "SecurityGroupIds") if k in overrides}
    if instance_level and "NetworkInterfaces" in source.data:
        # AWS refuses an instance-level subnet or groups beside the template's network interface: the override
        # is the primary interface itself, with the form's subnet and groups.
        interface: dict[str, Any] = {"DeviceIndex": 0}
        if params.get("SubnetId"):
            interface["SubnetId"] = params["SubnetId"]
        if params.get("SecurityGroupIds"):
            interface["Groups"] = params["SecurityGroupIds"]
        overrides["NetworkInterfaces"] = [interface]
    else:
        overrides.update(instance_level)
    reference = {"LaunchTemplateId": source.template_id, "Version": str(source.version)}
    return TemplateLaunch(True, {"LaunchTemplate": reference, **counts, **overrides}, tuple(overrides))
