"""Turn DescribeImages records into :class:`Image`, name the OS, spot Image Builder, and check user input."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ec2tui.aws.models.images import BlockDeviceMapping, Image, LaunchPermissions
from ec2tui.aws.models.shared_text import shared
from ec2tui.errors import ValidationError

IMAGE_BUILDER_ARN_TAG = "Ec2ImageBuilderArn"
CREATED_BY_TAG = "CreatedBy"

ROOT_DEVICE_TYPES = frozenset({"ebs", "instance-store"})
"""The root device types AWS documents (DescribeImages ``RootDeviceType``). Anything else (moto's ``standard`` for
an image created from an instance) is unknown: shown with a warning, never used to refuse a launch."""


def root_device_type_known(value: str) -> bool:
    return value in ROOT_DEVICE_TYPES


def root_device_type_warning(value: str) -> str:
    """Why an AMI's root device type can't be relied on, or ``""`` when it is one AWS documents."""
    if root_device_type_known(value):
        return ""
    reported = f"'{value}'" if value else "no root device type"
    return (
        f"The AMI reports {reported}, not ebs or instance-store (the types AWS documents): its root device type "
        "is unknown, so no instance type is ruled out for it and the root volume is launched as the AMI defines it."
    )


def parse_image(
    raw: Mapping[str, Any],
    region: str,
    *,
    shared_with_me: bool = False,
    os_label: str | None = None,
    source_parameter: str | None = None,
) -> Image:
    tags = tuple((t.get("Key", ""), t.get("Value", "")) for t in raw.get("Tags") or ())
    platform = "Windows" if str(raw.get("Platform", "")).lower() == "windows" else "Linux/UNIX"
    platform_details = raw.get("PlatformDetails") or platform
    name = raw.get("Name") or ""
    description = raw.get("Description") or ""
    return Image(
        id=raw["ImageId"],
        name=name,
        description=description,
        owner_id=shared(raw.get("OwnerId", "")),
        owner_alias=shared(raw.get("ImageOwnerAlias") or None),
        public=bool(raw.get("Public", False)),
        state=shared(raw.get("State", "")),
        architecture=shared(raw.get("Architecture", "")),
        platform=platform,
        platform_details=shared(platform_details),
        os_label=shared(os_label or os_label_for(name, description, platform_details)),
        virtualization=shared(raw.get("VirtualizationType", "")),
        ena_support=raw.get("EnaSupport"),
        boot_mode=shared(raw.get("BootMode") or None),
        root_device_name=shared(raw.get("RootDeviceName", "")),
        root_device_type=shared(raw.get("RootDeviceType", "")),
        creation_date=parse_time(raw.get("CreationDate")),
        deprecation_time=parse_time(raw.get("DeprecationTime")),
        block_devices=tuple(_block_device(m) for m in raw.get("BlockDeviceMappings") or ()),
        tags=tags,
        shared_with_me=shared_with_me,
        image_builder=image_builder_from_tags(dict(tags)),
        region=region,
        product_codes=tuple(p.get("ProductCodeId", "") for p in raw.get("ProductCodes") or ()),
        source_parameter=source_parameter,
    )


# -- following a new image -------------------------------------------------------------------------------------

IMAGE_FAILED_STATES = frozenset({"failed", "error", "invalid", "deregistered", "disabled"})
"""States an image being created or copied never leaves for ``available`` (DescribeImages ``State``)."""


@dataclass(frozen=True)
class ImageProgress:
    """Where a new image (created from an instance, or copied) stands: ``state`` is ``""`` while AWS doesn't list it
    yet (it can take a moment after CreateImage/CopyImage), else its DescribeImages ``State``."""

    image_id: str
    state: str
    reason: str = ""
    """AWS's ``StateReason`` message (why it failed), when it gave one."""

    @property
    def available(self) -> bool:
        return self.state == "available"

    @property
    def failed(self) -> bool:
        return self.state in IMAGE_FAILED_STATES

    @property
    def finished(self) -> bool:
        return self.available or self.failed


