"""Start, stop, reboot and terminate instances, termination protection, and the typed confirmation that guards
termination.

Imports no boto3: the pure helpers (:func:`terminate_confirmation_phrase`, :func:`terminate_confirmation_ok`,
:func:`validate_instance_ids`) are safe for the UI to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ec2tui.aws.models.instances import StateChange
from ec2tui.errors import ValidationError

INSTANCE_ID_RE = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


def validate_instance_ids(instance_ids: Iterable[str]) -> list[str]:
    """Strip, de-duplicate (keeping order) and check the IDs; raise :class:`ValidationError` on a bad one."""
    ids: list[str] = []
    for raw in instance_ids:
        instance_id = str(raw).strip()
        if not INSTANCE_ID_RE.match(instance_id):
            raise ValidationError(
                f"'{instance_id}' is not an instance ID (expected i- followed by 8 or 17 hex digits).", "instance_ids"
            )
        if instance_id not in ids:
            ids.append(instance_id)
    if not ids:
        raise ValidationError("No instance selected.", "instance_ids")
    return ids


def _changes(items: list[dict[str, Any]]) -> list[StateChange]:
    return [
        StateChange(
            instance_id=item["InstanceId"],
            previous_state=item.get("PreviousState", {}).get("Name", ""),
            current_state=item.get("CurrentState", {}).get("Name", ""),
        )
        for item in items
    ]


def start_instances(ec2: Any, instance_ids: Iterable[str]) -> list[StateChange]:
    ids = validate_instance_ids(instance_ids)
    return _changes(ec2.start_instances(InstanceIds=ids).get("StartingInstances", []))


def stop_instances(ec2: Any, instance_ids: Iterable[str], *, force: bool = False) -> list[StateChange]:
    """Stop; ``force`` skips the OS shutdown (like pulling the plug: for instances stuck in ``stopping``)."""
    ids = validate_instance_ids(instance_ids)
    return _changes(ec2.stop_instances(InstanceIds=ids, Force=force).get("StoppingInstances", []))


def reboot_instances(ec2: Any, instance_ids: Iterable[str]) -> list[StateChange]:
    """Reboot. EC2 returns nothing and the state stays ``running``: the changes report the state read afterwards."""
    ids = validate_instance_ids(instance_ids)
    ec2.reboot_instances(InstanceIds=ids)
    response = ec2.describe_instances(InstanceIds=ids)
    states = {
        raw["InstanceId"]: raw.get("State", {}).get("Name", "")
        for reservation in response.get("Reservations", [])
        for raw in reservation.get("Instances", [])
    }
    return [StateChange(i, states.get(i, ""), states.get(i, "")) for i in ids]


def terminate_instances(ec2: Any, instance_ids: Iterable[str]) -> list[StateChange]:
    """Terminate (irreversible: the UI must have passed :func:`terminate_confirmation_ok` first)."""
    ids = validate_instance_ids(instance_ids)
    return _changes(ec2.terminate_instances(InstanceIds=ids).get("TerminatingInstances", []))


def terminate_confirmation_phrase(instance_ids: Iterable[str]) -> str:
    """What the user must type to confirm a termination.

    One instance: its ID (``i-0123456789abcdef0``). Several: ``terminate N`` where N is how many distinct instances
    are selected (``terminate 3``), so the user confirms the count rather than retyping every ID.
    """
    ids = list(dict.fromkeys(i.strip() for i in instance_ids if i.strip()))
    if not ids:
        raise ValidationError("No instance selected.", "instance_ids")
    if len(ids) == 1:
        return ids[0]
    return f"terminate {len(ids)}"


def terminate_confirmation_ok(typed: str, instance_ids: Iterable[str]) -> bool:
    """True only when ``typed`` (surrounding whitespace stripped) is exactly :func:`terminate_confirmation_phrase`.

    Case-sensitive; inner whitespace must match too. No selection is never confirmed.
    """
    try:
        phrase = terminate_confirmation_phrase(instance_ids)
    except ValidationError:
        return False
    return typed.strip() == phrase


def set_termination_protection(ec2: Any, instance_id: str, enabled: bool) -> None:
    """Turn ``DisableApiTermination`` on or off: while on, TerminateInstances is refused for the instance."""
    (instance_id,) = validate_instance_ids([instance_id])
    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": bool(enabled)})
