"""The opening screen: every region with its opt-in status and a per-region instance count."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ec2tui import settings
from ec2tui.aws.models.regions import InstanceCounts, Region
from ec2tui.deferred import deferred
from ec2tui.list_query import RowsSnapshot
from ec2tui.screens.list_screen import Column, ListScreen, PaletteCommand, action_command
from ec2tui.widgets.theme_colours import ERROR, INFO, MUTED, SUCCESS, bold

OPT_IN_STYLE = {"opt-in-not-required": SUCCESS, "opted-in": INFO, "not-opted-in": MUTED}


class RegionsScreen(ListScreen[Region]):
    NOUN = "regions"
    COPY_WHAT = "region name"
    FOLLOWS_REGION = False
    WARM_UP = ("ec2tui.screens.instances", "ec2tui.screens.amis")  # opened next: imported while the user reads this
    # At 80 columns the counts stay (they are the point of this screen); the location and opt-in status give way.
    COLUMNS = (
        Column("current", " ", 1, priority=0),
        Column("name", "Region", priority=10, whole=True),
        Column("description", "Location", priority=60, min_width=12, max_width=28),
        Column("opt_in", "Opt-in status", priority=50, min_width=10, max_width=20),
        Column("instances", "Instances", priority=20, whole=True, justify="right"),
        Column("running", "Running", priority=30, whole=True, justify="right"),
    )
    BINDINGS = [
        Binding("enter", "use_region", "Use region", show=True, priority=False, id="regions.use"),
        Binding("c", "copy", "Copy name", id="list.copy"),
    ]

    def __init__(self) -> None:
        super().__init__(id="regions")
        self.counts: dict[str, InstanceCounts | str] = {}

    def screen_title(self) -> str:
        return "Regions"

    async def fetch(self, refresh: bool) -> list[Region]:
        if refresh:
            self.counts.clear()
            return await self.ec2app.gateway.regions.list(refresh=True)
        # The list an earlier run stored shows at once; AWS's own replaces it if it differs.
        generation, gateway = self._load_generation, self.ec2app.gateway
        return await gateway.regions.list(on_fresh=lambda fresh: self._fresh_list(generation, gateway, fresh))

    def _fresh_list(self, generation: int, gateway: object, regions: list[Region]) -> None:
        if generation == self._load_generation and gateway is self.ec2app.gateway and self.is_attached:
            self.set_items(regions)

    def set_items(self, items: Iterable[Region]) -> None:
        first_load = not self.items
        by_name = {region.name: region for region in items}  # the settings' favourite regions first
        favourites = settings.current().favourite_regions
        items = [by_name[name] for name in settings.favourites_first(list(by_name), favourites)]
        super().set_items(items)
        self.ec2app.region_names = sorted(r.name for r in items if r.enabled)
        if first_load:
            self.select_key(self.ec2app.region)
        self.run_worker(
            deferred(self._load_counts, self.refreshing), exclusive=True, group="counts", exit_on_error=False
        )

    async def _load_counts(self, refresh: bool) -> None:
        """Counts arrive concurrently; each row fills in as its region answers."""
        enabled = [r.name for r in self.items if r.enabled and r.name not in self.counts]
        try:
            async for result in self.ec2app.gateway.regions.instance_counts_all(enabled, refresh=refresh):
                self.counts[result.region] = result.value if result.value is not None else f"error: {result.error}"
                self._show_counts(result.region)
            super().warm_up()
        except Exception as exc:
            # A bug, not AWS: the rows still waiting say "error" rather than "…" for good; the app reports it.
            for name in enabled:
                if name not in self.counts:
                    self.counts[name] = f"error: {type(exc).__name__}: {exc}"
                    self._show_counts(name)
            raise

    def warm_up(self) -> None:
        """Not as soon as the list is in but once its counts are (above): imports in a thread take turns with the
        event loop for the interpreter, and during the counts' fan-out they doubled its pauses (88 ms measured)."""

    def _show_counts(self, name: str) -> None:
        region = self._by_key.get(name)
        if region is not None:
            self.update_item(region)

    def key_of(self, item: Region) -> str:
        return item.name

    def row(self, item: Region) -> tuple[object, ...]:
        current = "●" if item.name == self.ec2app.region else ""
        counts = self.counts.get(item.name)
        if not item.enabled:
            total, running = Text("not enabled", style="dim"), Text("")
        elif counts is None:
            total, running = Text("…", style="dim"), Text("")
        elif isinstance(counts, str):
            total, running = Text("error", style=bold(ERROR)), Text("")
        else:
            total, running = Text(str(counts.total), justify="right"), Text(str(counts.running), justify="right")
        return (
            Text(current, style=bold(SUCCESS)),
            Text(item.name, style="bold" if current else ""),
            item.description,
            Text(item.opt_in_status, style=OPT_IN_STYLE.get(item.opt_in_status, "")),
            total,
            running,
        )

    def sort_values(self, rows: RowsSnapshot[Region], column: str) -> list[Any]:
        if column not in ("instances", "running"):
            return super().sort_values(rows, column)
        values: list[Any] = []
        for region in rows.items[: rows.count]:
            counts = self.counts.get(region.name)
            if isinstance(counts, InstanceCounts):
                values.append(counts.total if column == "instances" else counts.running)
            else:
                values.append(None)
        return values

    def copy_value(self, item: Region) -> tuple[str, str]:
        return item.name, "region name"

    def open_item(self, item: Region) -> None:
        self.use_region(item)

    def action_use_region(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.use_region(item)

    def use_region(self, item: Region) -> None:
        if not item.enabled:
            self.ec2app.notify(
                f"{item.name} is not enabled for this account (opt-in required). Enable it in the AWS console first.",
                severity="warning",
                markup=False,
            )
            return
        previous = self.ec2app.region
        self.ec2app.set_region(item.name)
        for name in {previous, item.name}:
            if name in self._by_key:
                self.update_item(self._by_key[name])

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Use region", "Make the selected region current (enter)", "use_region")
        yield from super().palette_commands()
