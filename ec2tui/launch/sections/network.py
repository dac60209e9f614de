"""Launch form section 5: network (VPC, subnet, public IP); also the "my IP" lookup its rules use."""

from __future__ import annotations

import ipaddress
import re
import urllib.request

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select

from ec2tui.aws.models.launch import NetworkSpec
from ec2tui.aws.models.network import Subnet
from ec2tui.compat import textual_private
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    quietly,
    row,
    set_input,
    set_options,
    set_select,
)
from ec2tui.launch.messages import FieldEdited, SubnetChosen, VpcChosen
from ec2tui.launch.state import (
    SUBNETS_LOAD_ERROR,
    VPCS_LOAD_ERROR,
)

FULL_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
FULL_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
"""A typed id complete enough to ask AWS about (validation says what is wrong with the others)."""

MY_IP_URL = "https://checkip.amazonaws.com"
MY_IP_HOST = "checkip.amazonaws.com"
MY_IP_TIMEOUT = 3.0
DEMO_IP = "203.0.113.10"
"""What "my IP" answers in the demo, which contacts nothing: an address of TEST-NET-3 (RFC 5737, documentation
only), so a demo rule can't open a real machine's port."""
MY_IP_TOOLTIP = f"Use your public IP address (/32): asks {MY_IP_HOST} (an AWS web service) for it"


def lookup_public_ip(timeout: float = MY_IP_TIMEOUT) -> str:
    """This machine's public IPv4/IPv6 address as AWS sees it (one HTTPS request, short timeout).

    Raises OSError (no network, timeout) or ValueError (an answer that is not an address).
    """
    with urllib.request.urlopen(MY_IP_URL, timeout=timeout) as response:
        text = response.read(64).decode("ascii", "replace").strip()
    return str(ipaddress.ip_address(text))


# -- 5. network ------------------------------------------------------------------------------------------------

PUBLIC_IP_VALUES = {None: "default", True: "enable", False: "disable"}


def subnet_label(subnet: Subnet) -> str:
    parts = [subnet.subnet_id, subnet.availability_zone, subnet.cidr, f"{subnet.available_ips:,} free IPs"]
    if subnet.name:
        parts.insert(1, subnet.name)
    if subnet.map_public_ip_on_launch:
        parts.append("public IP by default")
    return " · ".join(parts)


