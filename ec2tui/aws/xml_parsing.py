"""EC2 answers parsed so that one huge answer cannot freeze the UI.

botocore hands a whole XML body to expat in one C call, which holds the GIL for as long as it runs: about 1 s for
the 40 MB a server that ignores ``MaxResults`` sends for 50,000 images (moto does). Every other thread, the UI's
event loop included, waits that long. Feeding the same parser in slices gives the GIL back between slices; the
result (and botocore's error for bad XML) is the same.

Parsing such an answer also makes millions of objects, and each full garbage collection meanwhile walks all of them
while holding the GIL (up to 130 ms a time). The cyclic collector is paused while a large answer is parsed: the tree
and the dictionaries have no reference cycles, so reference counting frees them; nothing is lost by waiting.

Installed as the botocore session's ``response_parser_factory`` component (see ``clients.new_session``). It overrides
botocore's ``_parse_xml_string_to_dom``, an internal method: were botocore to rename it, parsing would quietly be
botocore's own again, and ``tests/test_xml_parsing.py`` (which counts the slices) would say so.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree as ETree

from botocore.parsers import EC2QueryParser, ResponseParserFactory

SLICE_BYTES = 64 * 1024
"""About 2 ms of expat work: well under the interpreter's 5 ms thread switch interval."""

LARGE_BYTES = 1024 * 1024
"""Answers from this size up are parsed with the cyclic garbage collector paused."""

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector; nests, and is shared safely by threads (the last one out resumes it)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


class SlicedEC2QueryParser(EC2QueryParser):
    def parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        if len(response.get("body") or b"") < LARGE_BYTES:
            return super().parse(response, shape)
        with gc_paused():
            return super().parse(response, shape)

    def _parse_xml_string_to_dom(self, xml_string: bytes) -> Any:
        if len(xml_string) <= SLICE_BYTES:
            return super()._parse_xml_string_to_dom(xml_string)  # type: ignore[misc]  # internal: not in the stubs
        view = memoryview(xml_string)
        try:
            parser = ETree.XMLParser(target=ETree.TreeBuilder(), encoding=self.DEFAULT_ENCODING)
            for start in range(0, len(view), SLICE_BYTES):
                parser.feed(view[start : start + SLICE_BYTES])
            return parser.close()
        except ETree.ParseError:
            return super()._parse_xml_string_to_dom(xml_string)  # type: ignore[misc]  # botocore's error for bad XML


class SlicedParserFactory(ResponseParserFactory):
    """botocore's factory, except that EC2's protocol gets the sliced parser."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "ec2":
            return SlicedEC2QueryParser(**self._defaults)  # type: ignore[attr-defined]  # internal: not in the stubs
        return super().create_parser(protocol_name)
