"""Launch form section 4: the key pair (existing, new, or none)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select

from ec2tui.aws.models.launch import KeyPairSpec
from ec2tui.aws.models.launch_validation import key_file_path
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
from ec2tui.launch.state import (
    KEYS_LOAD_ERROR,
)

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
                FormInput(
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
                FormInput(
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
            yield row("Save private key in", FormInput(key.directory, id="key-directory", compact=True))
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
