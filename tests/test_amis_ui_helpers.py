"""Helpers for the AMI catalog's Pilot tests (no tests here): seeding moto, waiting for screens, reading rows."""

from __future__ import annotations

import asyncio
import copy
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ec2.responses.amis import AmisResponse
from rich.console import Console
from textual.pilot import Pilot

from ec2tui.app import Ec2App
from ec2tui.demo.seed_images import seed_images
from tests.ui_helpers import app_state, table_rows

ACCOUNT = DEFAULT_ACCOUNT_ID
REGION = "us-east-1"
MONTH = datetime.now(UTC).strftime("%Y-%m")
LAST_MONTH = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m")
"""The demo catalogue names its images by month (seed_images): this month's and last month's."""
COMMUNITY_OWNER = "210987654321"


def seed_demo_catalog(region: str = REGION) -> None:
    """The demo's catalog (Quick Start, Marketplace, Community, shared, own, Image Builder) in ``region``."""
    seed_images(ACCOUNT, region, boto3.client("ec2", region_name=region), boto3.client("ssm", region_name=region))


def seed_public_images(count: int, region: str = REGION, owner: str = COMMUNITY_OWNER) -> None:
    """``count`` public community images, inserted straight into moto's backend (copies of one template image)."""
    backend = ec2_backends[ACCOUNT][region]
    template = Ami(
        backend,
        "ami-00000000000000000",
        name="template",
        description="Community build",
        owner_id=owner,
        public=True,
        architecture="x86_64",
        virtualization_type="hvm",
        root_device_type="ebs",
        root_device_name="/dev/xvda",
        region_name=f"{region}a",
        creation_date=datetime(2026, 1, 15, tzinfo=UTC),
    )
    for n in range(count):
        image = copy.copy(template)
        image.id = f"ami-{n + 1:017x}"
        image.name = f"community-build-{n:05d}"
        backend.amis[image.id] = image


def honour_max_results(monkeypatch: Any) -> list[int]:
    """Make moto page DescribeImages the way AWS does (it ignores ``MaxResults`` and answers everything at once).

    Returns a list that receives the number of images each DescribeImages answer carried.
    """
    original = AmisResponse.describe_images
    answered: list[int] = []

    def paged(self: AmisResponse) -> ActionResult:
        result = original(self)
        limit = self._get_int_param("MaxResults")
        images = result.result["Images"]  # type: ignore[index]
        if not limit:
            answered.append(len(images))
            return result
        start = int(self._get_param("NextToken") or 0)
        page: dict[str, Any] = {"Images": images[start : start + limit]}
        if start + limit < len(images):
            page["NextToken"] = str(start + limit)
        answered.append(len(page["Images"]))
        return ActionResult(page)

    monkeypatch.setattr(AmisResponse, "describe_images", paged)
    return answered


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Pause until ``condition()`` holds on a screen that has composed its widgets (workers waiting on a dialog
    never complete, so settle() cannot be used)."""
    deadline = time.monotonic() + timeout
    while not (condition() and pilot.app.screen.is_mounted):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}\n{app_state(pilot.app)}")
        await pilot.pause(0.02)
        await asyncio.sleep(0)


async def wait_loaded(pilot: Pilot, app: Ec2App) -> None:
    """Until the AMI list finished loading (and the rows are on screen, in their final order: rows shown while the
    answer was read are built in a thread, and the load's worker ends once they are all in)."""

    def loaded() -> bool:
        screen = app.screen
        if screen.id != "amis" or screen.loading_data or screen.loading_more:
            return False
        return not any(w.node is screen and w.group == "load" and not w.is_finished for w in app.workers)

    await wait_for(pilot, loaded, what="the AMI list to load")
    await pilot.pause()


def names(app: Ec2App) -> list[str]:
    """The full names of the rows shown (the name cell may be cut with an ellipsis)."""
    screen = app.screen
    return [screen._by_key[key].name for key in screen.table.row_keys]


def column(app: Ec2App, key: str) -> list[str]:
    keys = [c.key for c in app.screen.COLUMNS]
    return [row[keys.index(key)] for row in table_rows(app)]


def select_row(app: Ec2App, name: str) -> Any:
    """Put the cursor on the row of the image called ``name``; returns that image."""
    screen = app.screen
    image = next(i for i in screen.items if i.name == name)
    screen.table.move_cursor(key=image.id)
    return image


def shown_text(app: Ec2App, selector: str, width: int = 200) -> str:
    """What a Static holding rich renderables (tables, groups) shows, as plain text."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen.query_one(selector).content)
    return console.export_text()
