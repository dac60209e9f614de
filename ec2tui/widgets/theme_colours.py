"""Colours by meaning (success, warning, error…), taken from the app's current theme, never a fixed colour name.

A fixed ``"yellow"`` is unreadable on a light theme and a fixed ``"red"`` turns near-invisible under ``NO_COLOR``
(Textual then draws every colour as a grey of its brightness). The roles below name Textual's *text* variables
(``$text-success``…), which each theme makes readable on its own background.

One vocabulary for every way ec2tui draws text:

- Textual ``Content`` and markup resolve ``$variables`` themselves when drawing, so a theme switch re-colours them.
- Rich renderables (``Text`` cells of the virtual table, rows built in threads; ``Table`` sections of the detail
  screens) look a style string up in the console's Rich theme before parsing it: :class:`ThemedApp` keeps one
  there for each role's string (and its bold form), refreshed whenever Textual works out the theme's variables, so
  these too resolve when drawn, not when built.

Meaning never rests on colour alone: each coloured word also says what it means ("stopped", "✗ 1 problem"), and
errors are bold too, which survives a monochrome terminal.
"""

from __future__ import annotations

from typing import TypeVar
from weakref import WeakKeyDictionary

from rich.console import Console
from rich.text import Text
from rich.theme import Theme
from textual import events, on
from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme as TextualTheme
from textual.widgets import Static

SUCCESS = "$text-success"
WARNING = "$text-warning"
ERROR = "$text-error"
ACCENT = "$text-accent"
"""Keys, marks and what the user typed (a search, a filter)."""
INFO = "$text-primary"
"""Neutral facts worth a glance: "shared with you", an instance-store device."""
MUTED = "dim"
"""Not a colour: Textual dims toward the background, so it follows the theme by itself."""

COLOUR_ROLES = (SUCCESS, WARNING, ERROR, ACCENT, INFO)


def bold(style: str) -> str:
    """The style in bold; for a role colour, a string the console's theme also knows."""
    return style if style.startswith("bold") else f"bold {style}".rstrip()


ROLE_STYLES: dict[str, str] = {
    "success": SUCCESS,
    "warning": WARNING,
    "error": bold(ERROR),
    "muted": MUTED,
    "accent": ACCENT,
    "info": INFO,
}
"""Style of each semantic role named outside the UI (e.g. an instance state's role in ``aws.models``)."""


def role_style(role: str) -> str:
    """The style for a semantic role name; an unknown or empty role: no style."""
    return ROLE_STYLES.get(role, "")


def rich_styles(variables: dict[str, str]) -> dict[str, str]:
    """The console theme's entries: each role string (and its bold form) → the theme's colour for it."""
    styles: dict[str, str] = {}
    for role in COLOUR_ROLES:
        try:
            colour = Color.parse(variables[role.removeprefix("$")]).hex
        except (KeyError, ColorParseError):  # a theme's own value such as "auto 90%": the text keeps its colour
            colour = ""
        styles[role] = colour
        styles[bold(role)] = f"bold {colour}".rstrip()
    return styles


_pushed: WeakKeyDictionary[Console, dict[str, str]] = WeakKeyDictionary()
"""The role styles on top of each console's theme stack (ours is popped before a new one is pushed)."""


def update_console(console: Console, variables: dict[str, str]) -> None:
    """Point the role strings of ``console``'s Rich theme at the colours of ``variables`` (Textual's, for a theme)."""
    styles = rich_styles(variables)
    previous = _pushed.get(console)
    if previous == styles:
        return
    if previous is not None:
        console.pop_theme()
    console.push_theme(Theme(styles))
    _pushed[console] = styles


ReturnType = TypeVar("ReturnType")


class ThemedApp(App[ReturnType]):
    """An app whose Rich console knows the role strings, in step with the theme: updated whenever Textual works out
    the theme's variables, which it does before restyling the screens (at start and on every theme change)."""

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        update_console(self.console, variables)
        return variables

    @on(events.Mount)
    def _follow_theme(self) -> None:
        self.theme_changed_signal.subscribe(self, self._recolour_rich_text)

    def _recolour_rich_text(self, _theme: TextualTheme) -> None:
        """A Static turns a Rich ``Text`` into Content when given it, its spans' colours resolved then: give the
        shown screens' ones theirs again. (``Content``, markup and a Text's own style follow the theme by
        themselves; rich tables and the virtual table resolve when drawn.)"""
        for screen in self.screen_stack:
            for static in screen.query(Static):
                content = static.content
                if isinstance(content, Text) and content.spans:
                    static.update(content, layout=False)
