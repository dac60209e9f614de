"""Helpers for the launch form's Pilot tests (the fixtures are in tests/launch_ui_fixtures.py)."""

from __future__ import annotations

import base64

import boto3
from textual.css.match import match
from textual.css.parse import parse_selectors
from textual.pilot import Pilot
from textual.widget import Widget

from ec2tui.launch.fields import FieldMessage, FormSection
from ec2tui.launch.screen import LaunchScreen
from tests.ui_helpers import paste, settle

UBUNTU_24_PARAMETER = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


def parameter(name: str) -> str:
    return boto3.client("ssm", region_name="us-east-1").get_parameter(Name=name)["Parameter"]["Value"]


async def open_form(pilot: Pilot) -> LaunchScreen:
    await settle(pilot)
    pilot.app.navigate("launch")  # type: ignore[attr-defined]
    await settle(pilot, 5)
    screen = pilot.app.screen
    assert isinstance(screen, LaunchScreen)
    return screen


async def tab_to(pilot: Pilot, selector: str, *, limit: int = 60) -> Widget:
    """Move the focus by keyboard alone to the widget matching ``selector``: ctrl+down jumps section by section
    to the one holding it (as a user would), then tab steps through the fields."""
    selectors = parse_selectors(selector)
    screen = pilot.app.screen
    targets = [w for w in screen.query(selector) if w.focusable]
    sections = list(screen.query(FormSection))
    target_section = _section_of(targets[0], sections) if targets else None
    for _ in range(len(sections)):
        current = _section_of(pilot.app.focused, sections)
        if target_section is None or current is None or current >= target_section:
            break
        await pilot.press("ctrl+down")
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is not None and match(selectors, focused):
            return focused
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {selector}; focus is on {pilot.app.focused!r}")


def _section_of(widget: Widget | None, sections: list[FormSection]) -> int | None:
    if widget is None:
        return None
    return next((i for i, s in enumerate(sections) if s in widget.ancestors_with_self), None)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type into the focused field: key by key, or for text longer than a word as a terminal paste (what a user
    pasting does; Pilot spends ~60 ms a key, which made long values dominate the test's time)."""
    if len(text) <= 8:
        await pilot.press(*["enter" if c == "\n" else "space" if c == " " else c for c in text])
        return
    await paste(pilot, text)


def field_message(screen: LaunchScreen, path: str) -> str:
    """What the message line of a field path shows ('' when hidden)."""
    texts = [m.text for m in screen.query(FieldMessage) if m.path == path and m.display]
    return "\n".join(texts)


def moto_instance(instance_id: str) -> dict:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def user_data_of(instance_id: str) -> str:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    value = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    return base64.b64decode(value).decode()


def all_instances() -> list[dict]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    return [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
