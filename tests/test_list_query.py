"""The list filter and sort (ec2tui/list_query.py) against a naive implementation, on seeded random rows."""

from __future__ import annotations

import random

import pytest

from ec2tui.list_query import (
    FIELD_SEPARATOR,
    FilterTerm,
    Picked,
    RowStore,
    SortKeys,
    filter_rows,
    parse_filter,
    sort_rows,
)

FIELDS = ("name", "state", "type", "tag")
WORDS = ("web", "db", "api", "Web-1", "t3.micro", "t3.large", "m5.xlarge", "running", "stopped", "env=prod", "")


def random_rows(rng: random.Random, count: int) -> list[dict[str, str]]:
    return [
        {
            "name": rng.choice(WORDS) + rng.choice(("", "-1", "-2", " blue")),
            "state": rng.choice(("running", "stopped", "pending")),
            "type": rng.choice(("t3.micro", "t3.large", "m5.xlarge", "r6i.large")),
            "tag": rng.choice(("env=prod", "env=dev\nteam=ops", "", "Env=Prod")).lower(),
        }
        for _ in range(count)
    ]


def store_of(rows: list[dict[str, str]]) -> RowStore[dict[str, str]]:
    store: RowStore[dict[str, str]] = RowStore(FIELDS)
    for index, row in enumerate(rows):
        lower = {key: value.lower() for key, value in row.items()}
        assert store.add(f"k{index}", row, tuple(row.values()), lower, [len(v) for v in row.values()])
    return store


def naive_match(row: dict[str, str], text: str) -> bool:
    """What the filter means, written the slow, obvious way."""
    for word in text.lower().split():
        field, colon, value = word.partition(":")
        if colon and field in FIELDS:
            if value and value not in row[field].lower():
                return False
        elif not any(word in value.lower() for value in row.values()):
            return False
    return True


FILTERS = ["", "web", "WEB", "state:running", "state:", "type:t3.", "tag:env=prod", "web state:stopped", "-1 blue"]
FILTERS += ["nosuch", "type:m5 tag:env", "unknown:field", "t3.micro running", "STATE:RUNNING"]


@pytest.mark.parametrize("seed", range(5))
def test_filter_equals_the_naive_implementation(seed):
    rng = random.Random(seed)
    rows = random_rows(rng, 400)
    store = store_of(rows)
    texts = FILTERS + [" ".join(rng.sample(WORDS, 2)) for _ in range(10)]
    for text in texts:
        got = filter_rows(store.snapshot(), parse_filter(text, FIELDS))
        assert got == [i for i, row in enumerate(rows) if naive_match(row, text)], text


@pytest.mark.parametrize("seed", range(5))
def test_sort_equals_the_naive_implementation_and_is_stable(seed):
    rng = random.Random(seed)
    rows = random_rows(rng, 300)
    store = store_of(rows)
    snapshot = store.snapshot()
    for field in FIELDS:
        keys = store.sort_keys(snapshot, field, lambda f=field: [row[f] for row in rows])
        positions = filter_rows(snapshot, parse_filter(rng.choice(FILTERS), FIELDS))
        filled = [p for p in positions if rows[p][field]]
        empty = [p for p in positions if not rows[p][field]]
        ascending = sorted(filled, key=lambda p: (rows[p][field].lower(), p)) + empty
        assert sort_rows(positions, keys) == ascending, field
        descending = sorted(filled, key=lambda p: (rows[p][field].lower(), -p), reverse=True) + empty
        assert sort_rows(positions, keys, reverse=True) == descending, f"{field} reversed"


