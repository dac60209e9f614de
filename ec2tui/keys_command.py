"""``ec2tui keys``: every key binding with its id (the names a keymap remaps), its default keys and, when remapped,
the keys in effect."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ec2tui.errors import ValidationError


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(
        prog="ec2tui keys",
        description="Print the keymap: binding id, default keys, your keys. Remap in settings.toml's [keymap] "
        'table (or keymap.toml), e.g. "app.help" = "f1,question_mark".',
    ).parse_args(argv)
    from ec2tui.cli import binding_defaults
    from ec2tui.settings import check_keymap, load_keymap
    from ec2tui.settings_command import print_lines

    try:
        keymap = load_keymap()
    except ValidationError as exc:
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2
    defaults = binding_defaults()
    usable, warnings = check_keymap(keymap, defaults)
    print_lines(keymap_lines(defaults, usable))
    for warning in warnings:
        print(f"ec2tui: {warning}", file=sys.stderr)
    return 0


def keymap_lines(defaults: dict[str, str], remapped: dict[str, str]) -> list[str]:
    width = max((len(binding) for binding in defaults), default=10)
    lines = [f"{'binding id':<{width}}  {'default keys':<24}  your keys"]
    for binding in sorted(defaults):
        mine = remapped.get(binding, "")
        lines.append(f"{binding:<{width}}  {defaults[binding]:<24}  {mine}".rstrip())
    return lines
