"""List behaviour on the instances screen: field filters, sort, the cursor following its item, page-by-page
loading, stale filter answers, follow() after a launch, Home/End and narrow terminals."""

from __future__ import annotations

import threading

from ec2tui.aws import instances as svc
from ec2tui.screens import list_screen
from tests.instances_ui_helpers import client, open_instances, run, select
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import rendered_table, settle, static_text, table_rows

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


def shown_names(app) -> list[str]:
    return [row[1] for row in table_rows(app)]


async def type_filter(pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await settle(pilot)


async def test_field_filters_narrow_and_show_in_the_title(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await type_filter(pilot, "state:running type:t3.")
        assert sorted(shown_names(app)) == ["web-1", "web-2"]
        assert "filter 'state:running type:t3.': 2 of 4" in static_text(app, "#title")
        await pilot.press("escape")
        await type_filter(pilot, "tag:name=web-2")
        assert shown_names(app) == ["web-2"], "tags are searched as key=value"
        await pilot.press("escape")
        await type_filter(pilot, "STOPPED")
        assert shown_names(app) == ["db"], "free text, any case"


async def test_the_cursor_follows_its_item_across_filter_sort_and_refresh(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["db"])
        before = screen.table.cursor_row
        await type_filter(pilot, "r")  # db (r6i, stopped) still matches; rows above it may not
        assert screen.selected_key() == fleet["db"]
        await pilot.press("escape")
        await settle(pilot)
        assert screen.selected_key() == fleet["db"] and screen.table.cursor_row == before
        for _ in range(4):  # sort by name, id, state, type: the row moves, the cursor with it
            await pilot.press("greater_than_sign")
            await settle(pilot)
            assert screen.selected_key() == fleet["db"], screen.sort_column
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.selected_key() == fleet["db"], "a refresh keeps the cursor on its instance"


async def test_sort_by_each_column_matches_a_naive_sort(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        columns = screen.sortable_columns()
        for column in columns:
            await pilot.press("greater_than_sign")
            await settle(pilot)
            assert screen.sort_column == column
            index = [c.key for c in screen.COLUMNS].index(column)
            values = [row[index] for row in table_rows(app)]
            if column == "age":
                times = [screen._by_key[key].launch_time for key in screen.table.row_keys]
                assert times == sorted(times, reverse=True), "youngest first"
            elif column in ("private_ip", "public_ip"):
                shown = [getattr(screen._by_key[key], column) for key in screen.table.row_keys]
                numbers = [tuple(int(part) for part in address.split(".")) for address in shown if address]
                assert numbers == sorted(numbers), "addresses sort as numbers"
                assert not any(shown[len(numbers) :]), "no address: last"
            else:
                filled = [v for v in values if v]
                assert filled == sorted(filled, key=str.lower) and values == filled + [""] * (len(values) - len(filled))
            assert f"sorted by {screen.COLUMNS[index].label}" in static_text(app, "#title")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert screen.sort_column is None, "after the last column, back to the list's own order"
        await pilot.press("less_than_sign")
        await settle(pilot)
        names = shown_names(app)
        assert screen.sort_column == columns[0] and names == sorted(names, key=str.lower, reverse=True)


async def test_rows_appear_page_by_page_and_each_exactly_once(app, fleet, monkeypatch):
    more = [run("us-east-1", f"extra-{n:02}") for n in range(12)]
    monkeypatch.setattr(svc, "LIST_PAGE_SIZE", 5)
    real_pages = svc.instance_pages
    first_page_seen = threading.Event()
    release = threading.Event()

    def held_after_the_first_page(ec2, region, page_size=None):
        for number, page in enumerate(real_pages(ec2, region, page_size)):
            yield page
            if number == 0:
                first_page_seen.set()
                release.wait(30)

    monkeypatch.setattr(svc, "instance_pages", held_after_the_first_page)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            app.navigate("instances")
            await wait_for(pilot, lambda: app.screen.id == "instances" and app.screen.table.row_count > 0)
            screen = app.screen
            assert screen.loading_data and 0 < screen.table.row_count <= 5, "the first page shows before the rest"
            assert f"{screen.table.row_count} instances" in static_text(app, "#title"), "with a count"
            release.set()
            await settle(pilot)
            keys = list(screen.table.row_keys)
            assert len(keys) == len(set(keys)) == 16, "every instance exactly once"
            assert set(keys) == set(more) | set(fleet.ids.values())
            assert not screen.loading_data and "16 instances" in static_text(app, "#title")
            assert shown_names(app)[:2] == ["builder", "db"], "in the list's own order once all are in"
    finally:
        release.set()


async def test_a_stale_filter_answer_never_lands(app, fleet, monkeypatch):
    monkeypatch.setattr(list_screen, "FILTER_IN_THREAD", 0)  # every filter runs in a thread worker
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        real = screen.compute_view
        first_may_finish = threading.Event()
        first_started = threading.Event()

        def slow_first(snapshot, query, column, reverse):
            if not first_started.is_set():
                first_started.set()
                first_may_finish.wait(30)
            return real(snapshot, query, column, reverse)

        screen.compute_view = slow_first  # type: ignore[method-assign]
        try:
            screen.set_filter("web")
            await wait_for(pilot, first_started.is_set)
            screen.set_filter("state:stopped")  # the newer keystroke (free text "db" would match hex IDs too)
            await wait_for(pilot, lambda: shown_names(app) == ["db"], what="the newer filter's rows")
        finally:
            first_may_finish.set()
        await settle(pilot)
        assert shown_names(app) == ["db"], "the older, slower answer arrived last and was dropped"
        assert "filter 'state:stopped': 1 of 4" in static_text(app, "#title")


async def test_follow_puts_the_cursor_on_a_launched_instance(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await type_filter(pilot, "state:stopped")
        launched = run("us-east-1", "fresh-one")
        screen.follow([launched], "us-east-1")
        await wait_for(pilot, lambda: screen.selected_key() == launched, what="the cursor on the new instance")
        assert not screen.filter_text, "a filter that would hide it is cleared"
        assert screen.following == []


async def test_home_and_end_jump_to_the_first_and_last_row(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await pilot.press("end")
        assert screen.selected_key() == screen.table.row_keys[-1]
        await pilot.press("home")
        assert screen.selected_key() == screen.table.row_keys[0]


async def test_at_80_columns_ids_and_addresses_stay_whole(app, fleet):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_instances(pilot)
        lines = rendered_table(app)
        header = lines[0]
        assert "Instance ID" in header and "Name" in header and "State" in header
        for key in screen.table.row_keys:
            item = screen._by_key[key]
            line = next(line for line in lines[1:] if key in line)  # the whole ID is on screen
            for address, label in ((item.public_ip, "Public IP"), (item.private_ip, "Private IP")):
                if address and label in header:
                    assert address in line, "an address shown is shown whole"
            assert item.image_id in line or "AMI" not in header
        public = client("us-east-1").describe_instances(InstanceIds=[fleet["web-1"]])
        address = public["Reservations"][0]["Instances"][0]["PublicIpAddress"]
        assert not any(address[:-1] in line and address not in line for line in lines), "no cut address"


async def test_a_list_warms_up_the_modules_opened_next_in_a_thread(app, fleet, monkeypatch):
    """A list with WARM_UP (the regions list: the list screens opened next), once loaded, imports those modules in a
    thread worker (imported on first open, they froze the UI); once per process."""
    import sys

    from ec2tui.screens.instances import InstancesScreen
    from ec2tui.screens.regions import RegionsScreen

    assert {"ec2tui.screens.instances", "ec2tui.screens.amis"} <= set(RegionsScreen.WARM_UP)
    monkeypatch.setattr(InstancesScreen, "WARM_UP", ("tests.warm_up_target",))
    monkeypatch.setattr(list_screen.ListScreen, "_warmed_up", False)
    sys.modules.pop("tests.warm_up_target", None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await wait_for(pilot, lambda: "tests.warm_up_target" in sys.modules, what="the warm-up import")
        assert sys.modules["tests.warm_up_target"].IMPORTED_IN is not threading.main_thread(), "off the event loop"
        sys.modules.pop("tests.warm_up_target")
        screen.reload()
        await wait_for(pilot, lambda: not screen.loading_data, what="the list loaded again")
        await settle(pilot)
        assert "tests.warm_up_target" not in sys.modules, "once per process"


async def test_a_long_filter_scrolls_in_its_box_without_laying_out_the_screen(app, fleet, monkeypatch):
    """The filter box repaints as it is typed in (Textual's Input asked for a layout of the whole screen per key,
    5-10 ms beside a big list) and still scrolls its text to keep the cursor in view."""
    async with app.run_test(size=(44, 20)) as pilot:
        screen = await open_instances(pilot)
        await type_filter(pilot, "w")
        box = screen.filter_input
        layouts: list[bool] = []
        refresh = box.refresh
        monkeypatch.setattr(box, "refresh", lambda *a, **k: layouts.append(k.get("layout", False)) or refresh(*a, **k))
        text = "web-" + "x" * 44  # past the box's 42 columns
        await pilot.press(*text[1:])
        await settle(pilot)
        assert box.value == text and "filter 'web-xxx" in static_text(app, "#title")
        # Repaints only; one layout when the text outgrows the box (its zero-height scrollbar shows): not one a key.
        assert len(layouts) > len(text) - 1 and sum(layouts) <= 1, sum(layouts)
        assert box.scroll_x > 0 and box.cursor_screen_offset.x < box.region.right, "the cursor stays in view"
