"""The launch review: every choice, what will be created, the AWS CLI equivalent and the run_instances JSON.

`y` launches (this screen is the confirmation), `v` asks AWS with a dry run, `c` / `j` copy the CLI command / JSON,
escape goes back to the form with everything kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ec2tui.aws.models.launch import (
    AdvancedSpec,
    FieldError,
    LaunchRequest,
    LaunchResult,
    VolumeSpec,
    all_tags,
    blocking,
)
from ec2tui.aws.models.launch_templates import template_launch
from ec2tui.aws.models.launch_validation import field_label, key_file_path
from ec2tui.aws.user_data import looks_like
from ec2tui.clipboard import copy_text
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ReadOnlyError, ValidationError
from ec2tui.formatting import format_memory, format_storage
from ec2tui.launch.prices import estimate_lines, launch_estimate
from ec2tui.launch.sections.user_data import user_data_summary
from ec2tui.launch.state import LaunchFormState, no_quit_message
from ec2tui.screens.confirm import FreshKeysOnly
from ec2tui.screens.host import UsesEc2App
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.screens.mutation_guard import LAUNCH, Hold, guard_of, refusal
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import ERROR, SUCCESS, WARNING, bold

READ_ONLY_MESSAGE = (
    "Read-only mode (--read-only): launching is refused. The review, the dry run (v) and the exports (c, j) still work."
)


def local_failure(exc: Ec2TuiError, request: LaunchRequest) -> str | None:
    """What failed on this machine (a key file, its directory) when the launch stopped there, else ``None``.

    The gateway turns every exception of a call into an AwsError; a local one keeps the OSError as its cause. The
    launch creates the key pair first and deletes it again when saving its private key fails, so no instance, group
    or key pair is left in AWS.
    """
    cause = exc.__cause__
    if not isinstance(cause, OSError) or type(cause).__module__ != "builtins":
        return None
    key = request.key_pair
    path = cause.filename or (key_file_path(key.name, key.directory) if key.choice == "new" and key.name else "?")
    reason = cause.strerror or str(cause) or type(cause).__name__
    created = " (a key pair AWS had already created for it is deleted again)" if key.choice == "new" else ""
    return (
        f"Not launched: a local file operation failed, not AWS: {path}: {reason}. No instance was started"
        f"{created}. Choose another folder for the private key (or fix its permissions) and launch again."
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def count_text(request: LaunchRequest) -> str:
    low, high = request.min_count, request.max_count
    if low == high:
        return _plural(low, "instance") if isinstance(low, int) else f"{low} instances"
    return f"{low} to {high} instances"


def volume_text(volume: VolumeSpec, label: str) -> str:
    size = f"{volume.size_gib} GiB" if volume.size_gib is not None else "the AMI's size"
    parts = [f"{label} {size} {volume.volume_type}"]
    if volume.iops is not None:
        parts.append(f"{volume.iops} IOPS")
    if volume.throughput is not None:
        parts.append(f"{volume.throughput} MiB/s")
    parts.append("encrypted" if volume.encrypted else "not encrypted")
    parts.append("deleted on termination" if volume.delete_on_termination else "kept after termination")
    return ", ".join(parts)


def advanced_text(advanced: AdvancedSpec) -> str:
    """The advanced details that differ from AWS's defaults, or "AWS defaults"."""
    parts = []
    if advanced.purchasing == "spot":
        price = advanced.spot_max_price.strip()
        parts.append(f"Spot (max ${price}/h)" if price else "Spot (up to the On-Demand price)")
    if advanced.iam_instance_profile.strip():
        parts.append(f"IAM profile {advanced.iam_instance_profile.strip()}")
    metadata = {"required": "IMDSv2 only", "optional": "IMDSv1 and v2", "disabled": "metadata off"}
    if advanced.metadata in metadata:
        parts.append(metadata[advanced.metadata])
    if advanced.shutdown_behavior == "terminate":
        parts.append("shutdown terminates")
    if advanced.termination_protection:
        parts.append("termination protection")
    if advanced.detailed_monitoring:
        parts.append("detailed monitoring")
    return " · ".join(parts) or "AWS defaults"


