"""Secrets never shown: scrub() removes the credentials in use, any access key id, security tokens and the
signing blocks AWS echoes; translate() and the client factory use it."""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote

import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from ec2tui.aws import scrub
from ec2tui.aws.errors import translate
from tests.test_faults import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, answer, ec2_error, secret_factory


@pytest.fixture(autouse=True)
def no_remembered_secrets():
    scrub.forget_all()
    yield
    scrub.forget_all()


def test_the_credentials_in_use_are_removed_however_they_are_echoed():
    scrub.remember_secrets(Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN))
    text = f"key {ACCESS_KEY} secret {SECRET_KEY} token {SESSION_TOKEN} in a url ?t={quote(SESSION_TOKEN, safe='')}"
    clean = scrub.scrub(text)
    for secret in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, quote(SESSION_TOKEN, safe="")):
        assert secret not in clean
    assert clean.startswith("key [hidden] secret [hidden] token [hidden]")


def test_patterns_are_removed_even_when_nothing_was_registered():
    other_key = "AKIAIOSFODNN7EXAMPLE"
    text = (
        f"Credential={other_key}/20261201/us-east-1/ec2/aws4_request, Signature={'ab12' * 16} "
        "X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE%2Ftoken&x-amz-security-token: FQoDYXdzEXAMPLE"
    )
    clean = scrub.scrub(text)
    assert other_key not in clean and "ab12ab12" not in clean and "EXAMPLE" not in clean


@pytest.mark.parametrize(
    "echo",
    [
        "The Canonical String for this request should have been\n'POST\n/\nx-amz-security-token:abc'\n\n"
        "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n...'",
        "<CanonicalRequest>GET\n/bucket</CanonicalRequest><StringToSign>AWS4-HMAC-SHA256</StringToSign>",
        "CanonicalRequest:\nPOST\n/\n\nhost:ec2.amazonaws.com",  # botocore.auth's debug log
        "StringToSign:\nAWS4-HMAC-SHA256\n20261201T080000Z",
    ],
)
def test_signing_blocks_are_removed(echo):
    clean = scrub.scrub(f"Signature mismatch. {echo}")
    assert clean == f"Signature mismatch. {scrub.SIGNING_DETAILS_REMOVED}"


def test_short_values_are_not_secrets_and_are_left_alone():
    scrub.remember_secrets(Credentials("testing", "testing", None))  # moto's, LocalStack's "test"
    assert scrub.scrub("testing the endpoint") == "testing the endpoint"


def test_translate_scrubs_every_message():
    scrub.remember_secrets(Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN))
    exc = ClientError(
        {"Error": {"Code": "InvalidParameterValue", "Message": f"bad value {SECRET_KEY} for {SESSION_TOKEN}"}},
        "RunInstances",
    )
    message = str(translate(exc))
    assert SECRET_KEY not in message and SESSION_TOKEN not in message
    assert message == "RunInstances: bad value [hidden] for [hidden] (InvalidParameterValue)"


def test_the_factory_registers_the_credentials_each_request_is_signed_with():
    factory = secret_factory()
    answer(factory.ec2(), 200, "<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>")
    assert scrub.scrub(SECRET_KEY) == SECRET_KEY, "nothing registered yet"
    factory.ec2().describe_regions()
    assert scrub.scrub(f"{ACCESS_KEY} {SECRET_KEY} {SESSION_TOKEN}") == "[hidden] [hidden] [hidden]"


def test_an_error_from_aws_through_the_factory_carries_no_secret():
    factory = secret_factory()
    answer(factory.ec2(), 400, ec2_error("InvalidParameterValue", f"echo: {SESSION_TOKEN} and {SECRET_KEY}"))
    with pytest.raises(ClientError) as caught:
        factory.ec2().describe_regions()
    message = str(translate(caught.value, context=factory.credential_context))
    assert SESSION_TOKEN not in message and SECRET_KEY not in message


def test_scrub_is_safe_from_many_threads_and_fits_a_logging_filter():
    class ScrubFilter(logging.Filter):  # what --log-file's handler can use
        def filter(self, record: logging.LogRecord) -> bool:
            record.msg, record.args = scrub.scrub(record.getMessage()), ()
            return True

    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger("tests.scrub")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    secrets = [f"SECRETVALUE{n:04d}xxxxxxxx" for n in range(40)]
    barrier = threading.Barrier(8)

    def work(offset: int) -> None:
        barrier.wait()
        for secret in secrets[offset::8]:
            scrub.remember(secret)
            logger.info("leaked %s", secret)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    logger.removeHandler(handler)
    assert len(records) == 40 and all(r == "leaked [hidden]" for r in records)


def test_botocore_s_debug_log_through_a_scrub_filter_carries_no_secret():
    """What --debug will write: the signed request, the canonical request and the string to sign."""
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(scrub.scrub(record.getMessage()))

    factory = secret_factory()
    answer(factory.ec2(), 200, "<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>")
    logger = logging.getLogger("botocore")
    handler, level = Capture(), logger.level
    # Another test's logging.config call may have disabled botocore's existing loggers: enable them for this one.
    disabled = [
        child
        for name, child in logging.root.manager.loggerDict.items()
        if name.startswith("botocore") and isinstance(child, logging.Logger) and child.disabled
    ]
    for child in disabled:
        child.disabled = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        factory.ec2().describe_regions()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        for child in disabled:
            child.disabled = True
    assert any("Sending http request" in r for r in records) and any(
        scrub.SIGNING_DETAILS_REMOVED in r for r in records
    )
    for record in records:
        for secret in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN):
            assert secret not in record, record
