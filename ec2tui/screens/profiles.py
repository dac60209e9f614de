"""`:profiles`: every AWS profile of the config and credentials files, what kind it is, its account once used, and
its SSO login state; `enter` looks through the selected one, `space` marks several for one instances view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding

from ec2tui.aws.models.profiles import ENV_PROFILE, ProfileInfo, SsoLogin
from ec2tui.screens.list_screen import Column, ListScreen, PaletteCommand, action_command
from ec2tui.widgets.theme_colours import ERROR, SUCCESS, WARNING, bold

KIND_LABEL = {
    "sso": "SSO",
    "assume-role": "role",
    "static": "access key",
    "process": "process",
    "web-identity": "web identity",
    "env": "environment",
    "unknown": "default chain",
}


@dataclass(frozen=True, slots=True)
class ProfileRow:
    info: ProfileInfo
    sso: SsoLogin | None = None
    """The SSO login's state (SSO profiles only)."""


class ProfilesScreen(ListScreen[ProfileRow]):
    NOUN = "profiles"
    COPY_WHAT = "profile name"
    FOLLOWS_REGION = False
    COLUMNS = (
        Column("current", " ", 1, priority=0),
        Column("marked", " ", 1, priority=0),
        Column("name", "Profile", priority=10, whole=True, max_width=32),
        Column("kind", "Kind", priority=20, max_width=14),
        Column("account", "Account", priority=15, whole=True),
        Column("region", "Region", priority=30, whole=True),
        Column("login", "Login", priority=25, max_width=30),
        Column("source", "Credentials from", priority=60, max_width=40),
    )
    BINDINGS = [
        Binding("enter", "use_profile", "Use profile", show=True, priority=False, id="profiles.use"),
        Binding("space", "mark", "Mark", id="profiles.mark"),
        Binding("i", "instances_of_marked", "Instances of marked", id="profiles.instances"),
        Binding("c", "copy", "Copy name", id="list.copy"),
    ]

    def __init__(self) -> None:
        super().__init__(id="profiles")
        self.marked: set[str] = set()
        self.problem: str | None = None

    def on_mount(self) -> None:
        # This view stays while the profile changes (it is where the switch happens): its marks follow the context.
        self.watch(self.app, "context", self._context_changed, init=False)
        self.watch(self.app, "account", self._context_changed, init=False)
        self.watch(self.app, "account_alias", self._context_changed, init=False)

    def _context_changed(self, _value: object = None) -> None:
        for item in list(self.items):
            self.update_item(item)

    def screen_title(self) -> str:
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        return f"Profiles{marked}"

    async def fetch(self, refresh: bool) -> list[ProfileRow]:
        accounts = self.ec2app.accounts
        listing = await accounts.profiles()
        self.problem = listing.error
        infos = list(listing.profiles)
        named = {info.name for info in infos}
        for used in accounts.known():  # e.g. "default" with credentials from the environment or an instance role
            if used not in named:
                infos.insert(0, ProfileInfo(name=used, kind="unknown", source="default credential chain"))
        rows = []
        for info in infos:
            sso = await accounts.sso_state(info) if info.kind == "sso" else None
            rows.append(ProfileRow(info, sso))
        if listing.error:
            self.notify(listing.error, severity="warning", markup=False, timeout=10)
        self.ec2app.profile_names = sorted(info.name for info in infos)
        return rows

    def key_of(self, item: ProfileRow) -> str:
        return item.info.name

    def row(self, item: ProfileRow) -> tuple[object, ...]:
        info = item.info
        current = info.name == self.ec2app.context.profile
        account = self.ec2app.identities.get(info.name, "")
        alias = self.ec2app.aliases.get(info.name, "")
        if account and alias:
            account = f"{account} ({alias})"
        if item.sso is None:
            login = Text("")
        elif item.sso.valid:
            until = f" until {item.sso.expires_at:%H:%M} UTC" if item.sso.expires_at else ""
            login = Text(f"logged in{until}", style=SUCCESS)
        else:
            login = Text(item.sso.reason or "not logged in", style=WARNING)
        if info.problems:
            login = Text("; ".join(info.problems), style=ERROR)
        return (
            Text("●" if current else "", style=bold(SUCCESS)),
            Text("✓" if info.name in self.marked else "", style="bold"),
            Text(info.name, style="bold" if current else ""),
            KIND_LABEL.get(info.kind, info.kind),
            account or Text("—", style="dim"),
            info.region or Text("—", style="dim"),
            login,
            info.source,
        )

    def copy_value(self, item: ProfileRow) -> tuple[str, str]:
        return item.info.name, "profile name"

    def open_item(self, item: ProfileRow) -> None:
        self.use_profile(item)

    def action_use_profile(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.use_profile(item)

    def use_profile(self, item: ProfileRow) -> None:
        info = item.info
        if info.problems:
            self.notify(
                f"Profile {info.name} can't be used as written: {'; '.join(info.problems)}.",
                severity="warning",
                markup=False,
            )
            return
        profile = None if info.name == ENV_PROFILE else info.name
        self.ec2app.use_profile(info, profile_name=profile or ENV_PROFILE)

    def action_mark(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        self.marked.symmetric_difference_update({item.info.name})
        self.update_item(item)
        self.update_title()

    def action_instances_of_marked(self) -> None:
        names = sorted(self.marked) or [self.ec2app.context.profile]
        self.ec2app.show_instances_of(names)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Use profile", "Look through the selected profile (enter)", "use_profile")
        yield action_command(self, "Mark profile", "Mark it for the multi-account instances view (space)", "mark")
        yield action_command(
            self, "Instances of marked profiles", "Every region of every marked profile (i)", "instances_of_marked"
        )
        yield from super().palette_commands()
