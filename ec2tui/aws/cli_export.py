"""The AWS CLI equivalent of a launch: ``aws ec2 run-instances`` with readable, shell-quoted flags. Pure Python."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from ec2tui.aws.models.launch import NEW_GROUP_PLACEHOLDER, LaunchRequest, to_run_instances_params
from ec2tui.aws.models.launch_validation import key_file_path
from ec2tui.aws.network import ip_permission

# Parameters with a dedicated, readable flag; anything else falls back to the generic kebab-case/JSON form.
FLAGS: dict[str, str] = {
    "ImageId": "--image-id",
    "InstanceType": "--instance-type",
    "KeyName": "--key-name",
    "SubnetId": "--subnet-id",
    "SecurityGroupIds": "--security-group-ids",
    "NetworkInterfaces": "--network-interfaces",
    "BlockDeviceMappings": "--block-device-mappings",
    "TagSpecifications": "--tag-specifications",
    "UserData": "--user-data",
}
_LINE = " \\\n    "


def kebab(name: str) -> str:
    """``EbsOptimized`` -> ``--ebs-optimized`` (the CLI's naming of API parameters)."""
    return "--" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def quote(value: str) -> str:
    """Shell-quote one argument. A value holding :data:`NEW_GROUP_PLACEHOLDER` is double-quoted with everything
    else escaped, so the shell substitutes the new group's id and nothing else."""
    if NEW_GROUP_PLACEHOLDER not in value:
        return shlex.quote(value)
    parts = value.split(NEW_GROUP_PLACEHOLDER)
    escaped = [re.sub(r'(["\\$`])', r"\\\1", part) for part in parts]
    return '"' + NEW_GROUP_PLACEHOLDER.join(escaped) + '"'


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def run_instances_args(params: dict[str, Any]) -> list[str]:
    """The ``aws ec2 run-instances`` arguments (unquoted) for boto3 ``run_instances`` params: image, type and
    count first, then the rest in the params' order."""
    args = ["aws", "ec2", "run-instances"]
    first = [name for name in ("ImageId", "InstanceType") if name in params]
    for name in first:
        args += _flag(name, params[name])
    low, high = params.get("MinCount", 1), params.get("MaxCount", 1)
    args += ["--count", str(low) if low == high else f"{low}:{high}"]
    for name, value in params.items():
        if name not in first and name not in ("MinCount", "MaxCount"):
            args += _flag(name, value)
    return args


def _flag(name: str, value: Any) -> list[str]:
    flag = FLAGS.get(name) or kebab(name)
    if isinstance(value, bool):
        return [flag if value else "--no-" + flag[2:]]
    if name == "SecurityGroupIds":
        return [flag, *value]
    if isinstance(value, (list, dict)):
        return [flag, _json(value)]
    return [flag, str(value)]


def cli_command(params: dict[str, Any], *, region: str | None = None, multiline: bool = True) -> str:
    """The ``aws ec2 run-instances ...`` command for boto3 ``run_instances`` params, properly shell-quoted.

    ``UserData`` is passed as text: the CLI base64-encodes it like boto3 does.
    """
    args = run_instances_args(params)
    if region:
        args += ["--region", region]
    words = [quote(a) for a in args]
    if not multiline:
        return " ".join(words)
    # One flag (with its values) per line after "aws ec2 run-instances".
    lines = [" ".join(words[:3])]
    for word, raw in zip(words[3:], args[3:], strict=True):
        if raw.startswith("--"):
            lines.append(word)
        else:
            lines[-1] += " " + word
    return _LINE.join(lines)


def cli_input_json(params: dict[str, Any]) -> str:
    """The params as a ``--cli-input-json`` document (``aws ec2 run-instances --cli-input-json file://x.json``)."""
    return json.dumps(params, indent=2, ensure_ascii=False) + "\n"


def cli_script(request: LaunchRequest, *, region: str | None = None) -> str:
    """A bash script doing the whole launch: create the new key pair (saved 0600) and security group if the
    request asks for them, then run the instances with the new group's id."""
    region_args = ["--region", region] if region else []
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", ""]
    key = request.key_pair
    if key.choice == "new":
        path = key_file_path(key.name, key.directory)
        create = ["aws", "ec2", "create-key-pair", "--key-name", key.name, "--key-type", key.key_type]
        create += ["--query", "KeyMaterial", "--output", "text", *region_args]
        lines += [
            f"# New key pair {key.name}: the private key is saved to {path}, readable only by you.",
            f"test ! -e {quote(path)}",
            f"(umask 077 && {' '.join(quote(a) for a in create)} > {quote(path)})",
            "",
        ]
    group = request.security_groups.new_group
    if group is not None:
        create = ["aws", "ec2", "create-security-group", "--group-name", group.name, "--description", group.description]
        if request.network.vpc_id:
            create += ["--vpc-id", request.network.vpc_id]
        create += ["--query", "GroupId", "--output", "text", *region_args]
        variable = NEW_GROUP_PLACEHOLDER.strip("${}")
        lines += [f"# New security group {group.name}.", f"{variable}=$({' '.join(quote(a) for a in create)})"]
        if group.rules:
            permissions = _json([ip_permission(r) for r in group.rules])
            authorize = ["aws", "ec2", "authorize-security-group-ingress", "--group-id", NEW_GROUP_PLACEHOLDER]
            authorize += ["--ip-permissions", permissions, *region_args]
            lines.append(" ".join(quote(a) for a in authorize))
        lines.append("")
    lines.append(cli_command(to_run_instances_params(request), region=region))
    return "\n".join(lines) + "\n"
