"""The AWS Price List Query API for the demo, served from a bundled sample of published prices.

moto has no Pricing service. This WSGI middleware sits in front of moto's app: it answers the JSON 1.1 requests
whose ``X-Amz-Target`` is ``AWSPriceListService.GetProducts`` (filters and NextToken paging as AWS does them) and
passes everything else to moto, so a pricing client pointed at the demo's endpoint works like one pointed at AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

SAMPLE_PATH = Path(__file__).with_name("pricing_sample.json")
TARGET_PREFIX = "AWSPriceListService."
DEFAULT_PAGE_SIZE = 100
JSON_11 = "application/x-amz-json-1.1"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@cache
def load_sample(path: Path = SAMPLE_PATH) -> tuple[dict[str, Any], ...]:
    """The bundled products (Price List records, as GetProducts returns them before JSON-encoding each)."""
    return tuple(json.loads(path.read_text(encoding="utf-8"))["products"])


class BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PriceListApi:
    """GetProducts over a list of products (other Price List operations are refused as unsupported)."""

    def __init__(self, products: Sequence[Mapping[str, Any]]) -> None:
        self.products = products

    def get_products(self, request: Mapping[str, Any]) -> dict[str, Any]:
        if request.get("ServiceCode") is None:
            raise BadRequest("ValidationException", "ServiceCode is required")
        filters = request.get("Filters") or []
        matches = [
            p
            for p in self.products
            if p.get("serviceCode") == request["ServiceCode"] and all(_matches(p, f) for f in filters)
        ]
        start = _offset(request.get("NextToken"))
        size = int(request.get("MaxResults") or DEFAULT_PAGE_SIZE)
        if not 1 <= size <= DEFAULT_PAGE_SIZE:
            raise BadRequest("InvalidParameterException", "MaxResults must be between 1 and 100")
        page = matches[start : start + size]
        answer: dict[str, Any] = {
            "FormatVersion": request.get("FormatVersion") or "aws_v1",
            "PriceList": [json.dumps(p, separators=(",", ":")) for p in page],
        }
        if start + size < len(matches):
            answer["NextToken"] = str(start + size)
        return answer


def _offset(token: object) -> int:
    if token is None:
        return 0
    try:
        offset = int(str(token))
    except ValueError:
        offset = -1
    if offset < 0:
        raise BadRequest("InvalidNextTokenException", "The NextToken is not valid")
    return offset


def _field(product: Mapping[str, Any], name: str) -> str | None:
    """A product's attribute by the filter's field name: any attribute, or ``productFamily``/``sku``, without
    regard to case (as the Price List API does)."""
    inner = product.get("product") or {}
    wanted = name.casefold()
    for key in ("productFamily", "sku"):
        if key.casefold() == wanted:
            return inner.get(key)
    for key, value in (inner.get("attributes") or {}).items():
        if key.casefold() == wanted:
            return str(value)
    return None


def _matches(product: Mapping[str, Any], rule: Mapping[str, Any]) -> bool:
    kind = rule.get("Type", "TERM_MATCH")
    value = _field(product, str(rule.get("Field", "")))
    wanted = str(rule.get("Value", ""))
    if value is None:
        return kind == "NONE_OF"
    have = value.casefold()
    if kind in ("TERM_MATCH", "EQUALS"):
        return have == wanted.casefold()
    if kind == "CONTAINS":
        return wanted.casefold() in have
    options = {v.strip().casefold() for v in wanted.split(",")}
    if kind == "ANY_OF":
        return have in options
    if kind == "NONE_OF":
        return have not in options
    raise BadRequest("InvalidParameterException", f"Unknown filter type {kind}")


class PricingMiddleware:
    """WSGI: Price List requests to :class:`PriceListApi`, the rest to ``app`` (moto)."""

    def __init__(self, app: WsgiApp, api: PriceListApi | None = None) -> None:
        self.app = app
        self.api = api or PriceListApi(load_sample())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)
        operation = target.removeprefix(TARGET_PREFIX)
        try:
            if operation != "GetProducts":
                raise BadRequest("UnsupportedOperation", f"The demo's Price List serves GetProducts, not {operation}")
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            status, body = "200 OK", self.api.get_products(request)
        except BadRequest as exc:
            status, body = "400 Bad Request", {"__type": exc.code, "message": str(exc)}
        except (ValueError, TypeError) as exc:
            status, body = "400 Bad Request", {"__type": "SerializationException", "message": str(exc)}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", JSON_11), ("Content-Length", str(len(payload)))])
        return [payload]


def install_pricing_api(moto_server: Any) -> None:
    """Put the Price List in front of a started ``moto.server.ThreadedMotoServer``.

    The server keeps its WSGI app on its werkzeug server (``_server.app``), read at each request: wrapping it there
    is the one way in, since ThreadedMotoServer builds the app itself.
    """
    wsgi_server = moto_server._server
    if wsgi_server is None:
        raise RuntimeError("Start the moto server before installing the Price List API")
    if not isinstance(wsgi_server.app, PricingMiddleware):
        wsgi_server.app = PricingMiddleware(wsgi_server.app)
