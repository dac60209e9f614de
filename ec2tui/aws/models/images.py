"""AMI catalog models: images, their block devices and launch permissions, search queries and pages. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ec2tui import clock
from ec2tui.errors import ValidationError


class ImageCategory(Enum):
    """The AMI catalog's tabs; each value is the word used in the ``:amis <category>`` command."""

    QUICKSTART = "quickstart"
    MINE = "mine"
    MARKETPLACE = "marketplace"
    COMMUNITY = "community"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]

    @property
    def paged(self) -> bool:
        """Too large to list whole on real AWS: browse it page by page (see ``ImagePage``)."""
        return self in (ImageCategory.MARKETPLACE, ImageCategory.COMMUNITY)

    @classmethod
    def parse(cls, word: str) -> ImageCategory:
        """The category for a command word (case-insensitive, a unique prefix is enough: ``:amis comm``)."""
        text = word.strip().lower()
        matches = [c for c in cls if c.value == text] or [c for c in cls if text and c.value.startswith(text)]
        if len(matches) != 1:
            choices = ", ".join(c.value for c in cls)
            raise ValidationError(f"Unknown AMI category '{word}': choose one of {choices}.", "category")
        return matches[0]


_CATEGORY_LABELS = {
    ImageCategory.QUICKSTART: "Quick Start",
    ImageCategory.MINE: "My AMIs",
    ImageCategory.MARKETPLACE: "AWS Marketplace",
    ImageCategory.COMMUNITY: "Community",
    ImageCategory.CUSTOM: "Custom (Image Builder)",
}


@dataclass(frozen=True, slots=True)
class BlockDeviceMapping:
    """One device of an image: an EBS snapshot (``snapshot_id``, ``size_gib``) or instance store (``virtual_name``)."""

    device: str
    snapshot_id: str | None = None
    size_gib: int | None = None
    volume_type: str | None = None
    encrypted: bool | None = None
    delete_on_termination: bool | None = None
    virtual_name: str | None = None
    """``ephemeral0``… for instance store volumes; None for EBS."""
    iops: int | None = None
    throughput: int | None = None

    @property
    def is_ebs(self) -> bool:
        return self.virtual_name is None and (self.snapshot_id is not None or self.size_gib is not None)


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    name: str
    description: str
    owner_id: str
    owner_alias: str | None
    public: bool
    state: str
    architecture: str
    platform: str
    """``Windows`` or ``Linux/UNIX``."""
    platform_details: str
    """AWS's finer platform (``Red Hat Enterprise Linux``, ``Windows with SQL Server Standard``…), else ``platform``."""
    os_label: str
    """Friendly OS name, e.g. ``Ubuntu 24.04 LTS``, from the SSM parameter, the name or the platform details."""
    virtualization: str
    ena_support: bool | None
    boot_mode: str | None
    root_device_name: str
    root_device_type: str
    creation_date: datetime | None
    deprecation_time: datetime | None
    block_devices: tuple[BlockDeviceMapping, ...]
    tags: tuple[tuple[str, str], ...]
    shared_with_me: bool
    """Owned by another account and shared with this one explicitly (not public)."""
    image_builder: str | None
    """EC2 Image Builder pipeline or recipe that built it (from its tags), None when not built by Image Builder."""
    region: str
    product_codes: tuple[str, ...] = ()
    source_parameter: str | None = None
    """The SSM public parameter a Quick Start image was resolved from (usable as ``resolve:ssm:<name>``)."""

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def title(self) -> str:
        """``Ubuntu 24.04 LTS (arm64)``: the friendly OS with its architecture."""
        return f"{self.os_label} ({self.architecture})" if self.architecture else self.os_label

    @property
    def is_windows(self) -> bool:
        return self.platform == "Windows"

    @property
    def root_device(self) -> BlockDeviceMapping | None:
        for device in self.block_devices:
            if device.device == self.root_device_name:
                return device
        return next((d for d in self.block_devices if d.is_ebs), None)

    @property
    def root_size_gib(self) -> int | None:
        root = self.root_device
        return root.size_gib if root else None

    @property
    def snapshot_ids(self) -> tuple[str, ...]:
        return tuple(d.snapshot_id for d in self.block_devices if d.snapshot_id)

    @property
    def deprecated(self) -> bool:
        if self.deprecation_time is None:
            return False
        now = clock.now()
        return self.deprecation_time <= (now if self.deprecation_time.tzinfo else now.replace(tzinfo=None))

    def tag(self, key: str, default: str | None = None) -> str | None:
        for tag_key, value in self.tags:
            if tag_key == key:
                return value
        return default


@dataclass(frozen=True, slots=True)
class LaunchPermissions:
    """Who may launch an image besides its owner."""

    public: bool = False
    account_ids: tuple[str, ...] = ()
    organization_arns: tuple[str, ...] = ()
    organizational_unit_arns: tuple[str, ...] = ()

    @property
    def shared(self) -> bool:
        return bool(self.account_ids or self.organization_arns or self.organizational_unit_arns)


@dataclass(frozen=True, slots=True)
class ImageDetail:
    """One image with its launch permissions; ``launch_permissions`` is None when only the owner may read them."""

    image: Image
    launch_permissions: LaunchPermissions | None


@dataclass(frozen=True, slots=True)
class CommunityQuery:
    """A server-side search of public images.

    ``text`` matches the name or the description (a substring, ``*``/``?`` wildcards allowed; tried as typed, lower,
    upper and capitalised because AWS filters are case-sensitive). ``platform`` is ``windows`` or ``linux``;
    ``owner`` is an account ID (12 digits) or an owner alias.
    """

    text: str = ""
    architecture: str | None = None
    platform: str | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class ImagePage:
    """One page of a search; pass ``next_token`` back for the next page (None: this was the last one)."""

    images: tuple[Image, ...]
    next_token: str | None = None
