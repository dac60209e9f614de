"""The launch form's and dialogs' checkboxes show their state by their mark, not only by colour."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ec2tui.widgets.check import Check, CheckList


class CheckApp(App):
    def compose(self) -> ComposeResult:
        yield Check("Encrypted", False, compact=True, id="box")


async def test_the_mark_follows_the_value():
    app = CheckApp()
    async with app.run_test() as pilot:
        box = app.query_one(Check)

        def mark() -> str:
            return box.render().plain.split("Encrypted")[0].strip("▐▌ ")

        assert mark() == ""
        box.focus()
        await pilot.press("space")
        assert box.value and mark() == "X"
        await pilot.press("space")
        assert not box.value and mark() == ""


class CheckListApp(App):
    def compose(self) -> ComposeResult:
        yield CheckList(("default", "sg-1", True), ("web", "sg-2"), compact=True)


async def test_the_list_marks_only_selected_options():
    app = CheckListApp()
    async with app.run_test() as pilot:
        checklist = app.query_one(CheckList)

        def marks() -> list[str]:
            return [checklist.render_line(y).text[:3] for y in range(2)]

        assert marks() == ["▐X▌", "▐ ▌"]
        checklist.focus()
        await pilot.press("down", "space")
        assert checklist.selected == ["sg-1", "sg-2"] and marks() == ["▐X▌", "▐X▌"]
        await pilot.press("up", "space")
        assert checklist.selected == ["sg-2"] and marks() == ["▐ ▌", "▐X▌"]


class BothApp(App):
    def compose(self) -> ComposeResult:
        yield Check("Encrypted", False, compact=True, id="off")
        yield Check("Delete on termination", True, compact=True, id="on")
        yield CheckList(("default", "sg-1", True), ("web", "sg-2"), compact=True)


async def test_under_no_color_the_boxes_are_brackets_in_the_texts_colour(monkeypatch):
    """NO_COLOR turns the half-block edges (a shade of the panel) into grey on grey: an unticked box vanished and
    only its label was left. Brackets drawn like the label stay visible, ticked or not."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = BothApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.no_color
        assert app.query_one("#off", Check).render().plain.startswith("[ ] Encrypted")
        assert app.query_one("#on", Check).render().plain.startswith("[X] Delete")
        checklist = app.query_one(CheckList)
        lines = [checklist.render_line(y) for y in range(2)]
        assert [line.text[:9] for line in lines] == ["[X] defau", "[ ] web  "]
        for line in lines:
            box, label = list(line)[:2]
            assert box.style is not None and label.style is not None
            assert box.style.color == label.style.color and box.style.bold, "the box is drawn like its label, bold"
