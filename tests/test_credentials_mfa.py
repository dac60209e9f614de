"""Issue 12, assume-role with MFA: botocore's terminal prompt (getpass, which would hang the TUI) is replaced by a
dialog; moto's STS accepts any code. Also the canary for the private botocore attribute this relies on."""

from __future__ import annotations

import inspect
from pathlib import Path

import botocore.credentials
import botocore.session
import pytest

from ec2tui.app import Ec2App
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.aws.mfa import PROMPTER_ATTRIBUTE, use_mfa_prompt
from ec2tui.errors import CredentialsError
from ec2tui.gateway import Gateway
from ec2tui.gateway.accounts import Accounts
from ec2tui.screens.credentials import MfaAsker
from ec2tui.screens.credentials_dialogs import MfaCodeDialog
from tests.profile_helpers import PROD_ACCOUNT, STAGING_ACCOUNT, make_gateway, write_config
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import record_notifications, settle, static_text

MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice"

MFA_PROFILE = f"""
[profile mfa-admin]
role_arn = arn:aws:iam::{STAGING_ACCOUNT}:role/admin
source_profile = prod
mfa_serial = {MFA_SERIAL}
region = us-east-1
"""


@pytest.fixture
def mfa_config(aws, no_default_amis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    write_config(tmp_path, monkeypatch)
    config = tmp_path / ".aws" / "config"
    config.write_text(config.read_text() + MFA_PROFILE)
    return tmp_path


def test_botocore_still_has_the_prompter_ec2tui_replaces() -> None:
    """If this fails, botocore changed how AssumeRoleProvider asks for MFA codes: ec2tui/aws/mfa.py must follow
    (until then an MFA profile would prompt on the terminal, under the TUI)."""
    assert "prompter" in inspect.signature(botocore.credentials.AssumeRoleProvider.__init__).parameters
    source = inspect.getsource(botocore.credentials.AssumeRoleProvider)
    assert f"self.{PROMPTER_ATTRIBUTE} = prompter" in source and f"mfa_prompter=self.{PROMPTER_ATTRIBUTE}" in source
    session = botocore.session.Session()

    def ours(prompt: str) -> str:
        return "000000"

    assert use_mfa_prompt(session, ours)
    provider = session.get_component("credential_provider").get_provider("assume-role")
    assert getattr(provider, PROMPTER_ATTRIBUTE) is ours


def test_the_role_is_assumed_with_the_code_the_prompt_gives(mfa_config: Path) -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "123456"

    factory = ClientFactory(AwsTarget(profile="mfa-admin", region="us-east-1"), mfa_prompt=prompt)
    identity = factory.client("sts").get_caller_identity()
    assert identity["Account"] == STAGING_ACCOUNT
    assert asked == [f"Enter MFA code for {MFA_SERIAL}: "]


def mfa_accounts(asker: MfaAsker) -> Accounts:
    def make(profile: str) -> Gateway:
        if profile != "mfa-admin":
            return make_gateway(profile)
        target = AwsTarget(profile=profile, region="us-east-1")
        return Gateway(ClientFactory(target, mfa_prompt=asker.for_profile(profile)))

    return Accounts(make_gateway("prod"), make)


def mfa_dialog_shown(app: Ec2App) -> bool:
    return isinstance(app.screen, MfaCodeDialog) and bool(app.screen.query("#mfa-code"))


async def test_the_mfa_code_is_asked_in_a_dialog_and_the_profile_works(mfa_config: Path) -> None:
    asker = MfaAsker()
    app = Ec2App(mfa_accounts(asker))
    asker.app = app
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.account == PROD_ACCOUNT, what="prod's account")
        app.navigate("profile mfa-admin")
        await wait_for(pilot, lambda: mfa_dialog_shown(app), what="the MFA dialog")
        assert MFA_SERIAL in static_text(app, ".dialog-body") and "mfa-admin" in static_text(app, ".dialog-body")

        await pilot.press("1", "2", "enter")  # too short: said, and the dialog stays
        await pilot.pause()
        assert mfa_dialog_shown(app) and "6 digits" in static_text(app, "#mfa-error")
        await pilot.press("3", "4", "5", "6", "enter")
        await wait_for(pilot, lambda: app.account == STAGING_ACCOUNT, what="the role's account")
        assert app.context.profile == "mfa-admin"


