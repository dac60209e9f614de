"""The clock the snapshots pin (ec2tui.clock): what the app shows as "now" follows it, and the demo seeds from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ec2tui import clock
from tests.test_instances_actions import make_instance

PINNED = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def pinned() -> Iterator[datetime]:
    clock.pin(PINNED)
    yield PINNED
    clock.pin(None)


def test_an_instance_age_is_counted_from_the_pinned_clock(pinned):
    instance = make_instance(launch_time=pinned - timedelta(days=3, hours=4, minutes=5))
    assert instance.age == "3d 4h"


def test_an_image_is_deprecated_by_the_pinned_clock(pinned):
    from ec2tui.aws.models.images import Image

    fields = {name: None for name in Image.__dataclass_fields__}
    past = Image(**{**fields, "deprecation_time": pinned - timedelta(minutes=1)})  # type: ignore[arg-type]
    future = Image(**{**fields, "deprecation_time": pinned + timedelta(minutes=1)})  # type: ignore[arg-type]
    assert past.deprecated and not future.deprecated


def test_unpinned_is_the_real_clock():
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        clock.pin(datetime(2026, 6, 1))
