"""The screen shown for an exception nobody expected: what happened, where the log is, how to go on."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

NO_LOG_HINT = "No log is being written: to keep one, run ec2tui again with --log-file PATH (--debug adds AWS detail)."
WAY_OUT = "escape returns to where you were (nothing you typed is lost); ctrl+q quits."


class ErrorScreen(ModalScreen[None]):
    """Modal: the error's one-line summary, the log path or how to get one, and the way out. Later errors while it
    is open are added to it (:meth:`add`) rather than stacked."""

    BINDINGS = [Binding("escape", "dismiss", "Back", id="error.close")]

    def __init__(self, summary: str, where: str, log_path: Path | None) -> None:
        super().__init__(classes="confirm error-screen")
        self.summaries = [summary]
        self.where = where
        self.log_path = log_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unexpected error: ec2tui is still running", classes="dialog-title")
            yield Static(self._body(), id="error-body", classes="dialog-body", markup=False)
            yield Static(WAY_OUT, classes="dialog-hint", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Back (esc)", id="back", variant="primary")

    def _body(self) -> str:
        where = f" (in {self.where})" if self.where else ""
        lines = [f"{self.summaries[0]}{where}"]
        if len(self.summaries) > 1:
            lines.append(f"…and {len(self.summaries) - 1} more since: latest {self.summaries[-1]}")
        lines.append("")
        lines.append(f"Details are in the log: {self.log_path}" if self.log_path else NO_LOG_HINT)
        return "\n".join(lines)

    def add(self, summary: str) -> None:
        self.summaries.append(summary)
        for body in self.query("#error-body").results(Static):
            body.update(self._body())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)
