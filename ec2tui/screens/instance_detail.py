"""`enter` on an instance: everything worth checking before acting on it, in one scrollable page.

The row's data shows at once; the detail lookups (type, AMI, security group rules, volumes) and the user data fill in
when they arrive. Lookups that failed are listed at the top rather than hidden.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import importlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker

from ec2tui.aws.models.instances import (
    AMI_AVAILABLE,
    AMI_NOT_FOUND,
    Instance,
    InstanceDetail,
    InstanceState,
    StateChange,
)
from ec2tui.aws.models.launch import METADATA_LABELS
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError
from ec2tui.screens.console_output import ConsoleOutputScreen
from ec2tui.screens.instance_ops import ACTION_BINDINGS, InstanceActions
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.screens.user_data import UserDataScreen
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import SUCCESS, WARNING, bold, role_style

USER_DATA_PREVIEW_LINES = 12
CAUTION = WARNING
"""Things worth a second look (open to the world, unencrypted, AMI gone): the theme's warning colour."""
REBOOTING_SHOWN_SECONDS = 10.0
AMI_SCREEN = ("ec2tui.screens.ami_detail", "AmiDetailScreen")
"""The AMI catalog's detail screen (built separately): `m` opens it when this build has it, else copies the AMI ID."""

_NOT_LOADED: Any = object()


def _kv_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=14)
    table.add_column()
    return table


def _table(*headers: str) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", show_edge=False, pad_edge=False)
    for header in headers:
        table.add_column(header)
    return table


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _dim(text: str) -> Text:
    return Text(text, style="dim")


def _launch_text(instance: Instance) -> Text:
    if instance.launch_time is None:
        return _dim("unknown")
    stamp = instance.launch_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return Text.assemble(stamp, (f"  ({instance.age} ago)", "dim"))


def summary_section(instance: Instance, detail: InstanceDetail | None) -> RenderableType:
    table = _kv_table()
    state = Text(instance.state, style=bold(role_style(instance.state_role)))
    if instance.state_reason:
        state.append(f"  {instance.state_reason}", style="dim")
    table.add_row("State", state)
    type_text = Text(instance.instance_type)
    if detail is not None and detail.type_info is not None:
        type_text.append(f"  {detail.type_info.label}")
    elif detail is None:
        type_text.append("  …", style="dim")
    table.add_row("Instance type", type_text)
    table.add_row("AMI", ami_text(instance, detail))
    table.add_row("Platform", instance.platform)
    table.add_row("Architecture", instance.architecture or _dim("unknown"))
    table.add_row("Region / zone", f"{instance.region} / {instance.availability_zone}")
    table.add_row("Launched", _launch_text(instance))
    table.add_row("Purchasing", {"spot": "Spot", "on-demand": "On-Demand"}.get(instance.lifecycle, instance.lifecycle))
    table.add_row("Key pair", instance.key_name or _dim("none"))
    table.add_row("IAM profile", instance.iam_profile_arn or _dim("none"))
    monitoring = {"enabled": "enabled (detailed, 1-minute metrics)", "disabled": "disabled (basic, 5-minute metrics)"}
    table.add_row("Monitoring", monitoring.get(instance.monitoring, instance.monitoring))
    if detail is not None and detail.termination_protection is not None:
        if detail.termination_protection:
            protection = Text("termination protection on: AWS refuses to terminate it", style="bold")
        else:
            protection = _dim("no termination protection")
        table.add_row("Protection", protection)
    if instance.metadata:
        table.add_row("Metadata", METADATA_LABELS.get(instance.metadata, instance.metadata))
    if detail is not None:
        if detail.ssh_user is None:
            login = Text("Windows: connect with RDP (port 3389)")
        else:
            login = Text.assemble(detail.ssh_user, ("  guessed from the AMI; h shows the ssh command", "dim"))
        table.add_row("Login user", login)
    return table


def ami_text(instance: Instance, detail: InstanceDetail | None) -> Text:
    if detail is None:
        return Text.assemble(instance.image_id, ("  …", "dim"))
    ami = detail.ami
    text = Text.assemble((ami.label, "bold" if ami.name else CAUTION), "  ", ami.image_id)
    if ami.status == AMI_NOT_FOUND:
        text.append("  deregistered or no longer shared", style=CAUTION)
    elif ami.status != AMI_AVAILABLE:
        text.append(f"  ({ami.status})", style=CAUTION)
    text.append("  m: go to the AMI", style="dim")
    return text


