"""My AMIs fills in while its answer is parsed: each image's row built once (in a thread, never on the event loop),
every image exactly once and newest first at the end, the shared ones included; the batches of a load that was left
(another tab) never land; a cached answer comes whole."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

from ec2tui.app import Ec2App
from ec2tui.aws import images as images_service
from ec2tui.aws import xml_parsing
from ec2tui.aws.models.images import Image, ImageCategory
from ec2tui.screens.amis import AmisScreen
from tests.test_amis_ui_helpers import REGION, wait_for, wait_loaded
from tests.test_images_helpers import ACCOUNT, foreign_image
from tests.test_images_streaming import BUILT, hours
from tests.ui_helpers import settle

OWN = 450
BATCH = 100


@pytest.fixture
def catalog(no_default_amis, monkeypatch) -> dict[str, list[str]]:
    """450 own images, oldest first in moto's answer, and three shared with the account, dated among them; the
    answer is read as a stream (from 4 KB up), 100 images to a batch."""
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)
    monkeypatch.setattr(xml_parsing, "MEMBERS_PER_BATCH", BATCH)
    own = [foreign_image(REGION, f"build-{n:03d}", owner=ACCOUNT, created=BUILT + hours(n)) for n in range(OWN)]
    shared = [
        foreign_image(REGION, f"shared-{n}", shared_with=(ACCOUNT,), created=BUILT + hours(n * 100 + 0.5))
        for n in (0, 1, 2)
    ]
    newest_first = [*own[::-1]]
    for n, image_id in enumerate(shared):  # just after own image n * 100
        newest_first.insert(newest_first.index(own[n * 100]), image_id)
    return {"own": own, "shared": shared, "newest first": newest_first}


@pytest.fixture
def app(catalog, gateway) -> Ec2App:
    return Ec2App(gateway)


def held_after_first_batch(
    first_batch: threading.Event, release: threading.Event, done: threading.Event
) -> Callable[..., list[Image]]:
    """``images_service.list_images`` (as it is now) that stops after handing over its first batch until
    ``release`` is set; ``first_batch`` is set once that batch is handed over, ``done`` once the listing ends."""
    list_images = images_service.list_images

    def held(category, ec2, ssm, on_batch=None):
        def arrived(batch):
            on_batch(batch)
            first_batch.set()
            assert release.wait(30)

        try:
            return list_images(category, ec2, ssm, arrived)
        finally:
            done.set()

    return held


async def open_mine(pilot) -> None:
    await settle(pilot)
    await pilot.press("colon", *"amis mine", "enter")


async def test_a_streamed_load_shows_every_image_once_newest_first_with_the_shared_ones(app, catalog, monkeypatch):
    built: list[tuple[str, bool]] = []
    queued: list[tuple[bool, int]] = []
    row_data, queue_items = AmisScreen._row_data, AmisScreen.queue_items

    def building(screen: AmisScreen, item: Image):
        built.append((item.id, threading.current_thread() is threading.main_thread()))
        return row_data(screen, item)

    def queueing(screen: AmisScreen, items):
        items = list(items)
        queued.append((screen.loading_data, len(items)))
        queue_items(screen, items)

    monkeypatch.setattr(AmisScreen, "_row_data", building)
    monkeypatch.setattr(AmisScreen, "queue_items", queueing)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot)
        await wait_loaded(pilot, app)
        screen = app.screen
        assert isinstance(screen, AmisScreen)
        assert queued == [(True, 100), (True, 100), (True, 100), (True, 100), (True, 50), (False, 3)], (
            "the own images queued batch by batch while loading, then the shared ones"
        )
        assert list(screen.table.row_keys) == catalog["newest first"]
        assert sorted(image_id for image_id, _ in built) == sorted(catalog["newest first"]), "each row built once"
        assert not [image_id for image_id, on_loop in built if on_loop], "no row built on the event loop"
        assert "453 images (3 shared with you)" in str(screen.query_one("#title").render())


async def test_the_batches_of_a_load_left_for_another_tab_never_land_and_a_cached_answer_comes_whole(
    app, catalog, gateway, monkeypatch
):
    first_batch, release_mine, mine_done = threading.Event(), threading.Event(), threading.Event()
    custom_asked, release_custom = threading.Event(), threading.Event()
    list_images = images_service.list_images
    held_mine = held_after_first_batch(first_batch, release_mine, mine_done)

    def gated(category, ec2, ssm, on_batch=None):
        """My AMIs stops after its first batch until released; Custom waits before it asks."""
        if category is ImageCategory.CUSTOM:
            custom_asked.set()
            assert release_custom.wait(30)
            return list_images(category, ec2, ssm, on_batch)
        assert category is ImageCategory.MINE and on_batch is not None
        return held_mine(category, ec2, ssm, on_batch)

    monkeypatch.setattr(images_service, "list_images", gated)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, AmisScreen) and len(app.screen.items) == BATCH)
        screen = app.screen
        assert isinstance(screen, AmisScreen) and screen.loading_data, "the first batch shows while loading"
        assert "loading…  100 images so far" in str(screen.query_one("#title").render())
        stale: list[int] = []
        batch_arrived = screen._batch_arrived

        def counted(generation: int, batch: list[Image]) -> None:
            stale.append(len(batch))
            batch_arrived(generation, batch)

        screen._batch_arrived = counted
        await pilot.press("5")  # Custom, while My AMIs is still being read
        await wait_for(pilot, custom_asked.is_set, what="Custom to be asked for")
        release_mine.set()  # the rest of My AMIs is read now, while Custom loads
        await wait_for(pilot, lambda: mine_done.is_set() and sum(stale) == OWN - BATCH, what="the stale batches")
        await settle_rows(pilot, screen)
        assert screen.category is ImageCategory.CUSTOM and screen.loading_data
        assert not set(screen.store.keys) & set(catalog["newest first"]), "no row of the stale load"

        release_custom.set()
        await wait_loaded(pilot, app)
        assert list(screen.table.row_keys) == []
        await pilot.press("2")  # back to My AMIs: the answer the left load cached
        await wait_loaded(pilot, app)
        assert list(screen.table.row_keys) == catalog["newest first"]
        assert sum(stale) == OWN - BATCH, "no batch for a cached answer"
        assert gateway.core.calls["images"] == 2


async def settle_rows(pilot, screen: AmisScreen) -> None:
    """Let any rows queued meanwhile be built and appended (a few rounds of the event loop)."""
    for _ in range(5):
        await pilot.pause()
    await wait_for(pilot, lambda: not screen._pending and not screen._draining, what="the rows queued")


def test_the_table_brings_its_scrollbar_along():
    """Imported lazily by Textual when the first rows show, it would be imported on the event loop while the rest of
    the answer is parsed in a thread: each of the import's file look-ups then waits for the GIL."""
    code = "import sys, ec2tui.widgets.virtual_table; print('textual.scrollbar' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "True"


