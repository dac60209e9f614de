"""The demo's launch templates: a web server template with two versions and a small bastion template per region,
built from the region's seeded images, subnets, groups and key pairs."""

from __future__ import annotations

import base64
from typing import Any

WEB_USER_DATA = "#!/bin/bash\ndnf install -y nginx\nsystemctl enable --now nginx\n"


def _tags(name: str, **more: str) -> list[dict[str, Any]]:
    tags = [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in more.items())]
    return [{"ResourceType": "instance", "Tags": tags}]


def seed_templates(ec2: Any, images: dict[str, str], subnets: dict[str, str], groups: dict[str, str]) -> None:
    image = images["al2023"]
    web = {
        "ImageId": image,
        "InstanceType": "t3.small",
        "KeyName": "ops-2026",
        "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnets["public"], "Groups": [groups["web"]]}],
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 16, "VolumeType": "gp3"}}],
        "TagSpecifications": _tags("web", tier="web", env="prod"),
        "UserData": base64.b64encode(WEB_USER_DATA.encode()).decode(),
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
    }
    template = ec2.create_launch_template(
        LaunchTemplateName="web-server", VersionDescription="nginx on Amazon Linux 2023", LaunchTemplateData=web
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template,
        VersionDescription="bigger: t3.medium, 32 GiB",
        LaunchTemplateData={
            **web,
            "InstanceType": "t3.medium",
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 32, "VolumeType": "gp3"}}],
        },
    )
    ec2.create_launch_template(
        LaunchTemplateName="bastion",
        VersionDescription="SSH jump host",
        LaunchTemplateData={
            "ImageId": image,
            "InstanceType": "t3.nano",
            "KeyName": "ops-2026",
            "SecurityGroupIds": [groups["web"]],
            "TagSpecifications": _tags("bastion", tier="ops"),
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
        },
    )
