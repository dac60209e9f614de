"""Errors the UI can show. Pure Python: the UI layer imports this, never botocore."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Leftover:
    """Something a failed launch created and could not delete again: it stays in AWS."""

    kind: str
    """``key pair`` or ``security group``."""
    name: str
    resource_id: str = ""
    """The group's ID (a key pair is named by ``name``)."""
    reason: str = ""
    """Why the delete failed (AWS's answer, worded for a user)."""
    kept_file: str | None = None
    """The private key file kept because the key pair still exists."""

    def describe(self) -> str:
        what = f"{self.kind} {self.resource_id} ('{self.name}')" if self.resource_id else f"{self.kind} '{self.name}'"
        line = f"• {what}: not deleted ({self.reason})."
        if self.kept_file:
            line += f" Its private key is kept at {self.kept_file}: without that file the key pair can't be used."
        return line


class LaunchRollbackError(AwsError):
    """The launch failed and undoing what it had created failed too; ``leftovers`` is what stays in AWS.

    The message is meant to be shown as is: the cause, each leftover with its name / ID, and what to do next.
    """

    REUSE_ADVICE = (
        "Launching the same request again reuses them (once the form has reloaded them: ctrl+r); or delete them in "
        "the console / with the AWS CLI."
    )

    def __init__(
        self, cause: str, leftovers: tuple[Leftover, ...], region: str = "", code: str = "", advice: str = ""
    ) -> None:
        where = f" in {region}" if region else ""
        lines = [
            cause.rstrip(),
            f"It could not be undone completely; still{where}:",
            *(leftover.describe() for leftover in leftovers),
            advice or self.REUSE_ADVICE,
        ]
        super().__init__("\n".join(lines), code or "RollbackFailed")
        self.cause = cause
        self.leftovers = leftovers
        self.region = region
