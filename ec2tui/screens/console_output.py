"""`O` on the instance detail: the instance's latest serial console output (``GetConsoleOutput``), where a launch
that didn't come up shows why (cloud-init and user data errors, kernel panics). Read-only; ctrl+r fetches again."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ec2tui.errors import Ec2TuiError

NO_OUTPUT = (
    "No console output yet. It appears once the instance has booted for a few minutes (older instance types "
    "buffer it; Nitro instances show the newest)."
)


class ConsoleOutputScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="console.close"),
        Binding("ctrl+r", "reload", "Fetch again", id="console.reload"),
        Binding("c", "copy", "Copy", id="console.copy"),
    ]
    DEFAULT_CSS = """
    ConsoleOutputScreen { align: center middle; }
    ConsoleOutputScreen #console-box { width: 95%; height: 90%; border: thick $accent; background: $surface; }
    ConsoleOutputScreen TextArea { height: 1fr; }
    """

    def __init__(self, instance_id: str, region: str, label: str, gateway: Any = None) -> None:
        super().__init__(id="console-output")
        self.instance_id, self.instance_region, self.label = instance_id, region, label
        self.gateway = gateway
        """The instance's profile's gateway (None: the app's current one)."""
        self.text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="console-box"):
            yield Label(f"Console output of {self.label}", classes="dialog-title", markup=False)
            yield Label("loading…", id="console-status", classes="dialog-hint", markup=False)
            yield TextArea("", read_only=True, show_line_numbers=False, id="console-text", soft_wrap=True)
            yield Label("esc closes · ctrl+r fetches again · c copies", classes="dialog-hint")

    def on_mount(self) -> None:
        self.load()

    @work(group="console-output", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        status = self.query_one("#console-status", Label)
        status.update("loading…")
        try:
            gateway = self.gateway if self.gateway is not None else self.app.gateway  # type: ignore[attr-defined]
            output = await gateway.connect.console_output(self.instance_id, self.instance_region)
        except Ec2TuiError as exc:
            status.update(f"Could not read the console output: {exc}")
            return
        self.text = output.text
        area = self.query_one("#console-text", TextArea)
        area.load_text(output.text or NO_OUTPUT)
        area.scroll_end(animate=False)  # the latest lines are what explains a failed boot
        lines = output.text.count("\n")
        status.update(f"{lines} lines" + (f", as of {output.timestamp}" if output.timestamp else ""))

    def action_reload(self) -> None:
        self.load()

    def action_copy(self) -> None:
        if self.text:
            self.app.copy_and_notify(self.text, "console output")  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
