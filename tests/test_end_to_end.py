"""The real app pointed with --endpoint-url at a moto server on 127.0.0.1 (no in-process mock)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
import requests
from moto import mock_aws
from moto.ec2.models.amis import AmiBackend
from moto.server import ThreadedMotoServer
from moto.settings import ec2_load_default_amis

from ec2tui.app import Ec2App
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway import Gateway
from tests.ui_helpers import settle, static_text, table_rows


@contextmanager
def running_moto_server(monkeypatch) -> Iterator[str]:
    """A real moto server on 127.0.0.1, without moto's default images; its state is cleared afterwards.

    It shares this process's moto backends, hence the reset. moto 5's reset re-creates every region backend the
    test touched and then drops them all (the next use builds new ones): with default images on, re-creating the
    38 regions a fan-out touched loads ~1,300 images in each big region, seconds of work (more than 5 s under
    load). So the reset runs while default images are still off, and costs milliseconds; the backends it makes
    are dropped, so later tests still get moto's images.
    """
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        requests.post(f"{endpoint}/moto-api/reset", timeout=30)  # a ceiling, not an expectation
        server.stop()
        monkeypatch.delenv("MOTO_EC2_LOAD_DEFAULT_AMIS")


@pytest.fixture
def moto_server(monkeypatch) -> Iterator[str]:
    with running_moto_server(monkeypatch) as endpoint:
        yield endpoint


def test_the_servers_reset_loads_no_images_and_leaves_moto_s_images_for_later(monkeypatch):
    loads: list[str] = []
    load_amis = AmiBackend._load_amis

    def counting(backend: AmiBackend) -> None:
        if ec2_load_default_amis():
            loads.append(backend.region_name)
        load_amis(backend)

    monkeypatch.setattr(AmiBackend, "_load_amis", counting)
    with running_moto_server(monkeypatch) as endpoint:
        for region in ("us-east-1", "eu-west-1", "us-west-2"):
            boto3.client("ec2", region_name=region, endpoint_url=endpoint).describe_instances()
    assert loads == [], "the reset rebuilt backends with moto's default images"
    with mock_aws():
        assert len(boto3.client("ec2", region_name="us-east-1").describe_images()["Images"]) > 1000


async def test_endpoint_url_lists_that_servers_regions_and_counts(moto_server):
    ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=moto_server)
    ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, InstanceType="t3.micro")
    gateway = Gateway(ClientFactory(AwsTarget(region="eu-west-1", endpoint_url=moto_server)))
    app = Ec2App(gateway)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=5)
        rows = {r[1]: r for r in table_rows(app)}
        assert len(rows) == 38
        assert rows["eu-west-1"][0] == "●" and rows["eu-west-1"][4].strip() == "2"
        assert rows["us-east-1"][4].strip() == "0"
        header = static_text(app, "AppHeader")
        assert f"endpoint {moto_server}" in header and "account 123456789012" in header
