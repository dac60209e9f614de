"""The data behind every big list, kept as plain parallel arrays, and the `/` filter and sort over it (no Textual).

A list's rows are precomputed once per item: the cells shown, a lower-case free-text key and lower-case values of
the named fields ``field:value`` terms look at. Filtering and sorting then only walk these arrays, so a keystroke
over 10,000 rows costs milliseconds and can run in a thread.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

FIELD_SEPARATOR = "\x1f"
"""Joins the parts of a free-text key: no typed needle contains it, so a match never spans two fields."""


@dataclass(frozen=True)
class FilterTerm:
    """One word of a filter: ``value`` must occur in ``field`` (``None``: anywhere in the row)."""

    field: str | None
    value: str


@dataclass(frozen=True)
class ListFilter:
    """A parsed filter: every term must match (AND)."""

    terms: tuple[FilterTerm, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_filter(text: str, fields: Mapping[str, str] | Iterable[str] = ()) -> ListFilter:
    """``state:running type:t3. web`` → terms, lower-cased.

    ``fields`` are the names ``field:`` may use (a mapping gives aliases → field). A word whose prefix is not a
    known field is free text as typed (``http://x`` stays one word); ``state:`` with nothing after it yet matches
    everything, so the list does not flash empty while the value is being typed.
    """
    names = dict(fields) if isinstance(fields, Mapping) else {name: name for name in fields}
    names = {alias.lower(): field for alias, field in names.items()}
    terms: list[FilterTerm] = []
    for word in text.lower().split():
        prefix, colon, value = word.partition(":")
        if colon and prefix in names:
            if value:
                terms.append(FilterTerm(names[prefix], value))
            continue
        terms.append(FilterTerm(None, word))
    return ListFilter(tuple(terms))


class RowStore(Generic[T]):
    """The items of a list in arrival order, with their cells, search keys and per-column natural widths.

    Arrays are only ever appended to or replaced in place between two :meth:`clear` calls, so a filter running
    in a thread over the first ``n`` rows reads a consistent snapshot.
    """

    def __init__(self, field_names: Iterable[str] = ()) -> None:
        self.field_names: tuple[str, ...] = tuple(field_names)
        self.keys: list[str] = []
        self.items: list[T] = []
        self.cells: list[tuple[Any, ...]] = []
        self.texts: list[str] = []
        """Each row's search text: its named fields' lower-case values in ``field_names`` order (then any other
        field's), joined by :data:`FIELD_SEPARATOR`. One string a row: ``field:value`` terms split it when asked."""
        self.index: dict[str, int] = {}
        self.widths: list[int] = []
        self.version = 0
        """Bumped on every change: a view computed for an older version is recomputed."""
        self.replaced = 0
        """Bumped when a row is replaced in place (rather than appended)."""
        self._sort_keys: dict[str, tuple[int, SortKeys]] = {}
        self._orders: dict[tuple[str, bool], tuple[int, list[int]]] = {}
        """Every row's position in a column's order (and reversed), per data version: see :meth:`sorted_order`."""

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def clear(self, field_names: Iterable[str] | None = None) -> None:
        if field_names is not None:
            self.field_names = tuple(field_names)
        # New lists rather than .clear(): a filter thread still holding the old ones finishes on its snapshot.
        self.keys, self.items, self.cells, self.texts = [], [], [], []
        self.index, self.widths, self._sort_keys, self._orders = {}, [], {}, {}
        self.version += 1

    def add(self, key: str, item: T, cells: tuple[Any, ...], fields: Mapping[str, str], widths: Sequence[int]) -> bool:
        """Append a row; ``False`` (and nothing changes) when ``key`` is listed already."""
        if key in self.index:
            return False
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.items.append(item)
        self.cells.append(cells)
        self.texts.append(text_key(fields, self.field_names))
        self._widen(widths)
        self._forget_orders()
        self.version += 1
        return True

    def add_many(self, rows: Iterable[tuple[str, T, tuple[Any, ...], Mapping[str, str], Sequence[int]]]) -> list[str]:
        """Append rows (key, item, cells, fields, widths) as :meth:`add` would; the keys of those appended."""
        index, keys, items, cells_list, texts = self.index, self.keys, self.items, self.cells, self.texts
        names = self.field_names
        widest: list[int] = []
        added: list[str] = []
        for key, item, cells, fields, widths in rows:
            if key in index:
                continue
            index[key] = len(keys)
            keys.append(key)
            items.append(item)
            cells_list.append(cells)
            texts.append(text_key(fields, names))
            if len(widest) < len(widths):
                widest += [0] * (len(widths) - len(widest))
            for column, width in enumerate(widths):
                if width > widest[column]:
                    widest[column] = width
            added.append(key)
        if added:
            self._widen(widest)
            self._forget_orders()
            self.version += 1
        return added

    def replace(
        self, key: str, item: T, cells: tuple[Any, ...], fields: Mapping[str, str], widths: Sequence[int]
    ) -> None:
        position = self.index[key]
        self.replaced += 1
        self.items[position] = item
        self.cells[position] = cells
        self.texts[position] = text_key(fields, self.field_names)
        self._widen(widths)
        self._forget_orders()
        self.version += 1

    def _forget_orders(self) -> None:
        self._sort_keys, self._orders = {}, {}

    def _widen(self, widths: Sequence[int]) -> None:
        if len(self.widths) < len(widths):
            self.widths += [0] * (len(widths) - len(self.widths))
        for column, width in enumerate(widths):
            if width > self.widths[column]:
                self.widths[column] = width

    def reorder(self, keys: Sequence[str]) -> None:
        """Put the rows in the order of ``keys`` (exactly the keys listed now) without rebuilding them."""
        order = [self.index[key] for key in keys]
        self.keys = [self.keys[p] for p in order]
        self.items = [self.items[p] for p in order]
        self.cells = [self.cells[p] for p in order]
        self.texts = [self.texts[p] for p in order]
        self.index = {key: position for position, key in enumerate(self.keys)}
        self._forget_orders()
        self.version += 1

    def snapshot(self) -> RowsSnapshot[T]:
        """The rows as they are now, safe to filter and sort in another thread while more rows arrive."""
        return RowsSnapshot(
            len(self.keys), self.version, self.keys, self.items, self.cells, self.texts, self.field_names, self.index
        )

    @property
    def fields(self) -> dict[str, list[str]]:
        """Each named field's values, row by row (computed: the store keeps only :attr:`texts`)."""
        return self.snapshot().field_columns()

    def sort_keys(self, snapshot: RowsSnapshot[T], column: str, values: Callable[[], Sequence[Any]]) -> SortKeys:
        """The rows' :class:`SortKeys` for ``column``, made from ``values()`` (the column's values for the snapshot's
        rows, all at once: a call per row would cost more than the sort) once per data version."""
        cached = self._sort_keys.get(column)
        if cached is not None and cached[0] == snapshot.version and len(cached[1].values) >= snapshot.count:
            return cached[1]
        keys = SortKeys.of(values())
        if snapshot.version == self.version:
            self._sort_keys[column] = (snapshot.version, keys)
        return keys

    def sorted_order(self, snapshot: RowsSnapshot[T], column: str, keys: SortKeys, reverse: bool) -> list[int]:
        """Every row of the snapshot in the order of ``column`` (:func:`sort_rows` of them all), once per data version:
        sorting again by the same column, or flipping the order, costs nothing (a flip is worked out from the other
        order: nearly sorted already, it takes a single pass). The list is shared: never change it."""
        version = snapshot.version
        cached = self._orders.get((column, reverse))
        if cached is not None and cached[0] == version:
            return cached[1]
        other = self._orders.get((column, not reverse))
        if other is not None and other[0] == version:
            order = sort_rows(other[1], keys, reverse=reverse)
        else:
            order = sort_rows(list(range(snapshot.count)), keys, reverse=reverse)
        if version == self.version:
            self._orders[(column, reverse)] = (version, order)
        return order


@dataclass(frozen=True, repr=False)
class RowsSnapshot(Generic[T]):
    """The first ``count`` rows of a store at ``version`` (the lists are only appended to until a clear)."""

    count: int
    version: int
    keys: list[str]
    items: list[T]
    cells: list[tuple[Any, ...]]
    texts: list[str]
    field_names: tuple[str, ...]
    index: Mapping[str, int]
    """``key → position`` (the store's: only added to until a clear, which makes a new one)."""

    def field_values(self, name: str) -> list[str] | None:
        """The named field's value for each of the first ``count`` rows; None when there is no such field."""
        if name not in self.field_names:
            return None
        column = self.field_names.index(name)
        return [text.split(FIELD_SEPARATOR)[column] for text in self.texts[: self.count]]

    def field_columns(self) -> dict[str, list[str]]:
        return {name: self.field_values(name) or [] for name in self.field_names}

    def row_fields(self, position: int) -> dict[str, str]:
        """One row's fields as :meth:`RowStore.add` took them (the named ones)."""
        return dict(zip(self.field_names, self.texts[position].split(FIELD_SEPARATOR), strict=False))

    def __repr__(self) -> str:
        # Short: Textual names a worker by repr() of its work, on the event loop; a dataclass's own repr would spell
        # out every row (a quarter of a second per keystroke over 10,000 rows).
        return f"RowsSnapshot(count={self.count}, version={self.version})"


class Picked(Sequence[T]):
    """``base[p]`` for each ``p`` of ``positions``, looked up when asked: a sorted or filtered view of 50,000 rows
    hands the table its keys and cells without copying them (a copy touches every row's object: ~3-10 ms). ``base``
    is a store's list: only appended to until a clear (which makes new lists), so the view keeps its rows; a row
    replaced in place shows its new cells. ``where`` (the store's ``key → position``) finds a key without a walk."""

    __slots__ = ("_base", "_positions", "_where")

    def __init__(self, base: Sequence[T], positions: Sequence[int], where: Mapping[T, int] | None = None) -> None:
        self._base, self._positions, self._where = base, positions, where

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(map(self._base.__getitem__, self._positions[index]))
        return self._base[self._positions[index]]

    def __iter__(self) -> Iterator[T]:
        return map(self._base.__getitem__, self._positions)

    def __contains__(self, value: object) -> bool:
        if self._where is None:
            return super().__contains__(value)
        position = self._where.get(value)  # type: ignore[arg-type]
        return position is not None and position in self._positions

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        if self._where is None:
            return super().index(value, start, stop if stop is not None else len(self))
        position = self._where.get(value)
        if position is None:
            raise ValueError(f"{value!r} is not in the view")
        return self._positions.index(position, start, stop if stop is not None else len(self))

    def __repr__(self) -> str:
        return f"Picked({len(self)} of {len(self._base)})"


def text_key(fields: Mapping[str, str], names: Sequence[str]) -> str:
    """The search text of a row: the named fields in ``names`` order ("" when absent), then any other field."""
    values = [fields.get(name, "") for name in names]
    if len(fields) > len(names) or any(name not in fields for name in names):
        values += [value for name, value in fields.items() if name not in names]
    text = FIELD_SEPARATOR.join(values)
    if text.count(FIELD_SEPARATOR) != len(values) - 1:  # a value holding the separator would shift the fields
        text = FIELD_SEPARATOR.join(value.replace(FIELD_SEPARATOR, " ") for value in values)
    return text


def lowered(text: str) -> str:
    """``text`` in lower case, the very same object when it is already (IDs, addresses, most names): a search key
    then costs no second copy of the text."""
    lower = text.lower()
    return text if lower == text else lower


BLOCK = 4_096
"""Rows filtered between two looks at ``stop`` (about a millisecond of work)."""


class StaleView(Exception):
    """A filter or sort was given up: a newer one was asked for (see ``stop`` in :func:`filter_rows`)."""


def filter_rows(rows: RowsSnapshot[Any], query: ListFilter, stop: Callable[[], bool] | None = None) -> list[int]:
    """Positions (in arrival order) of the rows that match every term of ``query``.

    ``stop`` is asked every :data:`BLOCK` rows; when it says so, :class:`StaleView` is raised. A filter running in a
    thread for a keystroke that a newer one replaced then ends at once instead of competing with the UI (and the
    newer filter) for the interpreter until it is done.
    """
    positions: Sequence[int] = range(rows.count)
    if not query:
        return list(positions)
    texts = rows.texts
    for term in query.terms:
        needle = term.value
        if term.field is not None and term.field not in rows.field_names:
            return []
        column = rows.field_names.index(term.field) if term.field is not None else -1
        split = FIELD_SEPARATOR
        kept: list[int] = []
        for start in range(0, len(positions), BLOCK):
            if stop is not None and stop():
                raise StaleView
            block = positions[start : start + BLOCK]
            if column < 0:
                kept += [i for i in block if needle in texts[i]]
            else:
                kept += [i for i in block if needle in texts[i] and needle in texts[i].split(split)[column]]
        positions = kept
    return list(positions)


@dataclass(frozen=True, repr=False)
class SortKeys:
    """What each row of a column sorts on: numbers by value, text case-insensitively, empty values last.

    A text column (nearly every one) keeps its lower-case strings, ``""`` for an empty value. Other columns keep plain
    values when they hold one kind (comparing them is what a sort of 50,000 rows spends its time on), ``(rank,
    value)`` pairs, numbers first, when they mix numbers and text; ``None`` for an empty value.
    """

    values: list[Any]
    empties: int
    text: bool = False
    """Strings, ``""`` for an empty value (else ``None`` marks them)."""

    @classmethod
    def of(cls, values: Sequence[Any]) -> SortKeys:
        try:  # text, nearly every column: one pass over the values (a 50,000-row column's strings lie all over memory)
            joined = FIELD_SEPARATOR.join(values)
        except TypeError:  # not all text
            joined = None
        if joined is not None:
            # Already lower-case (IDs, states, most names; one comparison of the whole column): kept, not copied.
            texts: list[str] = list(values) if joined == joined.lower() else _lowered_all(values)
            separator = FIELD_SEPARATOR
            maybe_empty = not joined or separator * 2 in joined or joined[0] == separator or joined[-1] == separator
            return cls(texts, texts.count("") if maybe_empty else 0, text=True)
        kinds = set(map(type, values))
        if kinds == {str, type(None)}:
            return cls.of([value or "" for value in values])
        kinds.discard(type(None))
        keys: list[Any]
        if kinds and kinds <= _NUMBERS:
            keys = list(values)
        else:
            ranked = [sortable(value) for value in values]
            mixed = len({key[0] for key in ranked if key is not None}) > 1
            keys = ranked if mixed else [None if key is None else key[1] for key in ranked]
        return cls(keys, keys.count(None))


def _lowered_all(texts: Sequence[str]) -> list[str]:
    """Each text in lower case; one that is already is kept (not copied), and a column of few distinct values (states,
    types, platforms) lowers each of them once."""
    distinct = set(texts)
    if len(distinct) * 4 <= len(texts):
        lower = {text: text if text.islower() else text.lower() for text in distinct}
        return list(map(lower.__getitem__, texts))
    return [text if text.islower() else text.lower() for text in texts]


_NUMBERS = frozenset({int, float, bool})


def sort_rows(positions: list[int], keys: SortKeys, *, reverse: bool = False) -> list[int]:
    """``positions`` ordered by their keys; empty values stay last, also when reversed, and ties keep the order they
    have in ``positions``: arrival order (positions in ascending order, as a filter gives them), or the column's order
    the other way round (which has its ties in arrival order: a flip is then about one pass)."""
    values = keys.values
    if keys.text:
        # Empty values are "", below any text: last when reversed already, the first ones otherwise (moved).
        order = sorted(positions, key=values.__getitem__, reverse=reverse)  # (a stable sort, also reversed)
        if keys.empties and not reverse:
            split = bisect_right(order, "", key=values.__getitem__)
            if split:
                order = order[split:] + order[:split]
        return order
    if keys.empties:
        filled = [p for p in positions if values[p] is not None]
        empty = [p for p in positions if values[p] is None]
    else:
        filled, empty = positions, []
    return sorted(filled, key=values.__getitem__, reverse=reverse) + empty  # (a stable sort, also reversed)


def sortable(value: Any) -> tuple[int, Any] | None:
    """A key that orders numbers (rank 0) by value before text (rank 1) case-insensitively; None for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value.lower())
    return (1, value)
