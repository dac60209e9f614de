"""The demo AMI seed fills every catalog tab, quickly, with images the service reads back correctly."""

from __future__ import annotations

import boto3
import pytest
from moto.ec2.models import ec2_backends
from moto.ssm.models import ssm_backends

from ec2tui.aws import image_actions as actions
from ec2tui.aws import images as svc
from ec2tui.aws.image_search import community_page, marketplace_page
from ec2tui.aws.models.images import CommunityQuery, ImageCategory
from ec2tui.aws.quickstart import list_quickstart
from ec2tui.demo.seed_images import seed_images
from tests.test_images_helpers import ACCOUNT


def _seed(region: str) -> tuple[object, object]:
    ec2 = boto3.client("ec2", region_name=region)
    ssm = boto3.client("ssm", region_name=region)
    # moto builds a region's backends (and loads its ~1,300 stock AMIs) on first touch: not part of our seed
    ec2_backends[ACCOUNT][region]
    ssm_backends[ACCOUNT][region]
    seed_images(ACCOUNT, region, ec2, ssm)
    return ec2, ssm


@pytest.mark.parametrize("region", ["us-east-1", "ap-southeast-2"])
def test_every_category_is_filled(aws, region):
    ec2, ssm = _seed(region)
    for category in ImageCategory:
        assert svc.list_images(category, ec2, ssm), f"{category.value} is empty in {region}"


def test_quick_start_offers_the_usual_systems(aws):
    ec2, ssm = _seed("us-east-1")
    titles = {i.title for i in list_quickstart(ec2, ssm)}
    for expected in (
        "Amazon Linux 2023 (x86_64)",
        "Amazon Linux 2023 (arm64)",
        "Ubuntu 24.04 LTS (x86_64)",
        "Ubuntu 24.04 LTS (arm64)",
        "Ubuntu 22.04 LTS (x86_64)",
        "Debian 12 (x86_64)",
        "Debian 13 (x86_64)",
        "Windows Server 2022 (x86_64)",
        "Windows Server 2025 (x86_64)",
        "Red Hat Enterprise Linux 9 (x86_64)",
        "SUSE Linux Enterprise Server 15 SP7 (x86_64)",
    ):
        assert expected in titles


def test_catalog_tabs_tell_the_seeded_images_apart(aws):
    ec2, _ = _seed("us-east-1")
    mine = svc.list_mine(ec2)
    shared = [i for i in mine if i.shared_with_me]
    assert {i.owner_id for i in shared} == {"111122223333", "444455556666"}
    assert any(i.name.startswith("web-server-golden-") for i in mine if not i.shared_with_me)
    dates = [i.creation_date for i in mine]
    assert len(set(dates)) == len(dates) and dates == sorted(dates, reverse=True)

    custom = svc.list_custom(ec2)
    assert len(custom) == 4
    assert {i.image_builder for i in custom} == {"web-golden-nightly", "cis-weekly", "windows-monthly"}

    market = marketplace_page(ec2).images
    assert len(market) == 4 and all(i.owner_alias == "aws-marketplace" and i.product_codes for i in market)

    nixos = community_page(ec2, CommunityQuery(text="nixos")).images
    assert {i.architecture for i in nixos} == {"x86_64", "arm64"} and all(i.owner_alias is None for i in nixos)
    ci = community_page(ec2, CommunityQuery(text="docker")).images  # matches the description only
    assert [i.name for i in ci] == ["gitlab-runner-autoscaler-2026"]


def test_seeded_devices_show_in_the_detail_and_are_deleted_with_the_image(aws):
    ec2, _ = _seed("us-east-1")
    db = next(i for i in svc.list_mine(ec2) if i.name.startswith("db-postgres16-"))
    detail = svc.image_detail(ec2, db.id)
    devices = {d.device: d for d in detail.image.block_devices}
    assert devices["/dev/xvda"].size_gib == 20 and devices["/dev/xvda"].encrypted
    assert devices["/dev/sdf"].size_gib == 200 and devices["/dev/sdf"].volume_type == "io2"
    assert detail.launch_permissions is not None and not detail.launch_permissions.public

    ubuntu = community_page(ec2, CommunityQuery(text="noble")).images[0]
    assert any(d.virtual_name == "ephemeral0" for d in ubuntu.block_devices)

    deleted = actions.deregister_image(ec2, db.id, delete_snapshots=True)
    assert set(deleted) == set(db.snapshot_ids) and len(deleted) == 2
    remaining = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert not remaining & set(deleted)


def test_demo_fleet_finds_its_images_by_name(aws):
    ec2, _ = _seed("ap-southeast-2")
    for pattern in ("*ubuntu*24.04*", "debian-12*", "Windows_Server-2022*"):
        found = ec2.describe_images(Filters=[{"Name": "name", "Values": [pattern]}])["Images"]
        assert found and found[0]["Architecture"] == "x86_64", pattern


def test_amazon_linux_is_seeded_when_moto_skips_its_stock_images(aws, monkeypatch):
    # The demo server runs moto without its ~1,300 stock AMIs, yet moto still answers its Amazon Linux parameters.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    ec2, ssm = _seed("eu-west-1")
    by_title = {i.title: i for i in list_quickstart(ec2, ssm)}
    for title in ("Amazon Linux 2023 (x86_64)", "Amazon Linux 2023 (arm64)", "Amazon Linux 2 (x86_64)"):
        assert by_title[title].owner_alias == "amazon", title
    parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == by_title["Amazon Linux 2023 (x86_64)"].id
