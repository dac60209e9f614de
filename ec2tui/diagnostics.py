"""The diagnostics log (``--log-file``, ``--debug``): ec2tui's own records, one line per AWS call, unexpected errors,
and with ``--debug`` botocore's wire log; every record scrubbed of credentials before it is written. Pure Python.

Nothing is logged anywhere unless a log file was asked for: the ``ec2tui`` logger has a NullHandler, so Python's
last-resort handler never writes onto the terminal the UI is drawing.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

LOGGER_NAME = "ec2tui"
log = logging.getLogger(LOGGER_NAME)
log.addHandler(logging.NullHandler())

WIRE_LOGGERS = ("botocore", "urllib3")
"""Loggers that ``--debug`` adds at DEBUG: botocore logs every request's headers, body and signing steps."""

REDACTED = "[hidden]"  # the same mark as ec2tui.aws.scrub.HIDDEN, so a line reads the same whoever scrubbed it

_SECRET_HEADER = re.compile(
    # A header named in a dict repr ('Authorization': b'AWS4-...'), an HTTP-style line (Authorization: AWS4-...),
    # a canonical request's lower-case line (x-amz-security-token:IQo...) or a query string (X-Amz-Security-Token=...).
    r"(?P<name>authorization|x-amz-security-token)(?P<sep>['\"]?\s*[:=]\s*b?['\"]?)(?P<value>[^'\"\n,&}]+)",
    re.IGNORECASE,
)
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SIGNATURE = re.compile(r"(?P<name>signature)(?P<sep>\s*[:=]\s*\n?)(?P<value>[0-9a-f]{64})", re.IGNORECASE)
_MIN_SECRET_LENGTH = 8  # a shorter "secret" (moto's "testing") would redact ordinary words


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without credentials: secret header values, request signatures, access key ids and ``secrets``."""
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    text = _SECRET_HEADER.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    text = _SIGNATURE.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    return _ACCESS_KEY_ID.sub(REDACTED, text)


class ScrubFilter(logging.Filter):
    """Rewrites each record (message, arguments, traceback) with its secrets redacted before a handler writes it.

    ``scrub`` is an extra scrubber run first (e.g. one that knows AWS's echoed "canonical request" blocks); the
    filter's own :func:`redact` always runs after it. ``secrets`` are exact values (the secret key and session
    token in use) added at start-up and whenever credentials are seen to change.
    """

    def __init__(self, scrub: Callable[[str], str] | None = None, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.scrub = scrub
        self.secrets: set[str] = {s for s in secrets if s}

    def add_secrets(self, *values: str | None) -> None:
        self.secrets.update(v for v in values if v)

    def clean(self, text: str) -> str:
        if self.scrub is not None:
            text = self.scrub(text)
        # Longest first: a token that contains another secret is redacted whole.
        return redact(text, sorted(self.secrets, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


class _Diagnostics:
    """What :func:`configure` set up; module state because the log is one per process."""

    path: Path | None = None
    handler: logging.Handler | None = None
    scrubber: ScrubFilter | None = None
    extra_scrub: Callable[[str], str] | None = None
    secrets: set[str] = set()  # the credentials in use, shared with the log filter
    levels: dict[str, int] = {}  # loggers' levels before configure(), restored by shutdown()


_state = _Diagnostics()


class LogFileError(OSError):
    """The log file can't be opened; the message says which and why."""


