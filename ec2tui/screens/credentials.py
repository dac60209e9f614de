"""Credentials that need the user, and recovering when they stop working, without a restart.

- Before a profile is used (:func:`ensure_credentials`, at start-up :func:`check_starting_profile`): an SSO profile
  whose login is missing or expired (read from botocore's SSO token cache) is offered ``aws sso login`` in this
  terminal, as connecting is (the app suspends and comes back).
- Mid-session (:func:`recover`, called where a load failed with a :class:`CredentialsError`): an SSO login is
  offered once; other expired credentials are dropped so that ctrl+r resolves them afresh. After a login the
  profile's session is forgotten and what failed is tried again.
- Assume-role with MFA (:class:`MfaAsker`): botocore's prompt, answered in a dialog instead of on the terminal.
"""

from __future__ import annotations

import concurrent.futures
import getpass
import threading
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

from ec2tui.aws.credential_codes import MFA_CANCELLED, MFA_NEEDED, RESOLVE_AGAIN, SSO_EXPIRED
from ec2tui.aws.models.profiles import ProfileInfo
from ec2tui.aws.sso_login import aws_cli_path, install_advice, login_command
from ec2tui.deferred import deferred
from ec2tui.errors import CredentialsError, Ec2TuiError
from ec2tui.screens.credentials_dialogs import MfaCodeDialog, SsoLoginDialog
from ec2tui.terminal_session import runner_of

Retry = Callable[[], object]


async def ensure_credentials(app: Any, info: ProfileInfo) -> bool:
    """True when ``info``'s credentials may be used now. An SSO profile (or a role assumed from one) whose login is
    missing or expired is offered the login first: True once it succeeded. Must run in a worker (it waits for the
    dialog)."""
    login = await _sso_profile_of(app, info)
    if login is None:
        return True
    state = await app.accounts.sso_state(login)
    if state.valid:
        return True
    return await recovery_of(app).login(login, state.reason, then="switches to it", retry=None, failed=info.name)


async def check_starting_profile(app: Any) -> None:
    """At start-up: the starting profile's SSO login, checked before its first calls fail (they do fail meanwhile:
    the login, once done, reloads the identity and the screen)."""
    info = await _info_of(app, app.context.profile)
    if info is None:
        return
    login = await _sso_profile_of(app, info)
    if login is None:
        return
    state = await app.accounts.sso_state(login)
    if not state.valid:
        await recovery_of(app).login(
            login, state.reason, then="loads it", retry=partial(reload_current, app), failed=info.name
        )


def recover(app: Any, error: Ec2TuiError, retry: Retry, *, asked: bool = False, profile: str | None = None) -> None:
    """A load of ``profile`` (by default the current one) failed with ``error`` (already shown): if its credentials
    stopped working, help. ``asked``: the user asked for this load (ctrl+r), so a login declined before is offered
    again."""
    if not isinstance(error, CredentialsError):
        return
    app.run_worker(
        deferred(recovery_of(app).after_failure, profile or app.context.profile, error, retry, asked=asked),
        group="credentials",
        exit_on_error=False,
    )


def reload_current(app: Any) -> None:
    """What a login retries at start-up: the account in the header and the list on screen."""
    app.load_identity()
    reload = getattr(app.screen, "reload", None)
    if reload is not None:
        reload(True)


