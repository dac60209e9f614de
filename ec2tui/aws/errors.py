"""Turn botocore exceptions into ec2tui errors with messages a user can act on (and that carry no secret)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore import exceptions as bce
from botocore.parsers import ResponseParserError

from ec2tui.aws.credential_codes import EXPIRED_CODES, MFA_NEEDED, SSO_EXPIRED
from ec2tui.aws.scrub import scrub
from ec2tui.errors import AwsError, CredentialsError, EndpointError

CREDENTIAL_CODES = EXPIRED_CODES | {
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
}

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "EC2ThrottledException",
        "SlowDown",
    }
)

WEB_PAGE_KEY = "Ec2tuiWebPage"
"""Key of a parsed error's one-line account of a web page answer (set by :mod:`ec2tui.aws.guards`)."""

_SSO_ERRORS = (bce.SSOError, bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError, bce.TokenRetrievalError)


@dataclass(frozen=True)
class CredentialContext:
    """Where the credentials in use came from, so that an expiry message can say how to refresh them."""

    profile: str | None = None
    method: str | None = None
    """botocore's ``Credentials.method``: "sso", "env", "assume-role", "shared-credentials-file", ..."""


def refresh_advice(context: CredentialContext | None) -> str:
    """How to get fresh credentials, for how these ones were found."""
    context = context or CredentialContext()
    method = context.method or ""
    profile = f" --profile {context.profile}" if context.profile else ""
    named = f"profile '{context.profile}'" if context.profile else "your profile"
    if method == "sso":
        return f"Run 'aws sso login{profile}', then press ctrl+r."
    if method == "login":  # the AWS CLI's console sign-in
        return f"Run 'aws login{profile}', then press ctrl+r."
    if method == "env":
        return (
            "These credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN): restart ec2tui "
            "with fresh credentials."
        )
    if method.startswith("assume-role"):
        return f"Refresh the source credentials {named} assumes its role with (e.g. 'aws sso login'), then ctrl+r."
    if method in {"shared-credentials-file", "config-file", "ec2-credentials-file", "boto-config"}:
        return f"Re-run whatever writes the credentials of {named} (aws configure, a login tool), then press ctrl+r."
    if method == "custom-process":
        return f"Check the credential_process of {named} (a login may be needed), then press ctrl+r."
    if method in {"iam-role", "container-role"}:
        return "The instance or container role's credentials refresh by themselves: press ctrl+r in a moment."
    return (
        f"Refresh them ('aws sso login{profile}' for SSO; for environment credentials restart ec2tui with fresh "
        "ones), then press ctrl+r."
    )


def translate(exc: BaseException, *, context: CredentialContext | None = None) -> AwsError:
    """Map any exception raised by boto3/botocore to an :class:`AwsError` subclass whose message is scrubbed of
    secrets. ``context`` (the client factory's) lets credential errors say how to refresh."""
    error = _translate(exc, context)
    clean = scrub(str(error))
    if clean != str(error):
        error.args = (clean,)
    return error


def _translate(exc: BaseException, context: CredentialContext | None) -> AwsError:
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, bce.ProfileNotFound):
        return CredentialsError(
            f"{exc}. Check ~/.aws/config or choose another with --profile / AWS_PROFILE.", "ProfileNotFound"
        )
    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return CredentialsError(
            "No AWS credentials found. Run 'aws configure' or 'aws sso login', set AWS_PROFILE, "
            "or try 'ec2tui --demo'.",
            "NoCredentials",
        )
    if isinstance(exc, _SSO_ERRORS):
        sso = CredentialContext(context.profile if context else None, "sso")
        whose = f"Profile '{sso.profile}': the" if sso.profile else "The"
        return CredentialsError(f"{whose} SSO login is missing or expired. {refresh_advice(sso)}", SSO_EXPIRED)
    if isinstance(exc, bce.RefreshWithMFAUnsupportedError):
        whose = f"Profile '{context.profile}'" if context and context.profile else "This profile"
        return CredentialsError(
            f"{whose} assumes its role with MFA and needs a new code (its credentials expired, or no code was "
            "given): press ctrl+r to enter one.",
            MFA_NEEDED,
        )
    if isinstance(exc, bce.CredentialRetrievalError):
        return CredentialsError(
            f"Could not get AWS credentials: {exc}. {refresh_advice(context)}", "CredentialRetrieval"
        )
    if isinstance(exc, bce.NoRegionError):
        return AwsError("No region configured: pass --region or set AWS_REGION.", "NoRegion")
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectionClosedError | bce.ConnectTimeoutError):
        return EndpointError(
            f"Cannot reach the AWS endpoint: {exc}. Check your network, proxy or --endpoint-url, then press ctrl+r.",
            "EndpointConnectionError",
        )
    if isinstance(exc, bce.ReadTimeoutError):
        return EndpointError(
            f"The AWS endpoint did not answer in time: {exc}. It may be overloaded or unreachable through a "
            "proxy: press ctrl+r to try again.",
            "ReadTimeout",
        )
    if isinstance(exc, bce.ClientError):
        return _client_error(exc, context)
    if isinstance(exc, bce.ParamValidationError):
        return AwsError(f"Invalid request: {exc}", "ParamValidation")
    if isinstance(exc, ResponseParserError):
        return EndpointError(
            f"The endpoint's answer could not be read ({_first_line(exc)}): check --endpoint-url and any proxy, "
            "then press ctrl+r.",
            "ResponseParserError",
        )
    if isinstance(exc, bce.BotoCoreError):
        return AwsError(str(exc), type(exc).__name__)
    return AwsError(f"{type(exc).__name__}: {exc}", type(exc).__name__)


def _client_error(exc: bce.ClientError, context: CredentialContext | None) -> AwsError:
    err = exc.response.get("Error", {})
    code = str(err.get("Code", "")) or "ClientError"
    message = str(err.get("Message", "")) or str(exc)
    operation = getattr(exc, "operation_name", "")
    prefix = f"{operation}: " if operation else ""
    if code in EXPIRED_CODES:
        whose = f" of profile '{context.profile}'" if context and context.profile else ""
        return CredentialsError(
            f"{prefix}the AWS credentials{whose} have expired ({code}). {refresh_advice(context)}", code, operation
        )
    if code in CREDENTIAL_CODES:
        return CredentialsError(f"{prefix}{message} ({code})", code, operation)
    if code in THROTTLING_CODES:
        return AwsError(
            f"{prefix}AWS is throttling requests ({code}); wait a moment and press ctrl+r.", code, operation
        )
    if code == "UnauthorizedOperation" and operation and f"ec2:{operation}" not in message:
        message = f"{message} It needs the IAM permission ec2:{operation}."
    if web_page := err.get(WEB_PAGE_KEY):  # a web page's status, still there after the retries
        return EndpointError(str(web_page), f"HTTP{code}", operation)
    if code.isdigit():  # botocore's answer to a bodiless or generic error page: the HTTP status
        return EndpointError(
            f"{prefix}HTTP {code} from the endpoint: {message}. Press ctrl+r to retry.", code, operation
        )
    return AwsError(f"{prefix}{message} ({code})", code, operation)


def _first_line(exc: BaseException) -> str:
    """botocore's parser errors end with the raw body: keep only the explanation before it."""
    text = str(exc)
    text = re.split(r"(?:, invalid XML received|:\s*\n|\n)", text, maxsplit=1)[0]
    return text.strip()[:200]
