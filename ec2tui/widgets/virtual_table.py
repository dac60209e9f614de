"""A table that renders only the rows on screen (Textual's line API), for lists of tens of thousands of rows.

The rows live in two plain parallel lists (keys and precomputed cells); nothing per row is a widget or a
renderable until it scrolls into view. Columns have priorities: when the terminal is narrow the least useful
ones drop, a column marked ``whole`` (an ID, an address) is never cut, and any other cut cell ends in ``…``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

# The scrollbar, imported with the table rather than lazily by Textual when a list first outgrows its screen: a big
# list's first rows show while its answer is still parsed in a worker thread (My AMIs), and an import on the event
# loop then waits for the interpreter at each of its file look-ups (~0.4 s measured).
import textual.scrollbar  # noqa: F401
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | Text
CELL_PADDING = 1
"""Blank cells on either side of every column."""
ELLIPSIS = "…"
STRIP_CACHE_SIZE = 1_000
"""Rendered rows kept: a few screens' worth, so appending rows or moving the cursor redraws only what changed."""


@dataclass(frozen=True)
class TableColumn:
    key: str
    label: str
    width: int | None = None
    """A fixed width; ``None``: as wide as the widest cell (up to ``max_width``)."""
    priority: int = 50
    """Lower is more important: when the row does not fit, the highest numbers drop first."""
    whole: bool = False
    """Never cut (IDs, addresses): the column drops instead."""
    min_width: int = 8
    """Narrowest a cuttable column gets before columns drop."""
    max_width: int | None = None
    justify: Literal["left", "right"] = "left"


