"""ImagesApi: cached reads per region, invalidation after changes, read-only refusal."""

from __future__ import annotations

import boto3
import pytest

from ec2tui.aws.models.images import CommunityQuery, ImageCategory
from ec2tui.errors import ReadOnlyError, ValidationError
from tests.test_images_helpers import ACCOUNT, COMMUNITY_OWNER, RequestLog, foreign_image, own_image

REGION = "us-east-1"


@pytest.fixture
def image_id(ec2):
    return own_image(ec2, "web-server-golden-2026-10")


async def test_list_is_cached_per_region_and_category(gateway, image_id):
    first = await gateway.images.list(ImageCategory.MINE, region="us-east-1")
    again = await gateway.images.list("mine", region="us-east-1")
    assert first == again and [i.id for i in first] == [image_id]
    assert gateway.core.calls["images"] == 1
    await gateway.images.list(ImageCategory.MINE, region="eu-west-1")
    await gateway.images.list(ImageCategory.CUSTOM, region="us-east-1")
    assert gateway.core.calls["images"] == 3
    await gateway.images.list(ImageCategory.MINE, refresh=True, region="us-east-1")
    assert gateway.core.calls["images"] == 4


async def test_a_change_invalidates_the_list_without_refresh(gateway, image_id):
    assert [i.id for i in await gateway.images.list(ImageCategory.MINE, region="us-east-1")] == [image_id]
    detail = await gateway.images.detail(image_id, region="us-east-1")
    deleted = await gateway.images.deregister(image_id, delete_snapshots=True, region="us-east-1")
    assert deleted == detail.image.snapshot_ids
    assert await gateway.images.list(ImageCategory.MINE, region="us-east-1") == ()


async def test_sharing_shows_in_the_detail_without_refresh(gateway, image_id):
    before = await gateway.images.detail(image_id, region="us-east-1")
    assert before.launch_permissions is not None and not before.launch_permissions.shared
    result = await gateway.images.set_launch_permissions(
        image_id, add_account_ids=[COMMUNITY_OWNER], region="us-east-1"
    )
    assert result.account_ids == (COMMUNITY_OWNER,)
    after = await gateway.images.detail(image_id, region="us-east-1")
    assert after.launch_permissions.account_ids == (COMMUNITY_OWNER,)


async def test_copy_invalidates_the_destination_region(gateway, image_id):
    assert await gateway.images.list(ImageCategory.MINE, region="eu-west-1") == ()
    new_id = await gateway.images.copy_image(REGION, image_id, "web-golden-eu", dest_region="eu-west-1")
    copied = await gateway.images.list(ImageCategory.MINE, region="eu-west-1")
    assert [i.id for i in copied] == [new_id] and copied[0].region == "eu-west-1"


async def test_create_image_invalidates_the_region(gateway, ec2):
    assert await gateway.images.list(ImageCategory.MINE, region="us-east-1") == ()
    instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    new_id = await gateway.images.create_image(instance_id, "fresh-image", no_reboot=True, region="us-east-1")
    assert [i.id for i in await gateway.images.list(ImageCategory.MINE, region="us-east-1")] == [new_id]


async def test_community_pages_through_the_gateway(gateway, ec2):
    for n in range(8):
        foreign_image(REGION, f"tool-{n}", owner=COMMUNITY_OWNER, public=True)
    query = CommunityQuery(text="tool")
    first = await gateway.images.community_page(query, page_size=6, region="us-east-1")
    second = await gateway.images.community_page(query, first.next_token, page_size=6, region="us-east-1")
    assert len(first.images) == 6 and len(second.images) == 2 and second.next_token is None
    assert {i.name for i in first.images + second.images} == {f"tool-{n}" for n in range(8)}
    assert await gateway.images.community_page(query, page_size=6, region="us-east-1") == first  # cached
    assert gateway.core.calls["images-community"] == 2


async def test_paging_a_server_that_ignores_max_results_downloads_its_answer_once(gateway, image_id):
    for n in range(20):
        foreign_image(REGION, f"tool-{n:02d}", owner=COMMUNITY_OWNER, public=True)
    search_client = gateway.core.factory.ec2(REGION, search=True)
    # Patient enough for moto's 50,000-image answer (~30 s): a read timeout would only make it start over.
    assert search_client.meta.config.read_timeout >= 300 and gateway.core.factory.ec2(REGION) is not search_client
    requests = RequestLog(search_client, "DescribeImages")

    async def every_page(refresh: bool = False) -> list[str]:
        pages = [await gateway.images.community_page(page_size=6, refresh=refresh, region="us-east-1")]
        while pages[-1].next_token:
            pages.append(
                await gateway.images.community_page(next_token=pages[-1].next_token, page_size=6, region="us-east-1")
            )
        return [i.id for page in pages for i in page.images]

    try:
        ids = await every_page()
        assert len(ids) == len(set(ids)) == 20 and len(requests.calls) == 1
        await every_page(refresh=True)
        assert len(requests.calls) == 2, "a refresh asks the server again"
        await gateway.images.set_launch_permissions(image_id, public=True, region="us-east-1")
        assert image_id in await every_page(), "a change is seen at once: the kept answer was dropped"
        assert len(requests.calls) == 3
    finally:
        requests.close()


async def test_read_only_gateway_refuses_every_change(read_only_gateway, ec2, image_id):
    gw = read_only_gateway
    instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    changes = [
        gw.images.copy_image(REGION, image_id, "copy", dest_region="eu-west-1"),
        gw.images.create_image(instance_id, "new-image", stop_first=True, region="us-east-1"),
        gw.images.set_launch_permissions(image_id, public=True, region="us-east-1"),
        gw.images.deregister(image_id, delete_snapshots=True, region="us-east-1"),
    ]
    for change in changes:
        with pytest.raises(ReadOnlyError):
            await change
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["Public"] is False
    assert [i.id for i in await gw.images.list(ImageCategory.MINE, region="us-east-1")] == [image_id]
    assert boto3.client("ec2", region_name="eu-west-1").describe_images(Owners=[ACCOUNT])["Images"] == []
    state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state == "running"


async def test_bad_input_comes_back_as_validation_error(gateway):
    with pytest.raises(ValidationError):
        await gateway.images.list("everything", region="us-east-1")
    with pytest.raises(ValidationError) as info:
        await gateway.images.detail("ami-nope", region="us-east-1")
    assert info.value.field == "image_id"
