"""Dialogs for AMI changes: copy to another region, sharing and public access, deregistering, and following a new
image (created or copied) until it can be launched."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ec2tui.aws.image_parsing import ImageProgress, check_account_ids, check_description, check_image_name
from ec2tui.aws.models.images import Image, LaunchPermissions
from ec2tui.aws.models.regions import Region
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ValidationError
from ec2tui.screens.confirm import FreshKeysOnly, TypedConfirmScreen
from ec2tui.widgets.check import Check


def image_label(image: Image) -> str:
    return f"{image.name} ({image.id})" if image.name else image.id


def error_label(widget_id: str) -> Label:
    """A field's error line: hidden until there is something to say."""
    label = Label("", id=widget_id, classes="field-error", markup=False)
    label.display = False
    return label


def show_error(label: Label, message: str) -> None:
    label.update(message)
    label.display = bool(message)


# -- following a new image -------------------------------------------------------------------------------------------
def elapsed_text(seconds: float) -> str:
    """``0:07``, ``12:30``, ``1:02:03``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_text(progress: ImageProgress | None, elapsed: float, problem: str = "") -> str:
    """The dialog's status line: the image's state and the time since it was requested."""
    since = elapsed_text(elapsed)
    if progress is None:
        status = "asking AWS…"
    elif progress.available:
        return f"✓ available after {since}: it can be launched now."
    elif progress.failed:
        why = f": {progress.reason}" if progress.reason else " (AWS gave no reason)"
        return f"✗ {progress.state} after {since}{why}. This image can't be launched."
    elif not progress.state:
        status = "requested (AWS doesn't list it yet)"
    else:
        status = progress.state
    line = f"⟳ {status} · {since} since requested · checking every {PROGRESS_POLL_SECONDS:g} s"
    return f"{line}\n⚠ Last check failed: {problem}" if problem else line


PROGRESS_POLL_SECONDS = 5.0
"""How often a new image's state is asked while its dialog is open (creating one takes minutes on AWS)."""