def network_section(instance: Instance) -> RenderableType:
    table = _kv_table()
    table.add_row("VPC", instance.vpc_id or _dim("none (EC2-Classic)"))
    table.add_row("Subnet", instance.subnet_id or _dim("none"))
    table.add_row("Private IP", instance.private_ip or _dim("none"))
    table.add_row("Public IP", instance.public_ip or _dim("none"))
    table.add_row("Public DNS", instance.public_dns or _dim("none"))
    parts: list[RenderableType] = [_heading("Network"), table]
    if instance.network_interfaces:
        interfaces = _table("Interface", "Subnet", "Private IPs", "Public IP")
        for eni in instance.network_interfaces:
            interfaces.add_row(eni.interface_id, eni.subnet_id, ", ".join(eni.private_ips), eni.public_ip or "")
        parts += [Text(""), interfaces]
    return Group(*parts)


def security_section(instance: Instance, detail: InstanceDetail | None, loading: bool = True) -> RenderableType:
    """``loading`` is False once a load failed: the rules are then unavailable, not on their way."""
    parts: list[RenderableType] = [_heading("Security groups (inbound rules)")]
    if detail is None or (not detail.security_groups and instance.security_groups):
        note = "loading rules…" if detail is None and loading else "rules unavailable (see the warnings above)"
        for group_id, name in instance.security_groups:
            parts.append(Text.assemble((group_id, "bold"), f"  {name}  ", (note, "dim")))
        if not instance.security_groups:
            parts.append(_dim("none"))
        return Group(*parts)
    if not detail.security_groups:
        parts.append(_dim("none"))
    for group in detail.security_groups:
        parts.append(Text.assemble((group.id, "bold"), f"  {group.name}  ", (group.description, "dim")))
        if not group.inbound:
            parts.append(Text("  no inbound rules: nothing can connect in", style=CAUTION))
            continue
        rules = _table("  Protocol", "Ports", "Source")
        for rule in group.inbound:
            sources = rule.sources or ("(none)",)
            for index, source in enumerate(sources):
                open_world = source.startswith(("0.0.0.0/0", "::/0"))
                rules.add_row(
                    f"  {rule.protocol_label}" if index == 0 else "",
                    rule.port_label if index == 0 else "",
                    Text(source, style=CAUTION if open_world else ""),
                )
        parts.append(rules)
    return Group(*parts)


def storage_section(instance: Instance, detail: InstanceDetail | None, loading: bool = True) -> RenderableType:
    parts: list[RenderableType] = [_heading("Storage (EBS)")]
    if detail is not None and detail.volumes:
        table = _table("Device", "Volume", "Size", "Type", "IOPS", "Encrypted", "On termination", "State")
        table.columns[1].no_wrap = True
        for volume in detail.volumes:
            table.add_row(
                volume.device,
                volume.volume_id,
                f"{volume.size_gib} GiB",
                volume.volume_type,
                str(volume.iops) if volume.iops else "",
                Text("yes", style=SUCCESS) if volume.encrypted else Text("no", style=CAUTION),
                {True: "deleted", False: "kept", None: "?"}[volume.delete_on_termination],
                volume.state,
            )
        parts.append(table)
    elif instance.block_devices:
        table = _table("Device", "Volume", "On termination")
        for device in instance.block_devices:
            table.add_row(device.device, device.volume_id, "deleted" if device.delete_on_termination else "kept")
        parts.append(table)
        parts.append(_dim("loading sizes…" if detail is None and loading else "sizes and types unavailable"))
    else:
        parts.append(_dim("no EBS volumes attached"))
    return Group(*parts)


def tags_section(instance: Instance) -> RenderableType:
    parts: list[RenderableType] = [_heading("Tags")]
    if not instance.tags:
        parts.append(_dim("none"))
        return Group(*parts)
    table = _table("Key", "Value")
    for key, value in sorted(instance.tags):
        table.add_row(Text(key, style="bold"), Text(value))
    parts.append(table)
    return Group(*parts)


_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


def encoded_twice(user_data: str) -> str | None:
    """The text inside, when the user data is itself base64 of text (a common launch mistake), else ``None``.

    EC2 hands the instance the user data decoded once, so cloud-init would get the base64 text, not the script.
    """
    compact = "".join(user_data.split())
    if len(compact) < 8 or len(compact) % 4 or not _BASE64_TEXT.match(user_data):
        return None
    try:
        inner = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in inner)
    return inner if inner and printable == len(inner) else None


def user_data_section(user_data: str | None) -> RenderableType:
    parts: list[RenderableType] = [_heading("User data")]
    if user_data is _NOT_LOADED:
        parts.append(_dim("loading…"))
        return Group(*parts)
    if user_data is None:
        parts.append(_dim("none"))
        return Group(*parts)
    lines = user_data.splitlines()
    inner = encoded_twice(user_data)
    if inner is not None:
        parts.append(
            Text(
                "⚠ This user data is base64-encoded twice: the instance receives base64 text, not a script "
                "(u shows it as is). Decoded once more it reads:",
                style=CAUTION,
            )
        )
        lines = inner.splitlines()
    parts.append(Text("\n".join(lines[:USER_DATA_PREVIEW_LINES])))
    more = f"{len(lines) - USER_DATA_PREVIEW_LINES} more lines; " if len(lines) > USER_DATA_PREVIEW_LINES else ""
    parts.append(_dim(f"({more}u opens the read-only viewer)"))
    return Group(*parts)


