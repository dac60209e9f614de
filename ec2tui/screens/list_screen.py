"""Base for every list view: a virtual table fed by the gateway, with loading state, `/` filter, sort, `c` copy,
ctrl+r.

The rows live in a :class:`~ec2tui.list_query.RowStore` (cells and search keys built once per item); a filter or a
sort computes the positions to show (in a thread worker when the list is large) and hands the table the result.
The cursor follows its item, not its row number, across reloads, filters and sorts.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any, ClassVar, Generic, TypeVar

from rich.markup import escape
from textual import on
from textual.actions import parse as parse_action
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ec2tui import settings
from ec2tui.collector import load_quietly
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError
from ec2tui.list_query import (
    ListFilter,
    Picked,
    RowsSnapshot,
    RowStore,
    StaleView,
    filter_rows,
    lowered,
    parse_filter,
    sort_rows,
)
from ec2tui.screens.host import UsesEc2App
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import ERROR, WARNING, bold
from ec2tui.widgets.virtual_table import TableColumn, VirtualTable, cell_widths, plain

T = TypeVar("T")

LOAD_CANCELLED = "Loading was cancelled: ctrl+r loads again."


Column = TableColumn

BuiltRow = tuple[str, Any, tuple[Any, ...], dict[str, str], list[int]]
"""An item's row as built for the store: key, item, cells, search fields, cell widths."""
"""A list column: key, label, width, and how it behaves when the terminal is narrow (priority, whole)."""

ROWS_PER_TICK = 400
"""From this many items a big answer's rows are built in a thread (see :meth:`ListScreen.queue_items`)."""

ROWS_PER_CHUNK = 1_000
"""Rows built in the thread and then appended on the event loop at a time (one title and layout update each)."""

_view_thread = threading.local()
"""``stop``: when the view being computed in this thread is stale (see :meth:`ListScreen._view_in_thread`)."""

FILTER_IN_THREAD = 5_000
"""Lists longer than this filter and sort in a thread worker, so typing never waits on it."""


@dataclass(frozen=True)
class PaletteCommand:
    """A command-palette entry contributed by a screen: plain name, help line, callback.

    Build entries for a screen's actions with :func:`action_command`, so they pass the same check as the key.
    """

    title: str
    help: str
    callback: Callable[[], Any]


def action_command(screen: Screen[Any], title: str, help: str, action: str) -> PaletteCommand:
    """A palette entry that runs ``action`` (``"state_change('stop')"``) as its key would: through the screen's
    ``check_action``; when that disables it, nothing runs and a message says so (a key would be greyed out)."""

    async def run() -> None:
        _, name, parameters = parse_action(action)
        if not screen.check_action(name, parameters):
            why = getattr(screen, "unavailable_reason", lambda _name: None)(name)
            screen.app.notify(why or f"'{title}' is not available here now.", severity="warning", markup=False)
            return
        await screen.run_action(action)

    return PaletteCommand(title, help, run)


class FilterInput(Input):
    """The `/` filter box; escape clears it and hands focus back to the list."""

    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", id="filter.clear")]

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), repaint=True)
    """Textual's Input sets its virtual width to its text's on every keystroke, and a widget's virtual size asks for
    a layout of the whole screen (5-10 ms beside a big list). This box is one line of a fixed size that scrolls its
    own text: a repaint is enough."""

    def action_clear_filter(self) -> None:
        screen = self.screen
        if isinstance(screen, ListScreen):
            screen.clear_filter()


class ItemsByKey(Mapping[str, T]):
    """A read-only ``key → item`` view of a list's store."""

    def __init__(self, store: RowStore[T]) -> None:
        self._store = store

    def __getitem__(self, key: str) -> T:
        return self._store.items[self._store.index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self._store.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.keys)

    def __len__(self) -> int:
        return len(self._store)


