"""The launch form's messages: what a section tells the screen when it changed the request.

One class per thing the screen reacts to differently (grep a name to follow the flow); every edit carries the
field's path (its issue line) and whether the user made it or the form filled in a default itself.
"""

from __future__ import annotations

from textual.message import Message


class FormEdited(Message):
    """Base of the form's edits (not posted itself). ``path`` names the field (``name``, ``volumes[1]``…);
    ``by_user`` is False for a default the form filled in (the first Quick Start AMI, a type for its architecture,
    the first key pair)."""

    def __init__(self, path: str, by_user: bool = True) -> None:
        super().__init__()
        self.path = path
        self.by_user = by_user


class FieldEdited(FormEdited):
    """Any edit that needs nothing reloaded: re-validate and keep the draft."""


class ImageChosen(FormEdited):
    """The AMI ID changed: its facts are looked up (once it is a complete ID)."""


class VpcChosen(FormEdited):
    """The VPC changed: its subnets and security groups are listed again."""


class SubnetChosen(FormEdited):
    """The subnet changed: the types offered in its zone are read again."""


class TypeChosen(FormEdited):
    """The instance type changed: storage shows the instance store it brings."""


class RowsChanged(FormEdited):
    """Rows (tags, rules, volumes) were rebuilt: their new issue lines need filling."""

    def __init__(self) -> None:
        super().__init__("rows", by_user=False)
