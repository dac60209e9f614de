"""The error codes of credentials that stopped working. Pure: the UI decides on them (offer a login, drop the
profile's session) without importing botocore."""

from __future__ import annotations

EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
"""AWS's answer to a request signed with temporary credentials that have expired (an assumed role's, SSO's)."""

SSO_EXPIRED = "SSOTokenExpired"
"""ec2tui's code for botocore's SSO errors: the SSO login is missing, expired or was refused."""

MFA_CANCELLED = "MfaCancelled"
"""ec2tui's code for an MFA prompt the user cancelled (the call that needed it fails)."""

MFA_NEEDED = "MfaCodeNeeded"
"""botocore can't refresh a role assumed with MFA by itself (the code was used, or never given): a new session asks
for a new one."""

RESOLVE_AGAIN = EXPIRED_CODES | {SSO_EXPIRED, MFA_CANCELLED, MFA_NEEDED}
"""Credentials worth resolving afresh on the next call (the profile's session is dropped)."""
