"""Before a profile is used: are its credentials usable? An SSO profile whose login expired (or never happened)
is caught here, from botocore's SSO token cache, before its first call fails obscurely."""

from __future__ import annotations

from typing import Any

from ec2tui.aws.models.profiles import ProfileInfo


async def ensure_credentials(app: Any, info: ProfileInfo) -> bool:
    """True when ``info``'s credentials may be used now; otherwise says why (and how to fix it) and returns False."""
    if info.kind != "sso":
        return True
    state = await app.accounts.sso_state(info)
    if state.valid:
        return True
    app.notify(
        f"Profile {info.name}: {state.reason}. Run: aws sso login --profile {info.name}",
        title="SSO login needed",
        severity="warning",
        markup=False,
        timeout=15,
    )
    return False
