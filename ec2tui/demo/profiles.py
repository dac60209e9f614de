"""The demo's two AWS profiles, written as real AWS config and credentials files in the demo's temporary folder,
so :profiles, the switch and the AWS CLI (connect, exports) work on them exactly as on a user's own:

- ``demo``: static keys, account 123456789012 (production in the story);
- ``demo-staging``: a role in account 210987654321 assumed from ``demo`` (moto's STS switches accounts on
  ``AssumeRole``), a smaller fleet in two regions.
"""

from __future__ import annotations

from pathlib import Path

DEMO_PROFILE = "demo"
STAGING_PROFILE = "demo-staging"
STAGING_ACCOUNT = "210987654321"
STAGING_ROLE = f"arn:aws:iam::{STAGING_ACCOUNT}:role/demo-admin"
STAGING_REGIONS = ("us-east-1", "eu-west-1")
"""Where the staging account has instances (every demo region has its AMI catalog)."""


def write_demo_profiles(directory: Path, endpoint_url: str, region: str) -> dict[str, str]:
    """Write ``config`` and ``credentials`` into ``directory``; return the environment variables that point the
    AWS SDK (and the AWS CLI run from the app) at them. Moto takes any key: these are not secrets."""
    config = directory / "config"
    credentials = directory / "credentials"
    config.write_text(
        f"[profile {DEMO_PROFILE}]\n"
        f"region = {region}\n"
        f"endpoint_url = {endpoint_url}\n"
        "\n"
        f"[profile {STAGING_PROFILE}]\n"
        f"role_arn = {STAGING_ROLE}\n"
        f"source_profile = {DEMO_PROFILE}\n"
        "role_session_name = ec2tui-demo\n"
        f"region = {region}\n"
        f"endpoint_url = {endpoint_url}\n",
        encoding="utf-8",
    )
    credentials.write_text(
        f"[{DEMO_PROFILE}]\naws_access_key_id = demo\naws_secret_access_key = demo\n", encoding="utf-8"
    )
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
