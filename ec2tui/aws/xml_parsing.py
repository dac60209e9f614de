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

import gc
import threading
from collections.abc import Callable, Iterator, Mapping
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


def _pause() -> None:
    global _gc_pauses, _gc_was_enabled, _gc_freeze
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_freeze = False
            gc.disable()
        _gc_pauses += 1


def _resume() -> None:
    global _gc_pauses
    with _gc_lock:
        _gc_pauses -= 1
        if _gc_pauses == 0:
            if _gc_freeze:
                gc.freeze()
            if _gc_was_enabled:
                gc.enable()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector; nests, and is shared safely by threads (the last one out resumes it)."""
    _pause()
    try:
        yield
    finally:
        _resume()


@contextmanager
def pause_held_after_parse() -> Iterator[None]:
    """In this thread, a large answer's parse leaves the collector paused until this block ends: the caller turns
    the answer's dictionaries into models meanwhile (re-enabled in between, the collector's first young pass would
    walk every dictionary at once).

    The wait for the answer itself runs with the collector on: paused across a long wait (moto renders 50,000 images
    for half a minute), the cyclic garbage the UI makes meanwhile (a loading indicator's frames) would pile up
    uncollected and be frozen for good with the models (see :func:`freeze_when_resumed`).
    """
    _trees.hold = True
    try:
        yield
    finally:
        _trees.hold = False
        if getattr(_trees, "held", False):
            _trees.held = False
            _resume()


def _hold_or_resume() -> None:
    """End a large parse's pause, unless :func:`pause_held_after_parse` holds it (once per block)."""
    if getattr(_trees, "hold", False) and not getattr(_trees, "held", False):
        _trees.held = True
        return
    _resume()


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
        else:  # no pause (the answers were small pages): the models are new, freeze them now
            gc.freeze()


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


MEMBERS_PER_BATCH = 1_000
"""Members handed to ``on_batch`` at a time while a large answer is read (:func:`members_converted`). EC2's own
page size: a server that sends everything in one answer (moto) then fills a list as AWS's pages would. A thousand
images are about 0.1 s of parsing (measured here), so rows show some ten times a second. Each batch is one hand-over
to the UI (a call on its event loop, then one chunk of rows, ``ROWS_PER_CHUNK``, built in a thread and appended at
once, with a title update): smaller batches would add hand-overs and redraws on the event loop for nothing a user
sees, larger ones would show the first rows later."""


@contextmanager
def members_converted(
    convert: Callable[[dict[str, Any]], Any],
    on_batch: Callable[[list[Any]], object] | None = None,
    batch_size: int | None = None,
) -> Iterator[None]:
    """In this thread, each member of a large answer's list (an image of DescribeImages) is handed to ``convert`` as
    soon as its XML has been read, and the answer's list holds what ``convert`` returned.

    The whole answer is then never held three times over (its XML tree, then a dictionary per member, then the
    caller's models): for 50,000 images that peak was some 300 MB of small objects, and the interpreter keeps the
    memory of a peak like that for good. Answers the streaming reader cannot take (bad XML, another shape) are parsed
    as botocore does: the list then holds dictionaries.

    ``on_batch``, if given, is called (in this thread) with what ``convert`` returned, ``batch_size`` members at a
    time (default :data:`MEMBERS_PER_BATCH`) while the answer is still being read, and with the rest once it is read:
    each converted member exactly once, in order, before botocore's parse returns. Members of answers not read as a
    stream (small ones) are not handed over: their list holds dictionaries, the caller's to convert.
    """
    previous = getattr(_trees, "members", None)
    _trees.members = (convert, on_batch, batch_size or MEMBERS_PER_BATCH)
    try:
        yield
    finally:
        _trees.members = previous


def _streamed_list(shape: Any) -> tuple[str, str, Any] | None:
    """(member name, its XML name, the list's member shape) of an output shape's one list member, if it has one."""
    members = getattr(shape, "members", None) or {}
    lists = [(name, member) for name, member in members.items() if member.type_name == "list"]
    if len(lists) != 1:
        return None
    name, member = lists[0]
    return name, member.serialization.get("name", name), member.member


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _MemberBuilder(ETree.TreeBuilder):
    """Builds an answer's tree, except that each member of its list (``<imagesSet><item>``) is handed to
    ``convert`` once complete and left out of the tree; ``on_batch`` gets the converted ones ``batch_size`` at a
    time as they come, and the rest from :meth:`hand_over_rest`."""

    def __init__(
        self,
        list_tag: str,
        convert: Callable[[ETree.Element], Any],
        on_batch: Callable[[list[Any]], object] | None = None,
        batch_size: int = MEMBERS_PER_BATCH,
    ) -> None:
        super().__init__()
        self.list_tag, self.convert = list_tag, convert
        self.on_batch, self.batch_size = on_batch, max(1, batch_size)
        self.converted: list[Any] = []
        self.handed = 0
        """How many of :attr:`converted` went to ``on_batch``."""
        self._depth = 0
        self._holder: ETree.Element | None = None

    def start(self, tag: Any, attrs: dict[Any, Any]) -> ETree.Element:
        element = super().start(tag, attrs)
        self._depth += 1
        if self._holder is None and self._depth == 2 and _local_name(element.tag) == self.list_tag:
            self._holder = element
        return element

    def end(self, tag: Any) -> ETree.Element:
        element = super().end(tag)
        self._depth -= 1
        holder = self._holder
        if holder is not None and self._depth == 2 and len(holder) and holder[-1] is element:
            converted = self.converted
            converted.append(self.convert(element))
            del holder[-1]
            if self.on_batch is not None and len(converted) - self.handed >= self.batch_size:
                self.hand_over_rest()
        return element

    def hand_over_rest(self) -> None:
        """Give ``on_batch`` the members converted and not handed over yet."""
        converted = self.converted
        if self.on_batch is not None and len(converted) > self.handed:
            batch, self.handed = converted[self.handed :], len(converted)
            self.on_batch(batch)


class SlicedEC2QueryParser(EC2QueryParser):
    def parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        body = response.get("body") or b""
        large = len(body) >= LARGE_BYTES
        if large:
            _pause()
        try:
            members = getattr(_trees, "members", None)
            streamed = _streamed_list(shape) if large and members is not None else None
            if members is not None and streamed is not None and response.get("status_code", 200) < 300:
                converted = self._read_members(body, streamed, *members)
                if converted is not None:  # the tree left (_trees.root) has an empty list: botocore reads the rest
                    parsed = super().parse(response, shape)
                    parsed[streamed[0]] = converted
                    return parsed
            return super().parse(response, shape)
        finally:
            tree = getattr(_trees, "root", None)
            _trees.root = None
            if tree is not None:
                free_in_slices(tree)
            if large:
                _hold_or_resume()

    def _read_members(
        self,
        body: bytes,
        streamed: tuple[str, str, Any],
        convert: Callable[[dict[str, Any]], Any],
        on_batch: Callable[[list[Any]], object] | None,
        batch_size: int,
    ) -> list[Any] | None:
        """Read ``body`` in slices, converting each member of the list as soon as its element is complete (and
        dropping the element); the tree left, its list empty, is kept for :meth:`parse_xml_in_slices`. None when the
        XML is bad (botocore's own parse then raises its usual error: the batches handed over meanwhile belong to an
        answer that fails)."""
        _, list_tag, member_shape = streamed
        parse_shape = self._parse_shape  # type: ignore[attr-defined]  # botocore's own reader, one member at a time
        builder = _MemberBuilder(
            list_tag, lambda element: convert(parse_shape(member_shape, element)), on_batch, batch_size
        )
        view = memoryview(body)
        try:
            parser = ETree.XMLParser(target=builder, encoding=self.DEFAULT_ENCODING)
            for start in range(0, len(view), SLICE_BYTES):
                parser.feed(view[start : start + SLICE_BYTES])
            root = parser.close()
        except ETree.ParseError:
            return None
        builder.hand_over_rest()
        _trees.prebuilt = root
        return builder.converted

    def parse_xml_in_slices(self, xml_string: bytes) -> Any:
        prebuilt = getattr(_trees, "prebuilt", None)
        if prebuilt is not None:
            _trees.prebuilt = None
            return prebuilt
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
