"""Launch form section 6: security groups (existing ones of the VPC, and a new one with its rules)."""

from __future__ import annotations

import asyncio
import copy
import ipaddress
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList
from textual.widgets.selection_list import Selection

from ec2tui.aws.models.launch import PROTOCOLS, IngressRule
from ec2tui.aws.models.network import SecurityGroup
from ec2tui.deferred import deferred
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    RowList,
    ancestor,
    row,
    rows_match,
    set_checkbox,
    set_input,
)
from ec2tui.launch.sections.network import DEMO_IP, MY_IP_HOST, MY_IP_TIMEOUT, MY_IP_TOOLTIP, lookup_public_ip
from ec2tui.launch.state import (
    RULE_PRESETS,
    int_text,
    new_group,
    parse_int,
)
from ec2tui.widgets.check import Check, CheckList

# -- 6. security groups ----------------------------------------------------------------------------------------

PROTOCOL_OPTIONS = [(p.upper() if p != "all" else "All", p) for p in PROTOCOLS]


def group_label(group: SecurityGroup) -> str:
    rules = [f"{r.protocol} {r.port_label} from {r.source}" for r in group.inbound[:3]]
    more = f" +{len(group.inbound) - 3}" if len(group.inbound) > 3 else ""
    inbound = "; ".join(rules) + more if rules else "no inbound rules"
    return f"{group.name} ({group.group_id}) · {inbound}"


DEMO_MY_IP_TOOLTIP = "demo: fills in a documentation address, contacts nothing"


class RuleRow(Vertical):
    def __init__(self, index: int, rule: IngressRule, *, demo: bool = False) -> None:
        super().__init__(classes="rule-row list-row")
        self.index, self.rule, self.demo = index, rule, demo

    def compose(self) -> ComposeResult:
        rule = self.rule
        with Horizontal(classes="row-fields"):
            yield Select(
                PROTOCOL_OPTIONS, allow_blank=False, value=rule.protocol, classes="rule-protocol", compact=True
            )
            yield FormInput(int_text(rule.from_port), placeholder="from", classes="rule-from", compact=True)
            yield FormInput(int_text(rule.to_port), placeholder="to", classes="rule-to", compact=True)
            yield FormInput(rule.cidr, placeholder="source CIDR", classes="rule-cidr", compact=True)
            tooltip = DEMO_MY_IP_TOOLTIP if self.demo else MY_IP_TOOLTIP
            yield Button("my IP", classes="rule-my-ip", compact=True, tooltip=tooltip)
            yield FormInput(rule.description, placeholder="description", classes="rule-description", compact=True)
            yield Button("✕", classes="remove-row", compact=True, tooltip="Remove this rule")
        yield FieldMessage(f"security_groups.new_group.rules[{self.index}]")

    def on_mount(self) -> None:
        self.show_ports()

    def show_ports(self) -> None:
        ports = self.rule.protocol != "all"
        for selector, placeholder in ((".rule-from", "from"), (".rule-to", "to")):
            field = self.query_one(selector, Input)
            field.disabled = not ports
            if self.rule.protocol == "icmp":
                placeholder = "type" if selector == ".rule-from" else "code"
            field.placeholder = placeholder if ports else "all"


