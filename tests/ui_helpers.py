"""Helpers for Pilot tests: build the real app on a moto-backed gateway, read what the screen shows."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from ec2tui.app import Ec2App


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and the screen repaint."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def table_rows(app: Ec2App, selector: str = "#table") -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    rows = []
    for row_key in table.rows:
        rows.append([str(getattr(c, "plain", c)) for c in table.get_row(row_key)])
    return rows


def notifications(app: Ec2App) -> list[str]:
    return [n.message for n in app._notifications]


def static_text(app: Ec2App, selector: str) -> str:
    """The plain text a Static/Label shows."""
    widget = app.screen.query_one(selector)
    content = widget.render()
    return str(getattr(content, "plain", content))