def layout_columns(
    columns: Sequence[TableColumn], natural: Sequence[int], available: int, order: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """(column index, width) of the columns shown in ``available`` cells, in display order (``order``: only these
    column indexes, in this order; default: all of them).

    Every column starts at its minimum (its natural width when ``whole``); while that does not fit, the least
    important column drops (the first column always stays). Spare room then widens columns toward their natural
    width, most important first.
    """
    wants: list[int] = []
    minimum: list[int] = []
    for index, column in enumerate(columns):
        widest = natural[index] if index < len(natural) else 0
        if column.width is not None:
            want = column.width
        else:
            want = max(cell_len(column.label), widest)
            if column.max_width is not None:
                want = min(want, max(column.max_width, cell_len(column.label)))
        wants.append(want)
        minimum.append(want if column.whole or column.width is not None else min(want, column.min_width))
    shown = list(order) if order is not None else list(range(len(columns)))

    def needed() -> int:
        return sum(minimum[i] + 2 * CELL_PADDING for i in shown)

    while len(shown) > 1 and needed() > available:
        shown.remove(max(shown[1:], key=lambda i: (columns[i].priority, i)))
    widths = {i: minimum[i] for i in shown}
    spare = available - needed()
    for i in sorted(shown, key=lambda i: (columns[i].priority, i)):
        grow = max(0, min(spare, wants[i] - widths[i]))
        widths[i] += grow
        spare -= grow
    return [(i, widths[i]) for i in shown]


def fit_cell(cell: Cell, width: int, justify: str = "left") -> Text:
    """The cell padded or cut to exactly ``width`` cells; a cut one ends in ``…``."""
    text = cell if isinstance(cell, Text) else Text(cell)
    length = text.cell_len
    if length > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
        if not text.plain.endswith(ELLIPSIS) and width > 0:  # a cut exactly at a wide character
            text = Text(set_cell_size(text.plain, width - 1) + ELLIPSIS, style=text.style)
        return text
    if length < width:
        text = text.copy() if isinstance(cell, Text) else text
        if justify == "right" or text.justify == "right":
            text = Text(" " * (width - length)) + text
        else:
            text.pad_right(width - length)
    return text


def fit_plain(cell: str, width: int, justify: str = "left") -> str:
    """:func:`fit_cell` for plain text, as a string: no Text is made for the plain cells of a row (most of them)."""
    length = cell_len(cell)
    if length > width:
        return set_cell_size(cell, width - 1) + ELLIPSIS if width > 0 else ""
    if length < width:
        return " " * (width - length) + cell if justify == "right" else cell + " " * (width - length)
    return cell


class VirtualTable(ScrollView, can_focus=True):
    """Rows of cells with a row cursor; only the visible window is rendered.

    Posts :class:`RowHighlighted` when the cursor lands on another row, :class:`RowSelected` on enter or a click,
    :class:`HeaderSelected` when a column heading is clicked.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False, id="table.select"),
        Binding("up", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,ctrl+home", "first_row", "First row", show=False, id="table.first"),
        Binding("end,ctrl+end", "last_row", "Last row", show=False, id="table.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--even-row",
        "virtual-table--odd-row",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .virtual-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .virtual-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .virtual-table--even-row {
            background: $surface-darken-1 40%;
        }
    }
    """

    class _RowMessage(Message):
        """A row of ``table`` (its position and key): the cursor moved to it, or it was chosen."""

        def __init__(self, table: VirtualTable, cursor_row: int, key: str) -> None:
            super().__init__()
            self.table, self.cursor_row, self.key = table, cursor_row, key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowHighlighted(_RowMessage):
        pass

    class RowSelected(_RowMessage):
        pass

    class HeaderSelected(Message):
        def __init__(self, table: VirtualTable, column_key: str) -> None:
            super().__init__()
            self.table, self.column_key = table, column_key

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[TableColumn] = (),
        *,
        zebra_stripes: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[TableColumn, ...] = tuple(columns)
        self.zebra_stripes = zebra_stripes
        self.row_keys: Sequence[str] = []
        """The rows' keys: a list, or any sequence with ``index`` and ``in`` (a sorted view of a store's rows)."""
        self.row_cells: Sequence[tuple[Cell, ...]] = []
        """The rows' cells: a list, or any sequence (a sorted view picks them from its store's rows when drawn)."""
        self._index: dict[str, int] | None = {}
        """Key → position, built when first asked after the rows were replaced (a filter keystroke needs none)."""
        self._strips: dict[tuple[str, int, bool], tuple[tuple[Cell, ...], tuple[object, ...], Strip]] = {}
        """Rendered rows by (key, stripe, cursor), with the cells and the layout and styles they were made for."""
        self.natural_widths: list[int] = []
        self.cursor_row = 0
        self.cursor_placed = False
        """Whether the cursor was put on an item (a key, a click, the app following one). Until then it stays on the
        first row while rows arrive and get sorted, rather than following whichever row happened to come first."""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._layout: list[tuple[int, int]] = []
        self._layout_for: tuple[object, ...] = ()
        self._highlighted: str | None = None
        self.shown_keys: tuple[str, ...] | None = None
        """Only these columns, in this order (the user's settings); None: every column."""
        self._frame: tuple[int, Style, tuple[object, ...]] | None = None
        """While :meth:`render_lines` runs: the width, base style and what a row's strip is made for, looked up once
        a frame rather than once a line (the base style alone walks the DOM: ~0.1 ms a line)."""

    # -- data -------------------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.row_keys)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self.row_keys):
            return self.row_keys[self.cursor_row]
        return None

    @property
    def _positions(self) -> dict[str, int]:
        if self._index is None:
            self._index = {key: position for position, key in enumerate(self.row_keys)}
        return self._index

    def get_row_index(self, key: str) -> int:
        """The row's position (KeyError when it is not shown)."""
        return self._positions[key]

    def get_row(self, key: str) -> tuple[Cell, ...]:
        return self.row_cells[self._positions[key]]

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        self.columns = tuple(columns)
        self.natural_widths = []
        self._layout_for = ()
        self.refresh()

    def set_rows(
        self, keys: Sequence[str], cells: Sequence[tuple[Cell, ...]], natural_widths: Sequence[int] | None = None
    ) -> None:
        """Show these rows (parallel lists, taken as they are); the cursor stays on its item when still shown."""
        followed = self.cursor_key
        before = self._on_screen()
        self.row_keys, self.row_cells = keys, cells
        self._index = None
        self.natural_widths = list(natural_widths) if natural_widths is not None else self._measure(cells)
        if followed is not None and self.cursor_placed:
            with contextlib.suppress(ValueError):  # not shown any more: the cursor keeps its row number
                self.cursor_row = keys.index(followed)
        elif not self.cursor_placed:
            self.cursor_row = 0
        self._changed(before)

    def append_rows(
        self, keys: Sequence[str], cells: Sequence[tuple[Cell, ...]], natural_widths: Sequence[int] | None = None
    ) -> None:
        start = len(self.row_keys)
        if self._index is not None:
            for offset, key in enumerate(keys):
                self._index[key] = start + offset
        if not isinstance(self.row_keys, list):
            self.row_keys = list(self.row_keys)
        self.row_keys.extend(keys)
        self._own_cells().extend(cells)
        self._widen(natural_widths if natural_widths is not None else self._measure(cells))
        self._changed()

    def update_row(self, key: str, cells: tuple[Cell, ...], natural_widths: Sequence[int] | None = None) -> None:
        position = self._positions.get(key)
        if position is None:
            return
        self._own_cells()[position] = cells
        self._widen(natural_widths if natural_widths is not None else self._measure([cells]))
        self.refresh()

    def _own_cells(self) -> list[tuple[Cell, ...]]:
        """The cells as a list of the table's own, to change (a view handed to :meth:`set_rows` is copied first)."""
        if not isinstance(self.row_cells, list):
            self.row_cells = list(self.row_cells)
        return self.row_cells

    def clear(self) -> None:
        self.cursor_placed = False
        self.set_rows([], [], [])

    def show_only(self, keys: Sequence[str] | None) -> None:
        """Show only the columns with these keys, in this order (unknown keys are skipped); None: all of them."""
        self.shown_keys = tuple(keys) if keys is not None else None
        self._layout_for = ()
        self.refresh()

    def set_sort(self, column: str | None, reverse: bool = False) -> None:
        """Mark the sort column in the header (the caller orders the rows)."""
        if (column, reverse) != (self.sort_column, self.sort_reverse):
            self.sort_column, self.sort_reverse = column, reverse
            self._refresh_header()

    def _refresh_header(self) -> None:
        """Redraw the heading line alone (a whole refresh redraws every visible row: several ms a frame)."""
        self.refresh(Region(0, 0, self.size.width, 1))

    def _measure(self, cells: Sequence[tuple[Cell, ...]]) -> list[int]:
        widths = [0] * len(self.columns)
        for row in cells:
            for index, length in enumerate(cell_widths(row[: len(widths)])):
                if length > widths[index]:
                    widths[index] = length
        return widths

    def _widen(self, widths: Sequence[int]) -> None:
        natural = self.natural_widths
        if len(natural) < len(widths):
            natural += [0] * (len(widths) - len(natural))
        for index, width in enumerate(widths):
            if width > natural[index]:
                natural[index] = width

    def _changed(self, shown_before: tuple[object, ...] | None = None) -> None:
        """After new rows: the cursor within them and in view, and a redraw unless ``shown_before`` (what
        :meth:`_on_screen` said before the change) is still what the screen shows."""
        if self.row_keys:
            self.cursor_row = max(0, min(self.cursor_row, len(self.row_keys) - 1))
        else:
            self.cursor_row = 0
        self.virtual_size = Size(self.size.width, len(self.row_keys) + 1)
        self._scroll_cursor_into_view()
        if shown_before is None or shown_before != self._on_screen():
            self.refresh()
        self._post_highlighted()

    def _on_screen(self) -> tuple[object, ...] | None:
        """What the visible rows show (their keys and cells, the cursor, the widths), to compare before and after new
        rows are set: a sort that leaves the window as it was (the rows were in that order already) redraws nothing.
        None before the first layout."""
        height = self._body_height if self.size.height else 0
        if not height:
            return None
        top = int(self.scroll_y)
        window = slice(top, top + height)
        return (
            top,
            self.cursor_row,
            tuple(self.row_keys[window]),
            tuple(map(id, self.row_cells[window])),
            tuple(self.natural_widths),
        )

    # -- columns ----------------------------------------------------------------------------------------------
    def shown_columns(self) -> list[tuple[TableColumn, int]]:
        """The columns that fit the current width, with their widths."""
        width = self.scrollable_content_region.width or self.size.width or self.app.size.width
        signature = (width, id(self.columns), self.shown_keys, *self.natural_widths)
        if signature != self._layout_for:
            order = None
            if self.shown_keys is not None:
                index = {column.key: i for i, column in enumerate(self.columns)}
                order = [index[key] for key in self.shown_keys if key in index] or None
            self._layout = layout_columns(self.columns, self.natural_widths, width, order)
            self._layout_for = signature
        return [(self.columns[index], column_width) for index, column_width in self._layout]

    # -- cursor -----------------------------------------------------------------------------------------------
    def move_cursor(self, *, row: int | None = None, key: str | None = None, scroll: bool = True) -> None:
        if key is not None:
            row = self._positions.get(key)
            if row is None:
                return
        if row is None or not self.row_keys:
            return
        self.cursor_placed = True
        row = max(0, min(row, len(self.row_keys) - 1))
        if row != self.cursor_row:
            previous, self.cursor_row = self.cursor_row, row
            self._refresh_rows(previous, row)
        if scroll:
            self._scroll_cursor_into_view()
        self._post_highlighted()

    def _refresh_rows(self, *rows: int) -> None:
        """Redraw these rows' lines alone (where they are on screen now; a scroll that follows redraws the rest)."""
        top = int(self.scroll_y)
        width = self.size.width
        lines = [Region(0, row - top + 1, width, 1) for row in rows if 0 <= row - top < self._body_height]
        if lines:  # (refresh() of no region would redraw it all)
            self.refresh(*lines)

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._body_height:
            self.scroll_to(y=self.cursor_row - self._body_height + 1, animate=False, immediate=True)

    def _post_highlighted(self) -> None:
        key = self.cursor_key
        if key is not None and key != self._highlighted:
            self._highlighted = key
            self.post_message(self.RowHighlighted(self, self.cursor_row, key))
        elif key is None:
            self._highlighted = None

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._body_height)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._body_height)

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=len(self.row_keys) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, key))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.row_keys):
            self.move_cursor(row=row)
            self.action_select_cursor()

    def _column_at(self, x: int) -> TableColumn | None:
        left = 0
        for column, width in self.shown_columns():
            left += width + 2 * CELL_PADDING
            if x < left:
                return column
        return None

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.row_keys) + 1)
        self._scroll_cursor_into_view()

    # -- rendering --------------------------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = self._new_frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _new_frame(self) -> tuple[int, Style, tuple[object, ...]]:
        """The width, base style and what a row's strip is made for, now (the layout worked out for them)."""
        width, base = self.scrollable_content_region.width, self.rich_style
        self.shown_columns()
        return width, base, (width, base, self._layout_for, self.has_focus)

    def render_line(self, y: int) -> Strip:
        width, base, made_for = self._frame or self._new_frame()  # (no frame: called on its own)
        if y == 0:
            return self._header_strip(width, base)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.row_keys):
            return Strip.blank(width, base)
        cursor = row == self.cursor_row
        stripe = row % 2 if self.zebra_stripes else 0
        cells = self.row_cells[row]
        cache_key = (self.row_keys[row], stripe, cursor)
        cached = self._strips.get(cache_key)
        if cached is not None and cached[0] is cells and cached[1] == made_for:
            return cached[2]
        if cursor:
            style = self.get_component_rich_style("virtual-table--cursor")
        elif stripe:
            style = self.get_component_rich_style("virtual-table--even-row")
        else:
            style = self.get_component_rich_style("virtual-table--odd-row")
        strip = self._row_strip(cells, width, base, style, post=cursor)
        if len(self._strips) >= STRIP_CACHE_SIZE:
            self._strips.clear()
        self._strips[cache_key] = (cells, made_for, strip)
        return strip

    def _header_strip(self, width: int, base: Style) -> Strip:
        labels: list[Cell] = []
        for column in self.columns:
            if column.key == self.sort_column:
                labels.append(f"{column.label}{'▼' if self.sort_reverse else '▲'}")
            else:
                labels.append(column.label)
        style = self.get_component_rich_style("virtual-table--header")
        return self._row_strip(tuple(labels), width, base, style, post=False, header=True)

    def _row_strip(
        self, cells: tuple[Cell, ...], width: int, base: Style, style: Style, *, post: bool, header: bool = False
    ) -> Strip:
        console = self.app.console
        pad = " " * CELL_PADDING
        row_style = base + style
        segments: list[Segment] = []
        plain_run: list[str] = []
        """Plain cells (most of them) side by side: one segment in the row's style, no Text made for them."""
        columns = self.columns
        if self._frame is None:  # (a frame worked the layout out once for all its lines)
            self.shown_columns()
        for index, column_width in self._layout:
            cell: Cell = cells[index] if index < len(cells) else ""
            justify = "left" if header else columns[index].justify
            if type(cell) is str:
                plain_run += (pad, fit_plain(cell, column_width, justify), pad)
                continue
            text = fit_cell(cell, column_width, justify)
            if plain_run:
                segments.append(Segment("".join(plain_run), row_style))
                plain_run = []
            if header:
                own_segments = [Segment(text.plain, text.style if isinstance(text.style, Style) else None)]
            else:
                # Text.render drops the Text's own style when it has no spans ("running" in green): apply it here.
                rendered = text.render(console)
                own = console.get_style(text.style, default=None) if text.style else None
                own_segments = list(Segment.apply_style(rendered, style=own) if own else rendered)
            segments.append(Segment(pad, row_style))
            if post:  # the cursor's colours win over the cell's own
                segments.extend(Segment.apply_style(own_segments, post_style=row_style))
            else:
                segments.extend(Segment.apply_style(own_segments, style=row_style))
            segments.append(Segment(pad, row_style))
        if plain_run:
            segments.append(Segment("".join(plain_run), row_style))
        return Strip(segments).adjust_cell_length(width, row_style).simplify()

    def row_text(self, key: str) -> list[str]:
        """The plain text of a row's cells (for tests and copy)."""
        return [cell.plain if isinstance(cell, Text) else cell for cell in self.get_row(key)]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self.refresh()


@lru_cache(maxsize=1024)
def styled(text: str, style: str) -> Text:
    """One shared ``Text`` per (word, style) for the cells of many rows (``running`` in green): the table never
    changes a cell's Text (it copies one to cut or pad it), so 10,000 rows need not hold 10,000 of them."""
    return Text(text, style=style)


def cell_widths(cells: Sequence[Any]) -> list[int]:
    """How many terminal cells each cell's text takes."""
    return [cell.cell_len if isinstance(cell, Text) else cell_len(str(cell)) for cell in cells]


def plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)
