"""Gateway facade for instances: cached reads (short TTL, states change), fan-out listing, and state changes."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from ec2tui.aws import heap
from ec2tui.aws import instance_actions as actions
from ec2tui.aws import instances as svc
from ec2tui.aws.models.instances import Instance, InstanceDetail, StateChange
from ec2tui.aws.xml_parsing import members_converted
from ec2tui.gateway.core import GatewayCore, RegionResult, on_event_loop

INSTANCES_TTL = 15.0
"""Seconds a region's instance list stays cached: short, as instance states change on their own."""


def _as_is(reservation: dict[str, Any]) -> dict[str, Any]:
    return reservation


class InstancesApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core

    def _region(self, region: str | None) -> str:
        return self.core.region_of(region)

    async def list(
        self,
        region: str | None = None,
        *,
        refresh: bool = False,
        on_page: Callable[[list[Instance]], object] | None = None,
    ) -> list[Instance]:
        """The region's instances (terminated included), cached for :data:`INSTANCES_TTL` seconds.

        ``on_page`` is called on the event loop with each ``describe_instances`` page (parsed in the worker thread)
        as it arrives, when this call asks AWS; the whole list (sorted) is what it returns and what the cache keeps,
        so later reads are instant. A cached answer, or one shared with a load already under way, comes whole.
        """
        region = self._region(region)
        factory = self.core.factory
        page_arrived = on_event_loop(on_page) if on_page is not None else None

        def loader() -> list[Instance]:
            # A page's XML is read a reservation at a time (its whole tree is never held beside its dictionaries).
            with members_converted(_as_is):
                if page_arrived is None:
                    instances = svc.list_instances(factory.ec2(region), region)
                else:
                    instances = svc.list_instances(factory.ec2(region), region, on_page=page_arrived)
            heap.after_big_answer(len(instances))  # the pages' buffers are garbage now
            return instances

        return await self.core.cached("instances", None, loader, region=region, refresh=refresh, ttl=INSTANCES_TTL)

    def list_all_regions(
        self, regions: Iterable[str], *, refresh: bool = False
    ) -> AsyncIterator[RegionResult[builtins.list[Instance]]]:
        """Every region's instances, fetched concurrently and yielded as each region answers (errors included)."""
        return self.core.fan_out(list(regions), lambda r: self.list(r, refresh=refresh))

    async def detail(self, instance_id: str, region: str | None = None, *, refresh: bool = False) -> InstanceDetail:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "instance-detail",
            instance_id,
            lambda: svc.instance_detail(factory.ec2(region), instance_id, region),
            region=region,
            refresh=refresh,
            ttl=INSTANCES_TTL,
        )

    async def user_data(self, instance_id: str, region: str | None = None, *, refresh: bool = False) -> str | None:
        """Decoded user data, ``None`` when there is none (it only changes while stopped: the default TTL)."""
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "instance-user-data",
            instance_id,
            lambda: svc.user_data(factory.ec2(region), instance_id),
            region=region,
            refresh=refresh,
        )

    # -- state changes (refused in read-only mode; each invalidates the region's cached reads) ---------------------
    async def start(self, instance_ids: Iterable[str], region: str | None = None) -> builtins.list[StateChange]:
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Start instances", actions.start_instances, ec2, list(instance_ids), invalidate=[region]
        )

    async def stop(
        self, instance_ids: Iterable[str], region: str | None = None, *, force: bool = False
    ) -> builtins.list[StateChange]:
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Force stop instances" if force else "Stop instances",
            actions.stop_instances,
            ec2,
            list(instance_ids),
            force=force,
            invalidate=[region],
        )

    async def reboot(self, instance_ids: Iterable[str], region: str | None = None) -> builtins.list[StateChange]:
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Reboot instances", actions.reboot_instances, ec2, list(instance_ids), invalidate=[region]
        )

    async def terminate(self, instance_ids: Iterable[str], region: str | None = None) -> builtins.list[StateChange]:
        """Terminate: the caller must have checked :func:`~ec2tui.aws.instance_actions.terminate_confirmation_ok`."""
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        return await self.core.mutate(
            "Terminate instances", actions.terminate_instances, ec2, list(instance_ids), invalidate=[region]
        )

    async def set_termination_protection(self, instance_id: str, enabled: bool, region: str | None = None) -> None:
        region = self._region(region)
        ec2 = self.core.factory.ec2(region, change=True)
        title = "Turn termination protection on" if enabled else "Turn termination protection off"
        await self.core.mutate(
            title, actions.set_termination_protection, ec2, instance_id, enabled, invalidate=[region]
        )
