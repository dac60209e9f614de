"""Checkboxes whose mark shows their state, not only their colour."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class Check(Checkbox):
    """Textual's compact Checkbox draws the same "X" on and off and tells them apart by colour alone, which is lost
    on light themes, monochrome terminals and to colour-blind users; this one draws "X" only when checked."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class constant in Textual; per state here
        return "X" if self.value else " "

    def render(self) -> Content:
        content = super().render()
        if not self.app.no_color:
            return content
        return Content.assemble(no_colour_box(self.value), content[3:])  # the box comes first (ec2tui's only use)


def no_colour_box(ticked: bool) -> tuple[str, str]:
    """The box under NO_COLOR: Textual draws its edges as half blocks in a shade of the panel, which turns into grey
    on grey, so an unticked box vanished; brackets in the text's own colour stay."""
    return ("[X]" if ticked else "[ ]", "bold")


class CheckList(SelectionList[str]):
    """A SelectionList whose boxes, like ``Check``'s, show "X" only for the selected options."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if len(segments) < 2 or segments[1].text != Checkbox.BUTTON_INNER:
            return line  # not a row with a box (Textual changed its layout): leave it as drawn
        ticked = selection.value in self.selected
        if self.app.no_color and len(segments) > 3:
            box, style = no_colour_box(ticked)
            segments[:3] = [Segment(box, (segments[3].style or Style()) + Style.parse(style))]
        else:
            segments[1] = Segment(Checkbox.BUTTON_INNER if ticked else " ", segments[1].style)
        return Strip(segments, line.cell_length)
