"""The demo's scenes: every screen of the app, and the keys that reach it from the start (the regions list).

One list for two users: ``scripts/screenshots.py`` renders the README's pictures from it, and
``tests/test_snapshots.py`` compares each scene, at two sizes and in two themes, with its accepted SVG
(pytest-textual-snapshot). A :class:`Stage` runs the app as ``ec2tui --demo`` does, on a demo server whose data is
the same in every run (moto's generator seeded, the clock pinned): a scene then draws the same picture every time.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, LoadingIndicator, TextArea

from ec2tui import clock

if TYPE_CHECKING:
    from ec2tui.app import Ec2App
    from ec2tui.demo.server import DemoServer
    from ec2tui.gateway import Gateway

PINNED_NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
"""The instant the demo's server seeds at and the app reads as now (ages, "deprecated")."""

CEILING = 120.0  # generous: a loaded 2-core CI machine took over 30 s to open the type picker
"""Seconds a scene may wait for what it needs (a row, a screen, stillness) before it fails, saying what."""

Step = Callable[[Pilot[None]], Awaitable[None]]
Failure = Callable[[], str | None]
"""Why what a scene waits for will never come (a load that failed), or None while it still may."""


class SceneFailed(RuntimeError):
    """A scene can't be reached, for the reason given (not a slow machine: waiting longer would not help)."""


@dataclass(frozen=True)
class Scene:
    name: str
    steps: Step
    """The keys a user presses to get here from the walk's scene before (the first: from the app's start)."""


