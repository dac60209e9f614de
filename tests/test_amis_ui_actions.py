"""AMI changes from the catalog and the detail: copy to region, share / public / private, deregister, launch,
and --read-only refusals. Each asserts on what moto holds afterwards."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from textual.widgets import Checkbox, Input, Select

from ec2tui.app import Ec2App
from ec2tui.errors import ValidationError
from ec2tui.screens.ami_detail import AmiDetailScreen
from ec2tui.screens.ami_dialogs import (
    CopyToRegionDialog,
    DeregisterDialog,
    ImageProgressDialog,
    ShareDialog,
    SharingChange,
    parse_account_ids,
)
from ec2tui.screens.amis import AmisScreen
from ec2tui.screens.confirm import ConfirmScreen
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
from tests.ui_helpers import notifications, settle, static_text

GOLDEN = f"web-server-golden-{MONTH}"  # own, private, shared with 210987654321
POSTGRES = f"db-postgres16-{LAST_MONTH}"  # own, two EBS snapshots
PARTNER = "210987654321"
NEW_ACCOUNT = "111122223333"


@pytest.fixture
def app(no_default_amis, gateway, ec2) -> Ec2App:
    seed_demo_catalog()
    return Ec2App(gateway)


@pytest.fixture
def read_only_app(no_default_amis, read_only_gateway, ec2) -> Ec2App:
    seed_demo_catalog()
    return Ec2App(read_only_gateway)


async def open_mine(pilot, app: Ec2App) -> AmisScreen:
    await settle(pilot)
    await pilot.press("colon", *"amis mine", "enter")
    await wait_loaded(pilot, app)
    return app.screen


def launch_permissions(ec2, image_id: str) -> list[dict[str, str]]:
    return ec2.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")["LaunchPermissions"]


def palette(app: Ec2App, title: str):
    """Run a palette entry as the palette does: its callback is called later by the app (it may be async)."""
    callback = next(c.callback for c in app.get_system_commands(app.screen) if c.title == title)
    return lambda: app.call_later(callback)


async def test_copy_to_region_creates_the_ami_there_and_shows_its_id(app, ec2, clipboard):
    eu = boto3.client("ec2", region_name="eu-west-1")
    assert eu.describe_images(Owners=["self"])["Images"] == []
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        source = select_row(app, GOLDEN)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyToRegionDialog), what="the copy dialog")
        dialog = app.screen
        region_select = dialog.query_one("#copy-region", Select)
        assert region_select.value == "us-east-2", "a nearby region is offered first"
        offered = [value for _, value in region_select._options]
        assert "eu-west-1" in offered and "ap-east-1" not in offered, "only enabled regions"
        region_select.value = "eu-west-1"
        name = dialog.query_one("#copy-name", Input)
        assert name.value == GOLDEN
        name.value = "x"  # too short: refused in the dialog
        name.focus()
        await pilot.press("enter")
        assert "3 to 128 characters" in static_text(app, "#copy-name-error")
        name.value = f"golden-eu-{MONTH}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageProgressDialog), what="the result")
        new_id = app.screen.image_id
        assert new_id in static_text(app, "#ami-result-value")
        assert app.screen.image_region == "eu-west-1", "the copy is followed in its destination region"
        await wait_for(pilot, lambda: "available" in static_text(app, "#ami-progress"), what="the copy available")
        copies = eu.describe_images(Owners=["self"])["Images"]
        assert [(i["ImageId"], i["Name"]) for i in copies] == [(new_id, f"golden-eu-{MONTH}")]
        assert copies[0]["Description"] == f"Copy of {source.id} from {REGION}"
        await pilot.press("c")
        assert clipboard == [new_id]
        await pilot.press("g")  # go there: the region follows, My AMIs shows the copy without a refresh
        await wait_loaded(pilot, app)
        assert app.region == "eu-west-1" and app.screen.loaded_region == "eu-west-1"
        assert names(app) == [f"golden-eu-{MONTH}"]


async def test_share_with_an_account_and_stop_sharing_with_another(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, GOLDEN)
        assert launch_permissions(ec2, image.id) == [{"UserId": PARTNER}]
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareDialog), what="the share dialog")
        dialog = app.screen
        assert "shared with 210987654321" in static_text(app, ".dialog-body")
        assert app.focused is dialog.query_one("#share-add", Input)
        await pilot.press(*"12345", "enter")  # not 12 digits
        assert "Not an AWS account ID (12 digits): 12345" in static_text(app, "#share-error")
        assert isinstance(app.screen, ShareDialog)
        dialog.query_one("#share-add", Input).value = NEW_ACCOUNT
        dialog.query_one(f"#keep-{PARTNER}", Checkbox).value = False
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        body = static_text(app, ".dialog-body")
        assert f"Share with {NEW_ACCOUNT}" in body and f"Stop sharing with {PARTNER}" in body
        assert launch_permissions(ec2, image.id) == [{"UserId": PARTNER}], "nothing changes before y"
        await pilot.press("y")
        await wait_loaded(pilot, app)
        await wait_for(pilot, lambda: any("is now private" in n for n in notifications(app)))
        assert launch_permissions(ec2, image.id) == [{"UserId": NEW_ACCOUNT}]


async def test_declining_the_confirmation_changes_nothing(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, POSTGRES)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareDialog))
        await pilot.press(*NEW_ACCOUNT, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AmisScreen))
        assert launch_permissions(ec2, image.id) == []
        assert "Nothing was changed." in notifications(app)


async def test_make_public_then_private_shows_in_the_list_without_refresh(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, POSTGRES)
        palette(app, "Make AMI public")()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "PUBLIC" in static_text(app, ".dialog-body")
        await pilot.press("y")
        await wait_loaded(pilot, app)
        await wait_for(pilot, lambda: any("is now public" in n for n in notifications(app)))
        assert launch_permissions(ec2, image.id) == [{"Group": "all"}]
        await wait_loaded(pilot, app)
        access = dict(zip(names(app), column(app, "access"), strict=True))
        assert access[POSTGRES] == "public"

        select_row(app, POSTGRES)
        palette(app, "Make AMI private")()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: launch_permissions(ec2, image.id) == [])
        await wait_loaded(pilot, app)
        assert dict(zip(names(app), column(app, "access"), strict=True))[POSTGRES] == "private"


async def test_share_dialog_public_checkbox_from_the_detail_screen(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, POSTGRES)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareDialog))
        app.screen.query_one("#share-public", Checkbox).value = True
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: launch_permissions(ec2, image.id) == [{"Group": "all"}])
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen) and app.screen.detail is not None)
        await settle(pilot)
        assert app.screen.detail.launch_permissions.public
        assert "every AWS account can launch it" in shown_text(app, "#ami-permissions")


async def test_deregister_needs_the_exact_id_and_can_delete_the_snapshots(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, POSTGRES)
        snapshots = list(image.snapshot_ids)
        assert len(snapshots) == 2
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeregisterDialog), what="the deregister dialog")
        listed = static_text(app, "#snapshot-list")
        assert all(s in listed for s in snapshots) and "200 GiB" in listed
        await pilot.press(*"ami-0123456789abcdef0", "enter")
        assert f"That is not {image.id}. Nothing was changed." in static_text(app, "#typed-error")
        assert ec2.describe_images(ImageIds=[image.id])["Images"], "still registered"
        typed = app.screen.query_one("#typed", Input)
        typed.value = ""
        await pilot.press("shift+tab", "space")  # the snapshot checkbox, keyboard only
        assert app.screen.query_one("#delete-snapshots", Checkbox).value
        await pilot.press("tab", *image.id, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmisScreen))
        await wait_for(pilot, lambda: any("Deregistered" in n for n in notifications(app)))
        await wait_loaded(pilot, app)
        assert ec2.describe_images(Filters=[{"Name": "image-id", "Values": [image.id]}])["Images"] == []
        for snapshot in snapshots:
            with pytest.raises(ClientError, match=r"InvalidSnapshot\.NotFound"):
                ec2.describe_snapshots(SnapshotIds=[snapshot])
        assert POSTGRES not in names(app), "the list shows it at once, without ctrl+r"


async def test_deregister_from_the_detail_keeps_snapshots_unless_asked(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, GOLDEN)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen))
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeregisterDialog))
        await pilot.press(*image.id, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmisScreen), what="back to the list")
        await wait_loaded(pilot, app)
        assert ec2.describe_images(Filters=[{"Name": "image-id", "Values": [image.id]}])["Images"] == []
        assert ec2.describe_snapshots(SnapshotIds=list(image.snapshot_ids))["Snapshots"]
        assert GOLDEN not in names(app)


async def test_without_a_launch_form_the_launch_key_is_left_out(app, monkeypatch):
    monkeypatch.delattr(Ec2App, "launch_from_image", raising=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_mine(pilot, app)
        select_row(app, GOLDEN)
        assert screen.check_action("launch", ()) is False
        assert "Launch from AMI" not in {c.title for c in app.get_system_commands(screen)}
        await pilot.press("l")
        assert app.screen is screen


async def test_only_the_owner_may_share_or_deregister(app, ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        select_row(app, f"platform-base-al2023-{MONTH}")  # shared with this account by 111122223333
        await pilot.press("ctrl+d")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, AmisScreen), "no dialog opened"
        messages = notifications(app)
        assert any("Only the owning account can deregister" in n for n in messages)
        assert any("Only the owning account can share" in n for n in messages)


async def test_read_only_refuses_every_change_with_a_clear_message(read_only_app, ec2):
    app = read_only_app
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, POSTGRES)
        for key in ("ctrl+d", "p", "r"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, AmisScreen), f"{key} opened a dialog in read-only mode"
        palette(app, "Make AMI public")()
        await settle(pilot)
        messages = notifications(app)
        for action in ("Deregister image", "Change image sharing", "Copy image", "Make image public"):
            assert f"Read-only mode: '{action}' is not allowed" in " ".join(messages)
        # and should a dialog be reached anyway, the gateway itself refuses (counted as sent: on a loaded machine the
        # first refusal's notification may have timed out of the screen by then)
        sent: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kwargs: (sent.append(str(message)), notify(message, **kwargs))[1]  # type: ignore[method-assign]
        app.screen._start(image, lambda: app.screen._confirm_and_apply(image, SharingChange(public=True)))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Read-only mode: 'Make image public'" in n for n in sent))
        assert launch_permissions(ec2, image.id) == []
        assert ec2.describe_images(ImageIds=[image.id])["Images"]


async def test_l_launches_from_the_selected_ami(app, monkeypatch):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, GOLDEN)
        launched: list[str] = []
        monkeypatch.setattr(app, "launch_from_image", launched.append, raising=False)
        await pilot.press("l")
        assert launched == [image.id]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AmiDetailScreen))
        palette(app, "Launch from AMI")()
        await wait_for(pilot, lambda: launched == [image.id, image.id])


async def test_l_opens_the_launch_form(app, tmp_path, monkeypatch):
    if "launch" not in Ec2App.MODES or not hasattr(Ec2App, "launch_from_image"):
        pytest.skip("this build has no launch form")
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path))  # no launch draft from another session
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot, app)
        image = select_row(app, GOLDEN)
        await pilot.press("l")
        await wait_for(pilot, lambda: app.current_mode == "launch" and app.screen.is_mounted)
        await settle(pilot)
        assert app.screen.request.image_id == image.id


def test_account_ids_are_twelve_digits_separated_by_spaces_or_commas():
    assert parse_account_ids("111122223333, 444455556666;111122223333") == ["111122223333", "444455556666"]
    assert parse_account_ids("  ") == []
    with pytest.raises(ValidationError, match="12 digits"):
        parse_account_ids("111122223333 12345678901x")
