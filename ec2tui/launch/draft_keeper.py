"""Keeps the launch form's draft: one :class:`~ec2tui.drafts.DraftStore` for the form's context (profile or
endpoint, account, region), moved when the form moves region. No Textual: the screen runs the file work in a
thread and schedules the saves; everything the user must hear goes through ``report``."""

from __future__ import annotations

from collections.abc import Callable

from ec2tui import drafts
from ec2tui.aws.models.launch import LaunchRequest
from ec2tui.launch.state import draft_copy


class DraftKeeper:
    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report
        self.store: drafts.DraftStore | None = None
        self._save_warned = False

    @property
    def context(self) -> drafts.DraftContext | None:
        return self.store.context if self.store else None

    def open(self, context: drafts.DraftContext) -> tuple[LaunchRequest | None, str]:
        """Use the context's draft: returns it (or None) and where it says it came from. Says when another
        process edits it (this one's saves then go beside it) or when an old, context-less draft is left."""
        self.close()
        store = self.store = drafts.DraftStore(context)
        busy = store.lock()
        request, origin = store.load(on_problem=self.report)
        if busy:
            self.report(
                f"The launch draft for {context.label} is in use: {busy}. Your changes here are saved beside it "
                "(the path is shown on the first save), never over it."
            )
        legacy = store.legacy_draft()
        if request is None and legacy is not None:
            self.report(
                f"A launch draft from an earlier version (not tied to an account or region) is at {legacy}; it "
                "was not restored."
            )
        return request, origin

    def save(self, request: LaunchRequest) -> None:
        if self.store is None:
            return
        try:
            outcome = self.store.save(draft_copy(request))
        except OSError as exc:
            if not self._save_warned:
                self._save_warned = True
                self.report(f"Could not save the launch draft: {exc}")
            return
        if outcome.conflict:
            self.report(
                f"The launch draft for {self.store.context.label} was not overwritten: {outcome.conflict}. "
                f"Your version is saved at {outcome.path}."
            )

    def clear(self) -> None:
        if self.store is not None:
            try:
                self.store.clear()
            except OSError as exc:
                self.report(f"Could not delete the launch draft: {exc}")

    def move(self, context: drafts.DraftContext, request: LaunchRequest) -> None:
        """The form moved region: its draft leaves the old context and is kept under the new one."""
        self.clear()
        self.close()
        self.store = drafts.DraftStore(context)
        busy = self.store.lock()
        # Not read: a draft already there is then "changed since read", so ours goes beside it, never over it.
        if busy:
            self.report(f"The launch draft for {context.label} is in use: {busy}; yours is saved beside it.")
        self.save(request)

    def close(self) -> None:
        if self.store is not None:
            self.store.unlock()
