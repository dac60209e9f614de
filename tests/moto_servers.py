"""moto servers in child processes, for tests that drive something outside this process (the real AWS CLI) and
compare with the app's own calls on a second, identically seeded server.

Each server is its own process: moto's backends are module globals, so two ThreadedMotoServers in one process would
share their state (and the in-process ``mock_aws`` of other tests). The child runs a ThreadedMotoServer on
127.0.0.1, port 0, prints the port and lives until its stdin closes (so it never outlives the test run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

_CHILD = r"""
import logging, sys
logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
TEST_IMAGE = {
    "ami_id": "ami-0ec2791e5700000a1",
    "name": "ec2tui-test-linux",
    "description": "The one image of the test servers",
    "owner_id": "137112412989",
    "public": True,
    "virtualization_type": "hvm",
    "architecture": "x86_64",
    "state": "available",
    "platform": None,
    "image_type": "machine",
    "hypervisor": "xen",
    "root_device_name": "/dev/xvda",
    "root_device_type": "ebs",
    "sriov": "simple",
}
"""Loaded instead of moto's ~1,300 images (MOTO_AMIS_PATH): a server's first request then takes far less time."""


@dataclass
class MotoServer:
    process: subprocess.Popen[str]
    url: str
    region: str = "us-east-1"
    _clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, region: str = "us-east-1") -> MotoServer:
        return cls.start_many(1, region)[0]

    @classmethod
    def start_many(cls, count: int, region: str = "us-east-1", images: Path | None = None) -> list[MotoServer]:
        """``count`` servers started side by side (each import of moto takes a while). ``images``: a JSON file of
        moto AMIs (see :data:`TEST_IMAGE`, :func:`write_images`); default: moto's own."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))} | FAKE_CREDENTIALS
        if images is not None:
            env["MOTO_AMIS_PATH"] = str(images)
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            )
            for _ in range(count)
        ]
        ports = [p.stdout.readline().strip() if p.stdout else "" for p in processes]
        if not all(port.isdigit() for port in ports):
            for process in processes:
                process.kill()
            raise RuntimeError("a moto server did not start")
        return [cls(p, f"http://127.0.0.1:{port}", region) for p, port in zip(processes, ports, strict=True)]

    def client(self, service: str = "ec2") -> Any:
        """A plain boto3 client of this server (for seeding and for reading what was created)."""
        if service not in self._clients:
            session = boto3.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=self.region
            )
            config = Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=60)
            self._clients[service] = session.client(service, endpoint_url=self.url, config=config)
        return self._clients[service]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def write_images(path: Path, images: list[dict[str, Any]] | None = None) -> Path:
    """A MOTO_AMIS_PATH file holding ``images`` (default: :data:`TEST_IMAGE` alone)."""
    path.write_text(json.dumps(images or [TEST_IMAGE]))
    return path


def cli_env(server: MotoServer, home: Path) -> dict[str, str]:
    """The environment for the AWS CLI against ``server``: fake credentials, empty config files, HOME in tmp."""
    home.mkdir(parents=True, exist_ok=True)
    config, credentials = home / "aws-config", home / "aws-credentials"
    config.touch()
    credentials.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    return (
        env
        | FAKE_CREDENTIALS
        | {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_DEFAULT_REGION": server.region,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": str(home),
            "LC_ALL": "C.UTF-8",
        }
    )


def find_aws_cli(repo: Path) -> str | None:
    """The AWS CLI to test with: ``$EC2TUI_AWS_CLI``, else ``<repo>/.ci-awscli/bin/aws`` (built by ``.ci/run``)."""
    candidate = os.environ.get("EC2TUI_AWS_CLI") or str(repo / ".ci-awscli" / "bin" / "aws")
    return candidate if os.access(candidate, os.X_OK) else None
