"""Launch form section 2: OS / AMI (Quick Start, My AMIs or any AMI ID)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select

from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    row,
    set_input,
    set_options,
    set_select,
)
from ec2tui.launch.lookups import FULL_AMI_ID
from ec2tui.launch.messages import ImageChosen
from ec2tui.launch.state import (
    FAMILY_LABELS,
    MINE_LOAD_ERROR,
    families,
    image_family,
    image_label,
)

# -- 2. OS / AMI -----------------------------------------------------------------------------------------------


class ImageSection(FormSection):
    TITLE = "OS / AMI"

    def compose(self) -> ComposeResult:
        yield row("Operating system", Select([], prompt="loading Quick Start images…", id="os-family", compact=True))
        yield row(
            "Quick Start AMI", Select([], prompt="choose an operating system first", id="ami-choice", compact=True)
        )
        yield row("My AMIs", Select([], prompt="loading your AMIs…", id="my-ami", compact=True))
        yield row(
            "AMI ID",
            FormInput(
                self.request.image_id,
                placeholder="or paste any AMI ID: ami-0123456789abcdef0",
                id="image-id",
                compact=True,
            ),
        )
        yield FieldMessage("image_id")
        yield Hint(id="ami-info")

    @property
    def family_select(self) -> Select[str]:
        return self.query_one("#os-family", Select)

    @property
    def ami_select(self) -> Select[str]:
        return self.query_one("#ami-choice", Select)

    def facts_changed(self) -> None:
        images = self.state.quickstart
        if images is not None:
            options = [(FAMILY_LABELS[f], f) for f in families(images)]
            set_options(self.family_select, options)
            self.family_select.prompt = (
                "choose an operating system" if options else "no Quick Start images here: paste an AMI ID below"
            )
        self._fill_my_images()
        self.sync_selects()
        self.show_info()

    @property
    def my_select(self) -> Select[str]:
        return self.query_one("#my-ami", Select)

    def _fill_my_images(self) -> None:
        images = self.state.my_images
        if images is None:
            return
        set_options(self.my_select, [(image_label(i), i.id) for i in images])
        if MINE_LOAD_ERROR in self.state.load_errors:
            self.my_select.prompt = f"couldn't list your AMIs ({self.state.load_errors[MINE_LOAD_ERROR]})"
        else:
            self.my_select.prompt = "choose one of your AMIs" if images else "you have no AMIs in this region"

    def load(self) -> None:
        set_input(self.query_one("#image-id", Input), self.request.image_id)
        self.sync_selects()
        self.show_info()

    def _family_images(self, family: str) -> list:
        return [i for i in self.state.quickstart or () if image_family(i) == family]

    def _fill_images(self, family: str) -> None:
        options = [(image_label(i), i.id) for i in self._family_images(family)]
        set_options(self.ami_select, options)
        self.ami_select.prompt = "choose an AMI" if options else "choose an operating system first"

    def sync_selects(self) -> None:
        """Show the request's AMI in the selects when it is a Quick Start one."""
        image = self.state.quickstart_image(self.request.image_id)
        if image is not None:
            family = image_family(image)
            set_select(self.family_select, family)
            self._fill_images(family)
            set_select(self.ami_select, image.id)
        else:
            set_select(self.ami_select, Select.NULL)
        set_select(self.my_select, self.request.image_id if self.state.my_image(self.request.image_id) else Select.NULL)

    def show_info(self) -> None:
        info = self.query_one("#ami-info", Hint)
        image_id = self.request.image_id
        facts = self.state.facts
        if not image_id:
            info.update("Choose an operating system and AMI, or paste an AMI ID.")
        elif facts is not None and facts.image_id == image_id:
            root = f"root {facts.root_device_name or 'device'}"
            if facts.root_volume_size_gib:
                root += f" {facts.root_volume_size_gib} GiB"
            if facts.root_volume_type:
                root += f" {facts.root_volume_type}"
            platform = "Windows" if facts.is_windows else "Linux/UNIX"
            info.update(f"{facts.name or image_id} · {facts.architecture} · {platform} · {root}")
        elif self.state.image_error:
            info.update("")
        elif not FULL_AMI_ID.match(image_id):
            info.update("An AMI ID is ami- followed by 8 or 17 hexadecimal digits.")
        else:
            info.update(f"looking up {image_id}…")

    def choose(self, image_id: str) -> None:
        self.request.image_id = image_id
        set_input(self.query_one("#image-id", Input), image_id)
        self.edited("image_id", ImageChosen)

    @on(Select.Changed, "#os-family")
    def _family(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        family = str(event.value)
        self._fill_images(family)
        current = self.state.quickstart_image(self.request.image_id)
        if current is not None and image_family(current) == family:
            set_select(self.ami_select, current.id)
            return
        images = self._family_images(family)
        if images:
            set_select(self.ami_select, images[0].id)
            self.choose(images[0].id)

    @on(Select.Changed, "#my-ami")
    def _mine(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.request.image_id:
            self.choose(str(event.value))

    @on(Select.Changed, "#ami-choice")
    def _ami(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.request.image_id:
            self.choose(str(event.value))

    @on(Input.Changed, "#image-id")
    def _typed(self, event: Input.Changed) -> None:
        self.request.image_id = event.value.strip()
        self.sync_selects()
        self.edited("image_id", ImageChosen)
