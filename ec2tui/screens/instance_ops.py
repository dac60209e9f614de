"""The instance actions shared by the list and the detail screen: confirm, call the gateway, report, refresh.

Mixed into a :class:`~textual.screen.Screen` (the list and the detail screen) that provides ``action_targets`` (the
instances a batch action applies to) and ``cursor_instance`` (the one a single-instance action applies to).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from ec2tui.aws.instance_actions import terminate_confirmation_ok, terminate_confirmation_phrase
from ec2tui.aws.models.instances import Instance, InstanceDetail, InstanceState, StateChange
from ec2tui.aws.ssh import ssh_command, ssm_command
from ec2tui.deferred import deferred
from ec2tui.errors import AwsError, Ec2TuiError, ReadOnlyError, ValidationError
from ec2tui.key_gate import hold_keys
from ec2tui.screens.ami_actions import follow_new_image
from ec2tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from ec2tui.screens.connect_flow import ConnectFlow
from ec2tui.screens.host import ScreenMixin
from ec2tui.screens.instance_dialogs import CreateImageDialog, CreateImageRequest, InfoDialog
from ec2tui.screens.launch_like import LaunchFromInstance
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.screens.mutation_guard import INSTANCE, Hold, guard_of, refusal

LISTED_IN_CONFIRMATION = 8
"""How many instances a confirmation names before it says "and N more"."""


@dataclass(frozen=True)
class StateAction:
    """One state change: the gateway method, the states it applies to and what the confirmation says."""

    key: str
    verb: str
    title: str
    """Plain name, also the gateway's action name (what ReadOnlyError quotes)."""
    method: str
    applies_to: frozenset[str]
    not_applicable: str
    """Why an instance outside ``applies_to`` is skipped (``"is not stopped"``)."""
    consequences: str
    done: str
    danger: bool = False
    kwargs: tuple[tuple[str, Any], ...] = ()


STATE_ACTIONS: dict[str, StateAction] = {
    action.key: action
    for action in (
        StateAction(
            "start",
            "Start",
            "Start instances",
            "start",
            frozenset({InstanceState.STOPPED}),
            "only stopped instances can be started",
            "Billing for compute resumes. A public IPv4 address without an Elastic IP will be a new one.",
            "Starting",
        ),
        StateAction(
            "stop",
            "Stop",
            "Stop instances",
            "stop",
            frozenset({InstanceState.RUNNING, InstanceState.PENDING}),
            "only running or pending instances can be stopped",
            "The OS shuts down. EBS volumes are kept; instance-store data is lost; the public IPv4 address is "
            "released unless it is an Elastic IP.",
            "Stopping",
        ),
        StateAction(
            "force_stop",
            "Force-stop",
            "Force stop instances",
            "stop",
            frozenset({InstanceState.RUNNING, InstanceState.PENDING, InstanceState.STOPPING}),
            "only running, pending or stopping instances can be stopped",
            "Like pulling the plug: the OS gets no chance to flush its caches or close files. Use it for an instance "
            "stuck in 'stopping'.",
            "Force-stopping",
            danger=True,
            kwargs=(("force", True),),
        ),
        StateAction(
            "reboot",
            "Reboot",
            "Reboot instances",
            "reboot",
            frozenset({InstanceState.RUNNING}),
            "only running instances can be rebooted",
            "The OS restarts; addresses and volumes are kept. EC2 keeps reporting 'running' throughout.",
            "Rebooting",
        ),
        StateAction(
            "terminate",
            "Terminate",
            "Terminate instances",
            "terminate",
            frozenset({InstanceState.RUNNING, InstanceState.PENDING, InstanceState.STOPPING, InstanceState.STOPPED}),
            "already terminated or shutting down",
            "This cannot be undone.",
            "Terminating",
            danger=True,
        ),
    )
}

