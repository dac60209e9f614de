"""`:templates`: the region's launch templates, one row per version. ``enter`` shows a version's data, ``l`` opens
the launch form filled from it (the fields that came from the template are marked there)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ec2tui.aws.models.launch_templates import TemplateSource, TemplateVersion, request_from_template
from ec2tui.launch.from_instance import CopiedRequest
from ec2tui.screens.instance_dialogs import InfoDialog
from ec2tui.screens.launch_like import open_launch_form
from ec2tui.screens.list_screen import Column, ListScreen, PaletteCommand, action_command

COLUMNS = (
    Column("name", "Template", priority=0, min_width=12, max_width=40),
    Column("version", "Version", priority=5, whole=True),
    Column("default", "Default", priority=30, whole=True),
    Column("description", "Description", priority=40, min_width=12, max_width=48),
    Column("type", "Type", priority=20, whole=True),
    Column("ami", "AMI", priority=50, whole=True),
    Column("id", "Template ID", priority=60, whole=True),
    Column("created", "Created", priority=70, whole=True),
)


def version_key(version: TemplateVersion) -> str:
    return f"{version.template_id}:{version.number}"


def data_text(version: TemplateVersion) -> str:
    """The version's LaunchTemplateData as indented JSON (what AWS holds, user data still base64)."""
    return json.dumps(dict(version.data), indent=2, sort_keys=True, default=str)


def copied_from(version: TemplateVersion, region: str) -> tuple[CopiedRequest, TemplateSource]:
    """The form's request from a version, with the template reference the launch can use."""
    found = request_from_template(version.data)
    source = TemplateSource(
        version.template_id,
        version.template_name,
        version.number,
        found.request,
        found.sections,
        found.not_copied,
        dict(version.data),
    )
    return CopiedRequest(found.request, found.not_copied, version.label, region), source


class TemplatesScreen(ListScreen[TemplateVersion]):
    NOUN = "launch template versions"
    COPY_WHAT = "launch template ID"
    COLUMNS = COLUMNS

    BINDINGS = [
        Binding("enter", "open_selected", "Show data", id="templates.open"),
        Binding("l", "launch", "Launch from it", id="templates.launch"),
    ]

    def __init__(self) -> None:
        super().__init__(id="templates")

    def screen_title(self) -> str:
        return f"Launch templates · {self.ec2app.region}"

    async def fetch(self, refresh: bool) -> list[TemplateVersion]:
        return await self.ec2app.gateway.templates.all_versions(self.ec2app.region, refresh=refresh)

    def key_of(self, item: TemplateVersion) -> str:
        return version_key(item)

    def row(self, item: TemplateVersion) -> tuple[object, ...]:
        data = item.data
        return (
            item.template_name,
            Text(str(item.number), justify="right"),
            Text("default", style="bold") if item.is_default else "",
            item.description,
            str(data.get("InstanceType", "")),
            str(data.get("ImageId", "")),
            item.template_id,
            item.created.strftime("%Y-%m-%d %H:%M") if item.created else "",
        )

    def copy_value(self, item: TemplateVersion) -> tuple[str, str]:
        return item.template_id, self.COPY_WHAT

    def empty_hint(self) -> str:
        return "\nSave one from the launch form: 'Save as launch template' in its palette (ctrl+p)."

    def open_item(self, item: TemplateVersion) -> None:
        self.app.push_screen(
            InfoDialog(
                f"{item.template_name} version {item.number}" + (" (default)" if item.is_default else ""),
                f"{item.description or 'No description.'}\nl on the list opens the launch form from this version.",
                data_text(item),
                "launch template data",
            )
        )

    def action_open_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            self.ec2app.notify("No launch template selected.", severity="warning")
            return
        self.open_item(item)

    def action_launch(self) -> None:
        item = self.selected_item()
        if item is None:
            self.ec2app.notify("No launch template selected.", severity="warning")
            return
        copied, source = copied_from(item, self.ec2app.region)
        form: Any = open_launch_form(self.app)
        form.return_mode = "templates" if "templates" in getattr(self.app, "MODES", {}) else "instances"
        form.fill_from(copied, template=source)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Show launch template data", "The selected version's data (enter)", "open_selected")
        yield action_command(self, "Launch from launch template", "The launch form filled from it (l)", "launch")
        yield from super().palette_commands()
