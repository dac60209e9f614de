"""Issue 12: one context owned by the app; `:profiles`, a live switch between two moto accounts that never mixes
them, the multi-account instances view, `:region NAME`, and the race of a switch while a load is out."""

from __future__ import annotations

import threading

from ec2tui.app import Ec2App
from ec2tui.aws import instances as svc
from ec2tui.context import Context
from ec2tui.screens.instances import InstancesScreen
from ec2tui.screens.instances_accounts import AccountsInstancesScreen
from ec2tui.screens.profiles import ProfilesScreen
from tests.profile_helpers import PROD_ACCOUNT, STAGING_ACCOUNT, TwoAccounts
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import record_notifications, settle, static_text, table_rows

pytest_plugins = ["tests.profile_fixtures"]


def names_listed(app: Ec2App) -> set[str]:
    return {row[1] for row in table_rows(app)}


async def test_the_switch_shows_each_accounts_instances_and_never_mixes_them(
    two_accounts: TwoAccounts, monkeypatch
) -> None:
    # The instance list's TTL is seconds: a loaded machine must not turn "within the TTL" into a clock race.
    monkeypatch.setattr("ec2tui.gateway.instances.INSTANCES_TTL", 3600.0)
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.context == Context("prod", "us-east-1") and app.account == PROD_ACCOUNT
        app.navigate("instances")
        await settle(pilot)
        assert names_listed(app) == {"prod-web", "prod-db"}
        prod_calls = two_accounts.accounts.gateway("prod").core.calls["instances"]

        app.navigate("profile staging")
        await wait_for(pilot, lambda: app.account == STAGING_ACCOUNT, what="the staging account")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen) and app.screen.ec2app.context.profile == "staging"
        assert names_listed(app) == {"staging-web"}, "the staging view holds staging's rows only"
        header = static_text(app, "AppHeader")
        assert "staging" in header and STAGING_ACCOUNT in header and PROD_ACCOUNT not in header

        app.navigate("profile prod")
        await wait_for(pilot, lambda: app.account == PROD_ACCOUNT, what="the prod account")
        await settle(pilot)
        assert names_listed(app) == {"prod-web", "prod-db"}
        assert two_accounts.accounts.gateway("prod").core.calls["instances"] == prod_calls, (
            "switching back within the TTL is served from that profile's cache"
        )


async def test_profiles_lists_every_profile_with_its_kind_and_problems(two_accounts: TwoAccounts) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.navigate("profiles")
        await settle(pilot)
        assert isinstance(app.screen, ProfilesScreen)
        rows = {row[2]: row for row in table_rows(app)}
        assert set(rows) == {"prod", "staging", "sso-dev", "broken", "(environment)"}
        assert rows["(environment)"][3] == "environment"
        current, _, _, kind, account, region, _login, source = rows["prod"]
        assert (current, kind, account, region, source) == ("●", "access key", PROD_ACCOUNT, "us-east-1", "access key")
        assert rows["staging"][3] == "role" and rows["staging"][7] == "role via profile prod"
        assert rows["staging"][4] == "—", "an account is shown once the profile was used"
        assert rows["sso-dev"][3] == "SSO" and rows["sso-dev"][6] == "not logged in"
        assert "no source_profile" in rows["broken"][6] or "without source_profile" in rows["broken"][6]
        text = " ".join(" ".join(r) for r in table_rows(app))
        assert "prod-secret-never-shown" not in text and "AKIAPRODEXAMPLE00001" not in text


async def test_enter_on_a_profile_switches_and_returns_to_the_view_the_user_came_from(
    two_accounts: TwoAccounts,
) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.navigate("instances")
        await settle(pilot)
        app.navigate("profiles")
        await settle(pilot)
        app.screen.query_one("#table").move_cursor(key="staging")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current_mode == "instances", what="back on the instances")
        await settle(pilot)
        assert app.context.profile == "staging"
        assert names_listed(app) == {"staging-web"}


