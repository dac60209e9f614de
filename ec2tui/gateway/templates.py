"""Gateway facade for launch templates: the region's templates and versions (cached), saving a template or a new
version (a mutation: refused read-only), and the CLI equivalent (pure: allowed read-only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ec2tui.aws import launch_templates as svc
from ec2tui.aws.models.launch_templates import LaunchTemplate, TemplateVersion
from ec2tui.gateway.core import GatewayCore


class TemplatesApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core

    async def templates(self, region: str, *, refresh: bool = False) -> list[LaunchTemplate]:
        factory = self.core.factory
        return await self.core.cached(
            "launch-templates", None, lambda: svc.list_templates(factory.ec2(region)), region=region, refresh=refresh
        )

    async def versions(self, template_id: str, region: str, *, refresh: bool = False) -> list[TemplateVersion]:
        factory = self.core.factory
        return await self.core.cached(
            "launch-template-versions",
            template_id,
            lambda: svc.list_versions(factory.ec2(region), template_id),
            region=region,
            refresh=refresh,
        )

    async def all_versions(self, region: str, *, refresh: bool = False) -> list[TemplateVersion]:
        """Every version of every template of the region (templates by name, versions newest first)."""
        versions: list[TemplateVersion] = []
        for template in await self.templates(region, refresh=refresh):
            versions += await self.versions(template.template_id, region, refresh=refresh)
        return versions

    async def save(self, params: Mapping[str, Any], region: str) -> TemplateVersion:
        """Create the template or version (see :func:`ec2tui.aws.launch_templates.create_params`)."""
        ec2 = self.core.factory.ec2(region, change=True)
        what = "Create launch template version" if "LaunchTemplateId" in params else "Create launch template"
        return await self.core.mutate(what, svc.save, ec2, dict(params), invalidate=[region])

    def cli_command(self, params: Mapping[str, Any], region: str) -> str:
        return svc.cli_command(params, region)
