"""Reading instances: the list (paginated), one instance's detail, and its user data."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from ec2tui.aws.errors import translate
from ec2tui.aws.instance_actions import validate_instance_ids
from ec2tui.aws.models.instances import (
    AMI_AVAILABLE,
    AMI_NOT_FOUND,
    AMI_UNKNOWN,
    AmiInfo,
    BlockDevice,
    Instance,
    InstanceDetail,
    InstanceTypeInfo,
    NetworkInterface,
    SecurityGroup,
    SecurityGroupRule,
    Volume,
)
from ec2tui.aws.models.shared_text import shared
from ec2tui.aws.ssh import default_ssh_user
from ec2tui.errors import AwsError

T = TypeVar("T")

USER_DATA_PREVIEW_LIMIT = 64 * 1024
"""User data is at most 16 KB in AWS; anything decoded beyond this is not shown as text."""


# -- list -------------------------------------------------------------------------------------------------------
LIST_PAGE_SIZE = 1000
"""Instances asked for per ``describe_instances`` page (the API's maximum): the list fills in page by page."""


def list_instances(ec2: Any, region: str, on_page: Callable[[list[Instance]], object] | None = None) -> list[Instance]:
    """Every instance of the region, terminated ones included (AWS shows them for about an hour), by name.

    ``on_page`` is called with each page's instances as it arrives (in this thread), so a caller can show them
    before the last page is in.
    """
    instances: list[Instance] = []
    for page in instance_pages(ec2, region):
        instances += page
        if on_page is not None:
            on_page(page)
    return sort_instances(instances)


def instance_pages(ec2: Any, region: str, page_size: int | None = None) -> Iterator[list[Instance]]:
    """The region's instances one ``describe_instances`` page at a time, each page parsed as it arrives.

    Uses the paginator: EC2 pages by reservation, so one page can hold more instances than its size.
    """
    paginator = ec2.get_paginator("describe_instances")
    for page in paginator.paginate(PaginationConfig={"PageSize": page_size or LIST_PAGE_SIZE}):
        yield [
            parse_instance(raw, region)
            for reservation in page.get("Reservations", [])
            for raw in reservation.get("Instances", [])
        ]


def sort_instances(instances: Iterable[Instance]) -> list[Instance]:
    """The list's own order: by name (unnamed last), then ID."""
    return sorted(instances, key=lambda i: (i.name.lower() or "\uffff", i.id))


def get_instance(ec2: Any, instance_id: str, region: str) -> Instance:
    validate_instance_ids([instance_id])
    response = ec2.describe_instances(InstanceIds=[instance_id])
    for reservation in response.get("Reservations", []):
        for raw in reservation.get("Instances", []):
            return parse_instance(raw, region)
    raise AwsError(f"Instance {instance_id} was not found in {region}.", "InvalidInstanceID.NotFound")


def parse_instance(raw: dict[str, Any], region: str) -> Instance:
    tags = tuple((shared(t.get("Key", "")), t.get("Value", "")) for t in raw.get("Tags", []) or [])
    state_reason = raw.get("StateReason", {}).get("Message", "") or raw.get("StateTransitionReason", "")
    return Instance(
        id=raw["InstanceId"],
        name=next((value for key, value in tags if key == "Name"), ""),
        state=shared(raw.get("State", {}).get("Name", "unknown")),
        state_reason=shared(state_reason),
        instance_type=shared(raw.get("InstanceType", "")),
        image_id=shared(raw.get("ImageId", "")),
        availability_zone=shared(raw.get("Placement", {}).get("AvailabilityZone", "")),
        private_ip=raw.get("PrivateIpAddress") or None,
        public_ip=raw.get("PublicIpAddress") or None,
        public_dns=raw.get("PublicDnsName") or None,
        key_name=shared(raw.get("KeyName") or None),
        launch_time=raw.get("LaunchTime"),
        platform=shared(_platform(raw)),
        architecture=shared(raw.get("Architecture", "")),
        vpc_id=shared(raw.get("VpcId") or None),
        subnet_id=shared(raw.get("SubnetId") or None),
        region=region,
        security_groups=_security_groups(raw),
        iam_profile_arn=raw.get("IamInstanceProfile", {}).get("Arn") or None,
        block_devices=tuple(
            BlockDevice(
                device=shared(b.get("DeviceName", "")),
                volume_id=b["Ebs"].get("VolumeId", ""),
                delete_on_termination=bool(b["Ebs"].get("DeleteOnTermination", False)),
            )
            for b in raw.get("BlockDeviceMappings", [])
            if "Ebs" in b
        ),
        network_interfaces=tuple(
            NetworkInterface(
                interface_id=n.get("NetworkInterfaceId", ""),
                private_ips=tuple(
                    p["PrivateIpAddress"] for p in n.get("PrivateIpAddresses", []) if p.get("PrivateIpAddress")
                )
                or ((n["PrivateIpAddress"],) if n.get("PrivateIpAddress") else ()),
                public_ip=n.get("Association", {}).get("PublicIp") or None,
                subnet_id=shared(n.get("SubnetId", "")),
            )
            for n in raw.get("NetworkInterfaces", [])
        ),
        tags=tags,
        monitoring=shared(raw.get("Monitoring", {}).get("State", "disabled")),
        metadata=shared(_metadata(raw.get("MetadataOptions") or {})),
        lifecycle=shared(raw.get("InstanceLifecycle") or "on-demand"),
    )


def _metadata(options: dict[str, Any]) -> str:
    """``required`` (IMDSv2 only), ``optional`` (v1 and v2), ``disabled``, or ``""`` when not reported."""
    if options.get("HttpEndpoint") == "disabled":
        return "disabled"
    return str(options.get("HttpTokens", ""))


def _security_groups(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The instance's groups plus its network interfaces' (moto lists the default group only on the interface)."""
    groups = [*raw.get("SecurityGroups", [])]
    for interface in raw.get("NetworkInterfaces", []):
        groups += interface.get("Groups", [])
    pairs = ((shared(g.get("GroupId", "")), shared(g.get("GroupName", ""))) for g in groups if g.get("GroupId"))
    return tuple(dict.fromkeys(pairs))


def _platform(raw: dict[str, Any]) -> str:
    """``PlatformDetails``; older APIs and moto only give ``Platform`` (set to ``windows`` for Windows only)."""
    details = raw.get("PlatformDetails")
    if details:
        return str(details)
    return "Windows" if raw.get("Platform", "").lower() == "windows" else "Linux/UNIX"


# -- detail -----------------------------------------------------------------------------------------------------
def instance_detail(ec2: Any, instance_id: str, region: str) -> InstanceDetail:
    """The instance plus its type's vCPU/RAM, its AMI, its security groups' inbound rules and its EBS volumes.

    The five lookups run concurrently; one that fails becomes a line in ``warnings`` rather than an error.
    """
    instance = get_instance(ec2, instance_id, region)
    warnings: list[str] = []
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="ec2tui-detail") as pool:
        protection_future = pool.submit(
            _guarded, "Termination protection", lambda: termination_protection(ec2, instance_id)
        )
        type_future = pool.submit(_guarded, "Instance type", lambda: instance_type_info(ec2, instance.instance_type))
        ami_future = pool.submit(ami_info, ec2, instance.image_id)
        groups_future = pool.submit(_guarded, "Security groups", lambda: security_groups(ec2, instance))
        volumes_future = pool.submit(_guarded, "Volumes", lambda: instance_volumes(ec2, instance))
    type_info, warning = type_future.result()
    warnings += warning
    ami, ami_warnings = ami_future.result()
    warnings += ami_warnings
    groups, warning = groups_future.result()
    warnings += warning
    volumes, warning = volumes_future.result()
    warnings += warning
    protection, warning = protection_future.result()
    warnings += warning
    ssh_user = default_ssh_user(ami.name, instance.platform, ami.description)
    return InstanceDetail(
        instance=instance,
        type_info=type_info,
        ami=ami,
        security_groups=tuple(groups or ()),
        volumes=tuple(volumes or ()),
        ssh_user=ssh_user,
        warnings=tuple(warnings),
        termination_protection=protection,
    )


def termination_protection(ec2: Any, instance_id: str) -> bool:
    """Whether the API refuses to terminate the instance (``DisableApiTermination``)."""
    answer = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
    return bool(answer.get("DisableApiTermination", {}).get("Value", False))


def _guarded(what: str, fn: Callable[[], T]) -> tuple[T | None, list[str]]:
    try:
        return fn(), []
    except Exception as exc:
        return None, [f"{what}: {translate(exc)}"]


def instance_type_info(ec2: Any, instance_type: str) -> InstanceTypeInfo | None:
    response = ec2.describe_instance_types(InstanceTypes=[instance_type])
    for raw in response.get("InstanceTypes", []):
        return InstanceTypeInfo(
            instance_type=raw.get("InstanceType", instance_type),
            vcpus=int(raw.get("VCpuInfo", {}).get("DefaultVCpus", 0)),
            memory_mib=int(raw.get("MemoryInfo", {}).get("SizeInMiB", 0)),
        )
    return None


def ami_info(ec2: Any, image_id: str) -> tuple[AmiInfo, list[str]]:
    """The AMI's name and state; a deregistered (or no longer shared) AMI is reported as :data:`AMI_NOT_FOUND`."""
    try:
        images = ec2.describe_images(ImageIds=[image_id]).get("Images", [])
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code.startswith("InvalidAMIID"):
            return AmiInfo(image_id=image_id, status=AMI_NOT_FOUND), []
        return AmiInfo(image_id=image_id, status=AMI_UNKNOWN), [f"AMI: {translate(exc)}"]
    except Exception as exc:
        return AmiInfo(image_id=image_id, status=AMI_UNKNOWN), [f"AMI: {translate(exc)}"]
    if not images:
        return AmiInfo(image_id=image_id, status=AMI_NOT_FOUND), []
    image = images[0]
    return (
        AmiInfo(
            image_id=image_id,
            status=image.get("State", AMI_AVAILABLE),
            name=image.get("Name") or None,
            description=image.get("Description") or None,
        ),
        [],
    )


def security_groups(ec2: Any, instance: Instance) -> list[SecurityGroup]:
    """The instance's security groups (its own and its network interfaces') with their inbound rules."""
    group_ids = sorted({group_id for group_id, _ in instance.security_groups if group_id})
    if not group_ids:
        return []
    response = ec2.describe_security_groups(GroupIds=group_ids)
    groups = [
        SecurityGroup(
            id=raw.get("GroupId", ""),
            name=raw.get("GroupName", ""),
            description=raw.get("Description", ""),
            inbound=tuple(parse_permission(p) for p in raw.get("IpPermissions", [])),
        )
        for raw in response.get("SecurityGroups", [])
    ]
    return sorted(groups, key=lambda g: group_ids.index(g.id) if g.id in group_ids else len(group_ids))


def parse_permission(raw: dict[str, Any]) -> SecurityGroupRule:
    sources: list[str] = []
    for r in raw.get("IpRanges", []):
        sources.append(_with_description(r.get("CidrIp", ""), r))
    for r in raw.get("Ipv6Ranges", []):
        sources.append(_with_description(r.get("CidrIpv6", ""), r))
    for r in raw.get("UserIdGroupPairs", []):
        label = r.get("GroupId") or r.get("GroupName", "")
        if r.get("GroupName") and r.get("GroupId"):
            label = f"{r['GroupId']} ({r['GroupName']})"
        sources.append(_with_description(label, r))
    for r in raw.get("PrefixListIds", []):
        sources.append(_with_description(r.get("PrefixListId", ""), r))
    return SecurityGroupRule(
        protocol=str(raw.get("IpProtocol", "-1")),
        from_port=raw.get("FromPort"),
        to_port=raw.get("ToPort"),
        sources=tuple(sources),
    )


def _with_description(source: str, raw: dict[str, Any]) -> str:
    description = raw.get("Description")
    return f"{source} ({description})" if description else source


def instance_volumes(ec2: Any, instance: Instance) -> list[Volume]:
    """The EBS volumes attached to the instance, in device order (instance-store volumes are not EBS: not listed)."""
    paginator = ec2.get_paginator("describe_volumes")
    pages = paginator.paginate(Filters=[{"Name": "attachment.instance-id", "Values": [instance.id]}])
    delete_flags = {b.volume_id: b.delete_on_termination for b in instance.block_devices}
    volumes: list[Volume] = []
    for page in pages:
        for raw in page.get("Volumes", []):
            attachment: dict[str, Any] = next(
                (a for a in raw.get("Attachments", []) if a.get("InstanceId") == instance.id),
                {},
            )
            volume_id = raw.get("VolumeId", "")
            volumes.append(
                Volume(
                    volume_id=volume_id,
                    device=attachment.get("Device", ""),
                    size_gib=int(raw.get("Size", 0)),
                    volume_type=raw.get("VolumeType", ""),
                    iops=raw.get("Iops"),
                    encrypted=bool(raw.get("Encrypted", False)),
                    state=raw.get("State", ""),
                    delete_on_termination=attachment.get("DeleteOnTermination", delete_flags.get(volume_id)),
                )
            )
    return sorted(volumes, key=lambda v: (v.device, v.volume_id))


# -- user data --------------------------------------------------------------------------------------------------
def user_data(ec2: Any, instance_id: str) -> str | None:
    """The instance's user data as text; ``None`` when it has none.

    Data that is not UTF-8 text is described rather than shown: ``"<gzip-compressed, 312 bytes>"`` or
    ``"<binary, 40 bytes>"``.
    """
    validate_instance_ids([instance_id])
    response = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
    encoded = response.get("UserData", {}).get("Value")
    if not encoded:
        return None
    return decode_user_data(encoded)


def decode_user_data(encoded: str) -> str:
    """Decode the base64 ``userData`` attribute into text, or an honest description of what it holds."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AwsError(f"The instance's user data is not valid base64 ({exc}).", "InvalidUserData") from exc
    if raw[:2] == b"\x1f\x8b":
        return f"<gzip-compressed, {len(raw)} bytes>"
    if len(raw) > USER_DATA_PREVIEW_LIMIT:
        return f"<{len(raw)} bytes: too large to show>"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<binary, {len(raw)} bytes>"
    if "\x00" in text:
        return f"<binary, {len(raw)} bytes>"
    return text