class InstanceDetailScreen(InstanceActions, Screen[None]):
    AUTO_REFRESH_SECONDS: ClassVar[float] = 3.0

    BINDINGS = [
        Binding("escape", "back", "Back", id="instance.back"),
        Binding("u", "user_data", "User data", id="instance.user_data"),
        Binding("m", "open_ami", "AMI", id="instance.ami"),
        Binding("O", "console_output", "Console", key_display="O", id="instance.console_output"),
        *ACTION_BINDINGS,
        Binding("c", "copy_id", "Copy ID", id="instance.copy"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="instance.refresh"),  # it refreshes itself too
    ]

    def __init__(self, instance: Instance, profile: str | None = None) -> None:
        super().__init__(id="instance-detail")
        self.instance = instance
        self.profile = profile
        """The profile it was listed through (None: the app's current one, whose view opened it)."""
        self.detail: InstanceDetail | None = None
        self.user_data: str | None = _NOT_LOADED
        self.error: str | None = None
        self.rebooting_until = 0.0
        self._timer: Timer | None = None
        self._loading: Worker[None] | None = None

    def compose(self) -> Iterable[Any]:
        yield AppHeader()
        yield Static(id="title", classes="screen-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-warnings", classes="detail-warnings")
            yield Static(id="detail-summary")
            yield Static(id="detail-network")
            yield Static(id="detail-security")
            yield Static(id="detail-storage")
            yield Static(id="detail-tags")
            yield Static(id="detail-user-data")
        yield StableFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.render_detail()
        self.load()

    def profile_of(self, instance: Instance) -> str:
        return self.profile or super().profile_of(instance)

    # -- data -------------------------------------------------------------------------------------------------
    def shown_instance(self) -> Instance:
        instance = self.detail.instance if self.detail is not None else self.instance
        if time.monotonic() < self.rebooting_until and instance.state == InstanceState.RUNNING:
            return replace(instance, state=InstanceState.REBOOTING)
        return instance

    def load(self, refresh: bool = False) -> None:
        self._loading = self.run_worker(
            deferred(self._load, refresh), group="detail", exclusive=True, exit_on_error=False
        )

    async def _load(self, refresh: bool) -> None:
        instance = self.instance
        api = self.gateway_of(instance).instances
        detail: InstanceDetail | BaseException
        user_data: str | BaseException
        detail, user_data = await asyncio.gather(
            api.detail(instance.id, instance.region, refresh=refresh),
            api.user_data(instance.id, instance.region, refresh=refresh),
            return_exceptions=True,
        )
        unexpected = next(
            (r for r in (detail, user_data) if isinstance(r, BaseException) and not isinstance(r, Ec2TuiError)), None
        )
        if unexpected is not None:
            # A bug, not AWS: shown in place of "loading…", then reported by the app's handler.
            self.error = f"unexpected error: {type(unexpected).__name__}: {unexpected}"
            if self.user_data is _NOT_LOADED:
                self.user_data = f"<could not read the user data: {self.error}>"
            self.render_detail()
            raise unexpected
        if isinstance(detail, Ec2TuiError):
            self.error = str(detail)
            self.ec2app.notify(self.error, title="AWS error", severity="error", markup=False, timeout=8)
        elif isinstance(detail, BaseException):
            raise detail
        else:
            self.error = None
            self.detail = detail
            self.instance = detail.instance
        if isinstance(user_data, Ec2TuiError):
            self.user_data = f"<could not read the user data: {user_data}>"
        elif isinstance(user_data, BaseException):
            raise user_data
        else:
            self.user_data = user_data
        self.render_detail()
        self._update_auto_refresh()

    # -- rendering --------------------------------------------------------------------------------------------
    def render_detail(self) -> None:
        instance = self.shown_instance()
        detail = self.detail
        title = Content.assemble(  # Content: its theme colours follow a theme switch
            ("Instance ", "bold"),
            (instance.name or instance.id, "bold"),
            f"  {instance.id}  " if instance.name else "  ",
            (instance.state, bold(role_style(instance.state_role))),
            f"  {instance.region}",
        )
        if self._timer is not None:
            title = title.append_text(f"  ⟳ auto-refresh every {self.AUTO_REFRESH_SECONDS:g}s", bold(CAUTION))
        self.query_one("#title", Static).update(title)
        warnings = list(detail.warnings) if detail is not None else []
        if self.error:
            warnings.insert(0, f"Could not load the details: {self.error} (ctrl+r retries; showing the list's data)")
        warning_box = self.query_one("#detail-warnings", Static)
        warning_box.update(Content("\n".join(f"⚠ {w}" for w in warnings)).stylize(bold(WARNING)))
        warning_box.display = bool(warnings)
        self.query_one("#detail-summary", Static).update(summary_section(instance, detail))
        self.query_one("#detail-network", Static).update(network_section(instance))
        loading = self.error is None
        self.query_one("#detail-security", Static).update(security_section(instance, detail, loading))
        self.query_one("#detail-storage", Static).update(storage_section(instance, detail, loading))
        self.query_one("#detail-tags", Static).update(tags_section(instance))
        self.query_one("#detail-user-data", Static).update(user_data_section(self.user_data))

    # -- auto-refresh -----------------------------------------------------------------------------------------
    def _update_auto_refresh(self) -> None:
        active = self.shown_instance().is_transitional
        if active and self._timer is None:
            self._timer = self.set_interval(self.AUTO_REFRESH_SECONDS, self._tick)
            self.render_detail()
        elif not active and self._timer is not None:
            self._timer.stop()
            self._timer = None
            self.render_detail()

    def _tick(self) -> None:
        if not self.shown_instance().is_transitional:
            self._update_auto_refresh()
        elif self.is_current and (self._loading is None or self._loading.is_finished):
            # A load still out is left to finish: cancelling it for a new one would, with AWS slower than the
            # interval, never let any load land (and the cancelled loads' calls would still run in the gateway).
            self.load(refresh=True)

    # -- instance actions -------------------------------------------------------------------------------------
    def action_targets(self) -> list[Instance]:
        return [self.shown_instance()]

    def cursor_instance(self) -> Instance | None:
        return self.shown_instance()

    def known_protection(self, instance: Instance) -> bool | None:
        if self.detail is not None and instance.id == self.instance.id:
            return self.detail.termination_protection
        return None

    def instances_changed(self, changes: Sequence[StateChange], regions: set[str]) -> None:
        for change in changes:
            if change.instance_id != self.instance.id:
                continue
            if change.current_state == InstanceState.REBOOTING:
                self.rebooting_until = time.monotonic() + REBOOTING_SHOWN_SECONDS
            elif change.current_state:
                self.instance = replace(self.instance, state=change.current_state)
                if self.detail is not None:
                    self.detail = replace(self.detail, instance=self.instance)
        if self.instance.region in regions:
            self.render_detail()
            self._update_auto_refresh()
            self.load(refresh=True)

    # -- keys -------------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load(refresh=True)

    def action_copy_id(self) -> None:
        self.copy_instance_id()

    def action_user_data(self) -> None:
        if self.user_data is _NOT_LOADED:
            self.ec2app.notify("The user data is still loading.", severity="warning")
            return
        if self.user_data is None:
            self.ec2app.notify(f"{self.instance.id} has no user data.", markup=False)
            return
        label = f"{self.instance.name} ({self.instance.id})" if self.instance.name else self.instance.id
        self.app.push_screen(UserDataScreen(label, self.user_data, encoded_twice(self.user_data)))

    def action_console_output(self) -> None:
        label = f"{self.instance.name} ({self.instance.id})" if self.instance.name else self.instance.id
        self.app.push_screen(
            ConsoleOutputScreen(self.instance.id, self.instance.region, label, self.gateway_of(self.instance))
        )

    def action_open_ami(self) -> None:
        image_id = self.instance.image_id
        screen_class = ami_detail_screen()
        if screen_class is not None:
            self.app.push_screen(screen_class(image_id, self.instance.region))
            return
        self.ec2app.copy_and_notify(image_id, "AMI ID")
        self.ec2app.notify(
            "There is no AMI detail screen in this build: the AMI ID was copied instead.",
            severity="warning",
            markup=False,
        )

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Show user data", "The decoded user data in a read-only viewer (u)", "user_data")
        yield action_command(
            self, "Show console output", "The instance's latest boot/serial console output (O)", "console_output"
        )
        yield action_command(self, "Go to AMI", "The AMI this instance was launched from (m)", "open_ami")
        yield from self.instance_palette_commands()
        yield action_command(self, "Refresh", "Reload the details from AWS, bypassing the cache (ctrl+r)", "refresh")
        yield action_command(self, "Back to the list", "Close the details (esc)", "back")


def ami_detail_screen() -> Any | None:
    """``AmiDetailScreen(image_id, region)`` when this build has the AMI catalog, else ``None``."""
    module_name, class_name = AMI_SCREEN
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, class_name, None)
