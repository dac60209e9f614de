"""The app shell and regions screen, driven with Pilot against moto."""

from __future__ import annotations

import asyncio
import re

import pyperclip
import pytest
from botocore.config import Config

from ec2tui.app import Ec2App
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway import Gateway
from ec2tui.screens.command_prompt import CommandPrompt
from ec2tui.screens.help import HelpScreen
from tests.ui_helpers import notifications, settle, static_text, table_rows, until


@pytest.fixture
def app(no_default_amis, gateway, ec2) -> Ec2App:
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3, InstanceType="t3.micro")
    return Ec2App(gateway)


def row_named(app: Ec2App, name: str) -> list[str]:
    return next(r for r in table_rows(app) if r[1] == name)


async def test_regions_appear_with_opt_in_status_and_counts(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = table_rows(app)
        assert len(rows) == 38
        us_east = row_named(app, "us-east-1")
        assert us_east[0] == "●"
        assert us_east[2] == "US East (N. Virginia)"
        assert us_east[3] == "opt-in-not-required"
        assert us_east[4].strip() == "3" and us_east[5].strip() == "3"
        assert row_named(app, "ap-east-1")[4] == "not enabled"
        assert "38 regions" in static_text(app, "#title")


async def test_counts_sort_as_numbers_with_regions_not_counted_last(app):
    import boto3

    boto3.client("ec2", region_name="eu-west-1").run_instances(
        ImageId="ami-12c6146b", MinCount=12, MaxCount=12, InstanceType="t3.micro"
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.action_sort_by("instances")
        await settle(pilot)
        counts = [row[4].strip() for row in table_rows(app)]
        numbers = [int(count) for count in counts if count.isdigit()]
        assert numbers == sorted(numbers) and numbers[-2:] == [3, 12], "3 before 12: numbers, not text"
        assert not any(count.isdigit() for count in counts[len(numbers) :]), "regions not counted (not enabled) last"


async def test_a_slow_load_counts_its_seconds_in_the_title(app, monkeypatch):
    answer = asyncio.Event()
    real = app.gateway.regions.list

    async def slow(*args, **kwargs):
        await answer.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(app.gateway.regions, "list", slow)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        assert "loading…" in static_text(app, "#title")
        for _ in range(50):  # from the third second on, the title counts (polled: a loaded CI machine is slow)
            await pilot.pause(0.2)
            if re.search(r"loading… \d+ s$", static_text(app, "#title")):
                break
        assert re.search(r"loading… \d+ s$", static_text(app, "#title")), "the wait is counted, not a frozen spinner"
        answer.set()
        await settle(pilot)
        assert "38 regions" in static_text(app, "#title")


async def test_enter_switches_region_and_header_follows(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#table").move_cursor(key="eu-west-1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.region == "eu-west-1" and app.context.region == "eu-west-1"
        assert row_named(app, "eu-west-1")[0] == "●" and row_named(app, "us-east-1")[0] == ""
        header = static_text(app, "AppHeader")
        assert "region eu-west-1" in header and header.rstrip().endswith("? help  : command")
        assert "Region is now eu-west-1" in notifications(app)


async def test_not_enabled_region_is_refused(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#table").move_cursor(key="ap-east-1")
        await pilot.press("enter")
        assert app.region == "us-east-1"
        assert any("not enabled" in n for n in notifications(app))


async def test_filter_as_you_type_enter_and_escape(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "e", "u", "-", "w")
        await pilot.pause()
        names = [r[1] for r in table_rows(app)]
        assert names == ["eu-west-1", "eu-west-2", "eu-west-3"]
        assert "filter 'eu-w': 3 of 38" in static_text(app, "#title")
        await pilot.press("enter")
        table = app.screen.query_one("#table")
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("escape")
        await pilot.pause()
        assert len(table_rows(app)) == 38


async def test_c_copies_with_pyperclip(app, clipboard):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert clipboard == ["us-east-1"], "the cursor starts on the current region"
        assert any("Copied region name us-east-1 (system clipboard)" in n for n in notifications(app))


async def test_c_falls_back_to_osc52_without_a_system_clipboard(app, monkeypatch):
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("no copy mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "c")
        assert app.clipboard == "us-east-2"
        assert any("OSC 52" in n for n in notifications(app))


async def test_over_ssh_osc52_is_used(app, monkeypatch):
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard == "us-east-1" and copied == []


async def test_command_prompt_validates_completes_and_navigates(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        assert isinstance(app.screen, CommandPrompt)
        await pilot.press(*"bogus", "enter")
        await pilot.pause()
        assert "Unknown command 'bogus'" in static_text(app, "#prompt-error")
        assert app.screen.query_one("#prompt").value == "bogus", "what the user typed is kept"
        prompt = app.screen.query_one("#prompt")
        prompt.value = ""
        await pilot.press("r", "e", "g", "tab")
        assert prompt.value == "regions"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.id == "regions"
        await pilot.press("colon", *"quit", "enter")
        await pilot.pause()
    assert app.return_code == 0


async def test_help_lists_every_binding(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(getattr(w.render(), "plain", "")) for w in app.screen.query("Static"))
        rendered = app.screen.query("Static")
        assert rendered
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        del text


async def test_palette_has_every_action_by_plain_name(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "Go to regions",
            "Use region",
            "Filter list",
            "Refresh",
            "Command prompt",
            "Show keys and help",
        } <= titles


async def test_q_quits_with_status_zero(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_unreachable_endpoint_shows_error_and_app_stays_usable(aws):
    factory = ClientFactory(
        AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:9"),
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1),
    )
    gateway = Gateway(factory)
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any("Cannot reach the AWS endpoint" in n for n in notifications(app))
        assert "Could not load regions" in static_text(app, "#empty")
        assert "ctrl+r retries" in static_text(app, "#empty")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_user_keymap_remaps_a_binding(no_default_amis, gateway):
    app = Ec2App(gateway, keymap={"app.help": "f1"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_at_80_columns_the_footer_palette_key_reaches_the_right_edge(app):
    """Textual's compact footer gave the docked palette key a right margin: the keys scrolled beneath it showed
    through that cell ("^p palettem" at 80 columns)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"instances", "enter")
        await settle(pilot)
        palette_key = app.screen.query_one("FooterKey.-command-palette")
        assert palette_key.region.right == 80 and palette_key.styles.margin.right == 0


async def test_the_palette_screenshot_saves_without_a_downloads_folder(app, tmp_path, monkeypatch):
    """Textual saves into ~/Downloads and failed with a bare message where there is none (a server, a container)."""
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_downloads_dir", lambda: str(tmp_path / "no-such-downloads"))
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "state"))
    saved = tmp_path / "state" / "screenshots"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_screenshot()
        await until(pilot, lambda: any(saved.glob("*.svg")), "a screenshot in the state folder")
        await until(pilot, lambda: any("Saved screenshot" in t for t in notifications(app)), "the saved notice")
        assert not (tmp_path / "no-such-downloads").exists()

        (tmp_path / "blocked").write_text("a file where the folder should be")
        app.action_screenshot(path=str(tmp_path / "blocked" / "shots"))
        await settle(pilot)
        assert any("Cannot save a screenshot in" in text and "blocked" in text for text in notifications(app))


@pytest.mark.parametrize(("keymap", "shown"), [({}, "? help"), ({"app.help": "f1"}, "f1 help")])
async def test_the_header_names_the_help_key_in_effect(app, keymap, shown):
    """After remapping help to f1 the header still said "? help"."""
    app.set_keymap(keymap)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        header = str(app.screen.query_one("AppHeader").render())
        assert shown in header and ": command" in header
        await pilot.press("f1" if keymap else "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_the_region_list_an_earlier_run_stored_shows_until_aws_s_own_replaces_it(
    no_default_amis, factory, tmp_path, monkeypatch
):
    """A stored list (an earlier run's) shows before AWS answers; AWS's own list replaces it, counts and all."""
    import threading

    from ec2tui.aws import regions as regions_svc
    from ec2tui.aws.models.regions import Region
    from ec2tui.gateway.disk_cache import REGIONS, DiskCache

    disk = DiskCache(tmp_path, "aws")
    real = regions_svc.list_regions(factory.ec2("us-east-1"))
    assert disk.store("global", "regions", "-", REGIONS, [r for r in real if r.name != "eu-west-1"])
    release = threading.Event()

    def slow_list_regions(ec2) -> list[Region]:
        assert release.wait(30), "the test never let AWS answer"
        return real

    monkeypatch.setattr(regions_svc, "list_regions", slow_list_regions)
    gateway = Gateway(factory, disk=disk)
    app = Ec2App(gateway)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: len(table_rows(app)) == len(real) - 1, "the stored list")
            assert "eu-west-1" not in [row[1] for row in table_rows(app)]
            release.set()
            await until(pilot, lambda: len(table_rows(app)) == len(real), "AWS's own list")
            await settle(pilot)
            assert row_named(app, "eu-west-1")[4].strip() == "0", "counted like the others"
    finally:
        release.set()
        gateway.close()


async def test_the_regions_screen_warms_up_the_next_screens_once_its_counts_are_in(app, monkeypatch):
    """Imports in a thread take turns with the event loop: not while the counts' fan-out is under way."""
    import sys
    import threading

    from ec2tui.gateway import regions as regions_gateway
    from ec2tui.screens import list_screen
    from ec2tui.screens.regions import RegionsScreen

    monkeypatch.setattr(RegionsScreen, "WARM_UP", ("tests.warm_up_target",))
    monkeypatch.setattr(list_screen.ListScreen, "_warmed_up", False)
    monkeypatch.delitem(sys.modules, "tests.warm_up_target", raising=False)
    release = threading.Event()
    count = regions_gateway.count_instances_streamed

    def slow_count(ec2):
        if ec2.meta.region_name == "eu-west-1":
            assert release.wait(30), "the test never let the count answer"
        return count(ec2)

    monkeypatch.setattr(regions_gateway, "count_instances_streamed", slow_count)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            counted = lambda name, shown: any(r[1] == name and r[4].strip() == shown for r in table_rows(app))  # noqa: E731
            await until(pilot, lambda: counted("us-east-1", "3"), "the other counts")
            assert counted("eu-west-1", "…")
            assert "tests.warm_up_target" not in sys.modules, "not while a count is still out"
            release.set()
            await until(pilot, lambda: "tests.warm_up_target" in sys.modules, "the warm-up, once the counts are in")
    finally:
        release.set()
        sys.modules.pop("tests.warm_up_target", None)
