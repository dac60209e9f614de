"""``deferred``: a worker's work made when the worker runs, so a replaced worker leaves no coroutine behind."""

from __future__ import annotations

import asyncio
import gc
import inspect
import warnings

from textual.app import App

from ec2tui.deferred import deferred


def test_the_call_is_made_when_the_work_runs_with_its_arguments():
    calls: list[tuple[int, int]] = []

    async def add(x: int, *, y: int) -> int:
        calls.append((x, y))
        return x + y

    work = deferred(add, 1, y=2)
    assert inspect.iscoroutinefunction(work) and calls == []
    assert asyncio.run(work()) == 3 and calls == [(1, 2)]
    assert work.__qualname__.endswith("add"), "the worker's description names the work"
    assert asyncio.run(deferred(lambda: add(2, y=3))()) == 5, "any callable returning an awaitable"


async def test_an_exclusive_worker_replaced_before_it_starts_leaves_no_coroutine_unawaited():
    started: list[str] = []

    async def load(name: str) -> None:
        started.append(name)

    async with App[None]().run_test() as pilot:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pilot.app.run_worker(deferred(load, "first"), group="load", exclusive=True)
            second = pilot.app.run_worker(deferred(load, "second"), group="load", exclusive=True)
            await second.wait()
            gc.collect()
    assert started == ["second"], "the replaced worker never ran its work"
    assert not [w for w in caught if "never awaited" in str(w.message)]
