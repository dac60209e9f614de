"""What a new key pair / security group is when its name is taken already: pure checks validation uses so that the
attempt after a failed launch (which may leave both in AWS) is not refused with "already exists".

The launch itself checks for real (the key file holds the key pair's private key; the group is unused):
see ``ec2tui.aws.launch_leftovers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ec2tui.aws.models.launch import IngressRule, NewSecurityGroup
from ec2tui.aws.models.network import SecurityGroup


def free_name(name: str, taken: Callable[[str], bool]) -> str:
    """``name-2``, ``name-3``… : the first one ``taken`` says is free (``""`` when none of the first 99 is)."""
    return next((f"{name}-{n}" for n in range(2, 100) if not taken(f"{name}-{n}")), "")


def _entered(rule: IngressRule) -> tuple[object, ...]:
    """An entered rule as AWS will list it (see ``network.ip_permission`` and ``network._rules``)."""
    protocol = "icmpv6" if rule.protocol == "icmp" and rule.is_ipv6 else rule.protocol
    if protocol == "all":
        ports: tuple[object, object] = (None, None)
    else:
        try:
            ports = (int(rule.from_port or 0), int(rule.to_port or 0))
        except (TypeError, ValueError):  # still being typed: can't be the same rule
            ports = ("?", "?")
    return (protocol, *ports, rule.cidr.strip(), rule.description)


def same_group(group: NewSecurityGroup, existing: SecurityGroup) -> bool:
    """Whether ``existing`` is what creating ``group`` would make: same name, description and inbound rules."""
    if existing.name != group.name.strip() or existing.description != group.description.strip():
        return False
    have = sorted(map(repr, ((r.protocol, r.from_port, r.to_port, r.source, r.description) for r in existing.inbound)))
    return have == sorted(map(repr, map(_entered, group.rules)))


def group_named(name: str, groups: Iterable[SecurityGroup]) -> SecurityGroup | None:
    wanted = name.strip().lower()
    return next((g for g in groups if g.name.lower() == wanted), None)
