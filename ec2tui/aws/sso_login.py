"""``aws sso login``: the command ec2tui runs in this terminal when an SSO profile's login is missing or expired, and
what to say when the AWS CLI isn't installed. Pure Python (no botocore): the UI builds the offer from it.

The CLI writes its token where botocore reads it (``~/.aws/sso/cache``); ec2tui then reads the cache again
(:func:`ec2tui.aws.profiles.sso_login_state`) rather than trusting the exit status alone.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

from ec2tui.aws.connect_commands import Command

AWS_CLI = "aws"

INSTALL_URL = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"


def login_command(profile: str) -> Command:
    """``aws sso login --profile NAME``, run in the foreground: it prints a code and opens (or names) the browser
    page; ``AWS_PROFILE`` is set too so an ``sso_session`` shared by several profiles logs them all in."""
    return Command(
        argv=(AWS_CLI, "sso", "login", "--profile", profile),
        env={"AWS_PROFILE": profile},
        title=f"SSO login of {profile}",
        banner=f"ec2tui: logging in profile {profile} with the AWS CLI; ec2tui comes back when it ends.",
    )


def aws_cli_path(environ: Mapping[str, str] | None = None) -> str | None:
    """Where ``aws`` is on PATH (None: not installed, or not on this PATH)."""
    env = os.environ if environ is None else environ
    return shutil.which(AWS_CLI, path=env.get("PATH", os.defpath))


def install_advice(profile: str) -> str:
    """Exactly how to get the AWS CLI, then what to run."""
    return (
        f"The AWS CLI ('{AWS_CLI}') is not on PATH, and it is what logs an SSO profile in. Install AWS CLI v2: "
        f"{INSTALL_URL} (macOS: 'brew install awscli'; Linux: the bundled installer on that page; Windows: the MSI). "
        f"Then run 'aws sso login --profile {profile}' and press ctrl+r here."
    )
