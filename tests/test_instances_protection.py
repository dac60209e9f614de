"""Termination protection: read in the detail, turned on and off (off asks first), and a refused terminate says why."""

from __future__ import annotations

import pytest

from ec2tui.aws import instance_actions as actions
from ec2tui.aws import instances as svc
from ec2tui.errors import AwsError, ReadOnlyError
from ec2tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from ec2tui.screens.instance_detail import InstanceDetailScreen
from tests.instances_ui_helpers import moto_state, open_instances, run, screen_text, select
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle, static_text

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


def protected(ec2, instance_id: str) -> bool:
    answer = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
    return answer["DisableApiTermination"]["Value"]


def test_service_turns_it_on_and_off_and_the_detail_reads_it(ec2, no_default_amis):
    instance_id = run("us-east-1", "db")
    assert svc.instance_detail(ec2, instance_id, "us-east-1").termination_protection is False
    actions.set_termination_protection(ec2, instance_id, True)
    assert protected(ec2, instance_id)
    assert svc.instance_detail(ec2, instance_id, "us-east-1").termination_protection is True
    with pytest.raises(Exception, match="may not be terminated"):
        ec2.terminate_instances(InstanceIds=[instance_id])
    actions.set_termination_protection(ec2, instance_id, False)
    assert not protected(ec2, instance_id)


async def test_gateway_refuses_read_only_and_invalidates_the_detail(gateway, read_only_gateway, ec2, no_default_amis):
    instance_id = run("us-east-1", "db")
    assert (await gateway.instances.detail(instance_id, region="us-east-1")).termination_protection is False
    await gateway.instances.set_termination_protection(instance_id, True, region="us-east-1")
    assert (await gateway.instances.detail(instance_id, region="us-east-1")).termination_protection is True, (
        "not the cached answer"
    )
    with pytest.raises(ReadOnlyError):
        await read_only_gateway.instances.set_termination_protection(instance_id, False, region="us-east-1")
    assert protected(ec2, instance_id)
    with pytest.raises(AwsError) as refused:
        await gateway.instances.terminate([instance_id], region="us-east-1")
    assert refused.value.code == "OperationNotPermitted"


async def run_palette(pilot, title: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*title)
    await wait_for(
        pilot, lambda: title in str(pilot.app.screen.query("CommandList").first().get_option_at_index(0).prompt)
    )
    await pilot.press("enter")
    await settle(pilot)


async def test_protect_from_the_palette_then_terminate_is_refused_with_the_way_out(app, fleet, ec2):
    web = fleet["web-2"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InstanceDetailScreen)
        assert "no termination protection" in screen_text(app, "#detail-summary")

        await run_palette(pilot, "Turn termination protection on")
        assert protected(ec2, web), "on needs no confirmation: it only makes things safer"
        await wait_for(pilot, lambda: "termination protection on" in screen_text(app, "#detail-summary"))
        assert any("Termination protection is on for web-2" in n for n in notifications(app))

        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, InstanceDetailScreen), "the detail knows: no typed-ID dialog for nothing"
        assert moto_state(web) == "running"
        assert any(
            "Termination protection is on for web-2" in n and "'Turn termination protection off'" in n
            for n in notifications(app)
        )

        await run_palette(pilot, "Turn termination protection off")
        assert isinstance(app.screen, ConfirmScreen)
        assert web in static_text(app, ".dialog-body")
        await pilot.press("n")
        await settle(pilot)
        assert protected(ec2, web), "n leaves it on"
        await run_palette(pilot, "Turn termination protection off")
        await pilot.press("y")
        await settle(pilot)
        assert not protected(ec2, web)
        await wait_for(pilot, lambda: "no termination protection" in screen_text(app, "#detail-summary"))


async def test_terminate_from_the_list_looks_the_protection_up_before_asking(app, fleet, ec2):
    web = fleet["web-2"]
    actions.set_termination_protection(ec2, web, True)  # turned on elsewhere (the console): the list can't know
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert not isinstance(app.screen, TypedConfirmScreen), "refused before asking for the typed ID"
        assert any("Termination protection is on for web-2" in n and "ctrl+p" in n for n in notifications(app))
        assert moto_state(web) == "running"


async def test_a_batch_terminate_skips_the_protected_ones_and_names_them(app, fleet, ec2):
    web1, web2 = fleet["web-1"], fleet["web-2"]
    actions.set_termination_protection(ec2, web1, True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        for instance in (web1, web2):
            await select(pilot, instance)
            await pilot.press("space")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, TypedConfirmScreen)
        body = static_text(app, ".dialog-body")
        assert "Skipped (termination protection is on): web-1" in body and web2 in body
        app.screen.query_one("#typed").value = web2
        await pilot.press("enter")
        await settle(pilot)
        assert moto_state(web2) == "terminated" and moto_state(web1) == "running"


async def test_when_the_protection_cannot_be_read_aws_refusal_still_says_the_way_out(app, fleet, ec2, monkeypatch):
    web = fleet["web-2"]
    actions.set_termination_protection(ec2, web, True)

    def denied(ec2, instance_id, region):
        raise AwsError("DescribeInstances: not authorized (UnauthorizedOperation)", "UnauthorizedOperation")

    monkeypatch.setattr(svc, "instance_detail", denied)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, web)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, TypedConfirmScreen), "unknown: ask, as before"
        app.screen.query_one("#typed").value = web
        await pilot.press("enter")
        await settle(pilot)
        assert moto_state(web) == "running"
        assert any("Turn termination protection off' (ctrl+p) first" in n for n in notifications(app))
