"""Where the app is looking: one profile (or the default credential chain), one endpoint, one region.

The app owns the current :class:`Context` alone; screens capture it when they start a load and hand it to the gateway
explicitly, so an answer is always for the context it was asked in (see ``Ec2App.context``). The account is learned
from the profile (STS ``GetCallerIdentity``) and is shown beside it, never part of the key: a profile names it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Context:
    profile: str
    """The profile's name as the AWS CLI knows it ("default" for the default credential chain)."""
    region: str
    endpoint_url: str | None = None

    def at(self, region: str) -> Context:
        """The same profile and endpoint in another region."""
        return self if region == self.region else replace(self, region=region)

    def with_profile(self, profile: str, region: str) -> Context:
        return replace(self, profile=profile, region=region)

    @property
    def connection(self) -> tuple[str, str | None]:
        """What a gateway is made for: the profile at an endpoint (regions are passed per call)."""
        return (self.profile, self.endpoint_url)

    def describe(self, account: str | None = None) -> str:
        """For titles and notes: ``profile (account) · region``."""
        who = f"{self.profile} ({account})" if account and account != "unknown" else self.profile
        return f"{who} · {self.region}"
