"""User settings on disk: where they live and the optional key remapping file. Pure Python."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from ec2tui.errors import ValidationError


def config_dir() -> Path:
    """$EC2TUI_CONFIG_DIR, else $XDG_CONFIG_HOME/ec2tui, else ~/.config/ec2tui."""
    if override := os.environ.get("EC2TUI_CONFIG_DIR"):
        return Path(override).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(base).expanduser() / "ec2tui"


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id → keys, from a TOML file such as::

        [keymap]
        "app.help" = "f1"
        "list.filter" = "slash,ctrl+f"

    A missing file is an empty keymap; a malformed one raises ValidationError naming the file.
    """
    path = path or keymap_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"Cannot read the keymap {path}: {exc}", "keymap") from exc
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keymap.items()
    ):
        raise ValidationError(f"{path}: [keymap] must map binding ids to key names (strings)", "keymap")
    return {k: v.strip() for k, v in keymap.items()}
