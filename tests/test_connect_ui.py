"""Connecting from the instance list, end to end under Pilot: the dialog explains each offer, the command runs with
fake ``ssh``/``aws``/``session-manager-plugin`` executables (on a temporary PATH) that record their arguments and
environment and exit with a chosen status, and the app is back on the same row with the outcome reported.

Pilot has no terminal to hand over (``App.suspend()`` raises SuspendNotSupported), so the runner is injected
(``app.command_runner``) and runs the program directly; the real suspension is tested in test_connect_pty.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select

from ec2tui.aws.connect_commands import Command
from ec2tui.aws.connect_service import one_time_key
from ec2tui.connect_choices import load_choice
from ec2tui.errors import ReadOnlyError
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.connect import ConnectDialog, PortForwardDialog
from ec2tui.screens.instances import InstancesScreen
from ec2tui.terminal_session import RunResult, SuspendRunner, run_in_foreground
from tests.instances_ui_helpers import InstancesFirstApp, moto_instance, open_instances, select
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications

pytest_plugins = ["tests.instances_ui_fixtures"]

FAKE = """#!{python}
import json, os, sys
name = os.path.basename(sys.argv[0])
record = {{"argv": sys.argv[1:], "env": {{k: v for k, v in os.environ.items() if k.startswith(("AWS_", "FAKE_"))}}}}
if "-i" in sys.argv:
    key = sys.argv[sys.argv.index("-i") + 1]
    record["key_exists"] = os.path.exists(key)
with open(os.path.join(os.environ["FAKE_RECORD"], name + ".json"), "a") as handle:
    handle.write(json.dumps(record) + "\\n")
sys.exit(int(os.environ.get("FAKE_STATUS", "0")))
"""


class DirectRunner:
    """Runs the command without suspending (there is no terminal under Pilot); keeps what ran."""

    def __init__(self) -> None:
        self.ran: list[RunResult] = []
        self.commands: list[Command] = []

    def run(self, app, command: Command) -> RunResult:
        result = run_in_foreground(command)
        self.ran.append(result)
        self.commands.append(command)
        return result


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    """A PATH holding only fake tools (add them with ``fakes.add``), their records, and a private HOME/state."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    records = tmp_path / "records"
    records.mkdir()
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "ops.pem").write_text("not a real key")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("FAKE_RECORD", str(records))
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    class Fakes:
        home_dir = home

        def add(self, *names: str) -> None:
            for name in names:
                path = bin_dir / name
                path.write_text(FAKE.format(python=sys.executable))
                path.chmod(0o755)

        def calls(self, name: str) -> list[dict]:
            path = records / f"{name}.json"
            return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return Fakes()


async def until(pilot, condition, what: str) -> None:
    """Poll (the connect worker waits on its dialogs, so ``settle`` would wait for it forever), from a pause on."""
    await pilot.pause(0.05)
    await wait_for(pilot, condition, what=what)


async def dialog(pilot, kind) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted, kind.__name__)
    await pilot.pause()


async def back_on(pilot, screen) -> None:
    """The worker is done and the list screen is on top again."""
    await until(
        pilot,
        lambda: (
            pilot.app.screen is screen
            and not any(w.group == "instance-connect" and w.is_running for w in pilot.app.workers)
        ),
        "the list screen",
    )


def offer_texts(app) -> dict[str, str]:
    options = app.screen.query_one("#offers", OptionList)
    return {
        options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
        for i in range(options.option_count)
    }


def highlighted(app) -> str:
    options = app.screen.query_one("#offers", OptionList)
    return options.get_option_at_index(options.highlighted).id


