"""The launch form's state: kept across trips, saved as a draft and restored, AMI lookups and the defaults that
follow the AMI, the type picker, "my IP", and the palette."""

from __future__ import annotations

import os
import stat

from ec2tui import drafts
from ec2tui.app import Ec2App
from ec2tui.gateway import Gateway
from ec2tui.launch.screen import LaunchScreen
from ec2tui.launch.sections.security_groups import SecurityGroupSection
from ec2tui.screens.instance_type_picker import InstanceTypePicker
from tests.launch_ui_helpers import (
    field_message,
    open_form,
    tab_to,
    type_text,
)
from tests.test_amis_ui_helpers import wait_for
from tests.test_images_helpers import foreign_image
from tests.ui_helpers import record_notifications, settle, until

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def test_leaving_the_form_and_coming_back_keeps_everything(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#name")
        await type_text(pilot, "keep-me")
        await tab_to(pilot, "#add-tag")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "team")
        await tab_to(pilot, "#max-count")
        await type_text(pilot, "3")
        app.navigate("regions")
        await settle(pilot)
        assert pilot.app.screen.id == "regions"
        app.navigate("launch")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.query_one("#name").value == "keep-me"
        assert form.query_one(".tag-key").value == "team"
        assert form.query_one("#max-count").value == "3" and form.request.max_count == 3


async def test_adding_and_removing_rows_puts_the_cursor_where_the_user_goes_on(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        for key in ("team", "env"):
            await tab_to(pilot, "#add-tag")
            await pilot.press("enter")
            await settle(pilot)
            assert app.focused is form.query(".tag-key").last(), "a new row takes the cursor"
            await type_text(pilot, key)
        await tab_to(pilot, ".remove-row")  # the last row's
        await pilot.press("enter")
        await settle(pilot)
        assert [t.key for t in form.request.tags] == ["team"]
        assert app.focused is form.query_one(".tag-key"), "the row before it takes the cursor"
        await tab_to(pilot, ".remove-row")
        await pilot.press("enter")
        await settle(pilot)
        assert form.request.tags == [] and app.focused is form.query_one("#add-tag"), "no rows left: the add button"


async def test_a_draft_is_saved_and_restored_on_a_new_app_start(launch_app, factory, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#name")
        await type_text(pilot, "drafted")
        await tab_to(pilot, "#instance-type")
        await type_text(pilot, "m5.large")
        # the draft is written once typing pauses (polled: timers run late on a loaded machine)
        await wait_for(pilot, lambda: form.keeper.store is not None and form.keeper.store.path.exists())
        path = form.keeper.store.path
        await wait_for(pilot, lambda: "m5.large" in path.read_text())
    assert path.is_relative_to(launch_env) and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "us-east-1" in path.name and "123456789012" in path.name, "the draft of this account and region"
    assert not drafts.draft_path().exists(), "not the single draft of earlier versions"

    second = Ec2App(Gateway(factory))  # a new start: nothing in memory, only the draft on disk
    sent = record_notifications(second)
    async with second.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert form.query_one("#name").value == "drafted"
        assert form.query_one("#instance-type").value == "m5.large"
        assert "2 vCPU" in str(form.query_one("#type-info").render())
        restored = [n for n in sent if "Restored your unfinished launch" in n]
        assert restored and "account 123456789012, us-east-1" in restored[0], "the note says where it came from"


async def test_launch_from_image_prefills_the_ami_and_its_defaults(launch_app):
    app = launch_app
    image_id = foreign_image("us-east-1", "graviton-tools-2026", architecture="arm64", windows=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.launch_from_image(image_id)
        await settle(pilot, 5)
        form = pilot.app.screen
        assert isinstance(form, LaunchScreen)
        assert form.query_one("#image-id").value == image_id
        info = str(form.query_one("#ami-info").render())
        assert "graviton-tools-2026" in info and "arm64" in info
        assert form.request.instance_type == "t4g.micro", "the default type follows the AMI's architecture"
        assert form.request.root_volume.device_name == "/dev/xvda"


async def test_a_windows_ami_gets_rdp_and_an_rsa_key(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#os-family")
        await pilot.press("enter", *"win", "enter")
        await settle(pilot)
        assert form.state.facts is not None and form.state.facts.is_windows
        rule = form.request.security_groups.new_group.rules[0]
        assert (rule.protocol, rule.from_port, rule.description) == ("tcp", 3389, "RDP")
        assert form.request.key_pair.key_type == "rsa"
        assert "RDP from anywhere" in field_message(form, "security_groups.new_group.rules[0]")


async def test_an_unknown_ami_id_is_shown_at_the_field(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#image-id")
        await type_text(pilot, "ami-0123456789abcdef0")
        await settle(pilot)
        assert "ami-0123456789abcdef0 was not found" in field_message(form, "image_id")
        assert form.query_one("#image-id").value == "ami-0123456789abcdef0"
        await tab_to(pilot, "#image-id")
        await type_text(pilot, "ami-xyz")
        await settle(pilot)
        assert "is not an AMI id" in field_message(form, "image_id")


async def test_the_type_picker_by_keyboard(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#pick-type")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InstanceTypePicker)
        await type_text(pilot, "m7i.lar")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.request.instance_type == "m7i.large"
        info = str(form.query_one("#type-info").render())
        assert "2 vCPU" in info and "8 GiB memory" in info


async def test_my_ip_fills_the_rule_or_says_why_not(launch_app, monkeypatch):
    app = launch_app
    monkeypatch.setattr(SecurityGroupSection, "my_ip_lookup", lambda: "198.51.100.7")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, ".rule-my-ip")
        await pilot.press("enter")

        def said() -> str:
            return str(form.query_one("#my-ip-message").render())

        # The lookup runs in a thread from the button's handler (no worker for settle to wait on): poll for its end.
        await until(pilot, lambda: "Your public IP is 198.51.100.7" in said(), "the lookup's answer")
        assert form.query_one(".rule-cidr").value == "198.51.100.7/32"
        assert form.request.security_groups.new_group.rules[0].cidr == "198.51.100.7/32"
        assert field_message(form, "security_groups.new_group.rules[0]") == ""  # no "SSH from anywhere" now

        def offline() -> str:
            raise OSError("Network is unreachable")

        monkeypatch.setattr(SecurityGroupSection, "my_ip_lookup", offline)
        # Textual's Button ignores a press during its 0.2 s press effect (as a person's double press)
        button = pilot.app.focused
        await until(pilot, lambda: button is not None and not button.has_class("-active"), "the press effect's end")
        await pilot.press("enter")
        await until(pilot, lambda: "Could not get" in said(), "the failed lookup's message")
        assert "Could not get your public IP from checkip.amazonaws.com (Network is unreachable)" in said()
        assert form.query_one(".rule-cidr").value == "198.51.100.7/32", "what was there is kept"


async def test_every_form_action_is_in_the_palette(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        titles = {c.title for c in app.get_system_commands(form)}
        assert {
            "Review launch",
            "Choose instance type",
            "Add tag",
            "Add inbound rule",
            "Add EBS volume",
            "Start a new launch",
            "Go to section: Storage",
            "Launch instance",
        } <= titles
        await pilot.press("ctrl+s")
        await settle(pilot)
        review_titles = {c.title for c in app.get_system_commands(pilot.app.screen)}
        assert {"Launch", "Dry run", "Copy AWS CLI command", "Copy run_instances JSON"} <= review_titles
