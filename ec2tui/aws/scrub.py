"""Keep credentials out of every text ec2tui shows or logs, even when AWS echoes them back.

``SignatureDoesNotMatch`` answers (and botocore's own debug log) carry the canonical request and the string to
sign, whose signed headers include ``x-amz-security-token``; a misconfigured proxy may echo the whole request.
:func:`scrub` removes the secrets in use (registered by the client factory with :func:`remember_secrets`) and
those blocks. It is pure and thread-safe, so a ``logging.Filter`` can call it on every record.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import quote

HIDDEN = "[hidden]"
SIGNING_DETAILS_REMOVED = "[signing details removed]"

MIN_SECRET_LENGTH = 12
"""Real key ids are 16+ characters, secrets 40, tokens hundreds. Shorter values (moto's and LocalStack's "test")
are not secrets, and replacing such common words everywhere would garble messages."""

_SIGNING_BLOCK = re.compile(
    r"(?is)\s*(?:the\s+)?"
    r"(?:<(?:CanonicalRequest|StringToSign)(?:Bytes)?>|canonical[ _-]?(?:request|string)|string[ _-]?to[ _-]?sign)"
    r".*\Z"
)
"""From the first canonical request / string to sign marker to the end: AWS puts these blocks last."""

_PATTERNS = (
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), HIDDEN),  # any access key id, registered or not
    # a header line, a query parameter or the repr of botocore's headers dict ('X-Amz-Security-Token': b'...')
    (re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^\s'\",&<]+"), rf"\g<1>{HIDDEN}"),
    (re.compile(r"(?i)(Signature=)[0-9a-f]{16,}"), rf"\g<1>{HIDDEN}"),
)

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
"""Longest first, so that a secret containing another is replaced whole. Replaced, never mutated: readers need
no lock."""


def remember(*values: str | None) -> None:
    """Register secret strings (empty and short values are ignored)."""
    global _secrets
    plain = {v for v in values if v and len(v) >= MIN_SECRET_LENGTH}
    new = plain | {quote(v, safe="") for v in plain}  # as echoed inside a URL or a query string
    if not new - set(_secrets):
        return
    with _lock:
        _secrets = tuple(sorted(set(_secrets) | new, key=len, reverse=True))


def remember_secrets(credentials: Any) -> None:
    """Register the access key id, secret key and session token of botocore credentials (or frozen ones)."""
    if credentials is None:
        return
    frozen = credentials.get_frozen_credentials() if hasattr(credentials, "get_frozen_credentials") else credentials
    remember(getattr(frozen, "access_key", None), getattr(frozen, "secret_key", None), getattr(frozen, "token", None))


def forget_all() -> None:
    """Forget every registered secret (tests)."""
    global _secrets
    with _lock:
        _secrets = ()


def scrub(text: str) -> str:
    """``text`` without the registered secrets, access key ids, security tokens, signatures and signing blocks."""
    text = _SIGNING_BLOCK.sub(" " + SIGNING_DETAILS_REMOVED, text)
    for secret in _secrets:
        text = text.replace(secret, HIDDEN)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
