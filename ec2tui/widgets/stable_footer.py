"""Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its key widgets (and so re-lays out the whole screen) each time the screen's bindings
signal a change, which is every focus change, and often twice for one (a blur, then a focus). Clearing a list's
filter moved the focus once and rebuilt the footer twice: ~35 ms of a 50,000-row list's `escape`, on the event loop.
Here the signals of one refresh are folded into one look at what the footer would show, and the footer is rebuilt
only when that differs from what it shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

from ec2tui.compat import textual_private

Shown = tuple[tuple[Any, ...], ...]


class StableFooter(Footer):
    def __init__(self, *, compact: bool = True, id: str | None = None) -> None:
        super().__init__(compact=compact, id=id)
        self._shown: Shown | None = None
        self._looking = False
        self._look_again = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        textual_private.set_footer_bindings_ready(self)  # what Footer's own handler sets first, whatever follows
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        self._look_again = True
        if not self._looking:
            self._looking = True
            self.call_after_refresh(self._rebuild_while_changed)

    async def _rebuild_while_changed(self) -> None:
        """Look, and rebuild if the keys changed; again if they changed meanwhile. One rebuild at a time: two
        overlapping ones left the keys of one beside the columns of the other (cut descriptions)."""
        try:
            while self._look_again and self.is_attached:
                self._look_again = False
                shown = self.shown_keys()
                if shown != self._shown:
                    self._shown = shown
                    await self.recompose()
        finally:
            self._looking = False

    def shown_keys(self) -> Shown:
        """What :meth:`Footer.compose` reads from the screen's bindings, for the keys it shows."""
        app = self.app
        return tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.group,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        )
