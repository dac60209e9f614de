"""Gateway facade for regions, instance counts and identity."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable
from typing import Any

from ec2tui.aws import regions as svc
from ec2tui.aws.models.regions import Identity, InstanceCounts, Region
from ec2tui.aws.xml_parsing import members_converted
from ec2tui.gateway.core import GLOBAL, GatewayCore, RegionResult
from ec2tui.gateway.disk_cache import REGIONS


class RegionsApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core

    async def list(
        self, *, refresh: bool = False, on_fresh: Callable[[builtins.list[Region]], object] | None = None
    ) -> list[Region]:
        """Every region with its opt-in status (cached for an hour).

        With ``on_fresh``, the list an earlier run of this profile stored on disk comes back at once, before AWS is
        asked (a slow link, the demo's server still starting), and ``on_fresh`` gets AWS's own list when it differs
        (a region opted in since).
        """
        factory = self.core.factory
        region = self.core.home_region
        return await self.core.cached(
            "regions",
            factory.target.profile or "-",
            lambda: svc.list_regions(factory.ec2(region)),
            region=GLOBAL,
            refresh=refresh,
            ttl=3600,
            persist=REGIONS if on_fresh is not None else None,
            revalidate=on_fresh,
        )

    async def instance_counts(self, region: str, *, refresh: bool = False) -> InstanceCounts:
        factory = self.core.factory
        return await self.core.cached(
            "instance-counts",
            None,
            lambda: count_instances_streamed(factory.ec2(region)),
            region=region,
            refresh=refresh,
        )

    def instance_counts_all(
        self, regions: builtins.list[str], *, refresh: bool = False
    ) -> AsyncIterator[RegionResult[InstanceCounts]]:
        """Counts for many regions, concurrently, yielded as each region answers."""
        return self.core.fan_out(regions, lambda r: self.instance_counts(r, refresh=refresh))

    async def alias(self, *, refresh: bool = False) -> str | None:
        """The account's alias (None without one, or without ``iam:ListAccountAliases``)."""
        factory = self.core.factory
        region = self.core.home_region
        return await self.core.cached(
            "identity-alias",
            None,
            lambda: svc.account_alias(factory.client("iam", region)),
            region=GLOBAL,
            refresh=refresh,
            ttl=3600,
        )

    async def identity(self, *, refresh: bool = False) -> Identity:
        factory = self.core.factory
        region = self.core.home_region
        return await self.core.cached(
            "identity",
            None,
            lambda: svc.caller_identity(factory.client("sts", region)),
            region=GLOBAL,
            refresh=refresh,
            ttl=3600,
        )


def _states_only(reservation: dict[str, Any]) -> dict[str, Any]:
    """A reservation with nothing but its instances' states: all a count reads."""
    instances = reservation.get("Instances", [])
    return {"Instances": [{"State": {"Name": i.get("State", {}).get("Name")}} for i in instances]}


def count_instances_streamed(ec2: Any) -> InstanceCounts:
    """:func:`~ec2tui.aws.regions.count_instances`, with a large page read a reservation at a time and only the
    states kept (a page of 1,000 instances parsed whole is some 30 MB of objects, and the interpreter keeps the
    memory of such a peak for good)."""
    with members_converted(_states_only):
        return svc.count_instances(ec2)
