"""Helpers for the AMI catalog tests (no tests here).

moto keeps each account's images in that account's own backend, so an image "owned by another account" that this
account can see (shared, public, Marketplace) is put straight into this account's backend with a foreign owner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ec2.utils import random_ami_id
from moto.ssm.models import Parameter, ssm_backends

ACCOUNT = DEFAULT_ACCOUNT_ID
OTHER = "111122223333"
STRANGER = "444455556666"
COMMUNITY_OWNER = "210987654321"
MARKETPLACE_OWNER = "679593333241"
BASE_AMI = "ami-12c6146b"  # one of moto's preloaded images, fine to launch from


def foreign_image(
    region: str,
    name: str,
    *,
    owner: str = OTHER,
    alias: str | None = None,
    public: bool = False,
    shared_with: tuple[str, ...] = (),
    description: str = "",
    architecture: str = "x86_64",
    windows: bool = False,
    created: datetime | None = None,
    tags: dict[str, str] | None = None,
) -> str:
    backend = ec2_backends[ACCOUNT][region]
    image_id = random_ami_id()
    ami = Ami(
        backend,
        image_id,
        name=name,
        description=description,
        owner_id=owner,
        owner_alias=alias,
        public=public,
        architecture=architecture,
        platform="windows" if windows else None,
        virtualization_type="hvm",
        root_device_type="ebs",
        root_device_name="/dev/xvda",
        region_name=f"{region}a",
        creation_date=created or datetime(2026, 1, 15, tzinfo=UTC),
        tags=tags,
    )
    for account in shared_with:
        ami.launch_permissions.append({"UserId": account})
    backend.amis[image_id] = ami
    return image_id


def public_parameter(region: str, name: str, value: str) -> None:
    """An SSM public parameter under /aws/ (PutParameter refuses that path)."""
    parameters = ssm_backends[ACCOUNT][region]._parameters
    parameters[name].append(
        Parameter(
            account_id=ACCOUNT,
            name=name,
            value=value,
            parameter_type="String",
            description=None,
            allowed_pattern=None,
            keyid=None,
            last_modified_date=datetime(2026, 1, 15, tzinfo=UTC),
            version=1,
            data_type="aws:ec2:image",
        )
    )


def own_image(ec2: Any, name: str, *, tags: dict[str, str] | None = None) -> str:
    """An image of this account made the real way: launch an instance, CreateImage."""
    instance_id = ec2.run_instances(ImageId=BASE_AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0][
        "InstanceId"
    ]
    request: dict[str, Any] = {"InstanceId": instance_id, "Name": name, "Description": f"{name} description"}
    if tags:
        request["TagSpecifications"] = [
            {"ResourceType": "image", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.create_image(**request)["ImageId"]


class RequestLog:
    """Records the parameters of every call of one operation (a botocore ``provide-client-params`` hook)."""

    def __init__(self, client: Any, operation: str) -> None:
        self.calls: list[dict[str, Any]] = []
        self._client = client
        self._event = f"provide-client-params.{client.meta.service_model.endpoint_prefix}.{operation}"
        client.meta.events.register(self._event, self._record)

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(dict(params))

    def close(self) -> None:
        self._client.meta.events.unregister(self._event, self._record)


def filters_of(call: dict[str, Any]) -> dict[str, list[str]]:
    return {f["Name"]: f["Values"] for f in call.get("Filters", [])}
