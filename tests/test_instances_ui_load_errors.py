"""After a failed or cancelled load nothing says "loading…" any more: the lists (one region, all regions, the AMI
catalog's next page) and the instance detail, for AWS errors, unexpected exceptions and cancelled workers."""

from __future__ import annotations

import asyncio

import pytest

from ec2tui.errors import AwsError
from ec2tui.screens.instance_detail import InstanceDetailScreen
from ec2tui.screens.instances import InstancesScreen
from tests.instances_ui_helpers import open_instances, screen_text, select
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import acknowledge_unexpected, settle, static_text

pytest_plugins = ["tests.instances_ui_fixtures"]  # the app and fleet fixtures


def failing(exc: BaseException):
    async def fetch(*args, **kwargs):
        raise exc

    return fetch


def title(app) -> str:
    return static_text(app, "#title")


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (AwsError("DescribeInstances: not authorized (UnauthorizedOperation)", "UnauthorizedOperation"), "not author"),
        (RuntimeError("a bug"), "Unexpected error while loading: RuntimeError: a bug"),
    ],
)
async def test_a_failed_load_leaves_no_loading_title(app, fleet, error, shown):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        app.gateway.instances.list = failing(error)  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        await settle(pilot)
        if isinstance(error, RuntimeError):
            await acknowledge_unexpected(pilot, RuntimeError, "a bug")
        assert "loading" not in title(app)
        assert shown in static_text(app, "#empty") and screen.error is not None
        assert not screen.table.loading


async def test_a_cancelled_load_leaves_no_loading_title(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        started = asyncio.Event()

        async def never(*args, **kwargs):
            started.set()
            await asyncio.Event().wait()

        app.gateway.instances.list = never  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        await wait_for(pilot, started.is_set)
        assert "loading" in title(app)
        screen.workers.cancel_group(screen, "load")
        await wait_for(pilot, lambda: not screen.loading_data)  # settle() would raise WorkerCancelled
        await pilot.pause()
        assert "loading" not in title(app)
        assert "cancelled" in static_text(app, "#empty")
        app.gateway.instances.list = type(app.gateway.instances).list.__get__(app.gateway.instances)  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "cancelled" not in static_text(app, "#empty") and "instances" in title(app)


async def test_all_regions_mode_ends_its_loading_title_when_listing_regions_fails(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        app.gateway.regions.list = failing(RuntimeError("regions broke"))  # type: ignore[method-assign]
        await pilot.press("a")
        await settle(pilot)
        await acknowledge_unexpected(pilot, RuntimeError, "regions broke")
        assert isinstance(screen, InstancesScreen) and screen.all_regions
        assert "loading" not in title(app)
        assert "regions broke" in static_text(app, "#empty")


async def test_the_detail_says_unavailable_not_loading_after_an_unexpected_error(app, fleet):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        app.gateway.instances.detail = failing(RuntimeError("detail broke"))  # type: ignore[method-assign]
        await pilot.press("enter")
        await settle(pilot)
        await acknowledge_unexpected(pilot, RuntimeError, "detail broke")
        assert isinstance(app.screen, InstanceDetailScreen)
        assert "loading" not in screen_text(app, "#detail-security")
        assert "detail broke" in screen_text(app, "#detail-warnings")
