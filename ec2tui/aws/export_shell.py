"""AWS CLI (v1 and v2) command lines for boto3 parameters, quoted so the shell hands every value over unchanged.

Every value is single-quoted (``'\\''`` for a quote inside) unless it is a plain word (letters, digits, ``@%+=:,./_-``),
so ``$VARS``, backticks and ``${NEW_SG_ID}`` typed by the user stay text. The only shell expansions in an export are
the ones it generates itself: a :class:`ShellVar` stands for a value known at run time (the new group's id) and is
written as ``"$NAME"`` wherever it appears, even inside a JSON argument. Pure Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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
LINE_BREAK = " \\\n    "
_PLAIN = re.compile(r"[A-Za-z0-9@%+=:,./_-]+")
# AWS CLI v1 reads a top-level value starting with these from the file or URL it names (v2: files only); such values
# go in --cli-input-json instead, which the CLI takes as it is.
URI_PREFIXES = ("file://", "fileb://", "http://", "https://")


@dataclass(frozen=True)
class ShellVar:
    """A value the script only knows when it runs: ``token`` marks its place in the arguments, ``name`` is the
    shell variable holding it. The token is chosen so that no user value contains it (see :func:`free_token`)."""

    token: str
    name: str

    @property
    def reference(self) -> str:
        return f'"${self.name}"'


def free_token(base: str, taken: str) -> str:
    """``base`` (with a suffix if needed) such that it does not occur in ``taken``, the text of every user value."""
    token, n = base, 0
    while token in taken:
        n += 1
        token = f"{base}{n}"
    return token


def quote(value: str) -> str:
    """One shell word for ``value``, with nothing expanded: a plain word as it is, anything else single-quoted."""
    if _PLAIN.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def shell_word(value: str, variables: Iterable[ShellVar] = ()) -> str:
    """``value`` as one shell word where each variable's token becomes ``"$NAME"`` and everything else is quoted."""
    pieces: list[str] = [value]
    for var in variables:
        pieces = _split(pieces, var)
    return "".join(p if isinstance(p, _Ref) else quote(p) for p in pieces if p != "") or "''"


class _Ref(str):
    """A piece of a word that is a variable reference (already shell syntax)."""


def _split(pieces: list[str], var: ShellVar) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, _Ref):
            out.append(piece)
            continue
        parts = piece.split(var.token)
        for i, part in enumerate(parts):
            if i:
                out.append(_Ref(var.reference))
            out.append(part)
    return out


def kebab(name: str) -> str:
    """``EbsOptimized`` -> ``--ebs-optimized`` (the CLI's naming of API parameters)."""
    return "--" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def flag_args(name: str, value: Any, flags: Mapping[str, str] | None = None) -> list[str]:
    """One parameter as CLI arguments: a bare flag for a boolean, JSON for lists and structures, the text otherwise.
    A text starting with ``-`` is attached (``--flag=-x``) so the CLI can't take it for an option."""
    flag = (flags or FLAGS).get(name) or kebab(name)
    if isinstance(value, bool):
        return [flag if value else "--no-" + flag[2:]]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        if any(v.startswith("-") for v in value):
            return [f"{flag}={_json(value)}"]
        return [flag, *value]
    if isinstance(value, (list, dict)):
        return [flag, _json(value)]
    text = str(value)
    return [f"{flag}={text}"] if text.startswith("-") else [flag, text]


def takes_from_uri(value: Any) -> bool:
    """Would the AWS CLI read this top-level value from a file or URL instead of taking it as it is?"""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return isinstance(value, str) and value.startswith(URI_PREFIXES)


def call_args(
    command: list[str],
    params: Mapping[str, Any],
    *,
    first: Iterable[str] = (),
    then: Iterable[str] = (),
    flags: Mapping[str, str] | None = None,
) -> list[str]:
    """``command``, a flag per parameter (``first`` ones first, followed by the ready-made ``then`` arguments).
    Values the CLI would fetch from a file or URL go together in one ``--cli-input-json`` document at the end,
    which the CLI takes as it is."""
    first = [n for n in first if n in params]
    args = list(command)
    verbatim: dict[str, Any] = {}
    for i, name in enumerate([*first, *(n for n in params if n not in first)]):
        if i == len(first):
            args += then
        if takes_from_uri(params[name]):
            verbatim[name] = params[name]
        else:
            args += flag_args(name, params[name], flags)
    if len(first) == len(params):
        args += then
    if verbatim:
        args += ["--cli-input-json", _json(verbatim)]
    return args


def run_instances_args(params: dict[str, Any]) -> list[str]:
    """The ``aws ec2 run-instances`` arguments (unquoted) for boto3 ``run_instances`` params: image, type and
    count first, then the rest in the params' order."""
    low, high = params.get("MinCount", 1), params.get("MaxCount", 1)
    count = ["--count", str(low) if low == high else f"{low}:{high}"]
    rest = {k: v for k, v in params.items() if k not in ("MinCount", "MaxCount")}
    return call_args(["aws", "ec2", "run-instances"], rest, first=("ImageId", "InstanceType"), then=count)


def join_command(args: list[str], variables: Iterable[ShellVar] = (), *, multiline: bool = True, head: int = 3) -> str:
    """Quote and join arguments; multiline puts each flag (with its values) on a line of its own after the first
    ``head`` words."""
    variables = tuple(variables)
    words = [shell_word(a, variables) for a in args]
    if not multiline:
        return " ".join(words)
    lines = [" ".join(words[:head])]
    for word, raw in zip(words[head:], args[head:], strict=True):
        if raw.startswith("--"):
            lines.append(word)
        else:
            lines[-1] += " " + word
    return LINE_BREAK.join(lines)


def cli_command(
    params: dict[str, Any],
    *,
    region: str | None = None,
    multiline: bool = True,
    variables: Iterable[ShellVar] = (),
    extra: Iterable[str] = (),
) -> str:
    """The ``aws ec2 run-instances ...`` command for boto3 ``run_instances`` params, properly shell-quoted.

    ``UserData`` is passed as text: the CLI base64-encodes it like boto3 does. Nothing in a value is expanded by the
    shell; only ``variables``' tokens become references. ``extra`` arguments (e.g. ``--client-token``) go last.
    """
    args = run_instances_args(params) + list(extra)
    if region:
        args += ["--region", region]
    return join_command(args, variables, multiline=multiline)
