"""The AWS Price List Query API for the demo, served from a bundled sample of published prices.

moto has no Pricing service. This WSGI middleware sits in front of moto's app: it answers the JSON 1.1 requests
whose ``X-Amz-Target`` is ``AWSPriceListService.GetProducts`` (filters and NextToken paging as AWS does them) and
passes everything else to moto, so a pricing client pointed at the demo's endpoint works like one pointed at AWS.
moto's DescribeSpotPriceHistory answer is rewritten on the way out with the demo's Spot prices
(:mod:`ec2tui.demo.spot_history`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ec2tui import clock as wall_clock
from ec2tui.compat import moto_private
from ec2tui.demo import spot_history

SAMPLE_PATH = Path(__file__).with_name("pricing_sample.json")
TARGET_PREFIX = "AWSPriceListService."
DEFAULT_PAGE_SIZE = 100
JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"
PEEK_LIMIT = 64 * 1024
"""Form bodies up to this size are read to spot DescribeSpotPriceHistory (EC2's are a few hundred bytes)."""

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

    def __init__(
        self, app: WsgiApp, api: PriceListApi | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.app = app
        self.api = api or PriceListApi(load_sample())
        self.spot_prices = spot_history.on_demand_index(self.api.products)
        self.clock = clock or wall_clock.now

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            spot_request = self._spot_request(environ)
            if spot_request is not None:
                return self._spot(environ, start_response, spot_request)
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

    def _spot_request(self, environ: dict[str, Any]) -> dict[str, list[str]] | None:
        """The form of an EC2 DescribeSpotPriceHistory request (None for anything else); the body is put back."""
        if environ.get("REQUEST_METHOD") != "POST" or not str(environ.get("CONTENT_TYPE", "")).startswith(FORM):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= PEEK_LIMIT:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", "replace"))
        return form if form.get("Action") == ["DescribeSpotPriceHistory"] else None

    def _spot(
        self, environ: dict[str, Any], start_response: Callable[..., Any], form: Mapping[str, list[str]]
    ) -> Iterable[bytes]:
        answered: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            answered[:] = [status, headers]
            return lambda _data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = answered
        if status.startswith("200"):
            description = (form.get("ProductDescription.1") or ["Linux/UNIX"])[0]
            body = spot_history.rewrite(body, description, self.spot_prices, self.clock())
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def install_pricing_api(moto_server: Any) -> None:
    """Put the Price List in front of a started ``moto.server.ThreadedMotoServer``.

    The server keeps its WSGI app on its werkzeug server (``_server.app``), read at each request: wrapping it there
    is the one way in, since ThreadedMotoServer builds the app itself.
    """
    wsgi_server = moto_private.werkzeug_server(moto_server)
    if wsgi_server is None:
        raise RuntimeError("Start the moto server before installing the Price List API")
    if not isinstance(wsgi_server.app, PricingMiddleware):
        wsgi_server.app = PricingMiddleware(wsgi_server.app)