class NetworkSection(FormSection):
    TITLE = "Network"

    def compose(self) -> ComposeResult:
        network = self.request.network
        yield row("VPC", Select([], prompt="loading VPCs…", id="vpc", compact=True), id="vpc-row")
        yield row(
            "VPC id",
            FormInput(network.vpc_id, placeholder="vpc-… (empty: the default VPC)", id="vpc-typed", compact=True),
            id="vpc-typed-row",
        )
        yield FieldMessage("network.vpc_id")
        yield row("Subnet", Select([], prompt="loading subnets…", id="subnet", compact=True), id="subnet-row")
        yield row(
            "Subnet id",
            FormInput(
                network.subnet_id, placeholder="subnet-… (empty: a default subnet)", id="subnet-typed", compact=True
            ),
            id="subnet-typed-row",
        )
        yield FieldMessage("network.subnet_id")
        yield Hint(id="network-hint")
        yield row(
            "Auto-assign public IP",
            Select(self._public_ip_options(), allow_blank=False, id="public-ip", compact=True),
        )
        yield FieldMessage("network.public_ip")
        yield FieldMessage("network")

    def on_mount(self) -> None:
        self._show_typed()

    def _show_typed(self) -> tuple[bool, bool]:
        """Text fields instead of the pickers for what couldn't be listed (e.g. no ec2:DescribeVpcs), with a hint."""
        errors = self.state.load_errors
        vpc_typed = VPCS_LOAD_ERROR in errors
        subnet_typed = SUBNETS_LOAD_ERROR in errors or (vpc_typed and self.state.subnets is None)
        self.query_one("#vpc-row").display = not vpc_typed
        self.query_one("#vpc-typed-row").display = vpc_typed
        self.query_one("#subnet-row").display = not subnet_typed
        self.query_one("#subnet-typed-row").display = subnet_typed
        hints = []
        if vpc_typed:
            hints.append(f"Couldn't list VPCs ({errors[VPCS_LOAD_ERROR]}): type a VPC id, or leave it empty.")
        if SUBNETS_LOAD_ERROR in errors:
            hints.append(f"Couldn't list subnets ({errors[SUBNETS_LOAD_ERROR]}): type a subnet id, or leave it empty.")
        if hints:
            hints.append("ctrl+r tries the lists again.")
        self.query_one("#network-hint", Hint).update(" ".join(hints))
        return vpc_typed, subnet_typed

    @property
    def network(self) -> NetworkSpec:
        return self.request.network

    def _public_ip_options(self) -> list[tuple[str, str]]:
        subnet = self.state.subnet(self.network.subnet_id)
        if subnet is not None:
            default = f"Subnet default ({'enabled' if subnet.map_public_ip_on_launch else 'disabled'})"
        else:
            default = "Subnet default (default subnets: enabled)"
        return [(default, "default"), ("Enable", "enable"), ("Disable", "disable")]

    def facts_changed(self) -> None:
        self._show_typed()
        vpc_select = self.query_one("#vpc", Select)
        if self.state.vpcs is not None:
            options = [(v.label, v.vpc_id) for v in self.state.vpcs]
            set_options(vpc_select, options)
            vpc_select.prompt = "choose a VPC" if options else "no VPC in this region"
        subnet_select = self.query_one("#subnet", Select)
        if self.state.subnets is not None:
            options = [(subnet_label(s), s.subnet_id) for s in self.state.subnets]
            vpc = next((v for v in self.state.vpcs or () if v.vpc_id == self.network.vpc_id), None)
            if vpc is None or vpc.is_default:
                options.insert(0, ("No preference (a default subnet in any zone)", ""))
            set_options(subnet_select, options)
            subnet_select.prompt = "choose a subnet" if options else "no subnets in this VPC"
        self.load()

    def load(self) -> None:
        set_select(self.query_one("#vpc", Select), self.network.vpc_id)
        set_select(self.query_one("#subnet", Select), self.network.subnet_id)
        set_input(self.query_one("#vpc-typed", Input), self.network.vpc_id)
        set_input(self.query_one("#subnet-typed", Input), self.network.subnet_id)
        public = self.query_one("#public-ip", Select)
        options = self._public_ip_options()
        wanted = PUBLIC_IP_VALUES.get(self.network.public_ip, "default")
        if options[0][0] != textual_private.select_options(public)[0][0]:
            with quietly(public):
                public.set_options(options)
                # set_options keeps the value, and a value that doesn't change doesn't redraw its label: pass
                # through another option so the shown label follows the chosen subnet.
                public.value = "enable" if wanted == "default" else "default"
                public.value = wanted
        set_select(public, wanted)

    @on(Select.Changed, "#vpc")
    def _vpc(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.network.vpc_id:
            return
        self.network.vpc_id = str(event.value)
        self.network.subnet_id = ""
        self.request.security_groups.existing_ids = []  # groups belong to a VPC
        self.state.subnets = None
        self.state.groups = None
        self.edited("network.vpc_id", VpcChosen)

    @on(Select.Changed, "#subnet")
    def _subnet(self, event: Select.Changed) -> None:
        value = "" if event.value is Select.NULL else str(event.value)
        if value != self.network.subnet_id:
            self.network.subnet_id = value
            self.load()
            self.edited("network.subnet_id", SubnetChosen)

    @on(Input.Changed, "#vpc-typed")
    def _vpc_typed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        if value == self.network.vpc_id:
            return
        self.network.vpc_id = value
        if value and not FULL_VPC_ID.match(value):
            self.edited("network.vpc_id")  # validated as typed; its subnets are read once it is complete
            return
        self.request.security_groups.existing_ids = []  # groups belong to a VPC
        self.state.subnets = None
        self.state.groups = None
        self.edited("network.vpc_id", VpcChosen)

    @on(Input.Changed, "#subnet-typed")
    def _subnet_typed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        if value != self.network.subnet_id:
            self.network.subnet_id = value
            complete = not value or FULL_SUBNET_ID.match(value)
            self.edited("network.subnet_id", SubnetChosen if complete else FieldEdited)

    @on(Select.Changed, "#public-ip")
    def _public_ip(self, event: Select.Changed) -> None:
        choice = {"default": None, "enable": True, "disable": False}.get(str(event.value))
        if choice != self.network.public_ip:
            self.network.public_ip = choice
            self.edited("network.public_ip")