async def test_batches_that_land_after_the_app_quit_mid_load_are_dropped_quietly(app, monkeypatch):
    first_batch, release, done = threading.Event(), threading.Event(), threading.Event()
    monkeypatch.setattr(images_service, "list_images", held_after_first_batch(first_batch, release, done))
    loop = asyncio.get_running_loop()
    errors: list[dict] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_mine(pilot)
            await wait_for(pilot, first_batch.is_set, what="the first batch")
        release.set()  # the rest of the answer is read after the app quit
        for _ in range(3000):
            if done.is_set():
                break
            await asyncio.sleep(0.01)
        assert done.is_set()
        for _ in range(5):
            await asyncio.sleep(0.01)  # the batches posted to the loop run
    finally:
        loop.set_exception_handler(None)
    assert not errors, [str(context.get("exception")) for context in errors]


async def test_another_region_s_images_stream_in_without_the_last_region_s_rows(app, catalog, monkeypatch):
    west = [foreign_image("us-west-2", f"west-{n:03d}", owner=ACCOUNT, created=BUILT + hours(n)) for n in range(150)]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mine(pilot)
        await wait_loaded(pilot, app)
        screen = app.screen
        assert isinstance(screen, AmisScreen) and len(screen.items) == OWN + 3
        queued: list[tuple[bool, int, bool]] = []
        queue_items = screen.queue_items

        def queueing(items):
            items = list(items)
            queued.append((screen.loading_data, len(items), any(i.id in catalog["own"] for i in screen.items)))
            queue_items(items)

        screen.queue_items = queueing
        app.set_region("us-west-2")  # the screen follows it
        await wait_for(pilot, lambda: screen.loaded_region == "us-west-2", what="the reload")
        await wait_loaded(pilot, app)
        assert queued == [(True, 100, False), (True, 50, False)], "streamed, with none of us-east-1's rows left"
        assert list(screen.table.row_keys) == west[::-1]
