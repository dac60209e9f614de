""" "Launch more like this": a launch request made from an existing instance, and what could not be copied.

Pure: the instance's detail (``InstanceDetail``, as the detail screen reads it) and its user data in, the form's
:class:`LaunchRequest` and a list of sentences out. No Textual, no AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ec2tui.aws.models.instances import InstanceDetail, Volume
from ec2tui.aws.models.launch import (
    METADATA_CHOICES,
    VOLUME_TYPES,
    KeyPairSpec,
    LaunchRequest,
    Tag,
    VolumeSpec,
)

ROOT_DEVICE_NAMES = ("/dev/xvda", "/dev/sda1", "/dev/sda")
"""Where AMIs put the root volume; otherwise the first block device (AWS lists the root first)."""
AWS_TAG_PREFIX = "aws:"


@dataclass(frozen=True)
class CopiedRequest:
    request: LaunchRequest
    not_copied: tuple[str, ...]
    """What the form could not take over, one sentence each (the form lists them)."""
    origin: str
    """``instance i-0abc (web-1)``: what the form says it was filled from."""
    region: str


def _volume_spec(volume: Volume) -> VolumeSpec:
    kind = volume.volume_type if volume.volume_type in VOLUME_TYPES else "gp3"
    return VolumeSpec(
        device_name=volume.device,
        size_gib=volume.size_gib,
        volume_type=kind,
        iops=volume.iops if kind in ("io1", "io2") or (kind == "gp3" and (volume.iops or 0) > 3000) else None,
        encrypted=volume.encrypted,
        delete_on_termination=True if volume.delete_on_termination is None else volume.delete_on_termination,
    )


def _root_device(detail: InstanceDetail) -> str:
    devices = [b.device for b in detail.instance.block_devices] or [v.device for v in detail.volumes]
    return next((d for d in devices if d in ROOT_DEVICE_NAMES), devices[0] if devices else "")


def request_from_instance(detail: InstanceDetail, user_data: str | None) -> CopiedRequest:
    """The form's request for one more instance like ``detail.instance`` (count 1)."""
    instance = detail.instance
    request = LaunchRequest(image_id=instance.image_id, instance_type=instance.instance_type)
    not_copied: list[str] = [
        "private and Elastic IP addresses (each instance gets its own)",
        "the shutdown behaviour (EC2 does not report it per instance: the form's default, stop, applies)",
    ]

    aws_tags = [key for key, _ in instance.tags if key.startswith(AWS_TAG_PREFIX)]
    request.name = instance.name
    request.tags = [Tag(k, v) for k, v in instance.tags if k != "Name" and not k.startswith(AWS_TAG_PREFIX)]
    if aws_tags:
        not_copied.append(f"tags set by AWS ({', '.join(sorted(set(aws_tags)))}): AWS sets its own")

    request.key_pair = KeyPairSpec("existing", instance.key_name) if instance.key_name else KeyPairSpec("none")

    network = request.network
    network.vpc_id = instance.vpc_id or ""
    network.subnet_id = instance.subnet_id or ""
    network.public_ip = bool(instance.public_ip)
    if len(instance.network_interfaces) > 1:
        not_copied.append(f"{len(instance.network_interfaces) - 1} extra network interface(s)")
    request.security_groups.existing_ids = [group_id for group_id, _ in instance.security_groups]

    root_device = _root_device(detail)
    volumes = {v.device: v for v in detail.volumes}
    if not volumes and instance.block_devices:
        not_copied.append("the EBS volumes (they could not be read: the AMI's own sizes apply)")
    root = volumes.pop(root_device, None)
    if root is not None:
        request.root_volume = _volume_spec(root)
    request.volumes = [_volume_spec(v) for v in sorted(volumes.values(), key=lambda v: v.device)]
    if any(v.volume_type == "gp3" for v in detail.volumes):
        not_copied.append("gp3 throughput above the 125 MiB/s baseline (not read from the volumes)")

    if user_data is None:
        not_copied.append("the user data (it could not be read)")
    else:
        request.user_data = user_data

    advanced = request.advanced
    advanced.iam_instance_profile = instance.iam_profile_arn or ""
    advanced.metadata = instance.metadata if instance.metadata in METADATA_CHOICES else ""
    advanced.detailed_monitoring = instance.monitoring in ("enabled", "pending")
    if instance.lifecycle == "spot":
        advanced.purchasing = "spot"
        not_copied.append("the Spot maximum price (the new request bids up to the On-Demand price)")
    elif instance.lifecycle not in ("on-demand", ""):
        not_copied.append(f"the {instance.lifecycle} purchase (launched On-Demand)")
    if detail.termination_protection is None:
        not_copied.append("termination protection (it could not be read)")
    else:
        advanced.termination_protection = detail.termination_protection
    label = f"instance {instance.id}" + (f" ({instance.name})" if instance.name else "")
    return CopiedRequest(request, tuple(not_copied), label, instance.region)
