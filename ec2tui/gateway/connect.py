"""Gateway facade for connecting: Session Manager registration, console output, the Windows password and EC2
Instance Connect's key push.

Connecting changes nothing in AWS and is allowed in read-only mode; the key push does change something (a key is
authorised for 60 s), so it is refused in read-only mode unless the caller passes ``allow_in_read_only=True``, which
the UI does only after the user confirmed that one push.
"""

from __future__ import annotations

import threading
from typing import Any

from ec2tui.aws import connect_service as svc
from ec2tui.aws.clients import ClientFactory
from ec2tui.aws.connect_readiness import SsmStatus
from ec2tui.aws.guards import RequestGuards, RequestPolicy
from ec2tui.errors import ReadOnlyError
from ec2tui.gateway.core import GatewayCore

SSM_STATUS_TTL = 30.0
"""Seconds an agent's registration stays cached: it changes when an agent starts or stops."""

KEY_PUSH_ACTION = "Send an SSH public key (EC2 Instance Connect)"


class ConnectApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core
        self._confirmed_clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _region(self, region: str | None) -> str:
        return self.core.region_of(region)

    async def ssm_status(self, instance_id: str, region: str | None = None, *, refresh: bool = False) -> SsmStatus:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "ssm-status",
            instance_id,
            lambda: svc.ssm_status(factory.client("ssm", region), instance_id),
            region=region,
            refresh=refresh,
            ttl=SSM_STATUS_TTL,
        )

    async def console_output(self, instance_id: str, region: str | None = None) -> svc.ConsoleOutput:
        """Never cached: the point is to see what the instance printed just now."""
        region = self._region(region)
        return await self.core.run(svc.console_output, self.core.factory.ec2(region), instance_id)

    async def password_data(self, instance_id: str, region: str | None = None) -> str:
        region = self._region(region)
        return await self.core.run(svc.password_data, self.core.factory.ec2(region), instance_id)

    async def send_ssh_public_key(
        self,
        instance_id: str,
        user: str,
        public_key: str,
        region: str | None = None,
        zone: str | None = None,
        *,
        allow_in_read_only: bool = False,
    ) -> None:
        """Authorise ``public_key`` for ``user`` for 60 s. In read-only mode only with ``allow_in_read_only``
        (the user confirmed this push): then a client outside the read-only guard sends this one call."""
        region = self._region(region)
        confirmed = self.core.read_only
        if confirmed and not allow_in_read_only:
            raise ReadOnlyError(KEY_PUSH_ACTION)

        def push() -> None:  # in the worker thread: making a client may block (credentials) or fail
            if confirmed:
                client = self._confirmed_client(region)
            else:
                client = self.core.factory.client("ec2-instance-connect", region, change=True)
            svc.send_ssh_public_key(client, instance_id, user, public_key, zone)

        self.core.mutations += 1
        await self.core.run(push)

    def _confirmed_client(self, region: str) -> Any:
        """An Instance Connect client whose guards have read-only off (the rest of the guards kept)."""
        with self._lock:
            client = self._confirmed_clients.get(region)
            if client is None:
                client = _unguarded_change_client(self.core.factory, "ec2-instance-connect", region)
                self._confirmed_clients[region] = client
            return client


def _unguarded_change_client(factory: ClientFactory, service: str, region: str) -> Any:
    kwargs: dict[str, Any] = {"region_name": region, "config": factory.config_for("change")}
    if factory.target.endpoint_url:
        kwargs["endpoint_url"] = factory.target.endpoint_url
    session = factory.session
    client = session.client(service, **kwargs)  # type: ignore[call-overload]  # stubs want a literal service name
    RequestGuards(RequestPolicy(read_only=False), client.meta.endpoint_url, session.get_credentials).install(
        client.meta.events
    )
    return client
