"""``ec2tui pick``'s list, driven with Pilot over moto: what enter, space, the filter and escape return."""

from __future__ import annotations

import json

import pytest

from ec2tui.aws.models.images import ImageCategory
from ec2tui.errors import AwsError
from ec2tui.pick.app import MARK, PickApp
from ec2tui.pick.kinds import KINDS, PickKind, PickOptions, output_lines
from ec2tui.widgets.virtual_table import VirtualTable
from tests.ui_helpers import settle

REGION = "us-east-1"


@pytest.fixture
def fleet(ec2, no_default_amis):
    """web-1 and web-2 running, old stopped, gone terminated."""
    image = ec2.register_image(Name="pick-test", RootDeviceName="/dev/xvda")["ImageId"]
    ids = {}
    for name in ("web-1", "web-2", "old", "gone"):
        reservation = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
        )
        ids[name] = reservation["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[ids["old"]])
    ec2.terminate_instances(InstanceIds=[ids["gone"]])
    return ids


def rows(app: PickApp) -> list[list[str]]:
    table = app.query_one("#pick-table", VirtualTable)
    return [table.row_text(key) for key in table.row_keys]


async def test_enter_returns_the_row_under_the_cursor(gateway, fleet):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        names = [row[1] for row in rows(app)]
        assert sorted(names) == ["old", "web-1", "web-2"]  # terminated ones are hidden
        await pilot.press("down", "enter")
    assert app.return_code == 0
    assert [i.name for i in app.return_value] == [names[1]]


async def test_state_narrows_the_instances(gateway, fleet):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions(state="stopped"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert [row[1] for row in rows(app)] == ["old"]
        await pilot.press("enter")
    assert output_lines(KINDS["instance"], app.return_value, "text") == [fleet["old"]]


async def test_space_marks_several_and_enter_returns_them_in_list_order(gateway, fleet):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions(state="running"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "space", "up", "space")  # marks the second row, then the first
        assert [row[0] for row in rows(app)] == [MARK, MARK]
        assert "2 marked" in str(app.query_one("#pick-title").render())
        await pilot.press("enter")
    assert app.return_code == 0
    assert sorted(i.name for i in app.return_value) == ["web-1", "web-2"]
    lines = output_lines(KINDS["instance"], app.return_value, "json")
    assert [json.loads(line)["id"] for line in lines] == [i.id for i in app.return_value]


async def test_space_twice_unmarks(gateway, fleet):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions(state="running"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        second = rows(app)[1][1]
        await pilot.press("space", "up", "space", "down", "enter")  # marks the first row, unmarks it
    assert [i.name for i in app.return_value] == [second]  # no mark left: the row under the cursor


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_escape_or_q_returns_nothing_with_code_1(gateway, fleet, key):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press(key)
    assert app.return_code == 1
    assert app.return_value is None


async def test_the_filter_narrows_and_starts_from_the_command_line(gateway, fleet):
    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions(filter_text="WEB-2"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert [row[1] for row in rows(app)] == ["web-2"]
        assert "1 of 3" in str(app.query_one("#pick-title").render())
        await pilot.press("slash", "backspace", "1", "enter")  # the filter now reads "web-1"; enter: back to the list
        await pilot.pause()
        assert [row[1] for row in rows(app)] == ["web-1"]
        await pilot.press("enter")
    assert [i.name for i in app.return_value] == ["web-1"]


async def test_ip_prints_the_address(gateway, fleet):
    app = PickApp(gateway, KINDS["ip"], REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert sorted(row[1] for row in rows(app)) == ["web-1", "web-2"]  # running ones only
        await pilot.press("enter")
    (instance,) = app.return_value
    assert output_lines(KINDS["ip"], app.return_value, "text") == [instance.public_ip or instance.private_ip]
    assert output_lines(KINDS["ip"], app.return_value, "text")[0].count(".") == 3


async def test_ami_lists_the_category(gateway, ec2, no_default_amis):
    image = ec2.register_image(Name="mine-1", RootDeviceName="/dev/xvda")["ImageId"]
    app = PickApp(gateway, KINDS["ami"], REGION, PickOptions(category=ImageCategory.MINE))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert [row[1:3] for row in rows(app)] == [["mine-1", image]]
        await pilot.press("enter")
    assert output_lines(KINDS["ami"], app.return_value, "text") == [image]


@pytest.mark.parametrize(("kind", "expected"), [("subnet", "subnet-"), ("security-group", "sg-"), ("key-pair", "")])
async def test_network_kinds_print_their_ids(gateway, ec2, no_default_amis, kind, expected):
    ec2.create_key_pair(KeyName="ops")
    app = PickApp(gateway, KINDS[kind], REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert rows(app)
        await pilot.press("enter")
    (value,) = output_lines(KINDS[kind], app.return_value, "text")
    assert value.startswith(expected) and value == (value if expected else "ops")


async def test_a_failed_load_is_a_message_not_a_traceback(gateway):
    async def denied(gateway, region, options):
        raise AwsError("You are not authorized: ec2:DescribeKeyPairs", "UnauthorizedOperation")

    broken = PickKind("key-pair", "key pairs", KINDS["key-pair"].columns, denied, str, str, lambda r: (r,))
    app = PickApp(gateway, broken, REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        title = str(app.query_one("#pick-title").render())
        assert "Cannot list key pairs in us-east-1" in title and "ec2:DescribeKeyPairs" in title
        await pilot.press("enter")  # nothing to choose: stays open
        assert app.is_running
        await pilot.press("escape")
    assert app.return_code == 1


@pytest.mark.parametrize("key", ["escape", "ctrl+q"])
async def test_leaving_any_other_way_than_enter_is_exit_1_with_nothing(gateway, fleet, key):
    from ec2tui.pick.command import outcome

    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", key)  # even with a row marked
    assert outcome(app) == (1, [])


async def test_enter_is_exit_0_with_the_records(gateway, fleet):
    from ec2tui.pick.command import outcome

    app = PickApp(gateway, KINDS["instance"], REGION, PickOptions(filter_text="web-1"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
    code, chosen = outcome(app)
    assert code == 0 and [i.name for i in chosen] == ["web-1"]


def test_the_picker_takes_the_settings_theme(gateway):
    from ec2tui import settings
    from ec2tui.pick.command import apply_theme

    for theme, shown in (("nord", "nord"), ("no-such-theme", "textual-dark")):
        settings.use(settings.Settings(theme=theme))
        try:
            app = PickApp(gateway, KINDS["instance"], REGION, PickOptions())
            apply_theme(app)
        finally:
            settings.use(settings.Settings())
        assert app.theme == shown


# -- Marketplace and Community: searched on the server, a page at a time ----------------------------------------------
async def test_community_pages_load_past_the_first_and_the_filter_is_the_server_search(gateway, ec2, no_default_amis):
    from ec2tui.image_search_text import parse_search
    from tests.test_amis_ui_helpers import seed_public_images

    seed_public_images(120)  # community-build-00000 … 00119: three pages of 50
    options = PickOptions(category=ImageCategory.COMMUNITY, search=parse_search("community-build"))
    app = PickApp(gateway, KINDS["ami"], REGION, options)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(rows(app)) == 50
        title = str(app.query_one("#pick-title").render())
        assert "search “community-build”" in title and "m loads the next page" in title
        await pilot.press("m")
        await settle(pilot)
        assert len(rows(app)) == 100
        await pilot.press("end")  # the cursor on the last row loads the next page too
        await settle(pilot)
        listed = [row[2] for row in rows(app)]
        assert len(listed) == 120 == len(set(listed)), "every image once"
        assert "m loads the next page" not in str(app.query_one("#pick-title").render())
        await pilot.press("m")  # nothing left: says so, keeps the rows
        await settle(pilot)
        assert len(rows(app)) == 120
        await pilot.press("enter")
    assert app.return_value and app.return_value[0].id == listed[99], "the cursor stayed on its row as the page came"


def test_pick_ami_filter_for_a_paged_category_is_checked_before_any_ui(capsys):
    from ec2tui.pick.command import main

    assert main(["ami", "--category", "community", "--filter", "arch:sparc"]) == 2
    assert "Unknown architecture 'sparc'" in capsys.readouterr().err
    assert main(["ami", "--category", "marketplace", "--filter", "owner:123456789012"]) == 2
    assert "without owner:" in capsys.readouterr().err
