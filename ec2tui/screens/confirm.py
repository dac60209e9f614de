"""Confirmations for anything that changes AWS: a yes/no one, and one that wants the resource ID typed."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """`y` confirms, `n`/escape cancels. Dismisses with True or False."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str, *, yes_label: str = "Yes (y)", danger: bool = False) -> None:
        super().__init__(classes="confirm")
        self.title_text, self.body, self.yes_label, self.danger = title, body, yes_label, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_label, id="yes", variant="error" if self.danger else "primary")
                yield Button("No (n)", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TypedConfirmScreen(ModalScreen[bool]):
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
