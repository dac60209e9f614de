"""EC2 answers parsed in slices, so one huge answer cannot freeze the UI.

botocore hands a whole XML body to expat in one C call, which holds the GIL for as long as it runs: about 1 s for
the 40 MB a server that ignores ``MaxResults`` sends for 50,000 images (moto does). Every other thread, the UI's
event loop included, waits that long. Feeding the same parser in slices gives the GIL back between slices; the
result (and botocore's error for bad XML) is the same.

Installed as the botocore session's ``response_parser_factory`` component (see ``clients.new_session``).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ETree

from botocore.parsers import EC2QueryParser, ResponseParserFactory

SLICE_BYTES = 64 * 1024
"""About 2 ms of expat work: well under the interpreter's 5 ms thread switch interval."""


class SlicedEC2QueryParser(EC2QueryParser):
    def _parse_xml_string_to_dom(self, xml_string: bytes) -> Any:
        if len(xml_string) <= SLICE_BYTES:
            return super()._parse_xml_string_to_dom(xml_string)
        view = memoryview(xml_string)
        try:
            parser = ETree.XMLParser(target=ETree.TreeBuilder(), encoding=self.DEFAULT_ENCODING)
            for start in range(0, len(view), SLICE_BYTES):
                parser.feed(view[start : start + SLICE_BYTES])
            return parser.close()
        except ETree.ParseError:
            return super()._parse_xml_string_to_dom(xml_string)  # botocore's own error for bad XML


class SlicedParserFactory(ResponseParserFactory):
    """botocore's factory, except that EC2's protocol gets the sliced parser."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "ec2":
            return SlicedEC2QueryParser(**self._defaults)
        return super().create_parser(protocol_name)
