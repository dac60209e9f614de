"""Instances of several profiles at once: every enabled region of each chosen profile, with profile and account
columns. Answers arrive per (profile, region); a profile that fails is reported without hiding the others, and
every action on a row goes through that row's profile, in that row's region."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from rich.text import Text

from ec2tui.aws.models.instances import Instance
from ec2tui.errors import Ec2TuiError
from ec2tui.screens.credentials import recover
from ec2tui.screens.instance_detail import InstanceDetailScreen
from ec2tui.screens.instances import ALL_REGIONS_COLUMNS, InstancesScreen, sort_key
from ec2tui.screens.list_screen import Column

ACCOUNTS_COLUMNS = (
    ALL_REGIONS_COLUMNS[0],
    Column("profile", "Profile", priority=25, max_width=20),
    Column("account", "Account", priority=45, whole=True),
    *ALL_REGIONS_COLUMNS[1:],
)


class AccountsInstancesScreen(InstancesScreen):
    """Pushed from :profiles (`i` on the marked profiles); escape goes back there."""

    FOLLOWS_REGION = False
    COLUMNS = ACCOUNTS_COLUMNS

    def __init__(self, profiles: Iterable[str]) -> None:
        super().__init__(id="instances-of-profiles")
        self.all_regions = True
        self.profiles = list(dict.fromkeys(profiles))
        self.owners: dict[str, str] = {}
        """Instance ID → the profile it was listed through."""
        self.accounts: dict[str, str] = {}
        """Profile → its account ID (STS)."""

    def screen_title(self) -> str:
        count = len(self.profiles)
        return f"Instances · {count} profile{'s' if count != 1 else ''} ({', '.join(self.profiles)}) · all regions"

    def row(self, item: Instance) -> tuple[object, ...]:
        cells = super().row(item)
        profile = self.owners.get(item.id, "")
        account = self.accounts.get(profile, "")
        return (cells[0], profile, account or Text("…", style="dim"), *cells[1:])

    def search_fields(self, item: Instance, cells: tuple[object, ...]) -> dict[str, str]:
        fields = super().search_fields(item, cells)
        profile = self.owners.get(item.id, "")
        fields["profile"] = profile.lower()
        fields["account"] = self.accounts.get(profile, "")
        return fields

    def profile_of(self, instance: Instance) -> str:
        return self.owners.get(instance.id) or super().profile_of(instance)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_all_regions":
            return False  # this view is every region of each profile by definition
        return super().check_action(action, parameters)

    def open_item(self, item: Instance) -> None:
        self.app.push_screen(InstanceDetailScreen(self.shown(item), profile=self.profile_of(item)))

    def empty_hint(self) -> str:
        return ""

    # -- loading: (profile x region) ---------------------------------------------------------------------------
    async def fetch(self, refresh: bool) -> list[Instance]:
        self.regions_total, self.regions_answered, self.region_errors = 0, 0, {}
        self.set_items([])
        collected: list[Instance] = []
        await asyncio.gather(*(self._fetch_profile(p, refresh, collected) for p in self.profiles))
        return sorted(collected, key=self._sort_key)

    def _sort_key(self, instance: Instance) -> tuple[str, str, str, str]:
        return (self.owners.get(instance.id, ""), *sort_key(instance))

    async def _fetch_profile(self, profile: str, refresh: bool, collected: list[Instance]) -> None:
        gateway = self.ec2app.accounts.gateway(profile)
        try:
            identity, regions = await asyncio.gather(gateway.regions.identity(), gateway.regions.list())
        except Ec2TuiError as exc:
            self._failed(profile, exc)
            # an expired SSO login or session: the same help as in a single-profile list (log in, then reload)
            recover(self.ec2app, exc, self.reload, asked=self.refreshing, profile=profile)
            return
        self.accounts[profile] = identity.account
        self.ec2app.identities[profile] = identity.account
        enabled = [r.name for r in regions if r.enabled]
        self.regions_total += len(enabled)
        self.update_title()
        async for result in gateway.instances.list_all_regions(enabled, refresh=refresh):
            self.regions_answered += 1
            if result.error is not None:
                self._failed(f"{profile} {result.region}", result.error)
            else:
                instances: list[Instance] = result.value or []
                for instance in instances:
                    self.owners[instance.id] = profile
                collected += instances
                self.add_items(sorted(instances, key=sort_key))
            self.table.loading = False
            self.update_title()

    def _failed(self, where: str, error: Ec2TuiError) -> None:
        self.region_errors[where] = str(error)
        self.ec2app.notify(f"{where}: {error}", title=f"{where} failed", severity="error", markup=False, timeout=8)
        self.update_title()

    async def _refresh_regions(self, regions: set[str]) -> None:
        """Re-read the given regions of every profile that has an instance there (after an action, or while
        something is in transition), and merge them in."""
        if self.loading_data:
            return
        wanted = {(self.owners.get(i.id, ""), i.region) for i in self.items if i.region in regions}
        fresh: dict[tuple[str, str], list[Instance]] = {}
        for profile, region in sorted(wanted):
            try:
                instances = await self.ec2app.accounts.gateway(profile).instances.list(region, refresh=True)
            except Ec2TuiError as exc:
                self._failed(f"{profile} {region}", exc)
                continue
            self.region_errors.pop(f"{profile} {region}", None)
            for instance in instances:
                self.owners[instance.id] = profile
            fresh[(profile, region)] = list(instances)
        if self.loading_data or not fresh:
            self.update_title()
            return
        kept = [i for i in self.items if (self.owners.get(i.id, ""), i.region) not in fresh]
        merged = kept + [i for instances in fresh.values() for i in instances]
        self.set_items(sorted(merged, key=self._sort_key))
