"""`enter` on an AMI: everything about it on one scrollable page (block devices, launch permissions, tags…)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ec2tui.aws.image_parsing import root_device_type_warning
from ec2tui.aws.models.images import BlockDeviceMapping, Image, ImageDetail, LaunchPermissions
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError
from ec2tui.screens.ami_actions import ACTION_BINDINGS, AmiActions
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import INFO, SUCCESS, WARNING, bold


def _kv_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=16)
    table.add_column()
    return table


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _dim(text: str) -> Text:
    return Text(text, style="dim")


def _yes_no(value: bool | None, *, good: bool | None = None) -> Text:
    if value is None:
        return _dim("unknown")
    style = "" if good is None else (SUCCESS if value == good else WARNING)
    return Text("yes" if value else "no", style=style)


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def owner_text(image: Image, account: str) -> Text:
    text = Text(image.owner_id or "unknown")
    if image.owner_alias:
        text.append(f"  ({image.owner_alias})", style="dim")
    if account and image.owner_id == account:
        text.append("  this account", style=SUCCESS)
    return text


def root_device_text(image: Image) -> Text:
    """``/dev/xvda  (ebs)``; a type AWS does not document (moto's ``standard``) is flagged as unknown."""
    text = Text(f"{image.root_device_name or '?'}  ({image.root_device_type or 'unknown'})")
    warning = root_device_type_warning(image.root_device_type)
    if warning:
        text.append(f"\n⚠ {warning}", style=WARNING)
    return text


def summary_section(image: Image, account: str) -> RenderableType:
    table = _kv_table()
    table.add_row("Name", image.name or _dim("(no name)"))
    table.add_row("AMI ID", Text(image.id, style="bold"))
    table.add_row("Description", image.description or _dim("none"))
    table.add_row("State", Text(image.state, style=SUCCESS if image.state == "available" else WARNING))
    table.add_row("Region", image.region)
    table.add_row("Owner", owner_text(image, account))
    access = Text("public", style=WARNING) if image.public else Text("private")
    if image.shared_with_me:
        access.append("  shared with this account by its owner", style=INFO)
    table.add_row("Visibility", access)
    table.add_row("Created", format_time(image.creation_date) or _dim("unknown"))
    if image.deprecation_time is None:
        table.add_row("Deprecation", _dim("not scheduled"))
    else:
        when = format_time(image.deprecation_time)
        table.add_row(
            "Deprecation",
            Text(f"{when}  deprecated", style=bold(WARNING)) if image.deprecated else Text(f"{when}  (scheduled)"),
        )
    table.add_row("OS", image.os_label)
    table.add_row("Platform", image.platform)
    table.add_row("Platform details", image.platform_details)
    table.add_row("Architecture", image.architecture or _dim("unknown"))
    table.add_row("Virtualization", image.virtualization or _dim("unknown"))
    table.add_row("ENA support", _yes_no(image.ena_support, good=True))
    table.add_row("Boot mode", image.boot_mode or _dim("not set (the instance type's default)"))
    table.add_row("Root device", root_device_text(image))
    if image.image_builder:
        table.add_row("Image Builder", image.image_builder)
    if image.source_parameter:
        table.add_row("SSM parameter", Text.assemble(image.source_parameter, ("  (Quick Start)", "dim")))
    if image.product_codes:
        table.add_row("Product codes", ", ".join(image.product_codes))
    return table


def _device_row(device: BlockDeviceMapping, root_name: str) -> list[RenderableType]:
    name = Text(device.device)
    if device.device == root_name:
        name.append(" (root)", style="dim")
    if device.virtual_name:
        return [name, Text(f"instance store {device.virtual_name}", style=INFO), "", "", "", "", ""]
    size = f"{device.size_gib} GiB" if device.size_gib is not None else "?"
    performance = []
    if device.iops:
        performance.append(f"{device.iops} IOPS")
    if device.throughput:
        performance.append(f"{device.throughput} MiB/s")
    return [
        name,
        device.snapshot_id or _dim("none (empty volume)"),
        size,
        device.volume_type or _dim("default"),
        ", ".join(performance),
        _yes_no(device.encrypted, good=True),
        _yes_no(device.delete_on_termination),
    ]


def devices_section(image: Image) -> RenderableType:
    parts: list[RenderableType] = [_heading("Block device mappings")]
    if not image.block_devices:
        parts.append(_dim("none"))
        return Group(*parts)
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", show_edge=False, pad_edge=False)
    for header in ("Device", "Snapshot / store", "Size", "Type", "Performance", "Encrypted", "Delete on termination"):
        table.add_column(header, no_wrap=True)
    for device in image.block_devices:
        table.add_row(*_device_row(device, image.root_device_name))
    parts.append(table)
    return Group(*parts)


def permissions_section(image: Image, permissions: LaunchPermissions | None, loading: bool) -> RenderableType:
    parts: list[RenderableType] = [_heading("Launch permissions")]
    if loading:
        parts.append(_dim("loading…"))
        return Group(*parts)
    if permissions is None:
        parts.append(
            Text.assemble(
                ("Public: ", "bold"),
                ("yes" if image.public else "no"),
                ("   only the owner can see which accounts it is shared with", "dim"),
            )
        )
        return Group(*parts)
    table = _kv_table()
    table.add_row(
        "Public",
        Text("yes: every AWS account can launch it", style=WARNING) if permissions.public else Text("no"),
    )
    table.add_row("Shared with", ", ".join(permissions.account_ids) or _dim("no accounts"))
    if permissions.organization_arns:
        table.add_row("Organizations", "\n".join(permissions.organization_arns))
    if permissions.organizational_unit_arns:
        table.add_row("OUs", "\n".join(permissions.organizational_unit_arns))
    parts.append(table)
    return Group(*parts)


def tags_section(image: Image) -> RenderableType:
    parts: list[RenderableType] = [_heading("Tags")]
    if not image.tags:
        parts.append(_dim("none"))
        return Group(*parts)
    table = _kv_table()
    for key, value in sorted(image.tags):
        table.add_row(key, Text(value))
    parts.append(table)
    return Group(*parts)


def merged(fresh: Image, listed: Image | None) -> Image:
    """The fresh image, keeping what only the catalog knew: the Quick Start parameter and OS name, "shared with me"."""
    if listed is None or listed.id != fresh.id:
        return fresh
    return replace(
        fresh,
        os_label=listed.os_label if listed.source_parameter else fresh.os_label,
        source_parameter=fresh.source_parameter or listed.source_parameter,
        shared_with_me=fresh.shared_with_me or listed.shared_with_me,
    )


class AmiDetailScreen(AmiActions, Screen[None]):
    """One AMI. Opened from the catalog (with the row's image, shown at once) or by ID (e.g. from an instance)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="ami.back"),
        Binding("c", "copy_id", "Copy AMI ID", id="ami.copy"),
        *ACTION_BINDINGS,
        Binding("ctrl+r", "refresh", "Refresh", id="ami.refresh"),
    ]

    def __init__(self, image_id: str, region: str, image: Image | None = None) -> None:
        super().__init__(id="ami-detail")
        self.image_id, self.image_region = image_id, region
        self.image = image
        self.detail: ImageDetail | None = None
        self.error: str | None = None
        self.gone = False

    def compose(self) -> Iterable[Any]:
        yield AppHeader()
        yield Static(id="title", classes="screen-title")
        with VerticalScroll(id="ami-detail-body"):
            yield Static(id="ami-detail-error", classes="detail-warnings")
            yield Static(id="ami-summary")
            yield Static(id="ami-devices")
            yield Static(id="ami-permissions")
            yield Static(id="ami-tags")
        yield StableFooter()

    def on_mount(self) -> None:
        self.query_one("#ami-detail-body").focus()
        self.render_detail()
        self.load()

    # -- data -------------------------------------------------------------------------------------------------
    def load(self, refresh: bool = False) -> None:
        self.run_worker(deferred(self._load, refresh), group="detail", exclusive=True, exit_on_error=False)

    async def _load(self, refresh: bool) -> None:
        try:
            self.detail = await self.ec2app.gateway.images.detail(self.image_id, self.image_region, refresh=refresh)
        except Ec2TuiError as exc:
            self.error = str(exc)
            self.ec2app.notify(self.error, title="AWS error", severity="error", markup=False, timeout=8)
        except Exception as exc:
            # A bug, not AWS: shown in place of "loading…", then reported by the app's handler.
            self.error = f"unexpected error: {type(exc).__name__}: {exc}"
            self.render_detail()
            raise
        else:
            self.error = None
            self.image = merged(self.detail.image, self.image)
        self.render_detail()

    # -- rendering --------------------------------------------------------------------------------------------
    def render_detail(self) -> None:
        image = self.image
        title = Text.assemble(("AMI ", "bold"))
        if image is not None:
            title.append(image.display_name, style="bold")
            title.append(f"  {image.id}  {image.os_label} · {image.architecture}  {self.image_region}")
        else:
            title.append(f"{self.image_id}  {self.image_region}")
        self.query_one("#title", Static).update(title)
        error_box = self.query_one("#ami-detail-error", Static)
        message = ""
        if self.gone:
            message = f"{self.image_id} was deregistered. esc goes back."
        elif self.error:
            shown = " (showing the list's data)" if image is not None else ""
            message = f"Could not load the details: {self.error}{shown}. ctrl+r retries."
        error_box.update(Text(f"⚠ {message}", style=bold(WARNING)) if message else "")
        error_box.display = bool(message)
        for selector in ("#ami-summary", "#ami-devices", "#ami-permissions", "#ami-tags"):
            self.query_one(selector, Static).display = image is not None
        if image is None:
            if not self.error:
                error_box.update(_dim("loading…"))
                error_box.display = True
            return
        account = self.ec2app.account
        self.query_one("#ami-summary", Static).update(summary_section(image, account))
        self.query_one("#ami-devices", Static).update(devices_section(image))
        permissions = self.detail.launch_permissions if self.detail is not None else None
        loading = self.detail is None and self.error is None
        self.query_one("#ami-permissions", Static).update(permissions_section(image, permissions, loading))
        self.query_one("#ami-tags", Static).update(tags_section(image))

    # -- AmiActions -------------------------------------------------------------------------------------------
    def action_image(self) -> Image | None:
        if self.gone:
            return None
        return self.image

    def images_changed(self, regions: set[str], *, removed: str | None = None) -> None:
        if removed == self.image_id:
            self.gone = True
            self.render_detail()
            if len(self.app.screen_stack) > 1 and self.app.screen is self:
                self.app.pop_screen()
            return
        if self.image_region in regions:
            self.load()

    # -- keys -------------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load(refresh=True)

    def action_copy_id(self) -> None:
        self.ec2app.copy_and_notify(self.image_id, "AMI ID")

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Copy AMI ID", "Copy this AMI's ID (c)", "copy_id")
        yield from self.ami_palette_commands()
        yield action_command(self, "Refresh", "Reload the details from AWS, bypassing the cache (ctrl+r)", "refresh")
        yield action_command(self, "Back to the list", "Close the details (esc)", "back")
