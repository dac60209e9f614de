"""The real app pointed with --endpoint-url at a moto server on 127.0.0.1 (no in-process mock)."""

from __future__ import annotations

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from ec2tui.app import Ec2App
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway import Gateway
from tests.ui_helpers import settle, static_text, table_rows


@pytest.fixture
def moto_server(monkeypatch):
    """A real moto server on 127.0.0.1 (it shares this process's moto backends, hence the reset afterwards)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    yield endpoint
    monkeypatch.delenv("MOTO_EC2_LOAD_DEFAULT_AMIS")  # before the reset rebuilds the backends
    requests.post(f"{endpoint}/moto-api/reset", timeout=5)
    server.stop()


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
