"""The AMI catalog: categories, columns, filter, copy, detail, region following — Pilot against moto."""

from __future__ import annotations

import pytest
from textual.widgets import Tabs

from ec2tui.app import Ec2App
from ec2tui.aws.models.images import ImageCategory
from ec2tui.errors import ValidationError
from ec2tui.screens.ami_detail import AmiDetailScreen
from ec2tui.screens.amis import AmisScreen, column_specs, format_search, parse_search
from ec2tui.widgets.virtual_table import layout_columns
from tests.test_amis_ui_helpers import (
    LAST_MONTH,
    MONTH,
    REGION,
    column,
    names,
    seed_demo_catalog,
    select_row,
    shown_text,
    wait_for,
    wait_loaded,
)
from tests.ui_helpers import notifications, rendered_table, settle, static_text, table_rows


@pytest.fixture
def app(no_default_amis, gateway, ec2) -> Ec2App:
    seed_demo_catalog()
    return Ec2App(gateway)


async def open_amis(pilot, app: Ec2App, category: str | None = None) -> AmisScreen:
    """Type `:amis <category>` like a user does."""
    await settle(pilot)
    await pilot.press("colon", *f"amis {category}" if category else "amis", "enter")
    await wait_loaded(pilot, app)
    assert isinstance(app.screen, AmisScreen)
    return app.screen


async def test_amis_command_opens_quick_start_with_friendly_os_and_architecture(app):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_amis(pilot, app)
        assert screen.category is ImageCategory.QUICKSTART
        pairs = list(zip(column(app, "os"), column(app, "arch"), strict=True))
        for expected in (
            ("Amazon Linux 2023", "x86_64"),
            ("Amazon Linux 2023", "arm64"),
            ("Ubuntu 24.04 LTS", "arm64"),
            ("Windows Server 2022", "x86_64"),
            ("SUSE Linux Enterprise Server 15 SP7", "x86_64"),
        ):
            assert expected in pairs
        assert "AMIs · Quick Start · us-east-1" in static_text(app, "#title")
        assert screen.query_one(Tabs).active == "quickstart"


async def test_command_argument_keys_and_tabs_switch_categories(app):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_amis(pilot, app, "mine")
        assert screen.category is ImageCategory.MINE and screen.query_one(Tabs).active == "mine"
        assert f"web-server-golden-{MONTH}" in names(app)
        await pilot.press("5")
        await wait_loaded(pilot, app)
        assert screen.category is ImageCategory.CUSTOM and screen.query_one(Tabs).active == "custom"
        assert set(column(app, "builder")) == {"web-golden-nightly", "cis-weekly", "windows-monthly"}
        await pilot.press("left_square_bracket")
        await wait_loaded(pilot, app)
        assert screen.category is ImageCategory.COMMUNITY
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_loaded(pilot, app)
        assert screen.category is ImageCategory.QUICKSTART
        # the tab strip itself (a click activates a tab the same way)
        screen.query_one(Tabs).active = "marketplace"
        await wait_loaded(pilot, app)
        assert screen.category is ImageCategory.MARKETPLACE
        assert names(app)[0].startswith("bitnami-wordpress")
        assert "AMIs · AWS Marketplace" in static_text(app, "#title")
        # `:amis comm` from anywhere: back to the base screen, category switched
        await pilot.press("colon", *"amis comm", "enter")
        await wait_loaded(pilot, app)
        assert app.screen is screen and screen.category is ImageCategory.COMMUNITY


