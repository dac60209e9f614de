"""Launch form section 3: the instance type (typed with suggestions, or browsed)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input

from ec2tui.formatting import format_memory, format_storage
from ec2tui.launch.fields import (
    FieldMessage,
    FormInput,
    FormSection,
    Hint,
    row,
    set_input,
)
from ec2tui.launch.messages import TypeChosen

# -- 3. instance type ------------------------------------------------------------------------------------------


class TypeSection(FormSection):
    TITLE = "Instance type"

    def compose(self) -> ComposeResult:
        yield row(
            "Instance type",
            FormInput(self.request.instance_type, placeholder="e.g. t3.micro", id="instance-type", compact=True),
            Button("Browse types…", id="pick-type", action="screen.pick_type", compact=True),
        )
        yield FieldMessage("instance_type")
        yield Hint(id="type-info")
        yield Hint(id="type-price")

    def load(self) -> None:
        set_input(self.query_one("#instance-type", Input), self.request.instance_type)
        self.show_info()

    def facts_changed(self) -> None:
        field = self.query_one("#instance-type", Input)
        if self.state.types and field.suggester is None:
            field.suggester = SuggestFromList([t.name for t in self.state.types])
        self.show_info()

    def show_price(self) -> None:
        """The chosen type's On-Demand and Spot price (loaded by the screen: see ``LaunchScreen.reload_price``)."""
        price = self.query_one("#type-price", Hint)
        price.update(self.state.price_text if self.request.instance_type else "")

    def show_info(self) -> None:
        self.show_price()
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
        self.edited("instance_type", TypeChosen)

    def set_type(self, name: str, *, by_user: bool = True) -> None:
        self.request.instance_type = name
        if by_user:
            self.state.touched.add("instance_type")
        set_input(self.query_one("#instance-type", Input), name)
        self.show_info()
        self.edited("instance_type", TypeChosen)
