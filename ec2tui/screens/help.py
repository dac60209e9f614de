"""`?`: every binding of the screen underneath and of the app, plus the `:` commands."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ec2tui.commands import COMMANDS


def _key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"slash": "/", "question_mark": "?", "colon": ":", "space": "space", "escape": "esc"}
    return ", ".join(names.get(k, k) for k in binding.key.split(","))


def bindings_table(screen: Screen, app_bindings: list[Binding]) -> Table:
    table = Table(box=None, expand=True, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("Key", style="bold cyan", no_wrap=True, width=14)
    table.add_column("Action")
    table.add_column("Where", style="dim", width=12)
    seen: set[tuple[str, str]] = set()
    sources = [
        (type(screen).__name__.removesuffix("Screen") or "screen", screen.BINDINGS),
        ("everywhere", app_bindings),
    ]
    for where, bindings in sources:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            key = (_key_name(binding), binding.tooltip or binding.description)  # the footer's word may be terse
            if key in seen:
                continue
            seen.add(key)
            table.add_row(*key, where)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__(id="help")
        self.under = under

    def compose(self) -> ComposeResult:
        commands = Table(box=None, expand=True, show_header=True, header_style="bold")
        commands.add_column("Command (:)", style="bold cyan", no_wrap=True, width=14)
        commands.add_column("Arguments")
        for name, arguments in COMMANDS.items():
            commands.add_row(name, " | ".join(arguments) or "—")
        with VerticalScroll(id="help-box"):
            yield Static("[b]Keys[/b]  (esc closes)", classes="help-heading")
            yield Static(bindings_table(self.under, list(self.app.BINDINGS)))
            yield Static("\n[b]Commands[/b]  press [b]:[/b], type (tab completes), enter", classes="help-heading")
            yield Static(commands)
            yield Static(
                "\nEvery action is also in the command palette ([b]ctrl+p[/b]) by its plain name.",
                classes="help-heading",
            )
