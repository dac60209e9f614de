"""What it takes to connect to an instance, checked before trying: the tools on PATH, the instance's state and
platform, Session Manager registration, the key file, and whether port 22 is reachable. Pure Python.

:func:`assess` turns these facts into one :class:`Offer` per way of connecting: available or not, and why, so the
connect dialog explains what doesn't fit instead of hiding it.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ec2tui.aws.connect_commands import METHOD_LABELS, Method
from ec2tui.aws.models.instances import Instance, InstanceState, SecurityGroup

TOOL_HELP: dict[str, str] = {
    "ssh": "the OpenSSH client is not on PATH: install it (apt install openssh-client, dnf install openssh-clients; "
    "macOS has it)",
    "aws": "the AWS CLI is not on PATH: install AWS CLI v2 "
    "(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)",
    "session-manager-plugin": "the Session Manager plugin is not on PATH: install session-manager-plugin "
    "(https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)",
}
"""Why each tool is needed is obvious from the offer; this says how to get it."""

TOOLS = tuple(TOOL_HELP)


def find_tools(which: Callable[[str], str | None] = shutil.which) -> dict[str, bool]:
    """Which of ``ssh``, ``aws`` and ``session-manager-plugin`` are on PATH."""
    return {tool: which(tool) is not None for tool in TOOLS}


def missing_tools_message(needed: Iterable[str], tools: Mapping[str, bool]) -> str | None:
    """``None`` when every needed tool is there, else one sentence per missing tool saying how to get it."""
    missing = [tool for tool in needed if not tools.get(tool, False)]
    if not missing:
        return None
    return "; ".join(TOOL_HELP[tool] for tool in missing) + "."


# -- Session Manager registration ------------------------------------------------------------------------------------


class SsmPing(StrEnum):
    ONLINE = "Online"
    CONNECTION_LOST = "ConnectionLost"
    INACTIVE = "Inactive"
    NOT_REGISTERED = "not-registered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SsmStatus:
    """``ssm:DescribeInstanceInformation`` for one instance; ``detail`` explains UNKNOWN (the call failed)."""

    ping: SsmPing
    detail: str = ""
    platform: str | None = None

    @property
    def online(self) -> bool:
        return self.ping == SsmPing.ONLINE


def ssm_problem(instance: Instance, status: SsmStatus) -> str | None:
    """Why Session Manager can't reach the instance, ``None`` when it can (or we couldn't check: then the user may
    still try, and the session says why it fails)."""
    if status.ping in (SsmPing.ONLINE, SsmPing.UNKNOWN):
        return None
    if status.ping == SsmPing.NOT_REGISTERED:
        if not instance.iam_profile_arn:
            return (
                "not managed by Session Manager: it has no IAM instance profile; attach a role with "
                "AmazonSSMManagedInstanceCore and make sure the SSM agent runs"
            )
        return (
            "not managed by Session Manager: the SSM agent has not registered (is it installed and running, and can "
            "it reach the ssm endpoints?)"
        )
    return (
        f"Session Manager reports the agent {status.ping.value}: it is not answering now (is amazon-ssm-agent "
        "running on the instance, and can it reach the ssm endpoints?)"
    )


# -- key files -------------------------------------------------------------------------------------------------------


class KeySource(StrEnum):
    SETTINGS = "settings"
    DEFAULT_PATH = "default-path"
    AGENT = "agent"
    NONE = "none"


@dataclass(frozen=True)
class KeyChoice:
    path: str | None
    source: KeySource
    note: str


def resolve_key(
    key_name: str | None,
    key_map: Mapping[str, str],
    *,
    ssh_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    exists: Callable[[Path], bool] = Path.is_file,
) -> KeyChoice:
    """The key file for the instance's key pair: the settings map, then ``~/.ssh/<name>.pem``, then the agent."""
    env = os.environ if env is None else env
    agent = bool(env.get("SSH_AUTH_SOCK"))
    if not key_name:
        if agent:
            return KeyChoice(None, KeySource.AGENT, "no key pair: the ssh agent's keys are offered")
        return KeyChoice(None, KeySource.NONE, "no key pair: your own SSH setup (~/.ssh/config) must provide a key")
    if key_name in key_map:
        path = key_map[key_name]
        found = exists(Path(path).expanduser())
        note = f"key pair {key_name} → {path} (settings)" + ("" if found else f"; ⚠ {path} does not exist")
        return KeyChoice(path, KeySource.SETTINGS, note)
    ssh_dir = ssh_dir if ssh_dir is not None else Path("~/.ssh")
    default = ssh_dir / f"{key_name}.pem"
    if exists(default.expanduser()):
        return KeyChoice(str(default), KeySource.DEFAULT_PATH, f"key pair {key_name} → {default}")
    if agent:
        return KeyChoice(None, KeySource.AGENT, f"no {default}: the ssh agent's keys are offered for {key_name}")
    return KeyChoice(
        None,
        KeySource.NONE,
        f"no key file for key pair {key_name}: not in the settings map, no {default}, no ssh agent; enter its path",
    )


