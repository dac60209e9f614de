"""Changes to AMIs: copy to another region, create from an instance, share, deregister."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from ec2tui.aws.image_parsing import (
    check_account_ids,
    check_description,
    check_image_id,
    check_image_name,
    check_instance_id,
    check_region,
    parse_launch_permissions,
)
from ec2tui.aws.images import describe_image
from ec2tui.aws.models.images import LaunchPermissions
from ec2tui.errors import AwsError, ValidationError

STOP_POLL_SECONDS = 5
STOP_MAX_ATTEMPTS = 120  # ten minutes at 5 s


def copy_image(dest_ec2: Any, source_region: str, image_id: str, name: str, description: str = "") -> str:
    """Copy an image into the region of ``dest_ec2`` (call it with the destination's client); returns the new ID."""
    request: dict[str, Any] = {
        "SourceRegion": check_region(source_region, "source_region"),
        "SourceImageId": check_image_id(image_id),
        "Name": check_image_name(name),
    }
    description = check_description(description)
    if description:
        request["Description"] = description
    return str(dest_ec2.copy_image(**request)["ImageId"])


def create_image_from_instance(
    ec2: Any,
    instance_id: str,
    name: str,
    description: str = "",
    *,
    no_reboot: bool = False,
    stop_first: bool = False,
    stop_poll_seconds: int = STOP_POLL_SECONDS,
) -> str:
    """Create an EBS-backed image (EC2 snapshots every volume) from an instance; returns the new image ID.

    ``stop_first`` stops the instance and waits until it is stopped (a consistent file system without relying on a
    reboot); otherwise ``no_reboot`` skips EC2's reboot during the snapshot, at the risk of an inconsistent one.
    """
    instance_id = check_instance_id(instance_id)
    request: dict[str, Any] = {"InstanceId": instance_id, "Name": check_image_name(name), "NoReboot": no_reboot}
    description = check_description(description)
    if description:
        request["Description"] = description
    if stop_first:
        ec2.stop_instances(InstanceIds=[instance_id])
        ec2.get_waiter("instance_stopped").wait(
            InstanceIds=[instance_id],
            WaiterConfig={"Delay": stop_poll_seconds, "MaxAttempts": STOP_MAX_ATTEMPTS},
        )
    return str(ec2.create_image(**request)["ImageId"])


def set_launch_permissions(
    ec2: Any,
    image_id: str,
    *,
    add_account_ids: Iterable[str] = (),
    remove_account_ids: Iterable[str] = (),
    public: bool | None = None,
) -> LaunchPermissions:
    """Share with / unshare from accounts, and make public (``True``) or private (``False``); returns the result.

    One ModifyImageAttribute call, so either every change applies or none does.
    """
    image_id = check_image_id(image_id)
    add = check_account_ids(add_account_ids, "add_account_ids")
    remove = check_account_ids(remove_account_ids, "remove_account_ids")
    both = sorted(set(add) & set(remove))
    if both:
        raise ValidationError(f"Cannot both add and remove {', '.join(both)}.", "remove_account_ids")
    to_add: list[dict[str, str]] = [{"UserId": a} for a in add]
    to_remove: list[dict[str, str]] = [{"UserId": a} for a in remove]
    if public is True:
        to_add.append({"Group": "all"})
    elif public is False:
        to_remove.append({"Group": "all"})
    if not to_add and not to_remove:
        raise ValidationError("Nothing to change: give accounts to add or remove, or make it public or private.")
    change: dict[str, Any] = {}
    if to_add:
        change["Add"] = to_add
    if to_remove:
        change["Remove"] = to_remove
    ec2.modify_image_attribute(ImageId=image_id, LaunchPermission=change)
    response = ec2.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    return parse_launch_permissions(response.get("LaunchPermissions", []))


def deregister_image(ec2: Any, image_id: str, delete_snapshots: bool = False) -> tuple[str, ...]:
    """Deregister an image and, when asked, delete the EBS snapshots it was made of; returns the deleted snapshots.

    The snapshots are read before deregistering (they cannot be found from the image afterwards) and deleted after
    (AWS refuses to delete a snapshot a registered image still uses).
    """
    image = describe_image(ec2, image_id)
    snapshots = image.snapshot_ids if delete_snapshots else ()
    ec2.deregister_image(ImageId=image.id)
    deleted: list[str] = []
    failed: list[str] = []
    for snapshot_id in snapshots:
        try:
            ec2.delete_snapshot(SnapshotId=snapshot_id)
            deleted.append(snapshot_id)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            failed.append(f"{snapshot_id} ({error.get('Code', 'error')})")
    if failed:
        raise AwsError(
            f"{image.id} was deregistered, but these snapshots could not be deleted: {', '.join(failed)}.",
            "SnapshotDeleteFailed",
            "DeleteSnapshot",
        )
    return tuple(deleted)
