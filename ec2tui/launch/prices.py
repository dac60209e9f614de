"""Prices in the launch form: which billing platform the form's AMI has, the chosen type's price, the type picker's
price table and the review's estimate. Every read goes through ``app.gateway.pricing`` with the form's region; a
price that cannot be had is None and shows as "—" (the gateway's one-sentence hint says why). No Textual."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.aws.models.pricing import (
    HOURS_PER_MONTH,
    LINUX,
    WINDOWS,
    CostEstimate,
    EbsPrices,
    Platform,
    SpotPrice,
    VolumeSpec,
    cheapest_spot,
    estimate_cost,
    platform_for_image,
)
from ec2tui.launch.state import LaunchFormState

NO_PRICE = "—"


def hourly_text(usd: float | None) -> str:
    """``$0.0104`` (four decimals: small types cost fractions of a cent an hour), or "—"."""
    return NO_PRICE if usd is None else f"${usd:,.4f}"


def monthly_text(usd: float | None) -> str:
    return NO_PRICE if usd is None else f"${usd:,.2f}"


def form_platform(state: LaunchFormState) -> Platform | None:
    """The billing platform of the form's AMI: the catalog's ``PlatformDetails`` when the AMI is listed there,
    else Windows or Linux/UNIX from its facts; Linux/UNIX while no AMI is known (the console's default too).
    None for a platform the Price List cannot name (the price then shows as "—")."""
    image_id = state.request.image_id
    image = state.quickstart_image(image_id) or state.my_image(image_id)
    if image is not None:
        return platform_for_image(image.platform_details)
    facts = state.facts if state.facts and state.facts.image_id == image_id else None
    return WINDOWS if facts is not None and facts.is_windows else LINUX


@dataclass(frozen=True)
class TypePrice:
    """What the form shows beside the chosen type."""

    instance_type: str
    platform: str
    on_demand: float | None
    spot: SpotPrice | None
    hint: str | None = None

    def text(self) -> str:
        if self.on_demand is None and self.spot is None:
            return f"Price ({self.platform}): {NO_PRICE}" + (f" · {self.hint}" if self.hint else "")
        parts = [
            f"On-Demand {self.platform}: {hourly_text(self.on_demand)}/h",
            f"{monthly_text(None if self.on_demand is None else self.on_demand * HOURS_PER_MONTH)}/month "
            f"({HOURS_PER_MONTH} h)",
        ]
        spot = self.spot
        parts.append(
            f"Spot {hourly_text(spot.usd_per_hour)}/h in {spot.zone}" if spot else f"Spot {NO_PRICE}",
        )
        text = " · ".join(parts)
        return f"{text} · {self.hint}" if self.hint else text


@dataclass(frozen=True)
class PickerPrices:
    """The type picker's price columns: On-Demand by type, the cheapest current Spot price by type."""

    platform: str
    on_demand: Mapping[str, float] = field(default_factory=dict)
    spot: Mapping[str, SpotPrice] = field(default_factory=dict)
    hint: str | None = None

    def hourly(self, name: str) -> float | None:
        return self.on_demand.get(name)


async def type_price(gateway: Any, state: LaunchFormState) -> TypePrice | None:
    """The On-Demand and cheapest Spot price of the form's type in the form's region (None: no type chosen)."""
    name = state.request.instance_type
    if not name:
        return None
    platform = form_platform(state)
    if platform is None:
        return TypePrice(name, "this AMI's platform", None, None, "the Price List has no product for it")
    pricing = gateway.pricing
    found = await pricing.instance_price(name, platform, region=state.region)
    spots = await pricing.spot_prices([name], platform, region=state.region)
    spot = cheapest_spot((spots or {}).get(name, ()))
    return TypePrice(name, platform.label, None if found is None else found.usd_per_hour, spot, pricing.hint)


async def picker_prices(gateway: Any, region: str, platform: Platform | None) -> PickerPrices:
    """Every type's price in ``region`` for ``platform`` (the whole table: the picker sorts by it)."""
    if platform is None:
        return PickerPrices("this AMI's platform", hint="The Price List has no product for this AMI's platform.")
    pricing = gateway.pricing
    on_demand = await pricing.instance_prices(platform, region=region)
    spots = await pricing.spot_prices((), platform, region=region)
    cheapest = {name: best for name, prices in (spots or {}).items() if (best := cheapest_spot(prices)) is not None}
    return PickerPrices(platform.label, dict(on_demand or {}), cheapest, pricing.hint)


def launch_volumes(request: LaunchRequest, state: LaunchFormState) -> list[VolumeSpec]:
    """The EBS volumes of one instance, as priced: the root's size falls back to the AMI's snapshot size; a size
    still typed wrong is left out (the form flags it)."""
    facts = state.facts if state.facts and state.facts.image_id == request.image_id else None
    volumes: list[VolumeSpec] = []
    specs = [request.root_volume] if request.root_volume.device_name else []
    specs += request.volumes
    for index, spec in enumerate(specs):
        size = spec.size_gib
        if size is None and index == 0 and request.root_volume.device_name and facts is not None:
            size = facts.root_volume_size_gib
        if not isinstance(size, int) or isinstance(size, bool):
            continue
        iops = spec.iops if isinstance(spec.iops, int) else None
        throughput = spec.throughput if isinstance(spec.throughput, int) else None
        volumes.append(VolumeSpec(spec.volume_type, size, iops, throughput))
    return volumes


def instance_count(request: LaunchRequest) -> int:
    """The count the estimate uses: the most instances the launch can start."""
    high = request.max_count
    return high if isinstance(high, int) and not isinstance(high, bool) and high > 0 else 1


@dataclass(frozen=True)
class LaunchEstimate:
    estimate: CostEstimate
    platform: str
    count: int
    spot: SpotPrice | None
    hint: str | None


async def launch_estimate(gateway: Any, request: LaunchRequest, state: LaunchFormState) -> LaunchEstimate:
    """The review's estimate for ``request`` in the form's region."""
    platform = form_platform(state)
    pricing = gateway.pricing
    hourly: float | None = None
    spot: SpotPrice | None = None
    if platform is not None and request.instance_type:
        found = await pricing.instance_price(request.instance_type, platform, region=state.region)
        hourly = None if found is None else found.usd_per_hour
        if request.advanced.purchasing == "spot":
            spots = await pricing.spot_prices([request.instance_type], platform, region=state.region)
            spot = cheapest_spot((spots or {}).get(request.instance_type, ()))
    volumes = launch_volumes(request, state)
    ebs: EbsPrices | None = await pricing.ebs_prices(region=state.region) if volumes else None
    count = instance_count(request)
    label = platform.label if platform is not None else "this AMI's platform"
    estimate = estimate_cost(count, hourly, volumes, ebs, platform=label, region=state.region)
    return LaunchEstimate(estimate, label, count, spot, pricing.hint)


def estimate_lines(found: LaunchEstimate) -> list[str]:
    """The review's cost block, line by line (the assumptions last, in one line)."""
    estimate = found.estimate
    lines = [f"  {line.label}: {monthly_text(line.usd_per_month)}/month" for line in estimate.lines]
    total = f"{monthly_text(estimate.usd_per_month)}/month ({hourly_text(estimate.usd_per_hour)}/h)"
    if estimate.missing:
        lines.append(f"  Total, without {', '.join(estimate.missing)} ({NO_PRICE}): {total}")
    else:
        lines.append(f"  Total: {total}")
    if found.spot is not None:
        lines.append(
            f"  Spot requested: the instances are billed at the Spot price instead, now "
            f"{hourly_text(found.spot.usd_per_hour)}/h in {found.spot.zone}."
        )
    lines.append(f"  Assumes: {estimate.assumptions}")
    if found.hint:
        lines.append(f"  {found.hint}")
    return lines
