"""Launch form section 8: user data (the editor is ec2tui.widgets.user_data_editor)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget

from ec2tui.aws.user_data import USER_DATA_LIMIT, user_data_size
from ec2tui.launch.fields import (
    FieldMessage,
    FormSection,
)
from ec2tui.widgets.user_data_editor import UserDataEditor

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


def user_data_summary(text: str) -> str:
    size = user_data_size(text)
    return f"{size:,} of {USER_DATA_LIMIT:,} bytes" if text else "none"
