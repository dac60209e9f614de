"""Memory held by parsed row data: 10,000 instances and 50,000 images, parsed from answers shaped like EC2's.

Run `python bench/model_memory.py`; each figure is measured in a fresh process (RSS growth and the bytes tracemalloc
sees still allocated once the raw answers are gone).
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any


def rss_bytes() -> int:
    """Resident set size of this process now (Linux /proc; psutil where there is no /proc)."""
    try:
        with open("/proc/self/statm") as statm:
            import os

            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return int(psutil.Process().memory_info().rss)


def raw_instance(index: int) -> dict[str, Any]:
    iid = f"i-{index:017x}"
    ip = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
    return {
        "InstanceId": iid,
        "ImageId": f"ami-{index % 50:017x}",
        "State": {"Code": 16, "Name": "running" if index % 4 else "stopped"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
        "PublicDnsName": f"ec2-54-{index % 256}-{index // 256 % 256}-1.compute-1.amazonaws.com",
        "StateTransitionReason": "",
        "KeyName": "ops-2026",
        "InstanceType": ("t3.micro", "m6i.large", "c6i.2xlarge")[index % 3],
        "LaunchTime": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index),
        "Placement": {"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
        "SubnetId": "subnet-0123456789abcdef0",
        "VpcId": "vpc-0123456789abcdef0",
        "PrivateIpAddress": ip,
        "PublicIpAddress": f"54.{index % 256}.{index // 256 % 256}.1",
        "Architecture": "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {"VolumeId": f"vol-{index:017x}", "DeleteOnTermination": True, "Status": "attached"},
            }
        ],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": f"eni-{index:017x}",
                "SubnetId": "subnet-0123456789abcdef0",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
                "Association": {"PublicIp": f"54.{index % 256}.{index // 256 % 256}.1"},
            }
        ],
        "SecurityGroups": [{"GroupId": "sg-0123456789abcdef0", "GroupName": "prod-web"}],
        "Tags": [
            {"Key": "Name", "Value": f"web-{index:05d}"},
            {"Key": "Environment", "Value": "prod" if index % 2 else "staging"},
            {"Key": "Team", "Value": ("web", "app", "db")[index % 3]},
        ],
        "PlatformDetails": "Linux/UNIX",
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
    }


def raw_image(index: int) -> dict[str, Any]:
    return {
        "ImageId": f"ami-{index:017x}",
        "Name": f"my-app-{'arm' if index % 3 else 'web'}-build-{index:05d}",
        "Description": f"Build {index} of my app",
        "OwnerId": "123456789012",
        "Public": False,
        "State": "available",
        "Architecture": "arm64" if index % 3 else "x86_64",
        "VirtualizationType": "hvm",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "CreationDate": f"2026-01-{1 + index % 28:02d}T10:{index % 60:02d}:00.000Z",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "SnapshotId": f"snap-{index:017x}",
                    "VolumeSize": 8,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                    "Encrypted": False,
                },
            }
        ],
        "Tags": [{"Key": "Build", "Value": str(index)}],
    }


def measure(kind: str, count: int, *, trace: bool) -> int:
    """RSS growth (``trace=False``) or bytes still allocated (tracemalloc, ``trace=True``: it costs memory of its
    own, so the two are measured in separate processes) for ``count`` parsed rows of ``kind``."""
    if kind == "instances":
        from ec2tui.aws.instances import parse_instance as parse

        make = raw_instance
    else:
        from ec2tui.aws.image_parsing import parse_image as parse

        make = raw_image
    parse(make(0), "us-east-1")  # imports and caches warmed before measuring
    gc.collect()
    if trace:
        tracemalloc.start()
    before = rss_bytes()
    rows = []
    for start in range(0, count, 1000):  # raw answers page by page, as the paginator hands them over
        page = [make(i) for i in range(start, min(count, start + 1000))]
        rows.extend(parse(raw, "us-east-1") for raw in page)
        del page
    gc.collect()
    assert len(rows) == count
    if trace:
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return held
    return rss_bytes() - before


def _child(kind: str, count: int, trace: bool, conn: Any) -> None:
    conn.send(measure(kind, count, trace=trace))


def run(kind: str, count: int, *, trace: bool) -> int:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_child, args=(kind, count, trace, theirs))
    process.start()
    result = ours.recv()
    process.join()
    return result


def main() -> None:
    for kind, count in (("instances", 10_000), ("images", 50_000)):
        grown, held = run(kind, count, trace=False), run(kind, count, trace=True)
        print(
            f"  {count:,} parsed {kind:<9}  RSS growth {grown / 2**20:6.1f} MB   allocated {held / 2**20:6.1f} MB"
            f"   ({held / count:,.0f} bytes a row)",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    main()