STATE_BINDINGS: list[Binding] = [
    Binding("s", "state_change('start')", "Start", id="instances.start"),
    Binding("o", "state_change('stop')", "Stop", id="instances.stop"),
    Binding("b", "state_change('reboot')", "Reboot", id="instances.reboot"),
    Binding("ctrl+d", "state_change('terminate')", "Terminate", id="instances.terminate"),
]
TOOL_BINDINGS: list[Binding] = [
    Binding("i", "create_image", "Create image", id="instances.create_image"),
    Binding("h", "connect('ssh')", "SSH", tooltip="Connect with SSH in this terminal", id="instances.ssh"),
    Binding("x", "connect('ssm')", "SSM", tooltip="Start a Session Manager shell here", id="instances.ssm"),
    Binding(
        "H", "ssh_command", "SSH command", tooltip="Show the ssh command line", show=False, id="instances.ssh_command"
    ),
    Binding(
        "X",
        "ssm_command",
        "SSM command",
        tooltip="Show the Session Manager command",
        show=False,
        id="instances.ssm_command",
    ),
    Binding("p", "copy_public_ip", "Copy public IP", show=False, id="instances.copy_public_ip"),
    Binding("P", "copy_private_ip", "Copy private IP", key_display="P", show=False, id="instances.copy_private_ip"),
]
ACTION_BINDINGS = STATE_BINDINGS + TOOL_BINDINGS
"""Keys both instance screens share (none clashes with q ? : / c ctrl+r escape)."""


def describe(instance: Instance, *, with_region: bool = False) -> str:
    """``web-1 (i-0abc…, running)`` for messages and confirmations."""
    where = f", {instance.region}" if with_region else ""
    label = f"{instance.name} ({instance.id}" if instance.name else f"{instance.id} ("
    sep = ", " if instance.name else ""
    return f"{label}{sep}{instance.state}{where})"


def label(instance: Instance) -> str:
    """``web-1 (i-0abc…)``, or the bare ID when the instance has no name."""
    return f"{instance.name} ({instance.id})" if instance.name else instance.id


def names_of(instances: Sequence[Instance]) -> str:
    """``web-1, web-2 and 3 more`` for messages."""
    names = ", ".join(label(i) for i in instances[:LISTED_IN_CONFIRMATION])
    more = len(instances) - LISTED_IN_CONFIRMATION
    return f"{names} and {more} more" if more > 0 else names


PROTECTION_WAY_OUT = "Turn it off first: 'Turn termination protection off' in the palette (ctrl+p), then ctrl+d again."


def confirmation_body(
    action: StateAction,
    targets: Sequence[Instance],
    skipped: Sequence[Instance],
    protected: Sequence[Instance] = (),
) -> str:
    regions = sorted({i.region for i in targets})
    lines = [f"{action.verb} {len(targets)} instance{'s' if len(targets) != 1 else ''}:"]
    for instance in targets[:LISTED_IN_CONFIRMATION]:
        lines.append(f"  {describe(instance, with_region=len(regions) > 1)}")
    if len(targets) > LISTED_IN_CONFIRMATION:
        lines.append(f"  … and {len(targets) - LISTED_IN_CONFIRMATION} more")
    if len(regions) == 1:
        lines.append(f"Region: {regions[0]}")
    if skipped:
        names = ", ".join(i.name or i.id for i in skipped[:LISTED_IN_CONFIRMATION])
        more = f" and {len(skipped) - LISTED_IN_CONFIRMATION} more" if len(skipped) > LISTED_IN_CONFIRMATION else ""
        lines.append(f"Skipped ({action.not_applicable}): {names}{more}")
    if protected:
        lines.append(f"Skipped (termination protection is on): {names_of(protected)}")
    lines.append("")
    lines.append(action.consequences)
    if action.key == "terminate":
        lines += volume_fates(targets)
    return "\n".join(lines)


