"""Errors the UI can show. Pure Python: the UI layer imports this, never botocore."""

from __future__ import annotations


class Ec2TuiError(Exception):
    """Base class: ``str(error)`` is a message fit to show a user."""


class AwsError(Ec2TuiError):
    """An AWS call failed. ``code`` is the AWS error code (or a short local one)."""

    def __init__(self, message: str, code: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.operation = operation


class CredentialsError(AwsError):
    """No usable credentials, an unknown profile or an expired SSO session."""


class EndpointError(AwsError):
    """The endpoint could not be reached."""


class DryRunIgnoredError(AwsError):
    """A ``DryRun=True`` call came back as a success: the endpoint ignored DryRun and may have made the change."""

    def __init__(self, operation: str, endpoint: str) -> None:
        super().__init__(
            f"{operation}: this endpoint ignored DryRun: resources may have been created. Check {endpoint} and "
            "delete anything you did not mean to make; dry runs against it are refused from now on in read-only "
            "mode.",
            "DryRunIgnored",
            operation,
        )


class ReadOnlyError(Ec2TuiError):
    """A mutation was refused because ec2tui runs with --read-only."""

    def __init__(self, action: str) -> None:
        super().__init__(f"Read-only mode: '{action}' is not allowed. Restart without --read-only to change AWS.")
        self.action = action


class ValidationError(Ec2TuiError):
    """Input the user gave is invalid; ``field`` names the form field when there is one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
