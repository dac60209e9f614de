"""Quick Start: the current AWS-provided images, resolved from SSM public parameters (like the console does)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ec2tui.aws.image_parsing import parse_image
from ec2tui.aws.models.images import Image

GET_PARAMETERS_BATCH = 10
"""SSM GetParameters accepts at most 10 names a call."""


@dataclass(frozen=True)
class QuickStartEntry:
    parameter: str
    os_label: str
    architecture: str


def _pair(os_label: str, template: str, arches: dict[str, str]) -> tuple[QuickStartEntry, ...]:
    """One entry per architecture; ``arches`` maps EC2's architecture to the word the parameter path uses."""
    return tuple(QuickStartEntry(template.format(arch=word), os_label, arch) for arch, word in arches.items())


_AL = {"x86_64": "x86_64", "arm64": "arm64"}
_DEB = {"x86_64": "amd64", "arm64": "arm64"}

QUICKSTART_CATALOG: tuple[QuickStartEntry, ...] = (
    *_pair("Amazon Linux 2023", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}", _AL),
    *_pair("Amazon Linux 2", "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-{arch}-gp2", _AL),
    *_pair(
        "Ubuntu 24.04 LTS", "/aws/service/canonical/ubuntu/server/24.04/stable/current/{arch}/hvm/ebs-gp3/ami-id", _DEB
    ),
    *_pair(
        "Ubuntu 22.04 LTS", "/aws/service/canonical/ubuntu/server/22.04/stable/current/{arch}/hvm/ebs-gp2/ami-id", _DEB
    ),
    *_pair("Debian 13", "/aws/service/debian/release/13/latest/{arch}", _DEB),
    *_pair("Debian 12", "/aws/service/debian/release/12/latest/{arch}", _DEB),
    QuickStartEntry(
        "/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base", "Windows Server 2025", "x86_64"
    ),
    QuickStartEntry(
        "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base", "Windows Server 2022", "x86_64"
    ),
    QuickStartEntry(
        "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base", "Windows Server 2019", "x86_64"
    ),
    *_pair("Red Hat Enterprise Linux 9", "/aws/service/redhat/rhel/9/{arch}/latest", _AL),
    *_pair("SUSE Linux Enterprise Server 15 SP7", "/aws/service/suse/sles/15-sp7/{arch}/latest", _AL),
)
"""What the Quick Start tab offers, in display order. Parameters a region lacks are skipped."""


def resolve_parameters(ssm: Any, names: list[str]) -> dict[str, str]:
    """Parameter name → AMI ID for the names that exist (GetParameters, 10 at a time; missing names are skipped)."""
    resolved: dict[str, str] = {}
    for start in range(0, len(names), GET_PARAMETERS_BATCH):
        batch = names[start : start + GET_PARAMETERS_BATCH]
        response = ssm.get_parameters(Names=batch)
        for parameter in response.get("Parameters", []):
            value = str(parameter.get("Value", ""))
            if value.startswith("ami-"):
                resolved[parameter["Name"]] = value
    return resolved


def list_quickstart(ec2: Any, ssm: Any, catalog: tuple[QuickStartEntry, ...] = QUICKSTART_CATALOG) -> list[Image]:
    """The region's Quick Start images in catalog order, each labelled with its OS and parameter; no duplicates."""
    region = ec2.meta.region_name
    resolved = resolve_parameters(ssm, [entry.parameter for entry in catalog])
    image_ids = sorted(set(resolved.values()))
    if not image_ids:
        return []
    # An image-id filter (unlike ImageIds) does not fail the whole call when one ID has been deregistered.
    paginator = ec2.get_paginator("describe_images")
    by_id: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(Filters=[{"Name": "image-id", "Values": image_ids}]):
        for raw in page.get("Images", []):
            by_id[raw["ImageId"]] = raw
    images: list[Image] = []
    seen: set[str] = set()
    for entry in catalog:
        image_id = resolved.get(entry.parameter)
        raw = by_id.get(image_id or "")
        if raw is None or image_id in seen:
            continue
        seen.add(raw["ImageId"])
        image = parse_image(raw, region, os_label=entry.os_label, source_parameter=entry.parameter)
        if not image.architecture:
            image = replace(image, architecture=entry.architecture)
        images.append(image)
    return images
