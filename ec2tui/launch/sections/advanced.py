"""Launch form section: advanced details (purchasing option, IAM instance profile, instance metadata, shutdown
behaviour, termination protection, detailed monitoring), the console's "Advanced details" most launches touch."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from ec2tui.aws.models.launch import METADATA_LABELS, AdvancedSpec
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    row,
    set_checkbox,
    set_input,
    set_options,
    set_select,
)
from ec2tui.launch.state import PROFILES_LOAD_ERROR
from ec2tui.widgets.check import Check

METADATA_ITEMS: list[tuple[str, str]] = [("the AMI's default", "")] + [
    (label, value) for value, label in METADATA_LABELS.items()
]
PURCHASING_ITEMS: list[tuple[str, str]] = [
    ("On-Demand", "on-demand"),
    ("Spot (often far cheaper; AWS may reclaim it with 2 minutes' notice)", "spot"),
]
SHUTDOWN_ITEMS: list[tuple[str, str]] = [("stop the instance", "stop"), ("terminate the instance", "terminate")]
NO_PROFILE = "none"
FIELDS: dict[str, str] = {
    "purchasing": "purchasing",
    "spot-max-price": "spot_max_price",
    "iam-profile": "iam_instance_profile",
    "iam-profile-typed": "iam_instance_profile",
    "metadata": "metadata",
    "shutdown": "shutdown_behavior",
    "termination-protection": "termination_protection",
    "detailed-monitoring": "detailed_monitoring",
}
"""Widget id -> the AdvancedSpec attribute it edits (the picker and the text field both edit the profile)."""


def profile_options(state_profiles: list, current: str) -> list[tuple[str, str]]:
    """``none``, every profile by name, and the request's own value when it isn't one of them (kept, flagged)."""
    options = [(NO_PROFILE, "")] + [(p.label, p.name) for p in state_profiles]
    known = {p.name for p in state_profiles}
    if current and current not in known:
        options.append((f"{current} (not in this account)", current))
    return options


class AdvancedSection(FormSection):
    TITLE = "Advanced details (optional)"

    def compose(self) -> ComposeResult:
        advanced = self.request.advanced
        yield row(
            "Purchasing",
            Select(PURCHASING_ITEMS, allow_blank=False, value=advanced.purchasing, id="purchasing", compact=True),
        )
        yield FieldMessage("advanced.purchasing")
        yield row(
            "Spot max price",
            FormInput(
                advanced.spot_max_price,
                placeholder="USD/hour; empty: up to the On-Demand price",
                id="spot-max-price",
                compact=True,
            ),
            id="spot-price-row",
        )
        yield FieldMessage("advanced.spot_max_price")
        yield row(
            "IAM instance profile",
            Select([(NO_PROFILE, "")], allow_blank=False, value="", id="iam-profile", compact=True),
            id="iam-profile-row",
        )
        yield row(
            "Profile name or ARN",
            FormInput(advanced.iam_instance_profile, placeholder="empty: none", id="iam-profile-typed", compact=True),
            id="iam-profile-typed-row",
        )
        yield FieldMessage("advanced.iam_instance_profile")
        yield Hint(id="iam-profile-hint")
        yield row(
            "Instance metadata",
            Select(METADATA_ITEMS, allow_blank=False, value=advanced.metadata, id="metadata", compact=True),
        )
        yield FieldMessage("advanced.metadata")
        yield row(
            "On shutdown",
            Select(SHUTDOWN_ITEMS, allow_blank=False, value=advanced.shutdown_behavior, id="shutdown", compact=True),
        )
        yield FieldMessage("advanced.shutdown_behavior")
        yield row(
            "Protection",
            Check("Termination protection", advanced.termination_protection, id="termination-protection", compact=True),
        )
        yield FieldMessage("advanced.termination_protection")
        yield row(
            "Monitoring",
            Check(
                "Detailed monitoring (1-minute metrics, paid)",
                advanced.detailed_monitoring,
                id="detailed-monitoring",
                compact=True,
            ),
        )

    @property
    def advanced(self) -> AdvancedSpec:
        return self.request.advanced

    def on_mount(self) -> None:
        self.query_one("#spot-price-row").display = self.advanced.purchasing == "spot"
        self.facts_changed()

    def load(self) -> None:
        advanced = self.advanced
        set_select(self.query_one("#purchasing", Select), advanced.purchasing)
        set_input(self.query_one("#spot-max-price", Input), advanced.spot_max_price)
        self.query_one("#spot-price-row").display = advanced.purchasing == "spot"
        self._fill_profiles()
        set_input(self.query_one("#iam-profile-typed", Input), advanced.iam_instance_profile)
        set_select(self.query_one("#metadata", Select), advanced.metadata)
        set_select(self.query_one("#shutdown", Select), advanced.shutdown_behavior)
        set_checkbox(self.query_one("#termination-protection", Checkbox), advanced.termination_protection)
        set_checkbox(self.query_one("#detailed-monitoring", Checkbox), advanced.detailed_monitoring)

    def facts_changed(self) -> None:
        self._fill_profiles()

    def _fill_profiles(self) -> None:
        """A picker once the profiles are listed; a text field when they can't be (no iam:ListInstanceProfiles)."""
        profiles = self.state.instance_profiles
        error = self.state.load_errors.get(PROFILES_LOAD_ERROR)
        typed = error is not None
        self.query_one("#iam-profile-row").display = not typed
        self.query_one("#iam-profile-typed-row").display = typed
        hint = self.query_one("#iam-profile-hint", Hint)
        current = self.advanced.iam_instance_profile
        if typed:
            hint.update(f"Couldn't list instance profiles ({error}). Type a profile's name or ARN, or leave it empty.")
            return
        select = self.query_one("#iam-profile", Select)
        set_options(select, profile_options(profiles or [], current))
        set_select(select, current)
        if profiles is None:
            hint.update("Loading the account's instance profiles…")
        else:
            hint.update(
                "The role programs on the instance act as (e.g. SSM Session Manager needs one)."
                if profiles
                else "This account has no instance profiles: create one in IAM to give the instance a role."
            )

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Select.Changed | Input.Changed | Checkbox.Changed) -> None:
        attribute = FIELDS.get(event.control.id or "")
        if attribute is None or event.value is Select.NULL:
            return
        value = event.value if isinstance(event.value, bool) else str(event.value)
        if value == getattr(self.advanced, attribute):
            return
        setattr(self.advanced, attribute, value)
        if attribute == "purchasing":
            self.query_one("#spot-price-row").display = value == "spot"
        self.edited(f"advanced.{attribute}")
