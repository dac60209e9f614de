"""User settings on disk: the settings file (``settings.toml``: defaults for the command line, theme, cache, favourite
regions, columns, key files, keymap), the older keymap and key file map files, and their checks. No boto3, no UI.

Precedence, lowest first: built-in default < settings file < environment variable < command-line flag. The effective
settings remember where each value came from (``ec2tui config`` prints that). Folders come from ``ec2tui.paths``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ec2tui.errors import ValidationError
from ec2tui.paths import keymap_path, settings_path, ssh_keys_path
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


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id → keys: the settings file's ``[keymap]`` table, then ``keymap.toml``'s (which wins), or only
    ``path``'s when given. See :func:`read_keymap_file`."""
    if path is not None:
        return read_keymap_file(path)
    return {**load_settings_file().keymap, **read_keymap_file(keymap_path())}


def read_keymap_file(path: Path) -> dict[str, str]:
    """Binding id → keys, from a TOML file such as::

        [keymap]
        "app.help" = "f1,question_mark"
        "list.filter" = "slash,ctrl+f"

    A missing file is an empty keymap; a malformed one (or a FIFO, device or file over :data:`KEYMAP_LIMIT`)
    raises ValidationError naming the file. Entries are not checked here: see :func:`check_keymap`.
    """
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


def load_ssh_keys(path: Path | None = None) -> dict[str, str]:
    """Key pair name → private key file: the settings file's ``[ssh_keys]`` table, then ``ssh-keys.toml``'s (which
    wins), or only ``path``'s when given. See :func:`read_ssh_keys_file`."""
    if path is not None:
        return read_ssh_keys_file(path)
    return {**load_settings_file().ssh_keys, **read_ssh_keys_file(ssh_keys_path())}


def read_ssh_keys_file(path: Path) -> dict[str, str]:
    """Key pair name → private key file, used before ``~/.ssh/<name>.pem`` when connecting::

        [keys]
        "ops-2026" = "~/keys/ops.pem"

    A missing file is an empty map; a malformed one raises ValidationError naming the file.
    """
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


# -- the settings file ----------------------------------------------------------------------------------------------

SETTINGS_LIMIT = 256 * KIB
DEFAULT_CACHE_TTL = 60.0
"""Seconds a cached read stays fresh, unless the settings say otherwise (some lists keep their own, longer TTL)."""

REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

SETTING_HELP: dict[str, str] = {
    "profile": "AWS profile used when neither --profile nor AWS_PROFILE is given",
    "region": "region opened when neither --region nor AWS_REGION / AWS_DEFAULT_REGION is given",
    "theme": "Textual theme (ctrl+p → theme in the app saves it here)",
    "cache_ttl": "seconds a cached read (instances, subnets…) stays fresh",
    "read_only": "refuse every call that changes AWS, as --read-only does",
    "favourite_regions": "regions listed first on the Regions screen",
    "columns": '[columns] per list: the column keys to show, in order (e.g. instances = ["name", "id"])',
    "ssh_keys": "[ssh_keys] key pair name → private key file, for connect",
    "keymap": "[keymap] binding id → keys (see `ec2tui keys`)",
}
"""Every key the settings file may hold, with what it does."""

ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "profile": ("AWS_PROFILE",),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "theme": ("EC2TUI_THEME",),
    "cache_ttl": ("EC2TUI_CACHE_TTL",),
    "read_only": ("EC2TUI_READ_ONLY",),
}
"""The environment variables that override a setting of the file, first found wins."""

FLAGS: dict[str, str] = {"profile": "--profile", "region": "--region", "theme": "--theme", "read_only": "--read-only"}


@dataclass(frozen=True)
class Settings:
    """The effective settings, and where each came from (``sources``: key → "default", "<file>", "$VAR", "--flag")."""

    profile: str | None = None
    region: str | None = None
    theme: str | None = None
    cache_ttl: float = DEFAULT_CACHE_TTL
    read_only: bool = False
    favourite_regions: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ssh_keys: Mapping[str, str] = field(default_factory=dict)
    keymap: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")

    def columns_for(self, list_name: str, available: Sequence[str]) -> list[str] | None:
        """The settings' columns of ``list_name`` that exist in ``available``, in the settings' order; None when the
        settings say nothing about this list (show the list's own)."""
        wanted = self.columns.get(list_name)
        if not wanted:
            return None
        return [key for key in wanted if key in available] or None


def _bad(path: Path, key: str, problem: str) -> ValidationError:
    return ValidationError(f"{path}: {key} {problem}", key)


