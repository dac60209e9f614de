"""``ec2tui keys``: every key binding with its id (the names a keymap remaps), what it does, its default keys and,
when remapped, the keys in effect."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ec2tui.errors import ValidationError


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(
        prog="ec2tui keys",
        description="Print the keymap: binding id, what it does, default keys, your keys. Remap in settings.toml's "
        '[keymap] table (or keymap.toml), e.g. "app.help" = "f1,question_mark".',
    ).parse_args(argv)
    from ec2tui.cli import binding_table
    from ec2tui.settings import check_keymap, load_keymap
    from ec2tui.settings_command import print_lines

    try:
        keymap = load_keymap()
    except ValidationError as exc:
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2
    table = binding_table()
    defaults = {binding: keys for binding, (keys, _) in table.items()}
    usable, warnings = check_keymap(keymap, defaults)
    print_lines(keymap_lines(table, usable))
    for warning in warnings:
        print(f"ec2tui: {warning}", file=sys.stderr)
    return 0


def keymap_lines(table: dict[str, tuple[str, str]], remapped: dict[str, str]) -> list[str]:
    """One line per binding id: id, what it does, default keys, your keys (when remapped)."""
    width = max((len(binding) for binding in table), default=10)
    said = min(36, max((len(what) for _, what in table.values()), default=12))
    lines = [f"{'binding id':<{width}}  {'what it does':<{said}}  {'default keys':<24}  your keys"]
    for binding in sorted(table):
        keys, what = table[binding]
        what = what if len(what) <= said else what[: said - 1] + "…"
        mine = remapped.get(binding, "")
        lines.append(f"{binding:<{width}}  {what:<{said}}  {keys:<24}  {mine}".rstrip())
    return lines
