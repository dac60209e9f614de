"""Row data is held by the ten thousand: each model keeps its fields in slots, not a per-object ``__dict__``."""

from __future__ import annotations

import dataclasses

import pytest

from ec2tui.aws.models import iam, images, instance_types, instances, network, regions

ROW_MODELS = [
    cls
    for module in (iam, images, instance_types, instances, network, regions)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
]


def test_every_row_model_is_found() -> None:
    names = {cls.__name__ for cls in ROW_MODELS}
    assert {"Instance", "Image", "InstanceTypeInfo", "Region", "BlockDevice", "Subnet"} <= names


@pytest.mark.parametrize("cls", ROW_MODELS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_model_uses_slots(cls: type) -> None:
    assert "__slots__" in vars(cls)
    assert "__dict__" not in dir(cls), f"{cls.__name__} instances would carry a __dict__ each"


def test_slotted_instance_keeps_fields_and_replace() -> None:
    region = regions.Region(name="eu-west-1", endpoint="ec2.eu-west-1.amazonaws.com", opt_in_status="opted-in")
    assert region.enabled and region.description == ""
    moved = dataclasses.replace(region, opt_in_status="not-opted-in")
    assert not moved.enabled and moved.name == "eu-west-1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        region.name = "x"  # type: ignore[misc]
