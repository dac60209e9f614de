"""Instance models: the list row (:class:`Instance`), the detail pane (:class:`InstanceDetail`) and state constants.

Pure Python: the UI imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from ec2tui import clock


class InstanceState(StrEnum):
    """EC2 instance states. ``Instance.state`` holds the raw string, which compares equal to these members."""

    PENDING = "pending"
    RUNNING = "running"
    SHUTTING_DOWN = "shutting-down"
    TERMINATED = "terminated"
    STOPPING = "stopping"
    STOPPED = "stopped"
    REBOOTING = "rebooting"
    """Not an EC2 state: the UI may show it for a moment after a reboot request (EC2 keeps saying ``running``)."""


TRANSITIONAL_STATES = frozenset(
    {InstanceState.PENDING, InstanceState.STOPPING, InstanceState.SHUTTING_DOWN, InstanceState.REBOOTING}
)

STATE_ROLES: dict[str, str] = {
    InstanceState.RUNNING: "success",
    InstanceState.PENDING: "warning",
    InstanceState.REBOOTING: "warning",
    InstanceState.STOPPING: "warning",
    InstanceState.SHUTTING_DOWN: "warning",
    InstanceState.STOPPED: "error",
    InstanceState.TERMINATED: "muted",
}
"""What each state means at a glance, by role name: the UI gives each role the current theme's colour
(``ec2tui.widgets.theme_colours``). An unknown state has no role ("")."""


def state_role(state: str) -> str:
    return STATE_ROLES.get(state, "")


def format_age(seconds: float) -> str:
    """A short human duration: ``"3d 4h"``, ``"5h 12m"``, ``"7m"``, ``"40s"``."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


@dataclass(frozen=True, slots=True)
class BlockDevice:
    device: str
    volume_id: str
    delete_on_termination: bool


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    interface_id: str
    private_ips: tuple[str, ...]
    public_ip: str | None
    subnet_id: str


