"""A large DescribeImages answer is turned into models image by image as its XML is read (the whole tree, every raw
dictionary and the models are never all held at once), with the same result as botocore's own parse; the collector
stays on while the answer is awaited and paused from its parse until the models are built."""

from __future__ import annotations

import gc

import boto3
import pytest
from botocore.parsers import ResponseParserError

from ec2tui.aws import images as images_service
from ec2tui.aws import xml_parsing
from ec2tui.aws.clients import new_session
from ec2tui.aws.xml_parsing import SlicedEC2QueryParser, members_converted, pause_held_after_parse


@pytest.fixture
def small_large(monkeypatch):
    """Answers from 4 KB up count as large (moto's stock images then make one)."""
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)


def test_members_are_converted_as_read_and_the_answer_is_otherwise_botocore_s(aws, small_large):
    expected = boto3.client("ec2", region_name="us-east-1").describe_images(Owners=["amazon"])
    client = new_session(region_name="us-east-1").client("ec2")
    seen: list[str] = []

    def convert(raw):
        seen.append(raw["ImageId"])
        return ("converted", raw)

    with members_converted(convert):
        answer = client.describe_images(Owners=["amazon"])
    assert len(expected["Images"]) > 100
    assert answer["Images"] == [("converted", raw) for raw in expected["Images"]], "every image once, in order"
    assert seen == [raw["ImageId"] for raw in expected["Images"]]
    assert set(answer) == set(expected) and answer.get("NextToken") == expected.get("NextToken")
    assert client.describe_images(Owners=["amazon"])["Images"] == expected["Images"], "outside the block: dicts"


def test_small_answers_keep_their_dictionaries(aws):
    client = new_session(region_name="us-east-1").client("ec2")
    expected = boto3.client("ec2", region_name="us-east-1").describe_images(Owners=["amazon"])["Images"][:2]
    ids = [raw["ImageId"] for raw in expected]
    with members_converted(lambda raw: pytest.fail("a small answer is parsed as botocore does")):
        assert client.describe_images(ImageIds=ids)["Images"] == expected


def test_bad_xml_is_botocore_s_own_error_with_a_converter_too(small_large):
    shape = boto3.client("ec2", region_name="us-east-1").meta.service_model.operation_model("DescribeImages")
    body = b"<DescribeImagesResponse><imagesSet>" + b"<item><imageId>ami-1</imageId></item>" * 200 + b"<broken"
    with members_converted(lambda raw: raw), pytest.raises(ResponseParserError, match="invalid XML"):
        SlicedEC2QueryParser().parse({"body": body, "headers": {}, "status_code": 200}, shape.output_shape)


def test_the_collector_is_on_while_waiting_and_paused_from_a_large_parse_to_the_end_of_the_block(aws, small_large):
    client = new_session(region_name="us-east-1").client("ec2")
    on_while_sending: list[bool] = []
    client.meta.events.register("before-send.ec2.*", lambda **_: on_while_sending.append(gc.isenabled()))
    assert gc.isenabled()
    with pause_held_after_parse():
        client.describe_images(Owners=["amazon"])
        assert not gc.isenabled(), "held paused after the large parse: the models are built meanwhile"
        client.describe_images(Owners=["amazon"])  # a second large page: its pause is not held twice
        assert not gc.isenabled()
    assert gc.isenabled(), "the block's end resumes it"
    assert on_while_sending == [True, False], "the first wait ran with the collector on"


def test_a_large_listing_gives_the_models_a_plain_parse_gives(aws, monkeypatch):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    for index in range(40):
        ec2.create_image(InstanceId=instance, Name=f"build-{index:03d}", Description=f"Nightly {index}")
    client = new_session(region_name="us-east-1").client("ec2")
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 1 << 30)
    plain = images_service.list_mine(client)
    converted: list[str] = []
    real = images_service.parse_image

    def counting(raw, region, **kwargs):
        converted.append(raw["ImageId"])
        return real(raw, region, **kwargs)

    streams: list[object] = []
    builder = xml_parsing._MemberBuilder

    def streaming(*args, **kwargs):
        streams.append(args)
        return builder(*args, **kwargs)

    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)
    monkeypatch.setattr(images_service, "parse_image", counting)
    monkeypatch.setattr(xml_parsing, "_MemberBuilder", streaming)
    streamed = images_service.list_mine(client)
    assert len(plain) == 40 and streamed == plain
    assert streams, "the own images' answer was read as a stream"
    assert sorted(converted) == sorted(image.id for image in plain), "each image converted once"
    assert gc.isenabled()


def test_counts_and_instance_pages_read_as_a_stream_give_the_same_answers(aws, small_large, monkeypatch):
    from datetime import UTC

    from ec2tui.aws import instances as instances_service
    from ec2tui.aws import regions as regions_service
    from ec2tui.gateway.regions import count_instances_streamed

    ec2 = boto3.client("ec2", region_name="us-east-1")
    made = ec2.run_instances(ImageId="ami-12c6146b", MinCount=30, MaxCount=30)["Instances"]
    ec2.stop_instances(InstanceIds=[made[0]["InstanceId"], made[1]["InstanceId"]])
    client = new_session(region_name="us-east-1").client("ec2")
    streams: list[object] = []
    builder = xml_parsing._MemberBuilder
    monkeypatch.setattr(xml_parsing, "_MemberBuilder", lambda *a, **k: streams.append(a) or builder(*a, **k))
    counts = count_instances_streamed(client)
    assert streams, "the page was read as a stream"
    assert counts == regions_service.count_instances(boto3.client("ec2", region_name="us-east-1"))
    assert (counts.total, counts.running) == (30, 28)
    streams.clear()
    plain = instances_service.list_instances(boto3.client("ec2", region_name="us-east-1"), "us-east-1")
    with members_converted(lambda reservation: reservation):
        streamed = instances_service.list_instances(client, "us-east-1")
    assert streams and streamed == plain and len(plain) == 30
    assert all(i.launch_time is None or i.launch_time.tzinfo is UTC for i in streamed), "one shared UTC tzinfo"
