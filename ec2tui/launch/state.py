"""What the launch form knows besides the request itself: the AWS facts loaded for its pickers, and the small pure
helpers its sections share (OS families, default types, device names, number parsing, draft copies). No Textual."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ec2tui.aws.models.iam import InstanceProfile, profile_names
from ec2tui.aws.models.images import Image
from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.aws.models.launch import (
    FieldError,
    ImageFacts,
    IngressRule,
    LaunchContext,
    LaunchRequest,
    LaunchResult,
    NewSecurityGroup,
    VolumeSpec,
    apply_image,
)
from ec2tui.aws.models.launch_validation import key_name_problem, validate
from ec2tui.aws.models.network import KeyPair, SecurityGroup, Subnet, Vpc
from ec2tui.aws.user_data import guess_distro

FAMILY_LABELS: dict[str, str] = {
    "amazon-linux": "Amazon Linux",
    "ubuntu": "Ubuntu",
    "debian": "Debian",
    "rhel": "Red Hat Enterprise Linux",
    "suse": "SUSE Linux",
    "windows": "Windows",
    "unknown": "Other",
}
"""guess_distro() word -> what the OS family select shows, in the console's order."""

DEFAULT_TYPES: dict[str, tuple[str, ...]] = {
    "x86_64": ("t3.micro", "t2.micro", "t3a.micro", "m5.large"),
    "arm64": ("t4g.micro", "t4g.small", "m6g.medium"),
    "i386": ("t2.micro", "t3.micro"),
}
"""Preferred default instance types per architecture (free-tier ones first), like the console's defaults."""

EXTRA_DEVICE_NAMES = tuple(f"/dev/sd{letter}" for letter in "fghijklmnop")
"""The device names the console suggests for added EBS volumes."""

VPCS_LOAD_ERROR = "VPCs"
SUBNETS_LOAD_ERROR = "subnets and security groups"
KEYS_LOAD_ERROR = "key pairs"
PROFILES_LOAD_ERROR = "instance profiles"
MINE_LOAD_ERROR = "My AMIs"
"""Keys of ``LaunchFormState.load_errors``: when one of these lists can't be read (no ec2:DescribeVpcs…), its
picker becomes a text field where the id or name is typed."""

SSH_RULE = IngressRule("tcp", 22, 22, "0.0.0.0/0", "SSH")
RDP_RULE = IngressRule("tcp", 3389, 3389, "0.0.0.0/0", "RDP")
RULE_PRESETS: dict[str, IngressRule] = {
    "SSH": SSH_RULE,
    "HTTP": IngressRule("tcp", 80, 80, "0.0.0.0/0", "HTTP"),
    "HTTPS": IngressRule("tcp", 443, 443, "0.0.0.0/0", "HTTPS"),
    "RDP": RDP_RULE,
}


def image_family(image: Image) -> str:
    """The guess_distro() word of a Quick Start image (its OS label first, then its name)."""
    distro = guess_distro(image.os_label, image.name, "windows" if image.is_windows else "")
    if distro == "unknown":
        distro = guess_distro(image.name, image.description)
    return distro


def families(images: list[Image] | tuple[Image, ...]) -> list[str]:
    """The families present, in :data:`FAMILY_LABELS` order."""
    present = {image_family(i) for i in images}
    return [f for f in FAMILY_LABELS if f in present]


def image_label(image: Image) -> str:
    size = f" · {image.root_size_gib} GiB" if image.root_size_gib else ""
    return f"{image.title} · {image.id}{size}"


def parse_int(text: str) -> int | str | None:
    """An input's text as the request wants it: ``None`` when empty, an int when it is one, else the text as typed
    (validation then says what is wrong, and nothing typed is lost)."""
    stripped = text.strip()
    if not stripped:
        return None
    if re.fullmatch(r"-?\d+", stripped):
        return int(stripped)
    return text


def int_text(value: object) -> str:
    return "" if value is None else str(value)


