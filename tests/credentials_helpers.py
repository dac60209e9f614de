"""A fake ``aws`` that logs an SSO profile in (it writes a fresh token where botocore reads it: ``$HOME/.aws/sso/
cache``, HOME being the test's temporary folder), an SSO token cache to fill or expire, the command runner the tests
inject (the real foreground run, without the suspend Textual's Pilot can't do), and the accounts of the SSO tests:
``sso-dev``'s calls go to moto with static keys (moto has no SSO portal), its login state is the real token cache's.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.connect_commands import Command
from ec2tui.gateway import Gateway
from ec2tui.gateway.accounts import Accounts
from ec2tui.terminal_session import RunResult, run_in_foreground
from tests.profile_helpers import launch, make_gateway, write_config

START_URL = "https://example.awsapps.com/start"
"""sso-dev's start URL (tests/profile_helpers.py's CONFIG)."""

FAKE_AWS = """\
#!{python}
import datetime, hashlib, json, os, pathlib, sys

with open(os.environ["FAKE_AWS_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if os.environ.get("FAKE_AWS_FAIL"):
    sys.exit(255)
cache = pathlib.Path.home() / ".aws" / "sso" / "cache"
cache.mkdir(parents=True, exist_ok=True)
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
token = {{"startUrl": "{start_url}", "region": "us-east-1", "accessToken": "fake-access-token",
         "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}
(cache / (hashlib.sha1("{start_url}".encode()).hexdigest() + ".json")).write_text(json.dumps(token))
"""


def token_file(home: Path) -> Path:
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(START_URL.encode()).hexdigest() + ".json")


def write_token(home: Path, *, expired: bool) -> None:
    """A token as ``aws sso login`` leaves it, valid for hours or expired an hour ago."""
    expires = datetime.now(UTC) + timedelta(hours=-1 if expired else 8)
    path = token_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = {
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": "x",
        "expiresAt": f"{expires:%Y-%m-%dT%H:%M:%SZ}",
    }
    path.write_text(json.dumps(token))


def install_fake_aws(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the fake ``aws`` (alone) on PATH; returns the log of its command lines."""
    bin_dir = home / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "aws"
    script.write_text(FAKE_AWS.format(python=sys.executable, start_url=START_URL))
    script.chmod(0o755)
    log = home / "aws.log"
    log.write_text("")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_AWS_LOG", str(log))
    return log


@dataclass
class ForegroundRunner:
    """The real run (``run_in_foreground``: the fake aws really runs) minus ``App.suspend()``."""

    ran: list[str] = field(default_factory=list)

    def run(self, app: Any, command: Command) -> RunResult:
        self.ran.append(command.display)
        return run_in_foreground(command)


def sso_gateway(profile: str) -> Gateway:
    """sso-dev (and sso-role, assumed from it) reaching moto with static keys: the SSO portal is not mocked."""
    if profile not in ("sso-dev", "sso-role"):
        return make_gateway(profile)
    session = boto3.Session(
        aws_access_key_id="AKIASSODEVEXAMPLE001", aws_secret_access_key="x", region_name="us-east-1"
    )
    return Gateway(ClientFactory(AwsTarget(profile=profile, region="us-east-1"), session))


@dataclass
class SsoSetup:
    home: Path
    aws_log: Path
    instance_ids: list[str]

    def accounts(self, first: str = "prod") -> Accounts:
        return Accounts(sso_gateway(first), sso_gateway)

    def aws_ran(self) -> list[str]:
        return [line for line in self.aws_log.read_text().splitlines() if line]


SSO_ROLE = """
[profile sso-role]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = sso-dev
"""


def sso_setup(home: Path, monkeypatch: pytest.MonkeyPatch) -> SsoSetup:
    """For a fixture that depends on ``no_default_amis``: every profile switch counts instances in all 24 regions."""
    write_config(home, monkeypatch)
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + SSO_ROLE)
    log = install_fake_aws(home, monkeypatch)
    ids = launch(boto3.Session(profile_name="prod").client("ec2", region_name="us-east-1"), ["web-1", "web-2"])
    return SsoSetup(home, log, ids)