@dataclass(frozen=True, slots=True)
class Instance:
    """One row of the instances table (from ``describe_instances``)."""

    id: str
    name: str
    state: str
    state_reason: str
    instance_type: str
    image_id: str
    availability_zone: str
    private_ip: str | None
    public_ip: str | None
    public_dns: str | None
    key_name: str | None
    launch_time: datetime | None
    platform: str
    """``PlatformDetails`` such as ``"Linux/UNIX"``, ``"Windows"``, ``"Red Hat Enterprise Linux"``."""
    architecture: str
    vpc_id: str | None
    subnet_id: str | None
    region: str
    security_groups: tuple[tuple[str, str], ...] = ()
    """(group id, group name) pairs."""
    iam_profile_arn: str | None = None
    block_devices: tuple[BlockDevice, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    monitoring: str = "disabled"
    """Detailed monitoring: ``disabled``, ``enabled``, ``pending`` or ``disabling``."""
    metadata: str = ""
    """The instance metadata service: ``required`` (IMDSv2 only), ``optional`` (v1 and v2), ``disabled``, or ``""``."""
    lifecycle: str = "on-demand"
    """How it is paid for: ``on-demand``, ``spot`` or ``scheduled`` (AWS's InstanceLifecycle)."""

    def __post_init__(self) -> None:
        # A launch time at UTC shares the one UTC tzinfo: botocore's parser gives some answers' times a tzinfo object
        # of their own (dateutil's tzlocal, some 400 bytes each: 4 MB over 10,000 instances). Same instant.
        launch = self.launch_time
        if launch is not None and launch.tzinfo is not UTC and launch.tzinfo is not None and not launch.utcoffset():
            object.__setattr__(self, "launch_time", launch.replace(tzinfo=UTC))

    def tag(self, key: str) -> str | None:
        return next((value for k, value in self.tags if k == key), None)

    @property
    def is_transitional(self) -> bool:
        return self.state in TRANSITIONAL_STATES

    @property
    def is_windows(self) -> bool:
        return "windows" in self.platform.lower()

    @property
    def state_role(self) -> str:
        return state_role(self.state)

    @property
    def ssh_ip(self) -> str | None:
        """The address to connect to: the public IP when there is one, else the private one."""
        return self.public_ip or self.private_ip

    def age_at(self, now: datetime) -> str:
        if self.launch_time is None:
            return ""
        return format_age((now - self.launch_time).total_seconds())

    @property
    def age(self) -> str:
        """Time since launch (``"3d 4h"``); empty when the launch time is unknown."""
        return self.age_at(clock.now())


@dataclass(frozen=True, slots=True)
class StateChange:
    """What a start/stop/reboot/terminate request did to one instance."""

    instance_id: str
    previous_state: str
    current_state: str


@dataclass(frozen=True, slots=True)
class InstanceTypeInfo:
    instance_type: str
    vcpus: int
    memory_mib: int

    @property
    def memory_gib(self) -> float:
        return self.memory_mib / 1024

    @property
    def label(self) -> str:
        """``"2 vCPU, 8 GiB"`` (fractions kept for the small types: ``"0.5 GiB"``)."""
        return f"{self.vcpus} vCPU, {self.memory_gib:g} GiB"


AMI_AVAILABLE = "available"
AMI_NOT_FOUND = "not-found"
AMI_UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AmiInfo:
    """The instance's AMI as far as we can still see it.

    ``status`` is the image state (``available``, ``deprecated``...), :data:`AMI_NOT_FOUND` when it was deregistered
    or is no longer shared with this account, or :data:`AMI_UNKNOWN` when the lookup itself failed.
    """

    image_id: str
    status: str
    name: str | None = None
    description: str | None = None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.status == AMI_NOT_FOUND:
            return "(AMI deregistered or no longer shared)"
        return "(AMI name unavailable)"


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One inbound permission: a protocol, a port range and the sources it admits."""

    protocol: str
    """As EC2 reports it: ``"tcp"``, ``"udp"``, ``"icmp"``, ``"-1"`` (all) or a protocol number."""
    from_port: int | None
    to_port: int | None
    sources: tuple[str, ...]
    """CIDRs, IPv6 CIDRs, ``sg-...`` ids and ``pl-...`` prefix lists, each with its description if any."""

    @property
    def protocol_label(self) -> str:
        return _PROTOCOL_NAMES.get(self.protocol, self.protocol.upper())

    @property
    def port_label(self) -> str:
        if self.protocol in ("-1", "all"):
            return "all"
        if self.protocol in ("icmp", "1", "icmpv6", "58"):
            if self.from_port in (None, -1):
                return "all"
            code = "" if self.to_port in (None, -1) else f" code {self.to_port}"
            return f"type {self.from_port}{code}"
        if self.from_port is None or (self.from_port in (0, -1) and self.to_port in (65535, -1)):
            return "all"
        if self.from_port == self.to_port:
            return str(self.from_port)
        return f"{self.from_port}-{self.to_port}"


_PROTOCOL_NAMES = {
    "-1": "All",
    "all": "All",
    "tcp": "TCP",
    "6": "TCP",
    "udp": "UDP",
    "17": "UDP",
    "icmp": "ICMP",
    "1": "ICMP",
    "icmpv6": "ICMPv6",
    "58": "ICMPv6",
}


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    name: str
    description: str
    inbound: tuple[SecurityGroupRule, ...]


@dataclass(frozen=True, slots=True)
class Volume:
    volume_id: str
    device: str
    size_gib: int
    volume_type: str
    iops: int | None
    encrypted: bool
    state: str
    delete_on_termination: bool | None = None


@dataclass(frozen=True, slots=True)
class InstanceDetail:
    """Everything the detail pane shows: the instance plus lookups made for it.

    A lookup that failed (e.g. no permission for ``DescribeVolumes``) leaves its part empty or ``None`` and adds a
    human-readable line to ``warnings`` instead of failing the whole detail.
    """

    instance: Instance
    type_info: InstanceTypeInfo | None
    ami: AmiInfo
    security_groups: tuple[SecurityGroup, ...]
    volumes: tuple[Volume, ...]
    ssh_user: str | None
    """Best guess at the login user from the AMI (``None`` for Windows: use RDP)."""
    warnings: tuple[str, ...] = field(default=())
    termination_protection: bool | None = None
    """``DisableApiTermination``; ``None`` when it couldn't be read."""