def _int_or(value: object, default: int | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def draft_copy(request: LaunchRequest) -> LaunchRequest:
    """A copy fit for the draft file, whose fields are typed strictly: numbers typed wrong become empty."""
    draft = copy.deepcopy(request)
    draft.min_count = _int_or(draft.min_count, 1) or 1
    draft.max_count = _int_or(draft.max_count, 1) or 1
    group = draft.security_groups.new_group
    for rule in group.rules if group else ():
        rule.from_port = _int_or(rule.from_port, None)
        rule.to_port = _int_or(rule.to_port, None)
    for volume in (draft.root_volume, *draft.volumes):
        volume.size_gib = _int_or(volume.size_gib, None)
        volume.iops = _int_or(volume.iops, None)
        volume.throughput = _int_or(volume.throughput, None)
    return draft


def next_device_name(request: LaunchRequest) -> str:
    taken = {request.root_volume.device_name, *(v.device_name for v in request.volumes)}
    return next((d for d in EXTRA_DEVICE_NAMES if d not in taken), "")


def default_group_name(groups: list[SecurityGroup] | None) -> str:
    """``launch-wizard-N``, the first N not taken in the VPC (the console's naming)."""
    names = {g.name for g in groups or ()}
    n = 1
    while f"launch-wizard-{n}" in names:
        n += 1
    return f"launch-wizard-{n}"


def new_group(groups: list[SecurityGroup] | None, windows: bool = False) -> NewSecurityGroup:
    name = default_group_name(groups)
    rule = copy.copy(RDP_RULE if windows else SSH_RULE)
    return NewSecurityGroup(name, f"{name} created by ec2tui", [rule])


def is_untouched_default_rules(group: NewSecurityGroup) -> bool:
    return len(group.rules) == 1 and group.rules[0] in (SSH_RULE, RDP_RULE)


@dataclass
class LaunchFormState:
    """The request being edited and the region's facts loaded for the pickers (``None`` = not loaded yet)."""

    request: LaunchRequest = field(default_factory=LaunchRequest)
    region: str = ""
    quickstart: tuple[Image, ...] | None = None
    my_images: tuple[Image, ...] | None = None
    """The account's own AMIs (My AMIs) in the form's region."""
    facts: ImageFacts | None = None
    image_error: str = ""
    """Why the AMI typed can't be used (not found), shown at the image field."""
    types: list[InstanceTypeInfo] | None = None
    offered: frozenset[str] | None = None
    vpcs: list[Vpc] | None = None
    subnets: list[Subnet] | None = None
    groups: list[SecurityGroup] | None = None
    key_pairs: list[KeyPair] | None = None
    instance_profiles: list[InstanceProfile] | None = None
    load_errors: dict[str, str] = field(default_factory=dict)
    """What failed to load (``vpcs``, ``types``…) -> the error message."""
    touched: set[str] = field(default_factory=set)
    """Fields the user set themselves (``instance_type``, ``root_volume``, ``key_pair.choice``…): defaults that
    follow the AMI leave them alone."""
    remembered_key_names: dict[str, str] = field(default_factory=dict)
    """Key name typed per choice (existing/new), so switching back and forth loses nothing."""
    remembered_group: NewSecurityGroup | None = None
    """The new group as it was when "create" was unchecked, restored when it is checked again."""
    issues: list[FieldError] = field(default_factory=list)
    """What validation says about the request (see :meth:`validate`)."""
    origin: Any = None
    """Where the request came from when it was filled from elsewhere (a ``CopiedRequest``: an instance, a launch
    template), with what could not be copied; None for a request typed here."""
    template: Any = None
    """The launch template version the form was filled from (a ``TemplateSource``): the launch references it
    where it can, and the sections it filled are marked."""
    price_text: str = ""
    """The chosen type's price as the type section shows it ("" while unknown or loading)."""

    def validate(self) -> list[FieldError]:
        """Validate the request against what is loaded; the issues are kept in ``issues``."""
        self.issues = validate(self.request, self.context())
        return self.issues

    # -- lookups -------------------------------------------------------------------------------------------------
    def type_info(self, name: str | None = None) -> InstanceTypeInfo | None:
        name = self.request.instance_type if name is None else name
        return next((t for t in self.types or () if t.name == name), None)

    def quickstart_image(self, image_id: str) -> Image | None:
        return next((i for i in self.quickstart or () if i.id == image_id), None)

    def my_image(self, image_id: str) -> Image | None:
        return next((i for i in self.my_images or () if i.id == image_id), None)

    def subnet(self, subnet_id: str) -> Subnet | None:
        return next((s for s in self.subnets or () if s.subnet_id == subnet_id), None)

    def default_vpc(self) -> Vpc | None:
        return next((v for v in self.vpcs or () if v.is_default), None)

    @property
    def architecture(self) -> str | None:
        return self.facts.architecture if self.facts and self.facts.image_id == self.request.image_id else None

    @property
    def distro(self) -> str:
        facts = self.facts
        if facts is None:
            return "unknown"
        return guess_distro(facts.name, facts.description, facts.platform)

    def default_type(self, architecture: str) -> str | None:
        """The first preferred type of the architecture offered here (any when offerings are unknown)."""
        names = {t.name for t in self.types or ()}
        for name in DEFAULT_TYPES.get(architecture, ()):
            if (not names or name in names) and (not self.offered or name in self.offered):
                return name
        return None

    def context(self) -> LaunchContext:
        """What validation checks the request against: only what is loaded (the rest is skipped)."""
        remote: tuple[FieldError, ...] = (FieldError("image_id", self.image_error),) if self.image_error else ()
        remote += self.typed_key_errors()
        facts = self.facts if self.facts and self.facts.image_id == self.request.image_id else None
        return LaunchContext(
            image=facts,
            instance_type=self.type_info(),
            offered_types=self.offered or None,  # moto and new regions may have no offerings data
            key_pair_names=frozenset(k.name for k in self.key_pairs) if self.key_pairs is not None else None,
            vpcs=tuple(self.vpcs) if self.vpcs is not None else None,
            subnets=tuple(self.subnets) if self.subnets is not None else None,
            security_groups=tuple(self.groups) if self.groups is not None else None,
            instance_profiles=profile_names(self.instance_profiles) if self.instance_profiles is not None else None,
            remote_errors=remote,
        )

    def typed_key_errors(self) -> tuple[FieldError, ...]:
        """A key pair name typed because the key pairs couldn't be listed: its shape is all that can be checked."""
        key = self.request.key_pair
        if self.key_pairs is not None or KEYS_LOAD_ERROR not in self.load_errors or key.choice != "existing":
            return ()
        problem = key_name_problem(key.name) if key.name else ""
        return (FieldError("key_pair.name", problem),) if problem else ()

    def reset_root_for(self, facts: ImageFacts) -> None:
        """Follow a new AMI: the root volume starts from the AMI's own unless the user changed it."""
        if "root_volume" not in self.touched:
            self.request.root_volume = VolumeSpec()

    def move_to(self, region: str) -> Image | None:
        """Move to another region: its region-scoped choices (VPC, subnet, groups) and every loaded fact are
        dropped, everything else is kept. Returns the Quick Start image the request used, to find again by name."""
        image = self.quickstart_image(self.request.image_id)
        self.region = region
        network = self.request.network
        network.vpc_id, network.subnet_id = "", ""
        self.request.security_groups.existing_ids = []
        self.quickstart = self.my_images = self.facts = None
        self.vpcs = self.subnets = self.groups = self.key_pairs = self.offered = None
        self.load_errors.clear()
        return image

    def use_image(self, facts: ImageFacts) -> None:
        """Point the request at the AMI (as the console does) without overwriting what the user set: a root
        volume the user touched keeps its type, size, IOPS, throughput and encryption; only its device (the
        AMI's) follows."""
        self.facts = facts
        self.reset_root_for(facts)
        kept = copy.deepcopy(self.request.root_volume) if "root_volume" in self.touched else None
        apply_image(self.request, facts)
        if kept is not None:
            kept.device_name = self.request.root_volume.device_name
            self.request.root_volume = kept


def no_quit_message(draft_kept: bool | None) -> str:
    """What `q` says in the launch form and its dialogs, where it never quits (``None``: no draft to speak of)."""
    kept = {True: " (your draft is kept)", False: " (the demo keeps no draft)", None: ""}[draft_kept]
    return f"q doesn't quit from the launch form: ctrl+q quits{kept}."


def summary_of(value: Any) -> str:
    """Short text for a request value in summaries (None -> '—')."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


SUB_FIELD_LABELS = {
    "key": "Key",
    "value": "Value",
    "protocol": "Protocol",
    "from_port": "From",
    "to_port": "To",
    "cidr": "Source",
    "description": "Description",
    "device_name": "Device",
    "size_gib": "Size",
    "volume_type": "Type",
    "iops": "IOPS",
    "throughput": "Throughput",
    "encrypted": "Encryption",
}
"""Last path component -> the label prefixed to its message when it shows on its row's line."""


def parent_path(path: str) -> str | None:
    """``a.b[1].c`` -> ``a.b[1]`` -> ``a.b`` -> ``a`` -> ``""`` -> None."""
    if not path:
        return None
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


def last_component(path: str) -> str:
    tail = path.rsplit(".", 1)[-1]
    return tail.split("[", 1)[0]


def assign_issues(issues: list[FieldError], slots: Iterable[str]) -> dict[str, list[tuple[str, FieldError]]]:
    """Each issue goes to the slot of its field path, or of the nearest parent path that has one (``""`` last).

    The value pairs carry the sub-field label (``From``, ``Source``…) when the issue is deeper than its slot.
    """
    known = set(slots)
    assigned: dict[str, list[tuple[str, FieldError]]] = {}
    for issue in issues:
        path: str | None = issue.field
        while path is not None and path not in known:
            path = parent_path(path)
        slot = path if path is not None else ""
        label = SUB_FIELD_LABELS.get(last_component(issue.field), "") if slot != issue.field else ""
        assigned.setdefault(slot, []).append((label, issue))
    return assigned


def launched_as_existing(request: LaunchRequest, result: LaunchResult) -> LaunchRequest:
    """The request as "launch again" offers it: what the launch created (key pair, group) now referred to as
    existing, so launching it again creates nothing twice."""
    again = copy.deepcopy(request)
    if again.key_pair.choice == "new":
        again.key_pair.choice = "existing"
    if result.security_group_id and again.security_groups.new_group is not None:
        again.security_groups.existing_ids.append(result.security_group_id)
        again.security_groups.new_group = None
    return again
