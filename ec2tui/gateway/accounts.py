"""Every profile the app has talked to: one :class:`Gateway` each (its own session, clients and cache), made the
first time a profile is used, so switching back to a profile within the cache's TTL asks AWS nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ec2tui.aws.profiles import ProfileInfo, ProfileList, SsoLogin, list_profiles, sso_login_state
from ec2tui.gateway import Gateway

GatewayMaker = Callable[[str], Gateway]
"""Makes the gateway of a profile (by name): the CLI knows how (real profiles, an endpoint, the demo's)."""


class Accounts:
    """The gateways by profile, and what the AWS config files say about each profile."""

    def __init__(
        self,
        first: Gateway,
        make: GatewayMaker | None = None,
        *,
        list_profiles: Callable[[], ProfileList] = list_profiles,
    ) -> None:
        self.first = first
        self._make = make
        self._gateways: dict[str, Gateway] = {first.profile_name: first}
        self._list_profiles = list_profiles
        self._read_only = first.read_only

    @property
    def can_switch(self) -> bool:
        """Whether other profiles can be used (a gateway given on its own, as tests do, has only its own)."""
        return self._make is not None

    @property
    def read_only(self) -> bool:
        return self._read_only

    def gateway(self, profile: str) -> Gateway:
        """The gateway of ``profile`` (made now if it is the first use); credentials are resolved on its first call,
        in a worker thread, so an SSO profile whose login expired fails there with a message, not here."""
        gateway = self._gateways.get(profile)
        if gateway is None:
            if self._make is None:
                raise KeyError(profile)
            gateway = self._gateways[profile] = self._make(profile)
            gateway.core.read_only = self._read_only
        return gateway

    def known(self) -> list[str]:
        """The profiles used so far, in the order first used."""
        return list(self._gateways)

    def forget_credentials(self, profile: str) -> None:
        """Drop the profile's session (after ``aws sso login`` or new keys): its next call resolves them again.
        Its cached reads go too: they were made with the credentials that stopped working."""
        gateway = self._gateways.get(profile)
        if gateway is None:
            return
        if self._make is None:  # the only gateway there is: keep it, with a new session
            gateway.core.factory.reset_session()
            return
        del self._gateways[profile]
        gateway.close()

    async def profiles(self) -> ProfileList:
        """Every profile of the AWS config and credentials files (read in a thread: files, never the network)."""
        return await asyncio.to_thread(self._list_profiles)

    async def sso_state(self, profile: ProfileInfo) -> SsoLogin:
        return await asyncio.to_thread(sso_login_state, profile)

    @property
    def mutations(self) -> int:
        return sum(g.mutations for g in self._gateways.values())

    @property
    def busy(self) -> bool:
        return any(g.busy for g in self._gateways.values())

    def close(self) -> None:
        for gateway in self._gateways.values():
            gateway.close()
