"""Gateway facade for the launch form: cached pickers (instance types, offerings, VPCs, subnets, groups, key
pairs), validation against AWS facts, dry runs and CLI export (allowed read-only), and the launch itself."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from ec2tui.aws import cli_export
from ec2tui.aws import iam as iam_svc
from ec2tui.aws import instance_types as types_svc
from ec2tui.aws import launch as svc
from ec2tui.aws import launch_leftovers as svc_leftovers
from ec2tui.aws import network as net_svc
from ec2tui.aws.models.iam import InstanceProfile, profile_names
from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.aws.models.launch import (
    DryRunResult,
    FieldError,
    ImageFacts,
    IngressRule,
    LaunchContext,
    LaunchRequest,
    LaunchResult,
    blocking,
    to_run_instances_params,
)
from ec2tui.aws.models.launch_templates import TemplateSource, template_launch
from ec2tui.aws.models.launch_validation import validate
from ec2tui.aws.models.network import KeyPair, SecurityGroup, Subnet, Vpc
from ec2tui.errors import AwsError, Ec2TuiError, ReadOnlyError, ValidationError
from ec2tui.gateway.core import GatewayCore
from ec2tui.gateway.disk_cache import INSTANCE_TYPES, NAMES

T = TypeVar("T")

STATIC_TTL = 24 * 3600.0
"""Instance types and offerings change a few times a year; a full describe_instance_types takes seconds."""
IMAGE_TTL = 3600.0
_NOT_FOUND = ("NotFound", "InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable")


def _static(region: str) -> str:
    """Cache namespace for a region's static facts: not cleared when a launch invalidates the region's reads."""
    return f"{region}:static"


class LaunchApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core

    def _region(self, region: str | None) -> str:
        return self.core.region_of(region)

    # -- cached reads ------------------------------------------------------------------------------------------
    async def instance_types(self, region: str | None = None, *, refresh: bool = False) -> list[InstanceTypeInfo]:
        """Every instance type of the region, sorted by family then size (cached for a day, on disk too)."""
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "instance-types",
            None,
            lambda: types_svc.list_instance_types(factory.ec2(region)),
            region=_static(region),
            refresh=refresh,
            ttl=STATIC_TTL,
            persist=INSTANCE_TYPES,
        )

    async def instance_type(self, name: str, region: str | None = None) -> InstanceTypeInfo | None:
        return next((t for t in await self.instance_types(region) if t.name == name), None)

    async def offerings(
        self,
        location_type: str = "region",
        location: str | None = None,
        region: str | None = None,
        *,
        refresh: bool = False,
    ) -> frozenset[str]:
        """Names of the types offered in the region, or in one availability zone (cached for a day, on disk too)."""
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "instance-type-offerings",
            (location_type, location),
            lambda: types_svc.offered_types(factory.ec2(region), location_type, location),
            region=_static(region),
            refresh=refresh,
            ttl=STATIC_TTL,
            persist=NAMES,
        )

    async def vpcs(self, region: str | None = None, *, refresh: bool = False) -> list[Vpc]:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "vpcs", None, lambda: net_svc.list_vpcs(factory.ec2(region)), region=region, refresh=refresh
        )

    async def subnets(
        self, vpc_id: str | None = None, region: str | None = None, *, refresh: bool = False
    ) -> list[Subnet]:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "subnets", vpc_id, lambda: net_svc.list_subnets(factory.ec2(region), vpc_id), region=region, refresh=refresh
        )

    async def security_groups(
        self, vpc_id: str | None = None, region: str | None = None, *, refresh: bool = False
    ) -> list[SecurityGroup]:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "security-groups",
            vpc_id,
            lambda: net_svc.list_security_groups(factory.ec2(region), vpc_id),
            region=region,
            refresh=refresh,
        )

    async def key_pairs(self, region: str | None = None, *, refresh: bool = False) -> list[KeyPair]:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "key-pairs", None, lambda: net_svc.list_key_pairs(factory.ec2(region)), region=region, refresh=refresh
        )

    async def instance_profiles(self, region: str | None = None, *, refresh: bool = False) -> list[InstanceProfile]:
        """The account's IAM instance profiles (IAM is global; the region's client keeps its partition right)."""
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "instance-profiles",
            None,
            lambda: iam_svc.list_instance_profiles(factory.client("iam", region)),
            region=region,
            refresh=refresh,
        )

    async def image_facts(self, image_id: str, region: str | None = None, *, refresh: bool = False) -> ImageFacts:
        """Architecture, platform and root device of an AMI (call ``apply_image(request, facts)`` with it)."""
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "image-facts",
            image_id,
            lambda: svc.describe_image_facts(factory.ec2(region), image_id),
            region=region,
            refresh=refresh,
            ttl=IMAGE_TTL,
        )

    # -- validation, dry run, export ---------------------------------------------------------------------------
    async def context(self, request: LaunchRequest, region: str | None = None) -> LaunchContext:
        """The AWS facts validation checks the request against, fetched concurrently from the caches.

        A read that fails leaves its fact unknown (that check is skipped), except a missing AMI, which is reported.
        """
        region = self._region(region)
        vpc_id = request.network.vpc_id or None
        remote_errors: list[FieldError] = []

        async def attempt(call: Awaitable[T]) -> T | None:
            try:
                return await call
            except Ec2TuiError:
                return None

        async def image() -> ImageFacts | None:
            if not request.image_id.startswith("ami-"):
                return None
            try:
                return await self.image_facts(request.image_id, region)
            except AwsError as exc:
                if exc.code in _NOT_FOUND:
                    remote_errors.append(FieldError("image_id", f"AMI {request.image_id} was not found: {exc}"))
                return None
            except Ec2TuiError:
                return None

        async def default_vpc_id() -> str | None:
            if vpc_id:
                return vpc_id
            vpcs = await attempt(self.vpcs(region))
            return next((v.vpc_id for v in vpcs or () if v.is_default), None)

        async def groups() -> list[SecurityGroup] | None:
            target = await default_vpc_id()
            return await attempt(self.security_groups(target, region)) if target else None

        results: list[Any] = await asyncio.gather(
            image(),
            attempt(self.instance_type(request.instance_type, region)) if request.instance_type else _none(),
            attempt(self.offerings(region=region)),
            attempt(self.key_pairs(region)),
            attempt(self.vpcs(region)),
            attempt(self.subnets(vpc_id, region)),
            groups(),
            attempt(self.instance_profiles(region)) if request.advanced.iam_instance_profile else _none(),
        )
        facts, type_info, offered, keys, vpcs, subnets, security_groups, profiles = results
        return LaunchContext(
            image=facts,
            instance_type=type_info,
            offered_types=offered or None,  # moto and new regions may have no offerings data: don't refuse all
            key_pair_names=frozenset(k.name for k in keys) if keys is not None else None,
            vpcs=tuple(vpcs) if vpcs is not None else None,
            subnets=tuple(subnets) if subnets is not None else None,
            security_groups=tuple(security_groups) if security_groups is not None else None,
            instance_profiles=profile_names(profiles) if profiles is not None else None,
            remote_errors=tuple(remote_errors),
        )

    async def validate(self, request: LaunchRequest, region: str | None = None) -> list[FieldError]:
        """Local validation against the region's facts (no dry run). A new key pair / group whose name exists is
        checked the way the launch will: reused (a warning says so) when an earlier attempt left exactly it, else
        an error naming a free name."""
        region = self._region(region)
        context = await self.context(request, region)
        issues = validate(request, context)
        if not _creates_existing(request, context):
            return issues
        try:
            plan = await self.core.run(svc_leftovers.plan_reuse, self.core.factory.ec2(region), request)
        except ValidationError as exc:
            return [i for i in issues if i.field != exc.field] + [FieldError(exc.field, str(exc))]
        except Ec2TuiError:
            return issues
        notes = [FieldError(where, note, "warning") for where, note in plan.notes.items()]
        return validate(plan.request, context) + notes

    async def validate_remote(self, request: LaunchRequest, region: str | None = None) -> list[FieldError]:
        """Validation, then, if nothing blocks, a dry run whose refusal is reported as a form-level error
        (``field=""``). Changes nothing: allowed in read-only mode."""
        issues = await self.validate(request, region)
        if blocking(issues):
            return issues
        result = await self.dry_run(request, region, validate_first=False)
        if not result.ok:
            issues.append(FieldError("", f"AWS dry run refused the launch: {result.message}"))
        return issues

    async def dry_run(
        self, request: LaunchRequest, region: str | None = None, *, validate_first: bool = True
    ) -> DryRunResult:
        """Ask AWS whether the launch (and the key pair / group it creates) would succeed. Allowed read-only."""
        region = self._region(region)
        if validate_first:
            errors = blocking(await self.validate(request, region))
            if errors:
                return DryRunResult(False, f"Fix the form first: {errors[0].message}", "ValidationError")
        ec2 = self.core.factory.ec2(region)
        return await self.core.run(svc.dry_run_request, ec2, request)

    def params(self, request: LaunchRequest) -> dict[str, Any]:
        """The boto3 ``run_instances`` keyword arguments (a new group shows as NEW_GROUP_PLACEHOLDER)."""
        return to_run_instances_params(request)

    def cli_command(self, request: LaunchRequest, region: str | None = None) -> str:
        """``aws ec2 run-instances ...`` for the request. Pure: allowed read-only."""
        return cli_export.cli_command(to_run_instances_params(request), region=self._region(region))

    def template_cli_command(self, request: LaunchRequest, template: TemplateSource, region: str) -> str:
        """``aws ec2 run-instances`` launching from the template as the launch will (referenced or resolved)."""
        return cli_export.cli_command(template_launch(request, template).params, region=region)

    def cli_script(self, request: LaunchRequest, region: str | None = None) -> str:
        """A bash script creating the new key pair / group too, then launching."""
        return cli_export.cli_script(request, region=self._region(region))

    def json_export(self, request: LaunchRequest, region: str | None = None) -> cli_export.JsonExport:
        """What the review's `j` copies: the run_instances document, or every call in order when the launch creates
        a key pair or group (run_instances alone can't run then: the review shows the export's note)."""
        return cli_export.json_export(request, region=self._region(region))

    # -- mutations ---------------------------------------------------------------------------------------------
    async def launch(
        self, request: LaunchRequest, region: str | None = None, *, template: TemplateSource | None = None
    ) -> LaunchResult:
        """Validate against the region's facts, then create the key pair / group and launch (refused read-only).
        With ``template`` (the form was filled from one), the launch references it where it can (see
        :func:`~ec2tui.aws.models.launch_templates.template_launch`)."""
        region = self._region(region)
        if self.core.read_only:
            raise ReadOnlyError("Launch instances")  # before fetching anything; core.mutate would refuse too
        context = await self.context(request, region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Launch instances", svc.launch, ec2, request, context, template, invalidate=[region]
        )

    async def create_key_pair(self, name: str, key_type: str, directory: str, region: str | None = None) -> str:
        """Create a key pair and save its private key (0600); returns the file's path."""
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Create key pair", net_svc.create_key_pair, ec2, name, key_type, directory, invalidate=[region]
        )

    async def create_security_group(
        self, vpc_id: str | None, name: str, description: str, rules: list[IngressRule], region: str | None = None
    ) -> str:
        """Create a security group with exactly these inbound rules; returns its id."""
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Create security group",
            net_svc.create_security_group,
            ec2,
            vpc_id,
            name,
            description,
            rules,
            invalidate=[region],
        )


def _creates_existing(request: LaunchRequest, context: LaunchContext) -> bool:
    """Whether the request creates a key pair or group whose name the region's facts show taken already."""
    key = request.key_pair
    if key.choice == "new" and context.key_pair_names is not None and key.name in context.key_pair_names:
        return True
    group = request.security_groups.new_group
    name = group.name.strip().lower() if group is not None else ""
    return bool(name) and any(g.name.lower() == name for g in context.security_groups or ())


async def _none() -> None:
    return None
