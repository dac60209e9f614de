"""Faults an endpoint can throw at ec2tui, played by botocore hooks, a black-hole socket or a moto server that
goes away. Each must end in an Ec2TuiError that says what to do and carries no secret."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto.server import ThreadedMotoServer

from ec2tui.aws.clients import CHANGE_CONFIG, READ_CONFIG, AwsTarget, ClientFactory, new_session
from ec2tui.aws.errors import CredentialContext, translate
from ec2tui.errors import AwsError, CredentialsError, DryRunIgnoredError, Ec2TuiError, EndpointError
from ec2tui.gateway import Gateway

ACCESS_KEY = "ASIAZZZEXAMPLE7KEYID"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQDsecretSESSIONtoken+AbC/dEf=="
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
UNREACHABLE = "http://127.0.0.1:9"
"""Never contacted: the hooks below answer before anything is sent."""


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self.body


def answer(client, status: int, body: str, content_type: str = "text/xml") -> list[str]:
    """Make ``client`` get this answer to every request, as if from the wire; returns the operations sent."""
    sent: list[str] = []

    def respond(request, event_name: str, **_: object) -> AWSResponse:
        sent.append(event_name.split(".")[-1])
        return AWSResponse(request.url, status, {"content-type": content_type}, _Body(body.encode()))

    client.meta.events.register("before-send", respond)
    return sent


def ec2_error(code: str, message: str) -> str:
    return (
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
        "<RequestID>8e0a0c2c-0000-0000-0000-000000000000</RequestID></Response>"
    )


def secret_factory(endpoint_url: str = UNREACHABLE, config: Config | None = None) -> ClientFactory:
    """A factory signing with realistic temporary credentials (moto's 'testing' is too short to be a secret)."""
    session = new_session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, aws_session_token=SESSION_TOKEN
    )
    return ClientFactory(AwsTarget(region="us-east-1", endpoint_url=endpoint_url), session, config)


async def failure(gateway: Gateway) -> Ec2TuiError:
    """The error of a fresh instance list through the gateway (never longer than 30 s)."""
    with pytest.raises(Ec2TuiError) as caught:
        await asyncio.wait_for(gateway.instances.list(refresh=True, region="us-east-1"), 30)
    return caught.value


def assert_no_secret(message: str) -> None:
    for secret in SECRETS:
        assert secret not in message
    assert "x-amz-security-token" not in message.lower()


async def test_throttling_after_retries_says_wait_and_retry():
    factory = secret_factory()
    gateway = Gateway(factory)
    sent = answer(factory.ec2(), 503, ec2_error("RequestLimitExceeded", "Request limit exceeded."))
    error = await failure(gateway)
    assert isinstance(error, AwsError) and error.code == "RequestLimitExceeded"
    assert "AWS is throttling requests" in str(error) and "ctrl+r" in str(error)
    assert len(sent) == READ_CONFIG.retries["total_max_attempts"], "retried as the read config says, then reported"
    assert_no_secret(str(error))


async def test_unauthorized_operation_names_the_permission():
    factory = secret_factory()
    gateway = Gateway(factory)
    answer(factory.ec2(), 403, ec2_error("UnauthorizedOperation", "You are not authorized to perform this operation."))
    error = await failure(gateway)
    assert error.code == "UnauthorizedOperation"
    assert "DescribeInstances" in str(error) and "ec2:DescribeInstances" in str(error)

    aws_message = (
        "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not "
        "authorized to perform: ec2:DescribeInstances because no identity-based policy allows the action"
    )
    factory = secret_factory()
    answer(factory.ec2(), 403, ec2_error("UnauthorizedOperation", aws_message))
    error = await failure(Gateway(factory))
    assert aws_message in str(error) and str(error).count("ec2:DescribeInstances") == 1, "AWS's words, kept whole"


async def test_an_expired_token_from_the_environment_says_restart_with_fresh_credentials():
    factory = ClientFactory(AwsTarget(region="us-east-1", endpoint_url=UNREACHABLE))
    gateway = Gateway(factory)  # conftest's credentials come from AWS_ACCESS_KEY_ID & co
    answer(factory.ec2(), 400, ec2_error("RequestExpired", "Request has expired."))
    error = await failure(gateway)
    assert isinstance(error, CredentialsError) and error.code == "RequestExpired"
    assert "restart ec2tui with fresh credentials" in str(error)