@pytest.mark.parametrize("seed", range(3))
def test_a_kept_order_and_its_flip_equal_a_naive_sort(seed):
    """A column's order over every row is kept per version of the rows; asked the other way round it is worked out
    from the kept one: both equal a naive sort (ties in arrival order, empty values last, also reversed)."""
    rng = random.Random(seed)
    rows = random_rows(rng, 300)
    numbers = [rng.choice((None, 1, 2, 2.5, 10)) for _ in rows]
    store = store_of(rows)
    snapshot = store.snapshot()
    columns = {field: [row[field] for row in rows] for field in FIELDS} | {"number": numbers}
    for column, values in columns.items():
        filled = [p for p, value in enumerate(values) if value not in (None, "")]
        empty = [p for p, value in enumerate(values) if value in (None, "")]

        def key(p: int, values: list = values) -> object:
            return values[p].lower() if isinstance(values[p], str) else values[p]

        ascending = sorted(filled, key=lambda p: (key(p), p)) + empty
        descending = sorted(filled, key=lambda p: (key(p), -p), reverse=True) + empty
        keys = store.sort_keys(snapshot, column, lambda values=values: values)
        first_reverse = rng.random() < 0.5
        for reverse in (first_reverse, not first_reverse, first_reverse):
            order = store.sorted_order(snapshot, column, keys, reverse)
            assert order == (descending if reverse else ascending), (column, reverse)
        assert store.sorted_order(snapshot, column, keys, first_reverse) is order, "kept, not sorted again"
    store.add("new", {"name": "!new"}, ("!new",), {"name": "!new"}, [4])
    newer = store.snapshot()
    names = [row["name"] for row in rows] + ["!new"]
    keys = store.sort_keys(newer, "name", lambda: names)
    expected = sorted((p for p, name in enumerate(names) if name), key=lambda p: (names[p].lower(), p))
    expected += [p for p, name in enumerate(names) if not name]
    assert store.sorted_order(newer, "name", keys, False) == expected, "a new row: the order is made again"


def test_numbers_sort_as_numbers_and_empty_values_last():
    values = [10, None, 9, "", 100]
    keys = SortKeys.of(values)
    assert sort_rows(list(range(5)), keys) == [2, 0, 4, 1, 3]
    assert sort_rows(list(range(5)), keys, reverse=True) == [4, 0, 2, 1, 3]


def test_a_column_mixing_numbers_and_text_sorts_numbers_first():
    values = ["b", 3, None, "A", 1.5, True, "a"]
    assert sort_rows(list(range(7)), SortKeys.of(values)) == [5, 4, 1, 3, 6, 0, 2]
    assert sort_rows(list(range(7)), SortKeys.of(values), reverse=True) == [0, 3, 6, 1, 4, 5, 2]


@pytest.mark.parametrize(
    "values",
    [
        ["b", None, "A", "", "a", None, "B"],  # text with empty values of both kinds
        ["", "x", ""],  # empty first and last
        ["a\x1fb", "a", "", "A\x1f"],  # the search text's separator inside a value
        ["Linux"] * 8 + ["windows", "", "Windows"] * 4,  # few distinct values, upper case
        ["", ""],
        [],
    ],
)
def test_text_columns_sort_like_a_naive_sort(values):
    filled = [p for p, value in enumerate(values) if value]
    empty = [p for p, value in enumerate(values) if not value]
    keys = SortKeys.of(values)
    assert keys.text and keys.empties == len(empty)
    positions = list(range(len(values)))
    assert sort_rows(positions, keys) == sorted(filled, key=lambda p: (values[p].lower(), p)) + empty
    descending = sorted(filled, key=lambda p: (values[p].lower(), -p), reverse=True) + empty
    assert sort_rows(positions, keys, reverse=True) == descending


def test_text_keys_share_lower_case_values():
    values = ["ami-0abc", "Web", "", "10.0.0.1"]
    keys = SortKeys.of(values)
    assert keys.values == ["ami-0abc", "web", "", "10.0.0.1"] and keys.text
    assert keys.values[0] is values[0]  # not a copy: 50,000 cached keys of an ID column cost no second set of strings
    assert keys.empties == 1


def test_parse_filter_terms_and_aliases():
    query = parse_filter(
        "State:Running  type:t3. tag:env=prod web zone:us-east-1a http://x",
        {"state": "state"}
        | {
            "type": "type",
            "tag": "tag",
            "zone": "az",
        },
    )
    assert query.terms == (
        FilterTerm("state", "running"),
        FilterTerm("type", "t3."),
        FilterTerm("tag", "env=prod"),
        FilterTerm(None, "web"),
        FilterTerm("az", "us-east-1a"),
        FilterTerm(None, "http://x"),
    )
    assert not parse_filter("   ") and not parse_filter("state:", ["state"])


def test_free_text_never_matches_across_two_fields():
    store = store_of([{"name": "ab", "state": "cd", "type": "", "tag": ""}])
    assert filter_rows(store.snapshot(), parse_filter("ab")) == [0]
    assert filter_rows(store.snapshot(), parse_filter("bc")) == [], "'b' ends one field, 'c' starts the next"
    assert FIELD_SEPARATOR not in "bc"


