"""Colours come from the theme: no Rich colour name in the code, the theme's colours in the table cells built in
threads, the detail screens' tables and the review's problem lines, on dark and light themes and after a switch, and
under NO_COLOR a stopped state and a problem line stay readable and marked by more than colour."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.segment import Segment
from textual.app import ComposeResult
from textual.color import Color
from textual.filter import Monochrome
from textual.widgets import Static

from ec2tui.app import Ec2App
from ec2tui.aws.models.launch import FieldError
from ec2tui.launch.review import LaunchReviewScreen
from ec2tui.screens.instance_detail import summary_section
from ec2tui.widgets.theme_colours import ThemedApp, role_style
from ec2tui.widgets.virtual_table import TableColumn, VirtualTable, styled
from tests.test_instances_actions import make_instance

ROOT = Path(__file__).resolve().parent.parent

COLOUR_NAME = re.compile(
    r"\b(red|green|yellow|blue|cyan|magenta|black|white|grey\d*|gray\d*|orange\d*|dark_[a-z]+|bright_[a-z]+|"
    r"purple|pink\d*|gold\d*|violet)\b|#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})(?![\w-])|\brgb\("
)
"""A Rich or CSS colour by name or value (``ansi_bright_blue``, Textual's ANSI-mode colour, is not matched)."""
BACKDROP_AS_TEXT = re.compile(r"(?<![-\w])color:\s*\$(success|warning|error|accent|primary|secondary)\b")
"""CSS giving text a theme's *backdrop* colour: $warning on a light background is hard to read, $text-warning is not."""
BACKDROP_IN_STYLE = re.compile(r"(?<!text-)(?<!on )\$(success|warning|error|accent|primary|secondary)\b")
"""The same in a style string ("bold $warning"): a background ("on $warning") is fine."""

ALLOWED = {
    ("ec2tui/aws/user_data.py", "red hat"): "a Linux distribution's name (guessing the OS from an AMI's name)",
    ("ec2tui/aws/ssh.py", r"\brhel\b|red ?hat"): "a Linux distribution's name (guessing the SSH user)",
}
"""Strings that match but are not colours, with the reason."""


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        # an attribute's docstring: a bare string right after an assignment
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            if isinstance(statements, list):
                for before, after in itertools.pairwise(statements):
                    if isinstance(before, (ast.Assign, ast.AnnAssign)) and isinstance(after, ast.Expr):
                        found.add(id(after.value))
    return found


def hard_coded_colours() -> list[str]:
    """Every string in ec2tui's code (prose docstrings aside) and style sheets that names a colour."""
    found: list[str] = []
    for path in sorted((ROOT / "ec2tui").rglob("*.py")):
        where, source = path.relative_to(ROOT).as_posix(), path.read_text()
        if not (COLOUR_NAME.search(source) or BACKDROP_IN_STYLE.search(source)):
            continue  # nothing to look at closer (parsing every module is the slow part)
        tree = ast.parse(source, where)
        prose = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in prose:
                continue
            text = node.value
            css = "{" in text or ";" in text
            unreadable = BACKDROP_AS_TEXT.search(text) if css else BACKDROP_IN_STYLE.search(text)
            if (COLOUR_NAME.search(text) or unreadable) and (where, text) not in ALLOWED:
                found.append(f"{where}:{node.lineno}: {text!r}")
    for path in sorted((ROOT / "ec2tui").rglob("*.tcss")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if COLOUR_NAME.search(line.split("/*")[0]) or BACKDROP_AS_TEXT.search(line):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}")
    return found


def test_no_colour_is_named_in_the_code():
    """Colours come from the theme (ec2tui.widgets.theme_colours: SUCCESS, WARNING, ERROR, ACCENT, INFO, MUTED): a
    fixed "yellow" is unreadable on a light theme and a fixed "red" all but vanishes under NO_COLOR. Text takes
    the theme's text variants ($text-warning), made to be read on its background."""
    assert hard_coded_colours() == []


def test_the_scan_finds_a_colour_name():
    """The scan above is not vacuous: it sees a style string, markup and CSS with a colour in them."""
    assert COLOUR_NAME.search("bold red") and COLOUR_NAME.search("[b yellow]x[/]")
    assert COLOUR_NAME.search("background: #1e1e1e;") and COLOUR_NAME.search("bold white on dark_green")
    assert not COLOUR_NAME.search("bold $text-error") and not COLOUR_NAME.search("background: ansi_bright_blue;")
    assert BACKDROP_AS_TEXT.search("#x { color: $warning; }") and BACKDROP_IN_STYLE.search("bold $warning")
    assert not BACKDROP_AS_TEXT.search("border: tall $accent; background-color: $error;")
    assert not BACKDROP_IN_STYLE.search("bold $text-warning") and not BACKDROP_IN_STYLE.search("bold on $warning")


def test_the_app_keeps_its_console_in_step_with_the_theme():
    assert issubclass(Ec2App, ThemedApp)


PROBLEMS = [
    FieldError("network.subnet_id", "the subnet is in another VPC"),
    FieldError("count", "more than 20 instances", "warning"),
]


class Showcase(ThemedApp[None]):
    """The three ways ec2tui draws a themed word: a table cell built off the event loop, a detail screen's Rich
    table, and a Rich Text with coloured spans in a Static (the review's problem lines)."""

    def compose(self) -> ComposeResult:
        yield VirtualTable([TableColumn("state", "State")], zebra_stripes=False)
        yield Static(summary_section(make_instance(state="stopped"), None), id="detail")
        review = SimpleNamespace(issues=PROBLEMS)
        yield Static(LaunchReviewScreen.issues_text(review), id="problems")  # type: ignore[arg-type]

    def on_mount(self) -> None:
        # as InstancesScreen.row builds the state cell (in a thread): the role's style string, resolved when drawn
        state = make_instance(state="stopped").state_role
        self.query_one(VirtualTable).set_rows(["a", "b"], [("cursor",), (styled("stopped", role_style(state)),)])


def drawn(app: Showcase, word: str) -> list[Segment]:
    """The segments that draw ``word``, wherever it is on screen."""
    found: list[Segment] = []
    for widget in (app.query_one(VirtualTable), app.query_one("#detail"), app.query_one("#problems")):
        for y in range(widget.size.height):
            found += [s for s in widget.render_line(y) if word in s.text]
    assert found, f"{word!r} is not on screen"
    return found


def colours(segments: list[Segment]) -> set[Color]:
    return {Color.from_rich_color(s.style.color) for s in segments if s.style and s.style.color}


def theme_colour(app: Showcase, variable: str) -> Color:
    return Color.parse(app.theme_variables[variable])


async def test_the_theme_colours_the_state_cell_the_detail_and_the_problem_line_and_a_switch_recolours_them():
    app = Showcase()
    async with app.run_test(size=(100, 20), notifications=False) as pilot:
        seen: dict[str, Color] = {}
        for theme in ("textual-dark", "textual-light", "textual-dark"):
            app.theme = theme
            await pilot.pause()
            await pilot.pause()
            error, warning = theme_colour(app, "text-error"), theme_colour(app, "text-warning")
            assert colours(drawn(app, "stopped")) == {error}, f"{theme}: the state cell and the detail's state"
            assert len(drawn(app, "stopped")) == 2
            assert colours(drawn(app, "another VPC")) == {error}, f"{theme}: the review's problem line"
            assert colours(drawn(app, "more than 20")) == {warning}, f"{theme}: the review's warning line"
            seen.setdefault(theme, error)
        assert seen["textual-dark"] != seen["textual-light"]


def contrast(style_colour: Color, background: Color) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((_luminance(style_colour), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_under_no_color_a_stopped_state_and_a_problem_line_are_readable_and_bold(monkeypatch, theme):
    """NO_COLOR draws every colour as a grey of its brightness (Textual's Monochrome filter): "stopped" in red on a
    dark background went nearly black on black. Now the grey stays readable and the word is bold as well."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = Showcase()
    async with app.run_test(size=(100, 20), notifications=False) as pilot:
        app.theme = theme
        await pilot.pause()
        await pilot.pause()
        assert app.no_color
        for word in ("stopped", "✗ Subnet", "another VPC"):
            segments = drawn(app, word)
            for segment in Monochrome().apply(segments, Color(0, 0, 0)):
                assert segment.style is not None and segment.style.bold, f"{word!r}: bold, not colour alone"
                foreground = Color.from_rich_color(segment.style.color)
                background = Color.from_rich_color(segment.style.bgcolor)
                assert contrast(foreground, background) >= 3, f"{word!r} in grey on grey under {theme}"
