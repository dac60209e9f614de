"""The connect dialog (what fits the instance, what doesn't and why; user, key file, bastion) and the port-forward
dialog (presets, remote host, local port). Both dismiss with a typed request; building and running the command is
:mod:`ec2tui.screens.connect_flow`'s job. A ``check`` callback validates before dismissing, so a typo shows a
message in the dialog and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ec2tui.aws.connect_commands import PORT_PRESETS, Method
from ec2tui.aws.connect_readiness import Offer
from ec2tui.clipboard import copy_text
from ec2tui.errors import ValidationError
from ec2tui.screens.confirm import FreshKeysOnly
from ec2tui.widgets.theme_colours import ERROR


@dataclass(frozen=True)
class ConnectRequest:
    method: Method
    user: str
    key_file: str
    bastion: str


@dataclass(frozen=True)
class ForwardRequest:
    remote_port: str
    local_port: str
    remote_host: str


FIELDS_USED: dict[Method, frozenset[str]] = {
    Method.SSH_PUBLIC: frozenset({"user", "key"}),
    Method.SSH_PRIVATE: frozenset({"user", "key"}),
    Method.SSH_BASTION: frozenset({"user", "key", "bastion"}),
    Method.SSH_OVER_SSM: frozenset({"user", "key"}),
    Method.INSTANCE_CONNECT: frozenset({"user"}),  # its key is the one-time key
    Method.WINDOWS_PASSWORD: frozenset({"key"}),
}
"""The fields each method uses; the others are disabled while it is highlighted (a Session Manager shell needs no
user or key: fields that look required but are ignored confuse)."""


def offer_prompt(offer: Offer) -> Text:
    """One line per offer, its reason or warning below it (dim for a warning, error-coloured for why not)."""
    text = Text(("✓ " if offer.available else "✗ ") + offer.label, style="" if offer.available else "dim")
    if offer.reason:
        text.append("\n    " + offer.reason, style="dim italic" if offer.available else ERROR)
    return text


class ConnectDialog(FreshKeysOnly, ModalScreen[ConnectRequest | None]):
    """Lists every way of connecting, available or not (with why); enter connects with the highlighted one."""

    DEFAULT_CSS = """
    ConnectDialog .dialog { width: 100; max-height: 95%; }
    ConnectDialog #offers { height: auto; max-height: 40vh; margin-bottom: 1; }
    ConnectDialog .connect-field { height: auto; }
    ConnectDialog .connect-field Label { width: 12; }
    ConnectDialog .connect-field Input { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="connect.cancel"),
        Binding("ctrl+y", "copy_command", "Copy command", id="connect.copy"),
    ]
    AUTO_FOCUS = "#offers"

    def __init__(
        self,
        title: str,
        offers: Sequence[Offer],
        *,
        method: Method | None,
        user: str,
        key_file: str,
        bastion: str,
        notes: str,
        check: Callable[[ConnectRequest], str],
        error: str = "",
    ) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.offers = list(offers)
        self.method = method
        self.user, self.key_file, self.bastion, self.notes = user, key_file, bastion, notes
        self.check = check
        """Returns the command line the request would run; raises ValidationError for a bad field."""
        self.initial_error = error
        """Why the last try failed: the dialog is shown again with what the user typed, and says why until a field
        or the choice changes."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.notes:
                yield Static(self.notes, classes="dialog-body", markup=False)
            options = [
                Option(offer_prompt(offer), id=offer.method.value, disabled=not offer.available)
                for offer in self.offers
            ]
            yield OptionList(*options, id="offers")
            for label, field_id, value, placeholder in (
                ("Login user", "user", self.user, "ec2-user"),
                ("Key file", "key", self.key_file, "empty: the ssh agent or your ~/.ssh/config"),
                ("Bastion", "bastion", self.bastion, "[user@]host[:port] for SSH through a bastion"),
            ):
                with Horizontal(classes="connect-field"):
                    yield Label(label)
                    yield Input(value, placeholder=placeholder, id=field_id, compact=True)
            yield Static("", id="connect-command", classes="dialog-hint", markup=False)
            yield Label("", id="connect-error", classes="field-error")
            yield Label(
                "enter: connect in this terminal (back here after) · ctrl+y: copy the command · esc: cancel",
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(".dialog").styles.width = 100  # wider than the app's dialogs: the reasons are long
        options = self.query_one("#offers", OptionList)
        wanted = self.method.value if self.method else None
        for index, offer in enumerate(self.offers):
            if offer.available and (wanted is None or offer.method.value == wanted):
                options.highlighted = index
                break
        self._highlighted()
        if self.initial_error:
            self.query_one("#key", Input).focus()  # the failures shown again are the key file's
        self.call_after_refresh(self.query_one(".dialog").scroll_home, animate=False)  # the title and notes first

    def _request(self) -> ConnectRequest | None:
        options = self.query_one("#offers", OptionList)
        index = options.highlighted
        if index is None or options.get_option_at_index(index).disabled:
            return None
        return ConnectRequest(
            Method(self.offers[index].method),
            self.query_one("#user", Input).value,
            self.query_one("#key", Input).value,
            self.query_one("#bastion", Input).value,
        )

    def _preview(self) -> str | None:
        """Show the command the highlighted choice would run (or what's wrong with a field)."""
        request = self._request()
        command = self.query_one("#connect-command", Static)
        error = self.query_one("#connect-error", Label)
        if request is None:
            command.update("")
            error.update("Nothing here can connect: see why under each choice." if not self._any() else "")
            return None
        try:
            line = self.check(request)
        except ValidationError as exc:
            command.update("")
            error.update(str(exc))
            return None
        command.update(f"$ {line}")
        unchanged = self.method == request.method and (request.user, request.key_file, request.bastion) == (
            self.user,
            self.key_file,
            self.bastion,
        )
        error.update(self.initial_error if unchanged else "")
        return line

    def _any(self) -> bool:
        return any(offer.available for offer in self.offers)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        index = self.query_one("#offers", OptionList).highlighted
        used = FIELDS_USED.get(self.offers[index].method, frozenset()) if index is not None else frozenset()
        for field in ("user", "key", "bastion"):
            self.query_one(f"#{field}", Input).disabled = field not in used
        self._preview()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._preview()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def _submit(self) -> None:
        if self._preview() is None:
            return
        request = self._request()
        if request is not None:
            self.dismiss(request)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "connect":
            self._submit()
        else:
            self.dismiss(None)

    def action_copy_command(self) -> None:
        line = self._preview()
        if line is not None:
            self.app.copy_and_notify(line, "command")  # type: ignore[attr-defined]

    def action_cancel(self) -> None:
        self.dismiss(None)


def default_local_port(remote_port: int) -> int:
    """The same port when it is unprivileged (5432 → 5432), else shifted above 1024 (22 → 2222, 443 → 8443)."""
    if remote_port >= 1024:
        return remote_port
    return {22: 2222, 80: 8080, 443: 8443}.get(remote_port, remote_port + 10000)


class PortForwardDialog(FreshKeysOnly, ModalScreen[ForwardRequest | None]):
    """Remote port (a preset or typed), remote host (empty: the instance itself), local port."""

    DEFAULT_CSS = """
    PortForwardDialog .connect-field { height: auto; }
    PortForwardDialog .connect-field Label { width: 14; }
    PortForwardDialog .connect-field Input, PortForwardDialog .connect-field Select { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="forward.cancel")]
    AUTO_FOCUS = "#remote-port"  # enter starts the forward from here (on the preset it would open the list)

    def __init__(
        self,
        title: str,
        *,
        remote_port: str,
        local_port: str,
        remote_host: str,
        notes: str,
        check: Callable[[ForwardRequest], str],
    ) -> None:
        super().__init__(classes="confirm")
        self.title_text, self.notes, self.check = title, notes, check
        self.initial = ForwardRequest(remote_port, local_port, remote_host)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):  # scrolls on a small terminal (80x24) instead of losing its end
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.notes, classes="dialog-body", markup=False)
            presets = [(f"{port}  {name}", port) for port, name in PORT_PRESETS.items()]
            try:
                preset = int(self.initial.remote_port)
            except ValueError:
                preset = None
            with Horizontal(classes="connect-field"):
                yield Label("Preset")
                yield Select(
                    presets,
                    value=preset if preset in PORT_PRESETS else Select.NULL,
                    prompt="choose a port, or type one below",
                    id="preset",
                )
            for label, field_id, value, placeholder in (
                ("Remote port", "remote-port", self.initial.remote_port, "e.g. 5432"),
                ("Remote host", "remote-host", self.initial.remote_host, "empty: the instance itself; or a DB host"),
                ("Local port", "local-port", self.initial.local_port, "on this machine"),
            ):
                with Horizontal(classes="connect-field"):
                    yield Label(label)
                    yield Input(value, placeholder=placeholder, id=field_id, compact=True)
            yield Static("", id="forward-command", classes="dialog-hint", markup=False)
            yield Label("", id="forward-error", classes="field-error")
            yield Label("enter: start the forward · shift+tab: the presets · esc: cancel", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Forward", id="forward", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._preview()

    def _request(self) -> ForwardRequest:
        return ForwardRequest(
            self.query_one("#remote-port", Input).value,
            self.query_one("#local-port", Input).value,
            self.query_one("#remote-host", Input).value,
        )

    def _preview(self) -> str | None:
        command = self.query_one("#forward-command", Static)
        error = self.query_one("#forward-error", Label)
        try:
            line = self.check(self._request())
        except ValidationError as exc:
            command.update("")
            error.update(str(exc))
            return None
        command.update(f"$ {line}")
        error.update("")
        return line

    @on(Select.Changed, "#preset")
    def _preset(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        self.query_one("#remote-port", Input).value = str(event.value)
        self.query_one("#local-port", Input).value = str(default_local_port(event.value))

    @on(Input.Changed)
    def _changed(self) -> None:
        self._preview()

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self._preview() is not None:
            self.dismiss(self._request())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "forward":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WindowsPasswordDialog(ModalScreen[bool]):
    """The decrypted Administrator password, shown here only: `c` copies it (the notice never repeats it), `f`
    forwards RDP's port 3389 over Session Manager next (dismisses with True), esc closes."""

    BINDINGS = [
        Binding("c", "copy", "Copy password", id="password.copy"),
        Binding("f", "forward", "Forward RDP", id="password.forward"),
        Binding("escape,enter,q", "close", "Close", id="password.close"),
    ]

    def __init__(self, instance_label: str, password: str, *, can_forward: bool, forward_note: str) -> None:
        super().__init__(classes="confirm info-dialog")
        self.instance_label, self.password = instance_label, password
        self.can_forward, self.forward_note = can_forward, forward_note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Windows Administrator password", classes="dialog-title")
            yield Static(
                f"User Administrator on {self.instance_label}. RDP reaches it through a port forward: press f to "
                "forward port 3389 now, then point your RDP client at localhost:3389."
                if self.can_forward
                else f"User Administrator on {self.instance_label}. No RDP forward from here: {self.forward_note}.",
                classes="dialog-body",
                markup=False,
            )
            yield Static(self.password, id="password-value", markup=False)
            hint = "c copies the password · f forwards RDP (3389) · esc closes"
            yield Label(hint if self.can_forward else "c copies the password · esc closes", classes="dialog-hint")

    def action_copy(self) -> None:
        how = copy_text(self.password, self.app.copy_to_clipboard)
        self.app.notify(f"Copied the password ({how}).", markup=False)  # never the password itself

    def action_forward(self) -> None:
        if self.can_forward:
            self.dismiss(True)
        else:
            self.app.notify(f"No RDP forward: {self.forward_note}.", severity="warning", markup=False)

    def action_close(self) -> None:
        self.dismiss(False)
