"""EC2 answers parsed so that one huge answer cannot freeze the UI.

botocore hands a whole XML body to expat in one C call, which holds the GIL for as long as it runs: about 1 s for
the 40 MB a server that ignores ``MaxResults`` sends for 50,000 images (moto does). Every other thread, the UI's
event loop included, waits that long. Feeding the same parser in slices gives the GIL back between slices; the
result (and botocore's error for bad XML) is the same.

Parsing such an answer also makes millions of objects, and each full garbage collection meanwhile walks all of them
while holding the GIL (up to 130 ms a time). The cyclic collector is paused while a large answer is parsed: the tree
and the dictionaries have no reference cycles, so reference counting frees them; nothing is lost by waiting.

Installed as the botocore session's ``response_parser_factory`` component (see ``clients.new_session``). It overrides
botocore's ``_parse_xml_string_to_dom``, an internal method (through ``ec2tui.compat.botocore_private``): were botocore
to rename it, ``tests/test_compat.py`` would say so, and ``tests/test_xml_parsing.py`` (which counts the slices).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree as ETree

from botocore.parsers import EC2QueryParser, ResponseParserFactory

from ec2tui.compat import botocore_private

SLICE_BYTES = 64 * 1024
"""About 2 ms of expat work: well under the interpreter's 5 ms thread switch interval."""

LARGE_BYTES = 1024 * 1024
"""Answers from this size up are parsed with the cyclic garbage collector paused."""

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True
_gc_freeze = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector; nests, and is shared safely by threads (the last one out resumes it)."""
    global _gc_pauses, _gc_was_enabled, _gc_freeze
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_freeze = False
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                if _gc_freeze:
                    gc.freeze()
                if _gc_was_enabled:
                    gc.enable()


def freeze_when_resumed() -> None:
    """Have the pause's end also move what is alive out of the collector's reach (:func:`gc.freeze`).

    For a huge answer parsed into models (hundreds of thousands of new objects): without it, the first young pass
    after the pause walks them all at once (250 ms and more with the GIL held, measured on 50,000 images). Reference
    counting still frees them; a reference cycle that became garbage during the pause is what is kept.
    """
    global _gc_freeze
    with _gc_lock:
        if _gc_pauses:
            _gc_freeze = True


FREE_SLICE = 200
"""Children of a big element freed at a time once an answer is parsed (a few thousand elements: about 1 ms)."""

_trees = threading.local()
"""The tree the sliced parser built in this thread (clients, and so their parsers, are shared by threads)."""


def free_in_slices(root: ETree.Element) -> None:
    """Free a parsed tree a slice of children at a time. Dropped whole, a 50,000-image tree (over a million
    elements) is freed in one C call that holds the GIL for a quarter of a second and more."""
    for node in [node for node in root.iter() if len(node) > FREE_SLICE]:
        while len(node):
            del node[-FREE_SLICE:]


class SlicedEC2QueryParser(EC2QueryParser):
    def parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        large = len(response.get("body") or b"") >= LARGE_BYTES
        with gc_paused() if large else contextlib.nullcontext():
            try:
                return super().parse(response, shape)
            finally:
                tree = getattr(_trees, "root", None)
                _trees.root = None
                if tree is not None:
                    free_in_slices(tree)

    def parse_xml_in_slices(self, xml_string: bytes) -> Any:
        if len(xml_string) <= SLICE_BYTES:
            return botocore_private.botocore_xml_to_dom(self, xml_string)
        view = memoryview(xml_string)
        try:
            parser = ETree.XMLParser(target=ETree.TreeBuilder(), encoding=self.DEFAULT_ENCODING)
            for start in range(0, len(view), SLICE_BYTES):
                parser.feed(view[start : start + SLICE_BYTES])
            root = parser.close()
        except ETree.ParseError:
            return botocore_private.botocore_xml_to_dom(self, xml_string)  # botocore's own error for bad XML
        _trees.root = root  # freed a slice at a time once parsed (see parse)
        return root


botocore_private.replace_xml_to_dom(SlicedEC2QueryParser, SlicedEC2QueryParser.parse_xml_in_slices)


class SlicedParserFactory(ResponseParserFactory):
    """botocore's factory, except that EC2's protocol gets the sliced parser."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "ec2":
            return SlicedEC2QueryParser(**botocore_private.parser_defaults(self))
        return super().create_parser(protocol_name)
