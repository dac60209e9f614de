"""Demo AMI catalog for one region of an in-process moto: every catalog tab gets realistic images.

boto3 cannot create images owned by other accounts, set creation dates, owner aliases or platform details, nor put
parameters under ``/aws/``, so most of this writes straight into moto's backends (same process). Names follow the
real publishers' patterns and dates are relative to today, so the demo never looks stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ec2.utils import random_ami_id
from moto.ssm.models import Parameter, ssm_backends

from ec2tui import clock
from ec2tui.compat import moto_private

AMAZON = "137112412989"
AMAZON_WINDOWS = "801119661308"
CANONICAL = "099720109477"
DEBIAN = "136693071363"
REDHAT = "309956199498"
SUSE = "013907871322"
MARKETPLACE = "679593333241"
PLATFORM_TEAM = "111122223333"
SECURITY_VENDOR = "444455556666"
PARTNER = "210987654321"


@dataclass(frozen=True)
class Volume:
    device: str
    size: int
    volume_type: str = "gp3"
    encrypted: bool = False
    virtual_name: str | None = None  # instance store (no snapshot)


@dataclass(frozen=True)
class DemoImage:
    name: str
    description: str
    owner: str
    days_old: int
    arch: str = "x86_64"
    alias: str | None = None
    public: bool = True
    windows: bool = False
    platform_details: str = "Linux/UNIX"
    root: str = "/dev/xvda"
    volumes: tuple[Volume, ...] = (Volume("/dev/xvda", 8),)
    tags: dict[str, str] = field(default_factory=dict)
    shared_with: tuple[str, ...] = ()
    product_code: str | None = None
    parameter: str | None = None  # SSM public parameter pointing at it (Quick Start)
    deprecated_in_days: int | None = None


class _DemoAmi(Ami):
    """moto's Ami always reports one 15 GiB root volume: this one reports the devices it was given."""

    demo_devices: list[dict[str, Any]]
    # Read by moto's serializer when set (its Ami does not declare them).
    platform_details: str
    usage_operation: str
    ena_support: bool
    ProductCodes: list[dict[str, str]]
    deprecation_time: str

    @property
    def block_device_mappings(self) -> list[dict[str, Any]]:
        return self.demo_devices


def _arches(template: DemoImage, **names: str) -> list[DemoImage]:
    """The same image for x86_64 and arm64 (``names`` maps arch → name); the parameter path gets the arch word."""
    words = {"x86_64": ("amd64", "x86_64"), "arm64": ("arm64", "arm64")}
    out = []
    for arch, name in names.items():
        deb, al = words[arch]
        parameter = template.parameter.format(deb=deb, al=al) if template.parameter else None
        description = template.description.format(deb=deb, al=al)
        out.append(_with(template, name=name, arch=arch, parameter=parameter, description=description))
    return out


def _with(image: DemoImage, **changes: Any) -> DemoImage:
    return replace(image, **changes)


