"""User settings on disk: where they live, the optional key remapping file and its checks. No boto3, no UI."""

from __future__ import annotations

import os
import string
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from ec2tui.errors import ValidationError
from ec2tui.state_files import KIB, UnsafeFileError, read_regular_file

KEYMAP_LIMIT = 64 * KIB
"""A keymap is a few lines; a bigger file is a mistake (or not a keymap)."""

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})

PROTECTED_KEYS: dict[str, str] = {
    "colon": "app.prompt",
    "question_mark": "app.help",
    "slash": "list.filter",
    "escape": "",
}
"""Keys every screen relies on, with the binding that must keep each (escape: whichever bindings have it)."""

KEY_SHOWN = {"colon": ":", "question_mark": "?", "slash": "/", "escape": "escape"}


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
        "app.help" = "f1,question_mark"
        "list.filter" = "slash,ctrl+f"

    A missing file is an empty keymap; a malformed one (or a FIFO, device or file over :data:`KEYMAP_LIMIT`)
    raises ValidationError naming the file. Entries are not checked here: see :func:`check_keymap`.
    """
    path = path or keymap_path()
    try:
        raw = read_regular_file(path, limit=KEYMAP_LIMIT)  # a symlink is fine: dotfile managers make them
    except UnsafeFileError as exc:
        raise ValidationError(f"Cannot read the keymap: {exc}", "keymap") from None
    if raw is None:
        return {}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"Cannot read the keymap {path}: {exc}", "keymap") from exc
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keymap.items()
    ):
        raise ValidationError(f"{path}: [keymap] must map binding ids to key names (strings)", "keymap")
    return {k: v.strip() for k, v in keymap.items()}


# -- checking a keymap --------------------------------------------------------------------------------------------


def character_key(character: str) -> str:
    """Textual's name for the key that types ``character``: ``?`` → ``question_mark``, ``a`` → ``a``."""
    if character.isalnum():
        return character
    from textual.keys import KEY_NAME_REPLACEMENTS

    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return KEY_NAME_REPLACEMENTS.get(name, name)


@cache
def key_names() -> frozenset[str]:
    """Every key name Textual knows without a modifier: its named keys and each printable character's name."""
    from textual.keys import Keys

    named = {key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")}
    characters = {c for c in string.printable if not c.isspace()}
    return frozenset(named | characters | {character_key(c) for c in characters})


def normalize_key(key: str) -> str:
    """A key as Textual stores it in a keymap (single characters by name)."""
    key = key.strip()
    return character_key(key) if len(key) == 1 else key


def is_key_name(key: str) -> bool:
    """True for a key Textual can bind: ``f1``, ``a``, ``?``, ``question_mark``, ``ctrl+x``, ``ctrl+shift+up``…"""
    text = key.strip()
    if len(text) == 1:
        return text.isprintable() and not text.isspace()
    *modifiers, base = text.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    return base in key_names() or (len(base) == 1 and base.isprintable() and not base.isspace())


def check_keymap(keymap: Mapping[str, str], defaults: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` that are safe to apply, and one warning per entry left out.

    ``defaults`` maps each binding id the app has to its default keys (comma-separated, as in ``Binding``).
    An entry is left out when its id is unknown, a key name is unknown, it moves ``:``, ``?``, ``/`` or escape
    onto a binding that doesn't have it by default, or it takes ``:``/``?``/``/`` away from the binding they open.
    """
    usable: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys_text in keymap.items():
        entry = f'keymap entry "{binding_id}" = "{keys_text}"'
        if binding_id not in defaults:
            warnings.append(f"{entry}: unknown binding id, ignored.")
            continue
        keys = [k.strip() for k in keys_text.split(",") if k.strip()]
        unknown = [k for k in keys if not is_key_name(k)]
        if unknown or not keys:
            warnings.append(f"{entry}: unknown key name {', '.join(repr(k) for k in unknown) or '(none)'}, ignored.")
            continue
        wanted = {normalize_key(k) for k in keys}
        default = {normalize_key(k) for k in defaults[binding_id].split(",")}
        taken = sorted(k for k in wanted & PROTECTED_KEYS.keys() if k not in default)
        if taken:
            shown = ", ".join(KEY_SHOWN[k] for k in taken)
            warnings.append(f"{entry}: refused, it would take {shown} away from its binding.")
            continue
        lost = sorted(k for k, owner in PROTECTED_KEYS.items() if owner == binding_id and k not in wanted)
        if lost:
            shown = ", ".join(KEY_SHOWN[k] for k in lost)
            warnings.append(f'{entry}: refused, {shown} must stay bound (add it: "{keys_text},{lost[0]}").')
            continue
        usable[binding_id] = ",".join(keys)
    return usable, warnings


# -- key files for key pairs ----------------------------------------------------------------------------------------

SSH_KEYS_LIMIT = 64 * KIB


def ssh_keys_path() -> Path:
    return config_dir() / "ssh-keys.toml"


def load_ssh_keys(path: Path | None = None) -> dict[str, str]:
    """Key pair name → private key file, used before ``~/.ssh/<name>.pem`` when connecting::

        [keys]
        "ops-2026" = "~/keys/ops.pem"

    A missing file is an empty map; a malformed one raises ValidationError naming the file.
    """
    path = path or ssh_keys_path()
    try:
        raw = read_regular_file(path, limit=SSH_KEYS_LIMIT)
    except UnsafeFileError as exc:
        raise ValidationError(f"Cannot read the key file map: {exc}", "ssh-keys") from None
    if raw is None:
        return {}
    try:
        keys = tomllib.loads(raw.decode("utf-8")).get("keys", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"Cannot read the key file map {path}: {exc}", "ssh-keys") from exc
    if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise ValidationError(f"{path}: [keys] must map key pair names to file paths (strings)", "ssh-keys")
    return {k: v.strip() for k, v in keys.items() if v.strip()}
