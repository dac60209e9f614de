"""The instance-type catalogue and offerings outlive the process: a day on disk, per (endpoint, region)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest

from ec2tui.aws import instance_types as types_svc
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.models.instance_types import InstanceStorage, InstanceTypeInfo
from ec2tui.gateway import Gateway
from ec2tui.gateway.disk_cache import DAY, REGIONS, DiskCache

TYPES = [
    InstanceTypeInfo("t3.micro", 2, 1024, ("x86_64",), True, "Up to 5 Gigabit", True, None, ("ebs",), burstable=True),
    InstanceTypeInfo(
        "m5d.large", 2, 8192, ("x86_64",), True, "Up to 10 Gigabit", False, InstanceStorage(1, 75, "ssd", 75), ("ebs",)
    ),
]


@pytest.fixture
def logged(caplog):
    """The ``ec2tui`` logger's records, even after another test configured it not to propagate (--log-file) or
    disabled it (import-linter's dictConfig)."""
    logger = logging.getLogger("ec2tui")
    was_disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.WARNING, logger="ec2tui")
    attached = not logger.propagate  # else caplog's root handler sees the records already
    if attached:
        logger.addHandler(caplog.handler)
    yield caplog
    if attached:
        logger.removeHandler(caplog.handler)
    logger.disabled = was_disabled


