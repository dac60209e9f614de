"""Types are checked, not just written: mypy passes with the project's config, and the screens share one typed app
accessor instead of each casting ``self.app``."""

from __future__ import annotations

import ast
import inspect
import os
from pathlib import Path

from textual import getters

from ec2tui.screens.ami_actions import AmiActions
from ec2tui.screens.host import UsesEc2App
from ec2tui.screens.instance_ops import InstanceActions

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_with_the_project_config():
    from mypy import api

    cwd = Path.cwd()
    os.chdir(ROOT)  # mypy reads [tool.mypy] from ./pyproject.toml and checks its `files`
    try:
        out, err, status = api.run([])
    finally:
        os.chdir(cwd)
    assert status == 0, out + err


def test_the_ec2app_accessor_is_defined_once():
    """Screens and mixins get ``ec2app`` from ``screens/host.py`` (``textual.getters.app``); none writes its own."""
    own = []
    for path in (ROOT / "ec2tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "ec2app":
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert own == []
    assert issubclass(AmiActions, UsesEc2App) and issubclass(InstanceActions, UsesEc2App)
    assert isinstance(UsesEc2App.__dict__["ec2app"], getters.app)


def test_the_mixins_declare_no_host_attribute_as_any():
    """The mixins' host is the ``ScreenHost`` Protocol (checked by mypy), not class attributes typed ``Any``."""
    for mixin in (AmiActions, InstanceActions):
        assert "Any" not in {str(a) for a in inspect.get_annotations(mixin).values()}, mixin
