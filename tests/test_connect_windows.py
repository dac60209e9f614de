"""Connecting to a Windows instance under Pilot: no shell offered but the Administrator password (``GetPasswordData``
decrypted with the key file) and RDP through a Session Manager port forward.

moto's GetPasswordData returns 128 random characters, not a password encrypted for the key pair, so a
``before-call`` hook on the gateway's EC2 client answers it with one encrypted for a test RSA key (no network). The
password must show in its dialog only: never in a notification, a log record, a remembered choice or a command.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from botocore.awsrequest import AWSResponse
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from textual.widgets import Input, Select, Static

from ec2tui.screens.connect import ConnectDialog, PortForwardDialog, WindowsPasswordDialog
from tests.instances_ui_helpers import client, open_instances, run, select
from tests.test_connect_ui import DirectRunner, back_on, dialog, fakes, highlighted, offer_texts, until
from tests.ui_helpers import record_notifications

pytest_plugins = ["tests.instances_ui_fixtures"]
__all__ = ["fakes"]  # the fixture, shared with test_connect_ui

PASSWORD = "Tq7;x(Kp2!vZr9@Lm4#Wd8&Hs"


def rsa_pem() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return key, pem


@pytest.fixture
def windows(fleet) -> str:
    """A running Windows instance with key pair ``ops`` (an image of web-2 that moto is told is Windows)."""
    image = client().create_image(InstanceId=fleet["web-2"], Name="Windows_Server-2022-English-Full-Base-2026.01.01")
    ec2_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].amis[image["ImageId"]].platform = "windows"
    fleet.ids["win-1"] = run("us-east-1", "win-1", ImageId=image["ImageId"], KeyName="ops")
    return fleet["win-1"]


def answer_password_data(factory, encrypted: str) -> list[str]:
    """Answer GetPasswordData (on the EC2 client the gateway gets from ``factory``) with ``encrypted``; returns
    the instance IDs asked."""
    asked: list[str] = []

    def reply(params, **_kwargs):
        asked.append(params["body"]["InstanceId"])  # the request dict: the API parameters are its body
        http = AWSResponse("https://ec2.us-east-1.amazonaws.com/", 200, {}, None)
        return http, {"InstanceId": asked[-1], "PasswordData": encrypted}

    factory.ec2("us-east-1").meta.events.register("before-call.ec2.GetPasswordData", reply)
    return asked


def error_text(app) -> str:
    """The connect dialog's error line ("" while another screen is on top: the dialog is shown again after a try)."""
    if not isinstance(app.screen, ConnectDialog) or not app.screen.is_mounted:
        return ""
    return str(app.screen.query_one("#connect-error").render())


async def submit_key(pilot, path: str) -> None:
    pilot.app.screen.query_one("#key", Input).value = path
    await pilot.pause()
    pilot.app.screen.query_one("#key", Input).focus()
    await pilot.press("enter")


async def test_windows_password_then_rdp_forward_and_the_password_goes_nowhere_else(
    app, factory, fleet, windows, fakes, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    fakes.add("aws", "session-manager-plugin")
    runner = app.command_runner = DirectRunner()
    key, pem = rsa_pem()
    (fakes.home_dir / ".ssh" / "ops.pem").write_bytes(pem)
    _, wrong_pem = rsa_pem()
    wrong = tmp_path / "other.pem"
    wrong.write_bytes(wrong_pem)
    encrypted = base64.b64encode(key.public_key().encrypt(PASSWORD.encode(), padding.PKCS1v15())).decode()
    asked = answer_password_data(factory, encrypted)
    shown = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_instances(pilot)
        await select(pilot, windows)
        await pilot.press("h")
        await dialog(pilot, ConnectDialog)
        offers = offer_texts(app)
        assert highlighted(app) == "windows-password"  # SSH on Windows means the password, then RDP
        assert list(offers)[:3] == ["windows-password", "ssm", "forward"]  # what works on Windows comes first
        assert "✗" in offers["ssh-public"] and "Windows runs no SSH server" in offers["ssh-public"]
        assert not {"ssh-private", "ssh-bastion", "ssh-ssm"} & set(offers)  # one SSH line says it
        assert app.screen.query_one("#user", Input).value == "Administrator"
        assert "EC2 Instance Connect supports Linux instances only" in offers["instance-connect"]
        assert "then forward port 3389" in offers["windows-password"] and "✓" in offers["forward"]
        assert app.screen.query_one("#key", Input).value == "~/.ssh/ops.pem"  # found from the key pair's name

        await submit_key(pilot, "")  # no key file: said in the dialog, nothing asked of AWS
        assert "Enter the key pair's private key file" in error_text(app) and asked == []

        await submit_key(pilot, "~/.ssh/missing.pem")  # shown again with what was typed and why
        await until(pilot, lambda: "does not exist" in error_text(app), "the missing key file's message")
        assert isinstance(app.screen, ConnectDialog)
        assert app.screen.query_one("#key", Input).value == "~/.ssh/missing.pem"
        assert "~/.ssh/missing.pem does not exist: enter the path of the key pair's private key" in error_text(app)
        assert highlighted(app) == "windows-password" and asked == []

        await submit_key(pilot, str(wrong))
        await until(pilot, lambda: "does not decrypt" in error_text(app), "the wrong key")
        assert "choose the private key of the key pair the instance was launched with" in error_text(app)
        assert asked == [windows]
        app.screen.query_one("#key", Input).value = str(wrong) + " "  # any edit clears the old reason
        await pilot.pause()
        assert error_text(app) == ""

        await submit_key(pilot, "~/.ssh/ops.pem")
        await dialog(pilot, WindowsPasswordDialog)
        assert str(app.screen.query_one("#password-value", Static).render()) == PASSWORD
        await pilot.press("c")
        await until(pilot, lambda: any("Copied the password" in n for n in shown), "the copy notice")
        assert app.clipboard == PASSWORD

        await pilot.press("f")  # RDP: forward 3389 over Session Manager
        await dialog(pilot, PortForwardDialog)
        assert app.screen.query_one("#preset", Select).value == 3389
        assert app.screen.query_one("#remote-port", Input).value == "3389"
        assert app.screen.query_one("#local-port", Input).value == "3389"
        assert app.screen.query_one("#remote-host", Input).value == ""
        app.screen.query_one("#local-port", Input).focus()
        await pilot.press("enter")
        await back_on(pilot, screen)
        assert screen.cursor_instance().id == windows
        (call,) = fakes.calls("aws")
        assert call["argv"][:6] == [
            "ssm",
            "start-session",
            "--target",
            windows,
            "--document-name",
            "AWS-StartPortForwardingSession",
        ]
        assert json.loads(call["argv"][7]) == {"portNumber": ["3389"], "localPortNumber": ["3389"]}
        assert f"Port forward localhost:3389 → {windows}:3389: ended." in shown
        assert [r.ok for r in runner.ran] == [True]

    assert all(PASSWORD not in note for note in shown)
    assert all(PASSWORD not in record.getMessage() for record in caplog.records)
    assert PASSWORD not in json.dumps(fakes.calls("aws"))
    for path in (tmp_path / "state").rglob("*"):
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path
    remembered = json.loads((tmp_path / "state" / "connect-choices.json").read_text())[windows]
    assert remembered["key_file"] == "~/.ssh/ops.pem" and remembered["remote_port"] == "3389"
