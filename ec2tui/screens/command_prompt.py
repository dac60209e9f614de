"""`:`: a k9s-style command line with completion, shown at the bottom of the screen."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label

from ec2tui.commands import CommandError, completions, parse
from ec2tui.compat import textual_private


class PromptInput(Input):
    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="prompt.complete")]

    def action_complete(self) -> None:
        suggestion = textual_private.input_suggestion(self)
        if suggestion:
            self.value = suggestion
            self.cursor_position = len(self.value)


class CommandPrompt(ModalScreen[str | None]):
    """Dismisses with the command line typed (validated), or None on escape. ``names`` adds completions for the
    commands that take any name (``region eu-west-1``, ``profile prod``), from what the app has seen."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="prompt.cancel")]

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__()
        self.names = list(names)

    def compose(self) -> ComposeResult:
        yield Label("", id="prompt-error")
        yield PromptInput(
            placeholder="regions · region NAME · profiles · profile NAME · amis [category] · instances · launch",
            suggester=SuggestFromList([*completions(), *self.names], case_sensitive=False),
            id="prompt",
        )

    def on_mount(self) -> None:
        self.query_one("#prompt-error").display = False

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        if not self.is_active:
            return  # a second enter already queued when the first one closed the prompt
        try:
            parse(event.value)
        except CommandError as exc:
            error = self.query_one("#prompt-error", Label)
            error.update(str(exc))
            error.display = True
            return  # keep what was typed
        self.dismiss(event.value)