def _catalog(account: str, region: str, now: datetime) -> list[DemoImage]:
    d = now.strftime("%Y%m%d")
    month = now.strftime("%Y-%m")
    last_month = (now - timedelta(days=31)).strftime("%Y-%m")
    al_version = f"2023.9.{d}.0"
    ib = f"arn:aws:imagebuilder:{region}:{account}"
    ubuntu24 = DemoImage(
        "",
        "Canonical, Ubuntu, 24.04, {deb} noble image",
        CANONICAL,
        6,
        root="/dev/sda1",
        volumes=(Volume("/dev/sda1", 8), Volume("/dev/sdb", 0, virtual_name="ephemeral0")),
        parameter="/aws/service/canonical/ubuntu/server/24.04/stable/current/{deb}/hvm/ebs-gp3/ami-id",
    )
    ubuntu22 = _with(
        ubuntu24,
        description="Canonical, Ubuntu, 22.04, {deb} jammy image",
        days_old=9,
        volumes=(Volume("/dev/sda1", 8, "gp2"), Volume("/dev/sdb", 0, virtual_name="ephemeral0")),
        parameter="/aws/service/canonical/ubuntu/server/22.04/stable/current/{deb}/hvm/ebs-gp2/ami-id",
    )
    debian12 = DemoImage(
        "",
        "Debian 12 (bookworm) {deb}",
        DEBIAN,
        4,
        volumes=(Volume("/dev/xvda", 8),),
        parameter="/aws/service/debian/release/12/latest/{deb}",
    )
    al2023 = DemoImage(
        "",
        f"Amazon Linux 2023 AMI {al_version} {{al}} HVM kernel-6.1",
        AMAZON,
        2,
        alias="amazon",
        parameter="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{al}",
    )
    al2 = DemoImage(
        "",
        f"Amazon Linux 2 Kernel 5.10 AMI 2.0.{d}.0 {{al}} HVM gp2",
        AMAZON,
        7,
        alias="amazon",
        parameter="/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-{al}-gp2",
    )
    win = DemoImage(
        "",
        "",
        AMAZON_WINDOWS,
        11,
        alias="amazon",
        windows=True,
        platform_details="Windows",
        root="/dev/sda1",
        volumes=(Volume("/dev/sda1", 30),),
    )
    return [
        # -- Quick Start (AWS-provided, resolved through SSM public parameters) --
        *_arches(
            al2023,
            x86_64=f"al2023-ami-{al_version}-kernel-6.1-x86_64",
            arm64=f"al2023-ami-{al_version}-kernel-6.1-arm64",
        ),
        *_arches(
            al2,
            x86_64=f"amzn2-ami-kernel-5.10-hvm-2.0.{d}.0-x86_64-gp2",
            arm64=f"amzn2-ami-kernel-5.10-hvm-2.0.{d}.0-arm64-gp2",
        ),
        *_arches(
            ubuntu24,
            x86_64=f"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-{d}",
            arm64=f"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-{d}",
        ),
        *_arches(
            ubuntu22,
            x86_64=f"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-{d}",
            arm64=f"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-{d}",
        ),
        *_arches(debian12, x86_64=f"debian-12-amd64-{d}-2263", arm64=f"debian-12-arm64-{d}-2263"),
        DemoImage(
            f"debian-13-amd64-{d}-301",
            "Debian 13 (trixie) amd64",
            DEBIAN,
            3,
            parameter="/aws/service/debian/release/13/latest/amd64",
        ),
        _with(
            win,
            name=f"Windows_Server-2022-English-Full-Base-{now:%Y.%m.%d}",
            description="Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon",
            parameter="/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
        ),
        _with(
            win,
            name=f"Windows_Server-2025-English-Full-Base-{now:%Y.%m.%d}",
            description="Microsoft Windows Server 2025 Full Locale English AMI provided by Amazon",
            parameter="/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base",
        ),
        DemoImage(
            f"RHEL-9.6.0_HVM-{d}-x86_64-0-Hourly2-GP3",
            "Provided by Red Hat, Inc.",
            REDHAT,
            20,
            root="/dev/sda1",
            volumes=(Volume("/dev/sda1", 10),),
            platform_details="Red Hat Enterprise Linux",
            parameter="/aws/service/redhat/rhel/9/x86_64/latest",
        ),
        DemoImage(
            f"suse-sles-15-sp7-v{d}-hvm-ssd-x86_64",
            "SUSE Linux Enterprise Server 15 SP7 (HVM, 64-bit, SSD-Backed)",
            SUSE,
            15,
            alias="amazon",
            volumes=(Volume("/dev/xvda", 10),),
            platform_details="SUSE Linux",
            parameter="/aws/service/suse/sles/15-sp7/x86_64/latest",
        ),
        # -- AWS Marketplace --
        DemoImage(
            "bitnami-wordpress-6.8.3-r04-linux-debian-12-x86_64-hvm-ebs-nami",
            "Bitnami WordPress 6.8.3 on Debian 12",
            MARKETPLACE,
            14,
            alias="aws-marketplace",
            volumes=(Volume("/dev/xvda", 10),),
            product_code="cvmr6n3h0wq2kj0s5jokrqwpp",
        ),
        DemoImage(
            "OpenVPN Access Server 2.14.3-fe8020db-5343-4c43-9e65-5ed4a825c931",
            "OpenVPN Access Server 2.14.3 on Ubuntu 24.04",
            MARKETPLACE,
            40,
            alias="aws-marketplace",
            product_code="f2ew2wrz425a1jagnifd02u5t",
        ),
        DemoImage(
            "FortiGate-VM64-AWSONDEMAND build2726 (7.6.4) GA",
            "FortiGate-VM64-AWSONDEMAND build2726 (7.6.4) GA",
            MARKETPLACE,
            60,
            alias="aws-marketplace",
            volumes=(Volume("/dev/sda1", 2), Volume("/dev/sdb", 30)),
            root="/dev/sda1",
            product_code="2wqkpek696qhdeo7lbbjncqli",
        ),
        DemoImage(
            "cisco-c8000v-17.15.03a-prod-byol",
            "Cisco Catalyst 8000V Edge Software 17.15.03a BYOL",
            MARKETPLACE,
            90,
            alias="aws-marketplace",
            volumes=(Volume("/dev/xvda", 16),),
            product_code="3ycwqehancx46bkpb3xkifiz5",
        ),
        # -- Community (public, other accounts, no alias) --
        DemoImage("nixos/25.05.2026-x86_64-linux", "NixOS 25.05 x86_64-linux", "427812963091", 12),
        DemoImage("nixos/25.05.2026-aarch64-linux", "NixOS 25.05 aarch64-linux", "427812963091", 12, arch="arm64"),
        DemoImage("Rocky-9-EC2-Base-9.6-20260601.0.x86_64", "Rocky Linux 9.6 Base", "792107900819", 45),
        DemoImage("AlmaLinux OS 9.6.20260612 x86_64", "Official AlmaLinux OS 9.6 image", "764336703387", 40),
        DemoImage("FreeBSD 14.3-RELEASE-amd64", "FreeBSD/amd64 releng/14.3@9c0bd8e", "782442783595", 70),
        DemoImage("Fedora-Cloud-Base-AmazonEC2.x86_64-42-1.1", "Fedora Cloud Base 42", "125523088429", 100),
        DemoImage(
            "hashicorp-vault-1.20.4-ubuntu-24.04-amd64",
            "Vault 1.20.4 server on Ubuntu 24.04, built with Packer",
            "345678901234",
            18,
            root="/dev/sda1",
            volumes=(Volume("/dev/sda1", 20),),
        ),
        DemoImage(
            "k3s-node-v1.33.5-debian-12-arm64",
            "Lightweight Kubernetes node image",
            "345678901234",
            25,
            arch="arm64",
        ),
        DemoImage(
            "gitlab-runner-autoscaler-2026",
            "Self-hosted CI runner with Docker and the fleeting plugin",
            "567890123456",
            33,
            volumes=(Volume("/dev/xvda", 30),),
        ),
        DemoImage(
            "windows-2022-sqlexpress-community",
            "Windows Server 2022 with SQL Server Express, community build",
            "567890123456",
            50,
            windows=True,
            platform_details="Windows",
            root="/dev/sda1",
            volumes=(Volume("/dev/sda1", 50),),
        ),
        # -- shared with this account (private, another owner) --
        DemoImage(
            f"platform-base-al2023-{month}",
            "Hardened Amazon Linux 2023 base, shared by the platform team",
            PLATFORM_TEAM,
            5,
            public=False,
            volumes=(Volume("/dev/xvda", 16, encrypted=True),),
            shared_with=(account,),
            tags={"Team": "platform"},
        ),
        DemoImage(
            "acme-security-scanner-3.2.1",
            "Vulnerability scanner appliance (licensed to this account)",
            SECURITY_VENDOR,
            27,
            public=False,
            volumes=(Volume("/dev/xvda", 20),),
            shared_with=(account,),
        ),
        # -- the account's own images --
        DemoImage(
            f"web-server-golden-{month}",
            "nginx 1.28 + Node.js 22 on Amazon Linux 2023, CIS level 1",
            account,
            3,
            public=False,
            volumes=(Volume("/dev/xvda", 20, encrypted=True),),
            tags={"Name": f"web-server-golden-{month}", "Team": "web", "Environment": "prod"},
            shared_with=(PARTNER,),
        ),
        DemoImage(
            f"web-server-golden-{last_month}",
            "nginx 1.28 + Node.js 22 on Amazon Linux 2023, CIS level 1",
            account,
            34,
            public=False,
            volumes=(Volume("/dev/xvda", 20, encrypted=True),),
            tags={"Name": f"web-server-golden-{last_month}", "Team": "web"},
            deprecated_in_days=-3,
        ),
        DemoImage(
            f"api-base-{month}",
            "Ubuntu 24.04 with the API runtime and the CloudWatch agent",
            account,
            8,
            public=False,
            root="/dev/sda1",
            volumes=(Volume("/dev/sda1", 30, encrypted=True),),
            tags={"Team": "api"},
        ),
        DemoImage(
            f"db-postgres16-{last_month}",
            "PostgreSQL 16 with a separate data volume",
            account,
            41,
            public=False,
            volumes=(Volume("/dev/xvda", 20, encrypted=True), Volume("/dev/sdf", 200, "io2", encrypted=True)),
            tags={"Team": "data"},
        ),
        DemoImage(
            "jenkins-agent-arm64",
            "Jenkins inbound agent, JDK 21, Docker",
            account,
            60,
            arch="arm64",
            public=False,
            volumes=(Volume("/dev/xvda", 50),),
        ),
        DemoImage(
            f"windows-build-agent-{last_month}",
            "Windows Server 2022 with Visual Studio Build Tools 2022",
            account,
            38,
            public=False,
            windows=True,
            platform_details="Windows",
            root="/dev/sda1",
            volumes=(Volume("/dev/sda1", 80),),
        ),
        DemoImage(
            "acme-open-demo-appliance",
            "A public demo appliance published by this account",
            account,
            120,
            public=True,
        ),
        # -- EC2 Image Builder output (own, tagged) --
        *(
            DemoImage(
                f"{recipe} {(now - timedelta(days=days)):%Y-%m-%dT03-00-12.123Z}",
                description,
                account,
                days,
                arch=arch,
                public=False,
                windows=windows,
                platform_details="Windows" if windows else "Linux/UNIX",
                root="/dev/sda1" if windows else "/dev/xvda",
                volumes=(Volume("/dev/sda1" if windows else "/dev/xvda", 40 if windows else 12, encrypted=True),),
                tags={
                    "Ec2ImageBuilderArn": f"{ib}:image/{recipe}/{version}/{build}",
                    "CreatedBy": f"{ib}:image-pipeline/{pipeline}",
                },
            )
            for recipe, version, build, pipeline, days, arch, windows, description in (
                ("web-golden-recipe", "1.4.0", 3, "web-golden-nightly", 1, "x86_64", False, "Web golden image"),
                ("web-golden-recipe", "1.4.0", 2, "web-golden-nightly", 8, "x86_64", False, "Web golden image"),
                ("cis-hardened-al2023", "2.1.0", 7, "cis-weekly", 5, "arm64", False, "CIS level 2 hardened AL2023"),
                ("windows-iis", "1.0.2", 1, "windows-monthly", 16, "x86_64", True, "Windows Server 2022 with IIS"),
            )
        ),
    ]


