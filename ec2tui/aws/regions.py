"""Regions, per-region instance counts and the caller identity."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from ec2tui.aws.models.regions import Identity, InstanceCounts, Region


def list_regions(ec2: Any) -> list[Region]:
    """Every region the partition has, opted in or not, sorted by name."""
    response = ec2.describe_regions(AllRegions=True)
    regions = [
        Region(
            name=r["RegionName"],
            endpoint=r.get("Endpoint", ""),
            opt_in_status=r.get("OptInStatus", "opt-in-not-required"),
            description=region_descriptions().get(r["RegionName"], ""),
        )
        for r in response.get("Regions", [])
    ]
    return sorted(regions, key=lambda r: r.name)


@cache
def region_descriptions() -> dict[str, str]:
    """Region name → description ("EU (Ireland)") for every partition botocore knows."""
    endpoints = botocore.session.get_session().get_data("endpoints")
    return {
        name: info.get("description", "")
        for partition in endpoints.get("partitions", [])
        for name, info in partition.get("regions", {}).items()
    }


def count_instances(ec2: Any) -> InstanceCounts:
    """Count the region's instances (terminated excluded) with the paginator, asking only for their state."""
    paginator = ec2.get_paginator("describe_instances")
    total = running = 0
    pages = paginator.paginate(
        Filters=[
            {
                "Name": "instance-state-name",
                "Values": ["pending", "running", "stopping", "stopped", "shutting-down"],
            }
        ],
    )
    for page in pages:
        for reservation in page.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                total += 1
                if instance.get("State", {}).get("Name") == "running":
                    running += 1
    return InstanceCounts(total=total, running=running)


def caller_identity(sts: Any) -> Identity:
    response = sts.get_caller_identity()
    return Identity(account=response.get("Account", ""), arn=response.get("Arn", ""))


def account_alias(iam: Any) -> str | None:
    """The account's alias (IAM), or None when it has none or the caller may not read it: the alias only labels
    the account, so a refusal is never an error."""
    try:
        aliases = iam.list_account_aliases().get("AccountAliases", [])
    except ClientError:
        return None
    return str(aliases[0]) if aliases else None
