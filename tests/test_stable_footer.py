"""The footer shows the focused widget's keys, and is rebuilt only when they change (once per focus move)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Static
from textual.widgets._footer import FooterKey

from ec2tui.widgets.stable_footer import StableFooter


class CountingFooter(StableFooter):
    def __init__(self) -> None:
        super().__init__()
        self.rebuilds = 0

    async def recompose(self) -> None:
        self.rebuilds += 1
        await super().recompose()


class Keyed(Static, can_focus=True):
    BINDINGS = [Binding("f3", "beta", "Beta")]

    def action_beta(self) -> None:
        pass


class FooterApp(App[None]):
    BINDINGS = [Binding("f2", "alpha", "Alpha")]

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")
        yield Keyed("keyed", id="keyed")
        yield CountingFooter()

    def action_alpha(self) -> None:
        pass


def shown(app: App[None]) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]  # (Textual exports it only from _footer)


async def settled(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_the_footer_follows_the_focus_and_is_rebuilt_only_when_its_keys_change():
    app = FooterApp()
    async with app.run_test() as pilot:
        await settled(pilot)
        footer = app.query_one(CountingFooter)
        assert "Alpha" in shown(app) and "Beta" not in shown(app)
        built = footer.rebuilds

        app.query_one("#two", Button).focus()  # a button shows no keys of its own: the same footer
        await settled(pilot)
        assert footer.rebuilds == built

        app.query_one("#keyed", Keyed).focus()
        await settled(pilot)
        assert footer.rebuilds == built + 1, "one focus move, one rebuild (Textual's footer rebuilds per signal)"
        assert "Beta" in shown(app) and "Alpha" in shown(app)

        app.query_one("#one", Button).focus()
        await settled(pilot)
        assert footer.rebuilds == built + 2
        assert "Beta" not in shown(app)


async def test_signals_of_one_refresh_make_one_look():
    app = FooterApp()
    async with app.run_test() as pilot:
        await settled(pilot)
        footer = app.query_one(CountingFooter)
        built = footer.rebuilds
        app.query_one("#keyed", Keyed).focus()
        app.query_one("#two", Button).focus()  # back before the footer looked: nothing it shows changed
        await settled(pilot)
        assert footer.rebuilds == built
        assert "Beta" not in shown(app)
