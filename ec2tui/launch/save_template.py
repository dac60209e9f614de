""" "Save as launch template": the form's request (or an instance's, "Create template from instance") saved as a new
launch template or a new version of one. The screen is the review: the template data and the equivalent
``aws ec2 create-launch-template`` command show before anything is saved (ctrl+s); read-only mode refuses it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from ec2tui.aws.launch_templates import create_params
from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.aws.models.launch_templates import LaunchTemplate, TemplateVersion, name_problem, template_data
from ec2tui.clipboard import copy_text
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ReadOnlyError
from ec2tui.screens.host import UsesEc2App
from ec2tui.screens.list_screen import PaletteCommand, action_command
from ec2tui.widgets.app_header import AppHeader
from ec2tui.widgets.stable_footer import StableFooter
from ec2tui.widgets.theme_colours import ERROR, WARNING, bold

if TYPE_CHECKING:
    pass

NEW, VERSION = "new", "version"
READ_ONLY_NOTE = "Read-only mode (--read-only): saving is refused. The data and the CLI command (ctrl+e) still show."


def suggested_name(request: LaunchRequest) -> str:
    base = re.sub(r"[^A-Za-z0-9().\-/_]+", "-", request.name.strip()).strip("-") or "launch"
    return f"{base}-template"[:128]


class SaveTemplateScreen(UsesEc2App, Screen[TemplateVersion | None]):
    """Dismisses with the version saved, or None when the user goes back."""

    DEFAULT_CSS = """
    SaveTemplateScreen #tpl-row { height: auto; margin: 1 0 0 0; }
    SaveTemplateScreen #tpl-mode { width: 32; }
    SaveTemplateScreen #tpl-existing { width: 1fr; }
    SaveTemplateScreen #tpl-row > Input { width: 1fr; }
    SaveTemplateScreen #tpl-description { margin: 0 0 1 0; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save template", id="save_template.save"),
        Binding("ctrl+e", "copy_cli", "Copy CLI", id="save_template.copy_cli"),
        Binding("escape", "back", "Back", id="save_template.back"),
    ]

    def __init__(
        self, request: LaunchRequest, region: str, *, origin: str = "", not_copied: Iterable[str] = ()
    ) -> None:
        super().__init__(id="save-template")
        self.request = request
        self.template_region = region
        self.origin = origin
        self.saved = template_data(request)
        self.notes = [*self.saved.left_out, *not_copied]
        self.templates: list[LaunchTemplate] | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        title = f"Save as launch template · {self.template_region}" + (f" · from {self.origin}" if self.origin else "")
        yield Static(Text(title, style="bold"), id="tpl-title", classes="screen-title")
        with VerticalScroll(id="tpl-body"):
            yield Static(id="tpl-banner")
            with Horizontal(id="tpl-row"):
                yield Select(
                    [("New template", NEW), ("New version of a template", VERSION)],
                    value=NEW,
                    allow_blank=False,
                    id="tpl-mode",
                    compact=True,
                )
                yield Input(suggested_name(self.request), placeholder="template name", id="tpl-name", compact=True)
                yield Select([], prompt="loading templates…", id="tpl-existing", compact=True)
            yield Input(placeholder="version description (optional)", id="tpl-description", compact=True)
            yield Static(id="tpl-problem", markup=False)
            if self.notes:
                yield Static("Not in the template: " + "; ".join(self.notes) + ".", id="tpl-notes", markup=False)
            yield Label("AWS CLI command · ctrl+e copies", classes="code-title")
            yield Static(id="tpl-cli", classes="code-box", markup=False)
            yield Label("LaunchTemplateData (user data base64-encoded, as AWS keeps it)", classes="code-title")
            yield Static(json.dumps(self.saved.data, indent=2), id="tpl-data", classes="code-box", markup=False)
        yield StableFooter()

    def on_mount(self) -> None:
        self.query_one("#tpl-existing").display = False
        self.update_view()
        self.query_one("#tpl-name", Input).focus()
        self.run_worker(deferred(self._load_templates), group="templates", exclusive=True, exit_on_error=False)

    async def _load_templates(self) -> None:
        select = self.query_one("#tpl-existing", Select)
        try:
            self.templates = await self.ec2app.gateway.templates.templates(self.template_region)
        except Ec2TuiError as exc:
            self.templates = []
            select.prompt = f"could not list templates: {exc}"
            return
        select.set_options(
            [(f"{t.name} ({t.template_id}, latest v{t.latest_version})", t.template_id) for t in self.templates]
        )
        select.prompt = "choose a template" if self.templates else "no templates in this region"
        self.update_view()

    # -- what would be saved ----------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return str(self.query_one("#tpl-mode", Select).value)

    def params(self) -> dict[str, Any]:
        description = self.query_one("#tpl-description", Input).value.strip()
        if self.mode == VERSION:
            chosen = self.query_one("#tpl-existing", Select).value
            template_id = "" if chosen is Select.NULL else str(chosen)
            return create_params(self.saved.data, template_id=template_id or "lt-?", description=description)
        name = self.query_one("#tpl-name", Input).value.strip()
        return create_params(self.saved.data, name=name, description=description)

    def problem(self) -> str:
        if self.mode == VERSION:
            chosen = self.query_one("#tpl-existing", Select).value
            return "Choose the template to add a version to." if chosen is Select.NULL else ""
        return name_problem(self.query_one("#tpl-name", Input).value.strip())

    def cli_text(self) -> str:
        return self.ec2app.gateway.templates.cli_command(self.params(), self.template_region)

    def update_view(self) -> None:
        version = self.mode == VERSION
        self.query_one("#tpl-name").display = not version
        self.query_one("#tpl-existing").display = version
        problem = self.problem()
        self.query_one("#tpl-problem", Static).update(Text(f"✗ {problem}", style=bold(ERROR)) if problem else "")
        self.query_one("#tpl-cli", Static).update(self.cli_text())
        banner = self.query_one("#tpl-banner", Static)
        if self.ec2app.read_only:
            banner.update(Text(READ_ONLY_NOTE, style=bold(WARNING)))
        else:
            what = "a new version of the chosen template" if version else "a new launch template"
            banner.update(Text(f"ctrl+s saves {what} with the data below: this screen is the review.", style="bold"))

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self.update_view()

    # -- actions ----------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if not self.saving:
            self.dismiss(None)

    def action_copy_cli(self) -> None:
        text = self.cli_text()
        how = copy_text(text, self.app.copy_to_clipboard)
        self.ec2app.notify(f"Copied the AWS CLI command to the {how}.", markup=False)

    def action_save(self) -> None:
        if self.ec2app.read_only:
            self.ec2app.notify(READ_ONLY_NOTE, title="Read-only", severity="warning", markup=False)
            return
        problem = self.problem()
        if problem:
            self.ec2app.notify(problem, title="Not saved", severity="warning", markup=False)
            return
        if self.saving:
            return
        self.saving = True
        self.run_worker(deferred(self._save, self.params()), group="save", exit_on_error=False)

    async def _save(self, params: dict[str, Any]) -> None:
        try:
            version = await self.ec2app.gateway.templates.save(params, self.template_region)
        except ReadOnlyError:
            self.ec2app.notify(READ_ONLY_NOTE, title="Read-only", severity="warning", markup=False)
            return
        except Ec2TuiError as exc:
            self.query_one("#tpl-banner", Static).update(Text(f"AWS refused it: {exc}", style=bold(ERROR)))
            self.ec2app.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=15)
            return
        finally:
            self.saving = False
        self.ec2app.notify(
            f"Saved {version.label} ({version.template_id}) in {self.template_region}.",
            title="Launch template",
            markup=False,
        )
        self.dismiss(version)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Save launch template", "Create the template or version (ctrl+s)", "save")
        yield action_command(self, "Copy create-launch-template command", "The AWS CLI command (ctrl+e)", "copy_cli")
        yield action_command(self, "Back", "Nothing is saved (escape)", "back")
