"""From an instance to the launch form: "Launch more like this" (the form filled from the instance), and "Create
launch template from instance" (that same request saved as a template, reviewed first). A mixin of the instance
screens (list and detail), reached from the palette."""

from __future__ import annotations

from typing import Any

from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError
from ec2tui.key_gate import hold_keys
from ec2tui.launch.from_instance import CopiedRequest, request_from_instance


def open_launch_form(app: Any) -> Any:
    """The launch form (the ``launch`` mode's base screen), shown, with any dialog over it closed."""
    app.switch_mode("launch")
    while len(app.screen_stack) > 1:
        app.pop_screen()
    return app.screen_stack[0]


async def copy_instance(app: Any, instance_id: str, region: str) -> CopiedRequest:
    """The instance's detail and user data (in its own region), as a launch request."""
    gateway = app.gateway
    detail = await gateway.instances.detail(instance_id, region)
    user_data: str | None
    try:
        user_data = await gateway.instances.user_data(instance_id, region) or ""
    except Ec2TuiError:
        user_data = None  # listed as not copied
    return request_from_instance(detail, user_data)


class LaunchFromInstance:
    """Mixin: needs ``cursor_instance()`` and ``ec2app`` from its host (typed loosely: a mixin)."""

    def _in_current_profile(self, instance: Any, what: str) -> bool:
        """The launch form and the templates belong to the app's context: an instance listed through another profile
        (the multi-account view) names that account's AMI, subnet and groups, so it is refused with the way there."""
        host: Any = self
        profile_of = getattr(host, "profile_of", None)
        profile = profile_of(instance) if profile_of is not None else host.ec2app.context.profile
        if profile == host.ec2app.context.profile:
            return True
        host.ec2app.notify(
            f"{instance.id} belongs to profile {profile}: switch to it first (:profile {profile}) to {what}.",
            severity="warning",
            markup=False,
        )
        return False

    def action_launch_like_this(self) -> None:
        host: Any = self
        instance = host.cursor_instance()
        if instance is None:
            host.ec2app.notify("No instance selected.", severity="warning")
            return
        if not self._in_current_profile(instance, "launch more like it"):
            return
        host.run_worker(
            deferred(self._launch_like, instance.id, instance.region), group="launch-like", exit_on_error=False
        )

    async def _launch_like(self, instance_id: str, region: str) -> None:
        host: Any = self
        app = host.ec2app
        try:
            with hold_keys(app):  # keys typed meanwhile go to the form, not the list
                copied = await copy_instance(app, instance_id, region)
        except Ec2TuiError as exc:
            app.notify(
                f"Could not read {instance_id}: {exc}", title="Launch more like this", severity="error", markup=False
            )
            return
        form = open_launch_form(app)
        form.return_mode = "instances"
        form.fill_from(copied)

    def action_template_from_instance(self) -> None:
        host: Any = self
        instance = host.cursor_instance()
        if instance is None:
            host.ec2app.notify("No instance selected.", severity="warning")
            return
        if not self._in_current_profile(instance, "make a launch template from it"):
            return
        host.run_worker(
            deferred(self._template_from, instance.id, instance.region), group="launch-like", exit_on_error=False
        )

    async def _template_from(self, instance_id: str, region: str) -> None:
        from ec2tui.launch.save_template import SaveTemplateScreen  # the launch package loads on first use

        host: Any = self
        app = host.ec2app
        try:
            with hold_keys(app):  # keys typed meanwhile go to the form, not the list
                copied = await copy_instance(app, instance_id, region)
        except Ec2TuiError as exc:
            app.notify(f"Could not read {instance_id}: {exc}", title="Create template", severity="error", markup=False)
            return
        app.push_screen(SaveTemplateScreen(copied.request, region, origin=copied.origin, not_copied=copied.not_copied))