# -- reachability of port 22 -----------------------------------------------------------------------------------------


class Exposure(StrEnum):
    ANYWHERE = "anywhere"
    SOME_PUBLIC = "some-public"
    PRIVATE_ONLY = "private-only"
    CLOSED = "closed"
    UNKNOWN = "unknown"


PRIVATE_RANGES = tuple(
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fe80::/10")
)
"""RFC 1918, carrier-grade NAT and IPv6 unique-local/link-local: addresses a VPC, VPN or peering uses, never the
internet's (documentation ranges such as 203.0.113.0/24 count as public: they stand for an office's address)."""


def _is_private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(network.version == r.version and network.subnet_of(r) for r in PRIVATE_RANGES)  # type: ignore[arg-type]


def _source_network(source: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(source.split(" ", 1)[0], strict=False)
    except ValueError:
        return None  # a security group or prefix list: other instances, not the internet


def port_exposure(groups: Iterable[SecurityGroup] | None, port: int = 22) -> tuple[Exposure, list[str]]:
    """Who may reach TCP ``port`` according to the instance's groups, and the sources that allow it."""
    if groups is None:
        return Exposure.UNKNOWN, []
    sources: list[str] = []
    for group in groups:
        for rule in group.inbound:
            if rule.protocol not in ("tcp", "6", "-1", "all"):
                continue
            low = rule.from_port if rule.from_port not in (None, -1) else 0
            high = rule.to_port if rule.to_port not in (None, -1) else 65535
            if rule.protocol in ("-1", "all") or low <= port <= high:
                sources += list(rule.sources)
    if not sources:
        return Exposure.CLOSED, []
    networks = [_source_network(source) for source in sources]
    if any(net is not None and net.prefixlen == 0 for net in networks):
        return Exposure.ANYWHERE, sources
    if any(net is not None and not _is_private(net) for net in networks):
        return Exposure.SOME_PUBLIC, sources
    return Exposure.PRIVATE_ONLY, sources


# -- offers ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    method: Method
    available: bool
    reason: str = ""
    """Why not (unavailable), or what to know first (available: a warning), or empty."""

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]


@dataclass(frozen=True)
class ConnectFacts:
    """Everything :func:`assess` needs, gathered by the gateway and the local checks."""

    instance: Instance
    ssh_user: str | None
    """The guessed login user; ``None`` for Windows."""
    tools: Mapping[str, bool]
    ssm: SsmStatus
    key: KeyChoice
    security_groups: tuple[SecurityGroup, ...] | None = None


def _join(*parts: str | None) -> str:
    return "; ".join(part for part in parts if part)


