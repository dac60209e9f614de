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
    gc.freeze()  # what earlier tests left is out of the count: a full pass comes as soon as for a fresh process
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

    assert asyncio.run(collector.load_quietly(partial(load, 10), lambda: 10)) == 10
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    asyncio.run(collector.load_quietly(partial(load, collector.BIG_LIST), lambda: collector.BIG_LIST))
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
    keys, cells = gather(snapshot, [4, 1])
    assert (list(keys), list(cells), cells[1], cells[:1]) == (
        ["k4", "k1"],
        [("cell 4",), ("cell 1",)],
        ("cell 1",),
        [("cell 4",)],
    )
    store.add("k6", 6, ("cell 6",), {"name": "6"}, [6])
    assert len(cells) == 2 and list(cells) == [("cell 4",), ("cell 1",)], "rows arriving later leave a view as it was"
    assert list(gather(snapshot, [0, 1, 2, 3, 5, 4])[0]) == ["k0", "k1", "k2", "k3", "k5", "k4"]


def test_a_parsed_tree_is_freed_a_slice_at_a_time_and_none_is_kept(aws, monkeypatch):
    import boto3

    from ec2tui.aws import xml_parsing
    from ec2tui.aws.clients import new_session

    tree = xml_parsing.ETree.fromstring("<r><set>" + "<item><a>1</a></item>" * 1000 + "</set></r>")
    xml_parsing.free_in_slices(tree)
    assert len(tree[0]) == 0, "every item was freed"
    monkeypatch.setattr(xml_parsing, "LARGE_BYTES", 4096)
    monkeypatch.setattr(xml_parsing, "SLICE_BYTES", 512)
    freed: list[int] = []
    real = xml_parsing.free_in_slices
    monkeypatch.setattr(xml_parsing, "free_in_slices", lambda root: freed.append(len(list(root.iter()))) or real(root))
    expected = boto3.client("ec2", region_name="us-east-1").describe_images(Owners=["amazon"])["Images"]
    assert new_session(region_name="us-east-1").client("ec2").describe_images(Owners=["amazon"])["Images"] == expected
    assert freed and freed[0] > 1000, "the big answer's tree was freed in slices"
    assert getattr(xml_parsing._trees, "root", None) is None, "no tree is kept after the parse"


def test_many_own_images_are_frozen_out_of_the_collector_s_reach(ec2, unfrozen, monkeypatch):
    from ec2tui.aws import images as svc
    from tests.test_images_helpers import own_image

    made = {own_image(ec2, f"build-{n}") for n in range(3)}
    gc.unfreeze()
    assert {i.id for i in svc.list_mine(ec2)} == made
    assert gc.get_freeze_count() == 0 and gc.isenabled(), "a few images: nothing frozen"
    monkeypatch.setattr(svc, "MANY_IMAGES", 3)
    assert {i.id for i in svc.list_mine(ec2)} == made
    assert gc.get_freeze_count() > 0 and gc.isenabled()


def test_the_shared_image_count_follows_appends_replacements_and_reloads():
    from dataclasses import replace

    from ec2tui.aws.image_parsing import parse_image
    from ec2tui.aws.models.images import ImageCategory
    from ec2tui.screens.amis import AmisScreen

    screen = AmisScreen(ImageCategory.MINE)
    store = screen.store
    images = [
        parse_image({"ImageId": f"ami-{n:017x}", "Name": f"build-{n}"}, "us-east-1", shared_with_me=n % 3 == 0)
        for n in range(10)
    ]
    for image in images[:4]:
        store.add(image.id, image, (), {}, [])
    assert screen.shared_count() == 2
    for image in images[4:]:
        store.add(image.id, image, (), {}, [])
    assert screen.shared_count() == 4, "the rows appended since are counted"
    store.replace(images[1].id, replace(images[1], shared_with_me=True), (), {}, [])
    assert screen.shared_count() == 5, "a replaced row is counted afresh"
    store.clear()
    store.add(images[0].id, images[0], (), {}, [])
    assert screen.shared_count() == 1, "another list is counted from the start"


def test_parsed_records_share_their_often_repeated_texts():
    import sys

    sys.path.insert(0, "bench")
    from model_memory import raw_image, raw_instance

    from ec2tui.aws.image_parsing import parse_image
    from ec2tui.aws.instances import parse_instance

    first, second = (parse_instance(raw_instance(n * 3), "us-east-1") for n in (1, 2))
    assert first.state == second.state and first.state is second.state
    assert first.vpc_id is second.vpc_id and first.instance_type is second.instance_type
    one, other = (parse_image(raw_image(n * 3), "us-east-1") for n in (1, 2))
    assert one.owner_id is other.owner_id and one.architecture is other.architecture


def test_styled_cells_are_shared_and_never_changed_by_the_table():
    from ec2tui.list_query import lowered
    from ec2tui.widgets.virtual_table import fit_cell, styled

    running = styled("running", "green")
    assert styled("running", "green") is running and styled("running", "red") is not running
    assert fit_cell(running, 12).plain == "running     " and fit_cell(running, 4).plain == "run…"
    assert running.plain == "running", "cutting or padding works on a copy"
    key = "i-0123456789abcdef0"
    assert lowered(key) is key and lowered("Web-1") == "web-1"


def test_the_start_is_frozen_once_per_process(unfrozen, monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(collector, "_start_up_frozen", False)
    collector.freeze_start_up()
    assert gc.get_freeze_count() > 0, "what the start left alive is out of the full passes' reach"
    gc.unfreeze()
    collector.freeze_start_up()
    assert gc.get_freeze_count() == 0, "once per process: later screens' objects are not frozen with it"
