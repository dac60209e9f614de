"""VPC, subnet, security group and key pair models for the launch form's pickers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Vpc:
    vpc_id: str
    cidr: str
    is_default: bool
    name: str = ""
    state: str = "available"

    @property
    def label(self) -> str:
        parts = [self.vpc_id, self.name, self.cidr, "(default)" if self.is_default else ""]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    vpc_id: str
    cidr: str
    availability_zone: str
    available_ips: int
    default_for_az: bool
    map_public_ip_on_launch: bool
    name: str = ""
    ipv6_cidrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One inbound permission for one source (AWS groups sources per permission; we flatten them).

    ``protocol`` is ``tcp``, ``udp``, ``icmp``, ``icmpv6``, ``all`` or an IP protocol number.
    Ports are ``None`` when the protocol has none (``all``); for ICMP they are type and code (-1 = any).
    ``source`` is a CIDR (v4 or v6), a security group id or a prefix list id.
    """

    protocol: str
    from_port: int | None
    to_port: int | None
    source: str
    description: str = ""

    @property
    def port_label(self) -> str:
        if self.protocol == "all" or self.from_port is None:
            return "all"
        if self.from_port == self.to_port:
            return str(self.from_port)
        return f"{self.from_port}-{self.to_port}"


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    group_id: str
    name: str
    description: str
    vpc_id: str
    inbound: tuple[SecurityGroupRule, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A key pair's public facts; the private key is never kept here."""

    name: str
    key_type: str
    fingerprint: str
    key_pair_id: str = ""
    created: datetime | None = None
