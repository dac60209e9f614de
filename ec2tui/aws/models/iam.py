"""IAM instance profiles, for the launch form's "IAM instance profile" picker."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    name: str
    arn: str
    roles: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if not self.roles:
            return f"{self.name} (no role: gives no permissions)"
        return f"{self.name} (role {', '.join(self.roles)})"


def profile_names(profiles: list[InstanceProfile] | tuple[InstanceProfile, ...]) -> frozenset[str]:
    """What a launch may name a profile by: its name or its ARN."""
    return frozenset(p.name for p in profiles) | frozenset(p.arn for p in profiles if p.arn)
