"""One copy of each often-repeated text in parsed models (states, types, zones, VPCs, owners, tag keys).

A parsed answer gives every record its own string objects: 10,000 instances hold 10,000 ``"running"`` and 10,000
copies of their VPC's ID. Interned, they share one (interned strings are freed once nothing uses them).
"""

from __future__ import annotations

import sys
from typing import TypeVar

S = TypeVar("S", str, str | None)


def shared(value: S) -> S:
    """The one shared copy of ``value`` (``None`` and anything not exactly a ``str`` pass through)."""
    return sys.intern(value) if type(value) is str else value