class ImageProgressDialog(FreshKeysOnly, ModalScreen[str | None]):
    """A new image (created from an instance, or copied), followed to ``available`` while this is open.

    Its state and the time since it was requested are polled through the gateway (a worker of this screen, so it
    stops when the dialog closes). Once available, `l` launches from it and `g` shows it in My AMIs; a failed image
    says why. `c` copies the ID at any time. Dismisses with ``"launch"``, ``"go"`` or None.
    """

    BINDINGS = [
        Binding("l", "launch", "Launch from it", id="ami_progress.launch"),
        Binding("g", "go", "Show in My AMIs", id="ami_progress.go"),
        Binding("c", "copy", "Copy AMI ID", id="ami_progress.copy"),
        Binding("escape,enter,q", "close", "Close", id="ami_progress.close"),
    ]
    ANSWER_KEYS = frozenset({"l", "g"})  # leave the dialog for another screen only on a key typed after it opened
    poll_seconds = PROGRESS_POLL_SECONDS

    def __init__(
        self,
        title: str,
        body: str,
        image_id: str,
        region: str,
        *,
        can_launch: bool = True,
        requested_at: float | None = None,
    ) -> None:
        super().__init__(classes="confirm ami-dialog")
        self.title_text, self.body, self.image_id, self.image_region = title, body, image_id, region
        self.can_launch = can_launch
        self.requested_at = time.monotonic() if requested_at is None else requested_at
        self.progress: ImageProgress | None = None
        self.problem = ""
        self.finished_after: float | None = None
        self.checks = 0
        """How many times the state was asked (tests check that closing stops the polling)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            yield Static(self.image_id, id="ami-result-value", markup=False)
            yield Static("", id="ami-progress", markup=False)
            with Horizontal(classes="dialog-buttons"):
                if self.can_launch:
                    yield Button("Launch from it (l)", id="progress-launch", variant="primary", compact=True)
                elsewhere = self.image_region != getattr(self.app, "region", self.image_region)
                # Leaving for the image's region changes the app's region: the button says so before it is pressed.
                go = f"My AMIs in {self.image_region} (g)" if elsewhere else "My AMIs (g)"
                yield Button(go, id="progress-go", compact=True)
                yield Button("Close (esc)", id="progress-close", compact=True)
            yield Static("", id="ami-progress-hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # enter closes; a leaving action takes its key (or a click)
        self._show()
        self.set_interval(1.0, self._show)
        self.follower = self.run_worker(
            deferred(self._follow), group="ami-progress", exclusive=True, exit_on_error=False
        )

    def elapsed(self) -> float:
        if self.finished_after is not None:
            return self.finished_after
        return time.monotonic() - self.requested_at

    async def _follow(self) -> None:
        images = self.app.gateway.images  # type: ignore[attr-defined]
        while True:
            try:
                progress = await images.progress(self.image_id, self.image_region)
            except Ec2TuiError as exc:
                self.problem = str(exc)  # shown; the next check may well work (a timeout, a throttle)
            else:
                self.problem = ""
                self.progress = progress
            self.checks += 1
            if self.progress is not None and self.progress.finished:
                self.finished_after = time.monotonic() - self.requested_at
                self._show()
                return
            self._show()
            await asyncio.sleep(self.poll_seconds)

    @property
    def available(self) -> bool:
        return self.progress is not None and self.progress.available

    def _show(self) -> None:
        self.query_one("#ami-progress", Static).update(progress_text(self.progress, self.elapsed(), self.problem))
        available = self.available
        for button in self.query("#progress-launch").results(Button):
            button.disabled = not available
        where = f"My AMIs in {self.image_region}"
        if available:
            launch = "l launches from it · " if self.can_launch else ""
            hint = f"{launch}g shows it in {where} · c copies the AMI ID · esc closes"
        elif self.progress is not None and self.progress.failed:
            hint = f"g shows {where} · c copies the AMI ID · esc closes"
        else:
            hint = f"c copies the AMI ID · g shows {where} · esc closes (AWS goes on making it; this stops watching)"
        self.query_one("#ami-progress-hint", Static).update(hint)

    def action_copy(self) -> None:
        self.app.copy_and_notify(self.image_id, "AMI ID")  # type: ignore[attr-defined]

    def action_launch(self) -> None:
        if not self.can_launch:
            return
        if not self.available:
            state = self.progress.state if self.progress is not None and self.progress.state else "not available yet"
            self.app.notify(f"{self.image_id} is {state}: it can be launched once it is available.", markup=False)
            return
        self.dismiss("launch")

    def action_go(self) -> None:
        self.dismiss("go")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#progress-launch")
    def _launch_pressed(self) -> None:
        self.action_launch()

    @on(Button.Pressed, "#progress-go")
    def _go_pressed(self) -> None:
        self.action_go()

    @on(Button.Pressed, "#progress-close")
    def _close_pressed(self) -> None:
        self.action_close()


# -- copy to region ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CopyRequest:
    dest_region: str
    name: str
    description: str


def default_destination(source: str, regions: Sequence[str]) -> str | None:
    """Another region of the same geography when there is one (us-east-1 → us-east-2), else the first other one."""
    others = [r for r in regions if r != source]
    if not others:
        return regions[0] if regions else None
    geography = source.split("-")[0]
    return next((r for r in others if r.split("-")[0] == geography), others[0])


def default_copy_name(image: Image) -> str:
    """The source name when AWS would accept it, else one made from the ID (names are unique per region)."""
    try:
        return check_image_name(image.name)
    except ValidationError:
        return f"copy-of-{image.id}"


class CopyToRegionDialog(FreshKeysOnly, ModalScreen[CopyRequest | None]):
    """Destination region (enabled ones only), name and description; enter or the button submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ami_copy.cancel")]
    ANSWER_KEYS = frozenset({"enter"})  # text typed in the burst that opened it still reaches the field
    AUTO_FOCUS = "#copy-region"

    def __init__(self, image: Image, regions: Sequence[Region]) -> None:
        super().__init__(classes="confirm ami-dialog")
        self.image = image
        self.regions = [r for r in regions if r.enabled]

    def compose(self) -> ComposeResult:
        image = self.image
        options = [
            (f"{r.name}  {r.description}" + ("  (this region)" if r.name == image.region else ""), r.name)
            for r in self.regions
        ]
        default = default_destination(image.region, [r.name for r in self.regions]) or Select.NULL
        with Vertical(classes="dialog ami-form"):
            yield Label("Copy AMI to region", classes="dialog-title")
            yield Static(
                f"{image_label(image)} from {image.region}. The copy is a new AMI owned by this account in the "
                "destination region; its snapshots are copied there (charged as EBS snapshot storage).",
                classes="dialog-body",
                markup=False,
            )
            yield Static("Destination region (enter opens the list)", classes="field-label")
            yield Select(options, value=default, allow_blank=False, id="copy-region", compact=True)
            yield Static("New name: 3-128 letters, digits, spaces and ( ) [ ] . / - ' @ _", classes="field-label")
            yield Input(default_copy_name(image), id="copy-name", compact=True)
            yield error_label("copy-name-error")
            yield Static("Description (optional)", classes="field-label")
            yield Input(f"Copy of {image.id} from {image.region}", id="copy-description", compact=True)
            yield error_label("copy-description-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy (enter)", id="copy", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#copy")
    def _submit(self) -> None:
        region = self.query_one("#copy-region", Select).value
        errors = {"name": "", "description": ""}
        name = description = ""
        try:
            name = check_image_name(self.query_one("#copy-name", Input).value)
        except ValidationError as exc:
            errors["name"] = str(exc)
        try:
            description = check_description(self.query_one("#copy-description", Input).value)
        except ValidationError as exc:
            errors["description"] = str(exc)
        show_error(self.query_one("#copy-name-error", Label), errors["name"])
        show_error(self.query_one("#copy-description-error", Label), errors["description"])
        if errors["name"]:
            self.query_one("#copy-name", Input).focus()
        elif errors["description"]:
            self.query_one("#copy-description", Input).focus()
        elif isinstance(region, str):
            self.dismiss(CopyRequest(region, name, description))


# -- sharing ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SharingChange:
    """What to change: ``public`` is None when public access stays as it is."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    public: bool | None = None

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove and self.public is None


_SEPARATORS = re.compile(r"[\s,;]+")


def parse_account_ids(text: str) -> list[str]:
    """Account IDs separated by spaces, commas or semicolons; each must be 12 digits (ValidationError otherwise)."""
    return check_account_ids([part for part in _SEPARATORS.split(text) if part], "add_account_ids")


def describe_permissions(permissions: LaunchPermissions) -> str:
    parts = ["public: anyone with an AWS account can launch it" if permissions.public else "private"]
    if permissions.account_ids:
        parts.append("shared with " + ", ".join(permissions.account_ids))
    if permissions.organization_arns or permissions.organizational_unit_arns:
        parts.append(
            f"and {len(permissions.organization_arns) + len(permissions.organizational_unit_arns)} "
            "organizations / OUs (unchanged here)"
        )
    return " · ".join(parts)


def describe_change(image: Image, change: SharingChange) -> str:
    """The confirmation text: every change on its own line."""
    lines = [f"{image_label(image)} in {image.region}:", ""]
    if change.public is True:
        lines.append("• Make it PUBLIC: every AWS account can launch it and read the data in its snapshots.")
    elif change.public is False:
        lines.append("• Make it private: remove public launch access (accounts it is shared with keep access).")
    if change.add:
        lines.append("• Share with " + ", ".join(change.add))
    if change.remove:
        lines.append("• Stop sharing with " + ", ".join(change.remove))
    return "\n".join(lines)


class ShareDialog(FreshKeysOnly, ModalScreen[SharingChange | None]):
    """Public access, the accounts it is shared with (uncheck to remove) and accounts to add."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ami_share.cancel")]
    ANSWER_KEYS = frozenset({"enter"})  # text typed in the burst that opened it still reaches the field
    AUTO_FOCUS = "#share-add"

    def __init__(self, image: Image, permissions: LaunchPermissions) -> None:
        super().__init__(classes="confirm ami-dialog")
        self.image, self.permissions = image, permissions

    def compose(self) -> ComposeResult:
        image, permissions = self.image, self.permissions
        with VerticalScroll(classes="dialog ami-form"):
            yield Label("Share / make public / make private", classes="dialog-title")
            yield Static(
                f"{image_label(image)} in {image.region}\nNow: {describe_permissions(permissions)}",
                classes="dialog-body",
                markup=False,
            )
            yield Check(
                "Public: anyone with an AWS account can launch it",
                permissions.public,
                id="share-public",
                compact=True,
            )
            if permissions.account_ids:
                yield Static("Shared with (untick to stop sharing):", classes="field-label")
                for account in permissions.account_ids:
                    yield Check(account, True, id=f"keep-{account}", classes="share-keep", compact=True)
            yield Static("Share with accounts (12-digit IDs, separated by spaces or commas):", classes="field-label")
            yield Input(placeholder="e.g. 111122223333 444455556666", id="share-add", compact=True)
            yield error_label("share-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review changes (enter)", id="share-apply", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
            yield Static("tab: next field · space: tick/untick · enter: review first", classes="dialog-hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def change(self) -> SharingChange:
        """The requested change (raises ValidationError on a bad account ID)."""
        add = parse_account_ids(self.query_one("#share-add", Input).value)
        current = set(self.permissions.account_ids)
        remove = tuple(
            account
            for account in self.permissions.account_ids
            if not self.query_one(f"#keep-{account}", Checkbox).value
        )
        public = self.query_one("#share-public", Checkbox).value
        return SharingChange(
            add=tuple(a for a in add if a not in current),
            remove=tuple(a for a in remove if a not in add),
            public=None if public == self.permissions.public else public,
        )

    @on(Input.Submitted, "#share-add")
    @on(Button.Pressed, "#share-apply")
    def _submit(self) -> None:
        error = self.query_one("#share-error", Label)
        try:
            change = self.change()
        except ValidationError as exc:
            show_error(error, str(exc))
            self.query_one("#share-add", Input).focus()
            return
        if change.empty:
            show_error(error, "Nothing to change: tick or untick something, or type account IDs to share with.")
            return
        show_error(error, "")
        self.dismiss(change)


# -- deregister -------------------------------------------------------------------------------------------------------
def snapshot_lines(image: Image) -> list[str]:
    lines = []
    for device in image.block_devices:
        if device.snapshot_id:
            size = f"{device.size_gib} GiB" if device.size_gib is not None else "size unknown"
            lines.append(f"{device.snapshot_id}  {device.device}  {size}")
    return lines


class DeregisterDialog(TypedConfirmScreen):
    """Type the AMI ID to confirm; a checkbox also deletes the EBS snapshots it was made of (listed).

    Dismisses True/False like :class:`TypedConfirmScreen`; read ``delete_snapshots`` afterwards.
    """

    AUTO_FOCUS = "#typed"

    def __init__(self, image: Image) -> None:
        body = (
            f"{image_label(image)} in {image.region} will be deregistered: nobody can launch it any more. "
            "Instances already running from it are not affected."
        )
        super().__init__("Deregister AMI", body, image.id)
        self.image = image
        self.delete_snapshots = False

    def compose(self) -> ComposeResult:
        snapshots = snapshot_lines(self.image)
        with Vertical(classes="dialog ami-form"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            if snapshots:
                plural = "s" if len(snapshots) != 1 else ""
                yield Static(
                    f"Its EBS snapshot{plural} {'stay' if plural else 'stays'} (and keep costing storage) "
                    "unless you tick this:",
                    classes="dialog-hint",
                )
                yield Check(
                    f"Also delete its {len(snapshots)} snapshot{plural} (cannot be undone)",
                    False,
                    id="delete-snapshots",
                    compact=True,
                )
                yield Static("\n".join(f"  {line}" for line in snapshots), id="snapshot-list", markup=False)
            else:
                yield Static("It has no EBS snapshots (instance store or no devices).", classes="dialog-hint")
            yield Static(
                f"Type {self.expected} and press enter to confirm (shift+tab reaches the checkbox, esc cancels):",
                markup=False,
            )
            yield Input(placeholder=self.expected, id="typed", compact=True)
            yield Label("", id="typed-error", classes="field-error")

    @on(Checkbox.Changed, "#delete-snapshots")
    def _snapshots_toggled(self, event: Checkbox.Changed) -> None:
        self.delete_snapshots = event.value
