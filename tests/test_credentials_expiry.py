"""Issue 12, credentials expiring mid-session: the error names the profile and says what to do, an SSO login is
offered (once: declined, only ctrl+r offers it again) and other credentials are resolved afresh, so the list loads
again without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError, UnauthorizedSSOTokenError

from ec2tui.app import Ec2App
from ec2tui.aws import instances as svc
from ec2tui.aws.profiles import ProfileInfo, sso_login_state
from ec2tui.screens.credentials_dialogs import SsoLoginDialog
from ec2tui.widgets.virtual_table import VirtualTable
from tests.credentials_helpers import START_URL, ForegroundRunner, SsoSetup, sso_setup, write_token
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import record_notifications, settle

SSO_DEV = ProfileInfo("sso-dev", "sso", sso_start_url=START_URL)


@pytest.fixture
def sso(no_default_amis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SsoSetup:  # type: ignore[no-untyped-def]
    return sso_setup(tmp_path, monkeypatch)


def names_listed(app: Ec2App) -> set[str]:
    """The names the list shows (under a dialog too)."""
    screen = next(s for s in reversed(app.screen_stack) if s.query("#table"))
    table = screen.query_one("#table", VirtualTable)
    return {table.row_text(key)[1] for key in table.row_keys}


def offered(app: Ec2App) -> bool:
    return isinstance(app.screen, SsoLoginDialog) and bool(app.screen.query(".dialog-body"))


def fail_while_logged_out(monkeypatch: pytest.MonkeyPatch, home: Path) -> list[str]:
    """The listing fails as botocore does while sso-dev's token (the test's own cache) is expired."""
    real = svc.list_instances
    failures: list[str] = []

    def listing(ec2, region, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not sso_login_state(SSO_DEV, cache_dir=home / ".aws" / "sso" / "cache").valid:
            failures.append(region)
            raise UnauthorizedSSOTokenError()
        return real(ec2, region, *args, **kwargs)

    monkeypatch.setattr(svc, "list_instances", listing)
    return failures


async def test_an_sso_login_expiring_mid_session_is_offered_and_the_list_comes_back(
    sso: SsoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_token(sso.home, expired=False)
    failures = fail_while_logged_out(monkeypatch, sso.home)
    app = Ec2App(sso.accounts(first="sso-dev"))
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.navigate("instances")
        await settle(pilot)
        assert names_listed(app) == {"web-1", "web-2"}

        write_token(sso.home, expired=True)  # the login runs out while ec2tui is open
        before = app.accounts.gateway("sso-dev")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: offered(app), what="the login offer")
        assert failures and names_listed(app) == set()
        error = next(m for m in sent if "SSO login is missing or expired" in m)
        assert "Profile 'sso-dev'" in error and "aws sso login --profile sso-dev" in error

        await pilot.press("y")
        await wait_for(pilot, lambda: names_listed(app) == {"web-1", "web-2"}, what="the rows, loaded again")
        assert runner.ran == ["aws sso login --profile sso-dev"]
        assert app.accounts.gateway("sso-dev") is not before, "the profile's session was made afresh"
        assert app.context.profile == "sso-dev"


async def test_a_declined_login_is_offered_again_only_when_the_user_asks(
    sso: SsoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_token(sso.home, expired=True)
    failures = fail_while_logged_out(monkeypatch, sso.home)
    app = Ec2App(sso.accounts(first="sso-dev"))
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: offered(app), what="the start-up offer")
        await pilot.press("n")
        await settle(pilot)
        app.navigate("instances")  # a load that fails by itself: the error is shown, the offer not repeated
        await wait_for(pilot, lambda: len(failures) >= 1, what="the failing load")
        await settle(pilot)
        assert not offered(app) and runner.ran == []

        await pilot.press("ctrl+r")  # the user asks: offered again
        await wait_for(pilot, lambda: offered(app), what="the offer on ctrl+r")
        await pilot.press("y")
        await wait_for(pilot, lambda: names_listed(app) == {"web-1", "web-2"}, what="the rows")
        assert runner.ran == ["aws sso login --profile sso-dev"]


async def test_expired_static_credentials_name_the_profile_and_ctrl_r_resolves_them_again(
    sso: SsoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = svc.list_instances
    expire = [True]

    def listing(ec2, region, *args, **kwargs):  # type: ignore[no-untyped-def]
        if expire and expire.pop():
            raise ClientError({"Error": {"Code": "RequestExpired", "Message": "Request has expired."}}, "Describe")
        return real(ec2, region, *args, **kwargs)

    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        before = app.accounts.gateway("prod")
        monkeypatch.setattr(svc, "list_instances", listing)
        app.navigate("instances")
        await settle(pilot)
        error = next(m for m in sent if "RequestExpired" in m)
        assert "credentials of profile 'prod' have expired" in error and "then press ctrl+r" in error
        assert not offered(app) and runner.ran == [], "static keys: explained, no login offered"
        assert app.accounts.gateway("prod") is not before, "the next call resolves the credentials afresh"

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert names_listed(app) == {"web-1", "web-2"}
        assert "AKIAPRODEXAMPLE00001" not in " ".join(sent) and "prod-secret" not in " ".join(sent)
