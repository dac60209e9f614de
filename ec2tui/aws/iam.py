"""Reading the account's IAM instance profiles (IAM is global: any region's client sees them all)."""

from __future__ import annotations

from typing import Any

from ec2tui.aws.models.iam import InstanceProfile


def list_instance_profiles(iam: Any) -> list[InstanceProfile]:
    """Every instance profile of the account, by name."""
    profiles = [
        InstanceProfile(
            name=raw["InstanceProfileName"],
            arn=raw.get("Arn", ""),
            roles=tuple(role.get("RoleName", "") for role in raw.get("Roles") or []),
        )
        for page in iam.get_paginator("list_instance_profiles").paginate()
        for raw in page.get("InstanceProfiles", [])
    ]
    return sorted(profiles, key=lambda p: p.name.lower())
