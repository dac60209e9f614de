"""Launch templates through boto3: list them and their versions, create a template or a new version, and the
``aws ec2 create-launch-template`` / ``create-launch-template-version`` command for the same call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ec2tui.aws.export_shell import call_args, join_command
from ec2tui.aws.models.launch_templates import (
    LaunchTemplate,
    TemplateVersion,
    template_from_raw,
    version_from_raw,
)


def list_templates(ec2: Any) -> list[LaunchTemplate]:
    """Every launch template of the region, by name."""
    templates = [
        template_from_raw(raw)
        for page in ec2.get_paginator("describe_launch_templates").paginate()
        for raw in page.get("LaunchTemplates", ())
    ]
    return sorted(templates, key=lambda t: t.name.lower())


def list_versions(ec2: Any, template_id: str) -> list[TemplateVersion]:
    """Every version of one template, newest first."""
    versions = [
        version_from_raw(raw)
        for page in ec2.get_paginator("describe_launch_template_versions").paginate(LaunchTemplateId=template_id)
        for raw in page.get("LaunchTemplateVersions", ())
    ]
    return sorted(versions, key=lambda v: -v.number)


def create_params(
    data: Mapping[str, Any], *, name: str = "", template_id: str = "", description: str = ""
) -> dict[str, Any]:
    """CreateLaunchTemplate (``name``) or CreateLaunchTemplateVersion (``template_id``) keyword arguments."""
    params: dict[str, Any] = {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": name}
    if description:
        params["VersionDescription"] = description
    params["LaunchTemplateData"] = dict(data)
    return params


def save(ec2: Any, params: Mapping[str, Any]) -> TemplateVersion:
    """Create the template (or the new version) ``params`` describe; returns the version created."""
    if "LaunchTemplateId" in params:
        raw = ec2.create_launch_template_version(**params)["LaunchTemplateVersion"]
        return version_from_raw(raw)
    template = ec2.create_launch_template(**params)["LaunchTemplate"]
    return TemplateVersion(
        str(template["LaunchTemplateId"]),
        str(template.get("LaunchTemplateName", params.get("LaunchTemplateName", ""))),
        int(template.get("LatestVersionNumber") or 1),
        str(params.get("VersionDescription", "")),
        True,
        dict(params["LaunchTemplateData"]),
        template.get("CreateTime"),
    )


def cli_command(params: Mapping[str, Any], region: str | None = None) -> str:
    """The AWS CLI command making the same call as :func:`save`."""
    operation = "create-launch-template-version" if "LaunchTemplateId" in params else "create-launch-template"
    first = ("LaunchTemplateId", "LaunchTemplateName", "VersionDescription")
    args = call_args(["aws", "ec2", operation], params, first=first)
    if region:
        args += ["--region", region]
    return join_command(args)
