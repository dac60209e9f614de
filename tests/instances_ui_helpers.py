"""Helpers for the instances screens' Pilot tests (the fixtures are in instances_ui_fixtures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import boto3
from textual.geometry import Region
from textual.pilot import Pilot

import ec2tui.app
from ec2tui.app import Ec2App
from ec2tui.screens.instances import InstancesScreen
from tests.ui_helpers import settle, table_rows

UNKNOWN_AMI = "ami-0a1b2c3d4e5f60718"
"""moto accepts AMIs it does not know (validation is off in tests); this one exists in none of its catalogs."""

USER_DATA = "#!/bin/bash\necho hello > /tmp/hello\nsystemctl enable --now nginx\n"


class InstancesFirstApp(Ec2App):
    """Starts on :instances rather than on the regions screen, whose instance counts fan out over every region."""

    DEFAULT_MODE = "instances"
    CSS_PATH = str(Path(ec2tui.app.__file__).with_name("ec2tui.tcss"))  # relative paths resolve from this module


@dataclass
class Fleet:
    """Instance IDs by name (us-east-1 unless said otherwise)."""

    ids: dict[str, str] = field(default_factory=dict)
    image_id: str = ""
    group_id: str = ""

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


def client(region: str = "us-east-1"):
    return boto3.client("ec2", region_name=region)


def run(region: str, name: str, **kwargs) -> str:
    kwargs.setdefault("ImageId", UNKNOWN_AMI)
    response = client(region).run_instances(
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
        **kwargs,
    )
    return response["Instances"][0]["InstanceId"]


def moto_state(instance_id: str, region: str = "us-east-1") -> str:
    response = client(region).describe_instances(InstanceIds=[instance_id])
    return response["Reservations"][0]["Instances"][0]["State"]["Name"]


def moto_instance(instance_id: str, region: str = "us-east-1") -> dict:
    return client(region).describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


async def open_instances(pilot: Pilot) -> InstancesScreen:
    pilot.app.navigate("instances")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InstancesScreen)
    return screen


def screen_text(app: Ec2App, selector: str) -> str:
    """What a widget shows on screen, line by line (works for Rich renderables such as tables)."""
    widget = app.screen.query_one(selector)
    width, height = widget.size
    lines = widget.render_lines(Region(0, 0, width, height))
    return "\n".join(line.text.rstrip() for line in lines)


def rows_by_name(app: Ec2App, name_column: int = 1) -> dict[str, list[str]]:
    return {row[name_column]: row for row in table_rows(app)}


async def select(pilot: Pilot, instance_id: str) -> None:
    """Put the cursor on an instance's row."""
    pilot.app.screen.query_one("#table").move_cursor(key=instance_id)
    await pilot.pause()
