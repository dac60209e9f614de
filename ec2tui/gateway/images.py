"""Gateway facade for the AMI catalog: cached per-region reads, paged public searches, and image changes."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import TypeVar

from ec2tui.aws import heap
from ec2tui.aws import image_actions as actions
from ec2tui.aws import image_search as search
from ec2tui.aws import images as svc
from ec2tui.aws.image_parsing import ImageProgress
from ec2tui.aws.models.images import CommunityQuery, Image, ImageCategory, ImageDetail, ImagePage, LaunchPermissions
from ec2tui.gateway.core import GatewayCore, on_event_loop

T = TypeVar("T")

IMAGES_TTL = 300.0
"""Seconds a catalog tab stays cached: images change rarely, and our own changes invalidate the cache anyway."""


class ImagesApi:
    def __init__(self, core: GatewayCore) -> None:
        self.core = core
        self.oversized = search.OversizedAnswers(ttl=IMAGES_TTL)
        """Whole answers from a server that ignores paging (moto), so its later pages need no new download."""

    def _region(self, region: str | None) -> str:
        return self.core.region_of(region)

    # -- reads ---------------------------------------------------------------------------------------------------
    async def list(
        self,
        category: ImageCategory | str,
        region: str | None = None,
        *,
        refresh: bool = False,
        on_batch: Callable[[builtins.list[Image]], object] | None = None,
    ) -> tuple[Image, ...]:
        """One catalog tab (``ImageCategory`` or its command word); Marketplace/Community give their first page.

        For the tabs listed whole from ``describe_images`` (My AMIs, Custom: ``svc.STREAMED_CATEGORIES``),
        ``on_batch`` is called on the event loop with images as they are parsed in the worker thread (a page's, or a
        thousand of one huge answer's), when this call asks AWS; every batch lands before this returns. The whole
        list (newest first, with what came in no batch: the images shared with the account) is what it returns and
        what the cache keeps. A cached answer, or one shared with a load already under way, comes whole.
        """
        category = category if isinstance(category, ImageCategory) else ImageCategory.parse(category)
        region = self._region(region)
        factory = self.core.factory
        batch_arrived = None
        if on_batch is not None and category in svc.STREAMED_CATEGORIES:
            batch_arrived = on_event_loop(on_batch)

        def loader() -> tuple[Image, ...]:
            ec2, ssm = factory.ec2(region), factory.client("ssm", region)
            images = tuple(svc.list_images(category, ec2, ssm, batch_arrived))
            heap.after_big_answer(len(images))  # the pages' buffers are garbage now
            return images

        return await self.core.cached(
            "images",
            category.value,
            loader,
            region=region,
            refresh=refresh,
            ttl=IMAGES_TTL,
        )

    async def community_page(
        self,
        query: CommunityQuery | None = None,
        next_token: str | None = None,
        region: str | None = None,
        *,
        page_size: int = search.DEFAULT_PAGE_SIZE,
        refresh: bool = False,
    ) -> ImagePage:
        """One page of the community search; pass the page's ``next_token`` back for the next one."""
        return await self._page(
            "images-community", search.community_page, query, next_token, region, page_size, refresh
        )

    async def marketplace_page(
        self,
        query: CommunityQuery | None = None,
        next_token: str | None = None,
        region: str | None = None,
        *,
        page_size: int = search.DEFAULT_PAGE_SIZE,
        refresh: bool = False,
    ) -> ImagePage:
        """One page of the Marketplace search (``query.owner`` must be empty)."""
        return await self._page(
            "images-marketplace", search.marketplace_page, query, next_token, region, page_size, refresh
        )

    async def _page(
        self,
        kind: str,
        fetch: Callable[..., ImagePage],
        query: CommunityQuery | None,
        next_token: str | None,
        region: str | None,
        page_size: int,
        refresh: bool,
    ) -> ImagePage:
        region = self._region(region)
        query = query or CommunityQuery()
        factory = self.core.factory
        if refresh:
            self.oversized.clear()
        return await self.core.cached(
            kind,
            (query, next_token, page_size),
            lambda: fetch(factory.ec2(region, search=True), query, next_token, page_size, self.oversized),
            region=region,
            refresh=refresh,
            ttl=IMAGES_TTL,
        )

    async def detail(self, image_id: str, region: str | None = None, *, refresh: bool = False) -> ImageDetail:
        region = self._region(region)
        factory = self.core.factory
        return await self.core.cached(
            "image-detail",
            image_id,
            lambda: svc.image_detail(factory.ec2(region), image_id),
            region=region,
            refresh=refresh,
            ttl=IMAGES_TTL,
        )

    async def progress(self, image_id: str, region: str | None = None) -> ImageProgress:
        """Where a new image stands, asked afresh each time (never cached: it is polled until it is finished).
        Once it is, the region's cached reads are dropped, so My AMIs shows it as it is now."""
        region = self._region(region)
        factory = self.core.factory
        progress = await self.core.run(svc.image_progress, factory.ec2(region), image_id)
        if progress.finished:
            await self.core.invalidate(region)
        return progress

    # -- changes (refused in read-only mode; each invalidates the regions it touches) ------------------------------
    async def _mutate(self, action: str, fn: Callable[[], T], *, invalidate: builtins.list[str]) -> T:
        try:
            return await self.core.mutate(action, fn, invalidate=invalidate)
        finally:
            self.oversized.clear()  # a public image may have come or gone

    async def copy_image(
        self, source_region: str, image_id: str, name: str, description: str = "", dest_region: str | None = None
    ) -> str:
        """Copy ``image_id`` from ``source_region`` into ``dest_region`` (default: the current one); the new ID."""
        dest = self._region(dest_region)
        factory = self.core.factory
        return await self._mutate(
            "Copy image",
            lambda: actions.copy_image(factory.ec2(dest, change=True), source_region, image_id, name, description),
            invalidate=[dest, source_region],
        )

    async def create_image(
        self,
        instance_id: str,
        name: str,
        description: str = "",
        region: str | None = None,
        *,
        no_reboot: bool = False,
        stop_first: bool = False,
    ) -> str:
        """Create an image from an instance (optionally stopping it first and waiting); the new image ID."""
        region = self._region(region)
        factory = self.core.factory
        return await self._mutate(
            "Create image",
            lambda: actions.create_image_from_instance(
                factory.ec2(region, change=True),
                instance_id,
                name,
                description,
                no_reboot=no_reboot,
                stop_first=stop_first,
            ),
            invalidate=[region],
        )

    async def set_launch_permissions(
        self,
        image_id: str,
        region: str | None = None,
        *,
        add_account_ids: Iterable[str] = (),
        remove_account_ids: Iterable[str] = (),
        public: bool | None = None,
    ) -> LaunchPermissions:
        """Share/unshare with accounts, make public (True) or private (False); the permissions afterwards."""
        region = self._region(region)
        factory = self.core.factory
        add, remove = list(add_account_ids), list(remove_account_ids)
        action = "Make image public" if public else "Change image sharing"
        return await self._mutate(
            action,
            lambda: actions.set_launch_permissions(
                factory.ec2(region, change=True),
                image_id,
                add_account_ids=add,
                remove_account_ids=remove,
                public=public,
            ),
            invalidate=[region],
        )

    async def deregister(
        self, image_id: str, region: str | None = None, *, delete_snapshots: bool = False
    ) -> tuple[str, ...]:
        """Deregister an image (and delete its snapshots when asked); the deleted snapshot IDs."""
        region = self._region(region)
        factory = self.core.factory
        return await self._mutate(
            "Deregister image and delete snapshots" if delete_snapshots else "Deregister image",
            lambda: actions.deregister_image(factory.ec2(region, change=True), image_id, delete_snapshots),
            invalidate=[region],
        )
