"""The launch as a bash script of AWS CLI calls doing what ec2tui's own launch does (:func:`ec2tui.aws.launch.launch`).

- Check first: a key pair or security group of the same name is reused when it can be (a key pair only with its
  private key file next to it), or the script says why not and stops before creating anything.
- Create the key folder 0700 when missing and refuse a symlinked or world-writable one, as the app does; the ``.pem``
  is written (0600, never over an existing file) only from a successful ``create-key-pair``, with the same bytes
  the app writes.
- Roll back what this run created when a later step fails (an EXIT trap), saying what could not be deleted.
- A fixed client token makes AWS answer a second ``run-instances`` with the instances of the first run.

Every user value is single-quoted (see :mod:`ec2tui.aws.export_shell`); the only expansions are the script's own
variables. Pure Python.
"""

from __future__ import annotations

import json
import os
import uuid

from ec2tui.aws.export_shell import ShellVar, call_args, cli_command, free_token, join_command, quote, shell_word
from ec2tui.aws.models.launch import LaunchRequest, to_run_instances_params
from ec2tui.aws.models.launch_validation import key_file_path
from ec2tui.aws.network import ip_permission

GROUP_VAR = "NEW_SG_ID"
"""The shell variable holding the new security group's id once it exists."""

_PRELUDE = r"""set -euo pipefail
export AWS_PAGER=""  # CLI v2: print answers instead of paging them

say() { local format=$1; shift; printf "$format\n" "$@" >&2; }
fail() { say "$@"; exit 1; }
"""


def _taken(request: LaunchRequest) -> str:
    """Every user value of the request as one text: generated tokens must not occur in it."""
    return repr(request)


def key_folder_word(directory: str) -> str:
    """The key folder as a shell word: ``~`` stays the home of whoever runs the script; a relative folder is made
    absolute here, where the app would resolve it."""
    if directory == "~" or directory.startswith("~/"):
        return '"$HOME"' + (quote(directory[1:]) if directory[1:] else "")
    return quote(os.path.abspath(os.path.expanduser(directory)))


def cli_script(request: LaunchRequest, *, region: str | None = None, client_token: str | None = None) -> str:
    """A bash script doing the whole launch as the app does it: check, create the new key pair and security group
    if the request asks for them, launch with the new group's id, roll back on failure, safe to run again."""
    region_args = ["--region", region] if region else []
    token = client_token or str(uuid.uuid4())
    taken = _taken(request)
    group_var = ShellVar(free_token("EC2TUI-NEW-GROUP-ID", taken), GROUP_VAR)
    vpc_var = ShellVar(free_token("EC2TUI-VPC-ID", taken), "vpc_id")
    token_var = ShellVar(free_token("EC2TUI-CLIENT-TOKEN", taken), "CLIENT_TOKEN")

    def sh(args: list[str], *variables: ShellVar) -> str:
        return join_command(args, variables, multiline=False)

    lines = [
        "#!/usr/bin/env bash",
        "# The launch reviewed in ec2tui, as AWS CLI calls doing what ec2tui does (exported by ec2tui).",
        "# Safe to run again: what a first run created is reused, and the client token makes AWS return the",
        "# instances of the first run instead of launching more (change CLIENT_TOKEN to launch another set).",
        "# If a step fails, what this run created is deleted again.",
        _PRELUDE,
        f"CLIENT_TOKEN={quote(token)}",
        f"{GROUP_VAR}=''",
        "key_state='' group_state=''  # creating, then created: what the rollback deletes",
        "",
        *_rollback(request, region_args, group_var, vpc_var),
        "",
    ]
    key = request.key_pair
    if key.choice == "new":
        lines += _key_steps(request, region_args)
    group = request.security_groups.new_group
    if group is not None:
        name, description = group.name.strip(), group.description.strip()
        lines.append(f"# Security group {name!r}: reused if it exists in the VPC, else created with its rules.")
        if request.network.vpc_id:
            lines.append(f"vpc_id={quote(request.network.vpc_id)}")
        else:
            describe = call_args(["aws", "ec2", "describe-vpcs"], {"Filters": [_filter("is-default", "true")]})
            describe += ["--query", "Vpcs[0].VpcId", "--output", "text", *region_args]
            lines.append(f"vpc_id=$({sh(describe)})  # the default VPC, where the group is created")
        create_params = {"GroupName": name, "Description": description}
        if request.network.vpc_id:
            create_params["VpcId"] = request.network.vpc_id
        create = call_args(["aws", "ec2", "create-security-group"], create_params)
        create += ["--query", "GroupId", "--output", "text", *region_args]
        lines += [
            f"{GROUP_VAR}=$({_group_lookup(name, region_args, vpc_var)})",
            f'if [ -n "${GROUP_VAR}" ] && [ "${GROUP_VAR}" != None ]; then',
            f"  say 'Security group %s already exists (%s): using it as it is (its rules are not changed).' "
            f'{quote(name)} "${GROUP_VAR}"',
            "else",
            "  group_state=creating",
            f"  {GROUP_VAR}=$({sh(create)})",
            "  group_state=created",
        ]
        if group.rules:
            authorize = call_args(
                ["aws", "ec2", "authorize-security-group-ingress"],
                {"GroupId": group_var.token, "IpPermissions": [ip_permission(r) for r in group.rules]},
            )
            lines.append(f"  {sh(authorize + region_args, group_var)} > /dev/null")
        lines += [f"  say 'Created the security group %s (%s).' {quote(name)} \"${GROUP_VAR}\"", "fi", ""]
    params = to_run_instances_params(request, new_group_id=group_var.token)
    lines += [
        "# The instances (the client token makes a second run return these instead of launching more).",
        cli_command(params, region=region, variables=[group_var, token_var], extra=["--client-token", token_var.token]),
        "trap - EXIT",
    ]
    return "\n".join(lines) + "\n"


