"""EC2 answers are parsed in slices (so a huge one cannot hold the GIL for a second) with the same result."""

from __future__ import annotations

import gc
import threading

import boto3
import pytest
from botocore.parsers import ResponseParserError

from ec2tui.aws import xml_parsing
from ec2tui.aws.clients import new_session
from ec2tui.aws.xml_parsing import SlicedEC2QueryParser, gc_paused


@pytest.fixture
def feeds(monkeypatch) -> list[int]:
    """Sizes of every slice fed to expat, with slices small enough that a moto answer needs many."""
    sizes: list[int] = []

    class CountingParser(xml_parsing.ETree.XMLParser):
        def feed(self, data):
            sizes.append(len(data))
            return super().feed(data)

    monkeypatch.setattr(xml_parsing, "SLICE_BYTES", 512)
    monkeypatch.setattr(xml_parsing.ETree, "XMLParser", CountingParser)
    return sizes


def test_sliced_parse_gives_botocore_s_answer(aws, feeds):
    plain = boto3.client("ec2", region_name="us-east-1")
    sliced = new_session(region_name="us-east-1").client("ec2")
    expected = plain.describe_images(Owners=["amazon"])["Images"]
    assert len(expected) > 100, "moto's stock images make an answer of many slices"
    feeds.clear()
    assert sliced.describe_images(Owners=["amazon"])["Images"] == expected
    assert len(feeds) > 100 and max(feeds) <= 512


def test_small_answers_are_parsed_in_one_go(aws, feeds):
    client = new_session(region_name="us-east-1").client("ec2")
    assert client.describe_regions(RegionNames=["us-east-1"])["Regions"][0]["RegionName"] == "us-east-1"
    assert len(feeds) <= 1


def test_bad_xml_is_botocore_s_own_error(feeds):
    shape = boto3.client("ec2", region_name="us-east-1").meta.service_model.operation_model("DescribeImages")
    body = b"<DescribeImagesResponse><imagesSet>" + b"<item><imageId>ami-1</imageId></item>" * 100 + b"<broken"
    with pytest.raises(ResponseParserError, match="invalid XML"):
        SlicedEC2QueryParser().parse({"body": body, "headers": {}, "status_code": 200}, shape.output_shape)
    assert len(feeds) > 1, "the bad body was fed in slices before the error"


def test_other_protocols_keep_botocore_s_parsers(aws):
    sts = new_session(region_name="us-east-1").client("sts")
    assert sts.get_caller_identity()["Account"]


def test_large_answers_are_parsed_with_the_cyclic_collector_paused(aws, monkeypatch):
    seen: list[bool] = []
    real = SlicedEC2QueryParser._parse_xml_string_to_dom

    def spy(self, xml_string):
        seen.append(gc.isenabled())
        return real(self, xml_string)

    monkeypatch.setattr(SlicedEC2QueryParser, "_parse_xml_string_to_dom", spy)
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)
    client = new_session(region_name="us-east-1").client("ec2")
    client.describe_regions(RegionNames=["us-east-1"])  # small
    client.describe_images(Owners=["amazon"])  # large
    assert seen == [True, False] and gc.isenabled()


def test_gc_pauses_nest_across_threads():
    assert gc.isenabled()
    inside = threading.Event()
    leave = threading.Event()

    def worker():
        with gc_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=worker)
    with gc_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled(), "the worker still holds its pause"
    leave.set()
    thread.join(5)
    assert gc.isenabled()
