"""Launch form section 9: how many instances."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    row,
    set_input,
)
from ec2tui.launch.state import (
    int_text,
    parse_int,
)

# -- 9. count --------------------------------------------------------------------------------------------------


class CountSection(FormSection):
    TITLE = "Number of instances"

    def compose(self) -> ComposeResult:
        yield row(
            "Minimum",
            FormInput(int_text(self.request.min_count), id="min-count", classes="short", compact=True),
            Label("Maximum", classes="inline-label"),
            FormInput(int_text(self.request.max_count), id="max-count", classes="short", compact=True),
        )
        yield FieldMessage("min_count")
        yield FieldMessage("max_count")
        yield Hint("AWS launches at least the minimum and up to the maximum, as capacity allows.")

    def load(self) -> None:
        set_input(self.query_one("#min-count", Input), int_text(self.request.min_count))
        set_input(self.query_one("#max-count", Input), int_text(self.request.max_count))

    @on(Input.Changed, "#min-count")
    def _min(self, event: Input.Changed) -> None:
        value = parse_int(event.value)
        value = value if value is not None else ""
        if value == self.request.min_count:
            return
        self.request.min_count = value  # type: ignore[assignment]
        self.edited("min_count")

    @on(Input.Changed, "#max-count")
    def _max(self, event: Input.Changed) -> None:
        value = parse_int(event.value)
        value = value if value is not None else ""
        if value == self.request.max_count:
            return
        self.request.max_count = value  # type: ignore[assignment]
        self.edited("max_count")
