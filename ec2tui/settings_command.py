"""``ec2tui config``: the effective settings and where each came from; and the one place the main command line
takes its defaults from the settings (:func:`apply_settings`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ec2tui.errors import ValidationError
from ec2tui.settings import SETTING_HELP, Settings, load_keymap, load_ssh_keys, resolve_settings, use


def apply_settings(args: argparse.Namespace) -> Settings:
    """Fill the flags the user left unset from the settings file (flags > environment > file), record the result
    for the screens (``ec2tui.settings.current()``) and return it. Raises ValidationError, one line naming the key.

    Values from the environment are left to whoever reads that variable (botocore for AWS_PROFILE/AWS_REGION, the
    app for EC2TUI_THEME): the flag stays unset. The demo ignores the file's profile and region (its data lives in
    its own regions).
    """
    settings = resolve_settings(_flags(args))
    use(settings)
    from_file = {key for key, source in settings.sources.items() if settings.path and source == str(settings.path)}
    if not getattr(args, "demo", False):
        if "profile" in from_file:
            args.profile = settings.profile
        if "region" in from_file:
            args.region = settings.region
    if "theme" in from_file:
        args.theme = settings.theme
    args.read_only = settings.read_only
    args.cache_ttl = settings.cache_ttl
    return settings


def _flags(args: argparse.Namespace) -> dict[str, object]:
    return {
        "profile": getattr(args, "profile", None),
        "region": getattr(args, "region", None),
        "theme": getattr(args, "theme", None),
        "read_only": getattr(args, "read_only", False),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ec2tui config",
        description="Print the effective settings and where each came from (default, settings file, environment "
        "variable or flag). Give the same flags as to ec2tui to see their effect.",
    )
    parser.add_argument("--profile")
    parser.add_argument("--region")
    parser.add_argument("--theme")
    parser.add_argument("--read-only", action="store_true")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = resolve_settings(_flags(args))
        keymap, ssh_keys = load_keymap(), load_ssh_keys()
    except ValidationError as exc:
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2
    print_lines(describe(settings, keymap=keymap, ssh_keys=ssh_keys))
    return 0


def print_lines(lines: Sequence[str]) -> None:
    """Print to stdout; a reader that stops early (``| head``) is fine, not a traceback."""
    import os

    try:
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's advice: no second error at exit


def describe(
    settings: Settings, *, keymap: dict[str, str] | None = None, ssh_keys: dict[str, str] | None = None
) -> list[str]:
    """One line per setting: key, value, source; then what each key does."""
    path = settings.path
    found = "found" if path is not None and path.exists() else "not found: the values below are defaults or overrides"
    keymap = dict(settings.keymap) if keymap is None else keymap
    ssh_keys = dict(settings.ssh_keys) if ssh_keys is None else ssh_keys
    shown = {
        "profile": settings.profile or "(the AWS CLI's: default chain)",
        "region": settings.region or "(the AWS profile's, else us-east-1)",
        "theme": settings.theme or "(textual-dark)",
        "cache_ttl": f"{settings.cache_ttl:g} s",
        "read_only": "true" if settings.read_only else "false",
        "favourite_regions": ", ".join(settings.favourite_regions) or "(none)",
        "columns": "; ".join(f"{name}: {', '.join(keys)}" for name, keys in settings.columns.items())
        or "(each list's own)",
        "ssh_keys": ", ".join(f"{name} → {file}" for name, file in ssh_keys.items()) or "(none: ~/.ssh/<key pair>.pem)",
        "keymap": ", ".join(f"{binding} = {keys}" for binding, keys in keymap.items()) or "(defaults: see ec2tui keys)",
    }
    width = max(len(key) for key in shown)
    value_width = min(40, max(len(value) for value in shown.values()))
    lines = [f"Settings file: {path} ({found})", ""]
    for key, value in shown.items():
        source = settings.source(key)
        if key in ("keymap", "ssh_keys") and value and not value.startswith("("):
            source = "settings file and/or " + ("keymap.toml" if key == "keymap" else "ssh-keys.toml")
        elif source == str(path):
            source = "settings file"
        lines.append(f"{key:<{width}}  {value:<{value_width}}  [{source}]")
    lines += ["", "Keys of the settings file:"]
    lines += [f"  {key:<{width}}  {help_text}" for key, help_text in SETTING_HELP.items()]
    return lines