@pytest.mark.parametrize(
    ("method", "advice"),
    [
        ("sso", "aws sso login --profile dev"),
        ("login", "aws login --profile dev"),
        ("env", "restart ec2tui with fresh credentials"),
        ("assume-role", "Refresh the source credentials profile 'dev' assumes its role with"),
        ("shared-credentials-file", "Re-run whatever writes the credentials of profile 'dev'"),
        (None, "aws sso login --profile dev"),
    ],
)
def test_expired_credentials_say_how_to_refresh_them(method, advice):
    from botocore.exceptions import ClientError

    for code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        exc = ClientError(
            {"Error": {"Code": code, "Message": "The security token included in the request is expired"}},
            "DescribeInstances",
        )
        error = translate(exc, context=CredentialContext("dev", method))
        assert isinstance(error, CredentialsError) and advice in str(error), str(error)
    assert "expired" in str(translate(exc)), "callers without a context still get a message"


def test_an_expired_sso_session_says_aws_sso_login_for_the_profile():
    from botocore.exceptions import TokenRetrievalError, UnauthorizedSSOTokenError

    for exc in (UnauthorizedSSOTokenError(), TokenRetrievalError(provider="sso", error_msg="Token has expired")):
        error = translate(exc, context=CredentialContext("dev", None))
        assert isinstance(error, CredentialsError) and "aws sso login --profile dev" in str(error)


async def test_signature_does_not_match_with_an_echoed_token_shows_no_secret():
    factory = secret_factory()
    gateway = Gateway(factory)
    echoed = (
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.\n\n"
        "The Canonical String for this request should have been\n'POST\n/\n\n"
        "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:ec2.us-east-1.amazonaws.com\n"
        f"x-amz-date:20261201T080000Z\nx-amz-security-token:{SESSION_TOKEN}\n\n"
        "content-type;host;x-amz-date;x-amz-security-token\n3f1c0a...'\n\n"
        "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261201T080000Z\n"
        f"20261201/us-east-1/ec2/aws4_request\nabc123'\nCredential={ACCESS_KEY}/20261201 secret {SECRET_KEY}"
    )
    answer(factory.ec2(), 403, ec2_error("SignatureDoesNotMatch", echoed))
    error = await failure(gateway)
    assert isinstance(error, CredentialsError) and error.code == "SignatureDoesNotMatch"
    assert_no_secret(str(error))
    assert "Canonical String" not in str(error) and "String-to-Sign" not in str(error)
    assert "Check your AWS Secret Access Key and signing method" in str(error), "the useful part stays"


async def test_a_2xx_answer_to_a_dry_run_is_reported_as_ignored():
    factory = secret_factory()
    gateway = Gateway(factory)
    body = (
        "<RunInstancesResponse><reservationId>r-1</reservationId><instancesSet><item>"
        "<instanceId>i-0123456789abcdef0</instanceId></item></instancesSet></RunInstancesResponse>"
    )
    sent = answer(factory.ec2(), 200, body)
    from ec2tui.aws.launch import dry_run

    with pytest.raises(DryRunIgnoredError) as caught:
        await gateway.core.run(dry_run, factory.ec2(), {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1})
    assert "ignored DryRun: resources may have been created" in str(caught.value)
    assert sent == ["RunInstances"]


# -- an endpoint that accepts and never answers ------------------------------------------------------------------
class BlackHole:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.accepted += 1
            self._held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


SCALED = Config(connect_timeout=1, read_timeout=0.2)
"""The real configs' attempts, with timeouts a test can afford."""


def worst_case_seconds(config: Config) -> float:
    """How long a read waits on an endpoint that never answers: every attempt's read timeout plus the longest
    back-off before each retry (botocore's standard/adaptive: up to 2**(n-1) s before retry n, at most 20 s)."""
    attempts = config.retries["total_max_attempts"]
    backoff = sum(min(2 ** (n - 1), 20) for n in range(1, attempts))
    return attempts * max(config.read_timeout, config.connect_timeout) + backoff


def test_reads_give_up_on_a_silent_endpoint_within_20_seconds_and_changes_stay_patient():
    assert worst_case_seconds(READ_CONFIG) <= 20
    assert CHANGE_CONFIG.read_timeout >= 60 > READ_CONFIG.read_timeout


async def test_a_black_hole_endpoint_is_reported_after_the_read_config_s_attempts(black_hole):
    factory = secret_factory(black_hole.url, SCALED)
    error = await failure(Gateway(factory))
    assert isinstance(error, EndpointError) and error.code == "ReadTimeout"
    assert "did not answer in time" in str(error) and "ctrl+r" in str(error)
    assert black_hole.accepted == READ_CONFIG.retries["total_max_attempts"]
    assert_no_secret(str(error))


