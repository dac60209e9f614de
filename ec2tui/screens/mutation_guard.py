"""One mutation at a time per target: an in-flight registry shared by every screen of an app.

A launch, an instance action or an AMI action holds its target (the launch form, the instance IDs, the image ID)
from the moment its request is sent until the answer is in. A second request for a held target is refused with a
message instead of being sent again, and nothing ever cancels the first one half-way (its worker is not
``exclusive``): AWS may have acted already, so its answer must be reported. Different targets run concurrently.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from weakref import WeakKeyDictionary

LAUNCH = "launch"
INSTANCE = "instance"
IMAGE = "image"


class Hold:
    """The targets one mutation holds; a context manager that lets them go (once) however the mutation ends."""

    def __init__(self, guard: MutationGuard, keys: frozenset[tuple[str, str]], what: str) -> None:
        self._guard, self.keys, self.what = guard, keys, what
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._guard._release(self)

    def __enter__(self) -> Hold:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


class MutationGuard:
    """Which targets have a mutation out, keyed by (kind, target); ``what`` says what for the refusal message."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], Hold] = {}

    def busy(self, kind: str, targets: Iterable[str]) -> str | None:
        """What holds one of these targets (``"Stop web-1"``), or ``None`` when none is held."""
        for target in targets:
            hold = self._held.get((kind, target))
            if hold is not None:
                return hold.what
        return None

    def acquire(self, kind: str, targets: Iterable[str], what: str) -> Hold | None:
        """Hold every target, or none (``None``) when any of them is held already."""
        keys = frozenset((kind, t) for t in targets)
        if any(key in self._held for key in keys):
            return None
        hold = Hold(self, keys, what)
        for key in keys:
            self._held[key] = hold
        return hold

    def _release(self, hold: Hold) -> None:
        for key in hold.keys:
            if self._held.get(key) is hold:
                del self._held[key]

    @property
    def in_flight(self) -> list[str]:
        """What is out now (one entry per mutation), for messages and tests."""
        return sorted({hold.what for hold in self._held.values()})


_GUARDS: WeakKeyDictionary[object, MutationGuard] = WeakKeyDictionary()


def guard_of(app: object) -> MutationGuard:
    """The app's guard: every screen of one app shares it (the list and the detail act on the same instances)."""
    guard = _GUARDS.get(app)
    if guard is None:
        guard = _GUARDS[app] = MutationGuard()
    return guard


def refusal(what: str) -> str:
    """The message for a second request while ``what`` is out."""
    return f"{what} is already in progress: wait for its answer (nothing was sent again)."
