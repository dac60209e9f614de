"""Checks on every request a :class:`~ec2tui.aws.clients.ClientFactory` client sends, as botocore event hooks.

They sit where every request leaves, so no code path can get round them:

- read-only mode refuses any operation that is not a Describe/Get/List (or a ``DryRun=True`` call) before a byte
  is sent; the gateway checks too, but a hook cannot be forgotten by a new mutation;
- a ``DryRun=True`` call that comes back as a success means the endpoint ignored DryRun (and may have made the
  change): that is an error, never a "would have succeeded", and read-only mode sends it no dry run again;
- a web page where AWS's answer should be (a proxy's or an emulator's error page) becomes one line, not raw HTML;
  a transient status (500, 502, 503, 504) is first tried again as the client's retry mode says;
- the credentials each request is signed with are registered for scrubbing just before it is signed, so before
  botocore's debug log writes the signed request (read in the worker thread, and fresh: SSO and assumed-role
  credentials change when they refresh).
"""

from __future__ import annotations

import contextlib
import html
import http.client
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ec2tui.aws import scrub
from ec2tui.aws.errors import WEB_PAGE_KEY
from ec2tui.errors import DryRunIgnoredError, EndpointError, ReadOnlyError

READ_PREFIXES = ("Describe", "Get", "List")
"""Every read ec2tui makes (EC2 Describe*, SSM GetParameter(s)/GetParametersByPath, IAM ListInstanceProfiles, STS
GetCallerIdentity) starts with one of these; no AWS operation so named changes anything."""

_DRY_RUN = "ec2tui_dry_run"
"""Key in botocore's per-request context: the call asked for DryRun."""

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
"""botocore's standard and adaptive retry modes try these statuses again (``TransientRetryableChecker``)."""

_WEB_PAGE = re.compile(rb"^\s*(?:<!doctype html|<html)", re.IGNORECASE)
_TITLE = re.compile(r"<(title|h1)[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def is_read(operation_name: str) -> bool:
    return operation_name.startswith(READ_PREFIXES)


@dataclass
class RequestPolicy:
    """What the hooks enforce; shared by every client of one factory and read at each request."""

    read_only: bool = False
    dry_run_ignored: bool = False
    """Set once an endpoint has answered a DryRun call with a success: read-only mode then refuses dry runs too."""


class RequestGuards:
    """The hooks for one client (botocore gives each client its own copy of the session's event system)."""

    def __init__(self, policy: RequestPolicy, endpoint_url: str, credentials: Callable[[], Any]) -> None:
        self.policy = policy
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        """The session's ``get_credentials``: cached by the session once its clients resolved them."""

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self.refuse_changes_when_read_only, unique_id="ec2tui-read-only")
        events.register("before-sign", self.remember_signing_secrets, unique_id="ec2tui-remember-secrets")
        events.register("before-parse", self.refuse_web_pages, unique_id="ec2tui-web-pages")
        events.register("after-call", self.refuse_ignored_dry_run, unique_id="ec2tui-dry-run-ignored")

    def refuse_changes_when_read_only(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        dry_run = params.get("DryRun") is True
        if dry_run:
            context[_DRY_RUN] = True
        if not self.policy.read_only or is_read(model.name):
            return
        if dry_run and not self.policy.dry_run_ignored:
            return
        raise ReadOnlyError(f"{model.name} (DryRun: this endpoint ignores it)" if dry_run else model.name)

    def refuse_ignored_dry_run(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if context.get(_DRY_RUN) and http_response.status_code < 300:
            self.policy.dry_run_ignored = True
            raise DryRunIgnoredError(model.name, self.endpoint_url)

    def refuse_web_pages(
        self,
        response_dict: dict[str, Any],
        operation_model: Any,
        customized_response_dict: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        """A web page instead of AWS's XML/JSON: report its status and title. It comes from something that is not
        AWS (a proxy, a wrong --endpoint-url, an emulator's crash page). A transient status (a proxy's 502 or 503,
        an emulator's 500 under load) is tried again as the retry mode says: the page's line then rides in the
        parsed error (botocore merges ``customized_response_dict`` into its parse) to the last attempt's
        ``ClientError``, which :func:`ec2tui.aws.errors.translate` turns into the same one line. Any other status is
        refused at once."""
        status = response_dict["status_code"]
        body = response_dict.get("body") or b""
        content_type = str(response_dict.get("headers", {}).get("content-type", ""))
        if status < 300 or not (_WEB_PAGE.match(body) or content_type.startswith("text/html")):
            return
        summary = page_summary(body, status)
        message = (
            f"HTTP {status} from {self.endpoint_url}: {summary}. The answer is a web page, not AWS's: check "
            "--endpoint-url and any proxy, then ctrl+r retries."
        )
        if status in TRANSIENT_STATUSES and customized_response_dict is not None:
            response_dict["body"] = b""  # parsed as a bodiless server error (botocore's XML parser fails on HTML)
            customized_response_dict["Error"] = {"Code": str(status), "Message": summary, WEB_PAGE_KEY: message}
            return
        raise EndpointError(message, f"HTTP{status}", operation_model.name)

    def remember_signing_secrets(self, **_: Any) -> None:
        with contextlib.suppress(Exception):  # no usable credentials: the request fails and says so itself
            scrub.remember_secrets(self.credentials())


def page_summary(body: bytes, status: int) -> str:
    """One line for an HTML page: its title (or first heading) without the status it repeats."""
    reason = http.client.responses.get(status, "error")
    match = _TITLE.search(body[:65536].decode("utf-8", "replace"))
    if not match:
        return reason
    title = " ".join(html.unescape(_TAG.sub(" ", match.group(2))).split())
    title = title.removeprefix(str(status)).strip()
    return scrub.scrub(title[:120]) or reason
