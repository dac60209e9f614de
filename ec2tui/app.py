"""The Textual application: modes for each view, the global keymap, palette commands, clipboard, and the one
:class:`Context` (profile, endpoint, region) every screen reads from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from ec2tui.clipboard import copy_text
from ec2tui.commands import AMI_CATEGORIES, CommandError, parse
from ec2tui.context import Context
from ec2tui.deferred import deferred
from ec2tui.errors import CredentialsError, Ec2TuiError
from ec2tui.key_gate import BYPASS, KeyGate
from ec2tui.unexpected import report as report_unexpected
from ec2tui.widgets.theme_colours import ThemedApp

if TYPE_CHECKING:
    from ec2tui.aws.models.profiles import ProfileInfo
    from ec2tui.gateway import Gateway
    from ec2tui.gateway.accounts import Accounts


# Each mode's screen module is imported when the mode is first opened: the AMI catalog, the instances list and the
# launch form (with their dialogs and widgets) are half of the app's import time, and the start shows the regions.
def _regions_screen() -> Screen[Any]:
    from ec2tui.screens.regions import RegionsScreen

    return RegionsScreen()


def _amis_screen() -> Screen[Any]:
    from ec2tui.screens.amis import AmisScreen

    return AmisScreen()


def _instances_screen() -> Screen[Any]:
    from ec2tui.screens.instances import InstancesScreen

    return InstancesScreen()


def _launch_screen() -> Screen[Any]:
    from ec2tui.launch.screen import LaunchScreen

    return LaunchScreen()


def _templates_screen() -> Screen[Any]:
    from ec2tui.screens.templates import TemplatesScreen

    return TemplatesScreen()


def _profiles_screen() -> Screen[Any]:
    from ec2tui.screens.profiles import ProfilesScreen

    return ProfilesScreen()


class Ec2App(ThemedApp[None]):
    """ec2tui. Screens reach AWS only through ``self.gateway`` (the async background worker)."""

    CSS_PATH = "ec2tui.tcss"
    TITLE = "ec2tui"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "regions": _regions_screen,
        "amis": _amis_screen,
        "instances": _instances_screen,
        "launch": _launch_screen,
        "templates": _templates_screen,
        "profiles": _profiles_screen,
    }
    DEFAULT_MODE = "regions"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Shown in the header (AppHeader.KEYS_HINT): the footer is left to each screen's own keys.
        Binding("question_mark", "help", "Help", key_display="?", show=False, id="app.help"),
        Binding("colon", "prompt", "Command", key_display=":", show=False, id="app.prompt"),
    ]

    context: reactive[Context] = reactive(Context("default", "us-east-1"))
    """Where the app is looking. Owned here alone: screens read it (or get it passed) and never set it."""
    region: reactive[str] = reactive("")
    """``context.region``, kept apart so that widgets can watch the region alone."""
    account: reactive[str] = reactive("")
    account_alias: reactive[str] = reactive("")
    """The IAM alias of ``account``, when it has one and the caller may read it."""
    """The account of ``context.profile`` once STS has said it ("unknown" if it couldn't); "" until then."""

    def __init__(
        self,
        gateway: Gateway | Accounts,
        *,
        demo: bool = False,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        if keymap:
            self.set_keymap(keymap)
        # A Gateway on its own (tests, one set of credentials) is its own pool of one.
        as_accounts = getattr(gateway, "as_accounts", None)
        self.accounts: Accounts = as_accounts() if as_accounts is not None else gateway  # type: ignore[assignment]
        """A gateway per profile: see :attr:`gateway` and :meth:`gateway_for`."""
        self.region_names: list[str] = []
        """Enabled regions of the current profile, once listed: `:region` completes them."""
        self.profile_names: list[str] = []
        """Profiles of the AWS config files, once listed: `:profile` completes them."""
        self.mode_before_profiles = "regions"
        """Where `enter` on :profiles goes back to."""
        self.aliases: dict[str, str] = {}
        """Account alias by profile ("" for none)."""
        self.identities: dict[str, str] = {}
        """Account ID by profile, as STS said (the header, the profiles list, the multi-account view)."""
        self.demo = demo
        self.quit_checks: list[Callable[[], str | None]] = []
        """Screens that hold unsaved work register a check here; each returns why quitting now would lose it."""
        self.key_gate = KeyGate(self, self._dispatch_key)
        """Keys go one at a time: each lands where the previous one moved the focus (see ``ec2tui.key_gate``)."""
        first = self.accounts.first
        start = Context(first.profile_name, first.home_region, first.endpoint_url)
        self.set_reactive(Ec2App.context, start)
        self.set_reactive(Ec2App.region, start.region)
        if theme:
            self.theme = theme

    # -- the context ------------------------------------------------------------------------------------------
    @property
    def gateway(self) -> Gateway:
        """The gateway of the current context's profile. A load captures :attr:`context` first and uses
        :meth:`gateway_for` with it, so its answer is for the context it was asked in."""
        return self.accounts.gateway(self.context.profile)

    def gateway_for(self, context: Context) -> Gateway:
        return self.accounts.gateway(context.profile)

    @property
    def profile_name(self) -> str:
        return self.context.profile

    @property
    def endpoint_url(self) -> str | None:
        return None if self.demo else self.context.endpoint_url

    @property
    def read_only(self) -> bool:
        return self.accounts.read_only

    remembers_theme = False
    """Whether a theme chosen in the app (ctrl+p → theme) is saved in the settings file (the CLI's app; not tests')."""

    def on_mount(self) -> None:
        if self.remembers_theme:
            from ec2tui import settings

            settings.remember_theme(self)
        self.load_identity()
        from ec2tui.screens.credentials import check_starting_profile

        self.run_worker(deferred(check_starting_profile, self), group="credentials", exit_on_error=False)

    def on_ready(self) -> None:
        self.key_gate.open()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_gate.on_key(event)
        else:
            await super().on_event(event)

    async def _dispatch_key(self, event: events.Key) -> None:
        """Textual's own key handling, unless the screen on top refuses the key (a confirmation drops every key
        typed before it opened: see ``FreshKeysOnly``)."""
        refuses = getattr(self.screen, "refuses_key", None)
        if refuses is not None and event.key not in BYPASS and refuses(event):
            return
        await super().on_event(event)

    @work(exclusive=True, group="identity", exit_on_error=False)
    async def load_identity(self) -> None:
        context = self.context
        try:
            identity = await self.gateway_for(context).regions.identity()
        except CredentialsError as exc:
            account = "unknown"
            self.notify(str(exc), title=f"Credentials of {context.profile}", severity="error", markup=False, timeout=15)
        except Ec2TuiError:
            account = "unknown"  # the screens show the endpoint/API error themselves
        else:
            account = self.identities[context.profile] = identity.account
        if self.context.profile == context.profile:  # not switched meanwhile
            self.account = account
        if account == "unknown":
            return
        try:
            alias = await self.gateway_for(context).regions.alias()
        except Ec2TuiError:
            return  # an alias only labels the account
        self.aliases[context.profile] = alias or ""
        if self.context.profile == context.profile:
            self.account_alias = alias or ""

    def set_region(self, region: str) -> None:
        """Look at another region, same profile (`enter` on the regions list, `:region NAME`)."""
        if region == self.context.region:
            return
        self.context = self.context.at(region)
        self.region = region
        self.notify(f"Region is now {region}", markup=False)

    async def switch_profile(self, profile: str, region: str | None = None) -> None:
        """Look through another profile (`enter` on :profiles, `:profile NAME`): every view starts again in the new
        context (its drafts, filters and caches are its own), the one on screen included."""
        if profile == self.context.profile and (region is None or region == self.context.region):
            return
        from ec2tui.screens.credentials import ask_mfa_again

        ask_mfa_again(self)  # a profile chosen: an MFA code cancelled before may be asked again
        new = self.context.with_profile(profile, region or self.context.region)
        self.account = self.identities.get(profile, "")
        self.account_alias = self.aliases.get(profile, "")
        self.region_names = []  # another account may have other regions enabled
        self.context = new
        self.region = new.region
        await self._restart_views()
        self.load_identity()
        self.notify(f"Profile is now {profile} · {new.region}", markup=False)

    def use_profile(self, info: ProfileInfo, profile_name: str) -> None:
        """`enter` on :profiles: make sure the profile's credentials can work (an SSO login that expired is offered
        again, in this terminal), switch to it, and go back to the view the user came from."""
        self.run_worker(
            deferred(self._use_profile, info, profile_name), group="context", exclusive=True, exit_on_error=False
        )

    async def _use_profile(self, info: ProfileInfo, profile_name: str) -> None:
        from ec2tui.screens.credentials import ensure_credentials

        if not await ensure_credentials(self, info):
            return
        await self.switch_profile(profile_name)
        back = self.mode_before_profiles
        if self.current_mode == "profiles" and back in self.MODES and back != "profiles":
            self.switch_mode(back)

    def show_instances_of(self, profiles: list[str]) -> None:
        """The instances of every enabled region of each of ``profiles`` in one list (from :profiles)."""
        from ec2tui.screens.instances_accounts import AccountsInstancesScreen

        self.push_screen(AccountsInstancesScreen(profiles))

    async def _restart_views(self) -> None:
        """Every mode's screens are dropped and made afresh when next shown (the current one at once), so no view
        keeps rows, a form or a detail of the previous context."""
        current = self.current_mode
        for mode, make in self.MODES.items():
            if mode != current:
                await self.remove_mode(mode)
                self.add_mode(mode, make)
        if current in self.MODES and current != "profiles":
            # The mode on screen can't be removed while shown: step aside to the profiles view, renew it, come back.
            await self.switch_mode("profiles")
            await self.remove_mode(current)
            self.add_mode(current, self.MODES[current])
            await self.switch_mode(current)

    # -- clipboard --------------------------------------------------------------------------------------------
    def copy_and_notify(self, text: str, what: str) -> None:
        how = copy_text(text, self.copy_to_clipboard)
        self.notify(f"Copied {what} {text} ({how})", markup=False)

    # -- navigation -------------------------------------------------------------------------------------------
    def action_prompt(self) -> None:
        from ec2tui.screens.command_prompt import CommandPrompt

        names = [f"region {r}" for r in self.region_names] + [f"profile {p}" for p in self.profile_names]
        self.push_screen(CommandPrompt(names), callback=self._prompt_done)

    def _prompt_done(self, line: str | None) -> None:
        if line:
            self.navigate(line)

    def navigate(self, line: str) -> None:
        """Run a `:` command line (also used by the palette)."""
        try:
            command = parse(line)
        except CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        if command.name == "quit":
            self.run_worker(deferred(self.action_quit), exit_on_error=False)
            return
        if command.name == "help":
            self.action_help()
            return
        if command.name == "region" and command.argument is not None:
            self.run_worker(deferred(self._go_to_region, command.argument), group="context", exit_on_error=False)
            return
        if command.name == "profile" and command.argument is not None:
            self.run_worker(deferred(self._go_to_profile, command.argument), group="context", exit_on_error=False)
            return
        if command.name not in self.MODES:
            self.notify(f"':{command.name}' is not available in this build.", severity="warning", markup=False)
            return
        if command.name == "profiles" and self.current_mode != "profiles":
            self.mode_before_profiles = self.current_mode
        self.switch_mode(command.name)
        if command.argument is not None:
            base = self.screen_stack[0]
            while len(self.screen_stack) > 1:
                self.pop_screen()
            apply = getattr(base, "apply_argument", None)
            if apply is not None:
                apply(command.argument)

    async def _go_to_region(self, name: str) -> None:
        """`:region NAME`: the region must be one this account has enabled (the list is cached)."""
        try:
            regions = await self.gateway_for(self.context).regions.list()
        except Ec2TuiError as exc:
            self.notify(f"Regions could not be listed: {exc}", severity="error", markup=False)
            return
        by_name = {r.name: r for r in regions}
        self.region_names = sorted(r.name for r in regions if r.enabled)
        region = by_name.get(name.lower())
        if region is None:
            close = [r for r in by_name if r.startswith(name.lower())]
            hint = f" Did you mean {', '.join(close)}?" if close else " :regions lists them."
            self.notify(f"There is no region '{name}' here.{hint}", severity="warning", markup=False)
        elif not region.enabled:
            self.notify(
                f"{region.name} is not enabled for this account (opt-in required).", severity="warning", markup=False
            )
        else:
            self.set_region(region.name)

    async def _go_to_profile(self, name: str) -> None:
        """`:profile NAME`: a profile of the AWS config files (or one already in use)."""
        if not self.accounts.can_switch:
            self.notify("This session has one set of credentials only.", severity="warning", markup=False)
            return
        listing = await self.accounts.profiles()
        names = {p.name for p in listing.profiles} | set(self.accounts.known())
        self.profile_names = sorted(names)
        if name not in names:
            close = sorted(n for n in names if n.lower().startswith(name.lower()))
            hint = f" Did you mean {', '.join(close)}?" if close else " :profiles lists them."
            self.notify(f"There is no profile '{name}'.{hint}", severity="warning", markup=False)
            return
        from ec2tui.screens.credentials import ensure_credentials

        info = next((p for p in listing.profiles if p.name == name), None)
        if info is not None and not await ensure_credentials(self, info):
            return
        await self.switch_profile(name)

    def launch_from_image(self, image_id: str) -> None:
        """Open the launch form with this AMI chosen (the AMI catalog's `l` / "Launch from AMI")."""
        self.switch_mode("launch")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        form = self.screen_stack[0]
        form.return_mode = "amis"  # type: ignore[attr-defined]
        form.prefill_image(image_id)  # type: ignore[attr-defined]

    def show_launched(self, instance_ids: list[str], region: str) -> None:
        """After a launch: the instances list, its cursor following the first new instance (in ``region``)."""
        from ec2tui.screens.instances import InstancesScreen

        self.navigate("instances")
        screen = self.screen_stack[0]
        if isinstance(screen, InstancesScreen):
            screen.follow(instance_ids, region)

    def action_help(self) -> None:
        from ec2tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """The palette's Screenshot. Textual saves into ~/Downloads and, when there is none (a server, a container),
        fails with a bare "Failed to save screenshot": use the state folder then, and say why when even that fails."""
        import os
        from pathlib import Path

        from ec2tui.paths import screenshots_dir

        folder = Path(path).expanduser() if path else screenshots_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise PermissionError(f"{folder} is not writable")
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.notify(
                f"Cannot save a screenshot in {folder}: {reason}.", title="Screenshot", severity="error", markup=False
            )
            return
        self.deliver_screenshot(filename, str(folder))

    # -- command palette --------------------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Go to regions", "The region list (:regions)", lambda: self.navigate("regions"))
        yield SystemCommand(
            "Switch profile", "AWS profiles and accounts (:profiles)", lambda: self.navigate("profiles")
        )
        if "amis" in self.MODES:
            for category in AMI_CATEGORIES:
                yield SystemCommand(
                    f"AMIs: {category}",
                    f"AMI catalog, {category} (:amis {category})",
                    lambda c=category: self.navigate(f"amis {c}"),
                )
        if "instances" in self.MODES:
            yield SystemCommand("Go to instances", "Instances (:instances)", lambda: self.navigate("instances"))
        if "launch" in self.MODES:
            yield SystemCommand("Launch instance", "The launch form (:launch)", lambda: self.navigate("launch"))
        if "templates" in self.MODES:
            yield SystemCommand(
                "Launch templates", "The region's launch templates (:templates)", lambda: self.navigate("templates")
            )
        yield SystemCommand("Command prompt", "Type a : command", self.action_prompt)
        yield SystemCommand("Show keys and help", "Every binding (?)", self.action_help)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for command in commands():
                yield SystemCommand(command.title, command.help, command.callback)

    # -- unexpected errors (ec2tui/unexpected.py): logged, shown on an ErrorScreen, and the app keeps running ---------
    survives_unexpected_errors = True

    def _handle_exception(self, error: Exception) -> None:
        if not report_unexpected(self, error):
            super()._handle_exception(error)  # it couldn't be shown: Textual restores the terminal and exits

    # ---------------------------------------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """q / ctrl+q / :quit. Asks first when quitting would throw away what the user made (a second ctrl+q in
        that question quits at once, so the app can always be left)."""
        from ec2tui.screens.confirm import QuitScreen

        if isinstance(self.screen, QuitScreen):
            self.exit()
            return
        reasons = [reason for check in self.quit_checks if (reason := check())]
        if self.demo and self.accounts.mutations:
            reasons.append("The demo's AWS account lives only as long as this process: what you made in it is lost.")
        if not reasons:
            self.exit()
            return
        self.push_screen(QuitScreen(reasons), lambda quit_now: self.exit() if quit_now else None)

    def on_unmount(self) -> None:
        self.key_gate.close()
        self.accounts.close()
