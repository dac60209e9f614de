"""The launch form's user data editor: a highlighted code editor, starter templates, load from file, live size."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ec2tui.aws.user_data import (
    SYNTAX_LANGUAGES,
    TEMPLATES,
    USER_DATA_LIMIT,
    fix_line_endings,
    from_editor,
    hidden_line_breaks,
    line_ending_problem,
    looks_like,
    templates_for,
    to_editor,
    user_data_size,
)
from ec2tui.compat import textual_private
from ec2tui.state_files import NotRegularFileError, open_regular_file

HELP_LINE = "Runs once, as root, at the first boot (cloud-init). Limit: 16 KB before base64."

KIND_LABELS: dict[str, str] = {
    "bash": "shell script",
    "cloud-config": "cloud-config",
    "python": "Python script",
    "powershell": "PowerShell (Windows)",
    "batch": "batch script (Windows)",
    "mime": "MIME multi-part",
    "text": "plain text: cloud-init runs only #! scripts and #cloud-config",
    "empty": "empty: nothing runs at boot",
}


class UserDataFileError(Exception):
    """A file that can't become user data; the message says why and that nothing was loaded."""


def read_user_data_file(path_text: str) -> tuple[Path, str]:
    """Read a UTF-8 text file of at most :data:`USER_DATA_LIMIT` bytes (``~`` expanded).

    Returns the resolved path and the text; raises :class:`UserDataFileError` with a message fit for the user.
    """
    if not path_text.strip():
        raise UserDataFileError("Type the path of a file to load.")
    path = Path(os.path.expanduser(path_text.strip()))
    shown = str(path)
    try:
        # Not ``open()``: a FIFO (or a device) at the path would block the UI until something writes to it.
        fd = open_regular_file(path)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(USER_DATA_LIMIT + 1)
            if len(data) > USER_DATA_LIMIT:
                total = os.fstat(handle.fileno()).st_size
                raise UserDataFileError(
                    f"{shown} is {total:,} bytes; user data is limited to {USER_DATA_LIMIT:,} bytes. Nothing loaded."
                )
    except NotRegularFileError as exc:
        raise UserDataFileError(f"{shown} is {exc.kind}, not a file. Nothing loaded.") from None
    except FileNotFoundError:
        raise UserDataFileError(f"No such file: {shown}") from None
    except PermissionError:
        raise UserDataFileError(f"Can't read {shown}: permission denied.") from None
    except OSError as exc:
        raise UserDataFileError(f"Can't read {shown}: {exc.strerror or exc}.") from None
    if b"\x00" in data:
        raise UserDataFileError(f"{shown} is a binary file (gzip?), not text. Nothing loaded.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserDataFileError(f"{shown} is not UTF-8 text. Nothing loaded.") from None
    return path, text


class ReplaceOrAppendScreen(ModalScreen[str | None]):
    """Asked before new text lands on what the user wrote: `r` replaces, `a` appends, escape keeps it unchanged."""

    BINDINGS = [
        Binding("r", "choose('replace')", "Replace", id="user_data_editor.replace"),
        Binding("a", "choose('append')", "Append", id="user_data_editor.append"),
        Binding("escape", "choose(None)", "Cancel", id="user_data_editor.cancel"),
    ]

    def __init__(self, what: str, current_size: int, mixing: str = "") -> None:
        super().__init__(classes="confirm")
        self.what, self.current_size, self.mixing = what, current_size, mixing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("The user data is not empty", classes="dialog-title")
            yield Static(
                f"Insert {self.what}?\n\nThe editor holds {self.current_size:,} bytes of your text. "
                "Replace it (ctrl+z in the editor undoes), append to it, or cancel and keep it as it is."
                + (f"\n\n{self.mixing}" if self.mixing else ""),
                classes="dialog-body",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Replace (r)", id="replace", variant="warning")
                yield Button("Append (a)", id="append", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in ("replace", "append") else None)


class UndoSafeTextArea(TextArea):
    """A TextArea whose undo of a long paste can't crash (Textual issue #6686, fix proposed in PR #6687).

    ``TextArea._undo_batch`` shortens the document, then refreshes its size *before* putting the cursor back: when
    the vertical scrollbar goes away, its watcher scrolls to the old cursor row, which no longer exists, and
    ``WrappedDocument.location_to_offset`` raises ValueError. The cursor offset is only a display cache, so it is
    computed from the cursor clamped into the document; the selection itself is restored by the undo right after.
    """

    def recompute_cursor_offset_safely(self) -> None:
        offset = self.wrapped_document.location_to_offset(self.clamp_visitable(self.cursor_location))
        textual_private.set_cursor_offset(self, offset)


textual_private.replace_recompute_cursor_offset(UndoSafeTextArea, UndoSafeTextArea.recompute_cursor_offset_safely)


class UserDataEditor(Vertical):
    """Edits the launch request's user data. Posts :class:`UserDataEditor.Changed` on every edit.

    The bytes given are kept as they are: CR and the other line separators a TextArea would rewrite are shown as
    symbols (␍…) and given back as they were; CR characters or a BOM get a warning and a one-key fix (ctrl+l).
    """

    DEFAULT_CSS = """
    UserDataEditor #ud-line-endings {
        height: auto;
        color: $text-warning;
    }
    """

    BINDINGS = [
        Binding("ctrl+t", "templates", "Insert template", id="user_data_editor.templates"),
        Binding("ctrl+o", "load_file", "Load file", id="user_data_editor.load_file"),
        Binding("ctrl+l", "fix_line_endings", "Convert to LF", id="user_data_editor.fix_line_endings"),
    ]

    class Changed(Message):
        """The text changed. ``size`` is what AWS counts (UTF-8 bytes before base64)."""

        def __init__(self, text: str, size: int, over_limit: bool, *, editor: UserDataEditor | None = None) -> None:
            super().__init__()
            self.text, self.size, self.over_limit = text, size, over_limit
            self.editor = editor

        @property
        def control(self) -> UserDataEditor | None:
            return self.editor

    def __init__(self, text: str = "", *, distro: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._distro = distro
        self._separators = hidden_line_breaks(text)
        """Line separators other than LF the text had: the editor shows them as symbols (see ``to_editor``)."""
        # tab leaves the editor (the form stays navigable by keyboard); the "css" theme follows the app's theme.
        self._area = UndoSafeTextArea.code_editor(to_editor(text), theme="css", tab_behavior="focus", id="ud-text")
        self._kind = looks_like(text)
        self._area.language = self._language_for(self._kind)
        self._problem = ""

    # -- public API ---------------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The user data exactly as given (line endings and BOM included)."""
        return from_editor(self._area.text, self._separators)

    @text.setter
    def text(self, value: str) -> None:
        """Replace the text (e.g. restoring a draft); clears the undo history and posts Changed."""
        self._separators = hidden_line_breaks(value)
        self._area.load_text(to_editor(value))
        self._refresh_status()

    @property
    def byte_size(self) -> int:
        return user_data_size(self.text)

    @property
    def over_limit(self) -> bool:
        return self.byte_size > USER_DATA_LIMIT

    @property
    def distro(self) -> str | None:
        return self._distro

    @distro.setter
    def distro(self, value: str | None) -> None:
        """The AMI's distribution (:func:`ec2tui.aws.user_data.guess_distro`): decides which templates are offered."""
        self._distro = value
        for select in self.query("#ud-template").results(Select):
            select.set_options(self._template_options())

    @property
    def text_area(self) -> TextArea:
        return self._area

    # -- layout -------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(HELP_LINE, id="ud-help", markup=False)
        yield self._area
        with Horizontal(id="ud-status"):
            yield Static("", id="ud-kind", markup=False)
            yield Static("", id="ud-size", markup=False)
        yield Static("", id="ud-line-endings", classes="-warning", markup=False)
        with Horizontal(id="ud-tools"):
            yield Select(self._template_options(), prompt="Insert template (ctrl+t)…", id="ud-template", compact=True)
            yield Input(placeholder="Load from file (ctrl+o): path, then enter", id="ud-path", compact=True)
        yield Static("", id="ud-message", markup=False)

    def on_mount(self) -> None:
        self._refresh_status()

    def _template_options(self) -> list[tuple[str, str]]:
        return [(name, name) for name in templates_for(self._distro or "unknown")]

    def _language_for(self, kind: str) -> str | None:
        language = SYNTAX_LANGUAGES.get(kind)
        return language if language in self._area.available_languages else None

    def _refresh_status(self) -> tuple[str, int, bool]:
        text = self.text
        size = user_data_size(text)
        over = size > USER_DATA_LIMIT
        kind = looks_like(text)
        if kind != self._kind or self._area.language != self._language_for(kind):
            self._kind = kind
            area = self._area
            # A new language rebuilds the document and puts the cursor at (0, 0): keep where the user was typing.
            selection, scroll = area.selection, area.scroll_offset
            area.language = self._language_for(kind)
            area.selection = selection
            area.scroll_to(scroll.x, scroll.y, animate=False, immediate=True)
        for size_widget in self.query("#ud-size").results(Static):  # absent until composed
            label = f"{size:,} / {USER_DATA_LIMIT:,} bytes"
            if over:
                label += f" — {size - USER_DATA_LIMIT:,} over the limit"
            size_widget.update(label)
            size_widget.set_class(over, "-over-limit")
        for kind_widget in self.query("#ud-kind").results(Static):
            kind_widget.update(KIND_LABELS.get(kind, kind))
            kind_widget.set_class(kind == "text", "-warning")
        problem = line_ending_problem(text)
        for warning in self.query("#ud-line-endings").results(Static):
            warning.update(f"⚠ {problem[0].upper()}{problem[1:]}. ctrl+l converts to LF." if problem else "")
            warning.display = bool(problem)
        if problem != self._problem:
            self._problem = problem
            self.refresh_bindings()
        return text, size, over

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#ud-message", Static)
        widget.update(message)
        widget.set_class(error, "-error")

    # -- events -------------------------------------------------------------------------------------------------
    @on(TextArea.Changed, "#ud-text")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        text, size, over = self._refresh_status()
        self.post_message(self.Changed(text, size, over, editor=self))

    @on(Select.Changed, "#ud-template")
    def _template_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL or event.value not in TEMPLATES:
            return
        name = str(event.value)
        event.select.clear()
        self._offer(TEMPLATES[name], f'the template "{name}"', done=f'Inserted the template "{name}".')

    @on(Input.Submitted, "#ud-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            path, text = read_user_data_file(event.value)
        except UserDataFileError as exc:
            self._say(str(exc), error=True)
            return
        size = user_data_size(text)
        self._offer(text, f"{path} ({size:,} bytes)", done=f"Loaded {size:,} bytes from {path}.")

    def _offer(self, new_text: str, what: str, *, done: str) -> None:
        """Put ``new_text`` in the editor; when the user has written something, ask first (replace/append/cancel)."""
        if not self.text.strip():
            self._apply("replace", new_text, done)
            return

        def answered(choice: str | None) -> None:
            if choice is None:
                self._say("Cancelled: your user data is unchanged.")
            else:
                self._apply(choice, new_text, done + (" ctrl+z undoes it." if choice == "replace" else ""))

        mine, theirs = looks_like(self.text), looks_like(new_text)
        mixing = ""
        if mine != theirs and {mine, theirs} & {"cloud-config", "powershell", "batch", "mime"}:
            mixing = (
                f"Note: your text is {KIND_LABELS[mine].split(':')[0]} and this is {KIND_LABELS[theirs].split(':')[0]};"
                " appended, only the first kind is recognised at boot."
            )
        self.app.push_screen(ReplaceOrAppendScreen(what, self.byte_size, mixing), answered)

    def _apply(self, choice: str, new_text: str, done: str) -> None:
        area = self._area
        end = area.document.end
        self._separators |= hidden_line_breaks(new_text)
        new_text = to_editor(new_text)
        if choice == "append":
            current = area.text
            separator = "" if not current or current.endswith("\n\n") else ("\n" if current.endswith("\n") else "\n\n")
            area.insert(separator + new_text, end, maintain_selection_offset=False)
            self._say(done.replace("Inserted", "Appended").replace("Loaded", "Appended"))
        else:
            area.replace(new_text, (0, 0), end, maintain_selection_offset=False)
            area.move_cursor((0, 0))
            self._say(done)
        area.focus()

    # -- actions ------------------------------------------------------------------------------------------------
    def action_templates(self) -> None:
        select = self.query_one("#ud-template", Select)
        select.focus()
        select.action_show_overlay()

    def action_load_file(self) -> None:
        self.query_one("#ud-path", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix_line_endings":
            return bool(self._problem)  # offered (and in the footer) only when there is something to fix
        return True

    def action_fix_line_endings(self) -> None:
        """CRLF / CR -> LF and no BOM, as one edit (ctrl+z undoes it)."""
        text = self.text
        fixed = fix_line_endings(text)
        if fixed == text:
            return
        area = self._area
        cursor = area.cursor_location
        area.replace(to_editor(fixed), (0, 0), area.document.end, maintain_selection_offset=False)
        area.move_cursor(area.clamp_visitable(cursor))
        bom = " and removed the byte-order mark" if text.startswith("\ufeff") else ""
        self._say(f"Converted the line endings to LF{bom}. ctrl+z undoes it.")