class SecurityGroupSection(FormSection):
    TITLE = "Security groups (firewall)"

    my_ip_lookup: Callable[[], str] = staticmethod(lookup_public_ip)
    demo = False
    """Set by the launch screen from the app (this widget doesn't import it): the demo answers "my IP" locally."""

    def use_demo(self, demo: bool) -> None:
        self.demo = demo
        self._show_my_ip_note()

    def _show_my_ip_note(self) -> None:
        """Say before any press what "my IP" does: whom it asks, or that the demo asks no one."""
        if self.demo:
            note = f"demo: 'my IP' fills in {DEMO_IP}/32, a documentation address; no lookup is made."
        else:
            note = f"'my IP' asks {MY_IP_HOST} (an AWS web service) for your public address."
        self.query_one("#my-ip-message", Hint).update(note)
        for button in self.query(".rule-my-ip"):
            button.tooltip = DEMO_MY_IP_TOOLTIP if self.demo else MY_IP_TOOLTIP

    def compose(self) -> ComposeResult:
        spec = self.request.security_groups
        yield Label("Existing groups of the VPC (space toggles):", classes="field-caption")
        yield CheckList(id="sg-existing", compact=True)
        yield FieldMessage("security_groups.existing_ids")
        yield Check("Create a new security group", spec.new_group is not None, id="sg-create", compact=True)
        group = spec.new_group
        with Vertical(id="sg-new", classes="sub-form"):
            yield row("Name", FormInput(group.name if group else "", id="sg-name", compact=True))
            yield FieldMessage("security_groups.new_group.name")
            yield row("Description", FormInput(group.description if group else "", id="sg-description", compact=True))
            yield FieldMessage("security_groups.new_group.description")
            yield Label(
                "Inbound rules:  protocol · from port · to port · source CIDR · description",
                classes="field-caption spaced",
            )
            yield RowList(*self._rows(), id="sg-rules")
            with Horizontal(classes="button-row"):
                yield Button("+ Rule", id="add-rule", compact=True)
                for preset in RULE_PRESETS:
                    classes = f"add-preset preset-{preset.lower()}"
                    yield Button(f"+ {preset}", name=preset, classes=classes, compact=True)
            yield FieldMessage("security_groups.new_group.rules")
            yield FieldMessage("security_groups.new_group")
            yield Hint(id="my-ip-message")
        yield FieldMessage("security_groups")

    def on_mount(self) -> None:
        self.query_one("#sg-new").display = self.request.security_groups.new_group is not None
        self._show_my_ip_note()

    def _rows(self) -> list[RuleRow]:
        group = self.request.security_groups.new_group
        return [RuleRow(i, rule, demo=self.demo) for i, rule in enumerate(group.rules)] if group else []

    async def sync_rows(self) -> None:
        group = self.request.security_groups.new_group
        await self.query_one("#sg-rules", RowList).sync(self._rows, group.rules if group else [], "rule")

    async def _rebuild(self, focus_index: int | None = None) -> None:
        await self.rebuild_rows(focus_index, lambda: list(self.query(RuleRow)), ".rule-protocol", "#add-rule")

    def facts_changed(self) -> None:
        groups = self.state.groups
        selection = self.query_one("#sg-existing", SelectionList)
        if groups is not None:
            wanted = [g.group_id for g in groups]
            if wanted != [selection.get_option_at_index(i).value for i in range(selection.option_count)]:
                with self.prevent(SelectionList.SelectedChanged):
                    selection.clear_options()
                    selection.add_options([Selection(group_label(g), g.group_id) for g in groups])
            if selection.highlighted is None and selection.option_count:
                selection.highlighted = 0  # space toggles the first group right after tab
        self.load()

    def load(self) -> None:
        spec = self.request.security_groups
        selection = self.query_one("#sg-existing", SelectionList)
        with self.prevent(SelectionList.SelectedChanged):
            for index in range(selection.option_count):
                value = selection.get_option_at_index(index).value
                if value in spec.existing_ids and value not in selection.selected:
                    selection.select(value)
                elif value not in spec.existing_ids and value in selection.selected:
                    selection.deselect(value)
        set_checkbox(self.query_one("#sg-create", Checkbox), spec.new_group is not None)
        self.query_one("#sg-new").display = spec.new_group is not None
        group = spec.new_group
        if group is not None:
            set_input(self.query_one("#sg-name", Input), group.name)
            set_input(self.query_one("#sg-description", Input), group.description)
            if not rows_match(list(self.query(RuleRow)), group.rules, "rule"):
                self.run_worker(deferred(self.sync_rows), exit_on_error=False)

    # -- existing groups ---------------------------------------------------------------------------------------
    @on(SelectionList.SelectedChanged, "#sg-existing")
    def _existing(self, event: SelectionList.SelectedChanged) -> None:
        selected = set(event.selection_list.selected)
        spec = self.request.security_groups
        kept = [g for g in spec.existing_ids if g in selected]
        chosen = kept + [g for g in event.selection_list.selected if g not in kept]
        if chosen == spec.existing_ids:
            return
        spec.existing_ids = chosen
        self.state.touched.add("security_groups")
        self.edited("security_groups.existing_ids")

    # -- the new group -----------------------------------------------------------------------------------------
    @on(Checkbox.Changed, "#sg-create")
    async def _create(self, event: Checkbox.Changed) -> None:
        spec = self.request.security_groups
        if event.value == (spec.new_group is not None):
            return
        self.state.touched.add("security_groups")
        if event.value and spec.new_group is None:
            windows = bool(self.state.facts and self.state.facts.is_windows)
            spec.new_group = self.state.remembered_group or new_group(self.state.groups, windows)
        elif not event.value and spec.new_group is not None:
            self.state.remembered_group = spec.new_group
            spec.new_group = None
        self.load()
        await self.sync_rows()
        self.edited("security_groups.new_group")

    @on(Input.Changed, "#sg-name")
    def _name(self, event: Input.Changed) -> None:  # type: ignore[override]  # shadows DOMNode._name: rename
        group = self.request.security_groups.new_group
        if group is not None and group.name != event.value:
            group.name = event.value
            self.state.touched.add("security_groups")
            self.edited("security_groups.new_group.name")

    @on(Input.Changed, "#sg-description")
    def _description(self, event: Input.Changed) -> None:
        group = self.request.security_groups.new_group
        if group is not None and group.description != event.value:
            group.description = event.value
            self.edited("security_groups.new_group.description")

    def _rule_of(self, widget) -> tuple[RuleRow, IngressRule] | None:
        rule_row = ancestor(widget, RuleRow)
        group = self.request.security_groups.new_group
        if isinstance(rule_row, RuleRow) and group is not None and rule_row.index < len(group.rules):
            return rule_row, group.rules[rule_row.index]
        return None

    @on(Select.Changed, ".rule-protocol")
    def _protocol(self, event: Select.Changed) -> None:
        found = self._rule_of(event.select)
        if found is None or event.value is Select.NULL or event.value == found[1].protocol:
            return
        rule_row, rule = found
        rule.protocol = str(event.value)
        if rule.protocol == "icmp":
            rule.from_port, rule.to_port = -1, -1
            set_input(rule_row.query_one(".rule-from", Input), "-1")
            set_input(rule_row.query_one(".rule-to", Input), "-1")
        else:
            rule.from_port = parse_int(rule_row.query_one(".rule-from", Input).value)  # type: ignore[assignment]
            rule.to_port = parse_int(rule_row.query_one(".rule-to", Input).value)  # type: ignore[assignment]
        rule_row.show_ports()
        self.edited("security_groups.new_group.rules")

    @on(Input.Changed, ".rule-from, .rule-to, .rule-cidr, .rule-description")
    def _rule_field(self, event: Input.Changed) -> None:
        found = self._rule_of(event.input)
        if found is None:
            return
        _, rule = found
        field = event.input
        value: object
        if field.has_class("rule-from") or field.has_class("rule-to"):
            attribute, value = ("from_port" if field.has_class("rule-from") else "to_port"), parse_int(event.value)
        elif field.has_class("rule-cidr"):
            attribute, value = "cidr", event.value.strip()
        else:
            attribute, value = "description", event.value
        if getattr(rule, attribute) != value:
            setattr(rule, attribute, value)
            self.edited("security_groups.new_group.rules")

    @on(Button.Pressed, "#add-rule, .add-preset")
    async def add_rule(self, event: Button.Pressed | None = None) -> None:
        group = self.request.security_groups.new_group
        if group is None:
            return
        preset = RULE_PRESETS.get(event.button.name or "") if event is not None else None
        group.rules.append(copy.copy(preset) if preset else IngressRule("tcp", None, None, "0.0.0.0/0"))
        await self._rebuild(len(group.rules) - 1)
        self.edited("security_groups.new_group.rules")

    @on(Button.Pressed, ".rule-row .remove-row")
    async def _remove(self, event: Button.Pressed) -> None:
        found = self._rule_of(event.button)
        group = self.request.security_groups.new_group
        if found is None or group is None:
            return
        index = found[0].index
        del group.rules[index]
        await self._rebuild(min(index, len(group.rules) - 1))
        self.edited("security_groups.new_group.rules")

    @on(Button.Pressed, ".rule-my-ip")
    async def _my_ip(self, event: Button.Pressed) -> None:
        found = self._rule_of(event.button)
        if found is None:
            return
        rule_row, rule = found
        message = self.query_one("#my-ip-message", Hint)
        if self.demo:
            address, network = DEMO_IP, ipaddress.ip_network(DEMO_IP)
            done = f"demo: no lookup made; {DEMO_IP} is a documentation address"
        else:
            message.update(f"asking {MY_IP_HOST} for your public IP address…")
            lookup = type(self).my_ip_lookup
            try:
                address = await asyncio.wait_for(asyncio.to_thread(lookup), timeout=MY_IP_TIMEOUT + 1)
                network = ipaddress.ip_network(address)
            except (OSError, ValueError, TimeoutError) as exc:
                reason = str(exc) or type(exc).__name__
                message.update(
                    f"Could not get your public IP from {MY_IP_HOST} ({reason}). "
                    "Type it as a CIDR, e.g. 203.0.113.7/32."
                )
                return
            done = f"Your public IP is {address} (from {MY_IP_HOST})"
        rule.cidr = str(network)
        set_input(rule_row.query_one(".rule-cidr", Input), rule.cidr)
        message.update(f"{done}: rule {rule_row.index + 1} now allows {rule.cidr} only.")
        self.edited("security_groups.new_group.rules")
