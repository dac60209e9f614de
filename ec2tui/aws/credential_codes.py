"""The error codes of credentials that stopped working. Pure: the UI decides on them (offer a login, drop the
profile's session) without importing botocore."""

from __future__ import annotations

EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
"""AWS's answer to a request signed with temporary credentials that have expired (an assumed role's, SSO's)."""

SSO_EXPIRED = "SSOTokenExpired"
"""ec2tui's code for botocore's SSO errors: the SSO login is missing, expired or was refused."""

MFA_CANCELLED = "MfaCancelled"
"""ec2tui's code for an MFA prompt the user cancelled (the call that needed it fails)."""
