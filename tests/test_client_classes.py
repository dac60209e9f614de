"""Our sessions build a service's client class once: clients for more regions are cheap, and stay independent."""

from __future__ import annotations

import boto3
import botocore.client
import pytest

from ec2tui.aws.clients import AwsTarget, ClientFactory, new_session


def test_the_wrapped_botocore_methods_still_exist():
    new_session()
    for name in ("_create_client_class", "_load_service_model"):
        wrapped = getattr(botocore.client.ClientCreator, name)
        assert getattr(wrapped, "ec2tui_reuses", False), f"botocore renamed ClientCreator.{name}"


def test_clients_of_our_session_share_a_class_but_not_their_region_or_hooks(aws):
    factory = ClientFactory(AwsTarget(region="us-east-1"), new_session(region_name="us-east-1"))
    east, west = factory.ec2("us-east-1"), factory.ec2("eu-west-1")
    assert type(east) is type(west)
    assert east.meta.service_model is west.meta.service_model  # made once: not each operation's model per client
    assert (east.meta.region_name, west.meta.region_name) == ("us-east-1", "eu-west-1")
    assert east.meta.events is not west.meta.events

    seen: list[str] = []
    east.meta.events.register("before-call.ec2.DescribeRegions", lambda **_: seen.append("east"))
    assert west.describe_availability_zones()["AvailabilityZones"][0]["RegionName"] == "eu-west-1"
    assert east.describe_regions()["Regions"]
    west.describe_regions()
    assert seen == ["east"], "a hook on one region's client reached another's"
    assert type(factory.client("sts", "us-east-1")) is not type(east)


def test_other_sessions_build_their_classes_as_botocore_does(aws):
    new_session()  # the wrapper is in place
    session = boto3.Session(region_name="us-east-1")
    first, second = session.client("ec2", region_name="us-east-1"), session.client("ec2", region_name="us-west-2")
    assert type(first) is not type(second)
    assert first.meta.service_model is not second.meta.service_model


def test_read_only_still_refuses_on_every_region(aws):
    from ec2tui.errors import ReadOnlyError

    factory = ClientFactory(AwsTarget(region="us-east-1"), new_session(region_name="us-east-1"), read_only=True)
    for region in ("us-east-1", "ap-southeast-2"):
        with pytest.raises(ReadOnlyError):
            factory.ec2(region).create_key_pair(KeyName="k")


def test_a_session_and_its_cached_classes_go_when_it_is_dropped(aws):
    """The class cache used to live in a module-level WeakKeyDictionary whose values referred back to its keys: every
    session ever made (each profile switch, each credentials refresh) stayed alive with its service models."""
    import gc
    import weakref

    factory = ClientFactory(AwsTarget(region="us-east-1"), new_session(region_name="us-east-1"))
    client = factory.ec2("us-east-1")
    client_class = weakref.ref(type(client))
    emitter = weakref.ref(client.meta.events)
    del client, factory
    gc.collect()
    assert client_class() is None and emitter() is None


def test_sessions_share_one_data_loader_per_data_path(monkeypatch, tmp_path):
    """Each session made its own botocore Loader, listing botocore's ~400 service folders and parsing the same
    models again (~0.3 s a session: every profile, gateway and credentials reset)."""
    first, second = new_session(), new_session()
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    assert len(loader.search_paths) == len(set(loader.search_paths)), "boto3 data folder once"
    assert first.client("ec2", region_name="us-east-1").meta.service_model.service_name == "ec2"

    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    own = new_session()._session.get_component("data_loader")
    assert own is not loader and str(tmp_path) in own.search_paths
