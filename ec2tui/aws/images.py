"""AMI catalog reads for one region: the account's images, shared ones, Image Builder ones, and one image's detail.

Quick Start lives in :mod:`ec2tui.aws.quickstart`, the paged Marketplace/Community searches in
:mod:`ec2tui.aws.image_search`, and the changes (copy, create, share, deregister) in :mod:`ec2tui.aws.image_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ec2tui.aws.image_parsing import (
    IMAGE_BUILDER_ARN_TAG,
    ImageProgress,
    check_image_id,
    parse_image,
    parse_image_progress,
    parse_launch_permissions,
)
from ec2tui.aws.image_search import community_page, marketplace_page
from ec2tui.aws.models.images import Image, ImageCategory, ImageDetail, LaunchPermissions
from ec2tui.aws.quickstart import list_quickstart
from ec2tui.aws.xml_parsing import freeze_when_resumed, members_converted, pause_held_after_parse
from ec2tui.errors import AwsError

DESCRIBE_PAGE_SIZE = 1000
MANY_IMAGES = 2_000
"""From this many images a listing's models are frozen out of the collector's reach (see ``freeze_when_resumed``)."""
MARKETPLACE_LIST_SIZE = 100
"""``list_images(MARKETPLACE)`` shows the first page only: real regions offer thousands (use the paged search)."""

_NOT_OWNER_CODES = {"AuthFailure", "UnauthorizedOperation", "InvalidAMIID.Unavailable"}

ImagesArrived = Callable[[list[Image]], object]
"""Called (in the listing's thread) with images of a listing as they are parsed, before the whole list is in."""


def _parse_all(
    ec2: Any, *, shared_with_me: bool = False, on_batch: ImagesArrived | None = None, **kwargs: Any
) -> list[Image]:
    """Every image the request lists, parsed page by page. A large answer (a server that ignores paging, like moto,
    sends 50,000 images in one) is turned into models image by image as its XML is read (``members_converted``);
    otherwise each raw image is dropped as soon as it is parsed. The whole answer's raw dictionaries and its models
    are never both held.

    ``on_batch`` gets every model exactly once, before this returns: a page's models once the page is parsed, and
    those of a large answer :data:`~ec2tui.aws.xml_parsing.MEMBERS_PER_BATCH` at a time while its XML is still read.
    """
    region = ec2.meta.region_name
    paginator = ec2.get_paginator("describe_images")
    images: list[Image] = []

    def convert(raw: dict[str, Any]) -> Image:
        return parse_image(raw, region, shared_with_me=shared_with_me)

    with members_converted(convert, on_batch):
        for page in paginator.paginate(**kwargs, PaginationConfig={"PageSize": DESCRIBE_PAGE_SIZE}):
            raws: list[Any] = page.get("Images", [])
            streamed = bool(raws) and isinstance(raws[0], Image)  # read as a stream: on_batch had them meanwhile
            parsed: list[Image] = []
            while raws:
                raw = raws.pop()
                parsed.append(raw if isinstance(raw, Image) else convert(raw))
            parsed.reverse()
            images += parsed
            if on_batch is not None and parsed and not streamed:
                on_batch(parsed)
    return images


def _newest_first(images: list[Image]) -> list[Image]:
    return sorted(images, key=lambda i: (i.creation_date is not None, i.creation_date or 0, i.name), reverse=True)


def list_mine(ec2: Any, on_batch: ImagesArrived | None = None) -> list[Image]:
    """The account's own images plus private images other accounts shared with it (``shared_with_me``), newest first.

    ``on_batch`` gets the own images as they are parsed (see :func:`_parse_all`); the shared ones, asked for once the
    own ones are in, come only with the whole list.

    Shared images come from ``ExecutableUsers=['self']`` narrowed server-side to private images, then anything the
    account owns is dropped: what is left was shared explicitly. (moto answers ``ExecutableUsers`` with every public
    image too; the ``is-public=false`` filter keeps this right there as well.)
    """
    # Thousands of images parsed into models are hundreds of thousands of new objects: once a large answer is in, no
    # collection walks them while they are parsed, and they are put out of the collector's reach once parsed (see
    # freeze_when_resumed). The wait for the answer runs with the collector on (see pause_held_after_parse).
    with pause_held_after_parse():
        own = _parse_all(ec2, on_batch=on_batch, Owners=["self"])
        own_ids = {image.id for image in own}
        own_owners = {image.owner_id for image in own}
        shared = _parse_all(
            ec2, shared_with_me=True, ExecutableUsers=["self"], Filters=[{"Name": "is-public", "Values": ["false"]}]
        )
        if len(own) + len(shared) >= MANY_IMAGES:
            freeze_when_resumed()
    shared = [i for i in shared if i.id not in own_ids and i.owner_id not in own_owners and not i.public]
    return _newest_first(own + shared)


def _built_by_image_builder(images: list[Image]) -> list[Image]:
    return [image for image in images if image.image_builder]


def list_custom(ec2: Any, on_batch: ImagesArrived | None = None) -> list[Image]:
    """The account's images built by EC2 Image Builder (tagged ``Ec2ImageBuilderArn``), newest first; ``on_batch``
    gets them as they are parsed (see :func:`_parse_all`)."""
    kept_arrived: ImagesArrived | None = None
    if on_batch is not None:

        def kept_arrived(batch: list[Image]) -> None:
            kept = _built_by_image_builder(batch)
            if kept:
                on_batch(kept)

    images = _parse_all(
        ec2,
        on_batch=kept_arrived,
        Owners=["self"],
        Filters=[{"Name": "tag-key", "Values": [IMAGE_BUILDER_ARN_TAG]}],
    )
    return _newest_first(_built_by_image_builder(images))


STREAMED_CATEGORIES = frozenset({ImageCategory.MINE, ImageCategory.CUSTOM})
"""The tabs listed whole whose images :func:`list_images` hands to ``on_batch`` as they are parsed."""


def list_images(category: ImageCategory, ec2: Any, ssm: Any, on_batch: ImagesArrived | None = None) -> list[Image]:
    """One catalog tab for the region of ``ec2``. Marketplace/Community give their first page only.

    For :data:`STREAMED_CATEGORIES`, ``on_batch`` (called in this thread) gets the images as they are parsed, each
    at most once, before the whole (sorted) list is returned; the other tabs ignore it."""
    if category is ImageCategory.QUICKSTART:
        return list_quickstart(ec2, ssm)
    if category is ImageCategory.MINE:
        return list_mine(ec2, on_batch)
    if category is ImageCategory.CUSTOM:
        return list_custom(ec2, on_batch)
    if category is ImageCategory.MARKETPLACE:
        return list(marketplace_page(ec2, page_size=MARKETPLACE_LIST_SIZE).images)
    return list(community_page(ec2).images)


def describe_image(ec2: Any, image_id: str) -> Image:
    image_id = check_image_id(image_id)
    response = ec2.describe_images(ImageIds=[image_id])
    found = response.get("Images", [])
    if not found:
        raise AwsError(f"The image {image_id} does not exist (or was deregistered).", "InvalidAMIID.NotFound")
    return parse_image(found[0], ec2.meta.region_name)


_NOT_LISTED_YET = {"InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"}


def image_progress(ec2: Any, image_id: str) -> ImageProgress:
    """The state of an image being created or copied. Just after CreateImage/CopyImage AWS may not know the new ID
    yet (eventual consistency): that is "not listed yet" (state ``""``), not an error."""
    image_id = check_image_id(image_id)
    try:
        found = ec2.describe_images(ImageIds=[image_id]).get("Images", [])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _NOT_LISTED_YET:
            return parse_image_progress(image_id, None)
        raise
    return parse_image_progress(image_id, found[0] if found else None)


def get_launch_permissions(ec2: Any, image_id: str) -> LaunchPermissions | None:
    """Who may launch the image; None when the caller is not its owner (AWS refuses to say)."""
    image_id = check_image_id(image_id)
    try:
        response = ec2.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _NOT_OWNER_CODES:
            return None
        raise
    return parse_launch_permissions(response.get("LaunchPermissions", []))


def image_detail(ec2: Any, image_id: str) -> ImageDetail:
    """The image with its block devices, and its launch permissions when the account owns it."""
    image = describe_image(ec2, image_id)
    return ImageDetail(image=image, launch_permissions=get_launch_permissions(ec2, image.id))
