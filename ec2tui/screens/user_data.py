"""`u` on an instance: its user data, decoded, in a read-only editor view (scroll, select; `c` copies it all)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ec2tui.aws.user_data import line_ending_problem, to_editor
from ec2tui.clipboard import copy_text


class UserDataScreen(ModalScreen[None]):
    """Shows the user data exactly as the instance receives it.

    ``inner`` is the text inside when the user data was base64-encoded twice; `d` switches between the two.
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="user_data.close"),
        Binding("c", "copy", "Copy user data", id="user_data.copy"),
        Binding("d", "toggle_decoded", "Decode again", id="user_data.decode"),
    ]

    def __init__(self, instance_label: str, text: str, inner: str | None = None) -> None:
        super().__init__(id="user-data")
        self.instance_label, self.text, self.inner = instance_label, text, inner
        self.showing_inner = False

    @property
    def shown(self) -> str:
        return self.inner if self.showing_inner and self.inner is not None else self.text

    def compose(self) -> ComposeResult:
        with Vertical(id="user-data-box"):
            yield Label(f"User data of {self.instance_label}", classes="dialog-title", markup=False)
            # CRs and other separators as symbols: a TextArea would show every line break alike.
            yield TextArea(
                to_editor(self.text), read_only=True, show_line_numbers=True, soft_wrap=False, id="user-data-text"
            )
            yield Label("", id="user-data-hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self._update_hint()

    def _update_hint(self) -> None:
        shown = self.shown
        lines = shown.count("\n") + (0 if shown.endswith("\n") else 1)
        parts = [f"{lines} line{'s' if lines != 1 else ''}, {len(shown.encode())} bytes, read-only"]
        if self.inner is not None:
            parts.append(
                "decoded once more (d: as the instance gets it)"
                if self.showing_inner
                else "base64-encoded twice: d decodes it again"
            )
        if problem := line_ending_problem(shown):
            parts.append(f"⚠ {problem}")
        parts.append("c copies · esc closes")
        self.query_one("#user-data-hint", Label).update(" · ".join(parts))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_decoded(self) -> None:
        if self.inner is None:
            self.app.notify("This user data is not base64-encoded a second time.", markup=False)
            return
        self.showing_inner = not self.showing_inner
        self.query_one(TextArea).load_text(to_editor(self.shown))
        self._update_hint()

    def action_copy(self) -> None:
        # Not copy_and_notify: that repeats the copied text in the notification.
        shown = self.shown
        how = copy_text(shown, self.app.copy_to_clipboard)
        self.app.notify(f"Copied the user data ({len(shown.encode())} bytes, {how})", markup=False)
