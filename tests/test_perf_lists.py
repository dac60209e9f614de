"""What keeps big lists quick without changing what they show: cheap worker names, the collector held off during a
big load (ec2tui/collector.py)."""

from __future__ import annotations

import asyncio
import gc
from functools import partial

import pytest

from ec2tui import collector
from ec2tui.list_query import RowStore


@pytest.fixture
def unfrozen():
    """Tests here freeze the heap: thaw it afterwards, so the rest of the run collects as usual."""
    yield
    gc.unfreeze()


def test_a_snapshot_names_its_worker_in_a_few_characters():
    """Textual names a thread worker by ``repr`` of its work, on the event loop: a snapshot of 10,000 rows must not
    spell them out (it did: a quarter of a second per filter keystroke)."""
    store: RowStore[str] = RowStore(("name",))
    for index in range(10_000):
        store.add(f"k{index}", f"item {index}", (f"cell {index}",), {"name": f"cell {index}"}, [10])
    work = partial(print, 1, store.snapshot(), None)
    assert len(repr(work)) < 200


def full_collections_while(make_garbage) -> list[int]:
    """The generations collected while ``make_garbage()`` runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        make_garbage()
    finally:
        gc.callbacks.remove(note)
    return seen


def grow_the_heap() -> list[list[int]]:
    """Enough long-lived objects that the collector would run a full pass."""
    return [[index] for index in range(400_000)]


def test_no_full_collection_runs_while_a_load_is_under_way(unfrozen):
    gc.collect()
    assert 2 in full_collections_while(grow_the_heap), "without it, this much allocation sets off a full pass"
    gc.collect()
    kept: list[list[list[int]]] = []
    with collector.full_collections_put_off():
        seen = full_collections_while(lambda: kept.append(grow_the_heap()))
    assert 2 not in seen and 0 in seen, "young passes go on, full ones wait"


def test_a_big_load_freezes_what_is_alive_and_a_small_one_does_not(unfrozen):
    gc.unfreeze()
    threshold = gc.get_threshold()

    async def load(rows: int) -> int:
        assert gc.get_threshold()[2] == collector.PUT_OFF
        await asyncio.sleep(0)
        return rows

    assert asyncio.run(collector.load_quietly(load(10), lambda: 10)) == 10
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    asyncio.run(collector.load_quietly(load(collector.BIG_LIST), lambda: collector.BIG_LIST))
    assert gc.get_freeze_count() > 0, "what a big list left alive is out of the full passes' reach"
    assert gc.get_threshold() == threshold, "the collector's settings are put back"


def test_loads_side_by_side_share_the_pause(unfrozen):
    threshold = gc.get_threshold()
    with collector.full_collections_put_off():
        with collector.full_collections_put_off():
            collector.freeze_when_done()
        assert gc.get_threshold()[2] == collector.PUT_OFF, "the other load still runs"
        assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold and gc.get_freeze_count() > 0


def test_rows_added_in_bulk_equal_rows_added_one_by_one():
    rows = [
        (
            f"k{index % 7}",
            index,
            (f"Name {index}", "x" * (index % 5)),
            {"name": f"name {index}", "tag": "env=prod"},
            [7, index % 5],
        )
        for index in range(20)
    ]
    one_by_one: RowStore[int] = RowStore(("name", "tag"))
    for row in rows:
        one_by_one.add(*row)
    bulk: RowStore[int] = RowStore(("name", "tag"))
    assert bulk.add_many(rows) == [f"k{index}" for index in range(7)], "each key once, the first row wins"
    assert bulk.add_many(rows) == []
    for name in ("keys", "items", "cells", "texts", "fields", "index", "widths"):
        assert getattr(bulk, name) == getattr(one_by_one, name), name


def test_a_cleared_filter_shows_every_row_as_a_copy_and_others_in_their_order():
    from ec2tui.screens.list_screen import gather

    store: RowStore[int] = RowStore(("name",))
    for index in range(6):
        store.add(f"k{index}", index, (f"cell {index}",), {"name": f"{index}"}, [6])
    snapshot = store.snapshot()
    keys, cells = gather(snapshot, list(range(6)))
    assert keys == store.keys and keys is not store.keys and cells == store.cells
    assert gather(snapshot, [4, 1]) == (["k4", "k1"], [("cell 4",), ("cell 1",)])
    assert gather(snapshot, [0, 1, 2, 3, 5, 4])[0] == ["k0", "k1", "k2", "k3", "k5", "k4"]
