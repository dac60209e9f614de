"""My AMIs and Custom hand their images over while they are parsed (``on_batch``): a thousand at a time while one
huge answer is still being read, or page by page from a server that pages; each image exactly once, the very objects
of the final list; through the gateway on the event loop, and never for a cached answer."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ec2tui.aws import images as images_service
from ec2tui.aws import xml_parsing
from ec2tui.aws.clients import new_session
from ec2tui.aws.models.images import Image, ImageCategory
from tests.test_amis_ui_helpers import honour_max_results
from tests.test_images_helpers import ACCOUNT, foreign_image

REGION = "us-east-1"
OWN = 250
BATCH = 100
BUILT = datetime(2026, 1, 1, tzinfo=UTC)


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


@pytest.fixture
def catalog(no_default_amis) -> dict[str, set[str]]:
    """250 own images and one shared with the account (and one of a stranger's, which no list shows)."""
    own = {foreign_image(REGION, f"build-{n:03d}", owner=ACCOUNT, created=BUILT + hours(n)) for n in range(OWN)}
    shared = {foreign_image(REGION, "platform-base", shared_with=(ACCOUNT,), created=BUILT + hours(1.5))}
    foreign_image(REGION, "someone-elses", owner="444455556666")
    return {"own": own, "shared": shared}


@pytest.fixture
def small_batches(monkeypatch):
    """Answers from 4 KB up are read as a stream (250 images make one), 100 images to a batch."""
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)
    monkeypatch.setattr(xml_parsing, "MEMBERS_PER_BATCH", BATCH)


class Arrivals:
    """Records, in one timeline, each batch handed over (with how many images were converted by then) and each
    DescribeImages answer botocore finished parsing (its after-call event)."""

    def __init__(self, client, monkeypatch) -> None:
        self.batches: list[list[Image]] = []
        self.timeline: list[tuple[str, int] | tuple[str, int, int]] = []
        self.converted = 0
        real = images_service.parse_image

        def counting(*args, **kwargs):
            self.converted += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(images_service, "parse_image", counting)
        client.meta.events.register("after-call.ec2.DescribeImages", self._answered)

    def _answered(self, **_) -> None:
        self.timeline.append(("answer parsed", self.converted))

    def __call__(self, batch: list[Image]) -> None:
        self.batches.append(batch)
        self.timeline.append(("batch", len(batch), self.converted))

    def check_each_image_once(self, images: list[Image], expected: set[str]) -> None:
        handed = [image for batch in self.batches for image in batch]
        assert len(handed) == len(expected) and {i.id for i in handed} == expected, "each image exactly once"
        final = {id(image) for image in images}
        assert all(id(image) in final for image in handed), "the very objects of the final list"


def test_one_huge_answer_hands_its_own_images_over_while_it_is_still_read(catalog, small_batches, monkeypatch):
    client = new_session(region_name=REGION).client("ec2")
    arrivals = Arrivals(client, monkeypatch)
    images = images_service.list_mine(client, on_batch=arrivals)
    assert {i.id for i in images} == catalog["own"] | catalog["shared"]
    # One answer (moto ignores MaxResults): its first batch came when 100 of its 250 images were read (converted).
    assert arrivals.timeline == [
        ("batch", 100, 100),
        ("batch", 100, 200),
        ("batch", 50, OWN),
        ("answer parsed", OWN),
        ("answer parsed", OWN),  # the shared images' answer: they come only with the whole list
    ]
    arrivals.check_each_image_once(images, catalog["own"])
    assert [i.creation_date for i in images] == sorted((i.creation_date for i in images), reverse=True)


def test_a_paging_server_s_pages_are_handed_over_as_each_is_parsed(catalog, monkeypatch):
    answered = honour_max_results(monkeypatch)
    monkeypatch.setattr(images_service, "DESCRIBE_PAGE_SIZE", 100)
    client = new_session(region_name=REGION).client("ec2")
    arrivals = Arrivals(client, monkeypatch)
    images = images_service.list_mine(client, on_batch=arrivals)
    assert answered[:3] == [100, 100, 50], "three pages of own images (small: not read as a stream)"
    assert arrivals.timeline == [
        ("answer parsed", 0),
        ("batch", 100, 100),  # the first page's, before the second is asked for
        ("answer parsed", 100),
        ("batch", 100, 200),
        ("answer parsed", 200),
        ("batch", 50, OWN),
        ("answer parsed", OWN),  # the shared images' answer: no batch
    ]
    arrivals.check_each_image_once(images, catalog["own"])


def test_custom_hands_over_only_image_builder_images(no_default_amis, small_batches, monkeypatch):
    arn = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/golden/1.0.{{n}}/1"
    built = {
        foreign_image(REGION, f"golden-{n:03d}", owner=ACCOUNT, tags={"Ec2ImageBuilderArn": arn.format(n=n)})
        for n in range(150)
    }
    foreign_image(REGION, "tagged-but-empty", owner=ACCOUNT, tags={"Ec2ImageBuilderArn": ""})
    client = new_session(region_name=REGION).client("ec2")
    arrivals = Arrivals(client, monkeypatch)
    images = images_service.list_custom(client, on_batch=arrivals)
    assert {i.id for i in images} == built
    assert [len(batch) for batch in arrivals.batches] == [100, 50]
    arrivals.check_each_image_once(images, built)


async def test_the_gateway_hands_batches_to_the_event_loop_and_a_cached_answer_comes_whole(
    catalog, small_batches, gateway
):
    loop_thread = threading.current_thread()
    batches: list[list[Image]] = []
    threads: set[threading.Thread] = set()

    def arrived(batch: list[Image]) -> None:
        batches.append(batch)
        threads.add(threading.current_thread())

    images = await gateway.images.list(ImageCategory.MINE, REGION, on_batch=arrived)
    assert [len(batch) for batch in batches] == [100, 100, 50], "every batch landed before the list returned"
    assert threads == {loop_thread}, "called on the event loop, not in the worker thread"
    assert {i.id for batch in batches for i in batch} == catalog["own"]
    assert {id(i) for batch in batches for i in batch} <= {id(i) for i in images}

    again = await gateway.images.list(ImageCategory.MINE, REGION, on_batch=arrived)
    assert again is images and len(batches) == 3, "a cached answer comes whole"
    assert await gateway.images.list(ImageCategory.QUICKSTART, REGION, on_batch=arrived) == ()
    assert len(batches) == 3, "Quick Start is not listed from describe_images: no batches"
    assert gateway.core.calls["images"] == 2
