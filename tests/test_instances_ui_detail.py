"""The instance detail page: every section, user data viewer, warnings, actions from the detail."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from textual.widgets import TextArea

from ec2tui.aws import instances as svc
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.instance_detail import InstanceDetailScreen
from ec2tui.screens.instances import InstancesScreen
from ec2tui.screens.user_data import UserDataScreen
from tests.instances_ui_helpers import (
    USER_DATA,
    moto_instance,
    moto_state,
    open_instances,
    rows_by_name,
    screen_text,
    select,
)
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle, static_text

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


async def open_detail(pilot, instance_id: str) -> InstanceDetailScreen:
    await open_instances(pilot)
    await select(pilot, instance_id)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InstanceDetailScreen)
    return screen


async def test_detail_shows_what_to_check_before_acting(app, fleet, ec2):
    raw = moto_instance(fleet["web-1"])
    volume_id = raw["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        title = static_text(app, "#title")
        assert "web-1" in title and fleet["web-1"] in title and "running" in title and "us-east-1" in title
        summary = screen_text(app, "#detail-summary")
        assert "t3.medium  2 vCPU, 4 GiB" in summary
        assert f"ubuntu-noble-24.04-base  {fleet.image_id}" in summary
        assert "Linux/UNIX" in summary and "x86_64" in summary
        assert raw["Placement"]["AvailabilityZone"] in summary
        assert "Key pair        ops" in summary
        assert "disabled (basic, 5-minute metrics)" in summary
        assert "ubuntu  guessed from the AMI" in summary
        network = screen_text(app, "#detail-network")
        assert raw["VpcId"] in network and raw["SubnetId"] in network
        assert raw["PrivateIpAddress"] in network and raw["PublicIpAddress"] in network
        assert raw["NetworkInterfaces"][0]["NetworkInterfaceId"] in network
        security = screen_text(app, "#detail-security")
        assert fleet.group_id in security and "Web servers" in security
        assert "TCP       22     203.0.113.0/24" in security
        assert "TCP       443    0.0.0.0/0" in security
        storage = screen_text(app, "#detail-storage")
        assert f"/dev/xvda  {volume_id}  20 GiB  gp3" in storage
        assert "yes" in storage.split(volume_id)[1], "the volume is encrypted"
        assert "Name  web-1" in screen_text(app, "#detail-tags")
        assert "echo hello > /tmp/hello" in screen_text(app, "#detail-user-data")
        assert not app.screen.query_one("#detail-warnings").display


async def test_user_data_opens_in_a_read_only_viewer(app, fleet, clipboard):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UserDataScreen)
        editor = app.screen.query_one(TextArea)
        assert editor.text == USER_DATA and editor.read_only
        await pilot.press("x", "delete")
        assert editor.text == USER_DATA, "typing changes nothing"
        await pilot.press("c")
        assert clipboard == [USER_DATA]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InstanceDetailScreen)


async def test_instance_without_user_data_says_so(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-2"])
        assert "User data\nnone" in screen_text(app, "#detail-user-data")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, InstanceDetailScreen)
        assert any("has no user data" in n for n in notifications(app))


async def test_failed_lookups_are_listed_and_the_rest_still_shows(app, fleet, monkeypatch):
    def denied(ec2, instance):
        raise ClientError(
            {"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed to DescribeVolumes"}}, "DescribeVolumes"
        )

    monkeypatch.setattr(svc, "instance_volumes", denied)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        warnings = screen_text(app, "#detail-warnings")
        assert "Volumes:" in warnings and "not allowed to DescribeVolumes" in warnings
        assert app.screen.query_one("#detail-warnings").display
        storage = screen_text(app, "#detail-storage")
        assert "/dev/xvda" in storage and "sizes and types unavailable" in storage
        assert "TCP" in screen_text(app, "#detail-security")


async def test_deregistered_ami_is_reported(app, fleet, ec2):
    ec2.deregister_image(ImageId=fleet.image_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        assert "deregistered or no longer shared" in screen_text(app, "#detail-summary")


async def test_stop_from_the_detail_updates_detail_and_list(app, fleet):
    web = fleet["web-1"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, web)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert moto_state(web) == "stopped"
        assert isinstance(app.screen, InstanceDetailScreen)
        assert "stopped" in static_text(app, "#title")
        assert "User initiated" in screen_text(app, "#detail-summary")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen)
        assert rows_by_name(app)["web-1"][3] == "stopped"


async def test_ami_key_copies_the_id_when_there_is_no_ami_screen(app, fleet, monkeypatch, clipboard):
    import ec2tui.screens.instance_detail as detail_module

    monkeypatch.setattr(detail_module, "ami_detail_screen", lambda: None)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        await pilot.press("m")
        assert clipboard == [fleet.image_id]
        assert any("no AMI detail screen" in n for n in notifications(app))


async def test_detail_palette_and_copy(app, fleet, clipboard):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Show user data", "Go to AMI", "Stop", "Terminate", "Create image from instance"} <= titles
        assert {"Show SSH command", "Copy public IP", "Copy private IP", "Copy instance ID"} <= titles
        await pilot.press("c")
        assert clipboard == [fleet["web-1"]]


def test_encoded_twice_spots_base64_text_only():
    import base64

    from ec2tui.screens.instance_detail import encoded_twice

    script = "#!/bin/bash\necho hi\n"
    assert encoded_twice(base64.b64encode(script.encode()).decode()) == script
    assert encoded_twice(script) is None
    assert encoded_twice("abcd") is None, "too short to tell"
    assert encoded_twice(base64.b64encode(b"\x1f\x8b\x08\x00binary").decode()) is None


async def test_user_data_encoded_twice_is_flagged_and_decodable(no_default_amis, fleet, gateway, ec2):
    import base64

    from tests.instances_ui_helpers import InstancesFirstApp, run

    script = "#!/bin/bash\necho twice\n"
    doubled = run("us-east-1", "doubled", UserData=base64.b64encode(script.encode()).decode())
    app = InstancesFirstApp(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, doubled)
        section = screen_text(app, "#detail-user-data")
        assert "base64-encoded twice" in section and "echo twice" in section
        await pilot.press("u")
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        assert editor.text == base64.b64encode(script.encode()).decode(), "as the instance receives it"
        await pilot.press("d")
        assert editor.text == script
        await pilot.press("d")
        assert editor.text != script


async def test_ami_key_opens_the_ami_detail_screen(app, fleet):
    ami_detail = pytest.importorskip("ec2tui.screens.ami_detail", reason="the AMI catalog is not in this build")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, fleet["web-1"])
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ami_detail.AmiDetailScreen)
        assert app.screen.image_id == fleet.image_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InstanceDetailScreen)


async def test_detail_auto_refreshes_while_the_instance_is_transitional(app, fleet, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(InstanceDetailScreen, "AUTO_REFRESH_SECONDS", 0.2)
    pending = {fleet["web-2"]}
    real = svc.get_instance

    def maybe_pending(ec2, instance_id, region):
        instance = real(ec2, instance_id, region)
        return replace(instance, state="pending") if instance_id in pending else instance

    monkeypatch.setattr(svc, "get_instance", maybe_pending)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_detail(pilot, fleet["web-2"])

        def title() -> str:
            return static_text(app, "#title")

        await wait_for(
            pilot,
            lambda: "pending" in title() and "⟳ auto-refresh every 0.2s" in title(),
            what="the pending state and the auto-refresh in the title",
        )
        pending.clear()
        await wait_for(pilot, lambda: "auto-refresh" not in title(), what="the refresh to stop")
        await settle(pilot)
        assert "running" in title() and "auto-refresh" not in title()
        assert screen._timer is None


async def test_auto_refresh_lands_when_aws_answers_slower_than_its_interval(app, fleet, monkeypatch):
    """Each answer comes two ticks after its request: a tick must not cancel the load still out for a new one."""
    import threading
    from dataclasses import replace

    monkeypatch.setattr(InstanceDetailScreen, "AUTO_REFRESH_SECONDS", 0.05)
    ticks = [0]
    ticked = threading.Condition()
    real_tick = InstanceDetailScreen._tick

    def counting_tick(self):
        with ticked:
            ticks[0] += 1
            ticked.notify_all()
        real_tick(self)

    monkeypatch.setattr(InstanceDetailScreen, "_tick", counting_tick)
    slow = threading.Event()
    real = svc.get_instance

    def pending_then_slow(ec2, instance_id, region):
        instance = real(ec2, instance_id, region)
        if not slow.is_set():
            return replace(instance, state="pending")
        with ticked:  # answered only once the auto-refresh has ticked twice since this request
            asked_at = ticks[0]
            ticked.wait_for(lambda: ticks[0] >= asked_at + 2, timeout=30)
        return instance

    monkeypatch.setattr(svc, "get_instance", pending_then_slow)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_detail(pilot, fleet["web-2"])
        await wait_for(pilot, lambda: screen._timer is not None, what="the auto-refresh to start")
        slow.set()
        await wait_for(pilot, lambda: "running" in static_text(app, "#title"), what="a slow refresh to land")
        await wait_for(pilot, lambda: screen._timer is None, what="the auto-refresh to stop")