def parse_image_progress(image_id: str, raw: Mapping[str, Any] | None) -> ImageProgress:
    """From one DescribeImages record, or ``None`` when the image isn't listed (yet)."""
    if raw is None:
        return ImageProgress(image_id, "")
    reason = raw.get("StateReason") or {}
    return ImageProgress(image_id, str(raw.get("State", "")), str(reason.get("Message") or reason.get("Code") or ""))


def _block_device(raw: Mapping[str, Any]) -> BlockDeviceMapping:
    ebs = raw.get("Ebs") or {}
    return BlockDeviceMapping(
        device=shared(raw.get("DeviceName", "")),
        snapshot_id=ebs.get("SnapshotId"),
        size_gib=ebs.get("VolumeSize"),
        volume_type=shared(ebs.get("VolumeType")),
        encrypted=ebs.get("Encrypted"),
        delete_on_termination=ebs.get("DeleteOnTermination"),
        virtual_name=raw.get("VirtualName") or None,
        iops=ebs.get("Iops"),
        throughput=ebs.get("Throughput"),
    )


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_launch_permissions(raw: Iterable[Mapping[str, Any]]) -> LaunchPermissions:
    public = False
    accounts: list[str] = []
    orgs: list[str] = []
    units: list[str] = []
    for entry in raw:
        if entry.get("Group") == "all":
            public = True
        if entry.get("UserId"):
            accounts.append(entry["UserId"])
        if entry.get("OrganizationArn"):
            orgs.append(entry["OrganizationArn"])
        if entry.get("OrganizationalUnitArn"):
            units.append(entry["OrganizationalUnitArn"])
    return LaunchPermissions(public, tuple(sorted(set(accounts))), tuple(orgs), tuple(units))


# -- friendly OS names -------------------------------------------------------------------------------------------

_OS_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bal(20\d\d)-ami"), lambda m: f"Amazon Linux {m[1]}"),
    (re.compile(r"amazon linux (20\d\d)"), lambda m: f"Amazon Linux {m[1]}"),
    (re.compile(r"amzn2-ami|amazon linux 2\b"), lambda m: "Amazon Linux 2"),
    (re.compile(r"amzn-ec2-macos-(\d+)"), lambda m: f"macOS {m[1]}"),
    (re.compile(r"amzn-ami|amazon linux ami"), lambda m: "Amazon Linux AMI"),
    (re.compile(r"ubuntu[^0-9]*?(\d\d)\.(\d\d)"), lambda m: _ubuntu(m[1], m[2])),
    (re.compile(r"debian[- ](\d+)"), lambda m: f"Debian {m[1]}"),
    (re.compile(r"windows_server-(\d{4})(?:-r2)?"), lambda m: _windows(m)),
    (re.compile(r"windows server (\d{4})(?: r2)?"), lambda m: _windows(m)),
    (
        re.compile(r"rhel-(\d+)(?:\.(\d+))?"),
        lambda m: "Red Hat Enterprise Linux " + ".".join(p for p in m.groups() if p),
    ),
    (re.compile(r"suse-sles-(\d+)-sp(\d+)"), lambda m: f"SUSE Linux Enterprise Server {m[1]} SP{m[2]}"),
    (re.compile(r"suse-sles-(\d+)"), lambda m: f"SUSE Linux Enterprise Server {m[1]}"),
    (re.compile(r"centos[-_ ]stream[-_ ]?(\d+)"), lambda m: f"CentOS Stream {m[1]}"),
    (
        re.compile(r"(rocky|almalinux|centos|fedora|freebsd)(?:[-_ ](?:linux|os|cloud-base))*[-_ ]?(\d+(?:\.\d+)?)"),
        lambda m: _distro(m),
    ),
    (re.compile(r"opensuse[-_ ]leap[-_ ](\d+)[-_.](\d+)"), lambda m: f"openSUSE Leap {m[1]}.{m[2]}"),
    (re.compile(r"\bol(\d+)\.(\d+)-"), lambda m: f"Oracle Linux {m[1]}.{m[2]}"),
    (re.compile(r"\bnixos[-_/ ](\d\d\.\d\d)"), lambda m: f"NixOS {m[1]}"),
    (re.compile(r"\bkali[-_ ]"), lambda m: "Kali Linux"),
    (re.compile(r"bottlerocket"), lambda m: "Bottlerocket"),
)

