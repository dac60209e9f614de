"""Base for every list view: a DataTable fed by the gateway, with loading state, `/` filter, `c` copy, ctrl+r."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.actions import parse as parse_action
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from ec2tui.errors import Ec2TuiError
from ec2tui.widgets.app_header import AppHeader

if TYPE_CHECKING:
    from ec2tui.app import Ec2App

T = TypeVar("T")

LOAD_CANCELLED = "Loading was cancelled: ctrl+r loads again."


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None


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

    def action_clear_filter(self) -> None:
        screen = self.screen
        if isinstance(screen, ListScreen):
            screen.clear_filter()


class ListScreen(Screen[None], Generic[T]):
    """Subclasses set ``COLUMNS`` and implement ``fetch``, ``row`` and ``key_of``; they get the rest of the keymap."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    NOUN: ClassVar[str] = "items"
    COPY_WHAT: ClassVar[str] = "ID"
    FOLLOWS_REGION: ClassVar[bool] = True

    BINDINGS = [
        Binding("slash", "start_filter", "Filter", key_display="/", id="list.filter"),
        Binding("c", "copy", "Copy ID", id="list.copy"),
        Binding("ctrl+r", "refresh", "Refresh", id="list.refresh"),
        Binding("escape", "back", "Back", show=False, id="list.back"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.items: list[T] = []
        self._by_key: dict[str, T] = {}
        self.filter_text = ""
        self.loaded_region: str | None = None
        self.error: str | None = None
        self.loading_data = False
        self._waiting_since = 0.0
        self._wait_clock: Timer | None = None
        self._load_generation = 0
        """Counts loads: only the latest one may end the loading state (an older one was cancelled or replaced)."""
        self.refreshing = False
        """Whether the current/last load bypasses the cache (ctrl+r): follow-up loads can do the same."""

    @property
    def ec2app(self) -> Ec2App:
        return self.app  # type: ignore[return-value]

    # -- subclass API -----------------------------------------------------------------------------------------
    def screen_title(self) -> str:
        return self.NOUN.capitalize()

    async def fetch(self, refresh: bool) -> list[T]:
        raise NotImplementedError

    def row(self, item: T) -> tuple[Any, ...]:
        raise NotImplementedError

    def key_of(self, item: T) -> str:
        raise NotImplementedError

    def copy_value(self, item: T) -> tuple[str, str] | None:
        """(text, what it is) for `c`; defaults to the row key."""
        return self.key_of(item), self.COPY_WHAT

    def open_item(self, item: T) -> None:
        """`enter` on a row."""

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Filter list", "Filter the rows as you type (/)", "start_filter")
        yield action_command(self, f"Copy {self.COPY_WHAT}", "Copy the selected row's ID (c)", "copy")
        yield action_command(self, "Refresh", "Reload from AWS, bypassing the cache (ctrl+r)", "refresh")

    def compose_top(self) -> Iterable[Any]:
        """Extra widgets between the title and the table (e.g. category tabs)."""
        return ()

    # -- composition ------------------------------------------------------------------------------------------
    def compose(self):
        yield AppHeader()
        with Vertical(id="body"):
            yield Static(id="title", classes="screen-title")
            yield from self.compose_top()
            yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
            yield Static(id="empty", classes="empty-state")
            yield FilterInput(
                placeholder="filter: type to narrow the list · enter: back to the list · esc: clear", id="filter"
            )
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable:
        return self.query_one("#table", DataTable)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one("#filter", FilterInput)

    def on_mount(self) -> None:
        for column in self.COLUMNS:
            self.table.add_column(column.label, key=column.key, width=column.width)
        self.filter_input.display = False
        self.query_one("#empty").display = False
        self.update_title()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.FOLLOWS_REGION and self.loaded_region not in (None, self.ec2app.region):
            self.reload()

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self, refresh: bool = False) -> None:
        self.run_worker(self._load(refresh), exclusive=True, group="load", exit_on_error=False)

    async def _load(self, refresh: bool) -> None:
        self._load_generation += 1
        generation = self._load_generation
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
        self.set_items(items)

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
        self.items, self._by_key = [], {}
        self.table.clear()
        self.ec2app.notify(message, title=title, severity="error", markup=False, timeout=8)
        self.update_title()

    def set_items(self, items: list[T]) -> None:
        self.items = list(items)
        self._by_key = {self.key_of(i): i for i in self.items}
        self.render_rows()

    def add_items(self, items: Iterable[T]) -> None:
        """Append rows as they arrive (fan-out, paging) without redrawing the rest."""
        for item in items:
            key = self.key_of(item)
            if key in self._by_key:
                continue
            self.items.append(item)
            self._by_key[key] = item
            if self.matches(item):
                self.table.add_row(*self.row(item), key=key)
        self.update_title()

    def update_item(self, item: T) -> None:
        key = self.key_of(item)
        if key not in self._by_key:
            self.add_items([item])
            return
        self.items[self.items.index(self._by_key[key])] = item
        self._by_key[key] = item
        if self.matches(item) and key in self.table.rows:
            for column, value in zip(self.COLUMNS, self.row(item), strict=False):
                self.table.update_cell(key, column.key, value)

    def render_rows(self) -> None:
        table = self.table
        selected = self.selected_key()
        table.clear()
        for item in self.visible_items():
            table.add_row(*self.row(item), key=self.key_of(item))
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self.update_title()

    def visible_items(self) -> list[T]:
        return [i for i in self.items if self.matches(i)]

    def matches(self, item: T) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in _plain(cell).lower() for cell in self.row(item))

    def update_title(self) -> None:
        title = Text(self.screen_title(), style="bold")
        shown, total = self.table.row_count, len(self.items)
        if self.loading_data:
            title.append(f"  {self.waiting()}", style="italic")
        elif self.error is None:
            title.append(f"  {total} {self.NOUN}", style="dim")
        if self.filter_text:
            title.append(f"   filter '{self.filter_text}': {shown} of {total}", style="bold yellow")
        self.query_one("#title", Static).update(title)
        empty = self.query_one("#empty", Static)
        if self.error:
            empty.update(f"[b red]Could not load {escape(self.NOUN)}[/]\n{escape(self.error)}\n\nctrl+r retries.")
        elif not self.loading_data and total == 0:
            empty.update(f"No {escape(self.NOUN)} in {escape(self.ec2app.region)}." + self.empty_hint())
        elif not self.loading_data and shown == 0:
            empty.update(f"No {escape(self.NOUN)} match '{escape(self.filter_text)}'. esc clears the filter.")
        else:
            empty.update("")
        empty.display = bool(self.error) or (not self.loading_data and shown == 0)

    def empty_hint(self) -> str:
        return ""

    # -- selection --------------------------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    def selected_item(self) -> T | None:
        key = self.selected_key()
        return self._by_key.get(key) if key is not None else None

    @on(DataTable.RowSelected, "#table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        item = self._by_key.get(event.row_key.value or "")
        if item is not None:
            self.open_item(item)

    # -- actions ----------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
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

    def action_back(self) -> None:
        if self.filter_text:
            self.clear_filter()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.render_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()
        if self.table.row_count:
            self.table.move_cursor(row=0)


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)
