"""Community and Marketplace: server-side search, paging, 50,000 public images on the server."""

from __future__ import annotations

import pytest

from ec2tui.app import Ec2App
from ec2tui.aws.models.images import ImageCategory
from ec2tui.screens.amis import AmisScreen
from tests.test_amis_ui_helpers import (
    honour_max_results,
    names,
    seed_demo_catalog,
    seed_public_images,
    wait_loaded,
)
from tests.ui_helpers import acknowledge_unexpected, notifications, settle, static_text, table_rows

PAGE = 50  # the gateway's default page size
PUBLIC_IMAGES = 50_000


@pytest.fixture
def huge_app(no_default_amis, gateway, ec2, monkeypatch) -> tuple[Ec2App, list[int]]:
    answered = honour_max_results(monkeypatch)
    seed_public_images(PUBLIC_IMAGES)
    return Ec2App(gateway), answered


@pytest.fixture
def big_app(no_default_amis, gateway, ec2, monkeypatch) -> tuple[Ec2App, list[int]]:
    """5,000 public images: enough for many pages, and moto scans them for a text search in well under a second
    (at 50,000 each text search costs moto ~5 s of filtering, which says nothing about the app)."""
    answered = honour_max_results(monkeypatch)
    seed_public_images(5_000)
    return Ec2App(gateway), answered


@pytest.fixture
def app(no_default_amis, gateway, ec2) -> Ec2App:
    seed_demo_catalog()
    return Ec2App(gateway)


async def test_first_page_of_50000_public_images_arrives_quickly_and_only_a_page_is_held(huge_app):
    app, answered = huge_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis community", "enter")
        await wait_loaded(pilot, app)
        screen = app.screen
        assert isinstance(screen, AmisScreen) and screen.category is ImageCategory.COMMUNITY
        assert len(table_rows(app)) == PAGE and len(screen.items) == PAGE
        assert max(answered) <= PAGE, "every DescribeImages answer was one page, never the 50,000"
        title = static_text(app, "#title")
        assert f"{PAGE} loaded" in title and "more on the server" in title

        await pilot.press("m")  # load more
        await wait_loaded(pilot, app)
        assert len(table_rows(app)) == 2 * PAGE
        assert len(set(names(app))) == 2 * PAGE, "pages do not overlap"
        assert screen.table.cursor_row == 0, "appending keeps the cursor where it was"

        await pilot.press("ctrl+end")  # moving to the last row loads the next page by itself
        await wait_loaded(pilot, app)
        assert len(table_rows(app)) == 3 * PAGE
        assert f"{3 * PAGE} loaded" in static_text(app, "#title")


async def test_filter_only_narrows_the_loaded_page_while_search_asks_the_server(big_app):
    app, answered = big_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis community", "enter")
        await wait_loaded(pilot, app)
        screen = app.screen
        calls = len(answered)
        await pilot.press("slash", *"build-0499")  # not on the first page: the filter cannot find it
        await pilot.pause()
        assert table_rows(app) == [] and len(answered) == calls, "the filter never calls AWS"
        assert "filter 'build-0499': 0 of 50 loaded" in static_text(app, "#title")
        await pilot.press("escape")
        await pilot.pause()
        assert len(table_rows(app)) == PAGE
        # the server-side search finds them among all 5,000
        await pilot.press("s")
        assert screen.focused is screen.search_input
        await pilot.press(*"build-0499", "enter")
        await wait_loaded(pilot, app)
        assert names(app) == [f"community-build-0499{n}" for n in range(10)]
        assert "search 'build-0499'" in static_text(app, "#title")
        assert "that is all of them" in static_text(app, "#title")
        assert screen.focused is screen.table


async def test_search_with_architecture_and_platform_in_the_demo_catalog(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis community", "enter")
        await wait_loaded(pilot, app)
        screen = app.screen
        await pilot.press("s", *"arch:arm64", "enter")
        await wait_loaded(pilot, app)
        assert names(app) and all(i.architecture == "arm64" for i in screen.items)
        assert "nixos/25.05.2026-aarch64-linux" in names(app)
        screen.search_input.value = ""
        await pilot.press("s", *"platform:windows", "enter")
        await wait_loaded(pilot, app)
        assert names(app) == ["windows-2022-sqlexpress-community"]
        screen.search_input.value = ""
        await pilot.press("s", *"vault", "enter")  # the description ("Vault 1.20.4 server…") or the name
        await wait_loaded(pilot, app)
        assert names(app) == ["hashicorp-vault-1.20.4-ubuntu-24.04-amd64"]
        screen.search_input.value = ""
        await pilot.press("s", *"no-such-image", "enter")
        await wait_loaded(pilot, app)
        assert names(app) == []
        assert "Nothing matches the search 'no-such-image'" in static_text(app, "#empty")
        # a bad search is refused before AWS is asked, and the rows stay
        screen.search_input.value = ""
        await pilot.press("s", *"arch:sparc", "enter")
        await pilot.pause()
        assert any("Unknown architecture 'sparc'" in n for n in notifications(app))
        # escape leaves the box and restores the search that is in force
        await pilot.press("escape")
        assert screen.focused is screen.table and screen.search_input.value == "no-such-image"
        # every tab keeps its own search
        await pilot.press("3")
        await wait_loaded(pilot, app)
        assert len(names(app)) == 4 and screen.search_input.value == ""
        await pilot.press("s", *"owner:123456789012", "enter")
        await pilot.pause()
        assert any("search them without owner" in n for n in notifications(app))


async def test_search_box_and_load_more_exist_only_where_there_are_pages(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis mine", "enter")
        await wait_loaded(pilot, app)
        screen = app.screen
        assert not screen.query_one("#ami-search-row").display
        assert screen.check_action("search", ()) is False and screen.check_action("load_more", ()) is False
        await pilot.press("s", "m")
        assert screen.focused is screen.table
        await pilot.press("4")
        await wait_loaded(pilot, app)
        assert screen.query_one("#ami-search-row").display
        assert screen.check_action("search", ()) is True
        await pilot.press("m")
        await pilot.pause()
        assert any("Every matching image is loaded" in n for n in notifications(app))
        assert "/ filters only the rows loaded here" in static_text(app, "#ami-hint")


async def test_a_next_page_that_breaks_ends_its_loading_title(big_app):
    app, _ = big_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"amis community", "enter")
        await wait_loaded(pilot, app)
        screen = app.screen
        assert isinstance(screen, AmisScreen) and screen.next_token

        async def broken(*args, **kwargs):
            raise RuntimeError("page broke")

        app.gateway.images.community_page = broken  # type: ignore[method-assign]
        await pilot.press("m")
        await settle(pilot)
        await acknowledge_unexpected(pilot, RuntimeError, "page broke")
        assert not screen.loading_more
        assert "loading" not in static_text(app, "#title")
        assert any(
            "Unexpected error while loading the next page: RuntimeError: page broke" in n for n in notifications(app)
        )
