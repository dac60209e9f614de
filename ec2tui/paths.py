"""Where ec2tui keeps its own files, in one place: the platform's folders (platformdirs: XDG on Linux,
~/Library on macOS), each overridable with an environment variable (tests and unusual set-ups use those).

So far the disk cache uses it; the keymap (``ec2tui.settings``) and the launch drafts (``ec2tui.drafts``) still work
out their folders themselves, the same way by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ec2tui"


def _override(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """``$EC2TUI_CACHE_DIR``, else the platform's user cache folder (``$XDG_CACHE_HOME/ec2tui``,
    ``~/.cache/ec2tui``, ``~/Library/Caches/ec2tui``)."""
    return _override("EC2TUI_CACHE_DIR") or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """``$EC2TUI_CONFIG_DIR``, else the platform's user config folder (``~/.config/ec2tui`` on Linux)."""
    return _override("EC2TUI_CONFIG_DIR") or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """``$EC2TUI_STATE_DIR``, else the platform's user state folder (``~/.local/state/ec2tui`` on Linux)."""
    return _override("EC2TUI_STATE_DIR") or Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