def open_log_file(path: Path) -> logging.StreamHandler[Any]:
    """A handler appending to ``path``, created 0600 (a log holds request details even when scrubbed)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise LogFileError(f"Can't write the log file {path}: {exc.strerror or exc}.") from None
    return logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8", buffering=1))


def configure(
    path: str | Path,
    *,
    debug: bool = False,
    scrub: Callable[[str], str] | None = None,
    secrets: Iterable[str] = (),
) -> Path:
    """Log ec2tui at INFO (and with ``debug`` botocore's wire log at DEBUG) to ``path``; returns the absolute path.

    Raises :class:`LogFileError` when the file can't be opened.
    """
    shutdown()
    resolved = Path(path).expanduser().absolute()
    handler = open_log_file(resolved)
    add_secrets(*secrets)
    scrubber = ScrubFilter(scrub)
    scrubber.secrets = _state.secrets  # one set: secrets added later (refreshed credentials) reach the log too
    handler.addFilter(scrubber)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    _state.levels = {LOGGER_NAME: log.level}
    _enable(LOGGER_NAME)
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if debug else logging.INFO)
    if debug:
        for name in WIRE_LOGGERS:
            wire = logging.getLogger(name)
            _state.levels[name] = wire.level
            _enable(name)
            wire.addHandler(handler)
            wire.setLevel(logging.DEBUG)
    _state.path, _state.handler, _state.scrubber = resolved, handler, scrubber
    log.info("ec2tui log started (pid %s%s)", os.getpid(), ", botocore wire log on" if debug else "")
    return resolved


def _enable(name: str) -> None:
    """Undo ``disabled`` on a logger and its children: ``logging.config.dictConfig()`` (import-linter calls it)
    disables every logger that exists at the time, and ours would then write nothing."""
    for logger_name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and (logger_name == name or logger_name.startswith(f"{name}.")):
            logger.disabled = False


def shutdown() -> None:
    """Close the log file (at exit, and before a new :func:`configure`)."""
    handler = _state.handler
    if handler is None:
        return
    for name in (LOGGER_NAME, *WIRE_LOGGERS):
        logging.getLogger(name).removeHandler(handler)
    for name, level in _state.levels.items():  # botocore left at DEBUG would slow every later call
        logging.getLogger(name).setLevel(level)
    handler.close()
    _state.path, _state.handler, _state.scrubber = None, None, None


def log_path() -> Path | None:
    """Where the log is written, or None without ``--log-file``."""
    return _state.path


def add_secrets(*values: str | None) -> None:
    """Values never to be logged or shown (the secret key and session token in use), log file or not."""
    _state.secrets.update(v for v in values if v)


def use_scrubber(scrub: Callable[[str], str] | None) -> None:
    """An extra scrubber for error text shown on screen even without a log file (see :func:`configure`)."""
    _state.extra_scrub = scrub


def scrubbed(text: str) -> str:
    """``text`` as the log would write it (for showing an error on screen)."""
    if _state.scrubber is not None:
        return _state.scrubber.clean(text)
    text = _state.extra_scrub(text) if _state.extra_scrub is not None else text
    return redact(text, sorted(_state.secrets, key=len, reverse=True))


def log_unexpected(error: BaseException, where: str = "") -> None:
    """An exception nobody handled, with its traceback (scrubbed by the handler's filter)."""
    log.error("unexpected error%s: %s", f" in {where}" if where else "", summary(error), exc_info=error)


def summary(error: BaseException) -> str:
    """One line for the user: the exception's type and first line, scrubbed."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = type(error).__name__
    return scrubbed(f"{name}: {first}" if first else name)


# -- one line per AWS call ---------------------------------------------------------------------------------------

_CALL = "ec2tui_call"


def log_aws_calls(events: Any, secrets: Callable[[], Iterable[str]] | None = None) -> None:
    """Log each AWS call made through a boto3/botocore session's ``events``: operation, region, duration, outcome.

    ``secrets`` (optional) is asked for the credentials' current secret values before each call, so that a
    refreshed session token is redacted too. Registered on the session, it covers every client made from it.
    """

    def before(model: Any = None, context: dict[str, Any] | None = None, **_: Any) -> None:
        if context is not None:  # botocore passes the same dict to after-call and after-call-error
            service = getattr(getattr(model, "service_model", None), "service_name", "?")
            context[_CALL] = (f"{service}.{getattr(model, 'name', '?')}", time.monotonic())
        if secrets is not None:
            add_secrets(*secrets())

    def after(http_response: Any = None, parsed: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        error = (parsed or {}).get("Error", {}) if isinstance(parsed, dict) else {}
        status = getattr(http_response, "status_code", "?")
        outcome = f"error {error.get('Code') or status}" if error or status not in (200, "?") else "ok"
        _log_call(context, outcome)

    def after_error(exception: BaseException | None = None, context: Any = None, **_: Any) -> None:
        _log_call(context, f"failed {type(exception).__name__}" if exception else "failed")

    events.register("before-call", before, unique_id="ec2tui-log-before-call")
    events.register("after-call", after, unique_id="ec2tui-log-after-call")
    events.register("after-call-error", after_error, unique_id="ec2tui-log-after-call-error")


def _log_call(context: Any, outcome: str) -> None:
    context = context if isinstance(context, dict) else {}
    operation, started = context.get(_CALL, ("?", None))
    took = f"{time.monotonic() - started:.2f}s" if started is not None else "?s"
    log.info("aws %s region=%s %s %s", operation, context.get("client_region") or "?", took, outcome)