_DISTRO_NAMES = {
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "centos": "CentOS",
    "fedora": "Fedora",
    "freebsd": "FreeBSD",
}


def _ubuntu(year: str, month: str) -> str:
    lts = " LTS" if month == "04" and int(year) % 2 == 0 else ""
    return f"Ubuntu {year}.{month}{lts}"


def _windows(match: re.Match[str]) -> str:
    suffix = " R2" if "r2" in match[0] else ""
    return f"Windows Server {match[1]}{suffix}"


def _distro(match: re.Match[str]) -> str:
    return f"{_DISTRO_NAMES[match[1]]} {match[2]}"


def os_label_for(name: str, description: str = "", platform_details: str = "") -> str:
    """A friendly OS name from the image name, else its description, else its platform details."""
    for text in (name.lower(), description.lower()):
        for pattern, label in _OS_PATTERNS:
            match = pattern.search(text)
            if match:
                return label(match)
    if platform_details.startswith("Windows"):
        return "Windows"
    if platform_details and platform_details != "Linux/UNIX":
        return platform_details
    return "Linux"


# -- EC2 Image Builder -------------------------------------------------------------------------------------------


def image_builder_from_tags(tags: Mapping[str, str]) -> str | None:
    """The pipeline (from a ``CreatedBy`` pipeline ARN) or recipe and version (from ``Ec2ImageBuilderArn``)."""
    created_by = tags.get(CREATED_BY_TAG, "")
    if ":imagebuilder:" in created_by:
        kind, _, rest = created_by.split(":", 5)[-1].partition("/")
        if kind == "image-pipeline" and rest:
            return rest.split("/")[0]
    arn = tags.get(IMAGE_BUILDER_ARN_TAG, "")
    if arn:
        kind, _, rest = arn.split(":", 5)[-1].partition("/")
        parts = [p for p in rest.split("/") if p]
        if kind == "image" and parts:
            return f"{parts[0]} {parts[1]}" if len(parts) > 1 else parts[0]
        return "EC2 Image Builder"
    if "image builder" in created_by.lower() or "imagebuilder" in created_by.lower():
        return "EC2 Image Builder"
    return None


# -- input checks ----------------------------------------------------------------------------------------------

_IMAGE_ID = re.compile(r"^ami-[0-9a-f]{8,17}$")
_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")


def check_image_id(image_id: str, field: str = "image_id") -> str:
    value = (image_id or "").strip()
    if not _IMAGE_ID.match(value):
        raise ValidationError(f"'{image_id}' is not an AMI ID (ami- followed by 8 or 17 hex digits).", field)
    return value


def check_instance_id(instance_id: str) -> str:
    value = (instance_id or "").strip()
    if not _INSTANCE_ID.match(value):
        raise ValidationError(f"'{instance_id}' is not an instance ID (i- followed by hex digits).", "instance_id")
    return value


def check_account_ids(account_ids: Iterable[str], field: str = "account_ids") -> list[str]:
    values = [a.strip() for a in account_ids if a and a.strip()]
    bad = [a for a in values if not _ACCOUNT_ID.match(a)]
    if bad:
        raise ValidationError(f"Not an AWS account ID (12 digits): {', '.join(bad)}.", field)
    return list(dict.fromkeys(values))


def check_region(region: str, field: str = "region") -> str:
    value = (region or "").strip()
    if not _REGION.match(value):
        raise ValidationError(f"'{region}' is not a region name (like eu-west-1).", field)
    return value


def check_image_name(name: str) -> str:
    value = (name or "").strip()
    if not _IMAGE_NAME.match(value):
        raise ValidationError(
            "An AMI name needs 3 to 128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _ only.", "name"
        )
    return value


def check_description(description: str) -> str:
    value = (description or "").strip()
    if len(value) > 255:
        raise ValidationError("The description is limited to 255 characters.", "description")
    return value
