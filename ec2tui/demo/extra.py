"""Whether this install has the ``demo`` extra (moto and its server stack), and the exact command that adds it.

ec2tui for a real account needs none of it; ``ec2tui --demo`` and ``ec2tui pick --demo`` check here first, without
importing moto (the demo imports it in the server's own process).
"""

from __future__ import annotations

import shlex
import sys
from importlib.util import find_spec

from ec2tui.errors import Ec2TuiError

DEMO_MODULES = ("moto", "flask", "werkzeug")
"""What the demo's server imports that a lean install leaves out (moto[server] brings Flask and Werkzeug)."""


class DemoExtraMissing(Ec2TuiError):
    """The demo's packages are not installed; the message says how to install them."""


def install_command(executable: str = sys.executable, prefix: str = sys.prefix) -> str:
    """The command that adds the extra to the environment ec2tui runs in (pipx keeps its own)."""
    if "pipx" in prefix.replace("\\", "/").split("/"):
        return "pipx install --force 'ec2tui[demo]'"
    return f"{shlex.quote(executable)} -m pip install 'ec2tui[demo]'"


def check_demo_extra() -> None:
    """Raise :class:`DemoExtraMissing` (with the install command) unless every demo package is importable."""
    missing = [name for name in DEMO_MODULES if find_spec(name) is None]
    if missing:
        raise DemoExtraMissing(
            f"--demo needs the 'demo' extra ({', '.join(missing)} not installed). Install it with: "
            f"{install_command()}   (from a checkout: pip install -e '.[demo]')"
        )
