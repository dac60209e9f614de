"""The instances list: cells, filter, all-regions view (with a failing region), auto-refresh, palette."""

from __future__ import annotations

import threading
from dataclasses import replace

from botocore.exceptions import ClientError

from ec2tui.aws import instances as svc
from ec2tui.screens.instances import InstancesScreen
from ec2tui.widgets.theme_colours import SUCCESS
from tests.instances_ui_helpers import moto_instance, open_instances, rows_by_name, run
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle, static_text, table_rows

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


async def test_list_shows_every_column_for_each_instance(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        rows = rows_by_name(app)
        assert set(rows) == {"builder", "web-1", "web-2", "db"}
        raw = moto_instance(fleet["web-1"])
        mark, name, instance_id, state, itype, ami, zone, private_ip, public_ip, key, age = rows["web-1"]
        assert (mark, name, instance_id, state, itype, ami) == (
            "",
            "web-1",
            fleet["web-1"],
            "running",
            "t3.medium",
            fleet.image_id,
        )
        assert zone == raw["Placement"]["AvailabilityZone"]
        assert private_ip == raw["PrivateIpAddress"] and public_ip == raw["PublicIpAddress"]
        assert key == "ops"
        assert age.endswith("s") or age.endswith("m")
        assert rows["db"][3] == "stopped" and rows["builder"][3] == "terminated"
        assert rows["db"][8] == "", "a stopped instance has no public IP"
        state_cell = screen.table.get_row(fleet["web-1"])[3]
        assert state_cell.style == SUCCESS, "the theme's success colour, resolved when drawn"
        assert "Instances · us-east-1" in static_text(app, "#title")
        assert "4 instances" in static_text(app, "#title")
        assert "auto-refresh" not in static_text(app, "#title")


async def test_filter_matches_any_column(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await pilot.press("slash", *"stopped")
        await pilot.pause()
        assert [r[1] for r in table_rows(app)] == ["db"]
        assert "filter 'stopped': 1 of 4" in static_text(app, "#title")
        app.screen.query_one("#filter").value = fleet["web-2"][:12]
        await pilot.pause()
        assert [r[1] for r in table_rows(app)] == ["web-2"]
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(table_rows(app)) == 4


async def test_all_regions_shows_each_region_and_a_failure_does_not_hide_the_others(app, fleet, monkeypatch):
    west = run("us-west-2", "west-1")
    sydney = run("ap-southeast-2", "syd-1")
    run("eu-west-1", "eu-1")
    real = svc.list_instances

    def failing_in_ireland(ec2, region, **kwargs):
        if region == "eu-west-1":
            raise ClientError(
                {"Error": {"Code": "UnauthorizedOperation", "Message": "You are not authorized"}}, "DescribeInstances"
            )
        return real(ec2, region)

    monkeypatch.setattr(svc, "list_instances", failing_in_ireland)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await pilot.press("a")
        await settle(pilot)
        rows = rows_by_name(app, name_column=2)
        assert {"web-1", "web-2", "db", "builder", "west-1", "syd-1"} == set(rows)
        assert rows["west-1"][1] == "us-west-2" and rows["west-1"][3] == west
        assert rows["syd-1"][1] == "ap-southeast-2" and rows["syd-1"][3] == sydney
        assert rows["web-1"][1] == "us-east-1"
        assert app.screen.table.columns[1].label == "Region"
        status = static_text(app, "#instances-status")
        assert status.startswith("1 region failed: eu-west-1:") and "not authorized" in status
        assert any("not authorized" in n for n in notifications(app))
        assert "Instances · all regions" in static_text(app, "#title")
        assert "6 instances" in static_text(app, "#title")
        assert not app.screen.query_one("#empty").display, "no 'no instances' message over the rows"
        # back to one region: the Region column and the failure line go away
        await pilot.press("a")
        await settle(pilot)
        assert set(rows_by_name(app)) == {"web-1", "web-2", "db", "builder"}
        assert app.screen.table.columns[1].label == "Name"
        assert not app.screen.query_one("#instances-status").display


async def test_rows_appear_as_each_region_answers(app, fleet, monkeypatch):
    run("us-west-2", "west-1")
    real = svc.list_instances
    oregon_may_answer = threading.Event()

    def oregon_waits(ec2, region, **kwargs):
        if region == "us-west-2":  # held back until the test has seen us-east-1's rows (no clock involved)
            oregon_may_answer.wait(30)
        return real(ec2, region)

    monkeypatch.setattr(svc, "list_instances", oregon_waits)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_instances(pilot)
            await pilot.press("a")
            await wait_for(pilot, lambda: "web-1" in {r[2] for r in table_rows(app)}, what="us-east-1's rows")
            assert "west-1" not in {r[2] for r in table_rows(app)}
            assert screen.loading_data and "regions…" in static_text(app, "#title")
            oregon_may_answer.set()
            await wait_for(pilot, lambda: "west-1" in {r[2] for r in table_rows(app)}, what="us-west-2's rows")
            await settle(pilot)
            assert {"web-1", "west-1"} <= {r[2] for r in table_rows(app)}
    finally:
        oregon_may_answer.set()


async def test_auto_refresh_runs_while_an_instance_is_transitional_and_stops_after(app, fleet, monkeypatch):
    monkeypatch.setattr(InstancesScreen, "AUTO_REFRESH_SECONDS", 0.2)
    pending = {fleet["web-2"]}
    calls: list[str] = []
    real = svc.list_instances

    def with_a_pending_instance(ec2, region, **kwargs):
        calls.append(region)
        return [replace(i, state="pending") if i.id in pending else i for i in real(ec2, region)]

    monkeypatch.setattr(svc, "list_instances", with_a_pending_instance)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        assert rows_by_name(app)["web-2"][3] == "pending"
        assert "⟳ auto-refresh every 0.2s" in static_text(app, "#title")
        before = len(calls)
        # the transitional region is re-read, bypassing the cache (polled: timers run late on a loaded machine)
        await wait_for(pilot, lambda: len(calls) >= before + 2, what="two automatic re-reads")
        pending.clear()
        await wait_for(pilot, lambda: rows_by_name(app)["web-2"][3] == "running", what="web-2 running")
        await settle(pilot)
        assert "auto-refresh" not in static_text(app, "#title")
        assert screen._timer is None
        settled_calls = len(calls)
        await pilot.pause(0.6)
        assert len(calls) == settled_calls, "no more refreshes once nothing is in transition"


async def test_palette_offers_every_instance_action_by_plain_name(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "Start",
            "Stop",
            "Force stop",
            "Reboot",
            "Terminate",
            "Create image from instance",
            "Copy instance ID",
            "Copy public IP",
            "Copy private IP",
            "Show SSH command",
            "Toggle all regions",
            "Mark or unmark instance",
            "Clear marks",
            "Open instance details",
            "Filter list",
            "Refresh",
            "Go to instances",
        } <= titles


async def test_help_shows_a_remapped_key_as_it_now_is(fleet, gateway):
    from ec2tui.screens.help import bindings_table
    from tests.instances_ui_helpers import InstancesFirstApp

    app = InstancesFirstApp(gateway, keymap={"instances.stop": "O", "list.sort_next": "ctrl+s"})
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        table = bindings_table(app.screen)
        keys = dict(zip(table.columns[1].cells, table.columns[0].cells, strict=True))
        assert keys["Stop"] == "O" and keys["Sort"] == "ctrl+s"


async def test_help_lists_the_instance_keys(app, fleet):
    from ec2tui.screens.help import bindings_table

    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        table = bindings_table(app.screen)
        keys = dict(zip(table.columns[1].cells, table.columns[0].cells, strict=True))
        # Inherited from the list screen (the old help, reading the class's own BINDINGS, missed them).
        assert keys["Sort"] == ">" and keys["Reverse sort"] == "<"
        assert keys["Help"] == "?" and keys["Command"] == ":"
        assert keys["Start"] == "s" and keys["Stop"] == "o" and keys["Reboot"] == "b"
        assert keys["Terminate"] == "ctrl+d" and keys["Mark"] == "space" and keys["All regions"] == "a"
        assert keys["Copy public IP"] == "p" and keys["Copy private IP"] == "P"
        assert keys["Show the ssh command line"] == "H" and keys["Show the Session Manager command"] == "X"
        assert keys["Connect with SSH in this terminal"] == "h" and keys["Start a Session Manager shell here"] == "x"
