"""The launch as JSON: the ``run_instances`` parameters when they are usable as they are, otherwise every call of the
launch in order (create the key pair, the group, its rules, then run the instances), each a valid
``--cli-input-json`` document once the new group's id is put where it says. Pure Python."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ec2tui.aws.models.launch import NEW_GROUP_PLACEHOLDER, LaunchRequest, to_run_instances_params
from ec2tui.aws.models.launch_validation import key_file_path
from ec2tui.aws.network import ip_permission

PLAN_FORMAT = "ec2tui-launch-steps/1"


@dataclass(frozen=True)
class JsonExport:
    """What the review's JSON export offers: ``text`` to copy, a ``title`` for its box and a ``note`` to show.
    ``runnable``: ``text`` works as it is with ``aws ec2 run-instances --cli-input-json file://launch.json``."""

    text: str
    title: str
    note: str
    runnable: bool


def cli_input_json(params: dict[str, Any]) -> str:
    """The params as a ``--cli-input-json`` document (``aws ec2 run-instances --cli-input-json file://x.json``)."""
    return json.dumps(params, indent=2, ensure_ascii=False) + "\n"


def run_instances_json(request: LaunchRequest, new_group_id: str | None = None) -> str:
    """The ``run-instances`` document valid once the launch's key pair and group exist (``new_group_id``: the id
    the create step returned, e.g. the script's ``$NEW_SG_ID``)."""
    if request.security_groups.new_group is not None and not new_group_id:
        raise ValueError("The launch creates a security group: its id is needed for a valid run-instances document.")
    return cli_input_json(to_run_instances_params(request, new_group_id=new_group_id))


def _paths(value: Any, marker: str, at: tuple[Any, ...] = ()) -> list[list[Any]]:
    """Where ``marker`` stands in a JSON value, as key/index paths."""
    if value == marker:
        return [list(at)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, marker, (*at, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, marker, (*at, i))]
    return []


def launch_steps(request: LaunchRequest) -> list[dict[str, Any]]:
    """Every call of the launch in order, as the app makes them (:func:`ec2tui.aws.launch.launch`). ``Input`` is the
    command's ``--cli-input-json``; ``NewGroupIdAt`` lists the paths in it that take the new group's id (they hold
    :data:`NEW_GROUP_PLACEHOLDER` until then; a user value holding that text is never one of them)."""
    steps: list[dict[str, Any]] = []
    key = request.key_pair
    if key.choice == "new":
        steps.append(
            {
                "Command": "create-key-pair",
                "Input": {"KeyName": key.name, "KeyType": key.key_type, "KeyFormat": "pem"},
                "Note": f"KeyMaterial in the answer is the only copy of the private key: save it as "
                f"{key_file_path(key.name, key.directory)} with mode 0600.",
            }
        )
    group = request.security_groups.new_group
    marker = "\0new-group-id\0"  # no typed value holds a NUL: the paths found are the generated ones
    if group is not None:
        create: dict[str, Any] = {"GroupName": group.name.strip(), "Description": group.description.strip()}
        if request.network.vpc_id:
            create["VpcId"] = request.network.vpc_id
        steps.append(
            {
                "Command": "create-security-group",
                "Input": create,
                "Note": "GroupId in the answer is the new group's id.",
            }
        )
        if group.rules:
            steps.append(
                {
                    "Command": "authorize-security-group-ingress",
                    "Input": {"GroupId": marker, "IpPermissions": [ip_permission(r) for r in group.rules]},
                }
            )
    steps.append({"Command": "run-instances", "Input": to_run_instances_params(request, new_group_id=marker)})
    for step in steps:
        paths = _paths(step["Input"], marker)
        if paths:
            step["NewGroupIdAt"] = paths
            step["Input"] = fill_new_group_id(step, NEW_GROUP_PLACEHOLDER)
    return steps


def fill_new_group_id(step: dict[str, Any], group_id: str) -> dict[str, Any]:
    """A step's ``Input`` with the new group's id put at each of its ``NewGroupIdAt`` paths."""
    document: dict[str, Any] = json.loads(json.dumps(step["Input"]))
    for path in step.get("NewGroupIdAt", []):
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = group_id
    return document


def json_export(request: LaunchRequest, region: str | None = None) -> JsonExport:
    """What ``j`` on the review should copy, with the sentence that says how to use it."""
    if request.key_pair.choice != "new" and request.security_groups.new_group is None:
        return JsonExport(
            cli_input_json(to_run_instances_params(request)),
            "run_instances parameters (JSON)",
            "Use it with: aws ec2 run-instances --cli-input-json file://launch.json",
            runnable=True,
        )
    creates = " and ".join(
        what
        for what, asked in (
            ("a key pair", request.key_pair.choice == "new"),
            ("a security group", request.security_groups.new_group is not None),
        )
        if asked
    )
    document = {"Format": PLAN_FORMAT, "Region": region or "", "Steps": launch_steps(request)}
    return JsonExport(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        "Launch steps (JSON)",
        f"This launch creates {creates} first, so run_instances alone can't run: j copies every call in order "
        f"(run each Input with aws ec2 <Command> --cli-input-json, the new group's id put at NewGroupIdAt). "
        f"The script (c) does it all.",
        runnable=False,
    )
