"""Two moto accounts behind real AWS config files: ``prod`` (static keys, account 123456789012) and ``staging`` (a
role in account 210987654321 assumed from prod: moto's STS switches accounts), plus an SSO and a broken profile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.gateway import Gateway
from ec2tui.gateway.accounts import Accounts

PROD_ACCOUNT = "123456789012"
STAGING_ACCOUNT = "210987654321"

CONFIG = """\
[profile prod]
region = us-east-1

[profile staging]
role_arn = arn:aws:iam::210987654321:role/admin
source_profile = prod
region = us-east-1

[profile sso-dev]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[profile broken]
role_arn = arn:aws:iam::111122223333:role/nobody
"""

CREDENTIALS = """\
[prod]
aws_access_key_id = AKIAPRODEXAMPLE00001
aws_secret_access_key = prod-secret-never-shown
"""


@dataclass
class TwoAccounts:
    accounts: Accounts
    prod_ids: list[str]
    staging_ids: list[str]
    home: Path

    def ec2(self, profile: str, region: str = "us-east-1"):  # type: ignore[no-untyped-def]
        return boto3.Session(profile_name=profile).client("ec2", region_name=region)


IMAGE = "ami-0a1b2c3d4e5f60718"
"""What the accounts' instances run: moto launches from an image it doesn't hold, and without its ~1,300 default
images in every region the accounts touch (the fixtures use ``no_default_amis``: each profile switch counts instances in
all 24) the tests take a fraction of the time."""


def launch(ec2, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for name in names:
        reservation = ec2.run_instances(
            ImageId=IMAGE,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
        )
        ids.append(reservation["Instances"][0]["InstanceId"])
    return ids


def write_config(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aws_dir = home / ".aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    (aws_dir / "config").write_text(CONFIG)
    (aws_dir / "credentials").write_text(CREDENTIALS)
    monkeypatch.setenv("HOME", str(home))  # the SSO token cache is read from ~/.aws/sso/cache
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_dir / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws_dir / "credentials"))


def make_gateway(profile: str) -> Gateway:
    return Gateway(ClientFactory(AwsTarget(profile=profile, region="us-east-1")))
