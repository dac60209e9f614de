"""ec2tui's folders come from platformdirs, each overridable by an environment variable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ec2tui import paths


def test_cache_dir_override_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("EC2TUI_CACHE_DIR", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG folders are Linux's")
def test_linux_folders_follow_xdg(monkeypatch, tmp_path):
    for name in ("EC2TUI_CACHE_DIR", "EC2TUI_CONFIG_DIR", "EC2TUI_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.cache_dir() == tmp_path / "cache" / "ec2tui"
    assert paths.config_dir() == tmp_path / "config" / "ec2tui"
    assert paths.state_dir() == tmp_path / "state" / "ec2tui"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.cache_dir() == Path.home() / ".cache" / "ec2tui"