def seed_images(account_id: str, region: str, ec2: Any, ssm: Any) -> dict[str, str]:
    """Seed the AMI catalog of ``region``: Quick Start parameters and images, Marketplace, Community, shared, own.

    Everything goes straight into moto's backends (``ec2``/``ssm`` are accepted for symmetry with the other seeders:
    boto3 can do none of it, and skipping HTTP keeps this under a few milliseconds a region).
    Returns the image ID of every image created, by name and by the SSM parameter that now points at it.
    """
    created: dict[str, str] = {}
    backend = ec2_backends[account_id][region]
    parameters = moto_private.ssm_parameters(ssm_backends[account_id][region])
    now = clock.now().replace(microsecond=0)
    zone = f"{region}a"
    for index, spec in enumerate(_catalog(account_id, region, now)):
        if spec.parameter and _resolves(parameters, spec.parameter, backend):
            continue  # moto already has it (Amazon Linux, when moto preloads its images): keep moto's image
        image_id = random_ami_id()
        ami = _DemoAmi(
            backend,
            image_id,
            name=spec.name,
            description=spec.description,
            owner_id=spec.owner,
            owner_alias=spec.alias,
            public=spec.public,
            virtualization_type="hvm",
            architecture=spec.arch,
            creation_date=now - timedelta(days=spec.days_old, hours=spec.days_old % 7, minutes=7 * index),
            platform="windows" if spec.windows else None,
            hypervisor="xen",
            root_device_type="ebs",
            root_device_name=spec.root,
            region_name=zone,
            product_codes={spec.product_code} if spec.product_code else None,
            boot_mode="uefi" if spec.arch == "arm64" or spec.windows else "legacy-bios",
            tags=dict(spec.tags) or None,
        )
        ami.demo_devices = _devices(backend, ami, spec, zone)
        ami.platform_details = spec.platform_details
        ami.usage_operation = "RunInstances:0002" if spec.windows else "RunInstances"
        ami.ena_support = True
        if spec.product_code:
            # moto keeps product codes as bare strings, which its serializer drops; it reads this name first.
            ami.ProductCodes = [{"ProductCodeId": spec.product_code, "ProductCodeType": "marketplace"}]
        if spec.deprecated_in_days is not None:
            ami.deprecation_time = (now + timedelta(days=spec.deprecated_in_days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for account in spec.shared_with:
            ami.launch_permissions.append({"UserId": account})
        backend.amis[image_id] = ami
        created.setdefault(spec.name, image_id)
        if spec.parameter:
            created[spec.parameter] = image_id
            # A new version: moto's own value, if any, points at an image it did not load.
            parameters[spec.parameter].append(
                Parameter(  # type: ignore[abstract]  # moto's CloudFormation hooks: SSM makes it the same way
                    account_id=account_id,
                    name=spec.parameter,
                    value=image_id,
                    parameter_type="String",
                    description=None,
                    allowed_pattern=None,
                    keyid=None,
                    last_modified_date=ami.creation_date,
                    version=len(parameters[spec.parameter]) + 1,
                    data_type="aws:ec2:image",
                )
            )
    return created


def _resolves(parameters: Any, name: str, backend: Any) -> bool:
    """The parameter exists and names an image the backend has. (``in`` makes moto load its Amazon Linux
    parameters, which it ships even when its stock AMIs are not loaded, so they can point at nothing.)"""
    if name not in parameters:
        return False
    versions = parameters[name]
    return bool(versions) and versions[-1].value in backend.amis


def _devices(backend: Any, ami: Ami, spec: DemoImage, zone: str) -> list[dict[str, Any]]:
    devices: list[dict[str, Any]] = []
    for volume in spec.volumes:
        if volume.virtual_name:
            devices.append({"DeviceName": volume.device, "VirtualName": volume.virtual_name})
            continue
        if volume.device == spec.root:
            snapshot = ami.ebs_snapshot  # the one moto made for the image
            snapshot.volume.size = volume.size
            snapshot.encrypted = volume.encrypted
        else:
            source = backend.create_volume(size=volume.size, zone_name=zone)
            snapshot = backend.create_snapshot(source.id, f"Data volume of {ami.id}", spec.owner, from_ami=ami.id)
            backend.delete_volume(source.id)
        ebs: dict[str, Any] = {
            "SnapshotId": snapshot.id,
            "VolumeSize": volume.size,
            "VolumeType": volume.volume_type,
            "DeleteOnTermination": True,
            "Encrypted": volume.encrypted,
        }
        if volume.volume_type == "io2":
            ebs["Iops"] = 3000
        devices.append({"DeviceName": volume.device, "Ebs": ebs})
    return devices