def _group_lookup(name: str, region_args: list[str], vpc_var: ShellVar) -> str:
    """The command printing the id of the group named ``name`` in ``$vpc_id`` (``None`` if there is none)."""
    # Matched exactly by the query: filter values would treat * and ? in the name as wildcards.
    lookup = call_args(["aws", "ec2", "describe-security-groups"], {"Filters": [_filter("vpc-id", vpc_var.token)]})
    query = f"SecurityGroups[?GroupName=={_literal(name)}].GroupId | [0]"
    lookup += ["--query", query, "--output", "text", *region_args]
    return join_command(lookup, [vpc_var], multiline=False)


def _key_count(name: str, region_args: list[str]) -> str:
    """The command printing how many key pairs are named ``name`` (0 or 1)."""
    exists = ["aws", "ec2", "describe-key-pairs", "--query", f"length(KeyPairs[?KeyName=={_literal(name)}])"]
    return join_command([*exists, "--output", "text", *region_args], multiline=False)


def _literal(value: str) -> str:
    """A JMESPath literal for a user value (JSON, with backticks escaped)."""
    return "`" + json.dumps(value, ensure_ascii=False).replace("`", "\\`") + "`"


def _filter(name: str, value: str) -> dict[str, object]:
    return {"Name": name, "Values": [value]}


def _rollback(request: LaunchRequest, region_args: list[str], group_var: ShellVar, vpc_var: ShellVar) -> list[str]:
    """The EXIT trap: after a failure, delete what this run created (the key file only once its key pair is gone).
    A create whose answer was lost (the CLI failed or was interrupted) may still have created it: looked up first."""
    key, group = request.key_pair, request.security_groups.new_group
    body = ["  local status=$?", "  trap - EXIT", '  [ "$status" -eq 0 ] && exit 0']
    if group is not None:
        delete = join_command(
            ["aws", "ec2", "delete-security-group", "--group-id", group_var.token, *region_args],
            [group_var],
            multiline=False,
        )
        lookup = _group_lookup(group.name.strip(), region_args, vpc_var)
        body += [
            '  if [ "$group_state" = creating ]; then',
            f"    {GROUP_VAR}=$({lookup} 2> /dev/null || true)",
            f'    [ -n "${GROUP_VAR}" ] && [ "${GROUP_VAR}" != None ] && group_state=created',
            "  fi",
            '  if [ "$group_state" = created ]; then',
            f"    if {delete} > /dev/null; then say 'Rolled back: deleted the security group %s.' \"${GROUP_VAR}\"",
            f"    else say 'Could not delete the security group %s (%s): it is left behind.' \"${GROUP_VAR}\" "
            f"{quote(group.name.strip())}; fi",
            "  fi",
        ]
    if key.choice == "new":
        delete = join_command(["aws", "ec2", "delete-key-pair", "--key-name", key.name, *region_args], multiline=False)
        body += [
            '  if [ "$key_state" = creating ] && [ "$('
            + _key_count(key.name, region_args)
            + ' 2> /dev/null)" = 1 ]; then',
            "    key_state=created",
            "  fi",
            '  if [ "$key_state" = created ]; then',
            f"    if {delete} > /dev/null; then say 'Rolled back: deleted the key pair %s.' {quote(key.name)}",
            '      [ -z "$key_written" ] || { rm -f -- "$key_file" && say \'Removed %s.\' "$key_file"; }',
            '    elif [ -n "$key_written" ]; then',
            "      say 'Could not delete the key pair %s: it is left behind; its private key stays in %s.' "
            f'{quote(key.name)} "$key_file"',
            f"    else say 'Could not delete the key pair %s: it is left behind.' {quote(key.name)}; fi",
            "  fi",
        ]
    body.append('  exit "$status"')
    return ["rollback() {", *body, "}", "trap rollback EXIT", "trap 'exit 130' INT", "trap 'exit 143' TERM"]


