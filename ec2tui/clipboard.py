"""Copy text to the user's clipboard: pyperclip where a system clipboard exists, OSC 52 otherwise.

OSC 52 asks the terminal itself to set the clipboard, which works over SSH and through tmux
(with ``set-clipboard on``), where a local clipboard tool would copy to the wrong machine or fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import pyperclip


def is_remote(environ: Mapping[str, str] = os.environ) -> bool:
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def copy_text(text: str, osc52: Callable[[str], None], environ: Mapping[str, str] = os.environ) -> str:
    """Copy ``text``; returns how it was copied ("system clipboard" or "terminal (OSC 52)").

    ``osc52`` is Textual's ``App.copy_to_clipboard``. Over SSH the terminal is the clipboard the user sees, so
    OSC 52 is always sent there; pyperclip is tried as well when it has a mechanism.
    """
    if not is_remote(environ):
        try:
            pyperclip.copy(text)
        except pyperclip.PyperclipException:
            pass
        else:
            osc52(text)  # harmless where unsupported; keeps tmux's buffer in step
            return "system clipboard"
    osc52(text)
    return "terminal clipboard (OSC 52)"
