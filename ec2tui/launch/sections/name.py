"""Launch form section 1: the instance's name and its tags."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from ec2tui.aws.models.launch import Tag
from ec2tui.deferred import deferred
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    RowList,
    ancestor,
    row,
    rows_match,
    set_input,
)

# -- 1. name and tags ------------------------------------------------------------------------------------------


class TagRow(Vertical):
    def __init__(self, index: int, tag: Tag) -> None:
        super().__init__(classes="tag-row list-row")
        self.index, self.tag = index, tag

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row-fields"):
            yield FormInput(self.tag.key, placeholder="key", classes="tag-key", compact=True)
            yield FormInput(self.tag.value, placeholder="value", classes="tag-value", compact=True)
            yield Button("✕", classes="remove-row", compact=True, tooltip="Remove this tag")
        yield FieldMessage(f"tags[{self.index}]")


class NameSection(FormSection):
    TITLE = "Name and tags"

    def compose(self) -> ComposeResult:
        yield row("Name", FormInput(self.request.name, placeholder="e.g. web-server-1", id="name", compact=True))
        yield FieldMessage("name")
        with Horizontal(classes="field-row tall-row"):
            yield Label("Tags", classes="field-label")
            with Vertical(classes="row-column"):
                yield RowList(*self._rows(), id="tag-rows")
                yield Button("+ Add tag", id="add-tag", compact=True)
        yield FieldMessage("tags")

    def _rows(self) -> list[TagRow]:
        return [TagRow(i, tag) for i, tag in enumerate(self.request.tags)]

    async def _rebuild(self, focus_index: int | None = None) -> None:
        await self.rebuild_rows(focus_index, lambda: list(self.query(TagRow)), ".tag-key", "#add-tag")

    def load(self) -> None:
        set_input(self.query_one("#name", Input), self.request.name)
        if not rows_match(list(self.query(TagRow)), self.request.tags, "tag"):
            self.run_worker(deferred(self.sync_rows), exit_on_error=False)

    async def sync_rows(self) -> None:
        await self.query_one("#tag-rows", RowList).sync(self._rows, self.request.tags, "tag")

    @on(Input.Changed, "#name")
    def _name(self, event: Input.Changed) -> None:  # type: ignore[override]  # shadows DOMNode._name: rename
        if event.value == self.request.name:
            return
        self.request.name = event.value
        self.edited("name")

    @on(Input.Changed, ".tag-key, .tag-value")
    def _tag(self, event: Input.Changed) -> None:
        tag_row = ancestor(event.input, TagRow)
        if isinstance(tag_row, TagRow) and tag_row.index < len(self.request.tags):
            tag = self.request.tags[tag_row.index]
            attribute = "key" if event.input.has_class("tag-key") else "value"
            if getattr(tag, attribute) != event.value:
                setattr(tag, attribute, event.value)
                self.edited("tags")

    @on(Button.Pressed, "#add-tag")
    async def add_tag(self) -> None:
        self.request.tags.append(Tag())
        await self._rebuild(len(self.request.tags) - 1)
        self.edited("tags")

    @on(Button.Pressed, ".tag-row .remove-row")
    async def _remove(self, event: Button.Pressed) -> None:
        tag_row = ancestor(event.button, TagRow)
        if isinstance(tag_row, TagRow) and tag_row.index < len(self.request.tags):
            del self.request.tags[tag_row.index]
            await self._rebuild(min(tag_row.index, len(self.request.tags) - 1))
            self.edited("tags")