def rule_text(rule) -> str:
    if rule.protocol == "all":
        ports = "all traffic"
    elif rule.protocol == "icmp":
        ports = f"ICMP type {rule.from_port} code {rule.to_port}"
    else:
        ports = f"{rule.protocol} {rule.from_port}" + (f"-{rule.to_port}" if rule.to_port != rule.from_port else "")
    description = f" ({rule.description})" if rule.description else ""
    return f"{ports} from {rule.cidr}{description}"


class LaunchReviewScreen(UsesEc2App, FreshKeysOnly, Screen["tuple[LaunchResult, LaunchRequest] | None"]):
    """Pushed over the launch form (same mode) with a copy of its request, shown and never changed here. It
    launches in the form's region whatever the app's region becomes meanwhile (it says so), and answers the form
    through ``dismiss``: the launch's result and the request launched, or None when the user goes back."""

    BINDINGS = [
        Binding("y", "launch", "Launch", id="launch_review.launch"),
        Binding("v", "dry_run", "Dry run", id="launch_review.dry_run"),
        Binding("c", "copy_cli", "Copy CLI", id="launch_review.copy_cli"),
        Binding("j", "copy_json", "Copy JSON", id="launch_review.copy_json"),
        Binding("escape", "back", "Back to form", id="launch_review.back"),
        Binding("q", "no_quit", "Quit", show=False, id="launch_review.no_quit"),
    ]

    def __init__(
        self,
        request: LaunchRequest,
        state: LaunchFormState,
        *,
        region: str,
        drafts_enabled: bool,
        form_id: int = 0,
    ) -> None:
        super().__init__(id="launch-review")
        self.request = request
        self.state = state
        self.launch_region = region
        """Where this review launches: the form's region, fixed while the review is open."""
        self.drafts_enabled = drafts_enabled
        self.form_id = form_id
        self.issues: list[FieldError] = list(state.issues)
        self.launching = False
        self.result: LaunchResult | None = None
        self.cli_text: str | None = None
        self.json_text: str | None = None
        self.json_title = "run_instances parameters (JSON)"
        self.json_note = ""
        """Why ``json_text`` is more than one run_instances document (the launch creates a key pair or group)."""

    @property
    def errors(self) -> list[FieldError]:
        return blocking(self.issues)

    # -- exports ----------------------------------------------------------------------------------------------
    def creates_resources(self) -> bool:
        return self.request.key_pair.choice == "new" or self.request.security_groups.new_group is not None

    def _exports(self) -> tuple[str | None, str | None]:
        launch = self.app.gateway.launch  # type: ignore[attr-defined]
        try:
            cli = (
                launch.cli_script(self.request, self.launch_region)
                if self.creates_resources()
                else launch.cli_command(self.request, self.launch_region)
            )
            export = launch.json_export(self.request, self.launch_region)
            template = self.state.template
            if template is not None and not self.creates_resources():
                cli = launch.template_cli_command(self.request, template, self.launch_region)
                plan = template_launch(self.request, template)
                how = "template + overrides" if plan.referenced else "resolved"
                title = f"run_instances parameters (JSON, {how})"
                return cli, self._json_of(plan.params, title)
        except (ValueError, TypeError):  # a number typed wrong: the form shows which
            return None, None
        self.json_title, self.json_note = export.title, "" if export.runnable else export.note
        return cli, export.text

    def _json_of(self, params: dict[str, object], title: str) -> str:
        self.json_title, self.json_note = title, ""
        return json.dumps(params, indent=2, default=str)

    def template_text(self) -> str:
        """How the launch uses the template the form was filled from ("" when it was not)."""
        template = self.state.template
        if template is None:
            return ""
        try:
            plan = template_launch(self.request, template)
        except (ValueError, TypeError):
            return ""
        text = plan.summary(template)
        if self.creates_resources():
            text = (
                f"Sends the resolved parameters, not a reference to launch template {template.template_name}: "
                "the launch creates a key pair or security group first."
            )
        if not plan.referenced and template.not_copied:
            text += " Not sent (the form has no field for it): " + "; ".join(template.not_copied) + "."
        return text

    # -- composition ------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.cli_text, self.json_text = self._exports()
        yield AppHeader()
        yield Static(id="review-title", classes="screen-title")
        with VerticalScroll(id="review-body"):
            yield Static(id="review-banner")
            yield Static(id="review-answer", markup=False)
            yield Static(self.creates_text(), id="review-creates")
            if self.state.template is not None:
                yield Static(self.template_text(), id="review-template", markup=False)
            yield Static(self.issues_text(), id="review-issues")
            yield Static(self.summary_table(), id="review-summary")
            yield Static("Estimated cost: asking the AWS Price List…", id="review-cost", markup=False)
            cli_title = "AWS CLI script (creates the key pair / group first) · c copies"
            yield Label(cli_title if self.creates_resources() else "AWS CLI command · c copies", classes="code-title")
            yield Static(
                self.cli_text or "Fix the form first: shown once every number is valid.",
                id="review-cli",
                classes="code-box",
                markup=False,
            )
            yield Label(f"{self.json_title} · j copies", classes="code-title", markup=False)
            if self.json_note:
                yield Static(self.json_note, id="review-json-note", markup=False)
            yield Static(self.json_text or "Fix the form first.", id="review-json", classes="code-box", markup=False)
            yield Static(
                "Dry run: press v to ask AWS whether this launch would succeed (nothing is created).",
                id="review-dry-run",
                markup=False,
            )
        yield StableFooter()

    def on_mount(self) -> None:
        self.query_one("#review-answer", Static).display = False
        self.show_region()
        self.update_banner()
        self.query_one("#review-body").focus()
        self.run_worker(deferred(self._estimate), group="estimate", exclusive=True, exit_on_error=False)

    async def _estimate(self) -> None:
        """The estimated cost under the summary: a price that cannot be had is "—" and its hint, never an error."""
        found = await launch_estimate(self.ec2app.gateway, self.request, self.state)
        text = Text("Estimated cost (per month, 730 h):\n", style="bold")
        text.append("\n".join(estimate_lines(found)))
        self.query_one("#review-cost", Static).update(text)

    def on_screen_resume(self) -> None:
        self.show_region()

    def show_region(self) -> None:
        """The title says where the launch goes; when the app's region changed meanwhile, it says both."""
        title = Text("Review launch", style="bold")
        title.append(f" · launches in {self.launch_region}", style="bold")
        app_region = self.ec2app.region
        if app_region != self.launch_region:
            title.append(
                f" (the app is now in {app_region}; this launch stays in {self.launch_region}: escape moves the form)",
                style=WARNING,
            )
        self.query_one("#review-title", Static).update(title)

    def show_answer(self, text: Text) -> None:
        """An answer (the dry run's) at the top of the review, scrolled into view: where the user is."""
        answer = self.query_one("#review-answer", Static)
        answer.update(text)
        answer.display = True
        self.query_one("#review-body", VerticalScroll).scroll_home(animate=False)

    def update_banner(self, message: str | None = None, *, style: str = "") -> None:
        banner = self.query_one("#review-banner", Static)
        if message is not None:
            banner.update(Text(message, style=style))
        elif self.ec2app.read_only:
            banner.update(Text(READ_ONLY_MESSAGE, style=bold(WARNING)))
        elif self.errors:
            banner.update(
                Text(
                    f"Launch disabled: fix {_plural(len(self.errors), 'problem')} first (listed below; "
                    "escape returns to the form, where each is shown next to its field).",
                    style=bold(ERROR),
                )
            )
        else:
            banner.update(Text("y launches now: this review is the confirmation.", style=bold(SUCCESS)))

    def creates_text(self) -> Text:
        request = self.request
        text = Text("This launch will create:\n", style="bold")
        spot = " (Spot: AWS may reclaim it with 2 minutes' notice)" if request.advanced.purchasing == "spot" else ""
        what = f"{count_text(request)} of {request.instance_type or '?'} from {request.image_id or '?'}{spot}"
        text.append(f"  • {what}\n")
        key = request.key_pair
        if key.choice == "new":
            path = key_file_path(key.name, key.directory) if key.name else "?"
            text.append(f"  • a new {key.key_type} key pair '{key.name}': private key saved to {path} (mode 0600)\n")
        group = request.security_groups.new_group
        if group is not None:
            vpc = request.network.vpc_id or "the default VPC"
            text.append(f"  • a new security group '{group.name}' in {vpc} with {_plural(len(group.rules), 'rule')}")
            text.append("".join(f"\n      {rule_text(r)}" for r in group.rules) + "\n")
        volumes = 1 + len(request.volumes) if request.root_volume.device_name else len(request.volumes)
        if volumes:
            text.append(f"  • {_plural(volumes, 'EBS volume')} per instance\n")
        return text

    def issues_text(self) -> Text:
        text = Text()
        for issue in self.issues:
            where = f"{field_label(issue.field)}: " if issue.field else ""
            if issue.is_warning:
                text.append(f"⚠ {where}{issue.message}\n", style=WARNING)
            else:
                text.append(f"✗ {where}{issue.message}\n", style=bold(ERROR))
        return text

    def summary_table(self) -> Table:
        request, state = self.request, self.state
        table = Table(box=None, show_header=False, expand=True, pad_edge=False)
        table.add_column("What", style="bold", no_wrap=True, width=18)
        table.add_column("Choice")
        tags = ", ".join(f"{t['Key']}={t['Value']}" for t in all_tags(request)) or "none"
        table.add_row("Name and tags", tags)
        facts = state.facts if state.facts and state.facts.image_id == request.image_id else None
        image = request.image_id or "—"
        if facts is not None:
            image += f" · {facts.name} · {facts.architecture} · {'Windows' if facts.is_windows else 'Linux/UNIX'}"
        table.add_row("AMI", image)
        info = state.type_info()
        kind = request.instance_type or "—"
        if info is not None:
            kind += f" · {info.vcpus} vCPU · {format_memory(info.memory_gib)} GiB · {info.network_performance}"
            kind += " · free tier" if info.free_tier_eligible else ""
        table.add_row("Instance type", kind)
        key = request.key_pair
        key_text = {"existing": f"existing: {key.name}", "new": f"new: {key.name} ({key.key_type})"}.get(
            key.choice, "none (no SSH/RDP key)"
        )
        table.add_row("Key pair", key_text)
        network = request.network
        subnet = state.subnet(network.subnet_id)
        where = f"{network.vpc_id or 'default VPC'} · "
        where += f"{subnet.subnet_id} ({subnet.availability_zone})" if subnet else network.subnet_id or "any subnet"
        public = {None: "subnet default", True: "enabled", False: "disabled"}[network.public_ip]
        table.add_row("Network", f"{where} · public IP {public}")
        groups = list(request.security_groups.existing_ids)
        names = {g.group_id: g.name for g in state.groups or ()}
        group_text = [f"{g} ({names[g]})" if g in names else g for g in groups]
        if request.security_groups.new_group is not None:
            group_text.append(f"new: {request.security_groups.new_group.name}")
        table.add_row("Security groups", ", ".join(group_text) or "the VPC's default group")
        storage = [volume_text(request.root_volume, f"root {request.root_volume.device_name}")]
        storage += [volume_text(v, v.device_name) for v in request.volumes]
        if info is not None and info.storage is not None:
            storage.append(f"instance store {format_storage(info)}")
        table.add_row("Storage", "\n".join(storage))
        user_data = user_data_summary(request.user_data)
        if request.user_data:
            user_data += f" · {looks_like(request.user_data)}"
        table.add_row("User data", user_data)
        table.add_row("Count", count_text(request))
        table.add_row("Advanced", advanced_text(request.advanced))
        return table

    # -- actions ----------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a launch is out `y` stays enabled so that a second press is refused with a message, not ignored.
        if action == "launch" and self.unavailable_reason(action):
            return None  # shown greyed out; the banner says why
        return True

    def unavailable_reason(self, action: str) -> str | None:
        """Why ``action`` is disabled (the palette says it; the key is greyed out), or ``None``."""
        if action != "launch":
            return None
        if self.result is not None:
            return f"Already launched ({', '.join(self.result.instance_ids)}): escape returns to the form."
        if self.errors:
            return f"Launch disabled: fix {_plural(len(self.errors), 'problem')} first (escape returns to the form)."
        return None

    def action_no_quit(self) -> None:
        self.ec2app.notify(no_quit_message(self.drafts_enabled), markup=False)

    def action_back(self) -> None:
        if not self.launching:
            self.dismiss(None)

    def _copy(self, text: str | None, what: str) -> None:
        if text is None:
            self.ec2app.notify(f"Fix the form first: the {what} needs valid numbers.", severity="warning")
            return
        how = copy_text(text, self.app.copy_to_clipboard)
        lines = text.count("\n") + 1
        self.ec2app.notify(f"Copied the {what} ({_plural(lines, 'line')}) to the {how}.", markup=False)

    def action_copy_cli(self) -> None:
        self._copy(self.cli_text, "AWS CLI script" if self.creates_resources() else "AWS CLI command")

    def action_copy_json(self) -> None:
        self._copy(self.json_text, self.json_title)

    @work(exclusive=True, group="dry-run", exit_on_error=False)
    async def action_dry_run(self) -> None:
        widget = self.query_one("#review-dry-run", Static)
        self.show_answer(Text(f"Dry run: asking AWS ({self.launch_region})…", style="bold"))
        try:
            result = await self.ec2app.gateway.launch.dry_run(self.request, self.launch_region)
        except Ec2TuiError as exc:
            answer = Text(f"Dry run failed: {exc}", style=bold(ERROR))
        else:
            if result.ok:
                answer = Text(f"Dry run ✓ {result.message} (DryRun: nothing was created)", style=bold(SUCCESS))
            else:
                code = f" [{result.code}]" if result.code else ""
                answer = Text(f"Dry run ✗ {result.message}{code}", style=bold(ERROR))
        widget.update(answer)
        self.show_answer(answer)
        ok = answer.plain.startswith("Dry run ✓")
        self.ec2app.notify(answer.plain, title="Dry run", severity="information" if ok else "error", markup=False)

    @property
    def launch_target(self) -> str:
        """What a launch holds in the app's mutation guard: the form (one launch of it at a time)."""
        return f"form-{self.form_id or id(self)}"

    def action_launch(self) -> None:
        why = self.unavailable_reason("launch")
        if why is not None:
            self.ec2app.notify(why, title="Launch", severity="warning", markup=False)
            return
        hold = guard_of(self.app).acquire(LAUNCH, [self.launch_target], "A launch")
        if hold is None:  # a second y / click / palette "Launch" while the first is out
            self.ec2app.notify(refusal("A launch"), title="Launch", severity="warning", markup=False)
            return
        self.launching = True
        self.refresh_bindings()
        self.update_banner("Launching…", style="bold")
        # Not exclusive: nothing may cancel a launch half-way (AWS may have created the instances already).
        self.run_worker(deferred(self._launch, hold), group="launch", exit_on_error=False)

    async def _launch(self, hold: Hold) -> None:
        with hold:
            try:
                template = self.state.template if not self.creates_resources() else None
                result = await self.ec2app.gateway.launch.launch(self.request, self.launch_region, template=template)
            except ReadOnlyError:
                self.update_banner(READ_ONLY_MESSAGE, style=bold(WARNING))
                self.ec2app.notify(READ_ONLY_MESSAGE, severity="warning", markup=False)
                return
            except ValidationError as exc:
                where = f" ({field_label(exc.field)})" if getattr(exc, "field", None) else ""
                self.update_banner(f"Not launched: {exc}{where}. escape returns to the form.", style=bold(ERROR))
                self.ec2app.notify(str(exc), title="Not launched", severity="error", markup=False)
                return
            except Ec2TuiError as exc:
                local = local_failure(exc, self.request)
                if local is not None:
                    kept = "Nothing in the form was lost: escape returns to it."
                    self.update_banner(f"{local}\n{kept}", style=bold(ERROR))
                    self.ec2app.notify(local, title="Not launched", severity="error", markup=False, timeout=15)
                    return
                self.update_banner(
                    f"AWS refused the launch: {exc}\nNothing in the form was lost: escape returns to it.",
                    style=bold(ERROR),
                )
                self.ec2app.notify(str(exc), title="Launch failed", severity="error", markup=False, timeout=15)
                return
            finally:
                self.launching = False
                self.refresh_bindings()
        self.result = result
        self.refresh_bindings()
        ids = ", ".join(result.instance_ids)
        self.update_banner(f"Launched {ids}.", style=bold(SUCCESS))
        self.ec2app.notify(f"Launched {ids} in {self.launch_region}", title="Launch", markup=False, timeout=15)
        self.dismiss((result, self.request))

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Launch", "Launch the instances now (y)", "launch")
        yield action_command(self, "Dry run", "Ask AWS whether the launch would succeed (v)", "dry_run")
        yield action_command(self, "Copy AWS CLI command", "The run-instances command or script (c)", "copy_cli")
        yield action_command(self, "Copy run_instances JSON", "The parameters as JSON (j)", "copy_json")
        yield action_command(self, "Back to the form", "Everything is kept (escape)", "back")


