"""What each ``ec2tui pick`` kind lists, how its rows look, and what it prints. No Textual, no boto3.

Every load goes through the gateway (``screen → gateway → service``) with an explicit region.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from ec2tui.aws.models.images import CommunityQuery, Image, ImageCategory
from ec2tui.aws.models.instances import Instance
from ec2tui.aws.models.network import KeyPair, SecurityGroup, Subnet

if TYPE_CHECKING:
    from ec2tui.gateway import Gateway


@dataclass(frozen=True)
class PickOptions:
    """The command line's narrowing options (each applies to the kinds that have it)."""

    category: ImageCategory = ImageCategory.QUICKSTART
    filter_text: str = ""
    state: str | None = None
    search: CommunityQuery | None = None
    """For a category searched on the server a page at a time (Marketplace, Community): ``--filter`` parsed as the
    AMI catalog's search (text, ``arch:``, ``platform:``, ``owner:``). ``None`` for the other kinds and categories."""


Page = tuple[Sequence[Any], str | None]
"""One page of records and the token of the next one (``None``: that was the last)."""


@dataclass(frozen=True)
class PickColumn:
    key: str
    label: str
    priority: int = 50
    whole: bool = False
    """IDs and addresses are never cut (see ``VirtualTable``'s TableColumn)."""
    max_width: int | None = None


@dataclass(frozen=True)
class PickKind:
    name: str
    noun: str
    """What a row is, for the title: ``AMIs``, ``instances``…"""
    columns: tuple[PickColumn, ...]
    load: Callable[[Gateway, str, PickOptions], Awaitable[Sequence[Any]]]
    key: Callable[[Any], str]
    """A row's unique key."""
    value: Callable[[Any], str]
    """What ``enter`` prints for the row (``--format text``)."""
    cells: Callable[[Any], tuple[str, ...]]
    options: frozenset[str] = field(default_factory=frozenset)
    """Which of ``--category``/``--state`` apply."""
    load_page: Callable[[Gateway, str, PickOptions, str | None], Awaitable[Page]] | None = None
    """For lists read a page at a time: the page after the given token (``None``: the first)."""

    def paged(self, options: PickOptions) -> bool:
        return self.load_page is not None and options.search is not None


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


# -- loads: one gateway call each, the region always explicit ---------------------------------------------------------
async def _images(gateway: Gateway, region: str, options: PickOptions) -> Sequence[Image]:
    return await gateway.images.list(options.category, region=region)


async def _image_page(gateway: Gateway, region: str, options: PickOptions, token: str | None) -> Page:
    """A Marketplace or Community page: those catalogs hold tens of thousands of images, searched on the server."""
    api = gateway.images
    fetch = api.marketplace_page if options.category is ImageCategory.MARKETPLACE else api.community_page
    page = await fetch(options.search, token, region)
    return page.images, page.next_token


async def _instances(gateway: Gateway, region: str, options: PickOptions) -> Sequence[Instance]:
    instances = await gateway.instances.list(region=region)
    if options.state:
        return [i for i in instances if i.state == options.state]
    return [i for i in instances if i.state != "terminated"]


async def _addresses(gateway: Gateway, region: str, options: PickOptions) -> Sequence[Instance]:
    """Instances with an address to connect to: running ones unless ``--state`` says otherwise."""
    instances = await gateway.instances.list(region=region)
    wanted = options.state or "running"
    return [i for i in instances if i.state == wanted and (i.public_ip or i.private_ip)]


async def _subnets(gateway: Gateway, region: str, options: PickOptions) -> Sequence[Subnet]:
    return await gateway.launch.subnets(None, region=region)


async def _groups(gateway: Gateway, region: str, options: PickOptions) -> Sequence[SecurityGroup]:
    return await gateway.launch.security_groups(None, region=region)


async def _key_pairs(gateway: Gateway, region: str, options: PickOptions) -> Sequence[KeyPair]:
    return await gateway.launch.key_pairs(region=region)


def address(instance: Instance) -> str:
    """The address ``ssh`` should use: the public one, else the private one (from inside the VPC)."""
    return instance.public_ip or instance.private_ip or ""


