"""`?`: every binding of the screen underneath and of the app, plus the `:` commands."""

from __future__ import annotations

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ec2tui.commands import COMMANDS
from ec2tui.widgets.theme_colours import ACCENT, bold

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "colon": ":",
    "escape": "esc",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def _key_name(key: str, binding: Binding) -> str:
    if binding.key_display and "," not in binding.key and key == binding.key:
        return binding.key_display
    return KEY_NAMES.get(key, key)


def _where(node: DOMNode, screen: Screen) -> str:
    if isinstance(node, App):
        return "everywhere"
    if node is screen:
        return type(screen).__name__.removesuffix("Screen") or "screen"
    return type(node).__name__.removesuffix("Input").lower() or "widget"


def bindings_table(screen: Screen) -> Table:
    """The keys that work on ``screen`` now, as Textual resolves them: after the user's keymap (a remapped key shows
    its new key), inherited ones included (a list's sort keys), the focused widget's first."""
    table = Table(box=None, expand=True, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("Key", style=bold(ACCENT), no_wrap=True, width=14)
    table.add_column("Action")
    table.add_column("Where", style="dim", width=12)
    grouped: dict[tuple[int, str], tuple[list[str], ActiveBinding]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        name = _key_name(key, binding)
        entry = grouped.setdefault((id(active.node), binding.action), ([], active))
        if name not in entry[0]:
            entry[0].append(name)
    seen: set[tuple[str, str]] = set()
    for keys, active in grouped.values():
        row = (", ".join(keys), active.binding.tooltip or active.binding.description)  # the footer's word is terse
        if row in seen:
            continue
        seen.add(row)
        table.add_row(*row, _where(active.node, screen))
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
        commands.add_column("Command (:)", style=bold(ACCENT), no_wrap=True, width=14)
        commands.add_column("Arguments")
        for name, arguments in COMMANDS.items():
            commands.add_row(name, " | ".join(arguments) or "—")
        with VerticalScroll(id="help-box"):
            yield Static("[b]Keys[/b]  (esc closes)", classes="help-heading")
            yield Static(bindings_table(self.under))
            yield Static("\n[b]Commands[/b]  press [b]:[/b], type (tab completes), enter", classes="help-heading")
            yield Static(commands)
            yield Static(
                "\nEvery action is also in the command palette ([b]ctrl+p[/b]) by its plain name.",
                classes="help-heading",
            )
