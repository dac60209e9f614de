"""The --log-file / --debug log: AWS calls made, errors, botocore's wire log, and never a credential."""

from __future__ import annotations

import logging
import re
import stat

import pytest
from moto import mock_aws

from ec2tui import diagnostics
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.diagnostics import REDACTED, ScrubFilter, redact

KEY_ID = "ASIAQWERTYUIOPASDFGH"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY-distinctive-secret"
TOKEN = "IQoJb3JpZ2luX2VjE-distinctive-session-token-0123456789abcdef"


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "ec2tui.log"
    yield path
    diagnostics.shutdown()


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def test_a_debug_log_of_real_calls_holds_no_credential(log_file, credentials):
    """botocore logs every request's headers (Authorization, X-Amz-Security-Token), the canonical request and the
    signature at DEBUG: the log keeps all of that except the secrets."""
    diagnostics.configure(log_file, debug=True)
    with mock_aws():
        factory = ClientFactory(AwsTarget(region="eu-west-1"))
        session = factory.session
        diagnostics.log_aws_calls(session.events)  # no secrets given: the filter must redact on its own
        factory.ec2().describe_vpcs()
        with pytest.raises(Exception, match="InvalidInstanceID"):
            factory.ec2().describe_instances(InstanceIds=["i-0123456789abcdef0"])
    diagnostics.shutdown()
    text = log_file.read_text()
    assert "botocore.endpoint" in text and "x-amz-security-token" in text.lower(), "no wire log was written"
    assert TOKEN not in text and SECRET not in text and KEY_ID not in text
    assert not re.search(r"Signature=[0-9a-f]{64}", text) and not re.search(r"Signature:\s*\n[0-9a-f]{64}", text)
    assert "Authorization': b'AWS4" not in text
    assert re.search(r"INFO ec2tui: aws ec2\.DescribeVpcs region=eu-west-1 \d+\.\d\ds ok", text)
    assert re.search(r"aws ec2\.DescribeInstances region=eu-west-1 \d+\.\d\ds error InvalidInstanceID\.NotFound", text)


def test_without_debug_only_ec2tuis_own_lines_are_written(log_file, credentials):
    diagnostics.configure(log_file)
    with mock_aws():
        factory = ClientFactory(AwsTarget(region="us-east-1"))
        diagnostics.log_aws_calls(factory.session.events)
        factory.ec2().describe_regions()
    diagnostics.shutdown()
    text = log_file.read_text()
    assert "aws ec2.DescribeRegions region=us-east-1" in text
    assert "botocore" not in text
    assert logging.getLogger("botocore").level == logging.NOTSET  # shutdown put the level back


def test_the_log_file_is_private_and_appended(log_file):
    log_file.write_text("earlier run\n")
    log_file.chmod(0o600)
    diagnostics.configure(log_file)
    diagnostics.log.info("hello")
    diagnostics.shutdown()
    assert log_file.read_text().startswith("earlier run\n") and "hello" in log_file.read_text()
    fresh = log_file.with_name("fresh.log")
    diagnostics.configure(fresh)
    diagnostics.shutdown()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_an_unwritable_log_path_is_a_clear_error(tmp_path):
    with pytest.raises(diagnostics.LogFileError, match="Can't write the log file"):
        diagnostics.configure(tmp_path / "missing-dir" / "x.log")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "headers={'Authorization': b'AWS4-HMAC-SHA256 Credential=x/y, Signature=abc', 'X-Amz-Date': b'1'}",
            "X-Amz-Date",
        ),
        ("x-amz-security-token:IQoJsecretvalue\nhost:ec2", "host:ec2"),
        ("https://ec2/?X-Amz-Security-Token=IQoJsecretvalue&Action=Describe", "Action=Describe"),
        ("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20260101", ""),
        ("key AKIAIOSFODNN7EXAMPLE in use", "in use"),
        ("Signature:\n" + "ab" * 32, "Signature"),
    ],
)
def test_redact_by_itself(text, kept):
    out = redact(text)
    assert REDACTED in out and kept in out
    for secret in ("IQoJsecretvalue", "AWS4-HMAC-SHA256", "AKIAIOSFODNN7EXAMPLE", "ab" * 32):
        assert secret not in out


def test_the_filter_uses_the_given_scrubber_and_secrets_and_cleans_tracebacks():
    seen: list[str] = []

    def scrub(text: str) -> str:
        seen.append(text)
        return text.replace("CanonicalRequest block", "[scrubbed block]")

    scrubber = ScrubFilter(scrub, secrets=["short", "a-very-secret-value"])
    scrubber.add_secrets("another-secret-token", None)
    try:
        raise ValueError("failed with a-very-secret-value")
    except ValueError as exc:
        record = logging.LogRecord(
            "ec2tui",
            logging.ERROR,
            __file__,
            1,
            "%s and %s",
            ("CanonicalRequest block", "another-secret-token"),
            (type(exc), exc, exc.__traceback__),
        )
    assert scrubber.filter(record)
    assert record.getMessage() == f"[scrubbed block] and {REDACTED}"
    assert "a-very-secret-value" not in (record.exc_text or "") and "ValueError" in (record.exc_text or "")
    assert seen, "the given scrubber was not used"
    assert "short" in scrubber.clean("short"), "too-short values would redact ordinary words"


def test_summary_is_one_scrubbed_line():
    error = RuntimeError("Credential=AKIAIOSFODNN7EXAMPLE/2026\nsecond line")
    assert diagnostics.summary(error) == f"RuntimeError: Credential={REDACTED}/2026"
    assert diagnostics.summary(KeyError()) == "KeyError"


def test_the_credentials_in_use_are_hidden_from_errors_shown_without_a_log(monkeypatch):
    monkeypatch.setattr(diagnostics._state, "secrets", set())
    diagnostics.add_secrets("a-distinctive-secret-key", None)
    assert (
        diagnostics.summary(RuntimeError("signed with a-distinctive-secret-key"))
        == f"RuntimeError: signed with {REDACTED}"
    )


def test_main_hands_the_credentials_in_use_to_the_scrubber(monkeypatch, credentials):
    from ec2tui.app import Ec2App
    from ec2tui.cli import main

    monkeypatch.setattr(diagnostics._state, "secrets", set())
    monkeypatch.setattr(Ec2App, "run", lambda self, *a, **k: None)
    assert main([]) == 0
    assert {SECRET, TOKEN} <= diagnostics._state.secrets