def _key_steps(request: LaunchRequest, region_args: list[str]) -> list[str]:
    key = request.key_pair
    name = key.name
    file_name = os.path.basename(key_file_path(name, ""))
    # The app always asks for PEM (ec2tui.aws.network.create_key_pair); a future key_format field is honoured.
    key_format = getattr(key, "key_format", "pem") or "pem"
    create = call_args(["aws", "ec2", "create-key-pair"], {"KeyName": name, "KeyType": key.key_type})
    create += ["--key-format", key_format, "--query", "KeyMaterial", "--output", "text", *region_args]
    q = quote(name)

    def cmd(args: list[str]) -> str:
        return join_command(args, multiline=False)

    return [
        f"# Key pair {name!r}: its private key goes to {file_name} in the key folder, readable only by you.",
        f"key_dir={key_folder_word(key.directory)}",
        f'key_file="$key_dir"/{shell_word(file_name)}',
        f'if [ "$({_key_count(name, region_args)})" != 0 ]; then',
        '  if [ -f "$key_file" ]; then',
        f"    say 'Key pair %s already exists and its private key is in %s: using them.' {q} \"$key_file\"",
        "  else",
        f"    fail 'Key pair %s already exists in this region, but its private key is not in %s: choose another name, "
        f'or delete the key pair if nobody needs it.\' {q} "$key_file"',
        "  fi",
        "else",
        '  if [ -e "$key_file" ] || [ -L "$key_file" ]; then',
        "    fail '%s already exists; a private key file is never overwritten. Move it away or choose another "
        'key name.\' "$key_file"',
        "  fi",
        "  # The key folder: created 0700 when missing; a symlinked or world-writable one is refused, as in ec2tui.",
        '  if [ -L "$key_dir" ]; then',
        "    fail 'The key folder %s is a symbolic link; refused. Use the real folder'\\''s path.' \"$key_dir\"",
        '  elif [ ! -e "$key_dir" ]; then',
        '    mkdir -p -- "$(dirname -- "$key_dir")" && mkdir -m 700 -- "$key_dir"',
        '  elif [ ! -d "$key_dir" ]; then',
        "    fail 'The key folder %s is not a folder.' \"$key_dir\"",
        '  elif [ -n "$(find "$key_dir" -maxdepth 0 -perm -0002)" ]; then',
        "    fail 'The key folder %s is writable by every user; refused. Fix it with: chmod o-w %s' "
        '"$key_dir" "$key_dir"',
        "  fi",
        "  # The file is written only from a successful answer. The CLI prints the key and a newline; $(...) drops",
        "  # trailing newlines and printf puts one back: the bytes ec2tui writes.",
        "  key_state=creating key_written=''",
        f"  key_material=$({cmd(create)})",
        "  key_state=created",
        '  (umask 077 && set -o noclobber && printf \'%s\\n\' "$key_material" > "$key_file")',
        "  key_written=1",
        "  unset key_material",
        f"  say 'Created the key pair %s; its private key is in %s (mode 0600).' {q} \"$key_file\"",
        "fi",
        "",
    ]