async def test_a_cancelled_mfa_code_fails_the_call_with_a_clear_message_and_ctrl_r_asks_again(
    mfa_config: Path,
) -> None:
    asker = MfaAsker()
    app = Ec2App(mfa_accounts(asker))
    asker.app = app
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await wait_for(pilot, lambda: app.account == PROD_ACCOUNT, what="prod's account")
        app.navigate("profile mfa-admin")
        await wait_for(pilot, lambda: mfa_dialog_shown(app), what="the MFA dialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.account == "unknown", what="the failed identity")
        await settle(pilot)
        # botocore's signer asks through ec2tui's request guard, which keeps quiet about credentials it can't get;
        # the call then fails with botocore's "MFA token required", which says it all.
        assert any("Profile 'mfa-admin' assumes its role with MFA and needs a new code" in m for m in sent), sent
        assert all("ctrl+r" in m for m in sent if "MFA" in m)
        screen = app.screen
        assert screen.error is not None  # type: ignore[attr-defined]

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: mfa_dialog_shown(app), what="the MFA dialog again")
        await pilot.press(*"246810", "enter")
        await wait_for(pilot, lambda: not screen.loading_data and screen.error is None, what="the list, loaded")  # type: ignore[attr-defined]
        assert app.context.profile == "mfa-admin"


def test_before_the_app_runs_the_terminal_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "654321")
    assert MfaAsker().ask("mfa-admin", "Enter MFA code for x: ") == "654321" and asked == ["Enter MFA code for x: "]


def test_asking_from_the_apps_own_thread_fails_instead_of_hanging() -> None:
    class NotRunning:
        def push_screen(self, *args: object) -> None:
            raise AssertionError("never reached")

        def call_from_thread(self, *args: object) -> None:
            raise RuntimeError("App is not running")

    asker = MfaAsker()
    asker.app = NotRunning()
    with pytest.raises(CredentialsError, match="needs an MFA code and it can't be asked now"):
        asker.ask("mfa-admin", "Enter MFA code for x: ")


def test_every_profile_the_cli_makes_asks_for_mfa_codes_in_the_dialog() -> None:
    from ec2tui.cli import _profile_factory

    asker = MfaAsker()
    first = ClientFactory(AwsTarget(profile="prod", region="us-east-1"), mfa_prompt=asker.for_profile("prod"))
    other = _profile_factory("mfa-admin", first, asker.for_profile)
    assert other.mfa_prompt is not None and other.mfa_prompt.args == ("mfa-admin",)  # type: ignore[attr-defined]
    assert other.mfa_prompt.func == asker.ask  # type: ignore[attr-defined]


def test_a_cancel_sticks_until_the_user_asks_again() -> None:
    """Calls that reach botocore's refresh after a cancel (a fan-out over regions) fail at once, without a dialog
    each; ctrl+r (ask_mfa_again) lets the next one ask."""
    from ec2tui.screens.credentials import ask_mfa_again

    shown: list[object] = []

    class FakeApp:
        is_running = True

        def push_screen(self, *args: object) -> None:  # called through call_from_thread below
            raise AssertionError("not called directly")

        def call_from_thread(self, push, dialog, answered):  # type: ignore[no-untyped-def]
            shown.append(dialog)
            answered(None if len(shown) == 1 else "123456")  # the first dialog is cancelled, the next answered

    asker = MfaAsker()
    app = FakeApp()
    asker.app = app
    with pytest.raises(CredentialsError, match="no MFA code was given"):
        asker.ask("mfa-admin", "Enter MFA code for x: ")
    for _ in range(3):  # later calls of the same burst
        with pytest.raises(CredentialsError, match="no MFA code was given"):
            asker.ask("mfa-admin", "Enter MFA code for x: ")
    assert len(shown) == 1, "one dialog for the whole burst"
    ask_mfa_again(app)
    assert asker.ask("mfa-admin", "Enter MFA code for x: ") == "123456" and len(shown) == 2
