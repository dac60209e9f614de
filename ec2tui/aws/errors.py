"""Turn botocore exceptions into ec2tui errors with messages a user can act on."""

from __future__ import annotations

from botocore import exceptions as bce

from ec2tui.errors import AwsError, CredentialsError, EndpointError

_CREDENTIAL_CODES = {
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "RequestExpired",
}


def translate(exc: BaseException) -> AwsError:
    """Map any exception raised by boto3/botocore to an :class:`AwsError` subclass (never leaks secrets)."""
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
    if isinstance(exc, bce.SSOError | bce.UnauthorizedSSOTokenError | bce.TokenRetrievalError):
        return CredentialsError(
            f"SSO session is missing or expired: run 'aws sso login' and retry. ({exc})", "SSOTokenExpired"
        )
    if isinstance(exc, bce.CredentialRetrievalError):
        return CredentialsError(f"Could not get AWS credentials: {exc}", "CredentialRetrieval")
    if isinstance(exc, bce.NoRegionError):
        return AwsError("No region configured: pass --region or set AWS_REGION.", "NoRegion")
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectionClosedError | bce.ConnectTimeoutError):
        return EndpointError(f"Cannot reach the AWS endpoint: {exc}", "EndpointConnectionError")
    if isinstance(exc, bce.ReadTimeoutError):
        return EndpointError(f"The AWS endpoint did not answer in time: {exc}", "ReadTimeout")
    if isinstance(exc, bce.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "")) or "ClientError"
        message = str(err.get("Message", "")) or str(exc)
        operation = getattr(exc, "operation_name", "")
        cls = CredentialsError if code in _CREDENTIAL_CODES else AwsError
        prefix = f"{operation}: " if operation else ""
        return cls(f"{prefix}{message} ({code})", code, operation)
    if isinstance(exc, bce.ParamValidationError):
        return AwsError(f"Invalid request: {exc}", "ParamValidation")
    if isinstance(exc, bce.BotoCoreError):
        return AwsError(str(exc), type(exc).__name__)
    return AwsError(f"{type(exc).__name__}: {exc}", type(exc).__name__)
