"""Fixtures for the launch form's Pilot tests: moto in-process, Quick Start seeded as in the demo, drafts in tmp_path.

Test modules load them with ``pytest_plugins = ["tests.launch_ui_fixtures"]``; the names are launch-specific
because plugin fixtures are visible to the whole session.
"""

from __future__ import annotations

import functools

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from ec2tui.app import Ec2App
from ec2tui.aws import instance_types as instance_types_service
from ec2tui.demo.seed_images import seed_images
from ec2tui.launch.screen import LaunchScreen
from tests.instances_ui_helpers import InstancesFirstApp

_real_list_instance_types = instance_types_service.list_instance_types


@functools.cache
def _moto_instance_types() -> tuple:
    """moto's ~1,400 instance types never change: describe them once per test session (it takes seconds)."""
    return tuple(_real_list_instance_types(boto3.client("ec2", region_name="us-east-1")))


@pytest.fixture
def launch_env(no_default_amis, ec2, tmp_path, monkeypatch):
    """Quick Start images as in the demo, drafts under tmp_path, instance types described once per session."""
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(LaunchScreen, "draft_delay", 0.2)
    monkeypatch.setattr(instance_types_service, "list_instance_types", lambda ec2: list(_moto_instance_types()))
    seed_images(DEFAULT_ACCOUNT_ID, "us-east-1", None, None)
    return tmp_path


class LaunchFirstApp(InstancesFirstApp):
    """Starts on the launch form: the regions screen's count over every region is not what these tests are about."""

    DEFAULT_MODE = "launch"


@pytest.fixture
def launch_app(launch_env, gateway) -> Ec2App:
    return LaunchFirstApp(gateway)
