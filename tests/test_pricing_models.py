"""Billing platforms from what an AMI reports, and the cost arithmetic, checked by hand."""

from __future__ import annotations

import pytest

from ec2tui.aws.models.pricing import (
    LINUX,
    WINDOWS,
    CostLine,
    EbsPrices,
    VolumeSpec,
    estimate_cost,
    fleet_usd_per_hour,
    platform_for_image,
)

EBS = EbsPrices(
    "us-east-1",
    gb_month={"gp2": 0.10, "gp3": 0.08, "io1": 0.125, "io2": 0.125, "st1": 0.045},
    iops_month={"gp3": 0.005, "io1": 0.065, "io2": 0.065, "io2.tier2": 0.0455, "io2.tier3": 0.03185},
    mibps_month={"gp3": 0.04},
)


@pytest.mark.parametrize(
    ("details", "operation", "os_name", "label"),
    [
        (None, None, "Linux", "Linux/UNIX"),
        ("Linux/UNIX", None, "Linux", "Linux/UNIX"),
        ("Windows", None, "Windows", "Windows"),
        ("Red Hat Enterprise Linux", None, "RHEL", "Red Hat Enterprise Linux"),
        ("SUSE Linux", None, "SUSE", "SUSE Linux"),
        ("Ubuntu Pro", None, "Ubuntu Pro", "Ubuntu Pro"),
        # UsageOperation wins over the wording of PlatformDetails
        ("Windows", "RunInstances:0006", "Windows", "Windows with SQL Server Standard"),
        ("whatever", "RunInstances:0010", "RHEL", "Red Hat Enterprise Linux"),
        ("Windows BYOL", "RunInstances:0800", "Windows", "Windows BYOL"),
        # moto reports SUSE images with the default operation: the details say what it is
        ("SUSE Linux", "RunInstances", "SUSE", "SUSE Linux"),
    ],
)
def test_platform_from_what_the_ami_reports(details, operation, os_name, label):
    platform = platform_for_image(details, operation)
    assert platform is not None
    assert (platform.operating_system, platform.label) == (os_name, label)


def test_platform_the_price_list_cannot_name_is_unknown():
    assert platform_for_image("Some Marketplace OS") is None
    assert platform_for_image("Linux/UNIX", "RunInstances:9999") is None


def test_byol_and_sql_server_filters_differ_from_plain_windows():
    byol = platform_for_image("Windows BYOL")
    sql = platform_for_image("Windows with SQL Server Web")
    assert byol and byol.license_model == "Bring your own license" and byol.spot_description is None
    assert sql and sql.pre_installed_sw == "SQL Web"
    assert WINDOWS.license_model == "No License required" and WINDOWS.pre_installed_sw == "NA"


def test_instances_and_gp3_volume_within_the_free_baseline():
    # 3 x t3.medium at $0.0416/h, each with a 20 GB gp3 root at 3,000 IOPS / 125 MiB/s (all free)
    estimate = estimate_cost(3, 0.0416, [VolumeSpec("gp3", 20, 3000, 125)], EBS, region="us-east-1")
    # by hand: 3 x 0.0416 x 730 = 91.104; 3 x 20 x 0.08 = 4.80
    assert [round(line.usd_per_month, 6) for line in estimate.lines] == [91.104, 4.8]
    assert estimate.usd_per_month == pytest.approx(95.904)
    assert estimate.usd_per_hour == pytest.approx(95.904 / 730)
    assert estimate.complete


def test_gp3_iops_and_throughput_above_the_baseline_are_billed():
    estimate = estimate_cost(2, 0.096, [VolumeSpec("gp3", 100, 6000, 250)], EBS)
    # by hand, per instance: 100 x 0.08 = 8; (6000 - 3000) x 0.005 = 15; (250 - 125) x 0.04 = 5 -> 28
    # two instances: 2 x 28 = 56, plus 2 x 0.096 x 730 = 140.16
    assert estimate.usd_per_month == pytest.approx(196.16)
    assert "gp3 IOPS above 3,000: 3,000" in [line.label for line in estimate.lines]


def test_io1_bills_every_iops_and_io2_is_tiered():
    io1 = estimate_cost(1, None, [VolumeSpec("io1", 50, 1000)], EBS)
    # 50 x 0.125 = 6.25; 1000 x 0.065 = 65
    assert io1.usd_per_month == pytest.approx(71.25)
    io2 = estimate_cost(1, None, [VolumeSpec("io2", 100, 70_000)], EBS)
    # 100 x 0.125 = 12.5; 32,000 x 0.065 = 2080; 32,000 x 0.0455 = 1456; 6,000 x 0.03185 = 191.1
    assert io2.usd_per_month == pytest.approx(12.5 + 2080 + 1456 + 191.1)
    assert io2.missing == ("instance price",) and not io2.complete


def test_several_volumes_and_hdd_without_provisioned_extras():
    estimate = estimate_cost(1, 0.0104, [VolumeSpec("gp2", 8), VolumeSpec("st1", 500)], EBS)
    # 0.0104 x 730 = 7.592; 8 x 0.10 = 0.80; 500 x 0.045 = 22.5
    assert estimate.lines == (
        CostLine("1 instance x $0.0104/h", pytest.approx(7.592)),
        CostLine("gp2 8 GB", pytest.approx(0.8)),
        CostLine("st1 500 GB", 22.5),
    )


def test_missing_prices_are_named_and_the_rest_still_adds_up():
    partial = EbsPrices("us-east-1", gb_month={"gp3": 0.08})
    estimate = estimate_cost(1, 0.0416, [VolumeSpec("gp3", 10, 4000), VolumeSpec("sc1", 10)], partial)
    assert estimate.missing == ("gp3 IOPS above 3,000 price", "sc1 storage price")
    assert estimate.usd_per_month == pytest.approx(0.0416 * 730 + 0.8)
    assert estimate_cost(1, 0.01, [VolumeSpec("gp3", 8)], None).missing == ("gp3 storage price",)


def test_assumptions_are_one_line_naming_the_platform_region_and_baseline():
    text = estimate_cost(1, 0.1, [], EBS, platform="Windows", region="eu-west-1").assumptions
    assert "\n" not in text
    for part in ("Windows", "eu-west-1", "730 h", "3,000", "125 MiB/s", "io2 tiered"):
        assert part in text


def test_fleet_total_counts_unknown_prices_apart():
    total, unknown = fleet_usd_per_hour([0.0416, None, 0.096, 0.096])
    assert total == pytest.approx(0.2336) and unknown == 1


def test_ebs_prices_round_trip_through_json_and_refuse_garbage():
    assert EbsPrices.from_json(EBS.to_json()) == EBS
    with pytest.raises(ValueError):
        EbsPrices.from_json({"region": "x", "gb_month": [], "iops_month": {}, "mibps_month": {}})


def test_linux_is_the_default_platform():
    assert platform_for_image("") is LINUX


def test_spot_product_descriptions_name_platforms():
    from ec2tui.aws.models.pricing import platform_for_spot

    assert platform_for_spot("Linux/UNIX (Amazon VPC)") is LINUX
    assert platform_for_spot("Windows") is WINDOWS
    rhel = platform_for_spot("Red Hat Enterprise Linux")
    assert rhel is not None and rhel.operating_system == "RHEL"
    assert platform_for_spot("Plan 9") is None