def volume_fates(targets: Sequence[Instance]) -> list[str]:
    """Which EBS volumes go with the instances and which stay behind (and go on being billed)."""
    lines: list[str] = []
    for deleted, heading in (
        (True, "EBS volumes deleted too:"),
        (False, "EBS volumes kept (billed until you delete them):"),
    ):
        volumes = [
            f"{device.volume_id} ({instance.name or instance.id} {device.device})"
            for instance in targets
            for device in instance.block_devices
            if device.delete_on_termination is deleted
        ]
        if volumes:
            shown = ", ".join(volumes[:LISTED_IN_CONFIRMATION])
            more = f" and {len(volumes) - LISTED_IN_CONFIRMATION} more" if len(volumes) > LISTED_IN_CONFIRMATION else ""
            lines.append(f"{heading} {shown}{more}")
    return lines


class InstanceActions(LaunchFromInstance, ScreenMixin):
    """Actions on instances for a Screen subclass. Subclasses implement the three hooks at the top."""

    # -- hooks ------------------------------------------------------------------------------------------------
    def action_targets(self) -> list[Instance]:
        """The instances batch actions apply to (marked rows, or the cursor row)."""
        raise NotImplementedError

    def cursor_instance(self) -> Instance | None:
        """The instance single-instance actions (copy, SSH, create image) apply to."""
        raise NotImplementedError

    def instances_changed(self, changes: Sequence[StateChange], regions: set[str]) -> None:
        """Called on every instance screen after a change went through: show it, then reload."""

    def action_finished(self) -> None:
        """Called on the screen a state change was started from, once it went through (e.g. to clear marks)."""

    def known_protection(self, instance: Instance) -> bool | None:
        """Whether termination protection is on, when this screen knows it already (the detail does), else None."""
        return None

    def profile_of(self, instance: Instance) -> str:
        """The profile the instance was listed through (the multi-account view has several): actions on it go
        through that profile's gateway, in the instance's region."""
        return str(self.ec2app.context.profile)

    def gateway_of(self, instance: Instance) -> Any:
        return self.ec2app.accounts.gateway(self.profile_of(instance))

    # -- helpers ----------------------------------------------------------------------------------------------
    def _by_context(self, instances: Iterable[Instance]) -> dict[tuple[str, str], list[Instance]]:
        """Instances grouped by (profile, region): one call per group, each in its own context."""
        groups: dict[tuple[str, str], list[Instance]] = {}
        for instance in instances:
            groups.setdefault((self.profile_of(instance), instance.region), []).append(instance)
        return groups

    def _error(self, exc: Exception | str, title: str = "AWS error") -> None:
        self.ec2app.notify(str(exc), title=title, severity="error", markup=False, timeout=10)

    def _refused_read_only(self, action: str) -> bool:
        """Refuse up front in read-only mode (no confirmation for something that would be refused anyway)."""
        if self.ec2app.read_only:
            self._error(ReadOnlyError(action), title="Read-only")
            return True
        return False

    def _broadcast(self, changes: Sequence[StateChange], regions: set[str]) -> None:
        for screen in list(self.ec2app.screen_stack):
            if isinstance(screen, InstanceActions):
                screen.instances_changed(changes, regions)

    def instance_palette_commands(self) -> Iterable[PaletteCommand]:
        # Every entry runs the action its key runs (same checks and messages): see action_command.
        screen: Any = self
        for title, help, action in (
            ("Start", "Start the marked or selected instances (s)", "state_change('start')"),
            ("Stop", "Stop the marked or selected instances (o)", "state_change('stop')"),
            (
                "Force stop",
                "Stop without a clean OS shutdown (for instances stuck stopping)",
                "state_change('force_stop')",
            ),
            ("Reboot", "Reboot the marked or selected instances (b)", "state_change('reboot')"),
            ("Terminate", "Terminate the marked or selected instances (ctrl+d)", "state_change('terminate')"),
            (
                "Turn termination protection on",
                "Make AWS refuse to terminate the selected instance until it is turned off",
                "termination_protection(True)",
            ),
            (
                "Turn termination protection off",
                "Allow the selected instance to be terminated again (asks first)",
                "termination_protection(False)",
            ),
            ("Create image from instance", "Make an AMI of the selected instance (i)", "create_image"),
            ("Launch more like this", "The launch form filled from the selected instance", "launch_like_this"),
            ("Create launch template from instance", "Its settings as a template, reviewed", "template_from_instance"),
            ("Copy instance ID", "Copy the selected instance's ID (c)", "copy_instance_id"),
            ("Copy public IP", "Copy the selected instance's public IPv4 (p)", "copy_public_ip"),
            ("Copy private IP", "Copy the selected instance's private IPv4 (P)", "copy_private_ip"),
            (
                "Connect with SSH",
                "A shell on the selected instance in this terminal, back here after (h)",
                "connect('ssh')",
            ),
            ("Start SSM session", "A Session Manager shell, no SSH key or open port needed (x)", "connect('ssm')"),
            (
                "Connect with EC2 Instance Connect",
                "SSH with a one-time key pushed for 60 seconds",
                "connect('instance-connect')",
            ),
            (
                "Forward a port",
                "A local port to the instance or a host behind it, over Session Manager",
                "connect('forward')",
            ),
            ("Show SSH command", "The ssh command line for the selected instance (H)", "ssh_command"),
            (
                "Show SSM session command",
                "The Session Manager command for a shell on the selected instance, no SSH key needed (X)",
                "ssm_command",
            ),
        ):
            yield action_command(screen, title, help, action)

    def action_termination_protection(self, enabled: bool) -> None:
        self.set_termination_protection(enabled)

    def action_copy_instance_id(self) -> None:
        self.copy_instance_id()

    # -- one mutation at a time per instance --------------------------------------------------------------------
    def _hold(self, instances: Sequence[Instance], what: str) -> Hold | None:
        """Hold these instances for one mutation; ``None`` (and a message) when one of them has one out already."""
        hold = guard_of(self.app).acquire(INSTANCE, [i.id for i in instances], what)
        if hold is None:
            self._refuse_busy(instances)
        return hold

    def _refuse_busy(self, instances: Sequence[Instance]) -> bool:
        busy = guard_of(self.app).busy(INSTANCE, [i.id for i in instances])
        if busy is not None:
            self.ec2app.notify(refusal(busy), severity="warning", markup=False, timeout=8)
            return True
        return False

    # -- state changes ----------------------------------------------------------------------------------------
    def action_state_change(self, key: str) -> None:
        self.request(key)

    def request(self, key: str) -> None:
        """Ask for confirmation of a state change on the targets, then run it."""
        action = STATE_ACTIONS[key]
        targets = self.action_targets()
        if not targets:
            self.ec2app.notify("No instance selected.", severity="warning")
            return
        if self._refused_read_only(action.title):
            return
        applicable = [i for i in targets if i.state in action.applies_to]
        skipped = [i for i in targets if i.state not in action.applies_to]
        if not applicable:
            what = describe(targets[0]) if len(targets) == 1 else f"any of the {len(targets)} selected instances"
            self.ec2app.notify(
                f"Cannot {action.verb.lower()} {what}: {action.not_applicable}.",
                severity="warning",
                markup=False,
            )
            return
        if self._refuse_busy(applicable):
            return
        if key == "terminate":
            known = {i.id: self.known_protection(i) for i in applicable}
            if any(value is None for value in known.values()):
                # Ask AWS before asking for the typed ID: a protected instance can't be terminated anyway.
                hold = self._hold(applicable, f"Checking the termination protection of {names_of(applicable)}")
                if hold is not None:
                    self.run_worker(
                        deferred(self._check_protection_then_ask, action, applicable, skipped, known, hold),
                        group="instance-protection",
                        exit_on_error=False,
                    )
                return
            self._ask_terminate(action, applicable, skipped, known)
            return
        self._ask(action, applicable, skipped)

    async def _check_protection_then_ask(
        self,
        action: StateAction,
        applicable: list[Instance],
        skipped: list[Instance],
        known: dict[str, bool | None],
        hold: Hold,
    ) -> None:
        with hold_keys(self.app):  # the rest of the burst that held ctrl+d waits for the dialog
            with hold:
                unknown = [i for i in applicable if known[i.id] is None]
                details = await asyncio.gather(
                    *(self.gateway_of(i).instances.detail(i.id, i.region) for i in unknown), return_exceptions=True
                )
                for instance, detail in zip(unknown, details, strict=True):
                    if isinstance(detail, Ec2TuiError):
                        continue  # unknown: ask; AWS's refusal then says what to do
                    if isinstance(detail, BaseException):
                        raise detail
                    known[instance.id] = detail.termination_protection
            self._ask_terminate(action, applicable, skipped, known)

    def _ask_terminate(
        self,
        action: StateAction,
        applicable: list[Instance],
        skipped: list[Instance],
        known: dict[str, bool | None],
    ) -> None:
        protected = [i for i in applicable if known.get(i.id)]
        if protected:
            what = label(protected[0]) if len(protected) == 1 else f"{len(protected)} of them"
            if len(protected) == len(applicable):
                self.ec2app.notify(
                    f"Termination protection is on for {names_of(protected)}: AWS refuses to terminate "
                    f"{'it' if len(protected) == 1 else 'them'}. {PROTECTION_WAY_OUT}",
                    title="Not terminated",
                    severity="warning",
                    markup=False,
                    timeout=15,
                )
                return
            self.ec2app.notify(f"Termination protection is on for {what}: skipped.", markup=False)
        self._ask(action, [i for i in applicable if i not in protected], skipped, protected)

    def _ask(
        self,
        action: StateAction,
        applicable: list[Instance],
        skipped: list[Instance],
        protected: Sequence[Instance] = (),
    ) -> None:
        body = confirmation_body(action, applicable, skipped, protected)
        ids = [i.id for i in applicable]

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_worker(
                    deferred(self._run_state_change, action, applicable), group="instance-action", exit_on_error=False
                )
            else:
                self.ec2app.notify("Cancelled: nothing was changed.", markup=False)

        if action.key == "terminate":
            phrase = terminate_confirmation_phrase(ids)
            screen: Any = TypedConfirmScreen(
                action.title, body, phrase, check=lambda typed: terminate_confirmation_ok(typed, ids)
            )
        else:
            screen = ConfirmScreen(f"{action.title}?", body, yes_label=f"{action.verb} (y)", danger=action.danger)
        self.ec2app.push_screen(screen, confirmed)

    async def _run_state_change(self, action: StateAction, targets: list[Instance]) -> None:
        hold = self._hold(targets, f"{action.done} {names_of(targets)}")
        if hold is None:
            return
        with hold:
            await self._send_state_change(action, targets)

    async def _send_state_change(self, action: StateAction, targets: list[Instance]) -> None:
        changes: list[StateChange] = []
        regions: set[str] = set()
        for (profile, region), instances in self._by_context(targets).items():
            api = self.ec2app.accounts.gateway(profile).instances
            try:
                result = await getattr(api, action.method)([i.id for i in instances], region, **dict(action.kwargs))
            except Ec2TuiError as exc:
                message = str(exc)
                if action.key == "terminate" and isinstance(exc, AwsError) and exc.code == "OperationNotPermitted":
                    message += " Termination protection is on: 'Turn termination protection off' (ctrl+p) first."
                self._error(message, title=f"{action.title} failed ({region})")
                continue
            changes.extend(result)
            regions.add(region)
        if changes:
            names = ", ".join(
                next((i.name or i.id for i in targets if i.id == c.instance_id), c.instance_id) for c in changes
            )
            self.ec2app.notify(f"{action.done} {len(changes)}: {names}", title=action.title, markup=False)
        if regions:
            if action.key == "reboot":
                # EC2 reports no "rebooting" state: show one until the next refresh so the request is visible.
                changes = [StateChange(c.instance_id, c.previous_state, InstanceState.REBOOTING) for c in changes]
            self.action_finished()
            self._broadcast(changes, regions)

    # -- termination protection -------------------------------------------------------------------------------
    def set_termination_protection(self, enabled: bool) -> None:
        """Turn it on at once (it only makes things safer); ask before turning it off."""
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("No instance selected.", severity="warning")
            return
        title = f"Turn termination protection {'on' if enabled else 'off'}"
        if self._refused_read_only(title) or self._refuse_busy([instance]):
            return
        if enabled:
            self.run_worker(
                deferred(self._set_protection, instance, True), group="instance-action", exit_on_error=False
            )
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_worker(
                    deferred(self._set_protection, instance, False), group="instance-action", exit_on_error=False
                )
            else:
                self.ec2app.notify("Cancelled: termination protection is unchanged.", markup=False)

        body = f"{describe(instance)} can then be terminated by anyone allowed to (ctrl+d here, after typing its ID)."
        self.ec2app.push_screen(ConfirmScreen(f"{title}?", body, yes_label="Turn off (y)", danger=True), confirmed)

    async def _set_protection(self, instance: Instance, enabled: bool) -> None:
        hold = self._hold(
            [instance], f"Turning termination protection {'on' if enabled else 'off'} for {label(instance)}"
        )
        if hold is None:
            return
        with hold:
            await self._send_protection(instance, enabled)

    async def _send_protection(self, instance: Instance, enabled: bool) -> None:
        try:
            await self.gateway_of(instance).instances.set_termination_protection(instance.id, enabled, instance.region)
        except Ec2TuiError as exc:
            self._error(exc, title="Termination protection")
            return
        if enabled:
            message = f"Termination protection is on for {label(instance)}: AWS refuses to terminate it."
        else:
            message = f"Termination protection is off for {label(instance)}."
        self.ec2app.notify(message, title="Termination protection", markup=False)
        self._broadcast([], {instance.region})

    # -- create image -----------------------------------------------------------------------------------------
    def action_create_image(self) -> None:
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("No instance selected.", severity="warning")
            return
        if self._refused_read_only("Create image") or self._refuse_busy([instance]):
            return
        if instance.state not in (InstanceState.RUNNING, InstanceState.STOPPED):
            self.ec2app.notify(
                f"Cannot create an image of {describe(instance)}: it must be running or stopped.",
                severity="warning",
                markup=False,
            )
            return

        def submitted(request: CreateImageRequest | None) -> None:
            if request is not None:
                self.run_worker(
                    deferred(self._create_image, instance, request), group="instance-action", exit_on_error=False
                )

        self.ec2app.push_screen(CreateImageDialog(instance), submitted)

    async def _create_image(self, instance: Instance, request: CreateImageRequest) -> None:
        hold = self._hold([instance], f"Creating an image of {label(instance)}")
        if hold is None:
            return
        with hold:
            await self._send_create_image(instance, request)

    async def _send_create_image(self, instance: Instance, request: CreateImageRequest) -> None:
        how = " Stopping the instance first and waiting until it is stopped…" if request.stop_first else ""
        self.ec2app.notify(f"Creating image '{request.name}' from {describe(instance)}.{how}", markup=False)
        try:
            image_id = await self.gateway_of(instance).images.create_image(
                instance.id,
                request.name,
                request.description,
                instance.region,
                no_reboot=request.no_reboot,
                stop_first=request.stop_first,
            )
        except Ec2TuiError as exc:
            self._error(exc, title="Create image failed")
            return
        finally:
            if request.stop_first or not request.no_reboot:
                self._broadcast([], {instance.region})
        follow_new_image(
            self.ec2app,
            "Image requested",
            f"EC2 is creating {image_id} ('{request.name}') from {describe(instance)} in {instance.region}. "
            "It is 'pending' while the snapshots are taken, then 'available': launch from it here, or find it "
            "under My AMIs (:amis mine).",
            image_id,
            instance.region,
        )

    # -- copy and SSH -----------------------------------------------------------------------------------------
    def copy_instance_id(self) -> None:
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("Nothing selected to copy.", severity="warning")
            return
        self.ec2app.copy_and_notify(instance.id, "instance ID")

    def action_copy_public_ip(self) -> None:
        self._copy_ip(public=True)

    def action_copy_private_ip(self) -> None:
        self._copy_ip(public=False)

    def _copy_ip(self, *, public: bool) -> None:
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("Nothing selected to copy.", severity="warning")
            return
        ip = instance.public_ip if public else instance.private_ip
        kind = "public IP" if public else "private IP"
        if not ip:
            why = f"it is {instance.state}" if instance.state != InstanceState.RUNNING else "none is assigned"
            self.ec2app.notify(f"{describe(instance)} has no {kind} ({why}).", severity="warning", markup=False)
            return
        self.ec2app.copy_and_notify(ip, kind)

    def action_connect(self, entry: str) -> None:
        """Open the connect dialog on ``entry`` ("ssh", "ssm", "instance-connect", "forward"): see connect_flow."""
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("No instance selected.", severity="warning")
            return
        ConnectFlow(self, instance, entry).start()

    def action_ssh_command(self) -> None:
        self._with_running_detail(self._show_ssh, "connecting")

    def action_ssm_command(self) -> None:
        self._with_running_detail(self._show_ssm, "opening a session")

    def _with_running_detail(self, show: Callable[[InstanceDetail], None], doing: str) -> None:
        """Fetch the selected instance's detail (AMI, profile) and ``show`` it, if the instance is running."""
        instance = self.cursor_instance()
        if instance is None:
            self.ec2app.notify("No instance selected.", severity="warning")
            return
        if instance.state != InstanceState.RUNNING:
            self.ec2app.notify(
                f"{label(instance)} is {instance.state}: start it before {doing}.", severity="warning", markup=False
            )
            return

        async def fetch_and_show() -> None:
            try:
                detail = await self.gateway_of(instance).instances.detail(instance.id, instance.region)
            except Ec2TuiError as exc:
                self._error(exc)
                return
            show(detail)

        self.run_worker(deferred(fetch_and_show), group="instance-connect", exclusive=True, exit_on_error=False)

    def _show_ssh(self, detail: InstanceDetail) -> None:
        instance = detail.instance
        if detail.ssh_user is None:
            address = instance.public_ip or instance.private_ip
            if address:
                self.ec2app.push_screen(
                    InfoDialog(
                        "Windows instance: use RDP",
                        f"{describe(instance)} runs Windows: connect with an RDP client to {address}:3389 "
                        "(user Administrator). h shows its password, decrypted with the key pair's file, and "
                        "forwards RDP over Session Manager.",
                        address,
                        "RDP address",
                    )
                )
            else:
                self.ec2app.notify(f"{describe(instance)} runs Windows and has no IP address.", markup=False)
            return
        try:
            command = ssh_command(instance, detail.ssh_user)
        except ValidationError as exc:
            self.ec2app.notify(str(exc), severity="warning", markup=False)
            return
        via = "public" if instance.public_ip else "private (no public IP: from inside the VPC or over a VPN)"
        key = f"key ~/.ssh/{instance.key_name}.pem" if instance.key_name else "no key pair (your own SSH setup)"
        self.ec2app.push_screen(
            InfoDialog(
                "SSH command",
                f"User '{detail.ssh_user}' guessed from the AMI ({detail.ami.label}); {via} address; {key}.",
                command,
                "SSH command",
            )
        )

    def _show_ssm(self, detail: InstanceDetail) -> None:
        instance = detail.instance
        shell = "PowerShell" if detail.ssh_user is None else "a shell"
        needs = "Needs the AWS CLI with the Session Manager plugin, and the SSM agent running on the instance."
        if instance.iam_profile_arn:
            role = f"Instance profile {instance.iam_profile_arn.rsplit('/', 1)[-1]}: it must allow SSM"
            role += " (AmazonSSMManagedInstanceCore)."
        else:
            role = (
                "⚠ This instance has no IAM instance profile, so it cannot register with Session Manager: "
                "attach a role with AmazonSSMManagedInstanceCore first."
            )
        self.ec2app.push_screen(
            InfoDialog(
                "SSM session command",
                f"Session Manager opens {shell} on {describe(instance)} with no SSH key, open port or public IP. "
                f"{needs} {role}",
                ssm_command(instance, self.gateway_of(instance).chosen_profile),
                "SSM session command",
            )
        )
