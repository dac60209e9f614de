"""A burst typed after `s` (the AMI catalogue's server-side search) goes into the search box, in order."""

from __future__ import annotations

import pytest
from textual.widgets import Tabs

from ec2tui.app import Ec2App
from ec2tui.screens.amis import AmisScreen
from tests.key_bursts import burst
from tests.test_amis_ui_helpers import names, seed_demo_catalog, wait_loaded
from tests.ui_helpers import settle


@pytest.fixture
def app(no_default_amis, gateway, ec2) -> Ec2App:
    seed_demo_catalog()
    return Ec2App(gateway)


async def test_search_burst_reaches_the_search_box_and_runs_the_search(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, ":amis community", "enter")
        screen = app.screen
        assert isinstance(screen, AmisScreen)
        await burst(app, "svault", "enter")  # typed while the community page may still be loading
        assert screen.search_input.value == "vault"
        await wait_loaded(pilot, app)
        await settle(pilot)
        assert names(app) == ["hashicorp-vault-1.20.4-ubuntu-24.04-amd64"]


async def test_two_category_keys_handled_in_one_go_end_on_the_second(app):
    """Without the key gate (or with a burst read before the first tab's event is handled) two tab changes used to
    ping-pong between the categories for ever, reloading each time."""
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, ":amis mine", "enter")
        screen = app.screen
        assert isinstance(screen, AmisScreen)
        await settle(pilot)
        screen.action_category("community")
        screen.action_category("marketplace")  # both before either tab's TabActivated is handled
        for _ in range(20):
            await pilot.pause()
        assert screen.category.value == "marketplace"
        assert screen.query_one(Tabs).active == "marketplace"
        generation = screen._generation
        for _ in range(20):
            await pilot.pause()
        assert screen._generation == generation, "the categories still flip and reload"
