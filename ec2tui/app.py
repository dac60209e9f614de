"""The Textual application: modes for each view, the global keymap, palette commands, clipboard, region state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from ec2tui.clipboard import copy_text
from ec2tui.commands import AMI_CATEGORIES, CommandError, parse
from ec2tui.errors import CredentialsError, Ec2TuiError
from ec2tui.key_gate import BYPASS, KeyGate
from ec2tui.unexpected import report as report_unexpected

if TYPE_CHECKING:
    from ec2tui.gateway import Gateway


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


class Ec2App(App[None]):
    """ec2tui. Screens reach AWS only through ``self.gateway`` (the async background worker)."""

    CSS_PATH = "ec2tui.tcss"
    TITLE = "ec2tui"
    MODES: dict[str, Callable[[], Screen[Any]]] = {
        "regions": _regions_screen,
        "amis": _amis_screen,
        "instances": _instances_screen,
        "launch": _launch_screen,
    }
    DEFAULT_MODE = "regions"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Shown in the header (AppHeader.KEYS_HINT): the footer is left to each screen's own keys.
        Binding("question_mark", "help", "Help", key_display="?", show=False, id="app.help"),
        Binding("colon", "prompt", "Command", key_display=":", show=False, id="app.prompt"),
    ]

    region: reactive[str] = reactive("")
    account: reactive[str] = reactive("")

    def __init__(
        self,
        gateway: Gateway,
        *,
        demo: bool = False,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        if keymap:
            self.set_keymap(keymap)
        self.gateway = gateway
        self.demo = demo
        self.quit_checks: list[Callable[[], str | None]] = []
        """Screens that hold unsaved work register a check here; each returns why quitting now would lose it."""
        self.key_gate = KeyGate(self, self._dispatch_key)
        """Keys go one at a time: each lands where the previous one moved the focus (see ``ec2tui.key_gate``)."""
        self.set_reactive(Ec2App.region, gateway.region)
        if theme:
            self.theme = theme

    # -- state the header shows -------------------------------------------------------------------------------
    @property
    def profile_name(self) -> str:
        return "demo" if self.demo else self.gateway.profile_name

    @property
    def endpoint_url(self) -> str | None:
        return None if self.demo else self.gateway.endpoint_url

    @property
    def read_only(self) -> bool:
        return self.gateway.read_only

    def on_mount(self) -> None:
        self.load_identity()

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
        try:
            identity = await self.gateway.regions.identity()
        except CredentialsError as exc:
            self.account = "unknown"
            self.notify(str(exc), title="Credentials", severity="error", markup=False, timeout=15)
        except Ec2TuiError:
            self.account = "unknown"  # the screens show the endpoint/API error themselves
        else:
            self.account = identity.account

    def set_region(self, region: str) -> None:
        self.gateway.region = region
        self.region = region
        self.notify(f"Region is now {region}", markup=False)

    # -- clipboard --------------------------------------------------------------------------------------------
    def copy_and_notify(self, text: str, what: str) -> None:
        how = copy_text(text, self.copy_to_clipboard)
        self.notify(f"Copied {what} {text} ({how})", markup=False)

    # -- navigation -------------------------------------------------------------------------------------------
    def action_prompt(self) -> None:
        from ec2tui.screens.command_prompt import CommandPrompt

        self.push_screen(CommandPrompt(), callback=self._prompt_done)

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
            self.run_worker(self.action_quit(), exit_on_error=False)
            return
        if command.name == "help":
            self.action_help()
            return
        if command.name not in self.MODES:
            self.notify(f"':{command.name}' is not available in this build.", severity="warning", markup=False)
            return
        self.switch_mode(command.name)
        if command.argument is not None:
            base = self.screen_stack[0]
            while len(self.screen_stack) > 1:
                self.pop_screen()
            apply = getattr(base, "apply_argument", None)
            if apply is not None:
                apply(command.argument)

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

    # -- command palette --------------------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Go to regions", "The region list (:regions)", lambda: self.navigate("regions"))
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
        if self.demo and self.gateway.mutations:
            reasons.append("The demo's AWS account lives only as long as this process: what you made in it is lost.")
        if not reasons:
            self.exit()
            return
        self.push_screen(QuitScreen(reasons), lambda quit_now: self.exit() if quit_now else None)

    def on_unmount(self) -> None:
        self.key_gate.close()
        self.gateway.close()