def assess(facts: ConnectFacts) -> list[Offer]:
    """One offer per method, in the order the dialog lists them: what fits first is up to the dialog."""
    instance = facts.instance
    windows = facts.ssh_user is None or instance.is_windows
    if instance.state != InstanceState.RUNNING:
        why = f"the instance is {instance.state}" + (": start it first (s)" if instance.state == "stopped" else "")
        return [Offer(method, False, why) for method in METHOD_LABELS if windows or method != Method.WINDOWS_PASSWORD]
    tools = facts.tools
    ssm_missing = _join(
        missing_tools_message(["aws", "session-manager-plugin"], tools), ssm_problem(instance, facts.ssm)
    )
    ssm_unknown = (
        f"couldn't check Session Manager registration ({facts.ssm.detail}): it may fail"
        if facts.ssm.ping == SsmPing.UNKNOWN
        else ""
    )
    no_ssh = missing_tools_message(["ssh"], tools)
    key_warning = "no key file found (see above)" if facts.key.source == KeySource.NONE else ""
    offers: list[Offer] = []

    def add(method: Method, problem: str | None, warning: str = "") -> None:
        offers.append(Offer(method, not problem, problem or warning))

    if windows:  # what works on Windows first; SSH in one line (its four routes would say the same four times)
        password_problem = None if instance.key_name else "launched without a key pair: no password to decrypt"
        add(Method.WINDOWS_PASSWORD, password_problem, "then forward port 3389 and connect an RDP client to it")
        add(Method.SSM_SHELL, ssm_missing, _join(ssm_unknown, "opens PowerShell"))
        add(Method.PORT_FORWARD, ssm_missing, _join(ssm_unknown, "RDP: port 3389"))
        add(Method.SSH_PUBLIC, "Windows runs no SSH server by default: use RDP (password, then a port forward)")
        add(Method.INSTANCE_CONNECT, "EC2 Instance Connect supports Linux instances only")
        return offers
    exposure, sources = port_exposure(facts.security_groups)
    public_problem = None if instance.public_ip else "no public IP address: use SSH over SSM or the private address"
    public_warning = ""
    if exposure == Exposure.PRIVATE_ONLY:
        public_warning = (
            f"⚠ its security groups allow port 22 only from private ranges ({', '.join(sources)}): from the "
            "internet this will time out; use SSH over SSM or the private address"
        )
    elif exposure == Exposure.CLOSED:
        public_warning = "⚠ no security group rule allows port 22: use SSH over SSM"
    elif exposure == Exposure.SOME_PUBLIC:
        public_warning = f"port 22 is open only to {', '.join(sources)}: you must connect from there"
    add(Method.SSH_PUBLIC, _join(no_ssh, public_problem), _join(public_warning, key_warning))
    private_problem = None if instance.private_ip else "no private IP address"
    add(Method.SSH_PRIVATE, _join(no_ssh, private_problem), _join("works only from inside the VPC", key_warning))
    add(Method.SSH_BASTION, _join(no_ssh, private_problem), _join("enter the bastion as [user@]host", key_warning))
    add(
        Method.SSH_OVER_SSM,
        _join(no_ssh, ssm_missing),
        _join(ssm_unknown, key_warning),
    )
    over_ssm = instance_connect_over_ssm(instance, exposure, ssm_ready=not ssm_missing)
    route = "Session Manager" if over_ssm else "the public address"
    if over_ssm and instance.public_ip:
        route += " (port 22 isn't open to the internet)"
    eic_problem = _join(no_ssh, ssm_missing if over_ssm else None)
    add(
        Method.INSTANCE_CONNECT,
        eic_problem,
        f"pushes a one-time key (a change in AWS), then SSH over {route}; the AMI must run the "
        "Instance Connect agent (Amazon Linux, Ubuntu)",
    )
    add(Method.SSM_SHELL, ssm_missing, ssm_unknown)
    add(Method.PORT_FORWARD, ssm_missing, ssm_unknown)
    return offers


def instance_connect_over_ssm(instance: Instance, exposure: Exposure, *, ssm_ready: bool) -> bool:
    """Whether EC2 Instance Connect's SSH goes over Session Manager: with no public address, or when the groups
    don't open port 22 to the internet and Session Manager can carry it (else the public address, warned)."""
    if not instance.public_ip:
        return True
    return ssm_ready and exposure in (Exposure.PRIVATE_ONLY, Exposure.CLOSED)


def first_available(
    offers: Iterable[Offer], preferred: Iterable[Method], remembered: Method | None = None
) -> Method | None:
    """The method the dialog selects when it opens: the ``remembered`` one if available, else the first of
    ``preferred`` that is available without a ⚠ warning (SSH to a public address port 22 isn't open to), else the
    first available."""
    by_method = {offer.method: offer for offer in offers}
    if remembered is not None and remembered in by_method and by_method[remembered].available:
        return remembered
    candidates = [by_method[m] for m in preferred if m in by_method and by_method[m].available]
    clean = [offer for offer in candidates if not offer.reason.startswith("⚠")]
    chosen = clean or candidates
    return chosen[0].method if chosen else None
