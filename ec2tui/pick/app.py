"""The picker: one list (the shared ``VirtualTable``), a filter, ``space`` marks, ``enter`` chooses, escape/q leaves.

Lists read a page at a time (Marketplace and Community AMIs, searched on the server with ``--filter``) load their next
page when the cursor reaches the last row, or with ``m``; the filter box then narrows only the rows loaded.

The app returns the chosen records through ``App.exit`` (``return_code`` 0), or nothing with ``return_code`` 1;
printing them is the command line's job, once the terminal is the shell's again. AWS is reached only through the
gateway it is given, with an explicit region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError
from ec2tui.image_search_text import format_search
from ec2tui.pick.kinds import PickKind, PickOptions, matches
from ec2tui.widgets.virtual_table import TableColumn, VirtualTable

if TYPE_CHECKING:
    from ec2tui.gateway import Gateway

MARK = "●"
HINT = "enter choose · space mark several · / filter · escape or q cancel"
PAGED_HINT = "enter choose · space mark several · / filter the loaded rows · m next page · escape or q cancel"


class PickApp(App[list[Any]]):
    """Lists one kind of resource of one region and returns what the user chose."""

    CSS = """
    #pick-title { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    #pick-title.-failed { color: $text-error; }
    #pick-filter { height: 3; border: round $primary-darken-2; }
    #pick-table { height: 1fr; }
    #pick-hint { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Mark", show=False),
        Binding("escape,q", "cancel", "Cancel", show=False),
        Binding("slash", "focus_filter", "Filter", show=False),
        Binding("m", "load_more", "More", show=False),
    ]

    def __init__(self, gateway: Gateway, kind: PickKind, region: str, options: PickOptions) -> None:
        super().__init__()
        self.gateway = gateway
        self.kind = kind
        self.region = region
        self.options = options
        self.records: list[Any] = []
        self.keys: list[str] = []
        self.texts: list[tuple[str, ...]] = []
        self.positions: dict[str, int] = {}
        self.marked: set[str] = set()
        self.failure: str | None = None
        self.paged = kind.paged(options)
        self.next_token: str | None = None
        self.loading_more = False

    def compose(self) -> ComposeResult:
        yield Static(f"Loading {self.kind.noun} in {self.region}…", id="pick-title", markup=False)
        yield Input(
            self.options.filter_text,  # empty when paged: --filter was the server-side search
            placeholder="filter: words that must all appear" + (" (in the rows loaded)" if self.paged else ""),
            id="pick-filter",
            select_on_focus=False,  # "/" then typing refines the filter, as in the app's lists
        )
        columns = [TableColumn("mark", " ", 1, priority=0)]
        columns += [
            TableColumn(c.key, c.label, priority=c.priority, whole=c.whole, max_width=c.max_width)
            for c in self.kind.columns
        ]
        yield VirtualTable(columns, id="pick-table")
        yield Static(PAGED_HINT if self.paged else HINT, id="pick-hint", markup=False)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#pick-table", VirtualTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.run_worker(deferred(self._load), exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        try:
            if self.paged and self.kind.load_page is not None:
                records, self.next_token = await self.kind.load_page(self.gateway, self.region, self.options, None)
            else:
                records = await self.kind.load(self.gateway, self.region, self.options)
        except Ec2TuiError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # anything else: still a message on screen, never a traceback
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        self._add(records)

    def _add(self, records: Sequence[Any]) -> None:
        for record in records:
            key = self.kind.key(record)
            if key in self.positions:  # a page may repeat a row the previous one had (the catalog changed between)
                continue
            self.positions[key] = len(self.keys)
            self.records.append(record)
            self.keys.append(key)
            self.texts.append(self.kind.cells(record))
        self._show()

    # -- the next page (paged lists) ---------------------------------------------------------------------------------
    def action_load_more(self) -> None:
        if not self.paged or self.loading_more or self.failure is not None or self.kind.load_page is None:
            return
        if self.next_token is None:
            self.notify(f"Every matching {self.kind.noun[:-1]} is loaded ({len(self.keys)}).", markup=False)
            return
        self.loading_more = True
        self._update_title(self.table.row_count)
        self.run_worker(deferred(self._load_more, self.next_token), group="more", exclusive=True, exit_on_error=False)

    async def _load_more(self, token: str) -> None:
        assert self.kind.load_page is not None
        try:
            records, next_token = await self.kind.load_page(self.gateway, self.region, self.options, token)
        except Exception as exc:  # the rows already listed stay choosable; say why no more came
            message = str(exc) if isinstance(exc, Ec2TuiError) else f"{type(exc).__name__}: {exc}"
            self.notify(f"Cannot load the next page: {message}", severity="error", markup=False, timeout=8)
            return
        finally:
            self.loading_more = False
        self.next_token = next_token
        self._add(records)

    @on(VirtualTable.RowHighlighted, "#pick-table")
    def _row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        if self.paged and self.next_token and event.cursor_row >= self.table.row_count - 1:
            self.action_load_more()

    def _fail(self, message: str) -> None:
        self.failure = message
        title = self.query_one("#pick-title", Static)
        title.update(Text(f"Cannot list {self.kind.noun} in {self.region}: {message}"))
        title.add_class("-failed")

    # -- the rows shown ---------------------------------------------------------------------------------------------
    def _row(self, index: int) -> tuple[str, ...]:
        return (MARK if self.keys[index] in self.marked else "", *self.texts[index])

    def _show(self) -> None:
        text = self.query_one("#pick-filter", Input).value
        shown = [i for i in range(len(self.keys)) if matches(self.texts[i], text)]
        self.table.set_rows([self.keys[i] for i in shown], [self._row(i) for i in shown])
        self._update_title(len(shown))

    def _update_title(self, shown: int) -> None:
        total = len(self.keys)
        count = f"{shown} of {total}" if shown != total else str(total)
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        scope = f" ({self.options.category.value})" if "category" in self.kind.options else ""
        if self.options.search is not None:
            searched = format_search(self.options.search)
            scope = f" ({self.options.category.value}, search “{searched}”)" if searched else scope
        more = ""
        if self.loading_more:
            more = " · loading the next page…"
        elif self.paged and self.next_token:
            more = " · more on the server: m loads the next page"
        title = f"Pick {self.kind.noun}: {count} in {self.region}{scope}{marked}{more}"
        self.query_one("#pick-title", Static).update(Text(title))

    @on(Input.Changed, "#pick-filter")
    def _filter_changed(self) -> None:
        if self.failure is None and self.keys:
            self._show()

    @on(Input.Submitted, "#pick-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    # -- choosing ---------------------------------------------------------------------------------------------------
    def action_focus_filter(self) -> None:
        self.query_one("#pick-filter", Input).focus()

    def action_toggle_mark(self) -> None:
        table = self.table
        key = table.cursor_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        table.update_row(key, self._row(self.positions[key]))
        table.action_cursor_down()
        self._update_title(table.row_count)

    def action_cancel(self) -> None:
        self.exit(None, return_code=1)

    @on(VirtualTable.RowSelected, "#pick-table")
    def _chosen(self, event: VirtualTable.RowSelected) -> None:
        self.exit(self.chosen(event.key), return_code=0)

    def chosen(self, cursor_key: str) -> list[Any]:
        """The marked records in list order, else the one under the cursor."""
        wanted = self.marked or {cursor_key}
        return [record for key, record in zip(self.keys, self.records, strict=True) if key in wanted]
