"""`:instances`: the instance list of the current region, or of every enabled region at once (`a`).

Rows can be marked with space for batch actions; while any instance is in a transitional state the affected
regions are re-read every few seconds (bypassing the cache) until nothing is in transition.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.markup import escape
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from ec2tui.aws.models.instances import Instance, InstanceState, StateChange
from ec2tui.deferred import deferred
from ec2tui.list_query import RowsSnapshot
from ec2tui.screens.instance_detail import InstanceDetailScreen
from ec2tui.screens.instance_ops import STATE_BINDINGS, TOOL_BINDINGS, InstanceActions
from ec2tui.screens.instance_prices import PRICE_BINDINGS, InstancePrices
from ec2tui.screens.list_screen import Column, ListScreen, PaletteCommand, action_command
from ec2tui.widgets.theme_colours import ACCENT, WARNING, bold, role_style
from ec2tui.widgets.virtual_table import styled

MARK = "●"
MARK_STYLE = bold(ACCENT)

REBOOTING_SHOWN_SECONDS = 10.0
"""EC2 never reports a reboot (the state stays ``running``): a rebooted row says ``rebooting`` for this long."""

# Priorities (lower is kept longer when the terminal is narrow); IDs and addresses are never cut, they drop.
SINGLE_REGION_COLUMNS = (
    Column("mark", " ", 1, priority=0),
    Column("name", "Name", priority=20, min_width=16, max_width=40),
    Column("id", "Instance ID", priority=10, whole=True),
    Column("state", "State", priority=30, min_width=10),  # "terminated" whole
    Column("type", "Type", priority=50, min_width=11),  # "c6i.2xlarge" whole
    Column("ami", "AMI", priority=80, whole=True),
    Column("az", "Zone", priority=70, whole=True),
    Column("private_ip", "Private IP", priority=60, whole=True),
    Column("public_ip", "Public IP", priority=40, whole=True),
    Column("key", "Key pair", priority=90, max_width=24),
    Column("age", "Age", priority=85, whole=True),
)
ALL_REGIONS_COLUMNS = (
    SINGLE_REGION_COLUMNS[0],
    Column("region", "Region", priority=35, whole=True),
    *SINGLE_REGION_COLUMNS[1:],
)


def sort_key(instance: Instance) -> tuple[str, str, str]:
    return (instance.region, instance.name.lower() or "\uffff", instance.id)


class InstancesScreen(InstancePrices, InstanceActions, ListScreen[Instance]):
    NOUN = "instances"
    COPY_WHAT = "instance ID"
    COLUMNS: ClassVar[tuple[Column, ...]] = SINGLE_REGION_COLUMNS
    AUTO_REFRESH_SECONDS: ClassVar[float] = 3.0
    FILTER_FIELDS: ClassVar[Mapping[str, str]] = {
        "type": "type",
        "ami": "ami",
        "image": "ami",
        "zone": "az",
        "ip": "ip",
        "tag": "tag",
        "vpc": "vpc",
        "subnet": "subnet",
        "platform": "platform",
    }

    BINDINGS = [
        Binding("enter", "open_selected", "Details", id="instances.open"),
        Binding("space", "toggle_mark", "Mark", id="instances.mark"),
        *STATE_BINDINGS,
        Binding("a", "toggle_all_regions", "All regions", id="instances.all_regions"),
        *TOOL_BINDINGS,
        *PRICE_BINDINGS,
        # The list keys every screen shares stay in the help (?) and the palette; the footer shows this screen's.
        Binding("slash", "start_filter", "Filter", key_display="/", show=False, id="list.filter"),
        Binding("c", "copy", "Copy ID", show=False, id="list.copy"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="list.refresh"),
        Binding("escape", "back", "Clear filter/marks", show=False, id="list.back"),
    ]

    def __init__(self, *, id: str = "instances") -> None:
        super().__init__(id=id)
        self.all_regions = False
        self.marked: set[str] = set()
        self.rebooting: dict[str, float] = {}
        """Instance ID → monotonic time until which the row shows ``rebooting``."""
        self.region_errors: dict[str, str] = {}
        self.regions_total = 0
        self.regions_answered = 0
        self._timer: Timer | None = None
        self.following: list[str] = []
        """Instance IDs to put the cursor on once listed (after a launch), first listed wins."""

    # -- what is shown ----------------------------------------------------------------------------------------
    def shown(self, item: Instance) -> Instance:
        """The instance as displayed: ``rebooting`` for a while after a reboot request."""
        until = self.rebooting.get(item.id)
        if until is not None and time.monotonic() < until and item.state == InstanceState.RUNNING:
            return replace(item, state=InstanceState.REBOOTING)
        return item

    def screen_title(self) -> str:
        return "Instances · all regions" if self.all_regions else f"Instances · {self.ec2app.region}"

    def compose_top(self) -> Iterable[Static]:
        yield Static(id="instances-status", classes="instances-status")

    def key_of(self, item: Instance) -> str:
        return item.id

    def row(self, item: Instance) -> tuple[object, ...]:
        item = self.shown(item)
        cells: list[object] = [styled(MARK, MARK_STYLE) if item.id in self.marked else ""]
        if self.all_regions:
            cells.append(item.region)
        cells += [
            item.name,
            item.id,
            styled(item.state, role_style(item.state_role)),
            item.instance_type,
            item.image_id,
            item.availability_zone,
            item.private_ip or "",
            item.public_ip or "",
            item.key_name or "",
            item.age,
        ]
        return (*cells, *self.price_cells(item))

    def search_fields(self, item: Instance, cells: tuple[object, ...]) -> dict[str, str]:
        fields = super().search_fields(item, cells)
        fields.pop("mark", None)
        fields["ip"] = f"{item.private_ip or ''} {item.public_ip or ''}"
        fields["tag"] = "\n".join(f"{key}={value}" for key, value in item.tags).lower()
        fields["vpc"] = (item.vpc_id or "").lower()
        fields["subnet"] = (item.subnet_id or "").lower()
        fields["platform"] = item.platform.lower()
        return fields

    def sort_values(self, rows: RowsSnapshot[Instance], column: str) -> list[Any]:
        instances = rows.items[: rows.count]
        if column == "age":  # newest first reads as "youngest first": sort on the launch time, oldest last
            return [-i.launch_time.timestamp() if i.launch_time else None for i in instances]
        if column in ("private_ip", "public_ip"):
            addresses = [i.private_ip if column == "private_ip" else i.public_ip for i in instances]
            return [tuple(int(part) for part in address.split(".")) if address else None for address in addresses]
        return super().sort_values(rows, column)

    def copy_value(self, item: Instance) -> tuple[str, str]:
        return item.id, "instance ID"

    def empty_hint(self) -> str:
        if self.all_regions:
            return ""
        return "\nPress a to list every enabled region, or : regions to pick another one."

    def update_title(self) -> None:
        parts: list[tuple[str, str]] = [(self.screen_title(), "bold")]
        total = len(self.items)
        if self.loading_data:
            progress = f" {self.regions_answered}/{self.regions_total} regions" if self.all_regions else ""
            parts.append((f"  loading{progress}…", "italic"))
        if self.error is None and (total or not self.loading_data):
            parts.append((f"  {total} {self.NOUN}", "dim"))
        if self.marked:
            parts.append((f"  {len(self.marked)} marked", bold(ACCENT)))
        if self._timer is not None:
            parts.append((f"  ⟳ auto-refresh every {self.AUTO_REFRESH_SECONDS:g}s", bold(WARNING)))
        parts += self.price_title_parts() + self.view_status()
        self.query_one("#title", Static).update(Content.assemble(*parts), layout=False)  # one line: no layout pass
        self.update_empty()
        status = self.query_one("#instances-status", Static)
        if self.region_errors:
            count = len(self.region_errors)
            details = "; ".join(f"{region}: {error}" for region, error in sorted(self.region_errors.items()))
            status.update(Content(f"{count} region{'s' if count != 1 else ''} failed: {details}").stylize("bold"))
        if status.display != bool(self.region_errors):
            status.display = bool(self.region_errors)
        if self.all_regions and not self.loading_data and total == 0 and not self.error:
            answered = " that answered" if self.region_errors else ""
            message = f"No instances in any of the {self.regions_total} enabled regions{answered}."
            self.query_one("#empty", Static).update(message)
            self._empty_message = message  # what is shown now: update_empty replaces (or hides) it when rows come

    # -- loading ----------------------------------------------------------------------------------------------
    async def fetch(self, refresh: bool) -> list[Instance]:
        gateway = self.ec2app.gateway
        if not self.all_regions:
            self.region_errors = {}
            region = self.ec2app.region
            if self.store and self.items[0].region != region:
                self.set_items([])  # another region's rows must not stay while this one's arrive
            if self.store:  # a refresh: the rows stay until the whole answer is in, then only changes redraw
                return await gateway.instances.list(region, refresh=refresh)
            generation = self._load_generation
            return await gateway.instances.list(
                region, refresh=refresh, on_page=lambda page: self._page_arrived(generation, page)
            )
        regions = [r.name for r in await gateway.regions.list() if r.enabled]
        self.regions_total, self.regions_answered, self.region_errors = len(regions), 0, {}
        self.set_items([])
        collected: list[Instance] = []
        async for result in gateway.instances.list_all_regions(regions, refresh=refresh):
            self.regions_answered += 1
            if result.error is not None:
                self.region_errors[result.region] = str(result.error)
                self.ec2app.notify(
                    str(result.error), title=f"{result.region} failed", severity="error", markup=False, timeout=8
                )
            else:
                collected += result.value or []
                self.queue_items(sorted(result.value or [], key=sort_key))
            self.table.loading = False  # rows show as regions answer; the title says how many are left
            self.update_title()
        return sorted(collected, key=sort_key)

    def _page_arrived(self, generation: int, page: list[Instance]) -> None:
        """A ``describe_instances`` page of the first load: its rows show at once, the title counts them."""
        if generation != self._load_generation or not self.loading_data:
            return  # a page of a load that was replaced or cancelled
        self.queue_items(page)  # a page can hold thousands: its rows are built in a thread
        self.table.loading = False
        self.update_title()

    def set_items(self, items: Iterable[Instance]) -> None:
        super().set_items(items)
        self.marked &= set(self._by_key)
        self._update_auto_refresh()

    def after_view(self) -> None:
        if self.following:
            self._follow_now()

    # -- following launched instances -------------------------------------------------------------------------
    def follow(self, instance_ids: list[str], region: str) -> None:
        """After a launch: reload (bypassing the cache) and put the cursor on the first of ``instance_ids`` as soon
        as it is listed. A filter that would hide them is cleared; the list switches to ``region`` if needed."""
        self.following = list(instance_ids)
        if self.filter_text:
            self.clear_filter()
        if not self.all_regions and region != self.ec2app.region:
            self.ec2app.set_region(region)
        self.reload(refresh=True)

    def _follow_now(self) -> None:
        for instance_id in self.following:
            if self.select_key(instance_id):
                self.following = []
                return

    def refresh_regions(self, regions: Iterable[str]) -> None:
        """Re-read some regions (bypassing the cache) without the loading overlay, and merge them in."""
        wanted = set(regions) if self.all_regions else {r for r in regions if r == self.loaded_region}
        if wanted:
            self.run_worker(
                deferred(self._refresh_regions, wanted), group="quiet-refresh", exclusive=True, exit_on_error=False
            )

    async def _refresh_regions(self, regions: set[str]) -> None:
        if self.loading_data:
            return  # a full load is under way and will show the latest state
        fresh: dict[str, list[Instance]] = {}
        async for result in self.ec2app.gateway.instances.list_all_regions(sorted(regions), refresh=True):
            if result.error is not None:
                if self.all_regions:
                    self.region_errors[result.region] = str(result.error)
                self.ec2app.notify(
                    str(result.error), title=f"Refreshing {result.region} failed", severity="error", markup=False
                )
            else:
                self.region_errors.pop(result.region, None)
                fresh[result.region] = result.value or []
        if self.loading_data or not fresh:
            self.update_title()
            return
        kept = [i for i in self.items if i.region not in fresh]
        self.set_items(sorted(kept + [i for items in fresh.values() for i in items], key=sort_key))

    # -- auto-refresh while something is in transition --------------------------------------------------------
    def transitional_regions(self) -> set[str]:
        return {i.region for i in self.items if self.shown(i).is_transitional}

    def _update_auto_refresh(self) -> None:
        active = bool(self.transitional_regions())
        if active and self._timer is None:
            self._timer = self.set_interval(self.AUTO_REFRESH_SECONDS, self._tick)
        elif not active and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.update_title()

    def _tick(self) -> None:
        now = time.monotonic()
        expired = [i for i, until in self.rebooting.items() if until <= now]
        for instance_id in expired:
            del self.rebooting[instance_id]
            if instance_id in self._by_key:
                self.update_item(self._by_key[instance_id])
        regions = self.transitional_regions()
        if not regions:
            self._update_auto_refresh()
        elif self.is_current and not self.loading_data:
            self.refresh_regions(regions)

    def on_screen_resume(self) -> None:
        # ListScreen.on_screen_resume runs too (reload when the region changed, unless FOLLOWS_REGION is off).
        if self.transitional_regions():
            self._tick()

    # -- instance actions (see instance_ops) ------------------------------------------------------------------
    def action_targets(self) -> list[Instance]:
        if self.marked:
            return [self.shown(i) for i in self.items if i.id in self.marked]
        item = self.selected_item()
        return [self.shown(item)] if item is not None else []

    def cursor_instance(self) -> Instance | None:
        item = self.selected_item()
        return self.shown(item) if item is not None else None

    def action_finished(self) -> None:
        self.action_clear_marks()

    def instances_changed(self, changes: Sequence[StateChange], regions: set[str]) -> None:
        for change in changes:
            item = self._by_key.get(change.instance_id)
            if item is None:
                continue
            if change.current_state == InstanceState.REBOOTING:
                self.rebooting[change.instance_id] = time.monotonic() + REBOOTING_SHOWN_SECONDS
                self.update_item(item)
            elif change.current_state:
                self.update_item(replace(item, state=change.current_state))
            else:
                self.update_item(item)
        self._update_auto_refresh()
        self.refresh_regions(regions)

    # -- keys -------------------------------------------------------------------------------------------------
    def open_item(self, item: Instance) -> None:
        self.app.push_screen(InstanceDetailScreen(self.shown(item)))

    def action_open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_item(item)

    def action_toggle_mark(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self.update_item(self._by_key[key])
        self.table.action_cursor_down()
        self.update_title()

    def action_clear_marks(self) -> None:
        if not self.marked:
            return
        keys, self.marked = self.marked, set()
        by_key = self._by_key
        for key in keys:
            if key in by_key:
                self.update_item(by_key[key])
        self.update_title()

    def action_back(self) -> None:
        if self.filter_text:
            self.clear_filter()
        elif self.marked:
            self.action_clear_marks()
        else:
            super().action_back()

    def action_toggle_all_regions(self) -> None:
        self.all_regions = not self.all_regions
        self.FOLLOWS_REGION = not self.all_regions  # type: ignore[misc]  # all regions: the current region does not matter
        self.workers.cancel_group(self, "quiet-refresh")
        self.marked.clear()
        self.region_errors = {}
        self.set_items([])
        self.set_columns(self.with_price_column(ALL_REGIONS_COLUMNS if self.all_regions else SINGLE_REGION_COLUMNS))
        where = "every enabled region" if self.all_regions else escape(self.ec2app.region)
        self.ec2app.notify(f"Listing instances of {where}", markup=False)
        self.reload()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(
            self, "Open instance details", "Everything about the selected instance (enter)", "open_selected"
        )
        yield action_command(
            self, "Toggle all regions", "List the instances of every enabled region at once (a)", "toggle_all_regions"
        )
        yield action_command(self, "Mark or unmark instance", "Select rows for a batch action (space)", "toggle_mark")
        yield action_command(self, "Clear marks", "Unmark every row (esc)", "clear_marks")
        yield from self.instance_palette_commands()
        yield from self.price_palette_commands()
        yield action_command(self, "Filter list", "Filter the rows as you type (/)", "start_filter")
        yield action_command(self, "Refresh", "Reload from AWS, bypassing the cache (ctrl+r)", "refresh")
        yield from self.sort_commands()
