"""The ``two_accounts`` fixture (see :mod:`tests.profile_helpers`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from ec2tui.gateway.accounts import Accounts
from tests.profile_helpers import TwoAccounts, launch, make_gateway, write_config


@pytest.fixture
def two_accounts(no_default_amis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoAccounts]:  # type: ignore[no-untyped-def]
    write_config(tmp_path, monkeypatch)
    prod = launch(boto3.Session(profile_name="prod").client("ec2", region_name="us-east-1"), ["prod-web", "prod-db"])
    staging = launch(boto3.Session(profile_name="staging").client("ec2", region_name="us-east-1"), ["staging-web"])
    accounts = Accounts(make_gateway("prod"), make_gateway)
    yield TwoAccounts(accounts, prod, staging, tmp_path)
    accounts.close()
