"""A checkbox whose mark shows its state, not only its colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class Check(Checkbox):
    """Textual's compact Checkbox draws the same "X" on and off and tells them apart by colour alone, which is lost
    on light themes, monochrome terminals and to colour-blind users; this one draws "X" only when checked."""

    @property
    def BUTTON_INNER(self) -> str:
        return "X" if self.value else " "
