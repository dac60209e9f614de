"""Following a new image to ``available`` (issue 11 point 12): the dialog after "create image" and "copy to region"
polls its state through the gateway, shows it with the time since it was requested, says why a failed image failed,
stops when closed, and once available offers "launch from it" and "show in My AMIs"."""

from __future__ import annotations

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from textual.widgets import Button, Input

from ec2tui.app import Ec2App
from ec2tui.aws.image_parsing import ImageProgress, parse_image_progress
from ec2tui.aws.images import image_progress
from ec2tui.errors import AwsError
from ec2tui.screens.ami_actions import follow_new_image
from ec2tui.screens.ami_dialogs import ImageProgressDialog, elapsed_text, progress_text
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle, static_text

REGION = "us-east-1"


def test_the_status_line_says_where_the_image_stands_and_since_when():
    assert elapsed_text(7) == "0:07" and elapsed_text(750) == "12:30" and elapsed_text(3723) == "1:02:03"
    assert progress_text(None, 0).startswith("⟳ asking AWS… · 0:00 since requested")
    pending = progress_text(ImageProgress("ami-1", "pending"), 95)
    assert pending.startswith("⟳ pending · 1:35 since requested · checking every")
    assert "doesn't list it yet" in progress_text(ImageProgress("ami-1", ""), 1)
    assert progress_text(ImageProgress("ami-1", "available"), 65) == "✓ available after 1:05: it can be launched now."
    failed = progress_text(ImageProgress("ami-1", "failed", "snapshot failed"), 30)
    assert failed == "✗ failed after 0:30: snapshot failed. This image can't be launched."
    assert "AWS gave no reason" in progress_text(ImageProgress("ami-1", "error"), 30)
    assert "⚠ Last check failed: throttled" in progress_text(ImageProgress("ami-1", "pending"), 3, "throttled")


def test_progress_from_describe_images(ec2):
    assert parse_image_progress("ami-1", None) == ImageProgress("ami-1", "")
    raw = {"State": "failed", "StateReason": {"Code": "Client.Error", "Message": "no space"}}
    progress = parse_image_progress("ami-1", raw)
    assert progress.failed and progress.finished and not progress.available and progress.reason == "no space"
    assert not ImageProgress("ami-1", "pending").finished and not ImageProgress("ami-1", "").finished
    # An ID AWS doesn't list yet (right after CreateImage) is "not listed yet", not an error.
    assert image_progress(ec2, "ami-12345678") == ImageProgress("ami-12345678", "")


@pytest.fixture
def created_image(no_default_amis, ec2) -> str:
    """An image made from an instance, left 'pending' in moto (moto makes them 'available' at once)."""
    from ec2tui.demo.seed_images import seed_images

    seed_images(DEFAULT_ACCOUNT_ID, REGION, None, None)
    source = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=source, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    image_id = ec2.create_image(InstanceId=instance["InstanceId"], Name="golden-from-web")["ImageId"]
    moto_image(image_id).state = "pending"
    return image_id


def moto_image(image_id: str):
    return ec2_backends[DEFAULT_ACCOUNT_ID][REGION].amis[image_id]


@pytest.fixture
def app(gateway, monkeypatch) -> Ec2App:
    monkeypatch.setattr(ImageProgressDialog, "poll_seconds", 0.02)
    return Ec2App(gateway)


async def open_progress(pilot, app: Ec2App, image_id: str) -> ImageProgressDialog:
    await settle(pilot)
    app.call_later(follow_new_image, app, "Image requested", "EC2 is creating it.", image_id, REGION)
    await wait_for(pilot, lambda: isinstance(app.screen, ImageProgressDialog), what="the progress dialog")
    return app.screen


