"""Gateway facade for prices: On-Demand and EBS from the Price List (cached in memory and on disk for a day per
region), Spot from EC2 (cached for minutes). A price that cannot be had is None, never an error: the UI shows "—"
and :attr:`PricingApi.hint` says why, once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from ec2tui.aws import pricing as svc
from ec2tui.aws.models.pricing import EbsPrices, InstancePrice, Platform, SpotPrice, platform_for_image
from ec2tui.errors import AwsError, CredentialsError, EndpointError
from ec2tui.gateway.core import GatewayCore
from ec2tui.gateway.price_cache import MISSING, PRICE_TTL, PriceDiskCache, default_cache_dir

T = TypeVar("T")
log = logging.getLogger(__name__)

SPOT_TTL = 300.0
"""Spot prices move through the day: minutes in memory, never on disk."""

DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})
DENIED_PAUSE = 3600.0
"""After an AccessDenied, ask again only after this long (or after ctrl+r): every row would be refused alike."""
OFFLINE_PAUSE = 60.0
"""After a failure to reach the endpoint, this long: each new try would wait for the timeouts again."""

__all__ = ["PricingApi", "platform_for_image"]


class PricingApi:
    def __init__(
        self,
        core: GatewayCore,
        *,
        cache_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``cache_dir`` defaults to the user's cache directory against AWS, and to no disk cache against another
        endpoint (the demo's or a local emulator's prices are not AWS's)."""
        self.core = core
        self.clock = clock
        if cache_dir is None and core.factory.target.endpoint_url is None:
            cache_dir = default_cache_dir()
        self.disk = PriceDiskCache(cache_dir, clock=clock) if cache_dir is not None else None
        self.hint: str | None = None
        """Why some price is unknown ("—"), in one sentence; None while every price asked for was found."""
        self._paused_until: dict[str, float] = {}
        self._tables: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}
        """Whole price tables loaded this session, by (region, operation), with when: single prices come from them."""

    def _region(self, region: str | None) -> str:
        return self.core.region_of(region)

    # -- reads ---------------------------------------------------------------------------------------------------
    async def instance_price(
        self, instance_type: str, platform: Platform, region: str | None = None, *, refresh: bool = False
    ) -> InstancePrice | None:
        """The On-Demand price of one type (None: unknown, or not sold there: see :attr:`hint`)."""
        region = self._region(region)
        table = await self._cached_table(region, platform)
        if table is not None:  # the whole region's prices: a type missing there is not sold there
            usd = table.get(instance_type)
            return None if usd is None else InstancePrice(instance_type, region, platform.label, usd)
        key = f"od:{platform.operation}:{instance_type}"

        def load() -> float | None:
            found = svc.instance_price(self._pricing(), region, instance_type, platform)
            return None if found is None else found.usd_per_hour

        usd = await self._price_list(key, region, load, _decode_hourly, refresh=refresh)
        return None if usd is None else InstancePrice(instance_type, region, platform.label, usd)

    async def hourly_prices(
        self, wanted: Iterable[tuple[str, Platform]], region: str | None = None
    ) -> dict[tuple[str, str], float | None]:
        """USD per hour of each (instance type, platform) pair, asked concurrently, keyed by (type, platform label):
        for the instances list's "$/h" column and its fleet total, where platforms are mixed."""
        pairs = list(dict.fromkeys(wanted))
        found = await asyncio.gather(*(self.instance_price(t, p, region) for t, p in pairs))
        return {
            (t, p.label): None if price is None else price.usd_per_hour
            for (t, p), price in zip(pairs, found, strict=True)
        }

    async def instance_prices(
        self, platform: Platform, region: str | None = None, *, refresh: bool = False
    ) -> dict[str, float] | None:
        """Every type's On-Demand USD per hour in the region for ``platform`` (the type picker sorts by it)."""
        region = self._region(region)
        table = await self._price_list(
            f"od-all:{platform.operation}",
            region,
            lambda: svc.instance_prices(self._pricing(), region, platform),
            _decode_table,
            refresh=refresh,
        )
        if table is not None:
            self._tables[(region, platform.operation)] = (self.clock(), table)
        return table

    async def ebs_prices(self, region: str | None = None, *, refresh: bool = False) -> EbsPrices | None:
        region = self._region(region)
        return await self._price_list(
            "ebs",
            region,
            lambda: svc.ebs_prices(self._pricing(), region),
            EbsPrices.from_json,
            encode=EbsPrices.to_json,
            refresh=refresh,
        )

    async def spot_prices(
        self, instance_types: Iterable[str], platform: Platform, region: str | None = None, *, refresh: bool = False
    ) -> dict[str, tuple[SpotPrice, ...]] | None:
        """The current Spot price per zone of each type; no types means every type in the region (the picker's
        case: one paged call, not a list of 800 names). An empty dict where Spot has no such platform."""
        region = self._region(region)
        description = platform.spot_description
        if description is None:
            return {}
        types = tuple(sorted(set(instance_types)))
        factory = self.core.factory
        return await self._guarded(
            "spot",
            lambda: self.core.cached(
                "spot-prices",
                (description, types),
                lambda: svc.spot_prices(factory.ec2(region), description, types),
                region=region,
                refresh=refresh,
                ttl=SPOT_TTL,
            ),
        )

    async def forget(self) -> None:
        """After ctrl+r: ask again at once where a permission or the network was missing (the disk stays)."""
        self._paused_until.clear()
        self._tables.clear()
        self.hint = None

    # -- plumbing --------------------------------------------------------------------------------------------------
    def _pricing(self) -> Any:
        return self.core.factory.client("pricing", svc.PRICING_REGION)

    async def _cached_table(self, region: str, platform: Platform) -> dict[str, float] | None:
        """The region's whole price table if it was loaded already (memory or disk); never asks AWS."""
        loaded = self._tables.get((region, platform.operation))
        if loaded is not None and self.clock() - loaded[0] < PRICE_TTL:
            return loaded[1]
        disk = self.disk
        if disk is None:
            return None
        table = await self.core.run(_stored, disk, region, f"od-all:{platform.operation}", _decode_table)
        return table if isinstance(table, dict) else None

    async def _price_list(
        self,
        key: str,
        region: str,
        load: Callable[[], T],
        decode: Callable[[Any], T],
        *,
        encode: Callable[[T], Any] = lambda value: value,
        refresh: bool,
    ) -> T | None:
        """A Price List answer, from memory, else disk, else AWS (then saved to both). ``decode`` turns what the
        disk holds back into the value and raises on anything else (a hand-edited or foreign file)."""
        disk = self.disk

        def from_disk_or_aws() -> T:
            if disk is not None and not refresh:
                stored = _stored(disk, region, key, decode)
                if stored is not MISSING:
                    return cast(T, stored)
            value = load()
            if disk is not None:
                disk.put(region, key, encode(value))
            return value

        return await self._guarded(
            "pricing",
            lambda: self.core.cached("prices", key, from_disk_or_aws, region=region, refresh=refresh, ttl=PRICE_TTL),
        )

    async def _guarded(self, source: str, call: Callable[[], Awaitable[T]]) -> T | None:
        """Run ``call``; on an AWS failure return None and set the hint, and pause that source for a while."""
        if self._paused_until.get(source, 0.0) > self.clock():
            return None
        try:
            return await call()
        except AwsError as exc:
            self.hint = self.hint or _hint(source, exc)
            pause = DENIED_PAUSE if _denied(exc) else OFFLINE_PAUSE if isinstance(exc, EndpointError) else 0.0
            if pause:
                self._paused_until[source] = self.clock() + pause
            return None


def _stored(disk: PriceDiskCache, region: str, key: str, decode: Callable[[Any], T]) -> Any:
    """The decoded value on disk, or MISSING (also for a value that does not decode)."""
    value = disk.get(region, key)
    if value is MISSING:
        return MISSING
    try:
        return decode(value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.debug("Ignoring the stored prices %s/%s: %s", region, key, exc)
        return MISSING


def _decode_table(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise TypeError("not a table")
    return {str(name): float(usd) for name, usd in raw.items()}


def _decode_hourly(raw: Any) -> float | None:
    return None if raw is None else float(raw)


def _denied(exc: AwsError) -> bool:
    return exc.code in DENIED_CODES and not isinstance(exc, CredentialsError)


def _hint(source: str, exc: AwsError) -> str:
    if _denied(exc):
        permission = "pricing:GetProducts" if source == "pricing" else "ec2:DescribeSpotPriceHistory"
        return f'Prices show as "—": this identity lacks {permission}.'
    if isinstance(exc, EndpointError):
        endpoint = "the AWS Price List API" if source == "pricing" else "EC2"
        return f'Prices show as "—": cannot reach {endpoint} (offline?). ctrl+r tries again.'
    return f'Prices show as "—": {exc}'