_INSTANCE_COLUMNS = (
    PickColumn("name", "Name", 20, max_width=40),
    PickColumn("id", "Instance ID", 10, whole=True),
    PickColumn("state", "State", 30),
    PickColumn("type", "Type", 50),
    PickColumn("public_ip", "Public IP", 40, whole=True),
    PickColumn("private_ip", "Private IP", 60, whole=True),
    PickColumn("az", "Zone", 70, whole=True),
)


def _instance_cells(i: Instance) -> tuple[str, ...]:
    return (i.name, i.id, i.state, i.instance_type, i.public_ip or "", i.private_ip or "", i.availability_zone)


KINDS: dict[str, PickKind] = {
    kind.name: kind
    for kind in (
        PickKind(
            "ami",
            "AMIs",
            (
                PickColumn("name", "Name", 20, max_width=48),
                PickColumn("id", "AMI ID", 10, whole=True),
                PickColumn("os", "OS / platform", 40),
                PickColumn("arch", "Arch", 50, whole=True),
                PickColumn("created", "Created", 60, whole=True),
            ),
            _images,
            key=lambda image: image.id,
            value=lambda image: image.id,
            cells=lambda i: (i.name, i.id, i.os_label, i.architecture, _date(i.creation_date)),
            options=frozenset({"category"}),
            load_page=_image_page,
        ),
        PickKind(
            "instance",
            "instances",
            _INSTANCE_COLUMNS,
            _instances,
            key=lambda instance: instance.id,
            value=lambda instance: instance.id,
            cells=_instance_cells,
            options=frozenset({"state"}),
        ),
        PickKind(
            "ip",
            "instance addresses",
            _INSTANCE_COLUMNS,
            _addresses,
            key=lambda instance: instance.id,
            value=address,
            cells=_instance_cells,
            options=frozenset({"state"}),
        ),
        PickKind(
            "subnet",
            "subnets",
            (
                PickColumn("name", "Name", 20),
                PickColumn("id", "Subnet ID", 10, whole=True),
                PickColumn("vpc", "VPC", 40, whole=True),
                PickColumn("cidr", "CIDR", 30, whole=True),
                PickColumn("az", "Zone", 35, whole=True),
                PickColumn("free", "Free IPs", 60, whole=True),
                PickColumn("default", "Default", 70, whole=True),
            ),
            _subnets,
            key=lambda subnet: subnet.subnet_id,
            value=lambda subnet: subnet.subnet_id,
            cells=lambda s: (
                s.name,
                s.subnet_id,
                s.vpc_id,
                s.cidr,
                s.availability_zone,
                str(s.available_ips),
                "yes" if s.default_for_az else "",
            ),
        ),
        PickKind(
            "security-group",
            "security groups",
            (
                PickColumn("name", "Name", 20),
                PickColumn("id", "Group ID", 10, whole=True),
                PickColumn("vpc", "VPC", 40, whole=True),
                PickColumn("description", "Description", 60),
            ),
            _groups,
            key=lambda group: group.group_id,
            value=lambda group: group.group_id,
            cells=lambda g: (g.name, g.group_id, g.vpc_id, g.description),
        ),
        PickKind(
            "key-pair",
            "key pairs",
            (
                PickColumn("name", "Name", 10, whole=True),
                PickColumn("type", "Type", 30, whole=True),
                PickColumn("id", "Key pair ID", 40, whole=True),
                PickColumn("created", "Created", 50, whole=True),
            ),
            _key_pairs,
            key=lambda pair: pair.name,
            value=lambda pair: pair.name,
            cells=lambda k: (k.name, k.key_type, k.key_pair_id, _date(k.created)),
        ),
    )
}


def matches(cells: Sequence[str], filter_text: str) -> bool:
    """Every word of ``filter_text`` occurs in some cell (case-insensitive)."""
    row = "\x1f".join(cells).lower()
    return all(word in row for word in filter_text.lower().split())


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def record_json(record: Any) -> str:
    """The whole record as one line of JSON (``--format json``: one object per chosen row)."""
    return json.dumps(dataclasses.asdict(record), default=_jsonable, sort_keys=True)


def output_lines(kind: PickKind, records: Sequence[Any], output_format: str) -> list[str]:
    if output_format == "json":
        return [record_json(record) for record in records]
    return [kind.value(record) for record in records]
