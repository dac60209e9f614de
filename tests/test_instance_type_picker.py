"""The instance type picker modal: locked architecture/offerings, live filters, enter picks, escape cancels."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Checkbox, Input, Static

from ec2tui.aws.instance_types import list_instance_types
from ec2tui.aws.models.instance_types import InstanceStorage, InstanceTypeInfo
from ec2tui.screens.instance_type_picker import InstanceTypePicker, type_row
from ec2tui.widgets.virtual_table import VirtualTable


def info(
    name: str,
    vcpus: int,
    memory_mib: int,
    arch: tuple[str, ...] = ("x86_64",),
    *,
    current: bool = True,
    free: bool = False,
    storage: InstanceStorage | None = None,
) -> InstanceTypeInfo:
    return InstanceTypeInfo(
        name=name,
        vcpus=vcpus,
        memory_mib=memory_mib,
        architectures=arch,
        current_generation=current,
        network_performance="Up to 5 Gigabit",
        free_tier_eligible=free,
        storage=storage,
        root_device_types=("ebs",),
    )


TYPES = [
    info("t2.micro", 1, 1024, ("i386", "x86_64"), current=True, free=True),
    info("t3.micro", 2, 1024, free=True),
    info("t3.large", 2, 8192),
    info("t4g.micro", 2, 1024, ("arm64",), free=True),
    info("m1.large", 2, 7680, current=False),
    info("m5.xlarge", 4, 16384),
    info("m5d.2xlarge", 8, 32768, storage=InstanceStorage(1, 300, "ssd", 300)),
    info("m7g.2xlarge", 8, 32768, ("arm64",)),
    info("c5.4xlarge", 16, 32768),
]


class PickerApp(App[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "ec2tui" / "ec2tui.tcss")

    def __init__(self, picker: InstanceTypePicker) -> None:
        super().__init__()
        self.picker = picker
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.results.append)


def names(app: App[None]) -> list[str]:
    table = app.screen.query_one("#itp-table", VirtualTable)
    return [table.row_text(key)[0] for key in table.row_keys]


def cursor_name(app: App[None]) -> str:
    table = app.screen.query_one("#itp-table", VirtualTable)
    return table.row_text(table.row_keys[table.cursor_row])[0]


def picker(
    types=TYPES, *, offered=None, architecture: str | None = "x86_64", current: str | None = None
) -> InstanceTypePicker:
    return InstanceTypePicker(types, offered=offered, architecture=architecture, current=current)


async def test_architecture_is_locked_and_current_generation_is_the_default():
    app = PickerApp(picker(architecture="x86_64"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert names(app) == ["c5.4xlarge", "m5.xlarge", "m5d.2xlarge", "t2.micro", "t3.micro", "t3.large"]
        scope = str(app.screen.query_one("#itp-scope", Static).render())
        assert "Architecture x86_64 (the AMI's); types of other architectures are not offered." in scope
        assert app.screen.query_one("#itp-current", Checkbox).value is True
        assert app.focused is app.screen.query_one("#itp-text", Input)
        table = app.screen.query_one("#itp-table", VirtualTable)
        row = [str(getattr(c, "plain", c)) for c in table.get_row("m5d.2xlarge")]
        assert row == ["m5d.2xlarge", "8", "32", "x86_64", "Up to 5 Gbit", "1 x 300 GB SSD", ""]
        assert [str(getattr(c, "plain", c)) for c in table.get_row("t3.micro")][-1] == "yes"


async def test_offered_only_and_no_architecture():
    offered = frozenset({"t3.micro", "t4g.micro", "m7g.2xlarge", "m1.large"})
    app = PickerApp(picker(offered=offered, architecture=None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert names(app) == ["m7g.2xlarge", "t3.micro", "t4g.micro"]  # m1.large: previous generation
        scope = str(app.screen.query_one("#itp-scope", Static).render())
        assert "Every architecture" in scope and "4 of 9 types are offered here" in scope


async def test_filters_by_vcpu_memory_family_text_and_checkboxes():
    app = PickerApp(picker())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"micro")
        assert names(app) == ["t2.micro", "t3.micro"]
        await pilot.press(*["backspace"] * 5, "tab", *"4")  # min vCPU
        assert names(app) == ["c5.4xlarge", "m5.xlarge", "m5d.2xlarge"]
        await pilot.press("tab", *"20")  # min GiB
        assert names(app) == ["c5.4xlarge", "m5d.2xlarge"]
        await pilot.press("tab", *"m*")  # family prefix
        assert names(app) == ["m5d.2xlarge"]
        await pilot.press("backspace", "backspace", *"c5")
        assert names(app) == ["c5.4xlarge"]
        footer = str(app.screen.query_one("#itp-footer", Static).render())
        assert footer.startswith("1 of 7 match")  # of the 7 x86_64 types
        # Clear vCPU/GiB/family, then the checkboxes: free tier only, and previous generations too.
        for selector in ("#itp-vcpu", "#itp-mem", "#itp-family"):
            app.screen.query_one(selector, Input).value = ""
        await pilot.pause()
        app.screen.query_one("#itp-family", Input).focus()
        await pilot.press("tab", "tab", "space")  # past "Current gen" to "Free tier", toggle it
        assert app.focused is app.screen.query_one("#itp-free", Checkbox)
        assert app.screen.query_one("#itp-free", Checkbox).value is True
        assert names(app) == ["t2.micro", "t3.micro"]
        await pilot.press("space", "shift+tab", "space")  # free tier off again, current generation off
        assert app.screen.query_one("#itp-current", Checkbox).value is False
        app.screen.query_one("#itp-text", Input).focus()
        await pilot.press(*".large")
        assert names(app) == ["m1.large", "t3.large"]


async def test_current_type_preselected_and_enter_picks_it():
    app = PickerApp(picker(current="m5.xlarge"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert cursor_name(app) == "m5.xlarge"
        await pilot.press("enter")  # from the search input
        await pilot.pause()
        assert app.results == ["m5.xlarge"]
        assert not isinstance(app.screen, InstanceTypePicker)


async def test_previous_generation_current_type_turns_the_filter_off():
    app = PickerApp(picker(current="m1.large"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#itp-current", Checkbox).value is False
        assert cursor_name(app) == "m1.large"


async def test_arrows_in_the_search_move_the_table_and_table_enter_picks():
    app = PickerApp(picker(current="t3.micro"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"t3")
        assert names(app) == ["t3.micro", "t3.large"]
        assert cursor_name(app) == "t3.micro"  # kept while filtering
        await pilot.press("down")
        assert cursor_name(app) == "t3.large"
        # tab through the filters to the table, then enter there
        for _ in range(6):
            await pilot.press("tab")
        assert app.focused is app.screen.query_one("#itp-table", VirtualTable)
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.results == ["t3.micro"]


async def test_escape_cancels_and_enter_with_no_match_stays():
    app = PickerApp(picker())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"zzz", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InstanceTypePicker) and app.results == []
        assert any("No instance type matches" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_filtering_moto_full_list_is_fast(aws):
    import boto3

    types = list_instance_types(boto3.client("ec2", region_name="us-east-1"))
    assert len(types) > 1000
    offered = frozenset(t.name for t in types)
    app = PickerApp(picker(types, offered=offered, architecture="x86_64", current="t3.micro"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InstanceTypePicker)
        everything = len(names(app))
        assert everything > 800 and cursor_name(app) == "t3.micro"
        # A keystroke that rebuilds the table with every row (~860) or most of them still filters correctly;
        # its speed is measured in bench/bench.py, not asserted here.
        search = screen.query_one("#itp-text", Input)
        for value in ("m", "", "x", ""):
            search.value = value
            await pilot.pause()
        assert len(names(app)) == everything
        await pilot.press(*"m7i.")
        await pilot.press("tab", *"8", "tab", *"32")
        shown_names = names(app)
        assert shown_names and all(n.startswith("m7i.") for n in shown_names)
        by_name = {t.name: t for t in types}
        assert all(by_name[n].vcpus >= 8 and by_name[n].memory_gib >= 32 for n in shown_names)
        assert "m7i.2xlarge" in shown_names and "m7i.xlarge" not in shown_names


def test_type_row_formats():
    row = type_row(info("x1.huge", 4, 3840, storage=InstanceStorage(2, 1900, "ssd", 3800)))
    assert [str(getattr(c, "plain", c)) for c in row] == [
        "x1.huge",
        "4",
        "3.75",
        "x86_64",
        "Up to 5 Gbit",
        "2 x 1,900 GB SSD",
        "",
    ]


async def test_q_types_in_the_search_and_closes_the_picker_from_the_table():
    app = PickerApp(picker())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, InstanceTypePicker) and app.results == [], "q typed into the search"
        await pilot.press("backspace", "tab")
        await pilot.pause()
        while not isinstance(app.focused, VirtualTable):
            await pilot.press("tab")
        await pilot.press("q")
        await pilot.pause()
        assert app.results == [None], "q closed the picker like escape, and never reached the app's quit"
