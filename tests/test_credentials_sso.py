"""Issue 12, SSO: a missing or expired login is offered ``aws sso login`` in this terminal (a fake ``aws`` on PATH
writes the token into the test's own token cache), before a profile is used and at start-up, and what needed it
goes on; without the AWS CLI the user is told how to get it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ec2tui.app import Ec2App
from ec2tui.screens.credentials_dialogs import SsoLoginDialog
from ec2tui.screens.instance_dialogs import InfoDialog
from tests.credentials_helpers import ForegroundRunner, SsoSetup, sso_setup, token_file, write_token
from tests.profile_helpers import PROD_ACCOUNT
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import record_notifications, settle, static_text, table_rows

LOGIN = "aws sso login --profile sso-dev"


@pytest.fixture
def sso(no_default_amis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SsoSetup:  # type: ignore[no-untyped-def]
    return sso_setup(tmp_path, monkeypatch)


def shown(app: Ec2App, dialog: type) -> bool:
    """The dialog is on top and composed."""
    return isinstance(app.screen, dialog) and bool(app.screen.query(".dialog-body"))


def names_listed(app: Ec2App) -> set[str]:
    return {row[1] for row in table_rows(app)}


async def choose_profile(pilot, app: Ec2App, name: str) -> None:  # type: ignore[no-untyped-def]
    app.navigate("profiles")
    await settle(pilot)
    app.screen.query_one("#table").move_cursor(key=name)  # type: ignore[attr-defined]
    await pilot.press("enter")


async def test_enter_on_a_logged_out_sso_profile_offers_the_login_runs_it_here_and_switches(sso: SsoSetup) -> None:
    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.navigate("instances")
        await settle(pilot)
        await choose_profile(pilot, app, "sso-dev")
        await wait_for(pilot, lambda: shown(app, SsoLoginDialog), what="the login offer")
        body = static_text(app, ".dialog-body")
        assert "Profile sso-dev: not logged in" in body and LOGIN in body
        assert app.context.profile == "prod", "nothing switched before the login"

        await pilot.press("y")
        await wait_for(pilot, lambda: app.context.profile == "sso-dev", what="the switch after the login")
        await settle(pilot)
        assert runner.ran == [LOGIN] and sso.aws_ran() == ["sso login --profile sso-dev"]
        assert token_file(sso.home).exists(), "the fake aws wrote its token where botocore reads it"
        assert any("Profile sso-dev is logged in" in m for m in sent)
        assert app.current_mode == "instances" and names_listed(app) == {"web-1", "web-2"}
        assert not any("fake-access-token" in m for m in sent), "the token is never shown"


async def test_a_declined_login_keeps_the_current_profile(sso: SsoSetup) -> None:
    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await choose_profile(pilot, app, "sso-dev")
        await wait_for(pilot, lambda: shown(app, SsoLoginDialog), what="the login offer")
        await pilot.press("n")
        await settle(pilot)
        assert app.context.profile == "prod" and runner.ran == [] and sso.aws_ran() == []


async def test_a_login_that_fails_or_leaves_no_token_says_so_and_does_not_switch(
    sso: SsoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_AWS_FAIL", "1")
    app = Ec2App(sso.accounts())
    app.command_runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.navigate("profile sso-dev")  # `:profile NAME` checks the login too
        await wait_for(pilot, lambda: shown(app, SsoLoginDialog), what="the login offer")
        await pilot.press("y")
        await settle(pilot)
        assert app.context.profile == "prod"
        assert any("the SSO login did not finish (it ended with exit status 255)" in m and LOGIN in m for m in sent)


async def test_without_the_aws_cli_the_user_is_told_how_to_get_it(
    sso: SsoSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(sso.home / "empty"))
    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await choose_profile(pilot, app, "sso-dev")
        await wait_for(pilot, lambda: shown(app, InfoDialog), what="the install advice")
        body = static_text(app, ".dialog-body")
        assert "The AWS CLI ('aws') is not on PATH" in body and "getting-started-install" in body
        assert static_text(app, "#info-value") == LOGIN
        assert app.context.profile == "prod" and runner.ran == []


async def test_a_valid_login_is_used_without_asking(sso: SsoSetup) -> None:
    write_token(sso.home, expired=False)
    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await choose_profile(pilot, app, "sso-dev")
        await wait_for(pilot, lambda: app.context.profile == "sso-dev", what="the switch")
        assert runner.ran == []


async def test_at_start_up_an_expired_sso_login_is_offered_and_the_screen_then_loads(sso: SsoSetup) -> None:
    write_token(sso.home, expired=True)
    app = Ec2App(sso.accounts(first="sso-dev"))
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: shown(app, SsoLoginDialog), what="the start-up offer")
        assert "the SSO login expired at" in static_text(app, ".dialog-body")
        before = app.accounts.gateway("sso-dev")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.accounts.gateway("sso-dev") is not before, what="credentials forgotten")
        await settle(pilot)
        assert runner.ran == [LOGIN] and app.account == PROD_ACCOUNT, "the identity was loaded again"
        app.navigate("instances")
        await settle(pilot)
        assert names_listed(app) == {"web-1", "web-2"}


async def test_a_role_assumed_from_an_sso_profile_offers_that_profiles_login(sso: SsoSetup) -> None:
    app = Ec2App(sso.accounts())
    app.command_runner = runner = ForegroundRunner()  # type: ignore[attr-defined]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await choose_profile(pilot, app, "sso-role")
        await wait_for(pilot, lambda: shown(app, SsoLoginDialog), what="the login offer")
        assert "Profile sso-dev: not logged in" in static_text(app, ".dialog-body")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.context.profile == "sso-role", what="the switch")
        assert runner.ran == [LOGIN]
