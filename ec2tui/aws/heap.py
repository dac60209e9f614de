"""Giving freed memory back to the operating system after a big answer was parsed (glibc only).

Parsing 10,000 instances or 50,000 images makes and drops many large buffers (XML slices, dictionaries, lists).
glibc's malloc keeps the freed pages for later and the process's RSS stays at its peak; ``malloc_trim`` hands the
wholly free ones back. Elsewhere (macOS, Windows, musl) there is no such call and this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable

BIG_ANSWER = 2_000
"""Items from which a parsed answer is followed by :func:`release_freed_memory` (smaller ones free little)."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc's; musl has none
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Hand the heap's wholly free pages back to the OS; whether this platform can (glibc's ``malloc_trim``).
    Call it off the event loop: it walks the whole heap (ctypes lets go of the GIL meanwhile)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def after_big_answer(items: int) -> None:
    """:func:`release_freed_memory` when an answer of ``items`` items was just parsed and dropped its buffers."""
    if items >= BIG_ANSWER:
        release_freed_memory()
