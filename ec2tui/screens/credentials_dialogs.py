"""The dialogs of credentials that need the user: an SSO login to run in this terminal, an MFA code to type."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ec2tui.screens.confirm import ConfirmScreen, FreshKeysOnly

MFA_CODE = re.compile(r"^\d{6}$")


class SsoLoginDialog(ConfirmScreen):
    """`y` runs ``aws sso login --profile NAME`` in this terminal (ec2tui steps aside and comes back); `n` doesn't.
    Dismisses True/False."""

    def __init__(self, profile: str, reason: str, command: str, then: str) -> None:
        body = (
            f"Profile {profile}: {reason}.\n\n"
            f"y runs this in this terminal (ec2tui steps aside and comes back when it ends):\n  $ {command}\n"
            f"It shows a code and opens the sign-in page (or names it: open it on any device). Then ec2tui {then}.\n\n"
            "n: not now (ctrl+r offers it again)."
        )
        super().__init__("SSO login needed", body, yes_label="Log in (y)")
        self.profile = profile


class MfaCodeDialog(FreshKeysOnly, ModalScreen[str | None]):
    """Asks for the 6-digit code of an MFA device (an assume-role profile with ``mfa_serial``); esc cancels.
    Dismisses the code or None. Keys typed before it opened (it opens by itself, when a call needs the code) are
    dropped, so nothing meant for the list underneath lands in the code."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mfa.cancel")]

    def __init__(self, profile: str, device: str) -> None:
        super().__init__(classes="confirm")
        self.profile, self.device = profile, device

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("MFA code needed", classes="dialog-title")
            yield Static(
                f"Profile {self.profile} assumes its role with MFA.\nDevice: {self.device}",
                classes="dialog-body",
                markup=False,
            )
            yield Label("Code from the device, then enter (esc cancels the call):")
            yield Input(placeholder="123456", id="mfa-code", max_length=6, restrict=r"\d*", password=True)
            yield Label("", id="mfa-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#mfa-code", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#mfa-code")
    def _submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if MFA_CODE.match(code):
            self.dismiss(code)
        else:
            self.query_one("#mfa-error", Label).update("The code is the 6 digits the device shows now.")