class LaunchedScreen(ModalScreen[bool]):
    """What was launched and created; enter goes to the instances list (dismisses True), escape stays."""

    BINDINGS = [
        Binding("enter", "done(True)", "Go to instances", id="launched.instances"),
        Binding("c", "copy", "Copy instance IDs", id="launched.copy"),
        Binding("escape", "done(False)", "Back to the form", id="launched.back"),
        Binding("q", "no_quit", "Quit", show=False, id="launched.no_quit"),
    ]

    def __init__(self, result: LaunchResult, region: str) -> None:
        super().__init__(classes="confirm", id="launched")
        self.result, self.region_name = result, region

    def compose(self) -> ComposeResult:
        result = self.result
        with Vertical(classes="dialog launched-dialog"):
            yield Label(
                f"Launched {_plural(len(result.instance_ids), 'instance')} in {self.region_name}",
                classes="dialog-title",
            )
            yield Static("\n".join(result.instance_ids), id="launched-ids", markup=False)
            lines = []
            if result.key_file:
                lines.append(f"Private key saved to {result.key_file} (mode 0600; keep it safe, AWS has no copy).")
            if result.security_group_id:
                lines.append(f"Security group created: {result.security_group_id}.")
            lines.append('The form starts afresh; ctrl+l there brings this launch back ("launch again").')
            lines.append("")
            lines.append(
                "enter: go to instances (watch them go from pending to running) · c: copy the IDs · "
                "esc: back to the form"
            )
            yield Static("\n".join(lines), classes="dialog-body", markup=False)

    def action_copy(self) -> None:
        self.app.copy_and_notify(" ".join(self.result.instance_ids), "instance IDs")  # type: ignore[attr-defined]

    def action_no_quit(self) -> None:
        self.app.notify(no_quit_message(None), markup=False)

    def action_done(self, go: bool) -> None:
        self.dismiss(go)