class Clock:
    """The disk cache's clock, moved by the test (never the wall clock)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def service(monkeypatch):
    """describe_instance_types / offerings replaced by counters (moto's real catalogue takes seconds)."""
    calls = {"types": 0, "offerings": 0}
    answers = {"types": TYPES, "offerings": frozenset({"t3.micro"})}

    def list_instance_types(ec2):
        calls["types"] += 1
        return list(answers["types"])

    def offered_types(ec2, location_type="region", location=None):
        calls["offerings"] += 1
        return answers["offerings"]

    monkeypatch.setattr(types_svc, "list_instance_types", list_instance_types)
    monkeypatch.setattr(types_svc, "offered_types", offered_types)
    return calls, answers


def run_gateway(disk: DiskCache) -> Gateway:
    return Gateway(ClientFactory(AwsTarget(region="us-east-1")), disk=disk)


async def _until(condition, what: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_second_run_reads_the_disk_not_aws(aws, tmp_path, service):
    calls, _ = service
    first = run_gateway(DiskCache(tmp_path, "aws"))
    assert await first.launch.instance_types(region="us-east-1") == TYPES
    assert await first.launch.offerings(region="us-east-1") == frozenset({"t3.micro"})
    first.close()
    assert calls == {"types": 1, "offerings": 1}

    second = run_gateway(DiskCache(tmp_path, "aws"))  # a new process, as far as memory goes
    types = await second.launch.instance_types(region="us-east-1")
    assert types == TYPES and types[1].storage == InstanceStorage(1, 75, "ssd", 75)
    assert await second.launch.offerings(region="us-east-1") == frozenset({"t3.micro"})
    assert calls == {"types": 1, "offerings": 1}, "the second run asked AWS again"
    assert second.core.calls["instance-types"] == 0
    await second.launch.instance_types(refresh=True, region="us-east-1")  # ctrl+r asks AWS, whatever the disk holds
    second.close()
    assert calls["types"] == 2 and second.core.calls["instance-types"] == 1


async def test_an_expired_entry_is_used_and_refreshed_in_the_background(aws, tmp_path, service):
    calls, answers = service
    clock = Clock()
    first = run_gateway(DiskCache(tmp_path, "aws", clock=clock))
    await first.launch.instance_types(region="us-east-1")
    first.close()

    clock.now += DAY - 1
    fresh = run_gateway(DiskCache(tmp_path, "aws", clock=clock))
    await fresh.launch.instance_types(region="us-east-1")
    fresh.close()
    assert calls["types"] == 1, "a day old is not expired yet"

    clock.now += 2
    answers["types"] = TYPES[:1]  # what AWS answers now
    later = run_gateway(DiskCache(tmp_path, "aws", clock=clock))
    assert await later.launch.instance_types(region="us-east-1") == TYPES, "the stored catalogue is used at once"
    await _until(lambda: calls["types"] == 2 and not later.core._background, "the background refresh")
    assert await later.launch.instance_types(region="us-east-1") == TYPES[:1], (
        "the refreshed answer replaces it in memory"
    )
    later.close()

    again = run_gateway(DiskCache(tmp_path, "aws", clock=clock))
    assert await again.launch.instance_types(region="us-east-1") == TYPES[:1], "and on disk"
    again.close()
    assert calls["types"] == 2


async def test_a_corrupt_file_is_ignored_with_a_log_line(aws, tmp_path, service, logged):
    calls, _ = service
    first = run_gateway(DiskCache(tmp_path, "aws"))
    await first.launch.instance_types(region="us-east-1")
    first.close()
    (stored,) = tmp_path.glob("instance-types-*.json")
    stored.write_text(stored.read_text()[:100])  # truncated mid-write by a crash, say

    second = run_gateway(DiskCache(tmp_path, "aws"))
    assert await second.launch.instance_types(region="us-east-1") == TYPES
    second.close()
    assert calls["types"] == 2
    assert any("ignoring corrupt" in r.getMessage() and stored.name in r.getMessage() for r in logged.records)
    assert json.loads(stored.read_text())["format"] == 1, "the good answer was written back"


async def test_each_endpoint_and_region_has_its_own_entries(aws, tmp_path, service):
    calls, _ = service
    aws_gw = run_gateway(DiskCache(tmp_path, "aws"))
    await aws_gw.launch.instance_types(region="us-east-1")
    await aws_gw.launch.instance_types("eu-west-1")
    aws_gw.close()
    assert calls["types"] == 2, "each region is asked once"

    local = run_gateway(DiskCache(tmp_path, "http://localhost:4566"))
    await local.launch.instance_types(region="us-east-1")
    local.close()
    assert calls["types"] == 3, "another endpoint's catalogue is not AWS's"

    aws_again = run_gateway(DiskCache(tmp_path, "aws"))
    await aws_again.launch.instance_types("eu-west-1")
    aws_again.close()
    assert calls["types"] == 3


async def test_an_unwritable_cache_folder_does_not_break_the_app(aws, tmp_path, service, logged):
    calls, _ = service
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    gw = run_gateway(DiskCache(blocker / "lookups", "aws"))
    assert await gw.launch.instance_types(region="us-east-1") == TYPES
    assert await gw.launch.offerings(region="us-east-1") == frozenset({"t3.micro"})
    assert await gw.launch.instance_types(region="us-east-1") == TYPES  # from memory, as without a disk cache
    gw.close()
    assert calls == {"types": 1, "offerings": 1}
    assert sum("disk cache: off" in r.getMessage() for r in logged.records) == 1, "said once, not per lookup"


async def test_a_world_writable_cache_folder_is_refused(aws, tmp_path, service, logged):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    gw = run_gateway(DiskCache(shared, "aws"))
    assert await gw.launch.instance_types(region="us-east-1") == TYPES
    gw.close()
    assert not list(shared.iterdir()), "nothing written where anybody could swap it"
    assert any("writable by every user" in r.getMessage() for r in logged.records)


def test_entries_are_keyed_and_aged_by_the_injected_clock(tmp_path):
    clock = Clock()
    disk = DiskCache(tmp_path, "aws", clock=clock)
    from ec2tui.gateway.disk_cache import NAMES

    assert disk.store("us-east-1", "offerings", None, NAMES, frozenset({"a"}))
    entry = disk.load("us-east-1", "offerings", None, NAMES)
    assert entry is not None and entry.value == frozenset({"a"}) and not entry.expired and entry.age == 0
    assert disk.load("us-east-1", "offerings", ("zone", "a"), NAMES) is None, "another key"
    assert DiskCache(tmp_path, "aws", ttl=0, clock=clock).load("us-east-1", "offerings", None, NAMES).expired


async def test_the_stored_region_list_comes_at_once_and_aws_s_own_follows_when_it_differs(aws, tmp_path, monkeypatch):
    """The regions screen's first list: what an earlier run of the profile stored, before AWS answers (the demo's
    server still importing, a slow link); AWS's list is asked every time and handed over only when it differs."""
    from ec2tui.aws import regions as regions_svc
    from ec2tui.aws.models.regions import Region

    def regions(opted: str) -> list[Region]:
        return [
            Region("us-east-1", "ec2.us-east-1.amazonaws.com", "opt-in-not-required"),
            Region("af-south-1", "e", opted),
        ]

    answer = {"now": regions("not-opted-in")}
    asked = threading.Event()
    release = threading.Event()

    def list_regions(ec2):
        asked.set()
        assert release.wait(30), "the test never let AWS answer"
        return list(answer["now"])

    monkeypatch.setattr(regions_svc, "list_regions", list_regions)
    fresh: list[list[Region]] = []

    release.set()
    first = run_gateway(DiskCache(tmp_path, "aws"))
    assert await first.regions.list(on_fresh=fresh.append) == regions("not-opted-in"), "nothing stored: AWS's"
    first.close()

    release.clear()
    answer["now"] = regions("opted-in")  # opted in since
    second = run_gateway(DiskCache(tmp_path, "aws"))
    assert await second.regions.list(on_fresh=fresh.append) == regions("not-opted-in"), "stored, before AWS answers"
    assert fresh == [] and await asyncio.to_thread(asked.wait, 30), "AWS is asked meanwhile"
    release.set()
    await _until(lambda: fresh, "AWS's own list")
    assert fresh == [regions("opted-in")]
    assert await second.regions.list() == regions("opted-in"), "and it replaces the stored one in memory"
    second.close()

    third = run_gateway(DiskCache(tmp_path, "aws"))
    assert await third.regions.list(on_fresh=fresh.append) == regions("opted-in"), "and on disk"
    await _until(lambda: not third.core._background, "the background check")
    third.close()
    assert len(fresh) == 1, "the same list again: nothing handed over"
    other_profile = Gateway(
        ClientFactory(AwsTarget(profile="other", region="us-east-1")), disk=DiskCache(tmp_path, "aws")
    )
    assert other_profile.core.disk.load("global", "regions", "other", REGIONS) is None, "each profile its own"
    other_profile.close()
