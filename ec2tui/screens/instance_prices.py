"""The instances list's optional "$/h" column and the title's fleet total (`$` shows and hides both).

Each instance is priced On-Demand for its own platform (``PlatformDetails``), type and region through
``app.gateway.pricing``; the total adds the running instances that are listed (the filter applies). Spot instances
and types without a price show "—" and are counted apart. Nothing is asked of AWS while the column is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ec2tui.aws.models.instances import Instance, InstanceState
from ec2tui.aws.models.pricing import Platform, fleet_usd_per_hour, platform_for_image
from ec2tui.deferred import deferred
from ec2tui.launch.prices import NO_PRICE, hourly_text
from ec2tui.screens.list_screen import Column, PaletteCommand, action_command
from ec2tui.widgets.theme_colours import SUCCESS, bold

PRICE_COLUMN = Column("usd_hour", "$/h", priority=95, whole=True)
PRICE_BINDINGS = [Binding("dollar_sign", "toggle_prices", "$/h", key_display="$", show=False, id="instances.prices")]

PriceKey = tuple[str, str, str]
"""(region, instance type, platform label)."""


def price_key(instance: Instance) -> tuple[PriceKey, Platform] | None:
    """What prices an instance (None for a Spot instance or a platform the Price List can't name)."""
    if instance.lifecycle != "on-demand":
        return None
    platform = platform_for_image(instance.platform or None)
    if platform is None:
        return None
    return (instance.region, instance.instance_type, platform.label), platform


class InstancePrices:
    """Mixin for the instances screen (typed loosely: a mixin of a ListScreen)."""

    prices_shown: bool = False
    _prices: dict[PriceKey, float | None]
    _asked: set[PriceKey]

    def _price_state(self) -> tuple[dict[PriceKey, float | None], set[PriceKey]]:
        if not hasattr(self, "_prices"):
            self._prices, self._asked = {}, set()
        return self._prices, self._asked

    def with_price_column(self, columns: tuple[Column, ...]) -> tuple[Column, ...]:
        return (*columns, PRICE_COLUMN) if self.prices_shown else columns

    def price_cells(self, item: Instance) -> tuple[object, ...]:
        """The "$/h" cell when the column is shown (nothing otherwise)."""
        if not self.prices_shown:
            return ()
        prices, _ = self._price_state()
        found = price_key(item)
        usd = prices.get(found[0]) if found is not None else None
        return (Text(hourly_text(usd), justify="right", style="" if usd is not None else "dim"),)

    def price_title_parts(self) -> list[tuple[str, str]]:
        """`` $1.23/h running (2 without a price)`` for the listed running instances; asks for missing prices."""
        if not self.prices_shown:
            return []
        screen: Any = self
        running = [i for i in screen.visible_items() if i.state == InstanceState.RUNNING]
        self._ask_prices(screen.items)
        prices, _ = self._price_state()
        found = [price_key(i) for i in running]
        total, unknown = fleet_usd_per_hour(prices.get(f[0]) if f is not None else None for f in found)
        shown_total = hourly_text(total) if unknown < len(running) or not running else NO_PRICE
        text = f"  {shown_total}/h for {len(running)} running"
        if unknown and unknown < len(running):
            text += f" ({unknown} at {NO_PRICE})"
        hint = screen.ec2app.gateway.pricing.hint
        parts = [(text, bold(SUCCESS))]
        if hint:
            parts.append((f"  {hint}", "dim"))
        return parts

    def _ask_prices(self, items: Iterable[Instance]) -> None:
        _, asked = self._price_state()
        wanted: dict[PriceKey, Platform] = {}
        for item in items:
            found = price_key(item)
            if found is not None and found[0] not in asked:
                wanted[found[0]] = found[1]
        if not wanted:
            return
        asked.update(wanted)
        screen: Any = self
        screen.run_worker(deferred(self._load_prices, wanted), group="prices", exit_on_error=False)

    async def _load_prices(self, wanted: dict[PriceKey, Platform]) -> None:
        screen: Any = self
        pricing = screen.ec2app.gateway.pricing
        by_region: dict[str, list[tuple[str, Platform]]] = {}
        for (region, instance_type, _), platform in wanted.items():
            by_region.setdefault(region, []).append((instance_type, platform))
        prices, _ = self._price_state()
        for region, pairs in by_region.items():
            found = await pricing.hourly_prices(pairs, region=region)
            for (instance_type, label), usd in found.items():
                prices[(region, instance_type, label)] = usd
        screen.set_columns(screen.COLUMNS)  # the rows' cells are rebuilt with the prices
        screen.update_title()

    def action_toggle_prices(self) -> None:
        screen: Any = self
        self.prices_shown = not self.prices_shown
        base = tuple(c for c in screen.COLUMNS if c.key != PRICE_COLUMN.key)
        screen.set_columns(self.with_price_column(base))
        screen.update_title()

    def price_palette_commands(self) -> Iterable[PaletteCommand]:
        state = "Hide" if self.prices_shown else "Show"
        screen: Any = self  # a mixin of the instance screens
        yield action_command(
            screen,
            f"{state} prices ($/h)",
            "On-Demand $/h per instance, running total in the title ($)",
            "toggle_prices",
        )
