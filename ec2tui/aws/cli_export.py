"""The AWS CLI equivalents of a launch: the ``aws ec2 run-instances`` command, the bash script that creates the new
key pair and security group first, and the JSON documents. Pure Python; one import for the gateway and the review.

- :func:`cli_command` / :func:`run_instances_args` / :func:`quote`: see :mod:`ec2tui.aws.export_shell`.
- :func:`cli_script`: see :mod:`ec2tui.aws.export_script`.
- :func:`json_export` (what ``j`` copies, with the note to show), :func:`launch_steps`, :func:`run_instances_json`,
  :func:`cli_input_json`: see :mod:`ec2tui.aws.export_json`.
"""

from __future__ import annotations

from ec2tui.aws.export_json import (
    JsonExport,
    cli_input_json,
    fill_new_group_id,
    json_export,
    launch_steps,
    run_instances_json,
)
from ec2tui.aws.export_script import GROUP_VAR, cli_script
from ec2tui.aws.export_shell import FLAGS, ShellVar, cli_command, kebab, quote, run_instances_args, shell_word

__all__ = [
    "FLAGS",
    "GROUP_VAR",
    "JsonExport",
    "ShellVar",
    "cli_command",
    "cli_input_json",
    "cli_script",
    "fill_new_group_id",
    "json_export",
    "kebab",
    "launch_steps",
    "quote",
    "run_instances_args",
    "run_instances_json",
    "shell_word",
]