# -- what the steps are made of --------------------------------------------------------------------------------------
async def wait_until(pilot: Pilot[None], check: Callable[[], bool], what: str, failed: Failure | None = None) -> None:
    """Poll ``check`` until it holds, then let the screen catch up; ``what`` names it when it never does. A
    ``failed`` that gives a reason ends the wait at once with :class:`SceneFailed` (not after the ceiling, with a
    message that hides the cause).

    The poll sleeps rather than ``pilot.pause()``s: a pause waits for every widget of the screen to empty its queue
    (hundreds on the launch form), which made the polling itself the main cost of a scene.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CEILING
    while not check():
        reason = failed() if failed is not None else None
        if reason is not None:
            raise SceneFailed(f"scene: never {what}: {reason} (screen: {type(pilot.app.screen).__name__})")
        if loop.time() > deadline:
            raise TimeoutError(f"scene: never {what} (screen: {type(pilot.app.screen).__name__})")
        await asyncio.sleep(0.02)
    await pilot.pause()


WAITING_FOR_AN_ANSWER = frozenset({"instance-connect"})
"""Worker groups that run while their dialog waits for the user (the connect flow): not a sign of loading."""


def busy(app: App[Any]) -> str | None:
    """Why the screen may still change by itself (a worker running, a loading indicator shown), or None."""
    running = [w for w in app.workers if not w.is_finished and w.group not in WAITING_FOR_AN_ANSWER]
    if running:
        return f"worker {running[0].name or running[0].group} running"
    screen = app.screen
    for widget in screen.query("*"):
        if widget.loading or (isinstance(widget, LoadingIndicator) and _displayed(widget)):
            return f"{widget!r} loading"
    return None


def _displayed(widget: Widget) -> bool:
    return all(node.display and node.visible for node in widget.ancestors_with_self if isinstance(node, Widget))


async def settle(pilot: Pilot[None]) -> None:
    """Until no worker runs and nothing is loading (every region's count, every price, the account in)."""
    await pilot.pause()
    await wait_until(pilot, lambda: busy(pilot.app) is None, f"still ({busy(pilot.app)})")
    await pilot.pause()


async def command(pilot: Pilot[None], line: str) -> None:
    """Type a ``:`` command, as a user does."""
    await pilot.press("colon", *line, "enter")
    await settle(pilot)


async def select_row(pilot: Pilot[None], text: str) -> None:
    """Move the list's cursor to the first row whose cells contain ``text`` (once the list shows one)."""
    from ec2tui.widgets.virtual_table import VirtualTable

    def row() -> str | None:
        tables = pilot.app.screen.query("#table")
        table = tables.first(VirtualTable) if tables else None
        if table is None:
            return None
        return next((key for key in table.row_keys if any(text in cell for cell in table.row_text(key))), None)

    await wait_until(pilot, lambda: row() is not None, f"a row with {text!r}")
    pilot.app.screen.query_one("#table", VirtualTable).move_cursor(key=row())
    await pilot.pause()


async def on_screen(pilot: Pilot[None], name: str, failed: Failure | None = None) -> None:
    """Wait for a screen (or dialog) of class ``name`` (or a subclass) to be on top (see :func:`wait_until` for
    ``failed``)."""

    def on_top() -> bool:  # and composed: a pushed screen is on top a moment before its widgets are
        return name in {c.__name__ for c in type(pilot.app.screen).__mro__} and pilot.app.screen.is_mounted

    await wait_until(pilot, on_top, f"on {name}", failed)
    await settle(pilot)


async def still_svg(app: App[Any], pilot: Pilot[None]) -> str:
    """The screen as SVG once it draws the same twice in a row: cursors shown steadily (not blinking), toasts (which
    time out) gone, the footer's keys those of the final state.

    The footer is asked to refresh: it redraws on focus and binding changes only, so whether it showed the keys of a
    list still empty or of the loaded one depended on which came first (the table's ``enter`` hides the screen's).
    """
    previous = None
    for _ in range(20):
        await settle(pilot)
        app.clear_notifications()
        app.screen.refresh_bindings()
        for widget in app.screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
        await pilot.pause()
        svg = app.export_screenshot()
        if svg == previous:
            return svg
        previous = svg
        await pilot.pause(0.05)
    raise TimeoutError(f"scene: the screen {type(app.screen).__name__} never stopped changing")


# -- the scenes ------------------------------------------------------------------------------------------------------
# Each scene starts where the one before it in its walk ended (the first one: at the app's start, on the regions).
async def regions(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def templates(pilot: Pilot[None]) -> None:
    await command(pilot, "templates")
    await on_screen(pilot, "TemplatesScreen")


def amis(category: str) -> Step:
    async def steps(pilot: Pilot[None]) -> None:
        await command(pilot, f"amis {category}")
        await on_screen(pilot, "AmisScreen")

    return steps


async def ami_detail(pilot: Pilot[None]) -> None:
    await select_row(pilot, "postgres")
    await pilot.press("enter")
    await on_screen(pilot, "AmiDetailScreen")


async def amis_marketplace(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # back to the catalog
    await amis("marketplace")(pilot)


async def instances(pilot: Pilot[None]) -> None:
    await command(pilot, "instances")
    await select_row(pilot, "api-canary")


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await on_screen(pilot, "HelpScreen")


async def command_palette(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the help
    await on_screen(pilot, "InstancesScreen")
    await pilot.press("ctrl+p")
    await on_screen(pilot, "CommandPalette")


async def instance_detail(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the palette
    await select_row(pilot, "bastion")
    await pilot.press("enter")
    await on_screen(pilot, "InstanceDetailScreen")


async def terminate(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the detail
    await select_row(pilot, "old-test-box")
    await pilot.press("ctrl+d")
    await on_screen(pilot, "TypedConfirmScreen")


async def connect(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the confirmation: nothing terminated
    await select_row(pilot, "bastion")
    await pilot.press("h")
    await on_screen(pilot, "ConnectDialog")


async def instances_all_regions(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the connect dialog: nothing run
    await on_screen(pilot, "InstancesScreen")
    await pilot.press("a")
    await select_row(pilot, "web-syd-1")


async def launch_form(pilot: Pilot[None]) -> None:
    """The launch form, named web-1."""
    await command(pilot, "launch")
    await on_screen(pilot, "LaunchScreen")
    await pilot.press(*"web-1")
    await settle(pilot)


async def instance_type_picker(pilot: Pilot[None]) -> None:
    form: Any = pilot.app.screen  # the launch form
    await form.run_action("pick_type")  # the type section's "Browse types…"
    await on_screen(pilot, "InstanceTypePicker", failed=lambda: types_failed(form))


def types_failed(form: Any) -> str | None:
    """Why the launch form's instance types did not load (the picker then never opens), or None."""
    error = form.state.load_errors.get("types")
    return f"the launch form could not load the instance types: {error}" if error else None


async def to_section(pilot: Pilot[None], section: str) -> None:
    """ctrl+down, section by section, until the focus is in the form's section of id ``section``."""
    for _ in range(12):
        focused = pilot.app.focused
        if focused is not None and any(node.id == section for node in focused.ancestors_with_self):
            await settle(pilot)
            return
        await pilot.press("ctrl+down")
    raise TimeoutError(f"scene: ctrl+down never reached the section {section}")


async def launch_network(pilot: Pilot[None]) -> None:
    await pilot.press("escape")  # the picker: no type chosen
    await on_screen(pilot, "LaunchScreen")
    await to_section(pilot, "sec-security")  # the network, its security groups and the storage below


async def user_data_editor(pilot: Pilot[None]) -> None:
    from ec2tui.aws.user_data import TEMPLATES

    await to_section(pilot, "sec-user-data")
    name = next(n for n in TEMPLATES if "nginx" in n.lower() or "web" in n.lower())
    editor: Any = pilot.app.screen.query_one("UserDataEditor")
    editor.text = TEMPLATES[name]
    await settle(pilot)


async def launch_advanced(pilot: Pilot[None]) -> None:
    await to_section(pilot, "sec-advanced")
    for keys in (("enter", "down", "enter"), ("tab",), ("tab", "enter", "down", "enter"), ("tab", "enter", "down")):
        await pilot.press(*keys)  # Spot; no max price; the demo's instance profile; IMDSv2 only
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def launch_review(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await on_screen(pilot, "LaunchReviewScreen")
    await pilot.press("v")  # a dry run: AWS checks the request, nothing is launched
    await settle(pilot)


async def profiles(pilot: Pilot[None]) -> None:
    await command(pilot, "profile demo-staging")  # once used, a profile's account shows in the list
    await command(pilot, "profiles")
    await on_screen(pilot, "ProfilesScreen")
    await pilot.press("space", "down", "space")
    await settle(pilot)


async def instances_accounts(pilot: Pilot[None]) -> None:
    await pilot.press("i")
    await select_row(pilot, "web-staging-1")


@dataclass(frozen=True)
class Walk:
    """Scenes one app run goes through, in order: a snapshot test takes each on the way (one app start, not one
    per scene); a single scene is reached by the walk's steps up to it."""

    name: str
    scenes: tuple[Scene, ...]


WALKS: tuple[Walk, ...] = (
    Walk("start", (Scene("regions", regions), Scene("templates", templates))),
    Walk(
        "amis",
        (
            Scene("amis-quickstart", amis("quickstart")),
            Scene("amis-mine", amis("mine")),
            Scene("ami-detail", ami_detail),
            Scene("amis-marketplace", amis_marketplace),
            Scene("amis-community", amis("community")),
            Scene("amis-custom", amis("custom")),
        ),
    ),
    Walk(
        "instances",
        (
            Scene("instances", instances),
            Scene("help", help_screen),
            Scene("command-palette", command_palette),
            Scene("instance-detail", instance_detail),
            Scene("terminate", terminate),
            Scene("connect", connect),
            Scene("instances-all-regions", instances_all_regions),
        ),
    ),
    Walk(
        "launch",
        (
            Scene("launch-form", launch_form),
            Scene("instance-type-picker", instance_type_picker),
            Scene("launch-network", launch_network),
            Scene("user-data-editor", user_data_editor),
            Scene("launch-advanced", launch_advanced),
            Scene("launch-review", launch_review),
        ),
    ),
    Walk("profiles", (Scene("profiles", profiles), Scene("instances-accounts", instances_accounts))),
)
SCENES: dict[str, tuple[Walk, int]] = {
    scene.name: (walk, index) for walk in WALKS for index, scene in enumerate(walk.scenes)
}
"""Every scene by name: its walk and its place in it."""


def walk_to(name: str) -> Walk:
    """The walk that ends at scene ``name`` (its own walk, cut after it)."""
    walk, index = SCENES[name]
    return Walk(walk.name, walk.scenes[: index + 1])


# -- the stage: a seeded demo server and apps on it --------------------------------------------------------------
class Stage:
    """The demo's seeded server (clock pinned at :data:`PINNED_NOW`) and apps built on it as ``ec2tui --demo``
    builds them, in a world of their own: the demo's AWS profiles and no other ``AWS_*`` variable (keys, region);
    settings, drafts and caches in fresh folders; an empty home (no ``~/.ssh`` keys), no SSH agent, no
    ``NO_COLOR``; the connect tools (``ssh``, ``aws``, ``session-manager-plugin``) on ``PATH`` as stand-ins that are
    never run. So nothing of the machine's shows in a scene, and nothing a scene does (a launch draft kept) reaches
    the next one.

    A context manager: the server stops, the folders go and the environment is restored at exit.
    """

    ENVIRONMENT = (
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "EC2TUI_CONFIG_DIR",
        "EC2TUI_STATE_DIR",
        "HOME",
        "PATH",
        "SSH_AUTH_SOCK",
        "NO_COLOR",
    )

    def __init__(self, now: datetime = PINNED_NOW) -> None:
        self.now = now
        self._saved: dict[str, str | None] = {}
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self.demo: DemoServer | None = None

    def __enter__(self) -> Stage:
        from ec2tui.aws.connect_readiness import TOOLS
        from ec2tui.demo.profiles import write_demo_profiles
        from ec2tui.demo.server import DEMO_REGIONS, start_demo
        from ec2tui.gateway.disk_cache import DiskCache

        self.demo = start_demo(now=self.now)
        try:
            self.demo.wait_staging_seeded()  # both accounts seeded before any app asks: the same IDs each run
            self._folder = tempfile.TemporaryDirectory(prefix="ec2tui-scenes-")
            root = Path(self._folder.name)
            for sub in ("aws", "config", "state", "cache", "home", "bin"):
                (root / sub).mkdir()
            for tool in TOOLS:
                stand_in = root / "bin" / tool
                stand_in.write_text("#!/bin/sh\nexit 1\n")
                stand_in.chmod(0o755)
            aws = [name for name in os.environ if name.startswith("AWS_")]  # keys, profile, region of the machine
            self._saved = {name: os.environ.get(name) for name in (*self.ENVIRONMENT, *aws)}
            for name in ("SSH_AUTH_SOCK", "NO_COLOR", *aws):
                os.environ.pop(name, None)
            os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
            os.environ.update(write_demo_profiles(root / "aws", self.demo.endpoint_url, DEMO_REGIONS[0]))
            os.environ.update(
                {
                    "EC2TUI_CONFIG_DIR": str(root / "config"),
                    "EC2TUI_STATE_DIR": str(root / "state"),
                    "HOME": str(root / "home"),
                    "PATH": os.pathsep.join([str(root / "bin"), os.environ.get("PATH", "")]),
                }
            )
            # Instance types and offerings are read once per stage, as `ec2tui --demo` keeps them between runs.
            self.disk = DiskCache(root / "cache", "demo:scenes")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self.demo is not None:
            self.demo.stop()
        if self._folder is not None:
            self._folder.cleanup()

    def gateway(self, profile: str) -> Gateway:
        from ec2tui.aws.clients import AwsTarget, ClientFactory
        from ec2tui.demo.server import CLIENT_CONFIG, DEMO_REGIONS
        from ec2tui.gateway import Gateway

        assert self.demo is not None, "use the stage in a with block"
        target = AwsTarget(profile=profile, region=DEMO_REGIONS[0], endpoint_url=self.demo.endpoint_url)
        # The demo's patient clients: with ec2tui's own (reads given up after 2 x 9 s), a loaded machine's server
        # answered the launch form's DescribeInstanceTypes too late, and the form's types never came.
        return Gateway(ClientFactory(target, config=CLIENT_CONFIG), disk=self.disk)

    def app(self, theme: str | None = None) -> Ec2App:
        """A new app on the demo's first profile; the state folder (launch drafts, connect choices) emptied."""
        from ec2tui.app import Ec2App
        from ec2tui.demo.profiles import DEMO_PROFILE
        from ec2tui.gateway.accounts import Accounts

        state = Path(os.environ["EC2TUI_STATE_DIR"])
        shutil.rmtree(state)
        state.mkdir()
        return Ec2App(Accounts(self.gateway(DEMO_PROFILE), self.gateway), demo=True, theme=theme)

    async def walk(
        self, walk: Walk, size: tuple[int, int], themes: tuple[str, ...] = ("textual-dark",)
    ) -> dict[tuple[str, str], str]:
        """Every scene of ``walk`` as SVG at ``size``, in each of ``themes``, by (scene, theme); the clock pinned.

        The app starts in the first theme; at each scene it is shot in the theme it is in, then switched to the
        others (as ctrl+p → theme does) and stays in the last one: a walk costs one app start whatever the number
        of themes, and a theme switch (a restyle of every widget) per scene.
        """
        app = self.app(themes[0])
        shots: dict[tuple[str, str], str] = {}
        clock.pin(self.now)
        try:
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                for scene in walk.scenes:
                    await scene.steps(pilot)
                    current = app.theme if app.theme in themes else themes[0]
                    for theme in (current, *(t for t in themes if t != current)):
                        app.theme = theme
                        shots[scene.name, theme] = await still_svg(app, pilot)
        finally:
            clock.pin(None)
        return shots
