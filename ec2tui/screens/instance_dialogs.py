"""Dialogs for instance actions: a copyable result (SSH command, new AMI ID) and the create-image form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from ec2tui.aws.image_parsing import check_description, check_image_name
from ec2tui.aws.models.instances import Instance, InstanceState
from ec2tui.errors import ValidationError
from ec2tui.screens.confirm import FreshKeysOnly
from ec2tui.widgets.check import Check


class InfoDialog(ModalScreen[None]):
    """Shows one value worth copying (a command, an ID) with an explanation; `c` copies it, esc/enter closes."""

    BINDINGS = [
        Binding("c", "copy", "Copy", id="info.copy"),
        Binding("escape,enter,q", "close", "Close", id="info.close"),
    ]

    def __init__(self, title: str, body: str, value: str, what: str) -> None:
        super().__init__(classes="confirm info-dialog")
        self.title_text, self.body, self.value, self.what = title, body, value, what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            yield Static(self.value, id="info-value", markup=False)
            yield Label(f"c copies the {self.what} · esc closes", classes="dialog-hint")

    def action_copy(self) -> None:
        self.app.copy_and_notify(self.value, self.what)  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class CreateImageRequest:
    name: str
    description: str
    no_reboot: bool
    stop_first: bool


def default_image_name(instance: Instance, now: datetime | None = None) -> str:
    """``web-prod-1-2026-03-04-1530``: the instance's name (or ID) and a UTC timestamp, within AWS's rules."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d-%H%M")
    base = "".join(ch if ch.isalnum() or ch in "()[]./-'@_ " else "-" for ch in (instance.name or instance.id))
    return f"{base[: 128 - len(stamp) - 1]}-{stamp}"


class CreateImageDialog(FreshKeysOnly, ModalScreen[CreateImageRequest | None]):
    """Name (validated like AWS does), description, and the reboot/stop choices; enter or the button submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="create_image.cancel")]
    ANSWER_KEYS = frozenset({"enter"})  # text typed in the burst that opened it still reaches the field

    def __init__(self, instance: Instance) -> None:
        super().__init__(classes="confirm")
        self.instance = instance

    def compose(self) -> ComposeResult:
        instance = self.instance
        label = f"{instance.name} ({instance.id})" if instance.name else instance.id
        with Vertical(classes="dialog create-image"):
            yield Label("Create image from instance", classes="dialog-title")
            yield Static(
                f"{label}, {instance.state}, {instance.region}. EC2 snapshots every attached EBS volume.",
                classes="dialog-body",
                markup=False,
            )
            yield Static("Name: 3-128 letters, digits, spaces and ( ) [ ] . / - ' @ _", markup=False)
            yield Input(default_image_name(instance), id="image-name", compact=True)
            yield Label("", id="image-name-error", classes="field-error", markup=False)
            yield Static("Description (optional)", classes="field-label")
            yield Input(placeholder="e.g. before the nginx upgrade", id="image-description", compact=True)
            yield Label("", id="image-description-error", classes="field-error", markup=False)
            running = instance.state == InstanceState.RUNNING
            yield Check("No reboot (faster; the file system may be inconsistent)", id="no-reboot", compact=True)
            yield Check(
                "Stop the instance first and wait until it is stopped",
                id="stop-first",
                disabled=not running,
                compact=True,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create image", id="create", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#image-name", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Changed, "#image-name")
    def _name_changed(self) -> None:
        self.query_one("#image-name-error", Label).update("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _submit(self) -> None:
        errors = {"name": "", "description": ""}
        name = description = ""
        try:
            name = check_image_name(self.query_one("#image-name", Input).value)
        except ValidationError as exc:
            errors["name"] = str(exc)
        try:
            description = check_description(self.query_one("#image-description", Input).value)
        except ValidationError as exc:
            errors["description"] = str(exc)
        self.query_one("#image-name-error", Label).update(errors["name"])
        self.query_one("#image-description-error", Label).update(errors["description"])
        if errors["name"]:
            self.query_one("#image-name", Input).focus()
            return
        if errors["description"]:
            self.query_one("#image-description", Input).focus()
            return
        stop_first = self.query_one("#stop-first", Checkbox)
        self.dismiss(
            CreateImageRequest(
                name=name,
                description=description,
                no_reboot=self.query_one("#no-reboot", Checkbox).value,
                stop_first=stop_first.value and not stop_first.disabled,
            )
        )
