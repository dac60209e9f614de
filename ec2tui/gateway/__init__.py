"""The one async facade screens talk to. Each area of EC2 has its own API object on :class:`Gateway`."""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway.core import GLOBAL, GatewayCore, RegionResult
from ec2tui.gateway.disk_cache import DiskCache
from ec2tui.gateway.instances import InstancesApi
from ec2tui.gateway.regions import RegionsApi

if TYPE_CHECKING:
    from ec2tui.gateway.accounts import Accounts
    from ec2tui.gateway.connect import ConnectApi
    from ec2tui.gateway.images import ImagesApi
    from ec2tui.gateway.launch import LaunchApi
    from ec2tui.gateway.pricing import PricingApi
    from ec2tui.gateway.templates import TemplatesApi

LATER_APIS = (
    "ec2tui.gateway.images",
    "ec2tui.gateway.launch",
    "ec2tui.gateway.pricing",
    "ec2tui.gateway.connect",
    "ec2tui.gateway.templates",
)
"""The areas the first screen (regions, counts) doesn't need: imported when first used or by :meth:`Gateway.warm_up`
(with the AWS modules behind them they were ~0.15 s of the start, before the first screen could ask anything)."""

_warm_up_lock = threading.Lock()
_warmed_up = False

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

    @cached_property
    def images(self) -> ImagesApi:
        from ec2tui.gateway.images import ImagesApi

        return ImagesApi(self.core)

    @cached_property
    def launch(self) -> LaunchApi:
        from ec2tui.gateway.launch import LaunchApi

        return LaunchApi(self.core)

    @cached_property
    def pricing(self) -> PricingApi:
        from ec2tui.gateway.pricing import PricingApi

        return PricingApi(self.core)

    @cached_property
    def connect(self) -> ConnectApi:
        from ec2tui.gateway.connect import ConnectApi

        return ConnectApi(self.core)

    @cached_property
    def templates(self) -> TemplatesApi:
        from ec2tui.gateway.templates import TemplatesApi

        return TemplatesApi(self.core)

    @staticmethod
    def warm_up() -> None:
        """Import the areas not used yet in a thread, once per process (first used on the event loop, their import
        would hold it up for as long)."""
        global _warmed_up
        with _warm_up_lock:
            if _warmed_up:
                return
            _warmed_up = True
        threading.Thread(target=_import_all, args=(LATER_APIS,), name="ec2tui-warm-up", daemon=True).start()

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
        if "pricing" in self.__dict__:  # made (and so holding prices) only once asked for one
            await self.pricing.forget()

    def close(self) -> None:
        self.core.close()


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)
