"""Keeping Python's cyclic garbage collector from freezing the UI while a big list loads.

A full collection walks every object the process tracks, with the GIL held: the app's own ~160,000 (Textual, boto3's
models) plus a big list's rows. Measured on the 2-core machine under load, one pass took 120-440 ms, and loading
10,000 instances set off three of them (the collector runs a full pass each time the objects that survived since the
last one reach a quarter of those it kept then: a list that grows the heap by half sets off several).

While a big list loads, full passes are put off (the young ones go on: most garbage dies young), and once it is in,
everything alive is moved out of the full passes' reach (:func:`gc.freeze`): the rows stay until the list is replaced,
and a later full pass walks only what was made since. The price: a reference cycle that had become garbage but not
yet been collected at that moment is kept (reference counting still frees everything else, the rows included). That
is why only a load that left a big list freezes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

BIG_LIST = 2_000
"""Rows from which a finished load freezes what is alive (see the module's docstring)."""

PUT_OFF = 1_000_000_000
"""The oldest generation's threshold while a big load runs: never reached, so no full pass starts."""

_lock = threading.Lock()
_depth = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()
_freeze_at_end = False
_start_up_frozen = False


@contextmanager
def full_collections_put_off() -> Iterator[None]:
    """No full collection while this runs; nests, and loads running side by side share it (the last one out puts the
    threshold back, and freezes what is alive if any of them asked :func:`freeze_when_done`)."""
    global _depth, _saved_threshold, _freeze_at_end
    with _lock:
        if _depth == 0:
            _saved_threshold = gc.get_threshold()
            young, middle, _ = _saved_threshold
            gc.set_threshold(young, middle, PUT_OFF)
            _freeze_at_end = False
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _freeze_at_end:
                    gc.freeze()
                gc.set_threshold(*_saved_threshold)


def freeze_start_up() -> None:
    """Once per process, just before the app starts (``ec2tui``'s main): move what is alive out of the full passes'
    reach. That is the start
    (modules, classes, botocore's session and data: ~170,000 objects), alive for the whole run, and a full pass that
    walked it all froze the UI 90-180 ms while the regions' counts came in (measured, headless and seeded; 26-39 ms
    since). Frozen later, once the first screen was up, it kept ~8 MB more: the cyclic garbage of building the screen
    stayed with it (a reference cycle that is garbage when frozen is kept, as for a big list)."""
    global _start_up_frozen
    with _lock:
        if _start_up_frozen:
            return
        _start_up_frozen = True
    gc.freeze()


def freeze_when_done() -> None:
    """Ask the current :func:`full_collections_put_off` to freeze what is alive when it ends (a big list was built)."""
    global _freeze_at_end
    with _lock:
        if _depth:
            _freeze_at_end = True


async def load_quietly(work: Callable[[], Awaitable[T]], rows: Callable[[], int]) -> T:
    """Run a list's load (``work()``, called here: a worker replaced before it starts leaves no coroutine unawaited)
    with full collections put off; when it leaves :data:`BIG_LIST` rows or more (``rows()``), what is alive is
    frozen at the end."""
    with full_collections_put_off():
        try:
            return await work()
        finally:
            if rows() >= BIG_LIST:
                freeze_when_done()
