"""AMI actions shared by the catalog and the detail screen: launch, copy to region, share, public/private, deregister.

Every change goes through the gateway (refused there in --read-only mode, which also invalidates the cached reads of
the regions it touched); the screen is told through :meth:`AmiActions.images_changed` so it can show the result at once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from ec2tui.aws.models.images import Image
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ReadOnlyError
from ec2tui.key_gate import hold_keys
from ec2tui.screens.ami_dialogs import (
    CopyToRegionDialog,
    DeregisterDialog,
    ImageProgressDialog,
    ShareDialog,
    SharingChange,
    describe_change,
)
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.host import ScreenMixin
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.screens.mutation_guard import IMAGE, guard_of, refusal

if TYPE_CHECKING:
    from ec2tui.app import Ec2App

ACTION_BINDINGS = [
    Binding("l", "launch", "Launch", id="amis.launch"),
    Binding("r", "copy_to_region", "Copy to region", id="amis.copy_to_region"),
    Binding("p", "share", "Share", id="amis.share"),
    Binding("ctrl+d", "deregister", "Deregister", id="amis.deregister"),
]

# The gateway's action names, so a refusal before any dialog reads exactly like the gateway's own.
COPY_ACTION = "Copy image"
SHARE_ACTION = "Change image sharing"
PUBLIC_ACTION = "Make image public"
DEREGISTER_ACTION = "Deregister image"


def follow_new_image(app: Ec2App, title: str, body: str, image_id: str, region: str) -> None:
    """Follow a new image (created from an instance, or copied) to ``available`` in a dialog, then do what the user
    picks there: launch from it (the launch form with it chosen) or show My AMIs of its region."""
    can_launch = callable(getattr(app, "launch_from_image", None))

    def answered(answer: str | None) -> None:
        if answer is None:
            return
        if app.region != region:  # said on the dialog's button, and notified by set_region
            app.set_region(region)
        if answer == "launch":
            app.launch_from_image(image_id)
        else:
            app.navigate("amis mine")

    app.push_screen(ImageProgressDialog(title, body, image_id, region, can_launch=can_launch), answered)


class AmiActions(ScreenMixin):
    """Mixin for a Screen that has a current image; it implements ``action_image`` and ``images_changed``."""

    # -- what the screen supplies -----------------------------------------------------------------------------
    def action_image(self) -> Image | None:
        raise NotImplementedError

    def images_changed(self, regions: set[str], *, removed: str | None = None) -> None:
        """Called after a change succeeded (the gateway already forgot those regions' cached reads)."""

    # -- helpers ----------------------------------------------------------------------------------------------
    def _image_or_warn(self) -> Image | None:
        image = self.action_image()
        if image is None:
            self.ec2app.notify("Select an AMI first.", severity="warning")
        return image

    def _refused(self, action: str) -> bool:
        if self.ec2app.read_only:
            self.ec2app.notify(str(ReadOnlyError(action)), title="Read-only", severity="error", markup=False)
            return True
        return False

    def _not_owner(self, image: Image, what: str) -> bool:
        """Only the owner may share or deregister; say so rather than let AWS answer with an auth error."""
        account = self.ec2app.account
        if account and account.isdigit() and image.owner_id and image.owner_id != account:
            owner = image.owner_alias or image.owner_id
            self.ec2app.notify(
                f"Only the owning account can {what} {image.id} (owner: {owner}). Copy it to your account first "
                "(Copy AMI to region: the same region works too).",
                severity="warning",
                markup=False,
            )
            return True
        return False

    def _error(self, exc: Ec2TuiError) -> None:
        title = "Read-only" if isinstance(exc, ReadOnlyError) else "AWS error"
        self.ec2app.notify(str(exc), title=title, severity="error", markup=False, timeout=10)

    def _refuse_busy(self, image: Image) -> bool:
        busy = guard_of(self.app).busy(IMAGE, [image.id])
        if busy is not None:
            self.ec2app.notify(refusal(busy), severity="warning", markup=False, timeout=8)
            return True
        return False

    def _start(self, image: Image, flow: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run the asking part of an action (dialogs, no change yet): a new one replaces one still asking, which is
        safe because nothing was sent; the change itself is sent by :meth:`_send`, which nothing cancels."""
        if not self._refuse_busy(image):
            self.run_worker(deferred(flow), group="ami-ask", exclusive=True, exit_on_error=False)

    async def _send(self, image: Image, what: str, change: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Send one change to ``image`` while holding it: a second one meanwhile is refused, never sent."""
        hold = guard_of(self.app).acquire(IMAGE, [image.id], what)
        if hold is None:
            self._refuse_busy(image)
            return
        with hold:
            await change()

    def _send_later(self, image: Image, what: str, change: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """:meth:`_send` in its own worker (not exclusive): leaving the asking worker never cancels the change."""
        self.run_worker(deferred(self._send, image, what, change), group="ami-send", exit_on_error=False)

    # -- launch -----------------------------------------------------------------------------------------------
    def can_launch(self) -> bool:
        """The launch form is built separately: `l` and "Launch from AMI" exist only when the app offers it."""
        return callable(getattr(self.app, "launch_from_image", None))

    def action_launch(self) -> None:
        image = self._image_or_warn()
        if image is None or not self.can_launch():
            return
        if image.region != self.ec2app.region:
            self.ec2app.set_region(image.region)
        self.ec2app.launch_from_image(image.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "launch":
            return self.can_launch()
        return True

    # -- copy to region ---------------------------------------------------------------------------------------
    def action_copy_to_region(self) -> None:
        image = self._image_or_warn()
        if image is not None and not self._refused(COPY_ACTION):
            self._start(image, partial(self._copy_flow, image))

    async def _copy_flow(self, image: Image) -> None:
        app = self.ec2app
        try:
            with hold_keys(app):  # keys typed meanwhile go to the dialog, not the list
                regions = await app.gateway.regions.list()
        except Ec2TuiError as exc:
            self._error(exc)
            return
        request = await app.push_screen_wait(CopyToRegionDialog(image, regions))
        if request is not None:
            self._send_later(image, f"Copying {image.id} to {request.dest_region}", lambda: self._copy(image, request))

    async def _copy(self, image: Image, request: Any) -> None:
        app = self.ec2app
        app.notify(f"Copying {image.id} to {request.dest_region}…", markup=False)
        try:
            new_id = await app.gateway.images.copy_image(
                image.region, image.id, request.name, request.description, dest_region=request.dest_region
            )
        except Ec2TuiError as exc:
            self._error(exc)
            return
        self.images_changed({image.region, request.dest_region})
        body = (
            f"{request.name} is being created in {request.dest_region} from {image.id} ({image.region}). "
            "It stays 'pending' until its snapshots are copied; you can launch it once it is 'available'."
        )
        follow_new_image(self.ec2app, "AMI copy started", body, new_id, request.dest_region)

    # -- sharing ----------------------------------------------------------------------------------------------
    def action_share(self) -> None:
        image = self._image_or_warn()
        if image is not None and not self._refused(SHARE_ACTION) and not self._not_owner(image, "share"):
            self._start(image, partial(self._share_flow, image))

    def action_make_public(self) -> None:
        self._quick_sharing(SharingChange(public=True), PUBLIC_ACTION)

    def action_make_private(self) -> None:
        self._quick_sharing(SharingChange(public=False), SHARE_ACTION)

    def _quick_sharing(self, change: SharingChange, action: str) -> None:
        image = self._image_or_warn()
        if image is None or self._refused(action) or self._not_owner(image, "change the launch permissions of"):
            return
        if change.public is not None and image.public == change.public:
            state = "public" if image.public else "private"
            self.ec2app.notify(f"{image.id} is already {state}.", markup=False)
            return
        self._start(image, partial(self._confirm_and_apply, image, change))

    async def _share_flow(self, image: Image) -> None:
        app = self.ec2app
        try:
            with hold_keys(app):  # keys typed meanwhile go to the dialog, not the list
                detail = await app.gateway.images.detail(image.id, image.region, refresh=True)
        except Ec2TuiError as exc:
            self._error(exc)
            return
        if detail.launch_permissions is None:
            app.notify(f"AWS does not let this account read who may launch {image.id}.", severity="warning")
            return
        change = await app.push_screen_wait(ShareDialog(detail.image, detail.launch_permissions))
        if change is not None:
            await self._confirm_and_apply(detail.image, change)

    async def _confirm_and_apply(self, image: Image, change: SharingChange) -> None:
        app = self.ec2app
        confirmed = await app.push_screen_wait(
            ConfirmScreen("Change who may launch this AMI?", describe_change(image, change), danger=bool(change.public))
        )
        if not confirmed:
            app.notify("Nothing was changed.", markup=False)
            return
        self._send_later(image, f"Changing who may launch {image.id}", lambda: self._apply_sharing(image, change))

    async def _apply_sharing(self, image: Image, change: SharingChange) -> None:
        app = self.ec2app
        try:
            permissions = await app.gateway.images.set_launch_permissions(
                image.id,
                image.region,
                add_account_ids=change.add,
                remove_account_ids=change.remove,
                public=change.public,
            )
        except Ec2TuiError as exc:
            self._error(exc)
            return
        state = "public" if permissions.public else "private"
        shared = f", shared with {', '.join(permissions.account_ids)}" if permissions.account_ids else ""
        app.notify(f"{image.id} is now {state}{shared}.", title="Launch permissions", markup=False)
        self.images_changed({image.region})

    # -- deregister -------------------------------------------------------------------------------------------
    def action_deregister(self) -> None:
        image = self._image_or_warn()
        if image is not None and not self._refused(DEREGISTER_ACTION) and not self._not_owner(image, "deregister"):
            self._start(image, partial(self._deregister_flow, image))

    async def _deregister_flow(self, image: Image) -> None:
        app = self.ec2app
        dialog = DeregisterDialog(image)
        if not await app.push_screen_wait(dialog):
            app.notify("Nothing was changed.", markup=False)
            return
        delete_snapshots = dialog.delete_snapshots
        self._send_later(image, f"Deregistering {image.id}", lambda: self._deregister(image, delete_snapshots))

    async def _deregister(self, image: Image, delete_snapshots: bool) -> None:
        app = self.ec2app
        try:
            deleted = await app.gateway.images.deregister(image.id, image.region, delete_snapshots=delete_snapshots)
        except Ec2TuiError as exc:
            self._error(exc)
            # It may be gone even if a snapshot could not be deleted: show the region as it is now.
            self.images_changed({image.region})
            return
        also = f" and deleted {', '.join(deleted)}" if deleted else ""
        app.notify(f"Deregistered {image.id}{also}.", title="AMI deregistered", markup=False)
        self.images_changed({image.region}, removed=image.id)

    # -- palette ----------------------------------------------------------------------------------------------
    def ami_palette_commands(self) -> Iterable[PaletteCommand]:
        # Every entry runs the action its key runs (same checks and messages): see action_command.
        screen: Any = self
        if self.can_launch():
            yield action_command(screen, "Launch from AMI", "Open the launch form with this AMI (l)", "launch")
        for title, help, action in (
            ("Copy AMI to region", "Copy this AMI into another region, as a new AMI (r)", "copy_to_region"),
            ("Share AMI", "Share with accounts, make public or private (p)", "share"),
            ("Make AMI public", "Let every AWS account launch this AMI", "make_public"),
            ("Make AMI private", "Remove public launch access", "make_private"),
            ("Deregister AMI", "Deregister it, optionally deleting its snapshots (ctrl+d)", "deregister"),
        ):
            yield action_command(screen, title, help, action)
