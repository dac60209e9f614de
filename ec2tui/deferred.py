"""Work for Textual's ``run_worker``, made when the worker starts rather than when it is asked for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

P = ParamSpec("P")


def deferred(fn: Callable[P, Awaitable[object]], /, *args: P.args, **kwargs: P.kwargs) -> Any:
    """``fn(*args, **kwargs)`` as a coroutine function for ``run_worker``, called only once the worker runs. Given
    ``fn(...)`` itself, an exclusive worker replaced before it started (a key pressed twice, a screen closed at once)
    left a coroutine that was never awaited. ``fn`` may be any callable returning an awaitable (a lambda too, which
    Textual would refuse as a worker's work).

    Typed ``Any``: mypy cannot infer ``run_worker``'s result from Textual's ``WorkType`` union for a coroutine
    function; the arguments are still checked against ``fn``'s signature here.
    """

    async def work() -> object:
        return await fn(*args, **kwargs)

    # The worker's description (its repr) names the work, as the coroutine's did: "<function ListScreen._load …>".
    work.__qualname__ = work.__name__ = getattr(fn, "__qualname__", type(fn).__name__)
    return work