async def test_a_change_to_a_black_hole_endpoint_is_tried_as_the_change_config_says(black_hole):
    factory = secret_factory(black_hole.url, SCALED)
    gateway = Gateway(factory)
    with pytest.raises(EndpointError, match="did not answer in time"):
        await asyncio.wait_for(gateway.instances.reboot(["i-0123456789abcdef0"], region="us-east-1"), 30)
    assert black_hole.accepted == CHANGE_CONFIG.retries["total_max_attempts"]
    assert factory.ec2(search=True).meta.config.read_timeout == 0.2, "the test's scaling reaches every kind"
    assert secret_factory().ec2(search=True).meta.config.read_timeout == 300, "searches stay patient"


# -- a moto server: its crash page, then gone ----------------------------------------------------------------------
@pytest.fixture
def moto_endpoint() -> Iterator[tuple[ThreadedMotoServer, str]]:
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield server, f"http://{host}:{port}"
    server.stop()


async def test_an_html_error_page_is_one_line_with_status_and_endpoint(moto_endpoint):
    _, endpoint = moto_endpoint
    factory = secret_factory(endpoint)
    gateway = Gateway(factory)
    unimplemented = [{"Name": "no-such-filter", "Values": ["x"]}]  # moto answers its HTML 500 page
    sent: list[str] = []
    factory.ec2().meta.events.register("before-send", lambda **_: sent.append("sent"))
    with pytest.raises(EndpointError) as caught:
        await gateway.core.run(lambda: factory.ec2().describe_images(Filters=unimplemented))
    message = str(caught.value)
    assert message.startswith(f"HTTP 500 from {endpoint}: Internal Server Error")
    assert "<" not in message and "\n" not in message and "ctrl+r" in message
    assert caught.value.code == "HTTP500" and caught.value.operation == "DescribeImages"
    assert len(sent) == READ_CONFIG.retries["total_max_attempts"], "a 500 is tried again, as botocore's mode says"


PROXY_PAGE = "<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>"


@pytest.mark.parametrize(("status", "reason", "attempts"), [(503, "Service Unavailable", 2), (403, "Forbidden", 1)])
async def test_a_proxy_s_page_is_tried_again_only_when_its_status_is_transient(status, reason, attempts):
    factory = secret_factory()
    sent = answer(factory.ec2(), status, PROXY_PAGE.format(status=status, reason=reason), "text/html")
    error = await failure(Gateway(factory))
    assert isinstance(error, EndpointError) and error.code == f"HTTP{status}"
    assert str(error) == (
        f"HTTP {status} from {UNREACHABLE}: {reason}. The answer is a web page, not AWS's: check --endpoint-url "
        "and any proxy, then ctrl+r retries."
    )
    assert len(sent) == attempts
    assert READ_CONFIG.retries["total_max_attempts"] == 2


async def test_an_endpoint_that_dies_mid_session_is_reported_without_hanging(moto_endpoint):
    server, endpoint = moto_endpoint
    gateway = Gateway(secret_factory(endpoint))
    assert await asyncio.wait_for(gateway.regions.list(), 30)
    server.stop()
    with pytest.raises(EndpointError) as caught:
        await asyncio.wait_for(gateway.regions.list(refresh=True), 30)
    assert "Cannot reach the AWS endpoint" in str(caught.value) and endpoint in str(caught.value)
    assert "ctrl+r" in str(caught.value)
    server.start()  # for the fixture's stop


async def test_a_bodiless_server_error_is_one_line_with_its_status():
    factory = secret_factory()
    sent = answer(factory.ec2(), 502, "")
    error = await failure(Gateway(factory))
    assert isinstance(error, EndpointError)
    assert str(error) == "DescribeInstances: HTTP 502 from the endpoint: Bad Gateway. Press ctrl+r to retry."
    assert len(sent) == READ_CONFIG.retries["total_max_attempts"], "a 5xx from AWS itself is retried"


def test_an_unreadable_answer_shows_botocore_s_reason_without_the_raw_body():
    from botocore.parsers import ResponseParserError

    raw = "b'<Response><Errors><Error><Code>x</Code><Message>" + SESSION_TOKEN + "'"
    exc = ResponseParserError(
        f"Unable to parse response (syntax error: line 1, column 0), invalid XML received:\n{raw}"
    )
    message = str(translate(exc))
    assert message.startswith("The endpoint's answer could not be read (Unable to parse response (syntax error")
    assert "<" not in message and SESSION_TOKEN not in message and "ctrl+r" in message


async def test_an_sso_profile_whose_login_expired_says_aws_sso_login_for_it(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))  # no SSO token cache: the login has expired
    factory = ClientFactory(AwsTarget(profile="dev", endpoint_url=UNREACHABLE))
    assert factory.credential_context.method == "sso"
    error = await failure(Gateway(factory))
    assert isinstance(error, CredentialsError) and "Run 'aws sso login --profile dev'" in str(error)
