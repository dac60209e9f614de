"""The virtual table on its own: column priorities and cuts, the cursor following its item, keys and clicks."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region

from ec2tui.list_query import Picked
from ec2tui.widgets.virtual_table import TableColumn, VirtualTable, fit_cell, fit_plain, layout_columns

COLUMNS = (
    TableColumn("name", "Name", priority=20, min_width=8),
    TableColumn("id", "Instance ID", priority=10, whole=True),
    TableColumn("ip", "Public IP", priority=40, whole=True),
    TableColumn("note", "Note", priority=90, min_width=6),
)
ID = "i-0123456789abcdef0"
IP = "54.214.146.240"


def test_whole_columns_drop_instead_of_being_cut_and_the_least_useful_drop_first():
    natural = [30, len(ID), len(IP), 40]
    wide = dict((COLUMNS[i].key, w) for i, w in layout_columns(COLUMNS, natural, 200))
    assert wide == {"name": 30, "id": 19, "ip": 14, "note": 40}
    medium = dict((COLUMNS[i].key, w) for i, w in layout_columns(COLUMNS, natural, 60))
    assert medium["id"] == 19 and medium["ip"] == 14 and medium["note"] == 6
    assert sum(w + 2 for w in medium.values()) <= 60
    narrow = dict((COLUMNS[i].key, w) for i, w in layout_columns(COLUMNS, natural, 50))
    assert "note" not in narrow and narrow["id"] == 19 and narrow["ip"] == 14
    tiny = dict((COLUMNS[i].key, w) for i, w in layout_columns(COLUMNS, natural, 33))
    assert tiny.keys() == {"name", "id"} and tiny["id"] == 19, "the IP dropped rather than showing a cut address"


def test_a_cut_cell_ends_with_an_ellipsis_and_a_short_one_is_padded():
    assert fit_cell("web-server-frontend", 8).plain == "web-ser…"
    assert fit_cell("web", 6).plain == "web   "
    assert fit_cell("12", 5, "right").plain == "   12"
    assert fit_cell("日本語テキスト", 5).cell_len == 5 and fit_cell("日本語テキスト", 5).plain.endswith("…")


class TableApp(App[None]):
    def __init__(self, rows: int = 100) -> None:
        super().__init__()
        self.rows = rows
        self.selected: list[str] = []
        self.highlighted: list[str] = []
        self.headers: list[str] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="table")

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        keys = [f"k{n:03}" for n in range(self.rows)]
        table.set_rows(keys, [(f"name-{key}", ID, IP, "note") for key in keys])
        table.focus()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        self.selected.append(event.key)

    def on_virtual_table_header_selected(self, event: VirtualTable.HeaderSelected) -> None:
        self.headers.append(event.column_key)

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self.highlighted.append(event.key)


async def test_home_end_page_keys_and_enter():
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.press("end")
        assert table.cursor_key == "k099" and table.scroll_y > 0, "end jumps to the last row and shows it"
        await pilot.press("home")
        assert table.cursor_key == "k000" and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_row == 19, "a page is the rows on screen under the header"
        await pilot.press("down", "up", "up")
        assert table.cursor_row == 18
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == ["k018"] and app.highlighted[-1] == "k018"


async def test_the_cursor_follows_its_item_when_the_rows_change():
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(VirtualTable)
        table.move_cursor(key="k042")
        keys = [f"k{n:03}" for n in range(99, -1, -1)]  # reversed: k042 is now row 57
        table.set_rows(keys, [(key, ID, IP, "") for key in keys])
        assert table.cursor_key == "k042" and table.cursor_row == 57
        table.set_rows(["k001", "k042"], [("a", ID, IP, ""), ("b", ID, IP, "")])
        assert table.cursor_key == "k042" and table.cursor_row == 1
        table.set_rows(["k001"], [("a", ID, IP, "")])
        assert table.cursor_key == "k001", "its item gone, the cursor stays on a row that exists"
        table.clear()
        assert table.cursor_key is None and table.row_count == 0
        await pilot.pause()


async def test_until_the_cursor_is_moved_it_stays_on_the_first_row_as_rows_arrive_and_get_sorted():
    """A list that loads in pages and is sorted as they come: the cursor must not follow whichever row happened to
    arrive first (the demo's instance list opened with the cursor on its last row, out of sight of a new user)."""
    app = TableApp(rows=0)
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_rows(["k009", "k003"], [("z", ID, IP, ""), ("c", ID, IP, "")])  # the first page, unsorted
        keys = [f"k{n:03}" for n in range(10)]
        table.set_rows(keys, [(key, ID, IP, "") for key in keys])  # every page in, sorted
        assert table.cursor_row == 0 and table.cursor_key == "k000"
        await pilot.press("down")
        table.set_rows(keys[::-1], [(key, ID, IP, "") for key in keys[::-1]])
        assert table.cursor_key == "k001", "once moved, it follows its item"
        table.clear()
        table.set_rows(["k005", "k002"], [("e", ID, IP, ""), ("b", ID, IP, "")])
        table.set_rows(["k002", "k005"], [("b", ID, IP, ""), ("e", ID, IP, "")])
        assert table.cursor_key == "k002", "a cleared table starts again from the first row"


async def test_a_click_selects_the_row_under_the_mouse_and_a_heading_asks_to_sort():
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.click(VirtualTable, offset=(3, 3))
        await pilot.pause()
        assert app.selected == ["k002"], "line 3 is the third row under the header"
        await pilot.click(VirtualTable, offset=(40, 0))
        await pilot.pause()
        assert app.headers and app.headers[-1] in {"id", "ip"}


async def test_narrow_rendering_keeps_ids_and_addresses_whole():
    app = TableApp(rows=5)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        lines = [table.render_line(y).text for y in range(6)]
        assert "Instance ID" in lines[0] and "Note" not in lines[0]
        for line in lines[1:]:
            assert ID in line and IP not in line[: line.index(ID)]
            name_cell = line[: line.index(ID)].strip()
            assert name_cell == "name-k000"[: len(name_cell)] or name_cell.endswith("…") or name_cell.startswith("name")
        assert all(IP in line or "Public IP" not in lines[0] for line in lines[1:])


def test_at_80_columns_the_regions_counts_and_the_instance_ids_stay():
    from ec2tui.screens.instances import SINGLE_REGION_COLUMNS
    from ec2tui.screens.regions import RegionsScreen

    columns = RegionsScreen.COLUMNS
    natural = [1, 14, 26, 19, 11, 7]  # the widest cells the demo shows
    shown = {columns[i].key: w for i, w in layout_columns(columns, natural, 78)}
    assert shown["name"] == 14 and shown["instances"] >= 9 and shown["running"] >= 7
    instances = SINGLE_REGION_COLUMNS
    natural = [1, 14, 19, 10, 11, 21, 10, 11, 14, 8, 3]
    shown = {instances[i].key: w for i, w in layout_columns(instances, natural, 78)}
    assert shown["id"] == 19 and shown["name"] == 14 and shown["state"] == 10
    assert all(shown[key] == natural[i] for i, key in enumerate(c.key for c in instances) if key in shown)


async def test_a_styled_cell_keeps_its_colour():
    """A cell given as Text("running", style="green") is drawn green: Rich's Text.render drops a span-less Text's own
    style, which left every instance state white."""
    from rich.text import Text

    app = TableApp(rows=0)
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(VirtualTable)
        # the first row holds the cursor (whose own style recolours its text, as DataTable's does)
        table.set_rows(["a", "k"], [("first", ID, IP, "note"), (Text("running", style="green"), ID, IP, "note")])
        await pilot.pause()
        segments = [s for y in range(3) for s in table.render_line(y) if "running" in s.text]
        assert segments, [table.render_line(y).text for y in range(3)]
        assert all(s.style is not None and s.style.color is not None for s in segments)
        assert {s.style.color.name for s in segments if s.style and s.style.color} == {"green"}


async def test_rendered_rows_are_reused_only_while_their_cells_cursor_and_width_are_the_same():
    """Rows are drawn from a cache of rendered rows: a row whose cells were replaced, the row the cursor left or
    reached, and every row after a resize are drawn anew."""
    app = TableApp(rows=5)
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        first, second = table.render_line(1), table.render_line(2)
        assert table.render_line(2) is second, "nothing changed: the same rendered row"
        table.update_row("k001", ("renamed", ID, IP, "note"))
        assert "renamed" in table.render_line(2).text and "name-k001" not in table.render_line(2).text
        cursor_style = {s.style for s in first if s.text.strip()}
        table.move_cursor(key="k001")
        assert {s.style for s in table.render_line(2) if s.text.strip()} == cursor_style, "the cursor's look"
        assert {s.style for s in table.render_line(1) if s.text.strip()} != cursor_style, "the old row's own look"
        before = table.render_line(3)
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert table.render_line(3) is not before and table.render_line(3).cell_length == 60


def test_a_plain_cell_is_fitted_as_a_text_cell_would_be():
    for cell in ("web-server-frontend", "web", "", "日本語テキスト", "ab日本"):
        for width in (1, 2, 3, 5, 8, 19, 24):
            for justify in ("left", "right"):
                assert fit_plain(cell, width, justify) == fit_cell(cell, width, justify).plain, (cell, width, justify)


async def test_lines_redrawn_alone_leave_the_screen_as_a_full_redraw_draws_it():
    """A cursor move redraws two lines, a new sort mark the heading alone, new rows that leave the window as it was
    nothing: what the widget holds drawn must still equal a redraw of every line."""
    app = TableApp(rows=100)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(VirtualTable)

        def drawn() -> list[list[Segment]]:
            return [list(strip) for strip in table.render_lines(Region(0, 0, *table.size))]

        def redrawn() -> list[list[Segment]]:
            table.refresh()
            return drawn()

        async def check(what: str) -> None:
            await pilot.pause()
            kept = drawn()
            assert kept == redrawn(), what

        await pilot.press("down", "down", "up")
        await check("cursor moves")
        await pilot.press("pagedown", "down")
        await check("a move that scrolls")
        table.set_sort("id")
        await check("a sort mark")
        assert "Instance ID▲" in table.render_line(0).text
        table.set_sort("id", reverse=True)
        await check("the mark flipped")
        keys, cells = list(table.row_keys), list(table.row_cells)
        table.set_rows(keys[:50] + keys[50:][::-1], cells[:50] + cells[50:][::-1])  # the window's rows unchanged
        await check("new rows, the same window")
        table.move_cursor(row=0)
        await check("back to the top")
        keys, cells = list(table.row_keys), list(table.row_cells)
        table.set_rows(keys[:1] + keys[1:][::-1], cells[:1] + cells[1:][::-1])  # the cursor's row stays, no scroll
        await check("new rows in the window")
        assert keys[-1] in table.render_line(2).text.replace("name-", "")


async def test_rows_given_as_a_view_are_drawn_and_changed_without_touching_what_they_view():
    """A sorted list hands its cells as a view of its store's rows (Picked): drawn as any rows, and a row updated or
    appended later changes the table's own copy, never the store's list."""
    app = TableApp(rows=0)
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(VirtualTable)
        base = [(f"name-{n}", ID, IP, "") for n in range(5)]
        table.set_rows(["k4", "k2", "k0"], Picked(base, [4, 2, 0]))
        await pilot.pause()
        assert [table.render_line(y).text.split()[0] for y in (1, 2, 3)] == ["name-4", "name-2", "name-0"]
        table.update_row("k2", ("renamed", ID, IP, ""))
        table.append_rows(["k9"], [("name-9", ID, IP, "")])
        assert [table.row_text(key)[0] for key in ("k4", "k2", "k0", "k9")] == ["name-4", "renamed", "name-0", "name-9"]
        assert base[2][0] == "name-2" and len(base) == 5
