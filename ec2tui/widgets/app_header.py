"""Top bar: profile, account, current region, endpoint and mode. Never shows a secret."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ec2tui.widgets.theme_colours import MUTED, SUCCESS, WARNING


class AppHeader(Static):
    """Rendered from the app's reactive state (region, account); updates itself when they change."""

    DEFAULT_CSS = """
    AppHeader { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    KEYS_HINT = (("help", "?", "help"), ("prompt", ":", "command"))
    """App-wide keys (action, default key, what it does), shown here rather than in the footer, which screens fill
    with their own. The keys shown are the ones in effect: a keymap may have moved them."""

    def __init__(self) -> None:
        super().__init__()
        self._info = Content()
        """Profile, account, region, endpoint and mode: rebuilt when they change; render() adds the key hints."""

    def on_mount(self) -> None:
        self.watch(self.app, "region", self._refresh_text)
        self.watch(self.app, "account", self._refresh_text)
        self.watch(self.app, "account_alias", self._refresh_text)

    def render(self) -> Content:
        hint = Content.assemble(*self._hint_parts())
        room = self.content_size.width - self._info.cell_length - hint.cell_length
        if room >= 1:
            return Content.assemble(self._info, " " * room, hint)
        return self._info

    def _hint_parts(self) -> list[tuple[str, str]]:
        parts: list[tuple[str, str]] = []
        for action, default, what in self.KEYS_HINT:
            parts += [(f"  {self._keys_for(action) or default} ", "bold"), (what, MUTED)]
        return parts

    def _keys_for(self, action: str) -> str:
        """The keys that run the app's ``action`` on the current screen, as the footer would show them."""
        shown: list[str] = []
        for node, binding, _enabled, _tooltip in self.screen.active_bindings.values():
            if node is self.app and binding.action == action:
                display = self.app.get_key_display(binding)
                if display not in shown:
                    shown.append(display)
        return "/".join(shown[:2])

    def _refresh_text(self, _value: object = None) -> None:
        app = self.app
        parts: list[str | tuple[str, str]] = [(" ec2tui ", "bold reverse"), "  "]
        for label, value in (
            ("profile", getattr(app, "profile_name", "")),
            ("account", _account_label(getattr(app, "account", ""), getattr(app, "account_alias", ""))),
            ("region", getattr(app, "region", "")),
        ):
            parts += [(f"{label} ", MUTED), (f"{value}", "bold"), "   "]
        endpoint = getattr(app, "endpoint_url", None)
        if endpoint:
            parts += [("endpoint ", MUTED), endpoint, "   "]
        # Badges in reverse video: the theme's colour behind them, and still a block where there is no colour.
        if getattr(app, "demo", False):
            parts += [(" DEMO ", f"bold reverse {WARNING}"), " "]
        if getattr(app, "read_only", False):
            parts.append((" READ-ONLY ", f"bold reverse {SUCCESS}"))
        self._info = Content.assemble(*parts)
        self.refresh()


def _account_label(account: str, alias: str) -> str:
    if not account:
        return "…"
    return f"{account} ({alias})" if alias else account
