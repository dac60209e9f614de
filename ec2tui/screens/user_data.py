"""`u` on an instance: its user data, decoded, in a read-only editor view (scroll, select; `c` copies it all)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ec2tui.clipboard import copy_text


class UserDataScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="user_data.close"),
        Binding("c", "copy", "Copy user data", id="user_data.copy"),
    ]

    def __init__(self, instance_label: str, text: str) -> None:
        super().__init__(id="user-data")
        self.instance_label, self.text = instance_label, text

    def compose(self) -> ComposeResult:
        lines = self.text.count("\n") + (0 if self.text.endswith("\n") else 1)
        with Vertical(id="user-data-box"):
            yield Label(f"User data of {self.instance_label}", classes="dialog-title", markup=False)
            yield TextArea(self.text, read_only=True, show_line_numbers=True, soft_wrap=False, id="user-data-text")
            yield Label(
                f"{lines} line{'s' if lines != 1 else ''}, {len(self.text.encode())} bytes · read-only · "
                "arrows/pgup/pgdn scroll · c copies · esc closes",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        # Not copy_and_notify: that repeats the copied text in the notification.
        how = copy_text(self.text, self.app.copy_to_clipboard)
        self.app.notify(f"Copied the user data ({len(self.text.encode())} bytes, {how})", markup=False)
