"""The MFA code of an assume-role profile with ``mfa_serial``, asked by ec2tui instead of botocore's ``getpass``.

botocore's AssumeRoleProvider asks for the code with ``getpass.getpass`` on the terminal: under the TUI that would
hang the app (the terminal belongs to Textual). Its prompter is the private attribute ``_prompter``, set from the
constructor's ``prompter`` argument and handed to AssumeRoleCredentialFetcher as ``mfa_prompter`` (checked against
botocore 1.40 to 1.44.8). This module is the one place that touches it; ``tests/test_credentials_mfa.py`` fails
loudly if the attribute disappears.

The prompter is called in a gateway worker thread when a request is signed (the first call of the profile, and
whenever the assumed role's credentials need refreshing); it returns the code or raises to fail that call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.exceptions import UnknownCredentialError

MfaPrompt = Callable[[str], str]
"""Given botocore's prompt ("Enter MFA code for arn:aws:iam::…:mfa/…: "), returns the code; raises to cancel."""

PROMPTER_ATTRIBUTE = "_prompter"


def use_mfa_prompt(session: botocore.session.Session, prompt: MfaPrompt) -> bool:
    """Make ``session``'s assume-role provider ask ``prompt`` for MFA codes. False when the session has no such
    provider (credentials given explicitly); raises AttributeError if botocore no longer has the attribute."""
    resolver: Any = session.get_component("credential_provider")
    try:
        provider = resolver.get_provider("assume-role")
    except UnknownCredentialError:
        return False
    if not hasattr(provider, PROMPTER_ATTRIBUTE):
        raise AttributeError(
            f"botocore's AssumeRoleProvider has no {PROMPTER_ATTRIBUTE} any more: ec2tui can't ask for MFA codes"
        )
    setattr(provider, PROMPTER_ATTRIBUTE, prompt)
    return True
