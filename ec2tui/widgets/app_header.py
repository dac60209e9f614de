"""Top bar: profile, account, current region, endpoint and mode. Never shows a secret."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class AppHeader(Static):
    """Rendered from the app's reactive state (region, account); updates itself when they change."""

    DEFAULT_CSS = """
    AppHeader { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    KEYS_HINT = (("?", "help"), (":", "command"))
    """App-wide keys, shown here rather than in the footer, which screens fill with their own."""

    def __init__(self) -> None:
        super().__init__()
        self._info = Text()
        """Profile, account, region, endpoint and mode: rebuilt when they change; render() adds the key hints."""

    def on_mount(self) -> None:
        self.watch(self.app, "region", self._refresh_text)
        self.watch(self.app, "account", self._refresh_text)
        self.watch(self.app, "account_alias", self._refresh_text)

    def render(self) -> Text:
        text = self._info.copy()
        hint = Text()
        for key, what in self.KEYS_HINT:
            hint.append(f"  {key} ", style="bold")
            hint.append(what, style="dim")
        room = self.content_size.width - text.cell_len - hint.cell_len
        if room >= 1:
            text.append(" " * room)
            text.append_text(hint)
        return text

    def _refresh_text(self, _value: object = None) -> None:
        app = self.app
        text = Text()
        text.append(" ec2tui ", style="bold reverse")
        text.append("  ")
        for label, value in (
            ("profile", getattr(app, "profile_name", "")),
            ("account", _account_label(getattr(app, "account", ""), getattr(app, "account_alias", ""))),
            ("region", getattr(app, "region", "")),
        ):
            text.append(f"{label} ", style="dim")
            text.append(f"{value}", style="bold")
            text.append("   ")
        endpoint = getattr(app, "endpoint_url", None)
        if endpoint:
            text.append("endpoint ", style="dim")
            text.append(endpoint)
            text.append("   ")
        if getattr(app, "demo", False):
            text.append(" DEMO ", style="bold black on yellow")
            text.append(" ")
        if getattr(app, "read_only", False):
            text.append(" READ-ONLY ", style="bold white on dark_green")
        self._info = text
        self.refresh()


def _account_label(account: str, alias: str) -> str:
    if not account:
        return "…"
    return f"{account} ({alias})" if alias else account