class CredentialRecovery:
    """One per app: at most one login offer per profile at a time (what fails meanwhile waits for it and is retried
    after it), and a mid-session offer made once: declined, it comes back only when the user asks (ctrl+r)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._waiting: dict[str, list[Retry]] = {}
        self._declined: set[str] = set()

    async def after_failure(self, profile: str, error: CredentialsError, retry: Retry, *, asked: bool) -> None:
        info = await _info_of(self.app, profile)
        login = await _sso_profile_of(self.app, info) if info is not None else None
        if login is not None:
            state = await self.app.accounts.sso_state(login)
            if error.code == SSO_EXPIRED or not state.valid:
                if login.name in self._declined and not asked and login.name not in self._waiting:
                    return  # the error on screen says what to run; ctrl+r offers the login again
                reason = state.reason if not state.valid else "the SSO login was refused (it may have been revoked)"
                await self.login(login, reason, then="loads this again", retry=retry, failed=profile)
                return
        if error.code in RESOLVE_AGAIN:
            # Keys rewritten in the credentials file, a role assumed again (with a new MFA code): the next call
            # resolves them afresh. botocore never asks twice for an MFA code in one session.
            self.app.accounts.forget_credentials(profile)
            if error.code == MFA_NEEDED and asked:
                retry()  # ctrl+r: ask for the new code now

    async def login(self, info: ProfileInfo, reason: str, *, then: str, retry: Retry | None, failed: str) -> bool:
        """Offer ``aws sso login --profile NAME`` for ``info``; True once the token cache holds a valid token, the
        sessions of ``info`` and ``failed`` are forgotten and every retry waiting for it has run."""
        name = info.name
        if name in self._waiting:  # already offered: retry with it
            if retry is not None:
                self._waiting[name].append(retry)
            return False
        self._waiting[name] = [retry] if retry is not None else []
        try:
            done = await self._run_login(info, reason, then)
        finally:
            retries = self._waiting.pop(name, [])
        if not done:
            self._declined.add(name)
            return False
        self._declined.discard(name)
        for profile in {name, failed}:
            self.app.accounts.forget_credentials(profile)
        for again in retries:
            again()
        return True

    async def _run_login(self, info: ProfileInfo, reason: str, then: str) -> bool:
        from ec2tui.screens.instance_dialogs import InfoDialog

        app = self.app
        command = login_command(info.name)
        if aws_cli_path() is None:
            app.push_screen(
                InfoDialog("AWS CLI needed for the SSO login", install_advice(info.name), command.display, "command")
            )
            return False
        dialog = SsoLoginDialog(info.name, reason, command.display, then)
        if not await app.push_screen(dialog, wait_for_dismiss=True):
            return False
        result = runner_of(app).run(app, command)
        if not result.ok:
            why = result.error or f"it ended with exit status {result.status}"
            app.notify(
                f"Profile {info.name}: the SSO login did not finish ({why}).\n$ {result.command}",
                title="Not logged in",
                severity="error",
                markup=False,
                timeout=15,
            )
            return False
        state = await app.accounts.sso_state(info)
        if not state.valid:
            app.notify(
                f"Profile {info.name}: still not logged in after 'aws sso login' ({state.reason}).",
                title="Not logged in",
                severity="error",
                markup=False,
                timeout=15,
            )
            return False
        until = f" until {state.expires_at:%H:%M} UTC" if state.expires_at else ""
        app.notify(f"Profile {info.name} is logged in{until}.", title="SSO login", markup=False)
        return True


_RECOVERIES: weakref.WeakKeyDictionary[Any, CredentialRecovery] = weakref.WeakKeyDictionary()


def recovery_of(app: Any) -> CredentialRecovery:
    recovery = _RECOVERIES.get(app)
    if recovery is None:
        recovery = _RECOVERIES[app] = CredentialRecovery(app)
    return recovery


async def _info_of(app: Any, profile: str) -> ProfileInfo | None:
    listing = await app.accounts.profiles()
    return next((p for p in listing.profiles if p.name == profile), None)


async def _sso_profile_of(app: Any, info: ProfileInfo) -> ProfileInfo | None:
    """The SSO profile whose login ``info`` depends on: itself, or the start of its chain of source profiles."""
    if info.kind == "sso":
        return info
    if info.source_profile is None:
        return None
    listing = await app.accounts.profiles()
    by_name = {p.name: p for p in listing.profiles}
    seen = {info.name}
    current: ProfileInfo | None = info
    while current is not None and current.kind == "assume-role" and current.source_profile not in seen:
        seen.add(current.source_profile or "")
        current = by_name.get(current.source_profile or "")
    return current if current is not None and current.kind == "sso" else None


class MfaAsker:
    """botocore's MFA prompter (see :mod:`ec2tui.aws.mfa`), answered in a dialog. It is called in a gateway worker
    thread and waits there while the app's thread shows :class:`MfaCodeDialog`; before the app runs (the starting
    profile's credentials, resolved before the UI starts) the terminal is still the user's, so it asks there.

    One dialog at a time per profile. A cancel sticks until the user asks again (ctrl+r on a list, or choosing the
    profile): every call that needs the code meanwhile fails at once, so a fan-out over regions, whose calls reach
    botocore's refresh one after another, asks once rather than once per region."""

    def __init__(self) -> None:
        self.app: Any = None
        """Set once the app is made (the first profile's factory exists before it)."""
        self._lock = threading.Lock()
        self._refused: set[str] = set()

    def ask_again(self) -> None:
        """The user asked for it (ctrl+r, a profile chosen): the next call needing a code shows the dialog again."""
        self._refused.clear()

    def for_profile(self, profile: str) -> Callable[[str], str]:
        return partial(self.ask, profile)

    def ask(self, profile: str, prompt: str) -> str:
        app = self.app
        if app is None:
            return getpass.getpass(prompt)
        _ASKERS[app] = self
        with self._lock:
            if profile in self._refused:
                raise _cancelled(profile)
            answer: concurrent.futures.Future[str | None] = concurrent.futures.Future()
            dialog = MfaCodeDialog(profile, _device(prompt))
            try:
                app.call_from_thread(app.push_screen, dialog, answer.set_result)
            except RuntimeError as exc:  # the app isn't running, or this is its own thread (nothing could answer)
                raise CredentialsError(
                    f"Profile '{profile}' needs an MFA code and it can't be asked now ({exc}).", MFA_CANCELLED
                ) from exc
            code = _wait(app, answer)
            if code is None:
                self._refused.add(profile)
                raise _cancelled(profile)
            return code


_ASKERS: weakref.WeakKeyDictionary[Any, MfaAsker] = weakref.WeakKeyDictionary()
"""The asker answering for each running app (set on its first question)."""


def ask_mfa_again(app: Any) -> None:
    """After a cancelled MFA code: the user asks again (ctrl+r, a profile chosen), so the dialog may show again."""
    asker = _ASKERS.get(app)
    if asker is not None:
        asker.ask_again()


def _wait(app: Any, answer: concurrent.futures.Future[str | None]) -> str | None:
    """The dialog's answer; None if the app ends first (a liveness poll, not a deadline: the user takes their time)."""
    while True:
        try:
            return answer.result(timeout=0.5)
        except concurrent.futures.TimeoutError:
            if not app.is_running:
                return None


def _cancelled(profile: str) -> CredentialsError:
    return CredentialsError(
        f"Profile '{profile}': no MFA code was given, so its role was not assumed. Press ctrl+r to be asked again.",
        MFA_CANCELLED,
    )


def _device(prompt: str) -> str:
    """The MFA device in botocore's prompt ("Enter MFA code for arn:aws:iam::…:mfa/me: ")."""
    text = prompt.strip().removesuffix(":").strip()
    return text.removeprefix("Enter MFA code for ").strip() or text
