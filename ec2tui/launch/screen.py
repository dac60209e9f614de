"""`:launch`: the launch form. Ten sections edited by keyboard (tab / shift+tab), every problem shown next to its
field as you type, the form kept while you are elsewhere and saved as a draft of its context (profile or
endpoint, account, region); ctrl+s reviews and launches.

The form belongs to one region (its title says which): every read passes it, and when the app's region changes the
form moves with it (region-scoped IDs are resolved again, everything else is kept) and says so. Its pieces:
:mod:`~ec2tui.launch.state` (pure), :mod:`~ec2tui.launch.lookups` (AWS reads), :mod:`~ec2tui.launch.draft_keeper`,
one module per section in :mod:`ec2tui.launch.sections`, and the review in :mod:`~ec2tui.launch.review`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static, TextArea
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from ec2tui.aws.models.launch import FieldError, ImageFacts, LaunchRequest, LaunchResult, blocking
from ec2tui.aws.models.launch_templates import TemplateSource
from ec2tui.deferred import deferred
from ec2tui.drafts import DraftContext
from ec2tui.errors import Ec2TuiError
from ec2tui.launch.draft_keeper import DraftKeeper
from ec2tui.launch.fields import FieldMessage, FormSection
from ec2tui.launch.from_instance import CopiedRequest
from ec2tui.launch.lookups import FULL_AMI_ID, LookupLoader
from ec2tui.launch.messages import (
    FieldEdited,
    FormEdited,
    ImageChosen,
    RowsChanged,
    SubnetChosen,
    TypeChosen,
    VpcChosen,
)
from ec2tui.launch.prices import form_platform, picker_prices, type_price
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.launch.save_template import SaveTemplateScreen
from ec2tui.launch.sections.advanced import AdvancedSection
from ec2tui.launch.sections.count import CountSection
from ec2tui.launch.sections.image import ImageSection
from ec2tui.launch.sections.instance_type import TypeSection
from ec2tui.launch.sections.key_pair import KeySection
from ec2tui.launch.sections.name import NameSection
from ec2tui.launch.sections.network import NetworkSection
from ec2tui.launch.sections.security_groups import SecurityGroupSection
from ec2tui.launch.sections.storage import StorageSection
from ec2tui.launch.sections.user_data import UserDataSection
from ec2tui.launch.state import (
    KEYS_LOAD_ERROR,
    SUBNETS_LOAD_ERROR,
    VPCS_LOAD_ERROR,
    LaunchFormState,
    assign_issues,
    is_untouched_default_rules,
    launched_as_existing,
    new_group,
    no_quit_message,
)
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.host import UsesEc2App
from ec2tui.screens.instance_type_picker import InstanceTypePicker
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.screens.templates import TemplatesScreen
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import ERROR, SUCCESS, WARNING, bold

__all__ = ["LaunchScreen", "assign_issues"]

DRAFT_DELAY = 1.0
"""Seconds of quiet before the draft is written (typing doesn't write a file per key)."""
ACCOUNT_WAIT = 30.0
"""How long the draft waits for the app to learn the account (its context) before using "unknown"."""

NO_QUIT_BINDING = Binding("q", "no_quit", "Quit", show=False, id="launch.no_quit")
"""`q` never quits from the launch form or its dialogs, whatever has the focus (letters are typing there)."""

DRAFT_TOUCHED = frozenset({"instance_type", "root_volume", "key_pair.choice", "key_pair.key_type", "security_groups"})

TYPED_WHEN_UNLISTED = frozenset({VPCS_LOAD_ERROR, SUBNETS_LOAD_ERROR, KEYS_LOAD_ERROR})
"""Lists whose picker turns into a text field when they can't be read."""

KEYS_NOTE = "esc: out of a field, again: out of the form (draft kept) · f1 help · f2 command"
"""Said in the title (and f1/f2 in the footer): ``?`` and ``:`` type into text fields, so the form has keys that
always work; ``?`` and ``:`` work once escape has left the field."""

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


async def load_ended(load: Worker[Any]) -> None:
    """Until ``load`` has ended: done, failed or cancelled (even before it ran)."""
    with contextlib.suppress(WorkerCancelled, WorkerFailed):
        await load.wait()


class LaunchScreen(UsesEc2App, Screen[None]):
    """The base screen of the ``launch`` mode: the mode keeps it, so the form survives trips elsewhere."""

    BINDINGS = [
        Binding("ctrl+s", "review", "Review launch", id="launch.review"),
        Binding("ctrl+r", "refresh", "Refresh", id="launch.refresh"),
        Binding("ctrl+l", "launch_again", "Launch again", show=False, id="launch.launch_again"),
        Binding("ctrl+t", "save_template", "Save as template", show=False, id="launch.save_template"),
        Binding("escape", "leave", "Leave field", id="launch.leave"),
        Binding("f1", "app.help", "Help", id="launch.help"),
        Binding("f2", "app.prompt", "Command", id="launch.prompt"),
        Binding("ctrl+down", "next_section", "Next section", show=False, id="launch.next_section"),
        Binding("ctrl+up", "previous_section", "Previous section", show=False, id="launch.previous_section"),
        NO_QUIT_BINDING,
    ]

    draft_delay: ClassVar[float] = DRAFT_DELAY

    def __init__(self) -> None:
        super().__init__(id="launch")
        self.state = LaunchFormState()
        self.loader = LookupLoader(None, self.state, self._failed)
        self.keeper = DraftKeeper(self._draft_problem)
        self._draft_timer: Timer | None = None
        self._pending_image: str | None = None
        self._pending_fill: tuple[CopiedRequest, TemplateSource | None] | None = None
        self._status_shown: tuple[Text, Text] | None = None
        self._reresolve_image: str | None = None
        """After a region move: the name of the Quick Start AMI to find again in the new region."""
        self._types_load: Worker[None] | None = None
        """The latest load of the instance types (a picker asked for meanwhile waits for its end)."""
        self.applying_defaults = False
        """True while the form fills in defaults itself (sections mark their edits as not the user's)."""
        self._unlaunched = False
        """The user changed the form (or a draft was restored) since it was fresh or last launched."""
        self.last_launched: LaunchRequest | None = None
        """The last launched request, with what it created referred to as existing ("launch again")."""
        self.return_mode = "instances"
        """Where a second escape goes (the AMI catalog when the form was opened from it)."""

    @property
    def request(self) -> LaunchRequest:
        return self.state.request

    @property
    def issues(self) -> list[FieldError]:
        return self.state.issues

    @property
    def launch_region(self) -> str:
        """The form's region: every read, the review and the launch use it."""
        return self.state.region

    # -- composition ------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="launch-title", classes="screen-title")
        yield Static(id="launch-origin", markup=False)
        with VerticalScroll(id="launch-form"):
            for number, (section_id, section) in enumerate(SECTIONS, start=1):
                yield section(self.state, number, id=section_id)
        with Horizontal(id="launch-bar"):
            yield FieldMessage("", classes="form-message")
            yield Static(id="launch-status")
            yield Button("Review (ctrl+s)", id="review", variant="primary", compact=True)
        yield StableFooter(compact=False)

    @property
    def sections(self) -> list[FormSection]:
        return list(self.query(FormSection))

    def section(self, kind: type[FormSection]) -> FormSection:
        return self.query_one(kind)

    def _set_state(self, state: LaunchFormState) -> None:
        self.state = state
        self.loader.state = state

    def on_mount(self) -> None:
        groups = self.section(SecurityGroupSection)
        assert isinstance(groups, SecurityGroupSection)
        groups.use_demo(bool(getattr(self.app, "demo", False)))  # the demo's "my IP" contacts nothing
        self.loader.gateway = self.ec2app.gateway
        self.state.region = self.ec2app.region
        self.ec2app.quit_checks.append(self._quit_warning)
        self.query_one("#name").focus()
        if self.drafts_enabled:
            # Read in a thread: the draft is a file the UI thread must never wait on (a slow disk, an odd file).
            self.run_worker(deferred(self._start_from_draft), group="draft", exit_on_error=False)
        else:
            self._start(None, "")

    def on_unmount(self) -> None:
        self.keeper.close()

    async def draft_context(self, region: str) -> DraftContext:
        """The draft's context; waits (bounded) for the app to learn the account, loaded at start-up."""
        app = self.ec2app
        for _ in range(int(ACCOUNT_WAIT / 0.05)):
            if app.account:
                break
            await asyncio.sleep(0.05)
        origin = f"endpoint {app.endpoint_url}" if app.endpoint_url else f"profile {app.profile_name}"
        return DraftContext(origin, app.account or "unknown", region)

    async def _start_from_draft(self) -> None:
        context = await self.draft_context(self.launch_region)
        problems: list[str] = []
        keeper = self.keeper
        previous, keeper.report = keeper.report, problems.append
        try:
            restored, origin = await asyncio.to_thread(keeper.open, context)
        finally:
            keeper.report = previous
        for problem in problems:
            self._draft_problem(problem)
        self._start(restored, origin)

    def _start(self, restored: LaunchRequest | None, origin: str) -> None:
        if restored is not None and not self._unlaunched:
            self._restore(restored, origin)
        elif restored is not None and self.keeper.store is not None:
            # The user typed before the draft was read (the account arrives late): theirs and the draft both stay.
            self.keeper.store.forget()
            self._draft_problem(f"A launch draft for {origin} was not restored: the form already holds your typing.")
        if self._pending_image:
            self._use_image(self._pending_image)
        if self._pending_fill is not None:
            self._fill(*self._pending_fill)
        self.reload_facts()
        self.revalidate()

    def _quit_warning(self) -> str | None:
        if not self.has_unlaunched_changes():
            return None
        kept = "its draft is kept for next time" if self.drafts_enabled else "the demo keeps no draft"
        return f"The launch form holds a request you have not launched ({kept})."

    def _draft_problem(self, message: str) -> None:
        self.ec2app.notify(message, title="Launch draft", severity="warning", markup=False, timeout=10)

    def _restore(self, request: LaunchRequest, origin: str) -> None:
        self._unlaunched = True  # a draft from an earlier session is an unlaunched request
        self._use_request(request)
        self.ec2app.notify(
            f"Restored your unfinished launch for {origin}. 'Start a new launch' in the palette (ctrl+p) clears it.",
            title="Launch draft restored",
            markup=False,
            timeout=10,
        )

    def _use_request(self, request: LaunchRequest) -> None:
        """Show ``request`` (a draft, "launch again"): everything in it was the user's choice, so defaults that
        follow the AMI must not overwrite it."""
        state = self.state
        state.request = request
        state.touched |= DRAFT_TOUCHED
        state.remembered_key_names = {request.key_pair.choice: request.key_pair.name}
        state.remembered_group = None
        state.facts = None
        state.image_error = ""
        self.load_sections()
        if request.image_id:
            self.lookup_image(request.image_id)

    def load_sections(self) -> None:
        for section in self.sections:
            section.state = self.state
            section.load()

    def on_screen_resume(self) -> None:
        if self.launch_region and self.launch_region != self.ec2app.region:
            self.move_to_region(self.ec2app.region)
        self.revalidate()

    def move_to_region(self, region: str) -> None:
        """The app's region changed: the form moves there. VPC, subnet and groups are the new region's defaults,
        a Quick Start AMI is found again by name, the key pair is kept by name (flagged if missing there);
        everything else is kept, and the draft moves to the new region's context."""
        old = self.launch_region
        image = self.state.move_to(region)
        self._reresolve_image = image.name if image is not None else None
        ami = "The Quick Start AMI is looked up again by name." if image else "AMI IDs are per region: check the AMI."
        self.ec2app.notify(
            f"The launch form moved from {old} to {region}: VPC, subnet, groups and key pairs are reloaded. {ami}",
            title="Launch form",
            markup=False,
            timeout=10,
        )
        self.load_sections()
        self.reload_facts()
        if self.request.image_id and image is None:
            self.lookup_image(self.request.image_id)
        if self.drafts_enabled and self.keeper.store is not None:
            self.run_worker(deferred(self._move_draft, region), group="draft-move", exit_on_error=False)
        self.update_status()

    async def _move_draft(self, region: str) -> None:
        context = await self.draft_context(region)
        request = copy.deepcopy(self.request)
        problems: list[str] = []
        keeper = self.keeper
        previous, keeper.report = keeper.report, problems.append
        try:
            await asyncio.to_thread(keeper.move, context, request)
        finally:
            keeper.report = previous
        for problem in problems:
            self._draft_problem(problem)

    # -- loading AWS facts ------------------------------------------------------------------------------------
    def reload_facts(self, refresh: bool = False) -> None:
        self.run_worker(
            deferred(self._load_quickstart, refresh), group="quickstart", exclusive=True, exit_on_error=False
        )
        self.run_worker(deferred(self._load_my_images, refresh), group="my-images", exclusive=True, exit_on_error=False)
        self._types_load = self.run_worker(
            deferred(self._load_types, refresh), group="types", exclusive=True, exit_on_error=False
        )
        self.run_worker(deferred(self._load_network, refresh), group="network", exclusive=True, exit_on_error=False)
        self.run_worker(deferred(self._load_keys, refresh), group="keys", exclusive=True, exit_on_error=False)
        self.run_worker(deferred(self._load_profiles, refresh), group="profiles", exclusive=True, exit_on_error=False)

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
        typed = " Type it in the form instead." if what in TYPED_WHEN_UNLISTED else ""
        self.ec2app.notify(f"Could not load {what}: {exc}.{typed}", title="Launch form", severity="error", markup=False)

    async def _load_quickstart(self, refresh: bool) -> None:
        await self.loader.quickstart(refresh)
        images = self.state.quickstart or ()
        wanted, self._reresolve_image = self._reresolve_image, None
        image_section = self.section(ImageSection)
        assert isinstance(image_section, ImageSection)
        if wanted is not None:
            same = next((i for i in images if i.name == wanted), None)
            if same is not None:
                image_section.choose(same.id)  # the user's AMI, found again in the new region
            else:
                self.lookup_image(self.request.image_id)  # flagged "not found" at the field
        elif not self.request.image_id and images:
            with self.defaults():  # the console's default: the first Quick Start AMI
                image_section.choose(images[0].id)
        self.facts_changed()

    async def _load_my_images(self, refresh: bool) -> None:
        await self.loader.my_images(refresh)
        self.facts_changed()

    async def _load_types(self, refresh: bool) -> None:
        await self.loader.types(refresh)
        self._default_type()
        self.facts_changed()
        self.reload_price()

    def reload_price(self) -> None:
        """Read the chosen type's price again (another type, another AMI platform, another region)."""
        self.run_worker(deferred(self._load_price), group="price", exclusive=True, exit_on_error=False)

    async def _load_price(self) -> None:
        state = self.state
        wanted = (state.request.instance_type, form_platform(state), state.region)
        found = await type_price(self.ec2app.gateway, state)
        if wanted != (state.request.instance_type, form_platform(state), state.region):
            return  # the form changed meanwhile: a newer load is on its way
        state.price_text = found.text() if found is not None else ""
        type_section = self.section(TypeSection)
        assert isinstance(type_section, TypeSection)
        type_section.show_price()

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
        await self.loader.vpcs(refresh)
        self.facts_changed()  # when they can't be listed, the VPC picker becomes a text field
        await self._load_vpc_children(refresh)  # the subnets may still be listable (DescribeSubnets allowed)

    async def _load_vpc_children(self, refresh: bool = False) -> None:
        await self.loader.vpc_children(refresh)
        self.facts_changed()

    async def _load_keys(self, refresh: bool) -> None:
        await self.loader.keys(refresh)
        self.facts_changed()

    async def _load_profiles(self, refresh: bool) -> None:
        await self.loader.profiles(refresh)
        self.facts_changed()

    def lookup_image(self, image_id: str) -> None:
        self.run_worker(deferred(self._load_image, image_id), group="image", exclusive=True, exit_on_error=False)

    async def _load_image(self, image_id: str) -> None:
        facts = await self.loader.image(image_id)
        if image_id != self.request.image_id:
            return  # the user typed on meanwhile
        if facts is None:
            self.facts_changed()
            return
        self.use_facts(facts)

    def use_facts(self, facts: ImageFacts) -> None:
        """The AMI is known: its root device and size, its architecture's default type, Windows defaults."""
        with self.defaults():
            self._use_facts(facts)

    def _use_facts(self, facts: ImageFacts) -> None:
        state = self.state
        state.use_image(facts)  # a root volume the user set is kept (type, size, IOPS…)
        self._default_type()
        group = self.request.security_groups.new_group
        if group is not None and "security_groups" not in state.touched and is_untouched_default_rules(group):
            self.request.security_groups.new_group = new_group(state.groups, facts.is_windows)
        for section in self.sections:
            if isinstance(section, StorageSection | SecurityGroupSection | KeySection):
                section.load()
        self.facts_changed()
        self.schedule_draft()
        self.reload_price()  # the AMI's platform decides the price

    # -- editing ----------------------------------------------------------------------------------------------
    def _after_edit(self, event: FormEdited) -> None:
        event.stop()
        self._unlaunched |= event.by_user
        self.revalidate()
        self.schedule_draft()

    @on(FieldEdited)
    def _field_edited(self, event: FieldEdited) -> None:
        self._after_edit(event)

    @on(RowsChanged)
    def _rows_changed(self, event: RowsChanged) -> None:
        self._after_edit(event)

    @on(ImageChosen)
    def _image_chosen(self, event: ImageChosen) -> None:
        self.state.image_error = ""
        image_id = self.request.image_id
        if FULL_AMI_ID.match(image_id):
            self.lookup_image(image_id)
        self.section(ImageSection).show_info()  # type: ignore[attr-defined]
        self._after_edit(event)

    @on(VpcChosen)
    def _vpc_chosen(self, event: VpcChosen) -> None:
        self.state.touched.add("network")
        self.run_worker(deferred(self._load_vpc_children), group="vpc", exclusive=True, exit_on_error=False)
        self.facts_changed()
        self._after_edit(event)

    @on(SubnetChosen)
    def _subnet_chosen(self, event: SubnetChosen) -> None:
        self.run_worker(deferred(self._reload_offerings), group="offerings", exclusive=True, exit_on_error=False)
        self._after_edit(event)

    @on(TypeChosen)
    def _type_chosen(self, event: TypeChosen) -> None:
        self.section(StorageSection).facts_changed()
        self.state.price_text = ""
        self.reload_price()
        self._after_edit(event)

    async def _reload_offerings(self) -> None:
        await self.loader.offerings()
        self.revalidate()

    def revalidate(self) -> list[FieldError]:
        """Validate against what is loaded and show every issue next to its field."""
        issues = self.state.validate()
        slots: dict[str, list[FieldMessage]] = {}
        for message in self.query(FieldMessage):
            slots.setdefault(message.path, []).append(message)
        assigned = assign_issues(issues, slots)
        for path, messages in slots.items():
            for message in messages:
                message.show_issues(assigned.get(path, []))
        self.update_status()
        return issues

    def update_status(self) -> None:
        errors = blocking(self.issues)
        warnings = len(self.issues) - len(errors)
        status = Text()
        if errors:
            status.append(f"✗ {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix", style=bold(ERROR))
        else:
            status.append("✓ ready to review", style=bold(SUCCESS))
        if warnings:
            status.append(f" · ⚠ {warnings} warning{'s' if warnings != 1 else ''}", style=WARNING)
        status.append("  (each is shown next to its field)", style="dim")
        title = Text(f"Launch in {self.launch_region or self.ec2app.region}", style="bold")
        if self.ec2app.read_only:
            title.append(" · read-only: review, dry run and export work, launching is refused", style="italic")
        title.append(f"  {KEYS_NOTE}", style="dim")
        self.show_origin()
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
        if self._unlaunched:
            self.keeper.save(self.request)

    def discard_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.keeper.clear()

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

    def fill_from(self, copied: CopiedRequest, template: TemplateSource | None = None) -> None:
        """Show a request made elsewhere ("launch more like this", a launch template); works before the form is
        mounted too. The form says where it came from and what could not be copied; with ``template``, the
        sections it filled are marked and the launch references it where it can."""
        if not self.is_mounted:
            self._pending_fill = (copied, template)
            return
        self._fill(copied, template)

    def _fill(self, copied: CopiedRequest, template: TemplateSource | None = None) -> None:
        self._pending_fill = None
        self._unlaunched = True
        self._use_request(copy.deepcopy(copied.request))
        self.state.origin = copied
        self.state.template = template
        # its VPC (named, or found from its subnet or group) and that VPC's subnets and groups
        self.run_worker(deferred(self._load_network, False), group="network", exclusive=True, exit_on_error=False)
        elsewhere = (
            f" It is in {copied.region}, the form launches in {self.launch_region}: its IDs are checked here."
            if copied.region and copied.region != self.launch_region
            else ""
        )
        self.revalidate()
        self.schedule_draft()
        self.query_one("#launch-form").scroll_home(animate=False)
        self.ec2app.notify(
            f"The form is filled from {copied.origin}: ctrl+s reviews it.{elsewhere}",
            title="Launch form",
            markup=False,
            timeout=10,
        )

    def show_origin(self) -> None:
        """The line under the title: where the request came from, and what could not be copied."""
        template = self.state.template
        for section in self.sections:
            marked = template is not None and section.id in template.sections
            title = f"{section.number} · {section.TITLE}" + (" · from template" if marked else "")
            if section.border_title != title:
                section.border_title = title
        origin = self.state.origin
        line = self.query_one("#launch-origin", Static)
        line.display = origin is not None
        if origin is not None:
            text = Text(f"Filled from {origin.origin}.", style="bold")
            if origin.not_copied:
                text.append(" Not copied: " + "; ".join(origin.not_copied) + ".", style="italic")
            line.update(text)

    def launched(self, result: LaunchResult, request: LaunchRequest) -> None:
        """After a launch: the draft is cleared and the form starts afresh (so another AMI's launch reuses
        nothing silently); the launched request stays reachable as "launch again" (ctrl+l, palette)."""
        self.last_launched = launched_as_existing(request, result)
        self._unlaunched = False
        self.discard_draft()
        self._set_state(LaunchFormState(region=self.launch_region))
        self.load_sections()
        self.reload_facts()
        self.revalidate()

    # -- actions ----------------------------------------------------------------------------------------------
    def action_review(self) -> None:
        self.revalidate()
        review = LaunchReviewScreen(
            copy.deepcopy(self.request),
            self.state,
            region=self.launch_region,
            drafts_enabled=self.drafts_enabled,
            form_id=id(self),
        )
        self.app.push_screen(review, self._reviewed)

    def _reviewed(self, result: tuple[LaunchResult, LaunchRequest] | None) -> None:
        """The review's answer (through dismiss): the launch's result, or None when the user came back."""
        if result is None:
            return
        launch_result, request = result
        region = self.launch_region
        self.launched(launch_result, request)

        def after(go: bool | None) -> None:
            if go:
                self.ec2app.show_launched(list(launch_result.instance_ids), region)

        self.app.push_screen(LaunchedScreen(launch_result, region), after)

    @on(Button.Pressed, "#review")
    def _review_pressed(self) -> None:
        self.action_review()

    def action_refresh(self) -> None:
        self.state.load_errors.clear()
        self.reload_facts(refresh=True)
        if self.request.image_id:
            self.lookup_image(self.request.image_id)

    def action_launch_again(self) -> None:
        if self.last_launched is None:
            self.ec2app.notify("Nothing was launched from this form yet.", markup=False)
            return
        self._unlaunched = True
        self._use_request(copy.deepcopy(self.last_launched))
        self.revalidate()
        self.schedule_draft()
        self.ec2app.notify(
            "The last launch is back in the form (what it created is now used as existing): ctrl+s reviews it.",
            title="Launch again",
            markup=False,
        )

    def action_leave(self) -> None:
        """escape: out of a text field first (then ? and : work); pressed again, out of the form (draft kept)."""
        focused = self.focused
        if isinstance(focused, Input | TextArea):
            self.query_one("#launch-form").focus()
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self.save_draft()
        self.ec2app.navigate(self.return_mode)

    def action_pick_type(self) -> None:
        if self.state.types is not None:
            self._open_type_picker()
            return
        if "types" in self.state.load_errors:
            self._types_unavailable()
            return
        self.ec2app.notify("Instance types are still loading: the picker opens when they are here.", markup=False)
        self.run_worker(deferred(self._pick_when_loaded), group="picker", exclusive=True, exit_on_error=False)

    async def _pick_when_loaded(self) -> None:
        """Open the picker once the types' load has ended with them. It waits for the load's end, however it ends:
        a load that fails, is cancelled with no newer one started, or raises something unexpected ends the wait
        with a message (no waiter left behind); one cancelled for a newer load (ctrl+r) hands over to that one."""
        while self.state.types is None:
            load = self._types_load
            if load is None:
                break
            # Shielded: Worker.wait takes a CancelledError reaching its await for the worker's own, so this
            # waiter's cancellation (the form closed) would be swallowed and mark the load cancelled.
            await asyncio.shield(load_ended(load))
            if self._types_load is load:
                break
        if self.state.types is not None:
            self._open_type_picker()
        else:
            self._types_unavailable()

    def _types_unavailable(self) -> None:
        error = self.state.load_errors.get("types")
        why = f" ({error})" if error else ""
        self.ec2app.notify(
            f"The instance types could not be loaded{why}, so the picker can't open: ctrl+r loads them again, "
            "or type the instance type in the form.",
            title="Launch form",
            severity="warning",
            markup=False,
        )

    def _open_type_picker(self) -> None:
        gateway, region, platform = self.ec2app.gateway, self.launch_region, form_platform(self.state)
        picker = InstanceTypePicker(
            self.state.types or [],
            offered=self.state.offered,
            architecture=self.state.architecture,
            current=self.request.instance_type or None,
            load_prices=lambda: picker_prices(gateway, region, platform),
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
                self._set_state(LaunchFormState(region=self.launch_region))
                self.load_sections()
                self.reload_facts()
                self.revalidate()
                self.ec2app.notify("Started a new launch: the draft was discarded.")

        self.app.push_screen(
            ConfirmScreen("Start a new launch?", "Everything in the form is cleared and the saved draft deleted."),
            answered,
        )

    def action_save_template(self) -> None:
        """Save the form as a launch template (reviewed on its own screen first)."""
        self.revalidate()
        self.app.push_screen(SaveTemplateScreen(copy.deepcopy(self.request), self.launch_region))

    def action_templates(self) -> None:
        """The region's launch templates (``l`` there fills this form from one)."""
        self.app.push_screen(TemplatesScreen())

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
        yield action_command(
            self,
            "Save as launch template",
            "A new template or version from this form, reviewed (ctrl+t)",
            "save_template",
        )
        yield action_command(self, "Launch templates", "The region's templates: l fills the form", "templates")
        if self.last_launched is not None:
            yield action_command(
                self, "Launch again", "The last launched request, back in the form (ctrl+l)", "launch_again"
            )
        for index, section in enumerate(self.sections):
            yield action_command(
                self,
                f"Go to section: {section.TITLE}",
                f"Section {section.number} of the launch form",
                f"focus_section({index})",
            )
