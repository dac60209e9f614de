"""Freed memory goes back to the OS after a big answer (glibc's malloc_trim), off the event loop."""

from __future__ import annotations

import os
import sys
import threading

import boto3
import pytest

from ec2tui.aws import heap
from ec2tui.aws.models.images import ImageCategory


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(heap._malloc_trim() is None, reason="glibc only")
def test_freed_pages_go_back_to_the_os():
    blocks = [bytes(4000) + bytes([n % 256]) for n in range(12_000)]  # ~48 MB in malloc's heap, not Python's
    kept = blocks[::100]  # one block in a hundred stays: no free stretch reaches the top of the heap
    del blocks
    before = rss_mb()
    assert heap.release_freed_memory()
    assert before - rss_mb() > 20, "the free pages between the kept blocks were handed back"
    del kept


def test_elsewhere_it_does_nothing(monkeypatch):
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert heap._malloc_trim() is None and heap.release_freed_memory() is False
    finally:
        heap._malloc_trim.cache_clear()


@pytest.fixture
def trims(monkeypatch) -> list[str]:
    """The threads that released memory, by name."""
    threads: list[str] = []
    monkeypatch.setattr(heap, "release_freed_memory", lambda: threads.append(threading.current_thread().name))
    monkeypatch.setattr(heap, "BIG_ANSWER", 3)
    return threads


async def test_a_big_instance_list_releases_memory_in_its_worker_thread(gateway, trims):
    boto3.client("ec2", region_name="us-east-1").run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)
    await gateway.instances.list("us-east-1")
    assert trims == [], "a small answer frees too little to be worth it"
    boto3.client("ec2", region_name="eu-west-1").run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3)
    await gateway.instances.list("eu-west-1")
    assert len(trims) == 1 and trims[0] != threading.main_thread().name, "once, off the event loop"


async def test_a_big_image_list_releases_memory_in_its_worker_thread(gateway, ec2, trims):
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    for n in range(3):
        ec2.create_image(InstanceId=instance, Name=f"build-{n}")
    assert len(await gateway.images.list(ImageCategory.MINE, "us-east-1")) == 3
    assert len(trims) == 1 and trims[0] != threading.main_thread().name