def gather(snapshot: RowsSnapshot[Any], positions: list[int]) -> tuple[Sequence[str], Sequence[tuple[Any, ...]]]:
    """The keys and cells at ``positions``, as views that pick them when asked (:class:`Picked`: a copy touched every
    row's key and cells, ~5-10 ms of a 50,000-row sort); every row in arrival order is a plain copy of both (a cleared
    filter: rows are appended to it)."""
    count = snapshot.count
    if len(positions) == count and (not count or positions[-1] == count - 1) and positions == list(range(count)):
        return snapshot.keys[:count], snapshot.cells[:count]
    return Picked(snapshot.keys, positions, snapshot.index), Picked(snapshot.cells, positions)


def import_modules(names: Iterable[str]) -> None:
    """Import these modules (in a thread: its interpreter time is shared out with the event loop's, which an import
    on the event loop holds up until it is done)."""
    for name in names:
        importlib.import_module(name)


class ListScreen(UsesEc2App, Screen[None], Generic[T]):
    """Subclasses set ``COLUMNS`` and implement ``fetch``, ``row`` and ``key_of``; they get the rest of the keymap."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    NOUN: ClassVar[str] = "items"
    COPY_WHAT: ClassVar[str] = "ID"
    FOLLOWS_REGION: ClassVar[bool] = True
    FILTER_FIELDS: ClassVar[Mapping[str, str]] = {}
    """Extra ``field:`` names (alias → search field) beyond the column keys, e.g. ``{"tag": "tag"}``."""
    WARM_UP: ClassVar[tuple[str, ...]] = ()
    """Modules to import in a thread once this list has loaded (the screens opened next): the app imports a screen's
    module when it is first opened, and that import froze the UI for 60-190 ms (a loaded 2-core machine), the longest
    freeze of a big list's load. Done once per process."""
    _warmed_up: ClassVar[bool] = False

    BINDINGS = [
        Binding("slash", "start_filter", "Filter", key_display="/", id="list.filter"),
        Binding("c", "copy", "Copy ID", id="list.copy"),
        Binding("ctrl+r", "refresh", "Refresh", id="list.refresh"),
        Binding("escape", "back", "Back", show=False, id="list.back"),
        Binding("greater_than_sign", "sort_next", "Sort", key_display=">", id="list.sort_next"),
        Binding("less_than_sign", "sort_reverse", "Reverse sort", key_display="<", show=False, id="list.sort_reverse"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.store: RowStore[T] = RowStore(self.search_field_names())
        self.filter_text = ""
        self.list_filter = ListFilter()
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._view_request = 0
        """Counts requested views: only the latest one may land (a slower, older filter never overwrites it)."""
        self.loaded_region: str | None = None
        self.error: str | None = None
        self.loading_data = False
        self._waiting_since = 0.0
        self._wait_clock: Timer | None = None
        self._load_generation = 0
        """Counts loads: only the latest one may end the loading state (an older one was cancelled or replaced)."""
        self.refreshing = False
        """Whether the current/last load bypasses the cache (ctrl+r): follow-up loads can do the same."""
        self._pending: deque[T] = deque()
        """Items queued to be shown a chunk at a time, their rows built in a thread (see :meth:`queue_items`)."""
        self._pending_lock = threading.Lock()
        self._draining = False
        self._rows_generation = 0
        """Bumped when the queue is dropped: rows built for an older one never land."""
        self._mounted_once = False
        self._refresh_on_mount = False
        self._empty_message = ""

    @property
    def items(self) -> list[T]:
        """Every item loaded, in arrival order (filtered or not)."""
        return self.store.items

    @property
    def _by_key(self) -> ItemsByKey[T]:
        return ItemsByKey(self.store)

    # -- subclass API -----------------------------------------------------------------------------------------
    def screen_title(self) -> str:
        return self.NOUN.capitalize()

    async def fetch(self, refresh: bool) -> list[T]:
        raise NotImplementedError

    def row(self, item: T) -> tuple[Any, ...]:
        raise NotImplementedError

    def key_of(self, item: T) -> str:
        raise NotImplementedError

    def search_field_names(self) -> tuple[str, ...]:
        """The fields ``field:value`` filter terms can name: the columns' keys and ``FILTER_FIELDS``' targets."""
        names = [column.key for column in self.COLUMNS]
        names += [field for field in self.FILTER_FIELDS.values() if field not in names]
        return tuple(names)

    def search_fields(self, item: T, cells: tuple[Any, ...]) -> dict[str, str]:
        """Lower-case text of each search field; the free-text filter looks at all of them.

        Defaults to the cells of the columns; subclasses add what the cells leave out (tags, whole names).
        """
        return {column.key: lowered(plain(cell)) for column, cell in zip(self.COLUMNS, cells, strict=False)}

    def sort_values(self, rows: RowsSnapshot[T], column: str) -> list[Any]:
        """What each of the snapshot's rows sorts on for ``column`` (numbers sort as numbers); defaults to the
        cells' text. A whole column at once: 50,000 calls of a per-row hook cost more than the sort itself."""
        position = next((i for i, spec in enumerate(self.COLUMNS) if spec.key == column), None)
        if position is None:
            return [""] * rows.count
        column_cells = list(map(itemgetter(position), rows.cells[: rows.count]))
        if set(map(type, column_cells)) == {str}:
            return column_cells
        return [cell if type(cell) is str else plain(cell) for cell in column_cells]

    def copy_value(self, item: T) -> tuple[str, str] | None:
        """(text, what it is) for `c`; defaults to the row key."""
        return self.key_of(item), self.COPY_WHAT

    def open_item(self, item: T) -> None:
        """`enter` on a row."""

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Filter list", "Filter the rows as you type (/)", "start_filter")
        yield action_command(self, f"Copy {self.COPY_WHAT}", "Copy the selected row's ID (c)", "copy")
        yield action_command(self, "Refresh", "Reload from AWS, bypassing the cache (ctrl+r)", "refresh")
        yield from self.sort_commands()

    def sort_commands(self) -> Iterable[PaletteCommand]:
        for column in self.COLUMNS:
            if column.label.strip():
                yield action_command(
                    self,
                    f"Sort by {column.label}",
                    "Order the rows by this column (> next column)",
                    f"sort_by('{column.key}')",
                )
        yield action_command(self, "Reverse sort order", "Flip the order of the rows (<)", "sort_reverse")

    def compose_top(self) -> Iterable[Any]:
        """Extra widgets between the title and the table (e.g. category tabs)."""
        return ()

    # -- composition ------------------------------------------------------------------------------------------
    def compose(self):
        yield AppHeader()
        with Vertical(id="body"):
            yield Static(id="title", classes="screen-title")
            yield from self.compose_top()
            yield VirtualTable(self.COLUMNS, id="table")
            yield Static(id="empty", classes="empty-state")
            yield FilterInput(
                placeholder="filter: text or field:value (state:running type:t3. tag:env=prod) · enter: back to "
                "the list · esc: clear",
                id="filter",
            )
        yield StableFooter()

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#table", VirtualTable)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one("#filter", FilterInput)

    def on_mount(self) -> None:
        self.table.set_columns(self.COLUMNS)
        self.table.show_only(settings.shown_columns(self.id or "", self.COLUMNS))
        self.filter_input.display = False
        self.query_one("#empty").display = False
        self.update_title()
        self._mounted_once = True
        self.reload(self._refresh_on_mount)

    def on_screen_resume(self) -> None:
        if self.FOLLOWS_REGION and self.loaded_region not in (None, self.ec2app.region):
            self.reload()

    def set_columns(self, columns: tuple[Column, ...]) -> None:
        """Change the columns: the rows are rebuilt (their cells follow the columns)."""
        self.COLUMNS = columns  # type: ignore[misc]
        self.table.set_columns(columns)
        self.table.show_only(settings.shown_columns(self.id or "", columns))
        if self.sort_column not in {c.key for c in columns}:
            self.sort_column, self.sort_reverse = None, False
            self.table.set_sort(None)
        items = list(self.store.items)
        self.store.clear(self.search_field_names())
        self.set_items(items)

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self, refresh: bool = False) -> None:
        if not self._mounted_once:  # asked before the table exists (a mode opened and followed at once): on_mount loads
            self._refresh_on_mount |= refresh
            return
        load = deferred(load_quietly, partial(self._load, refresh), lambda: len(self.store))  # no full GC pass mid-load
        self.run_worker(load, exclusive=True, group="load", exit_on_error=False)

    async def _load(self, refresh: bool) -> None:
        self._load_generation += 1
        generation = self._load_generation
        self.forget_pending()  # what an older load queued is not shown any more
        if self.error == LOAD_CANCELLED:
            self.error = None
        self.refreshing = refresh
        self.loaded_region = self.ec2app.region
        self.loading_data = True
        self.table.loading = True
        self.start_wait_clock()
        self.update_title()
        try:
            items = await self.fetch(refresh)
        except Ec2TuiError as exc:
            if generation == self._load_generation:
                self.show_error(str(exc))
                from ec2tui.screens.credentials import recover

                recover(self.ec2app, exc, self.reload, asked=refresh)  # expired credentials: a login, then again
            return
        except asyncio.CancelledError:
            if generation == self._load_generation:  # cancelled, not replaced by a newer load
                self.error = LOAD_CANCELLED
            raise
        except Exception as exc:
            # A bug, not AWS: say so on screen (never a "loading…" for good) and let it reach the app's handler.
            if generation == self._load_generation:
                self.show_error(f"Unexpected error while loading: {type(exc).__name__}: {exc}", title="Error")
            raise
        finally:
            if generation == self._load_generation:
                self.loading_data = False
                self.stop_wait_clock()
                with contextlib.suppress(NoMatches):  # the screen may be going away (its workers are cancelled)
                    self.table.loading = False
                    self.update_title()
        self.error = None
        if not self.store and not self._pending and len(items) > ROWS_PER_TICK:
            self.queue_items(items)  # a big first answer shows a slice at a time, not in one frozen go
        await self.drained()
        if generation == self._load_generation and 0 < len(self.store) < len(items):
            # Rows shown early (pages, batches) and the whole answer has more (AMIs shared with the account): queue
            # the rest too, so set_items finds the very items listed and only reorders, never rebuilds every row here.
            missing = [item for item in items if self.key_of(item) not in self.store]
            if missing:
                self.queue_items(missing)
                await self.drained()
        if generation == self._load_generation:
            self.set_items(items)
            self.warm_up()

    def warm_up(self) -> None:
        """Import :attr:`WARM_UP` in a thread worker, the first time a list asks (see there)."""
        if self.WARM_UP and not ListScreen._warmed_up:
            ListScreen._warmed_up = True
            self.run_worker(partial(import_modules, self.WARM_UP), thread=True, group="warm-up", exit_on_error=False)
            self.ec2app.gateway.warm_up()  # and the gateway's areas the first screen didn't need

    def queue_items(self, items: Iterable[T]) -> None:
        """Show these items as :meth:`add_items` would, their rows built in a thread worker and appended on the event
        loop :data:`ROWS_PER_CHUNK` at a time: input is never held up by a big answer."""
        with self._pending_lock:
            self._pending.extend(items)
            start, self._draining = not self._draining, True
        if start:
            self.run_worker(self._build_rows, thread=True, group="rows", description="build rows", exit_on_error=False)

    def _build_rows(self) -> None:
        worker = get_current_worker()
        pending = self._pending
        try:
            while not worker.is_cancelled:
                with self._pending_lock:
                    chunk = [pending.popleft() for _ in range(min(ROWS_PER_CHUNK, len(pending)))]
                    generation = self._rows_generation
                    if not chunk:
                        self._draining = False
                        return
                rows = [(self.key_of(item), item, *self._row_data(item)) for item in chunk]
                self.app.call_from_thread(self._add_built, generation, rows)  # waits: the next chunk follows this one
        finally:
            with self._pending_lock:
                self._draining = False

    def _add_built(self, generation: int, rows: list[BuiltRow]) -> None:
        if generation == self._rows_generation:  # else the queue was dropped (a reload, other columns) meanwhile
            self._add_rows(rows)

    def forget_pending(self) -> None:
        """Drop the items queued and not shown yet (rows being built for them are dropped too)."""
        with self._pending_lock:
            self._pending.clear()
            self._rows_generation += 1

    async def drained(self) -> None:
        """Until every queued item is shown."""
        while self._pending or self._draining:
            await asyncio.sleep(0.01)

    def start_wait_clock(self) -> None:
        """Count the seconds of a load in the title, so a slow answer never looks like a hang."""
        self._waiting_since = time.monotonic()
        if self._wait_clock is None:
            self._wait_clock = self.set_interval(1.0, self.update_title)

    def stop_wait_clock(self) -> None:
        if self._wait_clock is not None:
            self._wait_clock.stop()
            self._wait_clock = None

    def waiting(self, what: str = "loading") -> str:
        """``loading…``, and from the third second on ``loading… 12 s``."""
        waited = time.monotonic() - self._waiting_since
        return f"{what}… {waited:.0f} s" if waited >= 2 else f"{what}…"

    def show_error(self, message: str, title: str = "AWS error") -> None:
        self.error = message
        self.forget_pending()
        self.store.clear()
        self._view_request += 1
        self.table.clear()
        self.ec2app.notify(message, title=title, severity="error", markup=False, timeout=8)
        self.update_title()

    # -- rows -------------------------------------------------------------------------------------------------
    def _row_data(self, item: T) -> tuple[tuple[Any, ...], dict[str, str], list[int]]:
        cells = self.row(item)
        return cells, self.search_fields(item, cells), cell_widths(cells)

    def set_items(self, items: Iterable[T]) -> None:
        """Show exactly these items. Rows already built for an equal item are reused (a refresh that changes a
        few instances out of 10,000 rebuilds a few rows), and when the items are the very ones listed (a paged
        load's final order) the rows are only reordered."""
        items = list(items)
        self.forget_pending()
        store = self.store
        keys = [self.key_of(item) for item in items]
        if len(keys) == len(store) and all(
            key in store.index and store.items[store.index[key]] is item for key, item in zip(keys, items, strict=True)
        ):
            if keys != store.keys:
                store.reorder(keys)
            self.refresh_view()
            return
        old = store.snapshot()
        old_index = store.index
        store.clear()
        for key, item in zip(keys, items, strict=True):
            position = old_index.get(key)
            if position is not None and old.items[position] == item:
                cells = old.cells[position]
                fields = old.row_fields(position)
                store.add(key, item, cells, fields, cell_widths(cells))
            else:
                store.add(key, item, *self._row_data(item))
        self.refresh_view()

    def add_items(self, items: Iterable[T]) -> None:
        """Append rows as they arrive (fan-out, paging) without redrawing the rest."""
        rows = []
        for item in items:
            key = self.key_of(item)
            if key not in self.store:
                rows.append((key, item, *self._row_data(item)))
        self._add_rows(rows)

    def _add_rows(self, rows: list[BuiltRow]) -> None:
        start = len(self.store)
        added_keys = self.store.add_many(rows)
        if not added_keys:
            return
        added_cells = self.store.cells[start:]
        if self.list_filter or self.sort_column is not None:
            self.refresh_view()
            return
        self._view_request += 1  # an unfiltered view in flight would miss these rows: it must not land
        self.table.append_rows(added_keys, added_cells, self.store.widths)
        self.update_title()
        self.after_view()

    def update_item(self, item: T) -> None:
        key = self.key_of(item)
        if key not in self.store:
            self.add_items([item])
            return
        cells, fields, widths = self._row_data(item)
        self.store.replace(key, item, cells, fields, widths)
        if self.list_filter or self.sort_column is not None:
            self.refresh_view()
        else:
            self.table.update_row(key, cells, self.store.widths)

    def render_rows(self) -> None:
        """Rebuild every row (what they show depends on something outside the items) and show them."""
        self.set_columns(self.COLUMNS)

    def visible_items(self) -> list[T]:
        """The items shown, in the order shown."""
        by_key = self._by_key
        return [by_key[key] for key in self.table.row_keys]

    # -- the view: filter and sort ----------------------------------------------------------------------------
    def refresh_view(self) -> None:
        """Filter and sort the store and show the result; large lists do it in a thread, the newest request wins."""
        self._view_request += 1
        request = self._view_request
        snapshot = self.store.snapshot()
        query, column, reverse = self.list_filter, self.sort_column, self.sort_reverse
        if snapshot.count > FILTER_IN_THREAD and (query or column is not None):
            self.update_title()  # first: the thread started next competes with the event loop for the GIL
            self.run_worker(
                partial(self._view_in_thread, request, snapshot, query, column, reverse),
                thread=True,
                group="view",
                exclusive=True,
                exit_on_error=False,
            )
            return
        self._show_view(request, snapshot, self.compute_view(snapshot, query, column, reverse))

    def compute_view(
        self, snapshot: RowsSnapshot[T], query: ListFilter, column: str | None, reverse: bool
    ) -> list[int]:
        stop: Callable[[], bool] | None = getattr(_view_thread, "stop", None)
        positions = filter_rows(snapshot, query, stop)
        if column is not None:
            if stop is not None and stop():
                raise StaleView
            keys = self.store.sort_keys(snapshot, column, partial(self.sort_values, snapshot, column))
            if query:
                positions = sort_rows(positions, keys, reverse=reverse)
            else:  # every row: the column's order is kept for this version of the rows (a flip or a repeat is free)
                positions = self.store.sorted_order(snapshot, column, keys, reverse)
        return positions

    def _view_in_thread(
        self, request: int, snapshot: RowsSnapshot[T], query: ListFilter, column: str | None, reverse: bool
    ) -> None:
        worker = get_current_worker()
        # A newer keystroke stops this one at once (it would compete with the UI for the GIL until done).
        _view_thread.stop = lambda: worker.is_cancelled or request != self._view_request
        try:
            positions = self.compute_view(snapshot, query, column, reverse)
        except StaleView:
            return
        finally:
            _view_thread.stop = None
        shown = gather(snapshot, positions)  # here, not on the event loop
        if not worker.is_cancelled and request == self._view_request:
            self.app.call_from_thread(self._show_view, request, snapshot, positions, shown)

    def _show_view(
        self,
        request: int,
        snapshot: RowsSnapshot[T],
        positions: list[int],
        shown: tuple[Sequence[str], Sequence[tuple[Any, ...]]] | None = None,
    ) -> None:
        if request != self._view_request:
            return  # a newer filter, sort or reload asked since: this answer is stale
        keys, cells = shown if shown is not None else gather(snapshot, positions)
        with contextlib.suppress(NoMatches):
            self.table.set_rows(keys, cells, self.store.widths)
            self.update_title()
            self.after_view()

    def after_view(self) -> None:
        """Called whenever the rows shown changed (a view landed, rows were appended)."""

    @property
    def view_pending(self) -> bool:
        """Whether a filter or sort is being computed in a thread."""
        return any(w.group == "view" and not w.is_finished for w in self.workers)

    def view_status(self) -> list[tuple[str, str]]:
        """Title parts for the filter and the sort: what is applied and how many rows it leaves."""
        parts: list[tuple[str, str]] = []
        if self.filter_text:
            shown, total = self.table.row_count, len(self.store)
            parts.append((f"   filter '{self.filter_text}': {shown} of {total}", bold(WARNING)))
        if self.sort_column is not None:
            label = next((c.label for c in self.COLUMNS if c.key == self.sort_column), self.sort_column)
            parts.append((f"   sorted by {label} {'▼' if self.sort_reverse else '▲'}", "dim"))
        return parts

    def update_title(self) -> None:
        parts: list[tuple[str, str]] = [(self.screen_title(), "bold")]
        total = len(self.store)
        if self.loading_data:
            parts.append((f"  {self.waiting()}", "italic"))
        elif self.error is None:
            parts.append((f"  {total} {self.NOUN}", "dim"))
        parts += self.view_status()
        self.query_one("#title", Static).update(Content.assemble(*parts), layout=False)  # one line: no layout pass
        self.update_empty()

    def update_empty(self) -> None:
        shown, total = self.table.row_count, len(self.store)
        empty = self.query_one("#empty", Static)
        if self.error:
            message = f"[b {ERROR}]Could not load {escape(self.NOUN)}[/]\n{escape(self.error)}\n\nctrl+r retries."
        elif not self.loading_data and total == 0:
            message = f"No {escape(self.NOUN)} in {escape(self.ec2app.region)}." + self.empty_hint()
        elif not self.loading_data and shown == 0 and not self.view_pending:
            message = f"No {escape(self.NOUN)} match '{escape(self.filter_text)}'. esc clears the filter."
        else:
            message = ""
        if message != self._empty_message:  # an unchanged message costs no layout pass (every keystroke asks)
            self._empty_message = message
            empty.update(message)
            empty.display = bool(message)

    def empty_hint(self) -> str:
        return ""

    # -- selection --------------------------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        return self.table.cursor_key

    def selected_item(self) -> T | None:
        key = self.selected_key()
        if key is None or key not in self.store.index:
            return None
        return self.store.items[self.store.index[key]]

    def select_key(self, key: str) -> bool:
        """Put the cursor on the item's row; False when it is not shown."""
        if key not in self.table.row_keys:
            return False
        self.table.move_cursor(key=key)
        return True

    @on(VirtualTable.RowSelected, "#table")
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        item = self._by_key.get(event.key)
        if item is not None:
            self.open_item(item)

    @on(VirtualTable.HeaderSelected, "#table")
    def _header_selected(self, event: VirtualTable.HeaderSelected) -> None:
        self.action_sort_by(event.column_key)

    # -- actions ----------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        from ec2tui.screens.credentials import ask_mfa_again

        ask_mfa_again(self.ec2app)  # "press ctrl+r to be asked again" after a cancelled MFA code
        self.reload(refresh=True)

    def action_copy(self) -> None:
        item = self.selected_item()
        if item is None:
            self.ec2app.notify("Nothing selected to copy.", severity="warning")
            return
        value = self.copy_value(item)
        if value is not None:
            self.ec2app.copy_and_notify(*value)

    def action_start_filter(self) -> None:
        self.filter_input.display = True
        self.filter_input.focus()

    def clear_filter(self) -> None:
        self.filter_input.value = ""
        self.filter_input.display = False
        self.table.focus()

    def set_filter(self, text: str) -> None:
        """Apply a filter (as typed in `/`); the cursor stays on its item when that is still shown."""
        text = text.strip()
        if text == self.filter_text:
            return
        self.filter_text = text
        self.list_filter = parse_filter(text, self.filter_field_aliases())
        self.refresh_view()

    def filter_field_aliases(self) -> dict[str, str]:
        aliases = {name: name for name in self.store.field_names}
        aliases.update(self.FILTER_FIELDS)
        return aliases

    def action_back(self) -> None:
        if self.filter_text:
            self.clear_filter()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def sortable_columns(self) -> list[str]:
        return [column.key for column in self.COLUMNS if column.label.strip()]

    def action_sort_by(self, column: str) -> None:
        """Sort by ``column``; asked again for the same column, the order flips."""
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.table.set_sort(self.sort_column, self.sort_reverse)
        self.refresh_view()

    def action_sort_next(self) -> None:
        """`>`: sort by the next column (after the last one, back to the list's own order)."""
        columns = self.sortable_columns()
        if self.sort_column in columns:
            position = columns.index(self.sort_column) + 1
            self.sort_column = columns[position] if position < len(columns) else None
        else:
            self.sort_column = columns[0] if columns else None
        self.sort_reverse = False
        self.table.set_sort(self.sort_column, self.sort_reverse)
        self.refresh_view()

    def action_sort_reverse(self) -> None:
        """`<`: flip the order of the current sort."""
        if self.sort_column is None:
            columns = self.sortable_columns()
            if not columns:
                return
            self.sort_column = columns[0]
        self.sort_reverse = not self.sort_reverse
        self.table.set_sort(self.sort_column, self.sort_reverse)
        self.refresh_view()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()
        if self.table.row_count:
            self.table.move_cursor(row=0)
