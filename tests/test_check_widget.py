"""The launch form's and dialogs' checkboxes show their state by their mark, not only by colour."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ec2tui.widgets.check import Check


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
