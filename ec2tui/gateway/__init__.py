"""The one async facade screens talk to. Each area of EC2 has its own API object on :class:`Gateway`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway.connect import ConnectApi
from ec2tui.gateway.core import GLOBAL, GatewayCore, RegionResult
from ec2tui.gateway.disk_cache import DiskCache
from ec2tui.gateway.images import ImagesApi
from ec2tui.gateway.instances import InstancesApi
from ec2tui.gateway.launch import LaunchApi
from ec2tui.gateway.pricing import PricingApi
from ec2tui.gateway.regions import RegionsApi
from ec2tui.gateway.templates import TemplatesApi

if TYPE_CHECKING:
    from ec2tui.gateway.accounts import Accounts

__all__ = ["GLOBAL", "AwsTarget", "Gateway", "RegionResult"]


class Gateway:
    """Composes the per-area APIs over one :class:`GatewayCore` (threads, cache, read-only guard)."""

    def __init__(
        self,
        factory: ClientFactory,
        *,
        read_only: bool = False,
        ttl: float = 60.0,
        ready: Callable[[], object] | None = None,
        disk: DiskCache | None = None,
    ) -> None:
        self.core = GatewayCore(factory, read_only=read_only, ttl=ttl, ready=ready, disk=disk)
        self.regions = RegionsApi(self.core)
        self.instances = InstancesApi(self.core)
        self.images = ImagesApi(self.core)
        self.launch = LaunchApi(self.core)
        self.pricing = PricingApi(self.core)
        self.connect = ConnectApi(self.core)
        self.templates = TemplatesApi(self.core)

    @property
    def home_region(self) -> str:
        """The profile's own region (--region, AWS_REGION, the profile's ``region``): where the app starts."""
        return self.core.home_region

    @property
    def read_only(self) -> bool:
        return self.core.read_only

    @property
    def profile_name(self) -> str:
        return self.core.factory.profile_name

    @property
    def mutations(self) -> int:
        """How many state-changing calls this session has sent."""
        return self.core.mutations

    @property
    def busy(self) -> bool:
        """Whether an AWS call is still out in a worker thread."""
        return self.core.busy

    @property
    def chosen_profile(self) -> str | None:
        """The profile the user named (``--profile``/``AWS_PROFILE``); None for the default chain."""
        return self.core.factory.target.profile or os.environ.get("AWS_PROFILE") or None

    @property
    def endpoint_url(self) -> str | None:
        return self.core.factory.target.endpoint_url

    def as_accounts(self) -> Accounts:
        """This gateway as the app's pool of profiles: only its own (no other profile can be switched to)."""
        from ec2tui.gateway.accounts import Accounts

        return Accounts(self)

    async def refresh(self) -> None:
        """Forget every cached read (ctrl+r)."""
        await self.core.invalidate()
        await self.pricing.forget()

    def close(self) -> None:
        self.core.close()
