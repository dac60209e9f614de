"""What the launch form edits (:class:`LaunchRequest`), what validation knows (:class:`LaunchContext`), and the
boto3 ``run_instances`` keyword arguments built from a request. Pure Python: the UI imports this module.

The request classes are mutable on purpose: the form keeps one request, edits it field by field and re-validates.
Field paths in :class:`FieldError` are the attribute paths of the request (``security_groups.new_group.rules[1].cidr``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Literal

from ec2tui.aws.models.instance_types import InstanceTypeInfo
from ec2tui.aws.models.network import SecurityGroup, Subnet, Vpc

KeyChoice = Literal["existing", "new", "none"]
KEY_CHOICES: tuple[str, ...] = ("existing", "new", "none")
KEY_TYPES: tuple[str, ...] = ("rsa", "ed25519")
PROTOCOLS: tuple[str, ...] = ("tcp", "udp", "icmp", "all")
VOLUME_TYPES: tuple[str, ...] = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")
METADATA_CHOICES: tuple[str, ...] = ("", "required", "optional", "disabled")
"""Instance metadata service: ``""`` the AMI's default, v2 only (``required``), v1 and v2 (``optional``), off."""
METADATA_LABELS: dict[str, str] = {
    "required": "IMDSv2 only (token required)",
    "optional": "IMDSv1 and IMDSv2 (token optional)",
    "disabled": "off (no instance metadata service)",
}
"""How the launch form and the instance detail name each setting (an instance's ``metadata`` uses the same words)."""
SHUTDOWN_BEHAVIORS: tuple[str, ...] = ("stop", "terminate")
PURCHASING_OPTIONS: tuple[str, ...] = ("on-demand", "spot")
DEFAULT_KEY_DIRECTORY = "~/.ssh"
DEFAULT_MAX_COUNT = 100
"""ec2tui's own ceiling on one launch, a guard against typos; AWS's real limit is the account's vCPU quota."""

NEW_GROUP_PLACEHOLDER = "${NEW_SG_ID}"
"""Stands for the id of the security group the launch will create, until it exists (CLI export, previews)."""


@dataclass
class Tag:
    key: str = ""
    value: str = ""


@dataclass
class KeyPairSpec:
    """``existing``: use ``name``; ``new``: create ``name`` of ``key_type`` and save it in ``directory``; ``none``."""

    choice: str = "existing"
    name: str = ""
    key_type: str = "ed25519"
    directory: str = DEFAULT_KEY_DIRECTORY


@dataclass
class NetworkSpec:
    vpc_id: str = ""
    """Empty: the default VPC."""
    subnet_id: str = ""
    """Empty: no preference (AWS picks a default subnet of the default VPC)."""
    public_ip: bool | None = None
    """``None``: the subnet's own setting (MapPublicIpOnLaunch); ``True``/``False``: override it."""


@dataclass
class IngressRule:
    """An inbound rule to create. Ports: a range for tcp/udp; ICMP type and code (-1 = any) for icmp; unused for all."""

    protocol: str = "tcp"
    from_port: int | None = 22
    to_port: int | None = 22
    cidr: str = "0.0.0.0/0"
    description: str = ""

    @property
    def is_ipv6(self) -> bool:
        try:
            return ipaddress.ip_network(self.cidr.strip(), strict=False).version == 6
        except ValueError:
            return ":" in self.cidr


@dataclass
class NewSecurityGroup:
    name: str = ""
    description: str = ""
    rules: list[IngressRule] = field(default_factory=list)


@dataclass
class SecurityGroupsSpec:
    existing_ids: list[str] = field(default_factory=list)
    new_group: NewSecurityGroup | None = None


@dataclass
class VolumeSpec:
    """An EBS volume. The root volume's ``device_name`` comes from the AMI (see :func:`apply_image`)."""

    device_name: str = ""
    size_gib: int | None = None
    """``None`` on the root volume: the AMI's snapshot size."""
    volume_type: str = "gp3"
    iops: int | None = None
    throughput: int | None = None
    """MiB/s, gp3 only."""
    encrypted: bool = False
    delete_on_termination: bool = True


@dataclass
class AdvancedSpec:
    """The console's "Advanced details" that matter most; the defaults send nothing (AWS's own defaults apply)."""

    iam_instance_profile: str = ""
    """A profile name or ARN; empty: none."""
    metadata: str = ""
    """One of :data:`METADATA_CHOICES`."""
    shutdown_behavior: str = "stop"
    """What a shutdown from inside the instance does: ``stop`` or ``terminate``."""
    termination_protection: bool = False
    detailed_monitoring: bool = False
    purchasing: str = "on-demand"
    """``on-demand`` or ``spot`` (a one-time Spot request: cheaper, but AWS may reclaim the instance)."""
    spot_max_price: str = ""
    """USD per instance-hour as typed; empty: up to the On-Demand price (AWS's default)."""


