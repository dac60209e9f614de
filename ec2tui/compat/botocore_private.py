"""botocore's private names ec2tui uses, and why. Checked against botocore 1.44.8.

- ``ClientCreator._create_client_class`` and ``ClientCreator._event_emitter``: botocore builds a new client class for
  every client (~40 ms for EC2); ``ec2tui.aws.clients`` wraps the method so a session of ours builds it once per
  service, keyed by the creator's event emitter (one per session).
- ``ClientCreator._load_service_model``: botocore makes a new ``ServiceModel`` for every client, and a client made
  without an endpoint URL then builds the model of each of EC2's ~750 operations (its endpoint discovery check);
  ``ec2tui.aws.clients`` wraps it so a session of ours makes the model once per service, like the class.
- ``ResponseParserFactory._defaults``: the parser options a factory passes to every parser it makes; ours makes the
  EC2 parser itself (``ec2tui.aws.xml_parsing.SlicedParserFactory``) and must pass the same.
- ``BaseXMLResponseParser._parse_xml_string_to_dom``: where botocore hands the whole XML body to expat in one call;
  ``ec2tui.aws.xml_parsing`` replaces it on its EC2 parser to feed expat in slices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore
from botocore.client import ClientCreator
from botocore.parsers import EC2QueryParser, ResponseParserFactory

CHECKED_WITH = "1.44.8"

CREATE_CLIENT_CLASS = "_create_client_class"
XML_TO_DOM = "_parse_xml_string_to_dom"
LOAD_SERVICE_MODEL = "_load_service_model"


def create_client_class() -> Callable[..., type]:
    """botocore's ``ClientCreator._create_client_class`` as it is now (maybe already wrapped by us)."""
    return getattr(ClientCreator, CREATE_CLIENT_CLASS)


def replace_create_client_class(method: Callable[..., type]) -> None:
    setattr(ClientCreator, CREATE_CLIENT_CLASS, method)


def load_service_model() -> Callable[..., Any]:
    """botocore's ``ClientCreator._load_service_model`` as it is now (maybe already wrapped by us)."""
    return getattr(ClientCreator, LOAD_SERVICE_MODEL)


def replace_load_service_model(method: Callable[..., Any]) -> None:
    setattr(ClientCreator, LOAD_SERVICE_MODEL, method)


def event_emitter(creator: Any) -> Any:
    """The event emitter of a ``ClientCreator`` (its session's)."""
    return creator._event_emitter


def parser_defaults(factory: ResponseParserFactory) -> dict[str, Any]:
    """The keyword arguments ``factory`` gives every parser it creates."""
    return factory._defaults  # type: ignore[attr-defined]  # private: not in the stubs


def replace_xml_to_dom(parser_class: type[EC2QueryParser], method: Callable[[Any, bytes], Any]) -> None:
    """Make ``parser_class`` parse XML bodies with ``method`` (a subclass of botocore's EC2 parser only)."""
    setattr(parser_class, XML_TO_DOM, method)


def botocore_xml_to_dom(parser: EC2QueryParser, xml_string: bytes) -> Any:
    """botocore's own XML parsing, for a parser whose class replaced it."""
    return getattr(EC2QueryParser, XML_TO_DOM)(parser, xml_string)


def missing() -> list[str]:
    """The private names above that this botocore no longer has (empty when all is well)."""
    import inspect

    gone = [
        f"ClientCreator.{name}"
        for name in (CREATE_CLIENT_CLASS, LOAD_SERVICE_MODEL)
        if not hasattr(ClientCreator, name)
    ]
    if "self._load_service_model(" not in inspect.getsource(ClientCreator.create_client):
        gone.append(f"ClientCreator.create_client calling {LOAD_SERVICE_MODEL}")
    if "self._event_emitter =" not in inspect.getsource(ClientCreator.__init__):
        gone.append("ClientCreator._event_emitter")
    if not isinstance(getattr(ResponseParserFactory(), "_defaults", None), dict):
        gone.append("ResponseParserFactory._defaults")
    if not callable(getattr(EC2QueryParser, XML_TO_DOM, None)):
        gone.append(f"EC2QueryParser.{XML_TO_DOM}")
    return [f"{name} (checked with botocore {CHECKED_WITH}, installed {botocore.__version__})" for name in gone]
