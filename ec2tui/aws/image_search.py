"""Paged, server-filtered searches of public images: Community and Marketplace.

Real regions hold tens of thousands of public images, so nothing here lists them all. Each call sends the filters
to EC2 with ``MaxResults`` and returns at most ``page_size`` images plus an opaque ``next_token``.

The token carries a cursor: (search phase, EC2's own NextToken, offset into that EC2 page). Against AWS, which
honours ``MaxResults``, EC2's tokens are passed straight through and each is used once (true server paging); the
offset is only ever non-zero for a phase's first, tokenless request. A server that ignores ``MaxResults`` (moto
returns everything at once) still yields bounded pages: its answer is scanned only until ``page_size`` images are
kept, and the next call resumes at ``offset`` in the same answer. That answer is kept in an ``OversizedAnswers``
memo when the caller passes one (the gateway does), so later pages slice it instead of downloading it again.

A text search is "name OR description", which one EC2 request cannot express (filters are ANDed), so it runs in two
phases: images whose name matches, then images whose description matches but whose name does not.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ec2tui.aws.image_parsing import parse_image
from ec2tui.aws.models.images import CommunityQuery, Image, ImagePage
from ec2tui.aws.xml_parsing import gc_paused
from ec2tui.errors import ValidationError

DEFAULT_PAGE_SIZE = 50
MIN_PAGE_SIZE = 6  # DescribeImages' MaxResults range is 6..1000
MAX_PAGE_SIZE = 1000
MAX_REQUESTS_PER_PAGE = 5
"""EC2 requests one call may make: more are needed when local exclusions empty a whole EC2 page, or when the name
phase ends part-way through a page and the description phase fills the rest."""

ARCHITECTURES = ("x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac")
PLATFORMS = ("windows", "linux")
AMAZON_ALIASES = frozenset({"amazon", "aws-marketplace"})
_MAX_TEXT = 128

_AVAILABLE = {"Name": "state", "Values": ["available"]}


@dataclass(frozen=True)
class _Scope:
    name: str
    owners: tuple[str, ...]
    filters: tuple[dict[str, Any], ...]
    excluded_aliases: frozenset[str]


COMMUNITY = _Scope("community", (), ({"Name": "is-public", "Values": ["true"]}, _AVAILABLE), AMAZON_ALIASES)
MARKETPLACE = _Scope("marketplace", ("aws-marketplace",), (_AVAILABLE,), frozenset())


class _Packed(Sequence[dict[str, Any]]):
    """Image dictionaries kept as one pickle each: a fraction of the memory, and no objects for the garbage
    collector to walk (50,000 images as dictionaries are ~1.5 million objects, ~100 ms per full collection)."""

    def __init__(self, images: list[dict[str, Any]]) -> None:
        self._blobs = [pickle.dumps(image, pickle.HIGHEST_PROTOCOL) for image in images]

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [pickle.loads(blob) for blob in self._blobs[index]]
        return pickle.loads(self._blobs[index])


class OversizedAnswers:
    """The last few answers from a server that ignored ``MaxResults`` (they hold every match at once).

    Against such a server each page would otherwise download the whole answer again (moto: ~30 s for 50,000
    images). Against AWS, which pages, nothing is ever kept. Thread-safe: the gateway's worker threads share it.
    """

    def __init__(self, ttl: float = 300.0, size: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._kept: OrderedDict[tuple[str, ...], tuple[float, _Packed]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Sequence[dict[str, Any]] | None:
        with self._lock:
            entry = self._kept.get(key)
            if entry is None or self._clock() - entry[0] > self.ttl:
                self._kept.pop(key, None)
                return None
            self._kept.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[str, ...], images: list[dict[str, Any]]) -> Sequence[dict[str, Any]]:
        """Keep ``images`` (packed); returns the packed sequence, which reads back as the same dictionaries."""
        packed = _Packed(images)
        with self._lock:
            self._kept[key] = (self._clock(), packed)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return packed

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


@dataclass(frozen=True)
class _Cursor:
    phase: int
    token: str | None
    offset: int


def community_page(
    ec2: Any,
    query: CommunityQuery | None = None,
    next_token: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    answers: OversizedAnswers | None = None,
) -> ImagePage:
    """One page of public images owned neither by Amazon nor by the Marketplace that match ``query``."""
    return _search_page(ec2, COMMUNITY, query or CommunityQuery(), next_token, page_size, answers)


def marketplace_page(
    ec2: Any,
    query: CommunityQuery | None = None,
    next_token: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    answers: OversizedAnswers | None = None,
) -> ImagePage:
    """One page of AWS Marketplace images (owner ``aws-marketplace``) that match ``query`` (``owner`` not allowed)."""
    return _search_page(ec2, MARKETPLACE, query or CommunityQuery(), next_token, page_size, answers)


def _search_page(
    ec2: Any,
    scope: _Scope,
    query: CommunityQuery,
    next_token: str | None,
    page_size: int,
    answers: OversizedAnswers | None,
) -> ImagePage:
    query = _checked(query, scope)
    if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"The page size must be between {MIN_PAGE_SIZE} and {MAX_PAGE_SIZE}.", "page_size")
    region = ec2.meta.region_name
    owners, common = _server_side(query, scope)
    phases = _phases(query)
    fingerprint = _fingerprint(scope, query, page_size)
    cursor: _Cursor | None = _decode(next_token, fingerprint, len(phases)) if next_token else _Cursor(0, None, 0)
    images: list[Image] = []
    for _ in range(MAX_REQUESTS_PER_PAGE):
        if cursor is None or len(images) >= page_size:
            break
        if images and cursor.token is not None:
            # Only a phase's first EC2 page (no token) is ever fetched twice; EC2's own tokens are used once.
            break
        phase_filters, keep = phases[cursor.phase]
        request: dict[str, Any] = {"Filters": common + phase_filters, "MaxResults": page_size}
        if owners:
            request["Owners"] = list(owners)
        if cursor.token:
            request["NextToken"] = cursor.token
        answered, server_next = _describe(ec2, request, answers)
        position = cursor.offset
        while position < len(answered) and len(images) < page_size:
            image = parse_image(answered[position], region)
            position += 1
            if image.owner_alias not in scope.excluded_aliases and _platform_ok(image, query) and keep(image):
                images.append(image)
        if position < len(answered):
            # The server sent more than MaxResults (it ignores paging): resume inside this same answer next time.
            cursor = _Cursor(cursor.phase, cursor.token, position)
        elif server_next:
            cursor = _Cursor(cursor.phase, server_next, 0)
        elif cursor.phase + 1 < len(phases):
            cursor = _Cursor(cursor.phase + 1, None, 0)
        else:
            cursor = None
    return ImagePage(tuple(images), _encode(cursor, fingerprint) if cursor else None)


def _describe(
    ec2: Any, request: dict[str, Any], answers: OversizedAnswers | None
) -> tuple[Sequence[dict[str, Any]], str | None]:
    """One DescribeImages answer and its NextToken; a kept oversized answer stands in for asking again."""
    if answers is None or "NextToken" in request:
        response = ec2.describe_images(**request)
        return response.get("Images", []), response.get("NextToken") or None
    key = (str(ec2.meta.endpoint_url), ec2.meta.region_name, json.dumps(request, sort_keys=True))
    kept = answers.get(key)
    if kept is not None:
        return kept, None
    # An oversized answer is millions of objects: no collection walks them until they are packed and freed.
    with gc_paused():
        response = ec2.describe_images(**request)
        images: list[dict[str, Any]] = response.get("Images", [])
        server_next = response.get("NextToken") or None
        if server_next is not None or len(images) <= request["MaxResults"]:
            return images, server_next
        packed = answers.put(key, images)
        _release(images)
        return packed, None


def _release(items: list[Any]) -> None:
    """Free a huge list a slice at a time: freeing it whole is one C call that holds the GIL throughout."""
    while items:
        del items[-2000:]


def _checked(query: CommunityQuery, scope: _Scope) -> CommunityQuery:
    text = (query.text or "").strip()
    if len(text) > _MAX_TEXT:
        raise ValidationError(f"The search text is limited to {_MAX_TEXT} characters.", "text")
    architecture = (query.architecture or "").strip() or None
    if architecture and architecture not in ARCHITECTURES:
        raise ValidationError(f"Unknown architecture '{architecture}': use {', '.join(ARCHITECTURES)}.", "architecture")
    platform = (query.platform or "").strip().lower() or None
    if platform and platform not in PLATFORMS:
        raise ValidationError(f"Unknown platform '{query.platform}': use windows or linux.", "platform")
    owner = (query.owner or "").strip() or None
    if owner and scope is MARKETPLACE:
        raise ValidationError("Marketplace images all belong to aws-marketplace: leave the owner empty.", "owner")
    if owner and owner.lower() in scope.excluded_aliases:
        raise ValidationError(
            f"Images owned by '{owner}' are not community images: see Quick Start or Marketplace.", "owner"
        )
    return CommunityQuery(text=text, architecture=architecture, platform=platform, owner=owner)


def _server_side(query: CommunityQuery, scope: _Scope) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    owners = scope.owners
    filters = [dict(f) for f in scope.filters]
    if query.owner:
        if query.owner.isdigit() and len(query.owner) == 12:
            owners = (query.owner,)
        else:
            filters.append({"Name": "owner-alias", "Values": [query.owner]})
    if query.architecture:
        filters.append({"Name": "architecture", "Values": [query.architecture]})
    if query.platform == "windows":
        filters.append({"Name": "platform", "Values": ["windows"]})
    return owners, filters


def text_patterns(text: str) -> list[str]:
    """EC2 filters are case-sensitive: OR the text as typed, lower, upper and capitalised, each as ``*text*``."""
    core = text.strip().strip("*")
    variants = dict.fromkeys([core, core.lower(), core.upper(), core.capitalize()])
    return [f"*{variant}*" for variant in variants]


def _phases(query: CommunityQuery) -> list[tuple[list[dict[str, Any]], Callable[[Image], bool]]]:
    if not query.text:
        return [([], lambda image: True)]
    patterns = text_patterns(query.text)

    def name_did_not_match(image: Image) -> bool:
        return not any(fnmatchcase(image.name, p) for p in patterns)

    return [
        ([{"Name": "name", "Values": patterns}], lambda image: True),
        ([{"Name": "description", "Values": patterns}], name_did_not_match),
    ]


def _platform_ok(image: Image, query: CommunityQuery) -> bool:
    # EC2 can only filter platform=windows; "linux" means "not Windows", checked here.
    return query.platform != "linux" or not image.is_windows


def _fingerprint(scope: _Scope, query: CommunityQuery, page_size: int) -> str:
    return hashlib.sha256(repr((scope.name, query, page_size)).encode()).hexdigest()[:16]


def _encode(cursor: _Cursor, fingerprint: str) -> str:
    payload = json.dumps([fingerprint, cursor.phase, cursor.token, cursor.offset], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def _decode(token: str, fingerprint: str, phases: int) -> _Cursor:
    try:
        owner, phase, server_token, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError("The page token is damaged: start the search again.", "next_token") from None
    if owner != fingerprint:
        raise ValidationError("The page token belongs to another search: start the search again.", "next_token")
    if not (isinstance(phase, int) and 0 <= phase < phases and isinstance(offset, int) and offset >= 0):
        raise ValidationError("The page token is damaged: start the search again.", "next_token")
    if server_token is not None and not isinstance(server_token, str):
        raise ValidationError("The page token is damaged: start the search again.", "next_token")
    return _Cursor(phase, server_token, offset)
