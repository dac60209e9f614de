"""Profiles are read as the AWS CLI reads them (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), described by kind,
never by their secrets, and an SSO profile's login is checked from botocore's token cache before any call."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ec2tui.aws.profiles import ENV_PROFILE, ProfileInfo, list_profiles, sso_login_state

CONFIG = """
[default]
region = us-east-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile prod-admin]
role_arn = arn:aws:iam::333333333333:role/Admin
source_profile = static
mfa_serial = arn:aws:iam::444444444444:mfa/me
region = us-west-2

[profile orphan-role]
role_arn = arn:aws:iam::333333333333:role/Admin
source_profile = nowhere

[profile on-ec2]
role_arn = arn:aws:iam::333333333333:role/Admin
credential_source = Ec2InstanceMetadata

[profile tool]
credential_process = /usr/local/bin/get-creds
"""

CREDENTIALS = """
[static]
aws_access_key_id = AKIAEXAMPLESTATIC000
aws_secret_access_key = not-a-real-secret-but-secret-shaped

[half]
aws_access_key_id = AKIAEXAMPLEHALF00000
"""


@pytest.fixture
def aws_files(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(CONFIG)
    credentials.write_text(CREDENTIALS)
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


def by_name(environ: dict[str, str]) -> dict[str, ProfileInfo]:
    listed = list_profiles(environ)
    assert listed.error is None
    return {p.name: p for p in listed.profiles}


def test_every_profile_of_both_files_with_its_kind_and_region(aws_files):
    profiles = by_name(aws_files)
    kinds = {name: p.kind for name, p in profiles.items()}
    assert kinds == {
        "default": "unknown",
        "half": "static",
        "legacy-sso": "sso",
        "on-ec2": "assume-role",
        "orphan-role": "assume-role",
        "prod-admin": "assume-role",
        "sso-dev": "sso",
        "static": "static",
        "tool": "process",
    }
    assert list(profiles) == sorted(profiles)
    sso = profiles["sso-dev"]
    assert (sso.region, sso.sso_start_url, sso.sso_session) == (
        "eu-west-1",
        "https://corp.awsapps.com/start",
        "corp",
    )
    assert profiles["prod-admin"].needs_mfa and profiles["prod-admin"].source == "role via profile static"
    assert profiles["on-ec2"].source == "role via Ec2InstanceMetadata"


def test_broken_entries_say_what_is_wrong(aws_files):
    profiles = by_name(aws_files)
    assert profiles["orphan-role"].problems == ("source_profile 'nowhere' does not exist",)
    assert profiles["half"].problems == ("aws_access_key_id without aws_secret_access_key",)
    assert profiles["static"].problems == ()


def test_no_secret_reaches_the_description(aws_files):
    text = repr(list_profiles(aws_files))
    assert "not-a-real-secret" not in text and "AKIAEXAMPLE" not in text


def test_environment_credentials_are_listed_first(aws_files):
    environ = dict(aws_files, AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="ap-south-1")
    first = list_profiles(environ).profiles[0]
    assert (first.name, first.kind, first.region) == (ENV_PROFILE, "env", "ap-south-1")
    assert "AKIAENV" not in repr(first)


def test_an_unreadable_config_is_one_error_not_a_traceback(tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile broken\nregion = x\n")
    listed = list_profiles({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    assert listed.profiles == [] and listed.error and "could not be read" in listed.error


def test_missing_files_mean_no_profiles(tmp_path):
    listed = list_profiles({"AWS_CONFIG_FILE": str(tmp_path / "a"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "b")})
    assert listed.profiles == [] and listed.error is None


def write_token(cache: Path, key_source: str, expires: datetime) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(key_source.encode()).hexdigest()
    stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / f"{name}.json").write_text(json.dumps({"accessToken": "secret-token", "expiresAt": stamp}))


def test_sso_login_state_from_the_token_cache(aws_files, tmp_path):
    profiles = by_name(aws_files)
    cache = tmp_path / "sso-cache"
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    dev, legacy = profiles["sso-dev"], profiles["legacy-sso"]

    assert sso_login_state(dev, cache_dir=cache, now=now).reason == "not logged in"

    write_token(cache, "corp", now + timedelta(hours=1))  # sso-session tokens are keyed by the session's name
    state = sso_login_state(dev, cache_dir=cache, now=now)
    assert state.valid and state.expires_at == now + timedelta(hours=1)

    write_token(cache, "https://legacy.awsapps.com/start", now - timedelta(minutes=5))  # legacy: by start URL
    expired = sso_login_state(legacy, cache_dir=cache, now=now)
    assert not expired.valid and "expired at 2026-12-01 11:55" in expired.reason
    assert "secret-token" not in repr(expired)


def test_non_sso_profiles_need_no_login(aws_files, tmp_path):
    assert sso_login_state(by_name(aws_files)["static"], cache_dir=tmp_path).valid
