"""Confirmations for anything that changes AWS: a yes/no one, and one that wants the resource ID typed.

Neither can be answered by accident: keys typed before the dialog was on screen (the rest of a burst, held by the
app's key gate and replayed after it opened) are dropped, and Enter never confirms: the yes/no dialog opens on "No"
and its "Yes" button takes no focus, so only `y` or a click acts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class FreshKeysOnly:
    """Mixed into a dialog that acts on AWS: it ignores every key typed before it was shown, so only a deliberate
    key answers it. (The app asks ``refuses_key`` before dispatching, so not even a focused Input sees such a key.)"""

    app: App[object]  # provided by the dialog (a Screen) this is mixed into

    ANSWER_KEYS: ClassVar[frozenset[str] | None] = None
    """The keys that could answer the dialog, dropped when stale; None: every key. A dialog with text fields names
    only ``enter``, so that text typed in the burst that opened it still lands in its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened_at = time.monotonic()
        """When the dialog was made (monotonic, as key events are stamped): the action that opens it runs after the
        whole burst that held its key was read, so every other key of that burst is older than this."""
        self.stale_keys = 0

    def refuses_key(self, event: events.Key) -> bool:
        """Asked by the app before it dispatches a key while this dialog is on top (so before any widget of it, an
        Input included, sees the key): True drops it."""
        answers = self.ANSWER_KEYS is None or event.key in self.ANSWER_KEYS
        if answers and event.time < self.opened_at:
            self.stale_keys += 1
            if self.stale_keys == 1:
                self.app.notify("Keys typed before this dialog opened were ignored: answer it now.", timeout=4)
            return True
        return False


class ConfirmScreen(FreshKeysOnly, ModalScreen[bool]):
    """`y` (or a click on Yes) confirms; `n`, escape, q or enter (on the focused No) cancel. Dismisses True/False."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]
    AUTO_FOCUS = "#no"

    def __init__(self, title: str, body: str, *, yes_label: str = "Yes (y)", danger: bool = False) -> None:
        super().__init__(classes="confirm")
        self.title_text, self.body, self.yes_label, self.danger = title, body, yes_label, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yes = Button(self.yes_label, id="yes", variant="error" if self.danger else "primary")
                yes.can_focus = False  # enter must never confirm: only y or a click
                yield yes
                yield Button("No (n)", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class QuitScreen(ConfirmScreen):
    """Quitting would lose something: say what; `y` (or ctrl+q again) quits."""

    def __init__(self, reasons: list[str]) -> None:
        body = "\n".join(f"• {reason}" for reason in reasons) + "\n\ny quits · n or escape stays · ctrl+q quits now"
        super().__init__("Quit ec2tui?", body, yes_label="Quit (y)")


class TypedConfirmScreen(FreshKeysOnly, ModalScreen[bool]):
    """Destructive actions: the user must type ``expected`` (e.g. the instance or AMI ID) to confirm."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str, body: str, expected: str, *, check: Callable[[str], bool] | None = None) -> None:
        super().__init__(classes="confirm")
        self.title_text, self.body, self.expected = title, body, expected
        self.check = check or (lambda typed: typed.strip() == expected)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            yield Label(f"Type {self.expected} to confirm, then enter (esc cancels):")
            yield Input(placeholder=self.expected, id="typed")
            yield Label("", id="typed-error", classes="field-error")

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted, "#typed")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.check(event.value):
            self.dismiss(True)
        else:
            self.query_one("#typed-error", Label).update(f"That is not {self.expected}. Nothing was changed.")
