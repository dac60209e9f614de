"""Checkboxes whose mark shows their state, not only their colour."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class Check(Checkbox):
    """Textual's compact Checkbox draws the same "X" on and off and tells them apart by colour alone, which is lost
    on light themes, monochrome terminals and to colour-blind users; this one draws "X" only when checked."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class constant in Textual; per state here
        return "X" if self.value else " "


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
        mark = Checkbox.BUTTON_INNER if selection.value in self.selected else " "
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, line.cell_length)
