"""The text of a server-side AMI search (Marketplace, Community): ``nginx arch:arm64 platform:linux owner:ID``.

Shared by the AMI catalog's search box and ``ec2tui pick ami --filter``. No Textual, no boto3.
"""

from __future__ import annotations

import re

from ec2tui.aws.models.images import CommunityQuery
from ec2tui.errors import ValidationError

ARCHITECTURES = ("x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac")
PLATFORMS = ("linux", "windows")
_KEYS = {"arch": "architecture", "architecture": "architecture", "platform": "platform", "os": "platform"}
_TOKEN = re.compile(r"^(arch|architecture|platform|os|owner):(.*)$", re.IGNORECASE)


def parse_search(text: str) -> CommunityQuery:
    """``nginx arch:arm64 platform:linux owner:123456789012`` → a server-side query (ValidationError if bad)."""
    words: list[str] = []
    fields: dict[str, str] = {}
    for token in text.split():
        match = _TOKEN.match(token)
        if not match:
            words.append(token)
            continue
        key, value = match[1].lower(), match[2].strip()
        if not value:
            raise ValidationError(f"'{token}' needs a value, e.g. arch:arm64.", "search")
        fields[_KEYS.get(key, key)] = value
    architecture = fields.get("architecture")
    if architecture is not None and architecture not in ARCHITECTURES:
        raise ValidationError(f"Unknown architecture '{architecture}': use {', '.join(ARCHITECTURES)}.", "search")
    platform = fields.get("platform")
    if platform is not None:
        platform = platform.lower()
        if platform not in PLATFORMS:
            raise ValidationError(f"Unknown platform '{platform}': use linux or windows.", "search")
    return CommunityQuery(text=" ".join(words), architecture=architecture, platform=platform, owner=fields.get("owner"))


def format_search(query: CommunityQuery) -> str:
    parts = [query.text] if query.text else []
    if query.architecture:
        parts.append(f"arch:{query.architecture}")
    if query.platform:
        parts.append(f"platform:{query.platform}")
    if query.owner:
        parts.append(f"owner:{query.owner}")
    return " ".join(parts)
