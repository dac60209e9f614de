"""Launching instances from a :class:`LaunchRequest`: facts about the AMI, dry runs, and the launch itself
(creating the new key pair and security group it asks for first)."""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from ec2tui.aws import launch_leftovers as leftovers
from ec2tui.aws.errors import CREDENTIAL_CODES, translate
from ec2tui.aws.models.launch import (
    DryRunResult,
    ImageFacts,
    LaunchContext,
    LaunchRequest,
    LaunchResult,
    blocking,
    to_run_instances_params,
)
from ec2tui.aws.models.launch_templates import TemplateSource, template_launch
from ec2tui.aws.models.launch_validation import validate
from ec2tui.errors import AwsError, DryRunIgnoredError, LaunchRollbackError, ReadOnlyError, ValidationError

__all__ = [
    "describe_image_facts",
    "dry_run",
    "dry_run_request",
    "image_facts_from_raw",
    "launch",
    "to_run_instances_params",
    "validate",
]


def image_facts_from_raw(raw: dict[str, Any]) -> ImageFacts:
    """ImageFacts from one ``describe_images`` entry."""
    root_name = raw.get("RootDeviceName", "")
    mappings = raw.get("BlockDeviceMappings") or []
    root = next((m for m in mappings if m.get("DeviceName") == root_name and "Ebs" in m), None)
    if root is None:
        root = next((m for m in mappings if "Ebs" in m), None)
    ebs = (root or {}).get("Ebs", {})
    return ImageFacts(
        image_id=raw["ImageId"],
        name=raw.get("Name", ""),
        description=raw.get("Description", ""),
        architecture=raw.get("Architecture", "x86_64"),
        # AWS sets Platform only for Windows; moto also returns "Linux/UNIX".
        platform="windows" if str(raw.get("Platform", "")).lower() == "windows" else "",
        root_device_type=raw.get("RootDeviceType", "ebs"),
        root_device_name=root_name,
        root_volume_size_gib=ebs.get("VolumeSize"),
        root_volume_type=ebs.get("VolumeType", ""),
        root_encrypted=bool(ebs.get("Encrypted", False)),
        state=raw.get("State", "available"),
    )


def describe_image_facts(ec2: Any, image_id: str) -> ImageFacts:
    """What the launch needs to know about one AMI (architecture, platform, root device and snapshot size)."""
    images = ec2.describe_images(ImageIds=[image_id]).get("Images", [])
    if not images:
        raise AwsError(f"The AMI {image_id} does not exist in this region or is not shared with you.", "NotFound")
    return image_facts_from_raw(images[0])


def _dry_run_call(call: Any, **kwargs: Any) -> DryRunResult:
    """AWS's answer to ``call(DryRun=True, ...)``. An answer without ``DryRunOperation`` means the endpoint ignored
    DryRun: the client's hook raises :class:`DryRunIgnoredError` for it, and that (like expired credentials, whose
    message the gateway words for the profile in use) is raised, not turned into a verdict on the launch."""
    try:
        call(DryRun=True, **kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "DryRunOperation":
            return DryRunResult(True, "The request would have succeeded.", code)
        if code in CREDENTIAL_CODES:
            raise
        if code == "UnauthorizedOperation":
            return DryRunResult(False, f"You are not allowed to do this: {translate(exc)}", code)
        return DryRunResult(False, str(translate(exc)), code)
    except (DryRunIgnoredError, ReadOnlyError):
        raise
    except Exception as exc:
        error = translate(exc)
        return DryRunResult(False, str(error), error.code)
    raise DryRunIgnoredError(call.__name__, "the endpoint")  # a client without ec2tui's hooks got here


def dry_run(ec2: Any, params: dict[str, Any]) -> DryRunResult:
    """Ask AWS whether ``run_instances(**params)`` would succeed, without launching anything.

    ``DryRunOperation`` is AWS's "yes"; ``UnauthorizedOperation`` or any other error comes back as the message.
    """
    return _dry_run_call(ec2.run_instances, **params)


def dry_run_request(ec2: Any, request: LaunchRequest) -> DryRunResult:
    """Dry-run every call the launch would make: creating the new key pair and security group, then
    ``run_instances`` (without the resources that don't exist yet). A key pair / group an earlier attempt left is
    checked as the launch would reuse it."""
    try:
        request = leftovers.plan_reuse(ec2, request).request
    except ValidationError as exc:
        return DryRunResult(False, str(exc), "AlreadyExists")
    key = request.key_pair
    if key.choice == "new" and key.name:
        result = _dry_run_call(ec2.create_key_pair, KeyName=key.name, KeyType=key.key_type)
        if not result.ok:
            return DryRunResult(False, f"Creating key pair {key.name}: {result.message}", result.code)
    new_group = request.security_groups.new_group
    if new_group is not None:
        kwargs: dict[str, Any] = {"GroupName": new_group.name, "Description": new_group.description}
        if request.network.vpc_id:
            kwargs["VpcId"] = request.network.vpc_id
        result = _dry_run_call(ec2.create_security_group, **kwargs)
        if not result.ok:
            return DryRunResult(False, f"Creating security group {new_group.name}: {result.message}", result.code)
    return dry_run(ec2, to_run_instances_params(request, include_new_resources=False))


def _raise_if_invalid(request: LaunchRequest, context: LaunchContext | None) -> None:
    errors = blocking(validate(request, context))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise ValidationError(f"{first.message}{more}", first.field)


def launch(
    ec2: Any, request: LaunchRequest, context: LaunchContext | None = None, template: TemplateSource | None = None
) -> LaunchResult:
    """Validate, create the new key pair and security group if asked, then ``run_instances``.

    A new key pair / group that an earlier failed attempt left in AWS is reused when it is exactly what would be
    created (see :func:`launch_leftovers.plan_reuse`); another clash is a ValidationError naming a free name.
    Nothing is created when validation finds an error (ValidationError). If ``run_instances`` fails, the key pair
    and security group created for it are deleted again (the key file only once its key pair is gone); whatever
    can't be deleted is named in a :class:`LaunchRollbackError`, so the form can be corrected and submitted again.
    """
    plan = leftovers.plan_reuse(ec2, request)
    request = plan.request
    _raise_if_invalid(request, context)
    key = request.key_pair
    group = request.security_groups.new_group
    key_file: str | None = None
    group_id: str | None = None
    try:
        if key.choice == "new":
            key_file = leftovers.create_key_pair(ec2, key)
        if group is not None:
            group_id = leftovers.create_security_group(ec2, request.network.vpc_id or None, group)
            leftovers.add_rules(ec2, group_id, group.rules)
        # One token for this launch: a retry after a lost answer cannot start the instances twice.
        params = (
            to_run_instances_params(request, new_group_id=group_id)
            if template is None
            else template_launch(request, template, new_group_id=group_id).params  # the template + overrides
        )
        response = ec2.run_instances(**params, ClientToken=str(uuid.uuid4()))
    except BaseException as exc:
        left = leftovers.roll_back(
            ec2,
            key_name=key.name if key_file is not None else None,
            key_file=key_file,
            group_id=group_id,
            group_name=group.name.strip() if group is not None else "",
        )
        if left and isinstance(exc, Exception):
            cause = translate(exc)
            raise LaunchRollbackError(str(cause), tuple(left), ec2.meta.region_name, cause.code) from exc
        raise
    ids = tuple(i["InstanceId"] for i in response.get("Instances", []))
    return LaunchResult(
        instance_ids=ids, key_file=key_file or plan.key_file, security_group_id=group_id or plan.group_id
    )