def test_store_keeps_each_key_once_and_a_snapshot_survives_a_clear():
    store = store_of(random_rows(random.Random(1), 5))
    assert not store.add("k0", {}, (), {}, [])
    snapshot = store.snapshot()
    store.clear()
    assert len(store) == 0 and snapshot.count == 5 and len(snapshot.texts) == 5, "the old arrays are untouched"
    assert filter_rows(snapshot, parse_filter("")) == [0, 1, 2, 3, 4]


def test_reorder_moves_rows_without_rebuilding_them():
    rows = random_rows(random.Random(2), 6)
    store = store_of(rows)
    cells = {key: store.cells[i] for i, key in enumerate(store.keys)}
    order = ["k5", "k0", "k3", "k1", "k4", "k2"]
    store.reorder(order)
    assert store.keys == order and all(store.cells[i] is cells[key] for i, key in enumerate(order))
    assert [store.index[key] for key in order] == list(range(6))
    assert store.fields["name"] == [rows[int(key[1:])]["name"].lower() for key in order]


def test_one_search_text_a_row_answers_field_terms_as_separate_fields_would():
    rows = random_rows(random.Random(7), 300)
    store = store_of(rows)
    snapshot = store.snapshot()
    for position, row in enumerate(rows):
        assert snapshot.row_fields(position) == {name: row[name].lower() for name in store.field_names}
    for name in store.field_names:
        for needle in ("a", "e", "1", "ru"):
            naive = [i for i, row in enumerate(rows) if needle in row[name].lower()]
            assert filter_rows(snapshot, parse_filter(f"{name}:{needle}", store.field_names)) == naive


def test_a_value_holding_the_separator_does_not_shift_the_fields():
    store = RowStore(["name", "state"])
    store.add("k", {}, (), {"name": f"a{FIELD_SEPARATOR}b", "state": "running"}, [])
    snapshot = store.snapshot()
    assert snapshot.row_fields(0)["state"] == "running"
    assert filter_rows(snapshot, parse_filter("state:run", ["name", "state"])) == [0]
    assert filter_rows(snapshot, parse_filter("name:run", ["name", "state"])) == []


def test_a_filter_told_to_stop_gives_up_and_one_never_told_gives_the_same_rows():
    from ec2tui import list_query
    from ec2tui.list_query import BLOCK, StaleView

    rows = random_rows(random.Random(9), BLOCK * 2 + 5)
    snapshot = store_of(rows).snapshot()
    query = parse_filter("e state:run", FIELDS)
    assert filter_rows(snapshot, query, lambda: False) == filter_rows(snapshot, query)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(StaleView):
        filter_rows(snapshot, query, stop)
    assert len(asked) == 2, "it stopped at the second block, not at the end"
    assert list_query.filter_rows(snapshot, parse_filter(""), lambda: True) == list(range(len(rows))), "no work"


def test_a_picked_view_reads_finds_and_keeps_its_rows_like_a_copy():
    """A sorted view hands the table its keys as a view of the store's (Picked): it reads, finds (``index``, ``in``)
    and keeps its rows as a copy of them would, also when rows are added to the store after it was made."""
    rng = random.Random(7)
    store = store_of(random_rows(rng, 50))
    snapshot = store.snapshot()
    positions = rng.sample(range(50), 20)
    view = Picked(snapshot.keys, positions, snapshot.index)
    copy = [snapshot.keys[p] for p in positions]
    assert list(view) == copy and len(view) == 20 and view[3] == copy[3] and view[-1] == copy[-1]
    assert view[2:5] == copy[2:5]
    store.add("late", {"name": "late"}, ("late",), {"name": "late"}, [4])
    assert list(view) == copy and "late" not in view, "a row added later is not in the view"
    for key in snapshot.keys[:50]:
        assert (key in view) == (key in copy)
        if key in copy:
            assert view.index(key) == copy.index(key)
        else:
            with pytest.raises(ValueError):
                view.index(key)
    plain = Picked(snapshot.keys, positions)  # without the store's index: found by a walk
    assert plain.index(copy[5]) == 5 and copy[0] in plain and "late" not in plain
