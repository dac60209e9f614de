"""`:launch`: the launch form. Nine sections edited by keyboard (tab / shift+tab), every problem shown next to its
field as you type, the form kept while you are elsewhere and saved as a draft; ctrl+s reviews and launches."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from ec2tui import drafts
from ec2tui.aws.models.launch import (
    FieldError,
    ImageFacts,
    LaunchRequest,
    LaunchResult,
    apply_image,
    blocking,
)
from ec2tui.aws.models.launch_validation import validate
from ec2tui.errors import AwsError, Ec2TuiError
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.instance_type_picker import InstanceTypePicker
from ec2tui.screens.launch_state import (
    KEYS_LOAD_ERROR,
    SUBNETS_LOAD_ERROR,
    VPCS_LOAD_ERROR,
    LaunchFormState,
    draft_copy,
    is_untouched_default_rules,
    new_group,
    no_quit_message,
)
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.launch_advanced import PROFILES_LOAD_ERROR, AdvancedSection
from ec2tui.widgets.launch_fields import (
    FieldMessage,
    FormEdited,
    FormSection,
    StableFooter,
    last_component,
    parent_path,
)
from ec2tui.widgets.launch_network import NetworkSection, SecurityGroupSection
from ec2tui.widgets.launch_sections import (
    CountSection,
    ImageSection,
    KeySection,
    NameSection,
    TypeSection,
    UserDataSection,
)
from ec2tui.widgets.launch_storage import StorageSection

if TYPE_CHECKING:
    from ec2tui.app import Ec2App

DRAFT_DELAY = 1.0
"""Seconds of quiet before the draft is written (typing doesn't write a file per key)."""

NO_QUIT_BINDING = Binding("q", "no_quit", "Quit", show=False, id="launch.no_quit")
"""`q` never quits from the launch form or its dialogs, whatever has the focus (letters are typing there)."""

DRAFT_TOUCHED = frozenset({"instance_type", "root_volume", "key_pair.choice", "key_pair.key_type", "security_groups"})
_FULL_AMI_ID = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")
_NOT_FOUND = ("NotFound", "InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable")

TYPED_WHEN_UNLISTED = frozenset({VPCS_LOAD_ERROR, SUBNETS_LOAD_ERROR, KEYS_LOAD_ERROR})
"""Lists whose picker turns into a text field when they can't be read."""

SECTIONS: tuple[tuple[str, type[FormSection]], ...] = (
    ("sec-name", NameSection),
    ("sec-image", ImageSection),
    ("sec-type", TypeSection),
    ("sec-key", KeySection),
    ("sec-network", NetworkSection),
    ("sec-security", SecurityGroupSection),
    ("sec-storage", StorageSection),
    ("sec-user-data", UserDataSection),
    ("sec-count", CountSection),
    ("sec-advanced", AdvancedSection),
)


def assign_issues(issues: list[FieldError], slots: Iterable[str]) -> dict[str, list[tuple[str, FieldError]]]:
    """Each issue goes to the slot of its field path, or of the nearest parent path that has one (``""`` last).

    The value pairs carry the sub-field label (``From``, ``Source``…) when the issue is deeper than its slot.
    """
    from ec2tui.widgets.launch_fields import SUB_FIELD_LABELS

    known = set(slots)
    assigned: dict[str, list[tuple[str, FieldError]]] = {}
    for issue in issues:
        path: str | None = issue.field
        while path is not None and path not in known:
            path = parent_path(path)
        slot = path if path is not None else ""
        label = SUB_FIELD_LABELS.get(last_component(issue.field), "") if slot != issue.field else ""
        assigned.setdefault(slot, []).append((label, issue))
    return assigned


class LaunchScreen(Screen[None]):
    """The base screen of the ``launch`` mode: the mode keeps it, so the form survives trips elsewhere."""

    BINDINGS = [
        Binding("ctrl+s", "review", "Review launch", id="launch.review"),
        Binding("ctrl+r", "refresh", "Refresh", id="launch.refresh"),
        Binding("ctrl+down", "next_section", "Next section", show=False, id="launch.next_section"),
        Binding("ctrl+up", "previous_section", "Previous section", show=False, id="launch.previous_section"),
        NO_QUIT_BINDING,
    ]

    draft_delay: ClassVar[float] = DRAFT_DELAY

    def __init__(self) -> None:
        super().__init__(id="launch")
        self.state = LaunchFormState()
        self.issues: list[FieldError] = []
        self._draft_timer: Timer | None = None
        self._pending_image: str | None = None
        self._draft_warning_shown = False
        self._status_shown: tuple[Text, Text] | None = None
        self.applying_defaults = False
        """True while the form fills in defaults itself (sections mark their edits as not the user's)."""
        self._unlaunched = False
        """The user changed the form (or a draft was restored) since it was fresh or last launched."""

    @property
    def ec2app(self) -> Ec2App:
        return self.app  # type: ignore[return-value]

    @property
    def request(self) -> LaunchRequest:
        return self.state.request

    # -- composition ------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="launch-title", classes="screen-title")
        with VerticalScroll(id="launch-form"):
            for number, (section_id, section) in enumerate(SECTIONS, start=1):
                yield section(self.state, number, id=section_id)
        with Horizontal(id="launch-bar"):
            yield FieldMessage("", classes="form-message")
            yield Static(id="launch-status")
            yield Button("Review (ctrl+s)", id="review", variant="primary", compact=True)
        yield StableFooter()

    @property
    def sections(self) -> list[FormSection]:
        return list(self.query(FormSection))

    def section(self, kind: type[FormSection]) -> FormSection:
        return self.query_one(kind)

    def on_mount(self) -> None:
        groups = self.section(SecurityGroupSection)
        assert isinstance(groups, SecurityGroupSection)
        groups.use_demo(bool(getattr(self.app, "demo", False)))  # the demo's "my IP" contacts nothing
        self.state.region = self.ec2app.region
        self.ec2app.quit_checks.append(self._quit_warning)
        first = self.query_one("#name")
        first.focus()
        if self.drafts_enabled:
            # Read in a thread: the draft is a file the UI thread must never wait on (a slow disk, an odd file).
            self.run_worker(self._start_from_draft(), group="draft", exit_on_error=False)
        else:
            self._start(None)

    async def _start_from_draft(self) -> None:
        self._start(await drafts.load_draft_async(on_problem=self._draft_problem))

    def _start(self, restored: LaunchRequest | None) -> None:
        if restored is not None:
            self._restore(restored, announce=True)
        if self._pending_image:
            self._use_image(self._pending_image)
        self.reload_facts()
        self.revalidate()

    def _quit_warning(self) -> str | None:
        if not self.has_unlaunched_changes():
            return None
        kept = "its draft is kept for next time" if self.drafts_enabled else "the demo keeps no draft"
        return f"The launch form holds a request you have not launched ({kept})."

    def _draft_problem(self, message: str) -> None:
        self.ec2app.notify(message, title="Launch draft", severity="warning", markup=False, timeout=10)

    def _restore(self, request: LaunchRequest, *, announce: bool) -> None:
        self._unlaunched = True  # a draft from an earlier session is an unlaunched request
        self.state.request = request
        # Everything in a draft was the user's choice: defaults that follow the AMI must not overwrite it.
        self.state.touched |= DRAFT_TOUCHED
        self.state.remembered_key_names = {request.key_pair.choice: request.key_pair.name}
        self.state.remembered_group = None
        self.state.facts = None
        self.state.image_error = ""
        self.load_sections()
        if request.image_id:
            self.lookup_image(request.image_id)
        if announce:
            self.ec2app.notify(
                "Restored your unfinished launch from the last session. 'Start a new launch' in the palette "
                "(ctrl+p) clears it.",
                title="Launch draft restored",
                timeout=10,
            )

    def load_sections(self) -> None:
        for section in self.sections:
            section.state = self.state
            section.load()

    def on_screen_resume(self) -> None:
        if self.state.region and self.state.region != self.ec2app.region:
            self.state.region = self.ec2app.region
            self.ec2app.notify(
                f"The launch form now uses {self.ec2app.region}: VPC, subnet, groups and key pairs are reloaded. "
                "AMI IDs are per region: check the AMI.",
                markup=False,
                timeout=8,
            )
            network = self.request.network
            network.vpc_id, network.subnet_id = "", ""
            self.request.security_groups.existing_ids = []
            self.state.facts = None
            self.reload_facts()
            if self.request.image_id:
                self.lookup_image(self.request.image_id)
        self.revalidate()

    # -- loading AWS facts ------------------------------------------------------------------------------------
    def reload_facts(self, refresh: bool = False) -> None:
        self.run_worker(self._load_quickstart(refresh), group="quickstart", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_types(refresh), group="types", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_network(refresh), group="network", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_keys(refresh), group="keys", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_profiles(refresh), group="profiles", exclusive=True, exit_on_error=False)

    @contextlib.contextmanager
    def defaults(self) -> Iterator[None]:
        """Edits made inside are the form's own defaults, not the user's (see has_unlaunched_changes)."""
        previous, self.applying_defaults = self.applying_defaults, True
        try:
            yield
        finally:
            self.applying_defaults = previous

    def has_unlaunched_changes(self) -> bool:
        """Whether quitting would drop a request the user made: they changed the form since it was fresh or since
        the last launch, or it holds a draft restored from an earlier session. For the app's quit confirmation."""
        return self._unlaunched

    def action_no_quit(self) -> None:
        self.ec2app.notify(no_quit_message(self.drafts_enabled), markup=False)

    def facts_changed(self) -> None:
        with self.defaults():
            for section in self.sections:
                section.facts_changed()
        self.revalidate()

    def _failed(self, what: str, exc: Ec2TuiError) -> None:
        self.state.load_errors[what] = str(exc)
        typed = " Type it in the form instead." if what in TYPED_WHEN_UNLISTED else ""
        self.ec2app.notify(f"Could not load {what}: {exc}.{typed}", title="Launch form", severity="error", markup=False)

    async def _load_quickstart(self, refresh: bool) -> None:
        try:
            images = await self.ec2app.gateway.images.list("quickstart", refresh=refresh)
        except Ec2TuiError as exc:
            self.state.quickstart = ()
            self._failed("Quick Start images", exc)
        else:
            self.state.quickstart = tuple(images)
            if not self.request.image_id and images:
                with self.defaults():  # the console's default: the first Quick Start AMI
                    self.section(ImageSection).choose(images[0].id)
        self.facts_changed()

    async def _load_types(self, refresh: bool) -> None:
        launch = self.ec2app.gateway.launch
        self.state.load_errors.pop("types", None)
        try:
            self.state.types = await launch.instance_types(refresh=refresh)
            await self._load_offerings(refresh)
        except Ec2TuiError as exc:
            self._failed("types", exc)
        self._default_type()
        self.facts_changed()

    async def _load_offerings(self, refresh: bool = False) -> None:
        launch = self.ec2app.gateway.launch
        subnet = self.state.subnet(self.request.network.subnet_id)
        try:
            if subnet is not None:
                offered = await launch.offerings("availability-zone", subnet.availability_zone, refresh=refresh)
            else:
                offered = await launch.offerings(refresh=refresh)
        except Ec2TuiError:
            offered = frozenset()  # unknown: validation then doesn't check offerings
        self.state.offered = offered or None

    def _default_type(self) -> None:
        """Pick the console's default type for the AMI's architecture while the user hasn't chosen one."""
        if "instance_type" in self.state.touched or self.state.types is None:
            return
        name = self.state.default_type(self.state.architecture or "x86_64")
        if name and name != self.request.instance_type:
            type_section = self.section(TypeSection)
            assert isinstance(type_section, TypeSection)
            with self.defaults():
                type_section.set_type(name, by_user=False)

    async def _load_network(self, refresh: bool) -> None:
        launch = self.ec2app.gateway.launch
        self.state.load_errors.pop(VPCS_LOAD_ERROR, None)
        try:
            self.state.vpcs = await launch.vpcs(refresh=refresh)
        except Ec2TuiError as exc:
            self.state.vpcs = None
            self._failed(VPCS_LOAD_ERROR, exc)
            self.facts_changed()  # the VPC picker becomes a text field
            await self._load_vpc_children(refresh)  # the subnets may still be listable (DescribeSubnets allowed)
            return
        network = self.request.network
        default = self.state.default_vpc()
        if not network.vpc_id and default is not None:
            network.vpc_id = default.vpc_id  # the console's default; a VPC id from elsewhere is kept and flagged
        self.facts_changed()
        await self._load_vpc_children(refresh)

    async def _load_vpc_children(self, refresh: bool = False) -> None:
        launch = self.ec2app.gateway.launch
        vpc_id = self.request.network.vpc_id or None
        self.state.load_errors.pop(SUBNETS_LOAD_ERROR, None)
        try:
            self.state.subnets = await launch.subnets(vpc_id, refresh=refresh)
            self.state.groups = await launch.security_groups(vpc_id, refresh=refresh) if vpc_id else []
        except Ec2TuiError as exc:
            self._failed(SUBNETS_LOAD_ERROR, exc)
            self.facts_changed()  # the subnet picker becomes a text field
            return
        spec = self.request.security_groups
        if "security_groups" not in self.state.touched and spec.new_group is None and not spec.existing_ids:
            windows = bool(self.state.facts and self.state.facts.is_windows)
            spec.new_group = new_group(self.state.groups, windows)  # the console's default: a new group with SSH
        self.facts_changed()

    async def _load_keys(self, refresh: bool) -> None:
        self.state.load_errors.pop(KEYS_LOAD_ERROR, None)
        try:
            self.state.key_pairs = await self.ec2app.gateway.launch.key_pairs(refresh=refresh)
        except Ec2TuiError as exc:
            self.state.key_pairs = None
            self._failed(KEYS_LOAD_ERROR, exc)  # the key pair picker becomes a text field
        self.facts_changed()

    async def _load_profiles(self, refresh: bool) -> None:
        # No notification on failure: many users may launch but not list IAM; the section offers a text field.
        self.state.load_errors.pop(PROFILES_LOAD_ERROR, None)
        try:
            self.state.instance_profiles = await self.ec2app.gateway.launch.instance_profiles(refresh=refresh)
        except Ec2TuiError as exc:
            self.state.instance_profiles = None
            self.state.load_errors[PROFILES_LOAD_ERROR] = str(exc)
        self.facts_changed()

    def lookup_image(self, image_id: str) -> None:
        self.run_worker(self._load_image(image_id), group="image", exclusive=True, exit_on_error=False)

    async def _load_image(self, image_id: str) -> None:
        self.state.image_error = ""
        quick = self.state.quickstart_image(image_id)
        try:
            facts = ImageFacts.from_image(quick) if quick else await self.ec2app.gateway.launch.image_facts(image_id)
        except AwsError as exc:
            if exc.code in _NOT_FOUND:
                self.state.image_error = f"AMI {image_id} was not found in {self.ec2app.region}: {exc}"
            else:
                self.state.image_error = f"Could not look up {image_id}: {exc}"
            self.facts_changed()
            return
        except Ec2TuiError as exc:
            self.state.image_error = f"Could not look up {image_id}: {exc}"
            self.facts_changed()
            return
        if image_id != self.request.image_id:
            return  # the user typed on meanwhile
        self.use_facts(facts)

    def use_facts(self, facts: ImageFacts) -> None:
        """The AMI is known: its root device and size, its architecture's default type, Windows defaults."""
        with self.defaults():
            self._use_facts(facts)

    def _use_facts(self, facts: ImageFacts) -> None:
        state = self.state
        state.facts = facts
        state.reset_root_for(facts)
        apply_image(self.request, facts)
        self._default_type()
        group = self.request.security_groups.new_group
        if group is not None and "security_groups" not in state.touched and is_untouched_default_rules(group):
            self.request.security_groups.new_group = new_group(state.groups, facts.is_windows)
        for section in self.sections:
            if isinstance(section, StorageSection | SecurityGroupSection | KeySection):
                section.load()
        self.facts_changed()
        self.schedule_draft()

    # -- editing ----------------------------------------------------------------------------------------------
    @on(FormEdited)
    def _edited(self, event: FormEdited) -> None:
        event.stop()
        what = event.what
        self._unlaunched |= event.by_user
        if what == "image_id":
            self.state.image_error = ""
            image_id = self.request.image_id
            if _FULL_AMI_ID.match(image_id):
                self.lookup_image(image_id)
            self.section(ImageSection).show_info()
        elif what == "network.vpc_id":
            self.state.touched.add("network")
            self.run_worker(self._load_vpc_children(), group="vpc", exclusive=True, exit_on_error=False)
            self.facts_changed()
        elif what == "network.subnet_id":
            self.run_worker(self._reload_offerings(), group="offerings", exclusive=True, exit_on_error=False)
        elif what == "instance_type":
            self.section(StorageSection).facts_changed()
        self.revalidate()
        self.schedule_draft()

    async def _reload_offerings(self) -> None:
        await self._load_offerings()
        self.revalidate()

    def revalidate(self) -> list[FieldError]:
        """Validate against what is loaded and show every issue next to its field."""
        self.issues = validate(self.request, self.state.context())
        slots: dict[str, list[FieldMessage]] = {}
        for message in self.query(FieldMessage):
            slots.setdefault(message.path, []).append(message)
        assigned = assign_issues(self.issues, slots)
        for path, messages in slots.items():
            for message in messages:
                message.show_issues(assigned.get(path, []))
        self.update_status()
        return self.issues

    def update_status(self) -> None:
        errors = blocking(self.issues)
        warnings = len(self.issues) - len(errors)
        status = Text()
        if errors:
            status.append(f"✗ {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix", style="bold red")
        else:
            status.append("✓ ready to review", style="bold green")
        if warnings:
            status.append(f" · ⚠ {warnings} warning{'s' if warnings != 1 else ''}", style="yellow")
        status.append("  (each is shown next to its field)", style="dim")
        title = Text("Launch an instance", style="bold")
        title.append(f" · region {self.ec2app.region}", style="dim")
        if self.ec2app.read_only:
            title.append(" · read-only: review, dry run and export work, launching is refused", style="italic")
        if (status, title) != self._status_shown:
            self._status_shown = (status, title)
            self.query_one("#launch-status", Static).update(status)
            self.query_one("#launch-title", Static).update(title)

    # -- draft ------------------------------------------------------------------------------------------------
    @property
    def drafts_enabled(self) -> bool:
        """Not in the demo (its resources get new IDs at every start, and the user's real draft must not be
        overwritten by a demo one), unless EC2TUI_STATE_DIR points the drafts somewhere explicitly."""
        return not getattr(self.app, "demo", False) or bool(os.environ.get("EC2TUI_STATE_DIR"))

    def schedule_draft(self) -> None:
        if not self.drafts_enabled:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.draft_delay, self.save_draft)

    def save_draft(self) -> None:
        self._draft_timer = None
        try:
            drafts.save_draft(draft_copy(self.request))
        except OSError as exc:
            if not self._draft_warning_shown:
                self._draft_warning_shown = True
                self._draft_problem(f"Could not save the launch draft: {exc}")

    def discard_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        drafts.clear_draft()

    # -- entry points -----------------------------------------------------------------------------------------
    def prefill_image(self, image_id: str) -> None:
        """Use this AMI (the AMI catalog's "Launch from AMI"); works before the form is mounted too."""
        if not self.is_mounted:
            self._pending_image = image_id
            return
        self._use_image(image_id)

    def _use_image(self, image_id: str) -> None:
        self._pending_image = None
        image_section = self.section(ImageSection)
        assert isinstance(image_section, ImageSection)
        image_section.choose(image_id)
        image_section.sync_selects()
        self.query_one("#sec-image").scroll_visible()

    def launched(self, result: LaunchResult) -> None:
        """After a launch: what it created now exists, so the form refers to it (launching again works)."""
        request = self.request
        if request.key_pair.choice == "new":
            request.key_pair.choice = "existing"
            self.state.remembered_key_names = {"existing": request.key_pair.name}
        if result.security_group_id and request.security_groups.new_group is not None:
            request.security_groups.existing_ids.append(result.security_group_id)
            request.security_groups.new_group = None
            self.state.remembered_group = None
        self.state.touched |= {"key_pair.choice", "security_groups"}
        self._unlaunched = False
        self.discard_draft()
        self.load_sections()
        self.run_worker(self._load_keys(False), group="keys", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_vpc_children(), group="vpc", exclusive=True, exit_on_error=False)

    # -- actions ----------------------------------------------------------------------------------------------
    def action_review(self) -> None:
        from ec2tui.screens.launch_review import LaunchReviewScreen

        self.revalidate()
        self.app.push_screen(LaunchReviewScreen(self))

    @on(Button.Pressed, "#review")
    def _review_pressed(self) -> None:
        self.action_review()

    def action_refresh(self) -> None:
        self.state.load_errors.clear()
        self.reload_facts(refresh=True)
        if self.request.image_id:
            self.lookup_image(self.request.image_id)

    def action_pick_type(self) -> None:
        if self.state.types is not None:
            self._open_type_picker()
            return
        self.ec2app.notify("Instance types are still loading: the picker opens when they are here.", markup=False)
        self.run_worker(self._pick_when_loaded(), group="picker", exclusive=True, exit_on_error=False)

    async def _pick_when_loaded(self) -> None:
        while self.state.types is None and "types" not in self.state.load_errors:
            await asyncio.sleep(0.1)
        if self.state.types is not None:
            self._open_type_picker()

    def _open_type_picker(self) -> None:
        picker = InstanceTypePicker(
            self.state.types or [],
            offered=self.state.offered,
            architecture=self.state.architecture,
            current=self.request.instance_type or None,
        )
        self.app.push_screen(picker, self._type_picked)

    def _type_picked(self, name: str | None) -> None:
        type_section = self.section(TypeSection)
        assert isinstance(type_section, TypeSection)
        if name:
            type_section.set_type(name)
        self.query_one("#instance-type").focus()

    def _focus_section(self, index: int) -> None:
        sections = self.sections
        section = sections[index % len(sections)]
        target = section.first_focus()
        section.scroll_visible(top=True)
        if target is not None:
            target.focus()

    def _current_section(self) -> int:
        focused = self.focused
        for index, section in enumerate(self.sections):
            if focused is not None and section in focused.ancestors_with_self:
                return index
        return -1

    def action_focus_section(self, index: int) -> None:
        self._focus_section(index)

    def action_next_section(self) -> None:
        self._focus_section(self._current_section() + 1)

    def action_previous_section(self) -> None:
        self._focus_section(max(self._current_section(), 0) - 1)

    def action_new_launch(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.discard_draft()
                self._unlaunched = False
                self.state = LaunchFormState(region=self.ec2app.region)
                self.load_sections()
                self.reload_facts()
                self.revalidate()
                self.ec2app.notify("Started a new launch: the draft was discarded.")

        self.app.push_screen(
            ConfirmScreen("Start a new launch?", "Everything in the form is cleared and the saved draft deleted."),
            answered,
        )

    def action_add_tag(self) -> None:
        self.run_worker(self.section(NameSection).add_tag(), exit_on_error=False)  # type: ignore[attr-defined]

    def action_add_rule(self) -> None:
        section = self.section(SecurityGroupSection)
        self.run_worker(section.add_rule(), exit_on_error=False)  # type: ignore[attr-defined]

    def action_add_volume(self) -> None:
        self.run_worker(self.section(StorageSection).add_volume(), exit_on_error=False)  # type: ignore[attr-defined]

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Review launch", "Summary, AWS CLI command and launch (ctrl+s)", "review")
        yield action_command(self, "Choose instance type", "Filter types by vCPU, memory, family", "pick_type")
        yield action_command(self, "Add tag", "Add a key=value tag row", "add_tag")
        yield action_command(self, "Add inbound rule", "Add a rule to the new security group", "add_rule")
        yield action_command(self, "Add EBS volume", "Add an extra EBS volume", "add_volume")
        yield action_command(
            self, "Refresh", "Reload AMIs, types, network, key pairs, IAM profiles (ctrl+r)", "refresh"
        )
        yield action_command(self, "Start a new launch", "Clear the form and discard the draft", "new_launch")
        for index, section in enumerate(self.sections):
            yield action_command(
                self,
                f"Go to section: {section.TITLE}",
                f"Section {section.number} of the launch form",
                f"focus_section({index})",
            )
