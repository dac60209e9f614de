"""Session Manager's ``DescribeInstanceInformation`` for the demo, which moto lacks (it raises NotImplementedError).

Without it the demo's connect dialog could only say "couldn't check Session Manager registration" for every
instance. This WSGI middleware sits in front of moto's app (like :mod:`ec2tui.demo.pricing_api`) and answers that
one call from moto's EC2 state, as the SSM agent would have registered the instances:

- a running instance with an IAM instance profile (the demo gives its web, app and db tiers ``ec2-ssm-managed``,
  a role with what AmazonSSMManagedInstanceCore grants) is **Online**;
- except those whose agent the demo has stopped (:data:`AGENT_STOPPED`): **ConnectionLost**, as are managed
  instances that are stopped;
- the rest (no instance profile: the bastions and the boxes reached by SSH from the office) never registered and are
  not listed, as in AWS.

Every other request goes on to moto unchanged. The account is the one moto gives the request's access key; the
region is the one in its signature's credential scope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ec2tui.compat import moto_private

TARGET = "AmazonSSM.DescribeInstanceInformation"
JSON_11 = "application/x-amz-json-1.1"
AGENT_VERSION = "3.3.1142.0"

AGENT_STOPPED = frozenset({"grafana"})
"""Demo instances (by Name) that have the instance profile but whose agent stopped answering: ConnectionLost."""

_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[a-z0-9-]+)/")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# (substring of the AMI name, PlatformName, PlatformVersion): what the agent reports for each demo image
_PLATFORMS = (
    ("ubuntu", "Ubuntu", "24.04"),
    ("debian", "Debian GNU/Linux", "12"),
    ("windows", "Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
)
_FILTER_KEYS = {"InstanceIds": "InstanceId", "PingStatus": "PingStatus", "PlatformTypes": "PlatformType"}
"""The filters answered (``Filters`` and ``InstanceInformationFilterList`` alike), by the record field they match."""


class BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _backend(account: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def _account_of(access_key: str) -> str:
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _tag(instance: Any, key: str) -> str:
    """A tag's value from moto's model (its ``describe_tags`` records use lower-case ``key``/``value``)."""
    return next((str(tag.get("value", "")) for tag in instance.get_tags() if tag.get("key") == key), "")


def instance_information(backend: Any, now: datetime) -> list[dict[str, Any]]:
    """What the agents of the region's instances have registered (see the module's rules), in launch order."""
    records = []
    for instance in backend.all_instances():
        state = instance.state
        managed = instance.iam_instance_profile or backend.iam_instance_profile_associations.get(instance.id)
        if state in ("terminated", "shutting-down") or not managed:
            continue
        name = _tag(instance, "Name")
        online = state == "running" and name not in AGENT_STOPPED
        image = backend.amis.get(instance.image_id)
        image_name = (getattr(image, "name", "") or "").lower()
        platform_name, version = next(
            ((label, v) for part, label, v in _PLATFORMS if part in image_name), ("Amazon Linux", "2023")
        )
        windows = "Windows" in platform_name or instance.platform == "windows"
        last_ping = now - (timedelta(seconds=40) if online else timedelta(hours=6))
        records.append(
            {
                "InstanceId": instance.id,
                "PingStatus": "Online" if online else "ConnectionLost",
                "LastPingDateTime": last_ping.timestamp(),
                "AgentVersion": AGENT_VERSION,
                "IsLatestVersion": True,
                "PlatformType": "Windows" if windows else "Linux",
                "PlatformName": platform_name,
                "PlatformVersion": version,
                "ResourceType": "EC2Instance",
                "IPAddress": instance.private_ip,
                "ComputerName": f"ip-{(instance.private_ip or '').replace('.', '-')}.ec2.internal",
                "AssociationStatus": "Success",
            }
        )
    return records


def _filters(request: dict[str, Any]) -> list[tuple[str, list[str]]]:
    pairs = [(f.get("Key", ""), f.get("Values", [])) for f in request.get("Filters") or []]
    pairs += [(f.get("key", ""), f.get("valueSet", [])) for f in request.get("InstanceInformationFilterList") or []]
    for key, values in pairs:
        if key not in _FILTER_KEYS:
            raise BadRequest("InvalidFilterKey", f"The demo answers the filters {', '.join(_FILTER_KEYS)}, not {key}")
        if not values:
            raise BadRequest("InvalidFilterValue", f"The filter {key} needs at least one value")
    return pairs


def describe_instance_information(request: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's answer for ``request``: its filters, then ``MaxResults`` (5-50) and ``NextToken`` paging."""
    for key, values in _filters(request):
        records = [r for r in records if r[_FILTER_KEYS[key]] in values]
    size = int(request.get("MaxResults") or 50)
    if not 5 <= size <= 50:
        raise BadRequest("ValidationException", f"MaxResults must be from 5 to 50 (got {size})")
    token = request.get("NextToken") or "0"
    if not token.isdigit():
        raise BadRequest("InvalidNextToken", "The NextToken is not one the demo gave")
    start = int(token)
    answer: dict[str, Any] = {"InstanceInformationList": records[start : start + size]}
    if start + size < len(records):
        answer["NextToken"] = str(start + size)
    return answer


class SsmInstanceInformationMiddleware:
    """WSGI: ``ssm:DescribeInstanceInformation`` answered here, everything else by ``app``."""

    def __init__(self, app: WsgiApp, *, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") != TARGET:
            return self.app(environ, start_response)
        try:
            scope = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
            if scope is None:
                raise BadRequest("MissingAuthenticationToken", "The request is not signed")
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            backend = _backend(_account_of(scope["key"]), scope["region"])
            status, body = "200 OK", describe_instance_information(request, instance_information(backend, self.clock()))
        except BadRequest as exc:
            status, body = "400 Bad Request", {"__type": exc.code, "message": str(exc)}
        except (ValueError, TypeError, AttributeError) as exc:
            status, body = "400 Bad Request", {"__type": "ValidationException", "message": str(exc)}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", JSON_11), ("Content-Length", str(len(payload)))])
        return [payload]


def install_ssm_api(moto_server: Any) -> None:
    """Put DescribeInstanceInformation in front of a started ``ThreadedMotoServer`` (see ``install_pricing_api``)."""
    wsgi_server = moto_private.werkzeug_server(moto_server)
    if wsgi_server is None:
        raise RuntimeError("Start the moto server before installing the SSM API")
    if not isinstance(wsgi_server.app, SsmInstanceInformationMiddleware):
        wsgi_server.app = SsmInstanceInformationMiddleware(wsgi_server.app)
