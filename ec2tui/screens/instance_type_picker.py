"""The launch form's instance type picker: filter ~1,400 types as you type, enter picks, escape cancels. With
prices (the AMI's platform in the form's region): On-Demand per hour and per month and the cheapest current Spot
price per type, and ctrl+o (or the "By price" box) orders the types by price."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from ec2tui.aws.models.instance_types import InstanceTypeInfo, filter_types
from ec2tui.aws.models.pricing import HOURS_PER_MONTH
from ec2tui.deferred import deferred
from ec2tui.formatting import format_memory, format_network, format_storage
from ec2tui.launch.prices import PickerPrices, hourly_text, monthly_text
from ec2tui.widgets.check import Check
from ec2tui.widgets.virtual_table import TableColumn, VirtualTable

# Priorities (lower is kept longer at a narrow width): the type name is never cut.
COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("name", "Type", priority=0, whole=True),
    TableColumn("vcpus", "vCPU", priority=10, whole=True, justify="right"),
    TableColumn("memory", "RAM GiB", priority=20, whole=True, justify="right"),
    TableColumn("architectures", "Arch", priority=40, min_width=6),
    TableColumn("network", "Network", priority=50, min_width=8),
    TableColumn("storage", "Instance store", priority=60, min_width=8),
    TableColumn("free_tier", "Free", priority=30, whole=True),
    TableColumn("usd_hour", "$/h", priority=15, whole=True, justify="right"),
    TableColumn("usd_month", "$/month", priority=25, whole=True, justify="right"),
    TableColumn("spot", "Spot $/h", priority=35, whole=True, justify="right"),
)
LOADING_PRICE = "…"


def price_cells(name: str, prices: PickerPrices | None) -> tuple[Text, Text, Text]:
    """On-Demand $/h, $/month (730 h) and the cheapest Spot $/h; "…" while loading, "—" where unknown."""
    if prices is None:
        return tuple(Text(LOADING_PRICE, justify="right") for _ in range(3))  # type: ignore[return-value]
    hourly = prices.hourly(name)
    spot = prices.spot.get(name)
    return (
        Text(hourly_text(hourly), justify="right"),
        Text(monthly_text(None if hourly is None else hourly * HOURS_PER_MONTH), justify="right"),
        Text(hourly_text(spot.usd_per_hour if spot else None), justify="right", style="" if spot else "dim"),
    )


def type_row(info: InstanceTypeInfo) -> tuple[str | Text, ...]:
    """The cells of one table row."""
    return (
        info.name,
        Text(str(info.vcpus), justify="right"),
        Text(format_memory(info.memory_gib), justify="right"),
        ", ".join(info.architectures),
        format_network(info.network_performance),
        format_storage(info),
        "yes" if info.free_tier_eligible else "",
    )


def column_widths(rows: Iterable[tuple[str | Text, ...]], columns: Sequence[TableColumn] = COLUMNS) -> list[int]:
    """The widest cell (or header) of each column."""
    widths = [len(column.label) for column in columns]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    return widths


def _number(text: str) -> float:
    try:
        return max(float(text.strip() or 0), 0.0)
    except ValueError:
        return 0.0


class InstanceTypePicker(ModalScreen[str | None]):
    """Dismisses with the chosen type's name, or None when cancelled.

    Types of other architectures than ``architecture`` (the AMI's) are never listed; with ``offered`` (the names
    offered at the chosen location) only those are. The ``current`` type starts selected.
    """

    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel", id="instance_type_picker.cancel"),  # q closes, as in every dialog
        Binding("enter", "pick", "Pick", id="instance_type_picker.pick", show=True),
        # While a filter input has focus, the arrows still move the table's cursor.
        Binding("down", "move(1)", "Next type", show=False, id="instance_type_picker.down"),
        Binding("up", "move(-1)", "Previous type", show=False, id="instance_type_picker.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="instance_type_picker.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="instance_type_picker.page_up"),
        Binding("ctrl+o", "toggle_price_order", "Order by price", id="instance_type_picker.price_order"),
    ]

    def __init__(
        self,
        types: Sequence[InstanceTypeInfo],
        *,
        offered: frozenset[str] | None,
        architecture: str | None,
        current: str | None,
        load_prices: Callable[[], Awaitable[PickerPrices]] | None = None,
    ) -> None:
        """``load_prices`` reads the price table (in a worker, after the picker shows): without it, no prices."""
        super().__init__()
        self.load_prices = load_prices
        self.prices: PickerPrices | None = None
        self.offered, self.architecture, self.current = offered, architecture, current
        # The locked criteria are applied once; typing only re-filters what can be offered at all.
        self.candidates = filter_types(types, architecture=architecture, offered=offered)
        self.total = len(types)
        self.shown: list[InstanceTypeInfo] = []
        self._rows: dict[str, tuple[str | Text, ...]] = {t.name: self._row(t) for t in self.candidates}
        self._widths = column_widths(self._rows.values(), self.columns)
        """Measured once over every candidate, so columns keep their widths while filtering."""
        by_name = {t.name: t for t in self.candidates}
        current_info = by_name.get(current or "")
        # A previous-generation current type would be hidden by the default filter: start with it off then.
        self._current_only_default = current_info is None or current_info.current_generation

    def _row(self, info: InstanceTypeInfo) -> tuple[str | Text, ...]:
        row = type_row(info)
        return (*row, *price_cells(info.name, self.prices)) if self.load_prices is not None else row

    @property
    def columns(self) -> tuple[TableColumn, ...]:
        return COLUMNS if self.load_prices is not None else COLUMNS[:-3]

    def compose(self) -> ComposeResult:
        with Vertical(id="itp-box"):
            yield Label("Choose an instance type", classes="dialog-title")
            yield Static(self.scope_text(), id="itp-scope", markup=False)
            with Horizontal(id="itp-filters"):
                yield Input(placeholder="search: t3.mi", id="itp-text", compact=True)
                yield Input(placeholder="min vCPU", id="itp-vcpu", type="integer", compact=True)
                yield Input(placeholder="min GiB", id="itp-mem", type="number", compact=True)
                yield Input(placeholder="family: t3, m*", id="itp-family", compact=True)
                yield Check("Current gen", self._current_only_default, id="itp-current", compact=True)
                yield Check("Free tier", False, id="itp-free", compact=True)
                if self.load_prices is not None:
                    yield Check("By price", False, id="itp-by-price", compact=True)
            yield VirtualTable(self.columns, id="itp-table")
            if self.load_prices is not None:
                yield Static("Prices: loading…", id="itp-prices", markup=False)
            yield Static("", id="itp-footer", markup=False)

    def scope_text(self) -> str:
        if self.architecture:
            arch = f"Architecture {self.architecture} (the AMI's); types of other architectures are not offered."
        else:
            arch = "Every architecture (no AMI chosen yet)."
        if self.offered is None:
            where = f"{len(self.candidates):,} types (offerings here unknown)."
        else:
            where = f"{len(self.candidates):,} of {self.total:,} types are offered here."
        return f"{arch} {where}"

    def on_mount(self) -> None:
        if self.load_prices is not None:
            self.run_worker(deferred(self._load_prices, self.load_prices), group="prices", exit_on_error=False)
        self.refilter()
        self.query_one("#itp-text", Input).focus()
        self.call_after_refresh(self._center_cursor)

    def _center_cursor(self) -> None:
        table = self.query_one("#itp-table", VirtualTable)
        body = max(table.scrollable_content_region.height - 1, 1)
        table.scroll_to(y=max(table.cursor_row - body // 2, 0), animate=False)

    async def _load_prices(self, load: Callable[[], Awaitable[PickerPrices]]) -> None:
        self.prices = prices = await load()
        self._rows = {t.name: self._row(t) for t in self.candidates}
        self._widths = column_widths(self._rows.values(), self.columns)
        known = sum(1 for t in self.candidates if prices.hourly(t.name) is not None)
        note = (
            f"Prices: On-Demand {prices.platform} (the AMI's platform) in this region, {known:,} of "
            f"{len(self.candidates):,} types priced; $/month at {HOURS_PER_MONTH} h; Spot: the cheapest zone now."
        )
        if prices.hint:
            note += f" {prices.hint}"
        self.query_one("#itp-prices", Static).update(note)
        self.refilter()

    # -- filtering ----------------------------------------------------------------------------------------------
    def criteria(self) -> dict[str, object]:
        return {
            "text": self.query_one("#itp-text", Input).value,
            "min_vcpu": int(_number(self.query_one("#itp-vcpu", Input).value)),
            "min_mem_gib": _number(self.query_one("#itp-mem", Input).value),
            "family": self.query_one("#itp-family", Input).value,
            "current_only": self.query_one("#itp-current", Checkbox).value,
            "free_tier_only": self.query_one("#itp-free", Checkbox).value,
        }

    def refilter(self) -> None:
        table = self.query_one("#itp-table", VirtualTable)
        keep = self.highlighted_name() or self.current
        self.shown = filter_types(self.candidates, **self.criteria())  # type: ignore[arg-type]
        if self.by_price:
            self.shown.sort(key=self._price_key)  # stable: equal prices keep the family/size order
        names = [t.name for t in self.shown]
        table.set_rows(names, [self._rows[name] for name in names], self._widths)
        if keep is not None:
            table.move_cursor(key=keep, scroll=True)
        self.query_one("#itp-footer", Static).update(
            f"{len(self.shown):,} of {len(self.candidates):,} match · type to filter · ↑↓ move · "
            "tab: filters ↔ table · enter picks · esc cancels"
        )

    @property
    def by_price(self) -> bool:
        boxes = self.query("#itp-by-price")
        return bool(boxes) and boxes.first(Checkbox).value

    def _price_key(self, info: InstanceTypeInfo) -> tuple[bool, float]:
        """Cheapest first; types without a price ("—") last."""
        hourly = self.prices.hourly(info.name) if self.prices is not None else None
        return (hourly is None, hourly or 0.0)

    def action_toggle_price_order(self) -> None:
        boxes = self.query("#itp-by-price")
        if not boxes:
            self.notify("Prices are not shown here.", markup=False)
            return
        box = boxes.first(Checkbox)
        box.value = not box.value  # Checkbox.Changed refilters

    def highlighted_name(self) -> str | None:
        return self.query_one("#itp-table", VirtualTable).cursor_key

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _filters_changed(self, event: Input.Changed | Checkbox.Changed) -> None:
        event.stop()
        self.refilter()

    # -- picking ------------------------------------------------------------------------------------------------
    @on(VirtualTable.RowSelected, "#itp-table")
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.action_pick()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        name = self.highlighted_name()
        if name is None:
            self.notify("No instance type matches the filters.", severity="warning")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_move(self, delta: int) -> None:
        table = self.query_one("#itp-table", VirtualTable)
        if self.shown:
            table.move_cursor(row=max(0, min(len(self.shown) - 1, table.cursor_row + delta)), scroll=True)
