"""Instance types and where they are offered."""

from __future__ import annotations

from typing import Any

from ec2tui.aws.models.instance_types import InstanceStorage, InstanceTypeInfo, filter_types, sort_key
from ec2tui.errors import ValidationError

__all__ = ["filter_types", "list_instance_types", "offered_types", "parse_instance_type", "sort_key"]

LOCATION_TYPES = ("region", "availability-zone", "availability-zone-id")


def parse_instance_type(raw: dict[str, Any]) -> InstanceTypeInfo:
    storage_info = raw.get("InstanceStorageInfo") if raw.get("InstanceStorageSupported") else None
    storage = None
    if storage_info:
        disks = storage_info.get("Disks") or [{}]
        disk = disks[0]
        storage = InstanceStorage(
            count=sum(int(d.get("Count", 0)) for d in disks),
            size_gb=int(disk.get("SizeInGB", 0)),
            disk_type=str(disk.get("Type", "")),
            total_gb=int(storage_info.get("TotalSizeInGB", 0)),
        )
    return InstanceTypeInfo(
        name=raw["InstanceType"],
        vcpus=int(raw.get("VCpuInfo", {}).get("DefaultVCpus", 0)),
        memory_mib=int(raw.get("MemoryInfo", {}).get("SizeInMiB", 0)),
        architectures=tuple(raw.get("ProcessorInfo", {}).get("SupportedArchitectures", ())),
        current_generation=bool(raw.get("CurrentGeneration", False)),
        network_performance=str(raw.get("NetworkInfo", {}).get("NetworkPerformance", "")),
        free_tier_eligible=bool(raw.get("FreeTierEligible", False)),
        storage=storage,
        root_device_types=tuple(raw.get("SupportedRootDeviceTypes", ())),
        burstable=bool(raw.get("BurstablePerformanceSupported", False)),
        bare_metal=bool(raw.get("BareMetal", False)),
    )


def list_instance_types(ec2: Any) -> list[InstanceTypeInfo]:
    """Every instance type the region knows, sorted by family then size. Slow (hundreds of types): cache it."""
    paginator = ec2.get_paginator("describe_instance_types")
    types = [
        parse_instance_type(raw)
        for page in paginator.paginate(PaginationConfig={"PageSize": 100})
        for raw in page.get("InstanceTypes", [])
    ]
    return sorted(types, key=sort_key)


def offered_types(ec2: Any, location_type: str = "region", location: str | None = None) -> frozenset[str]:
    """Names of the types offered in a region (``location`` = the client's region when omitted) or in one
    availability zone (``location_type="availability-zone"``, ``location="us-east-1a"``)."""
    if location_type not in LOCATION_TYPES:
        raise ValidationError(f"Location type must be one of {', '.join(LOCATION_TYPES)}.", "location_type")
    if location_type != "region" and not location:
        raise ValidationError("Choose the availability zone to list its instance types.", "location")
    location = location or ec2.meta.region_name
    paginator = ec2.get_paginator("describe_instance_type_offerings")
    pages = paginator.paginate(
        LocationType=location_type,
        Filters=[{"Name": "location", "Values": [location]}],
        PaginationConfig={"PageSize": 1000},
    )
    return frozenset(o["InstanceType"] for page in pages for o in page.get("InstanceTypeOfferings", []))