async def test_each_category_shows_the_right_images(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        mine = names(app)
        assert f"web-server-golden-{MONTH}" in mine and f"db-postgres16-{LAST_MONTH}" in mine
        assert f"platform-base-al2023-{MONTH}" in mine, "shared with this account"
        assert not any(n.startswith(("nixos", "bitnami", "ubuntu/")) for n in mine)
        await pilot.press("3")
        await wait_loaded(pilot, app)
        market = names(app)
        assert len(market) == 4 and all(o == "aws-marketplace" for o in column(app, "owner"))
        await pilot.press("4")
        await wait_loaded(pilot, app)
        community = names(app)
        assert "nixos/25.05.2026-x86_64-linux" in community and "FreeBSD 14.3-RELEASE-amd64" in community
        assert not any(n.startswith(("bitnami", "al2023-ami", "web-server-golden")) for n in community)
        await pilot.press("5")
        await wait_loaded(pilot, app)
        assert all(n.split()[0] in {"web-golden-recipe", "cis-hardened-al2023", "windows-iis"} for n in names(app))


async def test_my_amis_marks_images_shared_with_the_account(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        access = dict(zip(names(app), column(app, "access"), strict=True))
        owners = dict(zip(names(app), column(app, "owner"), strict=True))
        assert access[f"platform-base-al2023-{MONTH}"] == "shared"
        assert owners[f"platform-base-al2023-{MONTH}"] == "111122223333"
        assert access["acme-security-scanner-3.2.1"] == "shared"
        assert access[f"web-server-golden-{MONTH}"] == "private" and owners[f"web-server-golden-{MONTH}"] == "self"
        assert access["acme-open-demo-appliance"] == "public"
        assert "(2 shared with you)" in static_text(app, "#title")


async def test_columns_fit_120_columns_and_long_names_end_with_an_ellipsis(app):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_amis(pilot, app, "mine")
        shown = screen.table.shown_columns()
        assert sum(width + 2 for _, width in shown) <= screen.table.size.width, shown
        keys = [column.key for column, _ in shown]
        assert keys == ["name", "id", "os", "arch", "root", "created", "owner", "access"]
        lines = rendered_table(app)
        long_name = next(line for line in lines if line.strip().startswith("web-golden-recipe"))
        assert long_name.split("  ")[0].strip().endswith("…")
        ids = {i.id for i in screen.items}
        assert all(any(f" {image_id} " in line for line in lines) for image_id in ids), "AMI IDs are never cut"


async def test_filter_narrows_the_loaded_rows_on_full_names(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        total = len(table_rows(app))
        await pilot.press("slash", *"T03-00-12")  # the end of the Image Builder names, cut off on screen
        await pilot.pause()
        assert sorted(n.split()[0] for n in names(app)) == [
            "cis-hardened-al2023",
            "web-golden-recipe",
            "web-golden-recipe",
            "windows-iis",
        ]
        assert f"filter 'T03-00-12': 4 of {total} loaded" in static_text(app, "#title")
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(table_rows(app)) == total


async def test_c_copies_the_ami_id(app, clipboard):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        image = select_row(app, f"db-postgres16-{LAST_MONTH}")
        await pilot.press("c")
        assert clipboard == [image.id]
        assert any(f"Copied AMI ID {image.id}" in n for n in notifications(app))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Copy AMI ID", "Copy AMI to region", "Share AMI", "Make AMI public"} <= titles
        assert ("Launch from AMI" in titles) == hasattr(app, "launch_from_image")
        assert {"Make AMI private", "Deregister AMI", "Show AMI details", "Filter list", "Refresh"} <= titles


async def test_detail_shows_block_devices_and_launch_permissions(app, clipboard):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        image = select_row(app, f"db-postgres16-{LAST_MONTH}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.pause()
        devices = shown_text(app, "#ami-devices")
        root, data = image.block_devices
        assert root.snapshot_id in devices and data.snapshot_id in devices
        assert "/dev/sdf" in devices and "200 GiB" in devices and "io2" in devices and "3000 IOPS" in devices
        assert "/dev/xvda (root)" in devices
        summary = shown_text(app, "#ami-summary")
        for expected in ("PostgreSQL 16 with a separate data volume", "x86_64", "hvm", "legacy-bios", "us-east-1"):
            assert expected in summary
        assert "/dev/xvda  (ebs)" in summary and "this account" in summary
        assert "Shared with       no accounts" in shown_text(app, "#ami-permissions")
        await pilot.press("c")
        assert clipboard == [image.id]
        await pilot.press("escape")
        await pilot.pause()
        select_row(app, f"web-server-golden-{MONTH}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.pause()
        permissions = shown_text(app, "#ami-permissions")
        assert "Public" in permissions and "210987654321" in permissions
        assert "Environment" in shown_text(app, "#ami-tags") and "prod" in shown_text(app, "#ami-tags")


async def test_detail_shows_instance_store_and_deprecation(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app)
        image = next(i for i in app.screen.items if i.os_label == "Ubuntu 24.04 LTS" and i.architecture == "arm64")
        app.screen.table.move_cursor(key=image.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.pause()
        assert "instance store ephemeral0" in shown_text(app, "#ami-devices")
        # moto lets any account read launch permissions (AWS answers only the owner: "only the owner can see…")
        assert "every AWS account can launch it" in shown_text(app, "#ami-permissions")
        assert "/aws/service/canonical/ubuntu/server/24.04" in shown_text(app, "#ami-summary")
        await pilot.press("escape", "2")
        await wait_loaded(pilot, app)
        select_row(app, f"web-server-golden-{LAST_MONTH}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.pause()
        assert "deprecated" in shown_text(app, "#ami-summary")


async def test_list_follows_the_region(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_amis(pilot, app, "mine")
        assert names(app)
        app.set_region("eu-west-1")
        await pilot.press("colon", *"regions", "enter")
        await pilot.press("colon", *"amis", "enter")
        await wait_loaded(pilot, app)
        assert app.screen.loaded_region == "eu-west-1"
        assert names(app) == []
        assert "No AMIs of this account or shared with it in eu-west-1" in static_text(app, "#empty")
        assert "AMIs · My AMIs · eu-west-1" in static_text(app, "#title")


async def test_ami_screen_opens_by_id_from_elsewhere(app):
    """The instance detail's `m` opens ``AmiDetailScreen(image_id, region)`` without a list underneath."""
    image_id = (await app.gateway.images.list(ImageCategory.MINE, region="us-east-1"))[0].id
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(AmiDetailScreen(image_id, REGION))
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.pause()
        assert image_id in static_text(app, "#title") and image_id in shown_text(app, "#ami-summary")


def test_search_text_parses_into_a_server_side_query():
    query = parse_search("nginx  arch:arm64 platform:Linux owner:123456789012 web")
    assert (query.text, query.architecture, query.platform, query.owner) == (
        "nginx web",
        "arm64",
        "linux",
        "123456789012",
    )
    assert format_search(query) == "nginx web arch:arm64 platform:linux owner:123456789012"
    assert parse_search("") == parse_search("   ")
    with pytest.raises(ValidationError, match="Unknown architecture 'sparc'"):
        parse_search("arch:sparc")
    with pytest.raises(ValidationError, match="linux or windows"):
        parse_search("os:beos")
    with pytest.raises(ValidationError, match="needs a value"):
        parse_search("owner:")


def test_name_column_gets_the_room_left_and_squeezes_the_os_column_first():
    specs = column_specs(ImageCategory.MINE)
    cells = [
        {"name": "n" * 60, "id": "a" * 21, "os": "Windows Server 2022 Datacenter", "arch": "x86_64", "root": "ebs"}
        | {"created": "2026-01-01", "owner": "123456789012", "access": "private"}
    ]
    natural = [max(len(row[c.key]) for row in cells) for c in specs]
    widths = {specs[i].key: w for i, w in layout_columns(specs, natural, 118)}
    assert widths["id"] == 21 and widths["owner"] == 12 and widths["os"] == 16 and widths["name"] == 26
    assert sum(widths.values()) + 2 * len(widths) == 118
    wide = {specs[i].key: w for i, w in layout_columns(specs, natural, 200)}
    assert wide["os"] == 20 and wide["name"] == 60, "each column as wide as its widest cell when there is room"
    narrow = {specs[i].key: w for i, w in layout_columns(specs, natural, 78)}
    assert narrow["id"] == 21 and "name" in narrow, "at 80 columns the AMI ID stays whole, next to the name"
    assert sum(w + 2 for w in narrow.values()) <= 78


async def test_each_tab_keeps_its_own_filter_and_the_cursor_follows_the_image(app):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_amis(pilot, app, "mine")
        total = len(table_rows(app))
        image = select_row(app, f"web-server-golden-{MONTH}")
        await pilot.press("slash", *"golden")
        await settle(pilot)
        assert screen.selected_item() == image, "the cursor stayed on its image while the filter narrowed"
        await pilot.press("enter")  # back to the list (on the first match)
        assert "filter 'golden'" in static_text(app, "#title")
        await pilot.press("1")  # Quick Start: the My AMIs filter does not follow
        await wait_loaded(pilot, app)
        assert screen.filter_text == "" and "filter" not in static_text(app, "#title")
        assert not screen.filter_input.display
        await pilot.press("2")
        await wait_loaded(pilot, app)
        await settle(pilot)
        assert screen.filter_text == "golden" and screen.filter_input.value == "golden"
        assert "filter 'golden'" in static_text(app, "#title")
        assert all("golden" in n for n in names(app))
        select_row(app, image.name)
        await pilot.press("escape")
        await settle(pilot)
        assert len(table_rows(app)) == total
        assert screen.selected_item() == image, "clearing the filter keeps the cursor on the same image"


async def test_each_column_sorts_like_a_naive_sort(app):
    """Names on the whole name, dates on the date, the rest on the cell's text; empty values last."""
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_amis(pilot, app, "mine")
        naive = {"name": lambda image: image.name.lower(), "created": lambda image: image.creation_date}
        for key in screen.sortable_columns():
            await pilot.press("greater_than_sign")
            await settle(pilot)
            assert screen.sort_column == key
            shown = screen.visible_items()
            values = [naive[key](i) for i in shown] if key in naive else [v.lower() for v in column(app, key)]
            filled = [v for v in values if v]
            assert filled == sorted(filled), key
            assert not any(values[len(filled) :]), f"{key}: empty values last"
        assert len({i.creation_date for i in shown}) > 1 and len({i.name for i in shown}) > 1