async def test_a_pending_image_is_followed_to_available_then_launched_from(app, created_image):
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_progress(pilot, app, created_image)
        await wait_for(pilot, lambda: "⟳ pending" in static_text(app, "#ami-progress"), what="pending shown")
        assert dialog.query_one("#progress-launch", Button).disabled
        await pilot.press("l")  # not yet: said so, and the dialog stays
        await pilot.pause()
        assert app.screen is dialog
        assert any("it can be launched once it is available" in n for n in notifications(app))
        checks = dialog.checks
        moto_image(created_image).state = "available"
        await wait_for(pilot, lambda: "✓ available after" in static_text(app, "#ami-progress"), what="available")
        assert dialog.checks > checks and dialog.follower.is_finished, "it stops asking once available"
        assert not dialog.query_one("#progress-launch", Button).disabled
        assert "l launches from it" in static_text(app, "#ami-progress-hint")
        await pilot.press("l")
        await wait_for(pilot, lambda: app.current_mode == "launch", what="the launch form")
        await wait_for(pilot, lambda: ami_field(app) == created_image, what="the form with the new AMI")


def ami_field(app: Ec2App) -> str | None:
    """The launch form's AMI ID field (found by its widget ID: the form's layout is not this test's business)."""
    fields = app.screen.query("#image-id").results(Input)
    return next((field.value for field in fields), None)


async def test_a_failed_image_says_why_and_offers_no_launch(app, created_image):
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_progress(pilot, app, created_image)
        image = moto_image(created_image)
        image.state, image.state_reason = "failed", {"Code": "Client.InternalError", "Message": "snapshot failed"}
        await wait_for(pilot, lambda: "✗ failed" in static_text(app, "#ami-progress"), what="the failure")
        assert "snapshot failed" in static_text(app, "#ami-progress")
        assert dialog.follower.is_finished
        await pilot.press("l")
        await pilot.pause()
        assert app.screen is dialog and app.current_mode != "launch"


async def test_a_failed_check_is_shown_and_the_next_one_goes_on(app, created_image, monkeypatch):
    real = app.gateway.images.progress
    calls = []

    async def flaky(image_id: str, region: str | None = None) -> ImageProgress:
        calls.append(image_id)
        if len(calls) == 1:
            raise AwsError("Rate exceeded", "Throttling")
        return await real(image_id, region)

    monkeypatch.setattr(app.gateway.images, "progress", flaky)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_progress(pilot, app, created_image)
        await wait_for(pilot, lambda: len(calls) >= 2, what="a second check")
        moto_image(created_image).state = "available"
        await wait_for(pilot, lambda: "✓ available" in static_text(app, "#ami-progress"), what="available")


async def test_closing_the_dialog_stops_the_polling(app, created_image):
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_progress(pilot, app, created_image)
        await wait_for(pilot, lambda: dialog.checks >= 2, what="polling")
        await pilot.press("escape")
        await wait_for(pilot, lambda: dialog.follower.is_finished, what="the poller stopped")
        assert not isinstance(app.screen, ImageProgressDialog)
        checks = dialog.checks
        await settle(pilot)
        assert dialog.checks == checks and moto_image(created_image).state == "pending"


async def test_show_in_my_amis_goes_to_the_image_s_region(app, created_image):
    moto_image(created_image).state = "available"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_progress(pilot, app, created_image)
        await wait_for(pilot, lambda: "✓ available" in static_text(app, "#ami-progress"), what="available")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.current_mode == "amis", what="the AMI catalog")
        await wait_for(pilot, lambda: created_image in {i.id for i in getattr(app.screen, "items", ())}, what="listed")


async def test_the_gateway_asks_afresh_then_forgets_the_region_once_the_image_is_finished(gateway, created_image):
    def state_listed(images) -> str:
        return next(i.state for i in images if i.id == created_image)

    assert state_listed(await gateway.images.list("mine", region="us-east-1")) == "pending"
    assert (await gateway.images.progress(created_image, region="us-east-1")).state == "pending"
    loads = gateway.core.calls["images"]
    assert (
        state_listed(await gateway.images.list("mine", region="us-east-1")) == "pending"
        and gateway.core.calls["images"] == loads
    )
    moto_image(created_image).state = "available"
    assert (await gateway.images.progress(created_image, region="us-east-1")).available
    assert state_listed(await gateway.images.list("mine", region="us-east-1")) == "available", (
        "My AMIs shows it as it is now"
    )
