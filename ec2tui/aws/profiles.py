"""The AWS profiles a user has, read as the AWS CLI reads them, and whether an SSO profile's login is still valid.

Nothing here holds a secret: a profile is described by its kind, region and where its credentials come from, never
by the keys themselves, and an SSO token is read only for its expiry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, SSOTokenLoadError
from botocore.utils import JSONFileCache, SSOTokenLoader

from ec2tui.aws.models.profiles import ENV_PROFILE, ProfileInfo, ProfileKind, ProfileList, SsoLogin

__all__ = ["ENV_PROFILE", "ProfileInfo", "ProfileKind", "ProfileList", "SsoLogin", "list_profiles", "sso_login_state"]

SSO_CACHE_DIR = Path("~/.aws/sso/cache")
"""Where ``aws sso login`` leaves its tokens (botocore reads them from there too)."""


def _kind(config: Mapping[str, Any]) -> ProfileKind:
    if "sso_session" in config or "sso_start_url" in config:
        return "sso"
    if "role_arn" in config and "web_identity_token_file" in config:
        return "web-identity"
    if "role_arn" in config:
        return "assume-role"
    if "credential_process" in config:
        return "process"
    if "aws_access_key_id" in config:
        return "static"
    return "unknown"


def _describe(
    name: str, config: Mapping[str, Any], profiles: Mapping[str, Any], sso_sessions: Mapping[str, Any]
) -> ProfileInfo:
    kind = _kind(config)
    problems: list[str] = []
    source = ""
    start_url = config.get("sso_start_url")
    session = config.get("sso_session")
    if kind == "sso":
        if session is not None:
            session_config = sso_sessions.get(session)
            if session_config is None:
                problems.append(f"sso_session '{session}' has no [sso-session {session}] section")
            else:
                start_url = session_config.get("sso_start_url", start_url)
        if not start_url:
            problems.append("no sso_start_url")
        source = f"SSO {session or start_url or '?'}"
        for needed in ("sso_account_id", "sso_role_name"):
            if needed not in config:
                problems.append(f"no {needed}")
    elif kind == "assume-role":
        source_profile = config.get("source_profile")
        credential_source = config.get("credential_source")
        if source_profile:
            source = f"role via profile {source_profile}"
            if source_profile not in profiles:
                problems.append(f"source_profile '{source_profile}' does not exist")
        elif credential_source:
            source = f"role via {credential_source}"
        else:
            problems.append("role_arn without source_profile or credential_source")
    elif kind == "process":
        source = "credential_process"
    elif kind == "web-identity":
        source = "web identity token file"
    elif kind == "static":
        source = "access key"
        if "aws_secret_access_key" not in config:
            problems.append("aws_access_key_id without aws_secret_access_key")
    else:
        source = "default credential chain"  # e.g. a [default] holding only a region, on an instance with a role
    return ProfileInfo(
        name=name,
        kind=kind,
        region=config.get("region"),
        source=source,
        sso_start_url=start_url if kind == "sso" else None,
        sso_session=session if kind == "sso" else None,
        mfa_serial=config.get("mfa_serial"),
        source_profile=config.get("source_profile") if kind == "assume-role" else None,
        problems=tuple(problems),
    )


def list_profiles(environ: Mapping[str, str] | None = None) -> ProfileList:
    """Every profile of the config and credentials files (``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``
    honoured, as botocore reads them), sorted by name, plus the environment's credentials when set."""
    environ = os.environ if environ is None else environ
    session = botocore.session.Session()
    for variable, setting in (("AWS_CONFIG_FILE", "config_file"), ("AWS_SHARED_CREDENTIALS_FILE", "credentials_file")):
        if variable in environ:
            session.set_config_variable(setting, environ[variable])
    error = None
    try:
        full = session.full_config
    except BotoCoreError as exc:
        full, error = {}, f"AWS config could not be read: {exc}"
    profiles: Mapping[str, Any] = full.get("profiles", {})
    sso_sessions: Mapping[str, Any] = full.get("sso_sessions", {})
    infos = [_describe(name, config, profiles, sso_sessions) for name, config in sorted(profiles.items())]
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        infos.insert(
            0, ProfileInfo(name=ENV_PROFILE, kind="env", region=environ.get("AWS_REGION"), source="environment")
        )
    return ProfileList(profiles=infos, error=error)


def sso_login_state(profile: ProfileInfo, *, cache_dir: Path | None = None, now: datetime | None = None) -> SsoLogin:
    """Whether ``aws sso login --profile NAME`` is needed before this profile's first call (read from botocore's
    SSO token cache, so the app can offer the login instead of failing obscurely on the first request)."""
    if profile.kind != "sso" or not profile.sso_start_url:
        return SsoLogin(valid=True)
    directory = (cache_dir or SSO_CACHE_DIR).expanduser()
    loader = SSOTokenLoader(cache=JSONFileCache(str(directory)))
    try:
        token = loader(profile.sso_start_url, session_name=profile.sso_session)
    except SSOTokenLoadError:
        return SsoLogin(valid=False, reason="not logged in")
    except (OSError, ValueError):
        return SsoLogin(valid=False, reason="the SSO token cache could not be read")
    expires = _parse_time(str(token.get("expiresAt", "")))
    if expires is None:
        return SsoLogin(valid=False, reason="the cached SSO token has no readable expiry")
    now = now or datetime.now(UTC)
    if expires <= now:
        return SsoLogin(
            valid=False, expires_at=expires, reason=f"the SSO login expired at {expires:%Y-%m-%d %H:%M} UTC"
        )
    return SsoLogin(valid=True, expires_at=expires)


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("UTC", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
