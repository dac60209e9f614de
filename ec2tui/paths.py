"""Where ec2tui keeps its own files, in one place: the platform's folders (platformdirs: XDG on Linux,
~/Library on macOS), each overridable with an environment variable (tests and unusual set-ups use those).

Every config, state and cache path of ec2tui comes from here: the settings file, the keymap and key file map
(``ec2tui.settings``), the launch drafts and connect choices (``ec2tui.drafts``), the lookup and price caches.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP_NAME = "ec2tui"

SETTINGS_FILE = "settings.toml"
KEYMAP_FILE = "keymap.toml"
SSH_KEYS_FILE = "ssh-keys.toml"

_XDG_HOMES = {"XDG_CACHE_HOME": ".cache", "XDG_CONFIG_HOME": ".config", "XDG_STATE_HOME": ".local/state"}


def _override(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else None


def _platform(folder: Callable[..., str], xdg_variable: str) -> Path:
    """platformdirs' folder, except that a relative ``$XDG_*_HOME`` is ignored, as the XDG spec says."""
    value = os.environ.get(xdg_variable, "").strip()
    if value and not Path(value).is_absolute() and sys.platform not in ("win32", "darwin"):
        return Path.home() / _XDG_HOMES[xdg_variable] / APP_NAME
    return Path(folder(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """``$EC2TUI_CACHE_DIR``, else the platform's user cache folder (``$XDG_CACHE_HOME/ec2tui``,
    ``~/.cache/ec2tui``, ``~/Library/Caches/ec2tui``)."""
    return _override("EC2TUI_CACHE_DIR") or _platform(platformdirs.user_cache_dir, "XDG_CACHE_HOME")


def config_dir() -> Path:
    """``$EC2TUI_CONFIG_DIR``, else the platform's user config folder (``~/.config/ec2tui`` on Linux)."""
    return _override("EC2TUI_CONFIG_DIR") or _platform(platformdirs.user_config_dir, "XDG_CONFIG_HOME")


def state_dir() -> Path:
    """``$EC2TUI_STATE_DIR``, else the platform's user state folder (``~/.local/state/ec2tui`` on Linux)."""
    return _override("EC2TUI_STATE_DIR") or _platform(platformdirs.user_state_dir, "XDG_STATE_HOME")


def screenshots_dir() -> Path:
    """Where the palette's Screenshot saves: the user's Downloads folder when it exists (Textual's choice), else
    ``screenshots`` in the state folder (servers and containers often have no Downloads)."""
    downloads = Path(platformdirs.user_downloads_dir())
    return downloads if downloads.is_dir() else state_dir() / "screenshots"


def settings_path() -> Path:
    """``$EC2TUI_SETTINGS`` (one file, e.g. for a test or a second set-up), else ``settings.toml`` in the config
    folder."""
    return _override("EC2TUI_SETTINGS") or config_dir() / SETTINGS_FILE


def keymap_path() -> Path:
    return config_dir() / KEYMAP_FILE


def ssh_keys_path() -> Path:
    return config_dir() / SSH_KEYS_FILE
