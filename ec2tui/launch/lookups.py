"""The launch form's reads from AWS (through the app's gateway), each for the form's own region.

Results land in the form's :class:`~ec2tui.launch.state.LaunchFormState`; a failure is recorded in
``state.load_errors`` and handed to ``on_failure`` (the screen notifies). No Textual: the screen runs these in its
workers and refreshes its sections afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ec2tui.aws.models.launch import ImageFacts
from ec2tui.errors import AwsError, Ec2TuiError
from ec2tui.launch.state import (
    KEYS_LOAD_ERROR,
    MINE_LOAD_ERROR,
    PROFILES_LOAD_ERROR,
    SUBNETS_LOAD_ERROR,
    VPCS_LOAD_ERROR,
    LaunchFormState,
    new_group,
)

FULL_AMI_ID = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")
_NOT_FOUND = ("NotFound", "InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable")


class LookupLoader:
    """Loads what the form's pickers offer. ``gateway`` is the app's gateway (typed loosely: the UI never imports
    ec2tui.gateway); every call passes ``state.region`` explicitly, so a form keeps to its region whatever the app's
    current region is."""

    def __init__(self, gateway: Any, state: LaunchFormState, on_failure: Callable[[str, Ec2TuiError], None]) -> None:
        self.gateway = gateway
        self.state = state
        self.on_failure = on_failure

    @property
    def region(self) -> str:
        return self.state.region

    def _failed(self, what: str, exc: Ec2TuiError) -> None:
        self.state.load_errors[what] = str(exc)
        self.on_failure(what, exc)

    async def quickstart(self, refresh: bool = False) -> None:
        try:
            images = await self.gateway.images.list("quickstart", self.region, refresh=refresh)
        except Ec2TuiError as exc:
            self.state.quickstart = ()
            self._failed("Quick Start images", exc)
        else:
            self.state.quickstart = tuple(images)

    async def my_images(self, refresh: bool = False) -> None:
        """The account's own AMIs (My AMIs); no notification on failure, the picker says so."""
        self.state.load_errors.pop(MINE_LOAD_ERROR, None)
        try:
            images = await self.gateway.images.list("mine", self.region, refresh=refresh)
        except Ec2TuiError as exc:
            self.state.my_images = ()
            self.state.load_errors[MINE_LOAD_ERROR] = str(exc)
        else:
            self.state.my_images = tuple(images)

    async def types(self, refresh: bool = False) -> None:
        self.state.load_errors.pop("types", None)
        try:
            self.state.types = await self.gateway.launch.instance_types(self.region, refresh=refresh)
            await self.offerings(refresh)
        except Ec2TuiError as exc:
            self._failed("types", exc)

    async def offerings(self, refresh: bool = False) -> None:
        launch = self.gateway.launch
        subnet = self.state.subnet(self.state.request.network.subnet_id)
        try:
            if subnet is not None:
                offered = await launch.offerings(
                    "availability-zone", subnet.availability_zone, self.region, refresh=refresh
                )
            else:
                offered = await launch.offerings(region=self.region, refresh=refresh)
        except Ec2TuiError:
            offered = frozenset()  # unknown: validation then doesn't check offerings
        self.state.offered = offered or None

    async def vpcs(self, refresh: bool = False) -> bool:
        """The VPCs; the default one chosen while none is. False when they couldn't be listed."""
        self.state.load_errors.pop(VPCS_LOAD_ERROR, None)
        try:
            self.state.vpcs = await self.gateway.launch.vpcs(self.region, refresh=refresh)
        except Ec2TuiError as exc:
            self.state.vpcs = None
            self._failed(VPCS_LOAD_ERROR, exc)
            return False
        network = self.state.request.network
        if not network.vpc_id:
            network.vpc_id = await self.vpc_of_choices(refresh)
        default = self.state.default_vpc()
        if not network.vpc_id and default is not None:
            network.vpc_id = default.vpc_id  # the console's default; a VPC id from elsewhere is kept and flagged
        return True

    async def vpc_of_choices(self, refresh: bool = False) -> str:
        """The VPC of the subnet or first security group a request names without its VPC (a launch template's
        network interface): "" when it names none, or they can't be listed (the default VPC applies then)."""
        request = self.state.request
        launch = self.gateway.launch
        try:
            if request.network.subnet_id:
                subnets = await launch.subnets(None, self.region, refresh=refresh)
                return next((s.vpc_id for s in subnets if s.subnet_id == request.network.subnet_id), "")
            if request.security_groups.existing_ids:
                groups = await launch.security_groups(None, self.region, refresh=refresh)
                first = request.security_groups.existing_ids[0]
                return next((g.vpc_id for g in groups if g.group_id == first), "")
        except Ec2TuiError:
            pass
        return ""

    async def vpc_children(self, refresh: bool = False) -> None:
        """The VPC's subnets and groups; a new group with SSH (RDP) proposed while the user chose none."""
        launch = self.gateway.launch
        state = self.state
        vpc_id = state.request.network.vpc_id or None
        state.load_errors.pop(SUBNETS_LOAD_ERROR, None)
        try:
            state.subnets = await launch.subnets(vpc_id, self.region, refresh=refresh)
            state.groups = await launch.security_groups(vpc_id, self.region, refresh=refresh) if vpc_id else []
        except Ec2TuiError as exc:
            self._failed(SUBNETS_LOAD_ERROR, exc)
            return
        spec = state.request.security_groups
        if "security_groups" not in state.touched and spec.new_group is None and not spec.existing_ids:
            windows = bool(state.facts and state.facts.is_windows)
            spec.new_group = new_group(state.groups, windows)  # the console's default: a new group with SSH

    async def keys(self, refresh: bool = False) -> None:
        self.state.load_errors.pop(KEYS_LOAD_ERROR, None)
        try:
            self.state.key_pairs = await self.gateway.launch.key_pairs(self.region, refresh=refresh)
        except Ec2TuiError as exc:
            self.state.key_pairs = None
            self._failed(KEYS_LOAD_ERROR, exc)  # the key pair picker becomes a text field

    async def profiles(self, refresh: bool = False) -> None:
        # No notification on failure: many users may launch but not list IAM; the section offers a text field.
        self.state.load_errors.pop(PROFILES_LOAD_ERROR, None)
        try:
            self.state.instance_profiles = await self.gateway.launch.instance_profiles(self.region, refresh=refresh)
        except Ec2TuiError as exc:
            self.state.instance_profiles = None
            self.state.load_errors[PROFILES_LOAD_ERROR] = str(exc)

    async def image(self, image_id: str, refresh: bool = False) -> ImageFacts | None:
        """The AMI's facts, or None with ``state.image_error`` saying why (not found, a failed read)."""
        state = self.state
        state.image_error = ""
        quick = state.quickstart_image(image_id) or state.my_image(image_id)
        try:
            if quick is not None:
                return ImageFacts.from_image(quick)
            return await self.gateway.launch.image_facts(image_id, self.region, refresh=refresh)
        except AwsError as exc:
            if exc.code in _NOT_FOUND:
                state.image_error = f"AMI {image_id} was not found in {self.region}: {exc}"
            else:
                state.image_error = f"Could not look up {image_id}: {exc}"
        except Ec2TuiError as exc:
            state.image_error = f"Could not look up {image_id}: {exc}"
        return None
