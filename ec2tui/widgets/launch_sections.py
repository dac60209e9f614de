"""Launch form sections: name and tags, OS / AMI, instance type, key pair, user data and count.

Network, security groups and storage live in :mod:`ec2tui.widgets.launch_network` and
:mod:`ec2tui.widgets.launch_storage`. Each section edits ``state.request`` in place and posts ``FormEdited``.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select

from ec2tui.aws.models.launch import KeyPairSpec, Tag
from ec2tui.aws.models.launch_validation import key_file_path
from ec2tui.aws.user_data import USER_DATA_LIMIT, user_data_size
from ec2tui.formatting import format_memory, format_storage
from ec2tui.screens.launch_state import (
    FAMILY_LABELS,
    KEYS_LOAD_ERROR,
    families,
    image_family,
    image_label,
    int_text,
    parse_int,
)
from ec2tui.widgets.launch_fields import (
    FieldMessage,
    FormSection,
    Hint,
    RowList,
    row,
    rows_match,
    set_input,
    set_options,
    set_select,
)
from ec2tui.widgets.user_data_editor import UserDataEditor


def ancestor(widget: Widget, kind: type[Widget]) -> Widget | None:
    node = widget.parent
    while node is not None and not isinstance(node, kind):
        node = node.parent
    return node if isinstance(node, Widget) else None


# -- 1. name and tags ------------------------------------------------------------------------------------------


class TagRow(Vertical):
    def __init__(self, index: int, tag: Tag) -> None:
        super().__init__(classes="tag-row list-row")
        self.index, self.tag = index, tag

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row-fields"):
            yield Input(self.tag.key, placeholder="key", classes="tag-key", compact=True)
            yield Input(self.tag.value, placeholder="value", classes="tag-value", compact=True)
            yield Button("✕", classes="remove-row", compact=True, tooltip="Remove this tag")
        yield FieldMessage(f"tags[{self.index}]")


class NameSection(FormSection):
    TITLE = "Name and tags"

    def compose(self) -> ComposeResult:
        yield row("Name", Input(self.request.name, placeholder="e.g. web-server-1", id="name", compact=True))
        yield FieldMessage("name")
        with Horizontal(classes="field-row tall-row"):
            yield Label("Tags", classes="field-label")
            with Vertical(classes="row-column"):
                yield RowList(*self._rows(), id="tag-rows")
                yield Button("+ Add tag", id="add-tag", compact=True)
        yield FieldMessage("tags")

    def _rows(self) -> list[TagRow]:
        return [TagRow(i, tag) for i, tag in enumerate(self.request.tags)]

    async def _rebuild(self, focus_index: int | None = None) -> None:
        await self.rebuild_rows(focus_index, lambda: list(self.query(TagRow)), ".tag-key", "#add-tag")

    def load(self) -> None:
        set_input(self.query_one("#name", Input), self.request.name)
        if not rows_match(list(self.query(TagRow)), self.request.tags, "tag"):
            self.run_worker(self.sync_rows(), exit_on_error=False)

    async def sync_rows(self) -> None:
        await self.query_one("#tag-rows", RowList).sync(self._rows, self.request.tags, "tag")

    @on(Input.Changed, "#name")
    def _name(self, event: Input.Changed) -> None:
        if event.value == self.request.name:
            return
        self.request.name = event.value
        self.edited("name")

    @on(Input.Changed, ".tag-key, .tag-value")
    def _tag(self, event: Input.Changed) -> None:
        tag_row = ancestor(event.input, TagRow)
        if isinstance(tag_row, TagRow) and tag_row.index < len(self.request.tags):
            tag = self.request.tags[tag_row.index]
            attribute = "key" if event.input.has_class("tag-key") else "value"
            if getattr(tag, attribute) != event.value:
                setattr(tag, attribute, event.value)
                self.edited("tags")

    @on(Button.Pressed, "#add-tag")
    async def add_tag(self) -> None:
        self.request.tags.append(Tag())
        await self._rebuild(len(self.request.tags) - 1)
        self.edited("tags")

    @on(Button.Pressed, ".tag-row .remove-row")
    async def _remove(self, event: Button.Pressed) -> None:
        tag_row = ancestor(event.button, TagRow)
        if isinstance(tag_row, TagRow) and tag_row.index < len(self.request.tags):
            del self.request.tags[tag_row.index]
            await self._rebuild(min(tag_row.index, len(self.request.tags) - 1))
            self.edited("tags")


# -- 2. OS / AMI -----------------------------------------------------------------------------------------------


class ImageSection(FormSection):
    TITLE = "OS / AMI"

    def compose(self) -> ComposeResult:
        yield row("Operating system", Select([], prompt="loading Quick Start images…", id="os-family", compact=True))
        yield row(
            "Quick Start AMI", Select([], prompt="choose an operating system first", id="ami-choice", compact=True)
        )
        yield row(
            "AMI ID",
            Input(
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
        self.sync_selects()
        self.show_info()

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
        else:
            info.update(f"looking up {image_id}…")

    def choose(self, image_id: str) -> None:
        self.request.image_id = image_id
        set_input(self.query_one("#image-id", Input), image_id)
        self.edited("image_id")

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

    @on(Select.Changed, "#ami-choice")
    def _ami(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.request.image_id:
            self.choose(str(event.value))

    @on(Input.Changed, "#image-id")
    def _typed(self, event: Input.Changed) -> None:
        self.request.image_id = event.value.strip()
        self.sync_selects()
        self.edited("image_id")


# -- 3. instance type ------------------------------------------------------------------------------------------


class TypeSection(FormSection):
    TITLE = "Instance type"

    def compose(self) -> ComposeResult:
        yield row(
            "Instance type",
            Input(self.request.instance_type, placeholder="e.g. t3.micro", id="instance-type", compact=True),
            Button("Browse types…", id="pick-type", action="screen.pick_type", compact=True),
        )
        yield FieldMessage("instance_type")
        yield Hint(id="type-info")

    def load(self) -> None:
        set_input(self.query_one("#instance-type", Input), self.request.instance_type)
        self.show_info()

    def facts_changed(self) -> None:
        field = self.query_one("#instance-type", Input)
        if self.state.types and field.suggester is None:
            field.suggester = SuggestFromList([t.name for t in self.state.types])
        self.show_info()

    def show_info(self) -> None:
        hint = self.query_one("#type-info", Hint)
        if "types" in self.state.load_errors:
            hint.update(f"Could not load instance types: {self.state.load_errors['types']} (ctrl+r retries)")
            return
        if self.state.types is None:
            hint.update("loading instance types (the first time takes a few seconds)…")
            return
        info = self.state.type_info()
        if info is None:
            hint.update("Type a name, or Browse types… to filter by vCPU, memory and family.")
            return
        parts = [
            f"{info.vcpus} vCPU",
            f"{format_memory(info.memory_gib)} GiB memory",
            f"network {info.network_performance}",
            "/".join(info.architectures),
            "instance store " + format_storage(info) if info.storage else "EBS only",
        ]
        if info.burstable:
            parts.append("burstable")
        if info.free_tier_eligible:
            parts.append("free tier eligible")
        hint.update(" · ".join(parts))

    @on(Input.Changed, "#instance-type")
    def _typed(self, event: Input.Changed) -> None:
        if event.value.strip() == self.request.instance_type:
            return
        self.request.instance_type = event.value.strip()
        self.state.touched.add("instance_type")
        self.show_info()
        self.edited("instance_type")

    def set_type(self, name: str, *, by_user: bool = True) -> None:
        self.request.instance_type = name
        if by_user:
            self.state.touched.add("instance_type")
        set_input(self.query_one("#instance-type", Input), name)
        self.show_info()
        self.edited("instance_type")


# -- 4. key pair -----------------------------------------------------------------------------------------------

KEY_CHOICE_OPTIONS = [
    ("Use an existing key pair", "existing"),
    ("Create a new key pair", "new"),
    ("Proceed without a key pair (not recommended)", "none"),
]
KEY_TYPE_OPTIONS = [("ED25519 (not for Windows)", "ed25519"), ("RSA 2048", "rsa")]


class KeySection(FormSection):
    TITLE = "Key pair (login)"

    def compose(self) -> ComposeResult:
        key = self.request.key_pair
        yield row(
            "Key pair",
            Select(KEY_CHOICE_OPTIONS, allow_blank=False, value=key.choice, id="key-choice", compact=True),
        )
        with Vertical(id="key-existing", classes="sub-form"):
            yield row(
                "Key pair name", Select([], prompt="loading key pairs…", id="key-name", compact=True), id="key-name-row"
            )
            yield row(
                "Key pair name",
                Input(
                    key.name if key.choice == "existing" else "",
                    placeholder="the name of a key pair in this region",
                    id="key-name-typed",
                    compact=True,
                ),
                id="key-name-typed-row",
            )
            yield FieldMessage("key_pair.name")
            yield Hint(id="key-name-hint")
        with Vertical(id="key-new", classes="sub-form"):
            yield row(
                "New key name",
                Input(
                    key.name if key.choice == "new" else "",
                    placeholder="e.g. my-laptop",
                    id="key-new-name",
                    compact=True,
                ),
            )
            yield FieldMessage("key_pair.name")
            yield row(
                "Key type",
                Select(KEY_TYPE_OPTIONS, allow_blank=False, value=key.key_type, id="key-type", compact=True),
            )
            yield FieldMessage("key_pair.key_type")
            yield row("Save private key in", Input(key.directory, id="key-directory", compact=True))
            yield FieldMessage("key_pair.directory")
            yield Hint(id="key-file")
        yield FieldMessage("key_pair.choice")
        yield FieldMessage("key_pair")

    def on_mount(self) -> None:
        self._show_choice()
        self._show_typed()

    def _show_typed(self) -> bool:
        """A text field instead of the picker when the key pairs couldn't be listed (no ec2:DescribeKeyPairs)."""
        error = self.state.load_errors.get(KEYS_LOAD_ERROR) if self.state.key_pairs is None else None
        typed = error is not None
        self.query_one("#key-name-row").display = not typed
        self.query_one("#key-name-typed-row").display = typed
        hint = f"Couldn't list key pairs ({error}): type the name of one, or create a new one. ctrl+r tries again."
        self.query_one("#key-name-hint", Hint).update(hint if typed else "")
        return typed

    @property
    def key(self) -> KeyPairSpec:
        return self.request.key_pair

    def _show_choice(self) -> None:
        self.query_one("#key-existing").display = self.key.choice == "existing"
        self.query_one("#key-new").display = self.key.choice == "new"
        hint = self.query_one("#key-file", Hint)
        if self.key.choice == "new" and self.key.name.strip():
            path = key_file_path(self.key.name, self.key.directory or "~/.ssh")
            hint.update(f"The private key will be written to {path} (readable only by you), never shown.")
        else:
            hint.update("The private key is written to <directory>/<name>.pem (mode 0600), never shown.")

    def load(self) -> None:
        key = self.key
        self.state.remembered_key_names[key.choice] = key.name
        set_select(self.query_one("#key-choice", Select), key.choice)
        set_select(self.query_one("#key-name", Select), key.name if key.choice == "existing" else Select.NULL)
        set_input(self.query_one("#key-new-name", Input), key.name if key.choice == "new" else "")
        set_input(self.query_one("#key-name-typed", Input), key.name if key.choice == "existing" else "")
        set_select(self.query_one("#key-type", Select), key.key_type)
        set_input(self.query_one("#key-directory", Input), key.directory)
        self._show_choice()

    def facts_changed(self) -> None:
        pairs = self.state.key_pairs
        select = self.query_one("#key-name", Select)
        self._show_typed()
        if pairs is None:
            return
        options = [(f"{k.name} ({k.key_type})", k.name) for k in pairs]
        set_options(select, options)
        select.prompt = "choose a key pair" if options else "no key pairs in this region: create a new one"
        if "key_pair.choice" not in self.state.touched:
            if not pairs and self.key.choice == "existing":
                self._set_choice("new")
            elif pairs and self.key.choice == "existing" and not self.key.name:
                self.key.name = pairs[0].name
                self.edited("key_pair.name")
        facts = self.state.facts
        if facts is not None and facts.is_windows and "key_pair.key_type" not in self.state.touched:
            self.key.key_type = "rsa"
        self.load()

    def _set_choice(self, choice: str) -> None:
        remembered = self.state.remembered_key_names
        remembered[self.key.choice] = self.key.name
        self.key.choice = choice
        self.key.name = "" if choice == "none" else remembered.get(choice, "")
        if choice == "existing" and not self.key.name and self.state.key_pairs:
            self.key.name = self.state.key_pairs[0].name
        self.load()
        self.edited("key_pair.choice")

    @on(Select.Changed, "#key-choice")
    def _choice(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.key.choice:
            self.state.touched.add("key_pair.choice")
            self._set_choice(str(event.value))

    @on(Select.Changed, "#key-name")
    def _existing(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and self.key.choice == "existing" and event.value != self.key.name:
            self.key.name = str(event.value)
            self.state.touched.add("key_pair.choice")
            self.edited("key_pair.name")

    @on(Input.Changed, "#key-name-typed")
    def _existing_typed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        if self.key.choice == "existing" and value != self.key.name:
            self.key.name = value
            self.state.touched.add("key_pair.choice")
            self.edited("key_pair.name")

    @on(Input.Changed, "#key-new-name")
    def _new_name(self, event: Input.Changed) -> None:
        if self.key.choice == "new" and event.value != self.key.name:
            self.key.name = event.value
            self._show_choice()
            self.edited("key_pair.name")

    @on(Select.Changed, "#key-type")
    def _type(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.key.key_type:
            self.key.key_type = str(event.value)
            self.state.touched.add("key_pair.key_type")
            self.edited("key_pair.key_type")

    @on(Input.Changed, "#key-directory")
    def _directory(self, event: Input.Changed) -> None:
        if event.value == self.key.directory:
            return
        self.key.directory = event.value
        self._show_choice()
        self.edited("key_pair.directory")


# -- 8. user data ----------------------------------------------------------------------------------------------


class UserDataSection(FormSection):
    TITLE = "User data (optional)"

    def compose(self) -> ComposeResult:
        yield UserDataEditor(self.request.user_data, distro=self.state.distro, id="user-data-editor")
        yield FieldMessage("user_data")

    @property
    def editor(self) -> UserDataEditor:
        return self.query_one(UserDataEditor)

    def load(self) -> None:
        if self.editor.text != self.request.user_data:
            self.editor.text = self.request.user_data

    def facts_changed(self) -> None:
        distro = self.state.distro
        if self.editor.distro != distro:
            self.editor.distro = distro

    def first_focus(self) -> Widget | None:
        return self.editor.text_area

    @on(UserDataEditor.Changed)
    def _changed(self, event: UserDataEditor.Changed) -> None:
        if event.text != self.request.user_data:
            self.request.user_data = event.text
            self.edited("user_data")


# -- 9. count --------------------------------------------------------------------------------------------------


class CountSection(FormSection):
    TITLE = "Number of instances"

    def compose(self) -> ComposeResult:
        yield row(
            "Minimum",
            Input(int_text(self.request.min_count), id="min-count", classes="short", compact=True),
            Label("Maximum", classes="inline-label"),
            Input(int_text(self.request.max_count), id="max-count", classes="short", compact=True),
        )
        yield FieldMessage("min_count")
        yield FieldMessage("max_count")
        yield Hint("AWS launches at least the minimum and up to the maximum, as capacity allows.")

    def load(self) -> None:
        set_input(self.query_one("#min-count", Input), int_text(self.request.min_count))
        set_input(self.query_one("#max-count", Input), int_text(self.request.max_count))

    @on(Input.Changed, "#min-count")
    def _min(self, event: Input.Changed) -> None:
        value = parse_int(event.value)
        value = value if value is not None else ""
        if value == self.request.min_count:
            return
        self.request.min_count = value  # type: ignore[assignment]
        self.edited("min_count")

    @on(Input.Changed, "#max-count")
    def _max(self, event: Input.Changed) -> None:
        value = parse_int(event.value)
        value = value if value is not None else ""
        if value == self.request.max_count:
            return
        self.request.max_count = value  # type: ignore[assignment]
        self.edited("max_count")


def user_data_summary(text: str) -> str:
    size = user_data_size(text)
    return f"{size:,} of {USER_DATA_LIMIT:,} bytes" if text else "none"