@dataclass
class LaunchRequest:
    name: str = ""
    tags: list[Tag] = field(default_factory=list)
    image_id: str = ""
    instance_type: str = ""
    key_pair: KeyPairSpec = field(default_factory=KeyPairSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    security_groups: SecurityGroupsSpec = field(default_factory=SecurityGroupsSpec)
    root_volume: VolumeSpec = field(default_factory=VolumeSpec)
    volumes: list[VolumeSpec] = field(default_factory=list)
    user_data: str = ""
    min_count: int = 1
    max_count: int = 1
    advanced: AdvancedSpec = field(default_factory=AdvancedSpec)


@dataclass(frozen=True)
class FieldError:
    """A problem with one field. ``level`` ``warning`` informs but does not block the launch."""

    field: str
    message: str
    level: Literal["error", "warning"] = "error"

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"


def blocking(issues: list[FieldError]) -> list[FieldError]:
    """The issues that must be fixed before launching (warnings left out)."""
    return [i for i in issues if not i.is_warning]


@dataclass(frozen=True)
class ImageFacts:
    """What validation and defaults need to know about the chosen AMI."""

    image_id: str
    name: str = ""
    description: str = ""
    architecture: str = "x86_64"
    platform: str = ""
    """``windows`` or empty (Linux/UNIX)."""
    root_device_type: str = "ebs"
    root_device_name: str = ""
    root_volume_size_gib: int | None = None
    root_volume_type: str = ""
    root_encrypted: bool = False
    state: str = "available"

    @property
    def is_windows(self) -> bool:
        return self.platform.lower() == "windows"

    @classmethod
    def from_image(cls, image: Any) -> ImageFacts:
        """From the AMI catalog's ``ec2tui.aws.models.images.Image`` (duck-typed: no import between the areas)."""
        root = image.root_device
        platform = "windows" if image.is_windows else ""
        return cls(
            image_id=image.id,
            name=image.name,
            description=image.description,
            architecture=image.architecture,
            platform=platform,
            root_device_type=image.root_device_type,
            root_device_name=image.root_device_name,
            root_volume_size_gib=root.size_gib if root is not None else None,
            root_volume_type=(root.volume_type or "") if root is not None else "",
            root_encrypted=bool(root.encrypted) if root is not None else False,
            state=image.state,
        )


@dataclass(frozen=True)
class LaunchContext:
    """Facts fetched from AWS that validation checks the request against. ``None`` means "not known": skipped."""

    image: ImageFacts | None = None
    instance_type: InstanceTypeInfo | None = None
    offered_types: frozenset[str] | None = None
    key_pair_names: frozenset[str] | None = None
    vpcs: tuple[Vpc, ...] | None = None
    subnets: tuple[Subnet, ...] | None = None
    """Subnets of the request's VPC (or of the region)."""
    security_groups: tuple[SecurityGroup, ...] | None = None
    """Security groups of the request's VPC."""
    max_count: int = DEFAULT_MAX_COUNT
    instance_profiles: frozenset[str] | None = None
    """Names and ARNs of the account's instance profiles."""
    remote_errors: tuple[FieldError, ...] = ()
    """Problems found while fetching the facts (e.g. the AMI doesn't exist), reported by validation."""


@dataclass(frozen=True)
class DryRunResult:
    ok: bool
    message: str
    code: str = ""


@dataclass(frozen=True)
class LaunchResult:
    instance_ids: tuple[str, ...]
    key_file: str | None = None
    """Where the new key pair's private key was saved (mode 0600)."""
    security_group_id: str | None = None
    """The security group created for this launch."""


def apply_image(request: LaunchRequest, image: ImageFacts) -> None:
    """Point the request at an AMI the way the console does: its root device name, and a root volume at least as
    large as the snapshot, of the AMI's volume type when the user hasn't chosen, encrypted when the snapshot is."""
    request.image_id = image.image_id
    root = request.root_volume
    root.device_name = image.root_device_name if image.root_device_type == "ebs" else ""
    # A size the user is still typing can be text ("2x"): validation reports it; it is neither compared nor replaced.
    size, needed = root.size_gib, image.root_volume_size_gib
    if needed is not None and (size is None or (isinstance(size, int) and size < needed)):
        root.size_gib = needed
    if image.root_volume_type in VOLUME_TYPES and image.root_volume_type not in ("st1", "sc1"):
        root.volume_type = image.root_volume_type
    if image.root_encrypted:
        root.encrypted = True


# -- boto3 parameters ------------------------------------------------------------------------------------------


def all_tags(request: LaunchRequest) -> list[dict[str, str]]:
    """The Name tag (when a name is given) followed by the extra tags, as AWS Tag dicts."""
    tags = [{"Key": "Name", "Value": request.name}] if request.name else []
    tags += [{"Key": t.key, "Value": t.value} for t in request.tags if t.key]
    return tags


def _ebs(volume: VolumeSpec) -> dict[str, Any]:
    ebs: dict[str, Any] = {"DeleteOnTermination": bool(volume.delete_on_termination)}
    if volume.size_gib is not None:
        ebs["VolumeSize"] = int(volume.size_gib)
    ebs["VolumeType"] = volume.volume_type
    if volume.iops is not None and volume.volume_type in ("gp3", "io1", "io2"):
        ebs["Iops"] = int(volume.iops)
    if volume.throughput is not None and volume.volume_type == "gp3":
        ebs["Throughput"] = int(volume.throughput)
    # Only ask for encryption: Encrypted=False can't decrypt an encrypted snapshot and AWS would refuse it.
    if volume.encrypted:
        ebs["Encrypted"] = True
    return ebs


def group_ids(request: LaunchRequest, new_group_id: str | None = None) -> list[str]:
    """Existing group ids, then the new group's id (or :data:`NEW_GROUP_PLACEHOLDER` until it exists)."""
    ids = [g for g in request.security_groups.existing_ids if g]
    if request.security_groups.new_group is not None:
        ids.append(new_group_id or NEW_GROUP_PLACEHOLDER)
    return ids


def to_run_instances_params(
    request: LaunchRequest, *, new_group_id: str | None = None, include_new_resources: bool = True
) -> dict[str, Any]:
    """The exact ``ec2.run_instances(**params)`` keyword arguments for a request.

    A new security group appears as ``new_group_id`` or, before it exists, :data:`NEW_GROUP_PLACEHOLDER`.
    ``include_new_resources=False`` leaves out the key pair and group the launch would create (for a dry run
    before they exist). ``UserData`` is the raw text: boto3 base64-encodes it.
    """
    params: dict[str, Any] = {
        "ImageId": request.image_id,
        "InstanceType": request.instance_type,
        "MinCount": int(request.min_count),
        "MaxCount": int(request.max_count),
    }
    key = request.key_pair
    if key.name and (key.choice == "existing" or (key.choice == "new" and include_new_resources)):
        params["KeyName"] = key.name

    groups = group_ids(request, new_group_id)
    if not include_new_resources and request.security_groups.new_group is not None:
        groups = groups[:-1]
    network = request.network
    if network.public_ip is not None:
        # AssociatePublicIpAddress exists only on a network interface, and then the subnet and groups must be
        # given on that interface too (AWS refuses instance-level SubnetId/SecurityGroupIds alongside it).
        interface: dict[str, Any] = {
            "DeviceIndex": 0,
            "AssociatePublicIpAddress": bool(network.public_ip),
            "DeleteOnTermination": True,
        }
        if network.subnet_id:
            interface["SubnetId"] = network.subnet_id
        if groups:
            interface["Groups"] = groups
        params["NetworkInterfaces"] = [interface]
    else:
        if network.subnet_id:
            params["SubnetId"] = network.subnet_id
        if groups:
            params["SecurityGroupIds"] = groups

    mappings = []
    if request.root_volume.device_name:
        mappings.append({"DeviceName": request.root_volume.device_name, "Ebs": _ebs(request.root_volume)})
    mappings += [{"DeviceName": v.device_name, "Ebs": _ebs(v)} for v in request.volumes]
    if mappings:
        params["BlockDeviceMappings"] = mappings

    tags = all_tags(request)
    if tags:
        params["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": tags},
            {"ResourceType": "volume", "Tags": [dict(t) for t in tags]},
        ]
    if request.user_data:
        params["UserData"] = request.user_data
    params.update(advanced_params(request.advanced))
    return params


