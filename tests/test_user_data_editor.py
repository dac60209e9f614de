"""The launch form's user data editor, mounted in a tiny app and driven by keys with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Select, Static

from ec2tui.aws.user_data import TEMPLATES, USER_DATA_LIMIT, templates_for
from ec2tui.widgets.user_data_editor import (
    HELP_LINE,
    ReplaceOrAppendScreen,
    UserDataEditor,
    UserDataFileError,
    read_user_data_file,
)
from tests.ui_helpers import paste

APT = "Install updates (Ubuntu / Debian, apt)"
NGINX = "Web server: nginx (Ubuntu / Debian)"
PACKAGES = "cloud-config: update and install packages"


class EditorApp(App[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "ec2tui" / "ec2tui.tcss")

    def __init__(self, text: str = "", distro: str | None = "ubuntu") -> None:
        super().__init__()
        self.initial, self.distro = text, distro
        self.changes: list[UserDataEditor.Changed] = []

    def compose(self) -> ComposeResult:
        yield Input(id="before")
        yield UserDataEditor(self.initial, distro=self.distro, id="ud")
        yield Input(id="after")

    def on_user_data_editor_changed(self, event: UserDataEditor.Changed) -> None:
        self.changes.append(event)


def shown(app: App[None], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def focus_editor(app: EditorApp, pilot) -> UserDataEditor:
    editor = app.query_one(UserDataEditor)
    editor.text_area.focus()
    await pilot.pause()
    return editor


async def pick_template(pilot, name: str, options: list[str]) -> None:
    """ctrl+t opens the template menu; the blank prompt is first, then the options in order."""
    await pilot.press("ctrl+t")
    await pilot.pause()
    await pilot.press(*["down"] * (options.index(name) + 1), "enter")
    await pilot.pause()


async def test_typing_posts_changed_and_counts_bytes():
    app = EditorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        assert shown(app, "#ud-help") == HELP_LINE
        assert shown(app, "#ud-size") == "0 / 16,384 bytes"
        # Letters (even the global keys q ? : / c) type text inside the editor; é is 2 bytes in UTF-8.
        await pilot.press(*"q?:/c é")
        await pilot.pause()
        assert editor.text == "q?:/c é"
        assert app.changes, "no Changed message"
        last = app.changes[-1]
        assert (last.text, last.size, last.over_limit) == ("q?:/c é", 8, False)
        assert last.control is editor
        assert shown(app, "#ud-size") == "8 / 16,384 bytes"
        assert "cloud-init runs only" in shown(app, "#ud-kind")  # plain text: warned


async def test_bash_is_highlighted_and_kind_follows_the_text():
    app = EditorApp("#!/bin/bash\necho hi\n")
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        area = editor.text_area
        assert area.language == "bash" and area.is_syntax_aware
        assert shown(app, "#ud-kind") == "shell script"
        editor.text = "#cloud-config\npackages: [git]\n"
        await pilot.pause()
        assert area.language == "yaml" and area.is_syntax_aware
        assert app.changes[-1].text == "#cloud-config\npackages: [git]\n"
        editor.text = "<powershell>\nGet-Date\n</powershell>\n"
        await pilot.pause()
        assert area.language is None
        assert shown(app, "#ud-kind") == "PowerShell (Windows)"


async def test_tab_and_shift_tab_leave_the_editor():
    app = EditorApp("#!/bin/bash\n")
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pilot.press("tab")
        assert app.focused is app.query_one("#ud-template", Select)
        assert editor.text == "#!/bin/bash\n"  # no tab character inserted
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is app.query_one("#before", Input)


async def test_over_the_limit_posts_over_limit_and_shows_error_style():
    app = EditorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        editor.text = "#!/bin/bash\n" + "x" * (USER_DATA_LIMIT - 12)  # exactly the limit: allowed
        await pilot.pause()
        assert app.changes[-1].size == USER_DATA_LIMIT and not app.changes[-1].over_limit
        size = app.query_one("#ud-size", Static)
        assert not size.has_class("-over-limit")
        editor.text_area.move_cursor(editor.text_area.document.end)
        await pilot.press("y")
        await pilot.pause()
        last = app.changes[-1]
        assert (last.size, last.over_limit) == (USER_DATA_LIMIT + 1, True)
        assert editor.over_limit
        assert size.has_class("-over-limit")
        assert shown(app, "#ud-size") == "16,385 / 16,384 bytes — 1 over the limit"
        assert size.styles.color != app.query_one("#ud-kind", Static).styles.color
        await pilot.press("backspace")
        await pilot.pause()
        assert not app.changes[-1].over_limit and not size.has_class("-over-limit")


async def test_templates_follow_the_distro():
    app = EditorApp(distro="ubuntu")
    async with app.run_test(size=(100, 30)):
        editor = app.query_one(UserDataEditor)
        select = app.query_one("#ud-template", Select)
        assert [value for _, value in select._options[1:]] == list(templates_for("ubuntu"))
        editor.distro = "windows"
        assert [value for _, value in select._options[1:]] == ["Web server: IIS (Windows)"]
        editor.distro = None
        assert [value for _, value in select._options[1:]] == list(TEMPLATES)


async def test_template_into_empty_editor_inserts_it():
    app = EditorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pick_template(pilot, NGINX, list(templates_for("ubuntu")))
        assert editor.text == TEMPLATES[NGINX]
        assert app.changes[-1].text == TEMPLATES[NGINX]
        assert editor.text_area.language == "bash"
        assert app.focused is editor.text_area
        assert app.query_one("#ud-template", Select).is_blank()  # ready to insert again
        assert "Inserted the template" in shown(app, "#ud-message")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("escape", "mine"),
        ("r", "template"),
        ("a", "both"),
    ],
)
async def test_template_over_user_text_asks_first(key, expected):
    mine = "#!/bin/bash\necho mine\n"
    app = EditorApp(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pick_template(pilot, APT, list(templates_for("ubuntu")))
        assert isinstance(app.screen, ReplaceOrAppendScreen)
        assert editor.text == mine  # nothing happens until the user answers
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ReplaceOrAppendScreen)
        text = {"mine": mine, "template": TEMPLATES[APT], "both": mine + "\n" + TEMPLATES[APT]}[expected]
        assert editor.text == text
        if expected == "mine":
            assert "unchanged" in shown(app, "#ud-message")
        if expected == "template":  # replaced, but one undo brings the user's text back
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert editor.text == mine


async def test_appending_a_different_kind_warns_in_the_dialog():
    app = EditorApp("#!/bin/bash\necho mine\n")
    async with app.run_test(size=(100, 30)) as pilot:
        await focus_editor(app, pilot)
        await pick_template(pilot, PACKAGES, list(templates_for("ubuntu")))
        body = str(app.screen.query_one(".dialog-body", Static).render())
        assert "your text is shell script and this is cloud-config" in body


async def test_load_from_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    script = tmp_path / "boot.sh"
    script.write_text("#!/bin/bash\necho from file\n")
    app = EditorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pilot.press("ctrl+o")
        assert app.focused is app.query_one("#ud-path", Input)
        await pilot.press(*"~/boot.sh", "enter")
        await pilot.pause()
        assert editor.text == "#!/bin/bash\necho from file\n"
        assert app.changes[-1].size == len("#!/bin/bash\necho from file\n")
        assert shown(app, "#ud-message") == f"Loaded 27 bytes from {script}."


@pytest.mark.parametrize("problem", ["missing", "directory", "binary", "not-utf8", "too-large", "unreadable", "empty"])
async def test_load_problems_keep_the_text(tmp_path, problem):
    target = tmp_path / "data"
    if problem == "directory":
        target.mkdir()
    elif problem == "binary":
        target.write_bytes(b"\x1f\x8b\x08\x00\x00\x00")
    elif problem == "not-utf8":
        target.write_bytes(b"caf\xe9\n")
    elif problem == "too-large":
        target.write_text("x" * (USER_DATA_LIMIT + 10))
    elif problem == "unreadable":
        target.write_text("secret")
        target.chmod(0)
        if _readable(target):  # running as root: permissions do not apply
            pytest.skip("root can read a mode-000 file")
    expected = {
        "missing": "No such file",
        "directory": "is a directory",
        "binary": "binary file",
        "not-utf8": "not UTF-8 text",
        "too-large": f"{USER_DATA_LIMIT + 10:,} bytes; user data is limited to 16,384 bytes",
        "unreadable": "permission denied",
        "empty": "Type the path",
    }[problem]
    mine = "#!/bin/bash\necho keep me\n"
    app = EditorApp(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pilot.press("ctrl+o")
        if problem != "empty":
            await paste(pilot, str(target))
        await pilot.press("enter")
        await pilot.pause()
        assert expected in shown(app, "#ud-message")
        assert app.query_one("#ud-message", Static).has_class("-error")
        assert editor.text == mine
        assert not isinstance(app.screen, ReplaceOrAppendScreen)


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


async def test_load_over_user_text_asks_and_can_append(tmp_path):
    (tmp_path / "more.sh").write_text("echo more\n")
    app = EditorApp("#!/bin/bash\necho mine")
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pilot.press("ctrl+o", *str(tmp_path / "more.sh"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReplaceOrAppendScreen)
        await pilot.press("a")
        await pilot.pause()
        assert editor.text == "#!/bin/bash\necho mine\n\necho more\n"
        assert shown(app, "#ud-message").startswith("Appended 10 bytes from")


def test_read_user_data_file_limit_is_inclusive(tmp_path):
    exact = tmp_path / "exact"
    exact.write_text("é" * (USER_DATA_LIMIT // 2))
    path, text = read_user_data_file(str(exact))
    assert path == exact and len(text.encode()) == USER_DATA_LIMIT
    with pytest.raises(UserDataFileError, match="No such file"):
        read_user_data_file(str(tmp_path / "nope"))


# -- bytes as given: line endings and BOM (issue 11 point 7) ----------------------------------------------------

ONE_CRLF = "".join(f"echo line {n}\n" for n in range(2, 13)).replace("echo line 5\n", "echo line 5\r\n")
ONE_CRLF = "#!/bin/bash\n" + ONE_CRLF + "exit 0"  # 13 lines, the fifth one ending in CRLF


def offered(app: App[None]) -> set[str]:
    return {b.binding.action for b in app.active_bindings.values() if b.enabled}


def test_the_sample_has_one_crlf_line_in_thirteen():
    assert ONE_CRLF.count("\n") == 12 and ONE_CRLF.count("\r\n") == 1


async def test_one_crlf_line_survives_open_edit_and_set():
    app = EditorApp(ONE_CRLF)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        assert editor.text == ONE_CRLF, "opening the editor must not rewrite line endings"
        assert "echo line 5\u240d" in editor.text_area.text, "the CR is shown, not hidden"
        warning = app.query_one("#ud-line-endings", Static)
        assert warning.display and "1 line ends in CRLF" in shown(app, "#ud-line-endings")
        assert "ctrl+l converts to LF" in shown(app, "#ud-line-endings")
        assert "fix_line_endings" in offered(app)
        assert shown(app, "#ud-size") == f"{len(ONE_CRLF.encode())} / 16,384 bytes", "the CR counts one byte"
        # Typing elsewhere keeps the other lines' endings as they are.
        editor.text_area.move_cursor(editor.text_area.document.end)
        await pilot.press("enter", *"true")
        await pilot.pause()
        assert editor.text == ONE_CRLF + "\ntrue" and app.changes[-1].text == editor.text
        # Set back as a draft restore does: still one CRLF.
        editor.text = ONE_CRLF
        await pilot.pause()
        assert editor.text == ONE_CRLF and app.changes[-1].text == ONE_CRLF


async def test_ctrl_l_converts_to_lf_and_strips_the_bom_and_undo_restores_the_bytes():
    given = "\ufeff" + ONE_CRLF + "\rtail"
    app = EditorApp(given)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        assert editor.text == given
        text = shown(app, "#ud-line-endings")
        assert "1 line ends in CRLF; 1 lone CR" in text and "byte-order mark" in text
        await pilot.press("ctrl+l")
        await pilot.pause()
        fixed = ONE_CRLF.replace("\r\n", "\n") + "\ntail"
        assert editor.text == fixed and app.changes[-1].text == fixed
        assert not app.query_one("#ud-line-endings", Static).display
        assert "Converted the line endings to LF and removed the byte-order mark" in shown(app, "#ud-message")
        assert editor.text_area.language == "bash", "without the BOM the script is recognised"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.text == given, "ctrl+z gives back the exact bytes"


async def test_ctrl_l_is_offered_only_when_there_is_something_to_fix():
    app = EditorApp("#!/bin/bash\necho hi\n")
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        assert not app.query_one("#ud-line-endings", Static).display
        assert "fix_line_endings" not in offered(app)
        before = len(app.changes)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert editor.text == "#!/bin/bash\necho hi\n" and len(app.changes) == before


async def test_a_file_with_one_crlf_line_loads_byte_for_byte(tmp_path):
    path = tmp_path / "mixed.sh"
    path.write_bytes(ONE_CRLF.encode())
    app = EditorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        await pilot.press("ctrl+o")
        await paste(pilot, str(path))
        await pilot.press("enter")
        await pilot.pause()
        assert editor.text.encode() == path.read_bytes()
        assert "1 line ends in CRLF" in shown(app, "#ud-line-endings")


async def test_other_line_separators_are_kept_too():
    given = "#!/bin/sh\nprintf 'a\x0cb'\nc\x85d\u2028e\n"
    app = EditorApp(given)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await focus_editor(app, pilot)
        assert editor.text == given
        assert not app.query_one("#ud-line-endings", Static).display, "only CR and the BOM are warned about"
