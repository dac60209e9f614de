"""Launch form section: storage (root volume, extra EBS volumes, the instance store the type brings)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select

from ec2tui.aws.models.launch import VOLUME_TYPES, VolumeSpec
from ec2tui.aws.models.launch_validation import GP3_DEFAULT_IOPS, IOPS_LIMITS, NOT_BOOTABLE, THROUGHPUT_LIMITS
from ec2tui.deferred import deferred
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    RowList,
    ancestor,
    rows_match,
    set_checkbox,
    set_input,
    set_select,
)
from ec2tui.launch.state import int_text, next_device_name, parse_int
from ec2tui.widgets.check import Check

IOPS_TYPES = frozenset(IOPS_LIMITS)
THROUGHPUT_TYPES = frozenset({"gp3"})
NEW_VOLUME_SIZE = 8
VOLUME_NUMBERS = {"vol-size": "size_gib", "vol-iops": "iops", "vol-throughput": "throughput"}
"""Input class -> the VolumeSpec number it edits."""


class VolumeRow(Vertical):
    """One EBS volume: the root one (``index`` None, device from the AMI) or an extra one."""

    def __init__(self, index: int | None, volume: VolumeSpec) -> None:
        super().__init__(classes="volume-row list-row")
        self.index, self.volume = index, volume

    @property
    def path(self) -> str:
        return "root_volume" if self.index is None else f"volumes[{self.index}]"

    def compose(self) -> ComposeResult:
        volume = self.volume
        root = self.index is None
        types = [t for t in VOLUME_TYPES if not (root and t in NOT_BOOTABLE)]
        with Horizontal(classes="row-fields"):
            if root:
                yield Label(f"Root {volume.device_name or '(from the AMI)'}", classes="vol-device-label")
            else:
                yield FormInput(volume.device_name, placeholder="/dev/sdf", classes="vol-device", compact=True)
            yield Label("Size", classes="inline-label")
            yield FormInput(int_text(volume.size_gib), placeholder="GiB", classes="vol-size short", compact=True)
            yield Label("GiB  Type", classes="inline-label")
            yield Select(
                [(t, t) for t in types], allow_blank=False, value=volume.volume_type, classes="vol-type", compact=True
            )
            yield Label("IOPS", classes="inline-label")
            yield FormInput(int_text(volume.iops), classes="vol-iops short", compact=True)
            yield Label("MiB/s", classes="inline-label vol-throughput-label")
            yield FormInput(int_text(volume.throughput), classes="vol-throughput short", compact=True)
        with Horizontal(classes="row-fields"):
            yield Label("", classes="vol-indent")
            yield Check("Encrypted", volume.encrypted, classes="vol-encrypted", compact=True)
            yield Check("Delete on termination", volume.delete_on_termination, classes="vol-delete", compact=True)
            if not root:
                yield Button("✕ Remove volume", classes="remove-row", compact=True)
        yield FieldMessage(self.path)

    def on_mount(self) -> None:
        self.show_type_fields()

    def show_type_fields(self) -> None:
        vtype = self.volume.volume_type
        iops = self.query_one(".vol-iops", Input)
        throughput = self.query_one(".vol-throughput", Input)
        iops.disabled = vtype not in IOPS_TYPES
        throughput.disabled = vtype not in THROUGHPUT_TYPES
        # Only gp3 has a throughput setting: the field and its label show for it alone (io2 has none).
        throughput.display = vtype in THROUGHPUT_TYPES
        self.query_one(".vol-throughput-label", Label).display = vtype in THROUGHPUT_TYPES
        if vtype == "gp3":
            iops.placeholder = str(GP3_DEFAULT_IOPS)
        elif vtype in IOPS_TYPES:
            low, high = IOPS_LIMITS[vtype]
            iops.placeholder = f"{low}-{high}"
        else:
            iops.placeholder = "n/a"
        throughput.placeholder = str(THROUGHPUT_LIMITS[0]) if vtype in THROUGHPUT_TYPES else "n/a"

    def load(self) -> None:
        volume = self.volume
        if not self.query(".vol-size"):
            return  # still mounting: it composes from ``self.volume`` itself
        if self.index is None:
            self.query_one(".vol-device-label", Label).update(f"Root {volume.device_name or '(from the AMI)'}")
        else:
            set_input(self.query_one(".vol-device", Input), volume.device_name)
        set_input(self.query_one(".vol-size", Input), int_text(volume.size_gib))
        set_select(self.query_one(".vol-type", Select), volume.volume_type)
        if volume.iops is not None or not self.query_one(".vol-iops", Input).disabled:
            set_input(self.query_one(".vol-iops", Input), int_text(volume.iops))
        if volume.throughput is not None or not self.query_one(".vol-throughput", Input).disabled:
            set_input(self.query_one(".vol-throughput", Input), int_text(volume.throughput))
        set_checkbox(self.query_one(".vol-encrypted", Checkbox), volume.encrypted)
        set_checkbox(self.query_one(".vol-delete", Checkbox), volume.delete_on_termination)
        self.show_type_fields()


class StorageSection(FormSection):
    TITLE = "Storage"

    def compose(self) -> ComposeResult:
        yield VolumeRow(None, self.request.root_volume)
        yield RowList(*self._rows(), id="volume-rows")
        yield Button("+ Add EBS volume", id="add-volume", compact=True)
        yield FieldMessage("volumes")
        yield Hint(id="instance-store")

    def _rows(self) -> list[VolumeRow]:
        return [VolumeRow(i, v) for i, v in enumerate(self.request.volumes)]

    async def sync_rows(self) -> None:
        await self.query_one("#volume-rows", RowList).sync(self._rows, self.request.volumes, "volume")

    async def _rebuild(self, focus_index: int | None = None) -> None:
        def extra_volumes() -> list[VolumeRow]:
            return [r for r in self.query(VolumeRow) if r.index is not None]  # the root volume's row has no index

        await self.rebuild_rows(focus_index, extra_volumes, ".vol-device", "#add-volume")

    @property
    def root_row(self) -> VolumeRow:
        return next(r for r in self.query(VolumeRow) if r.index is None)

    def load(self) -> None:
        root = self.root_row
        root.volume = self.request.root_volume
        root.load()
        facts = self.state.facts
        size = root.query_one(".vol-size", Input)
        size.placeholder = str(facts.root_volume_size_gib) if facts and facts.root_volume_size_gib else "GiB"
        extra = [r for r in self.query(VolumeRow) if r.index is not None]
        if not rows_match(extra, self.request.volumes, "volume"):
            self.run_worker(deferred(self.sync_rows), exit_on_error=False)
        else:
            for volume_row in extra:
                volume_row.load()
        self.show_instance_store()

    def facts_changed(self) -> None:
        self.show_instance_store()

    def show_instance_store(self) -> None:
        hint = self.query_one("#instance-store", Hint)
        info = self.state.type_info()
        if info is None:
            hint.update("Instance store: depends on the instance type.")
        elif info.storage is None:
            hint.update(f"Instance store: none ({info.name} is EBS-only).")
        else:
            storage = info.storage
            hint.update(
                f"Instance store: {info.name} brings {storage.count} x {storage.size_gb:,} GB "
                f"{storage.disk_type.upper()} ({storage.total_gb:,} GB), included in its price; "
                "its data is lost when the instance stops."
            )

    def _volume_of(self, widget: Widget) -> VolumeRow | None:
        found = ancestor(widget, VolumeRow)
        return found if isinstance(found, VolumeRow) else None

    def _changed(self, volume_row: VolumeRow) -> None:
        if volume_row.index is None:
            self.state.touched.add("root_volume")
        self.edited(volume_row.path)

    @on(Input.Changed, ".vol-device, .vol-size, .vol-iops, .vol-throughput")
    def _field(self, event: Input.Changed) -> None:
        volume_row = self._volume_of(event.input)
        if volume_row is None:
            return
        volume, field = volume_row.volume, event.input
        value: str | int | None
        if field.has_class("vol-device"):
            attribute, value = "device_name", event.value.strip()
        else:
            attribute = next(a for c, a in VOLUME_NUMBERS.items() if field.has_class(c))
            value = parse_int(event.value) if not field.disabled else None
        if getattr(volume, attribute) != value:
            setattr(volume, attribute, value)
            self._changed(volume_row)

    @on(Select.Changed, ".vol-type")
    def _type(self, event: Select.Changed) -> None:
        volume_row = self._volume_of(event.select)
        if volume_row is None or event.value is Select.NULL or event.value == volume_row.volume.volume_type:
            return
        volume = volume_row.volume
        volume.volume_type = str(event.value)
        volume_row.show_type_fields()
        # Only what the new type allows is sent; the text typed stays in the (disabled) fields for a switch back.
        iops, throughput = volume_row.query_one(".vol-iops", Input), volume_row.query_one(".vol-throughput", Input)
        volume.iops = parse_int(iops.value) if not iops.disabled else None  # type: ignore[assignment]
        volume.throughput = parse_int(throughput.value) if not throughput.disabled else None  # type: ignore[assignment]
        self._changed(volume_row)

    @on(Checkbox.Changed, ".vol-encrypted, .vol-delete")
    def _flag(self, event: Checkbox.Changed) -> None:
        volume_row = self._volume_of(event.checkbox)
        if volume_row is None:
            return
        attribute = "encrypted" if event.checkbox.has_class("vol-encrypted") else "delete_on_termination"
        if getattr(volume_row.volume, attribute) != event.value:
            setattr(volume_row.volume, attribute, event.value)
            self._changed(volume_row)

    @on(Button.Pressed, "#add-volume")
    async def add_volume(self) -> None:
        self.request.volumes.append(VolumeSpec(next_device_name(self.request), NEW_VOLUME_SIZE, "gp3"))
        await self._rebuild(len(self.request.volumes) - 1)
        self.edited("volumes")

    @on(Button.Pressed, ".volume-row .remove-row")
    async def _remove(self, event: Button.Pressed) -> None:
        volume_row = self._volume_of(event.button)
        if volume_row is None or volume_row.index is None or volume_row.index >= len(self.request.volumes):
            return
        del self.request.volumes[volume_row.index]
        await self._rebuild(min(volume_row.index, len(self.request.volumes) - 1))
        self.edited("volumes")
