"""What a profile of the AWS config files is, and the state of an SSO login: plain data, no boto (the UI shows it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ProfileKind = Literal["sso", "assume-role", "static", "process", "web-identity", "env", "unknown"]

ENV_PROFILE = "(environment)"
"""The pseudo-profile for credentials given in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."""


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """One profile of the AWS config and credentials files: what it is, never its secrets."""

    name: str
    kind: ProfileKind
    region: str | None = None
    source: str = ""
    """Where its credentials come from, in words: the SSO start URL or session, the source profile, the process."""
    sso_start_url: str | None = None
    sso_session: str | None = None
    mfa_serial: str | None = None
    source_profile: str | None = None
    """The profile whose credentials an assume-role profile starts from (an SSO login there logs this one in)."""
    problems: tuple[str, ...] = ()
    """Why it can't work as written (a role with no source, a source profile that doesn't exist, ...)."""

    @property
    def needs_mfa(self) -> bool:
        return self.mfa_serial is not None


@dataclass(frozen=True, slots=True)
class ProfileList:
    profiles: list[ProfileInfo] = field(default_factory=list)
    error: str | None = None
    """The config or credentials file could not be read at all (the profiles it held are missing from the list)."""


@dataclass(frozen=True, slots=True)
class SsoLogin:
    """The state of an SSO profile's login: ``valid`` until ``expires_at``, or why it is not."""

    valid: bool
    expires_at: datetime | None = None
    reason: str = ""
