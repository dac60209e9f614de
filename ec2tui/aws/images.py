"""AMI catalog reads for one region: the account's images, shared ones, Image Builder ones, and one image's detail.

Quick Start lives in :mod:`ec2tui.aws.quickstart`, the paged Marketplace/Community searches in
:mod:`ec2tui.aws.image_search`, and the changes (copy, create, share, deregister) in :mod:`ec2tui.aws.image_actions`.
"""

from __future__ import annotations

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
from ec2tui.errors import AwsError

DESCRIBE_PAGE_SIZE = 1000
MARKETPLACE_LIST_SIZE = 100
"""``list_images(MARKETPLACE)`` shows the first page only: real regions offer thousands (use the paged search)."""

_NOT_OWNER_CODES = {"AuthFailure", "UnauthorizedOperation", "InvalidAMIID.Unavailable"}


def _describe_all(ec2: Any, **kwargs: Any) -> list[dict[str, Any]]:
    paginator = ec2.get_paginator("describe_images")
    images: list[dict[str, Any]] = []
    for page in paginator.paginate(**kwargs, PaginationConfig={"PageSize": DESCRIBE_PAGE_SIZE}):
        images.extend(page.get("Images", []))
    return images


def _newest_first(images: list[Image]) -> list[Image]:
    return sorted(images, key=lambda i: (i.creation_date is not None, i.creation_date or 0, i.name), reverse=True)


def list_mine(ec2: Any) -> list[Image]:
    """The account's own images plus private images other accounts shared with it (``shared_with_me``), newest first.

    Shared images come from ``ExecutableUsers=['self']`` narrowed server-side to private images, then anything the
    account owns is dropped: what is left was shared explicitly. (moto answers ``ExecutableUsers`` with every public
    image too; the ``is-public=false`` filter keeps this right there as well.)
    """
    region = ec2.meta.region_name
    own_raw = _describe_all(ec2, Owners=["self"])
    own_ids = {raw["ImageId"] for raw in own_raw}
    own_owners = {raw.get("OwnerId") for raw in own_raw}
    shared_raw = _describe_all(ec2, ExecutableUsers=["self"], Filters=[{"Name": "is-public", "Values": ["false"]}])
    images = [parse_image(raw, region) for raw in own_raw]
    images += [
        parse_image(raw, region, shared_with_me=True)
        for raw in shared_raw
        if raw["ImageId"] not in own_ids and raw.get("OwnerId") not in own_owners and not raw.get("Public")
    ]
    return _newest_first(images)


def list_custom(ec2: Any) -> list[Image]:
    """The account's images built by EC2 Image Builder (tagged ``Ec2ImageBuilderArn``), newest first."""
    region = ec2.meta.region_name
    raw_images = _describe_all(ec2, Owners=["self"], Filters=[{"Name": "tag-key", "Values": [IMAGE_BUILDER_ARN_TAG]}])
    images = [parse_image(raw, region) for raw in raw_images]
    return _newest_first([image for image in images if image.image_builder])


def list_images(category: ImageCategory, ec2: Any, ssm: Any) -> list[Image]:
    """One catalog tab for the region of ``ec2``. Marketplace/Community give their first page only."""
    if category is ImageCategory.QUICKSTART:
        return list_quickstart(ec2, ssm)
    if category is ImageCategory.MINE:
        return list_mine(ec2)
    if category is ImageCategory.CUSTOM:
        return list_custom(ec2)
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
