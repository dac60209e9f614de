"""Building blocks of the launch form: labelled rows, the per-field error/warning line, and the section base."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from textual import on
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static

from ec2tui.aws.models.launch import FieldError, LaunchRequest
from ec2tui.compat import textual_private
from ec2tui.launch.messages import FieldEdited, FormEdited, RowsChanged
from ec2tui.launch.state import SUB_FIELD_LABELS, last_component, parent_path  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from ec2tui.launch.state import LaunchFormState

CHANGE_MESSAGES = (Input.Changed, Select.Changed, Checkbox.Changed, SelectionList.SelectedChanged)


@contextmanager
def quietly(widget: Widget) -> Iterator[None]:
    """Set widget values without their Changed messages (the form already holds those values)."""
    with widget.prevent(*CHANGE_MESSAGES):
        yield


class FormInput(Input):
    """An Input of the form that knows whether the user typed something the form hasn't received yet."""

    def __init__(self, value: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        self.form_value = self.value
        """The value as the form last wrote it or received it (its Changed message reached the section)."""

    @property
    def typing(self) -> bool:
        """Typed text whose Changed message is still on its way: the form must not write over it."""
        return self.value != self.form_value


def set_input(widget: Input, value: str) -> None:
    """Show the form's value, unless the user is typing there: an input being edited is never rewritten (the
    Changed message on its way then brings the typed text into the form)."""
    if widget.value == value:
        return
    if isinstance(widget, FormInput):
        if widget.typing:
            return
        widget.form_value = value
    with quietly(widget):
        widget.value = value


def set_select(widget: Select[Any], value: Any) -> None:
    """Select ``value`` when it is one of the options, else show no selection (the form keeps the value)."""
    legal = value in option_values(widget)
    target = value if legal else Select.NULL
    if widget.value != target:
        with quietly(widget):
            if target is Select.NULL:
                widget.clear()
            else:
                widget.value = target


def option_values(widget: Select[Any]) -> list[Any]:
    """The values a Select offers (Select has no public accessor for them)."""
    return [value for _, value in textual_private.select_options(widget) if value is not Select.NULL]


def set_options(widget: Select[Any], options: list[tuple[Any, Any]]) -> None:
    """Replace the options when their values changed; quietly, as the caller re-selects the form's value."""
    if [value for _, value in options] != option_values(widget):
        with quietly(widget):
            widget.set_options(options)


def rows_match(rows: list[Any], items: list[Any], attribute: str) -> bool:
    """Whether the row widgets show exactly these items (same objects, same order)."""
    return len(rows) == len(items) and all(getattr(r, attribute) is i for r, i in zip(rows, items, strict=True))


def set_checkbox(widget: Checkbox, value: bool) -> None:
    if widget.value != value:
        with quietly(widget):
            widget.value = value


def row(label: str, *widgets: Widget, id: str | None = None, classes: str = "") -> Horizontal:
    """``label  [control] [control]…`` on one line."""
    return Horizontal(Label(label, classes="field-label"), *widgets, id=id, classes=f"field-row {classes}".strip())


class FieldMessage(Static):
    """The errors and warnings of one field path, on the line under the field; hidden when there are none.

    Paths deeper than ``path`` (``rules[0].cidr`` under ``rules[0]``) show here too, prefixed with their label.
    """

    def __init__(self, path: str, *, classes: str = "") -> None:
        super().__init__("", markup=False, classes=f"field-message {classes}".strip())
        self.path = path
        self._shown: tuple[str, bool] = ("", False)
        self.display = False

    def show_issues(self, issues: list[tuple[str, FieldError]]) -> None:
        lines = []
        for label, issue in issues:
            mark = "⚠" if issue.is_warning else "✗"
            lines.append(f"{mark} {label + ': ' if label else ''}{issue.message}")
        text = "\n".join(lines)
        error = any(not i.is_warning for _, i in issues)
        if (text, error) == self._shown:
            return  # unchanged: no refresh (the form re-validates on every key)
        layout = not _fits_one_line(self, self._shown[0]) or not _fits_one_line(self, text)
        self._shown = (text, error)
        self.update(text, layout=layout)
        self.set_class(error, "-error")
        self.set_class(bool(issues) and not error, "-warning")
        self.display = bool(issues)

    @property
    def text(self) -> str:
        return str(self.render())


def _fits_one_line(widget: Widget, text: object) -> bool:
    """Whether ``text`` shows on one line of the widget as it is now (then an update can't change its height)."""
    if not isinstance(text, str) or not widget.display or not widget.size.width:
        return False
    return "\n" not in text and 0 < len(text) < widget.size.width


class FormSection(Vertical):
    """One numbered section of the launch form, editing ``state.request`` in place."""

    TITLE = ""

    def __init__(self, state: LaunchFormState, number: int, *, id: str) -> None:
        super().__init__(id=id, classes="launch-section")
        self.state = state
        self.number = number
        self.border_title = f"{number} · {self.TITLE}"

    @property
    def request(self) -> LaunchRequest:
        return self.state.request

    def on_descendant_focus(self) -> None:
        self._show_focus_within()

    def on_descendant_blur(self) -> None:
        self._show_focus_within()

    def _show_focus_within(self) -> None:
        """Mark the section holding the cursor (its border). A class restyles the section alone, and only when the
        cursor enters or leaves it: a ``:focus-within`` rule restyles all of the section's widgets on every move of
        the cursor inside it (~20 ms a key on the bigger sections)."""
        within = self.has_focus_within
        if self.has_class("-focus-within") != within:
            self.set_class(within, "-focus-within", update=False)
            self.app.stylesheet.update_nodes([self], animate=True)

    @on(Input.Changed)
    def _received(self, event: Input.Changed) -> None:
        if isinstance(event.input, FormInput):
            event.input.form_value = event.value

    def edited(self, path: str, kind: type[FormEdited] = FieldEdited) -> None:
        """Tell the screen the request changed at ``path`` (``kind`` says what it must reload, if anything)."""
        # Decided now, not when handled: the screen marks the stretches where it fills in defaults itself.
        self.post_message(kind(path, by_user=not getattr(self.screen, "applying_defaults", False)))

    def load(self) -> None:
        """Show the request's values (after a draft restore, an AMI change, a launch)."""

    def facts_changed(self) -> None:
        """The AWS facts in ``state`` changed (a list loaded, the AMI's facts arrived)."""

    async def sync_rows(self) -> None:
        """Make the section's list of rows (tags, rules, volumes) show the request's items; sections with rows."""

    async def rebuild_rows(
        self, focus_index: int | None, rows: Callable[[], Sequence[Widget]], field: str, add_button: str
    ) -> None:
        """Sync the rows, then put the cursor in ``field`` of row ``focus_index`` (none or out of range: on
        ``add_button``), unless the user moved on while the rows were mounting: never pull the cursor back."""
        before = self.app.focused
        await self.sync_rows()
        focused = self.app.focused
        if focused is not None and focused is not before and (before is None or before.is_attached):
            return  # (a focus that left a removed row was moved by Textual, not by the user)
        shown = rows()
        if focus_index is not None and 0 <= focus_index < len(shown):
            shown[focus_index].query_one(field).focus()
        else:
            self.query_one(add_button).focus()

    def first_focus(self) -> Widget | None:
        """Where "go to section" puts the cursor."""
        return next((w for w in self.query("*") if w.focusable), None)


class RowList(Vertical):
    """A list of editable rows (tags, rules, volumes), rebuilt when the items it shows change.

    Rebuilds are serialised: the form may ask for several at once (a draft restored while facts load), and a row
    removed while it is still mounting breaks Textual's widgets.
    """

    DEFAULT_CSS = "RowList { height: auto; }"

    def __init__(self, *rows: Widget, id: str | None = None) -> None:
        super().__init__(*rows, id=id)
        self._lock = asyncio.Lock()

    async def sync(self, make_rows: Callable[[], Sequence[Widget]], items: list[Any], attribute: str) -> bool:
        """Rebuild with ``make_rows()`` unless the rows already show ``items``; True when rebuilt."""
        async with self._lock:
            if rows_match(list(self.children), items, attribute):
                return False
            await self.remove_children()
            rows = make_rows()
            if rows:
                await self.mount_all(rows)
        self.post_message(RowsChanged())  # new rows bring new message lines: show their issues
        return True


class Hint(Static):
    """A dim explanatory line."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id, classes="field-hint")
        self._text = text
        self.display = bool(text)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        """Only when the text changes: every update re-lays out the form, and sections update on each key."""
        if content != self._text:
            same_height = _fits_one_line(self, self._text) and _fits_one_line(self, content)
            self._text = content
            super().update(content, layout=layout and not same_height)
            self.display = bool(content)


def ancestor(widget: Widget, kind: type[Widget]) -> Widget | None:
    node = widget.parent
    while node is not None and not isinstance(node, kind):
        node = node.parent
    return node if isinstance(node, Widget) else None