async def test_a_broken_or_logged_out_profile_is_explained_not_used(two_accounts: TwoAccounts, monkeypatch) -> None:
    monkeypatch.setenv(
        "PATH", str(two_accounts.home / "no-aws-cli")
    )  # the login offer is tests/test_credentials_sso.py's
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(140, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.navigate("profiles")
        await settle(pilot)
        for name in ("broken", "sso-dev"):
            app.screen.query_one("#table").move_cursor(key=name)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            assert app.context.profile == "prod"
        assert any("broken can't be used" in m for m in sent)
        assert static_text(app, "#info-value") == "aws sso login --profile sso-dev", "how to log in, once installed"


async def test_several_accounts_in_one_view_with_a_failing_profile_reported(two_accounts: TwoAccounts) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(160, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.show_instances_of(["prod", "staging", "broken"])
        await settle(pilot, rounds=5)
        screen = app.screen
        assert isinstance(screen, AccountsInstancesScreen)
        rows = {row[4]: row for row in table_rows(app)}  # mark, profile, account, region, name, ...
        assert set(rows) == {"prod-web", "prod-db", "staging-web"}
        assert rows["prod-web"][1:3] == ["prod", PROD_ACCOUNT]
        assert rows["staging-web"][1:3] == ["staging", STAGING_ACCOUNT]
        assert "broken" in screen.region_errors, "the failing profile is reported"
        assert any(m.startswith("broken: ") for m in sent), sent

        # An action on a row acts in that row's context: stopping staging-web stops it in the staging account.
        staging_id = two_accounts.staging_ids[0]
        screen.table.move_cursor(key=staging_id)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        state = two_accounts.ec2("staging").describe_instances(InstanceIds=[staging_id])
        assert state["Reservations"][0]["Instances"][0]["State"]["Name"] in ("stopping", "stopped")


async def test_a_switch_while_a_load_is_out_never_lands_the_old_answer(two_accounts: TwoAccounts, monkeypatch) -> None:
    release = threading.Event()
    entered = threading.Event()
    real = svc.list_instances

    def held(ec2, region, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = real(ec2, region, *args, **kwargs)
        if any(i.name.startswith("prod") for i in answer):
            entered.set()
            release.wait(30)
        return answer

    monkeypatch.setattr(svc, "list_instances", held)
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.navigate("instances")
        await wait_for(pilot, entered.is_set, what="the prod load to be out")
        app.navigate("profile staging")
        await wait_for(pilot, lambda: app.account == STAGING_ACCOUNT, what="the switch")
        await settle(pilot)
        release.set()
        await settle(pilot)
        await pilot.pause(0.1)
        await settle(pilot)
        assert names_listed(app) == {"staging-web"}


async def test_region_command_switches_explicitly_and_refuses_unknown_names(two_accounts: TwoAccounts) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(120, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.navigate("region eu-west-1")
        await settle(pilot)
        assert app.context == Context("prod", "eu-west-1") and app.region == "eu-west-1"
        assert "Region is now eu-west-1" in sent
        app.navigate("region eu-west-9")
        await settle(pilot)
        assert app.region == "eu-west-1"
        assert any("There is no region 'eu-west-9'" in m for m in sent)
        app.navigate("profile nobody")
        await settle(pilot)
        assert app.context.profile == "prod"
        assert any("There is no profile 'nobody'" in m for m in sent)


async def test_space_marks_profiles_and_i_lists_their_instances_together(two_accounts: TwoAccounts) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.navigate("instances")
        await settle(pilot)
        app.navigate("profiles")
        await settle(pilot)
        table = app.screen.query_one("#table")
        table.move_cursor(key="prod")  # type: ignore[attr-defined]
        await pilot.press("space")
        table.move_cursor(key="staging")  # type: ignore[attr-defined]
        await pilot.press("space")
        await settle(pilot)
        rows = {row[2]: row for row in table_rows(app)}
        assert rows["prod"][1] == "✓" and rows["staging"][1] == "✓" and rows["sso-dev"][1] == ""
        assert "2 marked" in static_text(app, "#title")
        await pilot.press("i")
        await settle(pilot, rounds=5)
        assert isinstance(app.screen, AccountsInstancesScreen), "a view of its own, beside the instances mode's"
        assert {row[4] for row in table_rows(app)} == {"prod-web", "prod-db", "staging-web"}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfilesScreen)


async def test_the_prompt_completes_region_and_profile_names_it_has_seen(two_accounts: TwoAccounts) -> None:
    from ec2tui.screens.command_prompt import CommandPrompt

    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the regions screen lists them
        app.navigate("profiles")
        await settle(pilot)
        await pilot.press("colon")
        await settle(pilot)
        assert isinstance(app.screen, CommandPrompt)
        await pilot.press(*"region eu-w", "tab")
        assert app.screen.query_one("#prompt").value == "region eu-west-1"  # type: ignore[attr-defined]
        await pilot.press("ctrl+u", *"profile sta", "tab")
        assert app.screen.query_one("#prompt").value == "profile staging"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.context.profile == "staging", what="the switch")


async def test_launch_more_like_this_on_another_profiles_row_says_how_to_get_there(two_accounts: TwoAccounts) -> None:
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(160, 40)) as pilot:
        sent = record_notifications(app)
        await settle(pilot)
        app.show_instances_of(["prod", "staging"])
        await settle(pilot, rounds=5)
        screen = app.screen
        assert isinstance(screen, AccountsInstancesScreen)
        screen.table.move_cursor(key=two_accounts.staging_ids[0])
        screen.action_launch_like_this()
        await settle(pilot)
        assert app.current_mode != "launch", "the form is the current profile's: it never gets another account's IDs"
        assert any("belongs to profile staging" in m and ":profile staging" in m for m in sent), sent


async def test_the_multi_account_view_offers_the_login_of_a_profile_whose_sso_session_is_gone(
    two_accounts: TwoAccounts, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(two_accounts.home / "no-aws-cli"))  # the offer then says how to get the CLI
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.show_instances_of(["prod", "sso-dev"])
        await wait_for(
            pilot,
            lambda: type(app.screen).__name__ == "InfoDialog" and bool(app.screen.query("#info-value")),
            what="the login help for sso-dev, composed",
        )
        assert static_text(app, "#info-value") == "aws sso login --profile sso-dev"
        view = app.screen_stack[-2]
        assert isinstance(view, AccountsInstancesScreen)
        assert "sso-dev" in view.region_errors
        assert {i.name for i in view.items} == {"prod-web", "prod-db"}, "the other profile's rows stay"


async def test_an_accounts_alias_shows_beside_its_id_in_the_header_and_the_profiles(two_accounts: TwoAccounts) -> None:
    import boto3

    boto3.Session(profile_name="staging").client("iam").create_account_alias(AccountAlias="acme-staging")
    app = Ec2App(two_accounts.accounts)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert app.account_alias == "", "prod has no alias: only its ID shows"
        app.navigate("profile staging")
        await wait_for(pilot, lambda: app.account_alias == "acme-staging", what="the staging alias")
        await settle(pilot)
        assert f"account {STAGING_ACCOUNT} (acme-staging)" in static_text(app, "AppHeader")
        app.navigate("profiles")
        await settle(pilot)
        rows = {row[2]: row for row in table_rows(app)}
        assert rows["staging"][4] == f"{STAGING_ACCOUNT} (acme-staging)" and rows["prod"][4] == PROD_ACCOUNT