def _string(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(path, key, f"must be a non-empty string (got {value!r})")
    return value.strip()


def _region(path: Path, key: str, value: object) -> str:
    text = _string(path, key, value)
    if not REGION_NAME.match(text):
        raise _bad(path, key, f"must be a region name such as eu-west-1 (got {text!r})")
    return text


def _seconds(where: Path | str, key: str, value: object) -> float:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 7 * 24 * 3600:
        raise ValidationError(f"{where}: {key} must be a number of seconds from 0 to 604800 (got {value!r})", key)
    return float(value)


def _boolean(where: Path | str, key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValidationError(f"{where}: {key} must be true or false (got {value!r})", key)


def _string_table(path: Path, key: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise _bad(path, key, "must be a table of names to strings")
    return {k: v.strip() for k, v in value.items()}


def _columns(path: Path, key: str, value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise _bad(path, key, "must be a table: list name = [column keys]")
    columns: dict[str, tuple[str, ...]] = {}
    for name, keys in value.items():
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k.strip() for k in keys):
            raise _bad(path, f"{key}.{name}", f"must be a non-empty list of column keys (got {keys!r})")
        columns[name] = tuple(k.strip() for k in keys)
    return columns


_CHECKS: dict[str, Callable[[Path, str, object], object]] = {
    "profile": _string,
    "region": _region,
    "theme": _string,
    "cache_ttl": _seconds,
    "read_only": _boolean,
    "favourite_regions": lambda path, key, value: tuple(
        _region(path, key, v) for v in (value if isinstance(value, list) else [value])
    ),
    "columns": _columns,
    "ssh_keys": _string_table,
    "keymap": _string_table,
}


def load_settings_file(path: Path | None = None) -> Settings:
    """The settings file's values (missing file: all defaults). A bad value raises ValidationError, one line naming
    the file and the key."""
    path = path or settings_path()
    try:
        raw = read_regular_file(path, limit=SETTINGS_LIMIT)
    except UnsafeFileError as exc:
        raise ValidationError(f"Cannot read the settings: {exc}", "settings") from None
    if raw is None:
        return Settings(path=path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"{path}: not valid TOML: {exc}", "settings") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        check = _CHECKS.get(key)
        if check is None:
            known = ", ".join(SETTING_HELP)
            raise ValidationError(f"{path}: unknown setting {key!r} (known: {known})", key)
        values[key] = check(path, key, value)
    return Settings(**values, sources={key: str(path) for key in values}, path=path)


def resolve_settings(
    flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None, path: Path | None = None
) -> Settings:
    """The effective settings: the file's, overridden by the environment (:data:`ENVIRONMENT`), then by the flags
    given (``flags``: setting key → value, None or False when the flag was not given)."""
    environ = os.environ if environ is None else environ
    settings = load_settings_file(path)
    values: dict[str, Any] = {}
    sources = dict(settings.sources)
    for key, variables in ENVIRONMENT.items():
        for variable in variables:
            text = environ.get(variable, "").strip()
            if not text:
                continue
            where = f"${variable}"
            value: Any = text
            if key == "cache_ttl":
                value = _seconds(where, key, text)
            elif key == "read_only":
                value = _boolean(where, key, text)
            values[key], sources[key] = value, where
            break
    for key, value in (flags or {}).items():
        if value is not None and value is not False:
            values[key], sources[key] = value, FLAGS.get(key, f"--{key.replace('_', '-')}")
    return replace(settings, **values, sources=sources)


_current: Settings | None = None


def use(settings: Settings) -> None:
    """Make these the settings the screens read (:func:`current`); the command line calls it once at start."""
    global _current
    _current = settings


def current() -> Settings:
    """The settings in effect: those :func:`use` was given, else the file's alone (tests, tools)."""
    return _current if _current is not None else Settings()


def shown_columns(list_name: str, columns: Sequence[Any]) -> list[str] | None:
    """The column keys a list shows under the current settings' ``[columns]`` (None: all of its own). Columns with no
    heading (the mark ●, the current region) always stay, first: they carry state, not data."""
    chosen = current().columns_for(list_name, [column.key for column in columns])
    if chosen is None:
        return None
    return [column.key for column in columns if not column.label.strip()] + chosen


def favourites_first(names: Sequence[str], favourites: Sequence[str]) -> list[str]:
    """``names`` with the favourite ones first, in the favourites' order; the rest keep their order."""
    present = set(names)
    first = [name for name in dict.fromkeys(favourites) if name in present]
    chosen = set(first)
    return first + [name for name in names if name not in chosen]


# -- remembering the theme ----------------------------------------------------------------------------------------


def save_theme(theme: str, path: Path | None = None) -> None:
    """Write ``theme = "<theme>"`` into the settings file, keeping the rest of it (comments included) as it is."""
    path = path or settings_path()
    try:
        raw = read_regular_file(path, limit=SETTINGS_LIMIT)
    except UnsafeFileError as exc:
        raise ValidationError(f"Cannot remember the theme: {exc}", "theme") from None
    lines = raw.decode("utf-8").splitlines() if raw is not None else []
    line = f"theme = {json.dumps(theme)}"
    top = next((i for i, text in enumerate(lines) if text.lstrip().startswith("[")), len(lines))
    for index in range(top):
        if re.match(r"\s*theme\s*=", lines[index]):
            lines[index] = line
            break
    else:
        lines.insert(0, line)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write a file that would no longer load
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def remember_theme(app: Any) -> None:
    """From now on, save every theme ``app`` switches to (ctrl+p → theme) in the settings file. Call it once the
    app runs (``on_mount``), so a theme set at start (``--theme``, ``$EC2TUI_THEME``) is not written back."""

    def changed(theme: Any) -> None:
        try:
            save_theme(theme.name)
        except (OSError, ValidationError) as exc:
            app.notify(f"The theme could not be remembered: {exc}", severity="warning", markup=False)

    app.theme_changed_signal.subscribe(app, changed)