async def test_ssh_runs_in_place_reports_a_failure_and_returns_to_the_row(app, fleet, fakes, monkeypatch):
    fakes.add("ssh", "aws", "session-manager-plugin")
    monkeypatch.setenv("FAKE_STATUS", "255")
    runner = app.command_runner = DirectRunner()
    public_ip = moto_instance(fleet["web-1"])["PublicIpAddress"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        await pilot.press("h")
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "ssh-public"
        offers = offer_texts(app)
        assert "port 22 is open only to 203.0.113.0/24" in offers["ssh-public"]
        assert app.screen.query_one("#user", Input).value == "ubuntu"  # guessed from the AMI
        key = str(fakes.home_dir / ".ssh" / "ops.pem")
        assert app.screen.query_one("#key", Input).value == "~/.ssh/ops.pem" or key
        await pilot.press("enter")
        await back_on(pilot, screen)
        assert screen.cursor_instance().id == fleet["web-1"]
        (call,) = fakes.calls("ssh")
        assert call["argv"][-1] == f"ubuntu@{public_ip}" and call["argv"][:2] == ["-i", "~/.ssh/ops.pem"]
        assert call["env"]["FAKE_STATUS"] == "255"  # the user's environment is passed on
        (result,) = runner.ran
        assert result.status == 255
        assert any(f"exit status 255:\n$ ssh -i '~/.ssh/ops.pem' ubuntu@{public_ip}" in n for n in notifications(app))
        await pilot.press("h")  # the next connection: the last one's outcome no longer covers its dialog
        await dialog(pilot, ConnectDialog)
        assert notifications(app) == []
        await pilot.press("escape")
        await back_on(pilot, screen)
    assert load_choice(fleet["web-1"]).method == "ssh-public"


async def test_ssm_shell_passes_the_region_and_comes_back_clean(app, fleet, fakes):
    fakes.add("ssh", "aws", "session-manager-plugin")
    app.command_runner = DirectRunner()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-2"])
        await pilot.press("x")
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "ssm"
        assert "couldn't check Session Manager registration" in offer_texts(app)["ssm"]
        fields = {f: app.screen.query_one(f"#{f}", Input) for f in ("user", "key", "bastion")}
        assert all(field.disabled for field in fields.values())  # a Session Manager shell needs none of them
        await pilot.press("up")  # EC2 Instance Connect: a user, but its own one-time key
        assert highlighted(app) == "instance-connect"
        assert [fields[f].disabled for f in ("user", "key", "bastion")] == [False, True, True]
        await pilot.press("down")
        await pilot.press("enter")
        await back_on(pilot, screen)
        (call,) = fakes.calls("aws")
        assert call["argv"] == ["ssm", "start-session", "--target", fleet["web-2"], "--region", "us-east-1"]
        assert call["env"]["AWS_REGION"] == "us-east-1" and "AWS_PROFILE" not in call["env"]
        assert "Connection closed." in notifications(app)
        assert isinstance(app.screen, InstancesScreen)


async def test_missing_tools_are_explained_and_nothing_runs(app, fleet, fakes):
    fakes.add("ssh")  # no aws, no session-manager-plugin
    runner = app.command_runner = DirectRunner()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-2"])
        await pilot.press("x")
        await dialog(pilot, ConnectDialog)
        offers = offer_texts(app)
        for method in ("ssm", "forward", "ssh-ssm"):
            assert "✗" in offers[method] and "the AWS CLI is not on PATH" in offers[method]
            assert "install session-manager-plugin" in offers[method]
        options = app.screen.query_one("#offers", OptionList)
        assert options.get_option("ssm").disabled
        notes = str(app.screen.query_one(".dialog-body").render())  # x asked for it: why not comes first
        assert notes.startswith("✗ Session Manager shell (no SSH key needed): the AWS CLI is not on PATH")
        assert ".." not in notes  # the reason's own full stop is not doubled
        await pilot.press("escape")
        await back_on(pilot, screen)
        assert runner.ran == []
        await select(pilot, fleet["db"])  # stopped
        await pilot.press("h")
        await dialog(pilot, ConnectDialog)
        offers = offer_texts(app)
        assert all("the instance is stopped: start it first" in text for text in offers.values())
        assert "windows-password" not in offers  # a Linux instance, stopped or not
        notes = str(app.screen.query_one(".dialog-body").render())
        assert notes.startswith("✗ The instance is stopped: start it first (s).")
        assert "Nothing here can connect" in str(app.screen.query_one("#connect-error").render())


async def test_port_forward_to_a_private_database_shows_the_local_port(app, fleet, fakes):
    fakes.add("ssh", "aws", "session-manager-plugin")
    runner = app.command_runner = DirectRunner()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-2"])
        screen.action_connect("forward")
        await dialog(pilot, PortForwardDialog)
        app.screen.query_one("#preset", Select).value = 5432
        await pilot.pause()
        assert app.screen.query_one("#local-port", Input).value == "5432"
        app.screen.query_one("#remote-host", Input).value = "db.internal"
        app.screen.query_one("#local-port", Input).value = "70000"
        await pilot.pause()
        assert "from 1 to 65535" in str(app.screen.query_one("#forward-error").render())
        app.screen.query_one("#local-port", Input).value = "15432"
        app.screen.query_one("#local-port", Input).focus()
        await pilot.press("enter")
        await back_on(pilot, screen)
        (call,) = fakes.calls("aws")
        assert call["argv"][:7] == [
            "ssm",
            "start-session",
            "--target",
            fleet["web-2"],
            "--document-name",
            "AWS-StartPortForwardingSessionToRemoteHost",
            "--parameters",
        ]
        assert json.loads(call["argv"][7]) == {
            "host": ["db.internal"],
            "portNumber": ["5432"],
            "localPortNumber": ["15432"],
        }
        (command,) = runner.commands  # the banner is printed in the terminal the forward runs in, before it starts
        assert command.banner.startswith(f"Forwarding localhost:15432 → db.internal:5432 through {fleet['web-2']}.")
        assert "press Ctrl+C to end it" in command.banner
        # said when it has ended (a notice before would only be seen once the app is back, i.e. after it ended)
        ended = f"Port forward localhost:15432 → db.internal:5432 through {fleet['web-2']}: ended."
        assert notifications(app) == [ended]
    remembered = load_choice(fleet["web-2"])
    assert (remembered.remote_host, remembered.local_port) == ("db.internal", "15432")


@pytest.fixture
def read_only_app(no_default_amis, fleet, read_only_gateway):
    return InstancesFirstApp(read_only_gateway)


async def test_instance_connect_in_read_only_asks_then_pushes_a_key_that_is_deleted_after(read_only_app, fleet, fakes):
    app = read_only_app
    fakes.add("ssh", "aws", "session-manager-plugin")
    app.command_runner = DirectRunner()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-1"])
        screen.action_connect("instance-connect")
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "instance-connect"
        await pilot.press("enter")
        await dialog(pilot, ConfirmScreen)
        await pilot.press("n")  # refused: nothing pushed, nothing run
        await back_on(pilot, screen)
        assert fakes.calls("ssh") == [] and app.gateway.mutations == 0
        screen.action_connect("instance-connect")
        await dialog(pilot, ConnectDialog)
        await pilot.press("enter")
        await dialog(pilot, ConfirmScreen)
        await pilot.press("y")
        await back_on(pilot, screen)
        (call,) = fakes.calls("ssh")
        key = call["argv"][call["argv"].index("-i") + 1]
        assert call["key_exists"] and key.endswith("/id_ed25519") and "IdentitiesOnly=yes" in call["argv"]
        assert not Path(key).exists() and not Path(key).parent.exists()
        assert app.gateway.mutations == 1


async def test_key_push_is_refused_in_read_only_without_the_users_yes(read_only_gateway, fleet):
    with one_time_key() as key:
        with pytest.raises(ReadOnlyError, match="EC2 Instance Connect"):
            await read_only_gateway.connect.send_ssh_public_key(
                fleet["web-1"], "ubuntu", key.public_key, region="us-east-1"
            )
        assert read_only_gateway.mutations == 0
        await read_only_gateway.connect.send_ssh_public_key(
            fleet["web-1"], "ubuntu", key.public_key, allow_in_read_only=True, region="us-east-1"
        )
    assert read_only_gateway.read_only and read_only_gateway.mutations == 1


async def test_without_a_terminal_the_runner_says_so(app, fleet):
    async with app.run_test(size=(80, 24)):
        result = SuspendRunner().run(app, Command(("true",)))
    assert result.error.startswith("this terminal can't be handed over") and result.command == "true"


def test_a_program_that_is_not_on_path_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_in_foreground(Command(("ssh", "host")))
    assert (result.status, result.error) == (127, "ssh is not on PATH")
    assert os.environ["PATH"] == str(tmp_path)


async def test_console_output_opens_from_the_detail_decoded(app, fleet):
    from textual.widgets import TextArea

    from ec2tui.screens.console_output import ConsoleOutputScreen
    from tests.test_instances_ui_detail import open_detail

    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        detail = await open_detail(pilot, fleet["web-1"])
        await pilot.press("O")
        await until(pilot, lambda: isinstance(app.screen, ConsoleOutputScreen), "the console output")
        area = app.screen.query_one("#console-text", TextArea)
        await until(pilot, lambda: "Kernel command line" in area.text, "moto's sample console output")
        assert "lines" in str(app.screen.query_one("#console-status").render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is detail, "the detail screen")


def test_ctrl_c_ends_a_port_forward_normally_but_fails_anything_else(tmp_path, monkeypatch):
    from ec2tui.aws.connect_commands import AwsContext, port_forward_command

    tool = tmp_path / "aws"
    tool.write_text(f"#!{sys.executable}\nimport os, signal\nos.kill(os.getpid(), signal.SIGINT)\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    forward = port_forward_command("i-1", AwsContext("us-east-1"), 5432, 15432)
    assert run_in_foreground(forward).ok
    shell = Command(("aws", "ssm", "start-session"))
    assert run_in_foreground(shell).status == 130


async def test_the_last_choice_for_the_instance_is_offered_again(app, fleet, fakes):
    from ec2tui.connect_choices import ConnectChoice, save_choice

    fakes.add("ssh", "aws", "session-manager-plugin")
    save_choice(fleet["web-1"], ConnectChoice("ssh-bastion", "admin", "~/keys/web.pem", "ops@203.0.113.9"))
    save_choice(fleet["web-2"], ConnectChoice("ssh-ssm", "ec2-user"))
    app.command_runner = DirectRunner()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, fleet["web-2"])
        await pilot.press("x")  # x is the Session Manager shell even after SSH over Session Manager…
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "ssm"
        await pilot.press("escape")
        await back_on(pilot, screen)
        await pilot.press("h")  # …which h offers again
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "ssh-ssm"
        await pilot.press("escape")
        await back_on(pilot, screen)
        await select(pilot, fleet["web-1"])
        await pilot.press("h")
        await dialog(pilot, ConnectDialog)
        assert highlighted(app) == "ssh-bastion"
        assert [app.screen.query_one(f"#{f}", Input).value for f in ("user", "key", "bastion")] == [
            "admin",
            "~/keys/web.pem",
            "ops@203.0.113.9",
        ]
        app.screen.query_one("#bastion", Input).value = "ops@bad host"
        await pilot.pause()
        assert "not a bastion" in str(app.screen.query_one("#connect-error").render())
        await pilot.press("enter")  # refused in the dialog: nothing typed is lost, nothing runs
        await pilot.pause()
        assert isinstance(app.screen, ConnectDialog) and fakes.calls("ssh") == []
        app.screen.query_one("#bastion", Input).value = "ops@203.0.113.9"
        await pilot.press("enter")
        await back_on(pilot, screen)
        (call,) = fakes.calls("ssh")
        assert call["argv"][-3:] == [
            "-J",
            "ops@203.0.113.9",
            f"admin@{moto_instance(fleet['web-1'])['PrivateIpAddress']}",
        ]