METADATA_OPTIONS: dict[str, dict[str, str]] = {
    "required": {"HttpEndpoint": "enabled", "HttpTokens": "required"},
    "optional": {"HttpEndpoint": "enabled", "HttpTokens": "optional"},
    "disabled": {"HttpEndpoint": "disabled"},
}


def advanced_params(advanced: AdvancedSpec) -> dict[str, Any]:
    """The ``run_instances`` arguments of the advanced details; only what differs from AWS's defaults."""
    params: dict[str, Any] = {}
    profile = advanced.iam_instance_profile.strip()
    if profile:
        params["IamInstanceProfile"] = {"Arn": profile} if profile.startswith("arn:") else {"Name": profile}
    if advanced.metadata in METADATA_OPTIONS:
        params["MetadataOptions"] = dict(METADATA_OPTIONS[advanced.metadata])
    if advanced.shutdown_behavior == "terminate":
        params["InstanceInitiatedShutdownBehavior"] = "terminate"
    if advanced.termination_protection:
        params["DisableApiTermination"] = True
    if advanced.detailed_monitoring:
        params["Monitoring"] = {"Enabled": True}
    if advanced.purchasing == "spot":
        market: dict[str, Any] = {"MarketType": "spot"}
        if advanced.spot_max_price.strip():
            market["SpotOptions"] = {"MaxPrice": advanced.spot_max_price.strip()}
        params["InstanceMarketOptions"] = market
    return params
