"""`:amis [category]`: the AMI catalog of the current region, one tab per category.

Quick Start, My AMIs and Custom are listed whole (they are small). Marketplace and Community can hold tens of
thousands of images, so they are searched on the server (``s``) and read a page at a time: the next page loads when
the cursor moves past the last row, or with ``m``. The ``/`` filter only narrows the rows already loaded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Input, Label, Static, Tab, Tabs

from ec2tui.aws.models.images import CommunityQuery, Image, ImageCategory, ImagePage
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ValidationError
from ec2tui.image_search_text import format_search, parse_search
from ec2tui.list_query import RowsSnapshot
from ec2tui.screens.ami_actions import ACTION_BINDINGS, AmiActions
from ec2tui.screens.ami_detail import AmiDetailScreen
from ec2tui.screens.list_screen import Column, ListScreen, PaletteCommand, action_command
from ec2tui.widgets.theme_colours import ACCENT, INFO, SUCCESS, WARNING, bold
from ec2tui.widgets.virtual_table import VirtualTable, styled

CATEGORIES = tuple(ImageCategory)

NOUNS = {
    ImageCategory.QUICKSTART: "Quick Start images",
    ImageCategory.MINE: "AMIs of this account or shared with it",
    ImageCategory.MARKETPLACE: "Marketplace images",
    ImageCategory.COMMUNITY: "community images",
    ImageCategory.CUSTOM: "Image Builder images",
}

HINTS = {
    ImageCategory.QUICKSTART: "Current AWS-provided images, resolved from SSM public parameters.",
    ImageCategory.MINE: "This account's images, and private ones other accounts shared with it (Access: shared).",
    ImageCategory.MARKETPLACE: "AWS Marketplace images (software charges may apply). "
    "s searches AWS · / filters only the rows loaded here.",
    ImageCategory.COMMUNITY: "Public images of any account. s searches AWS (text, arch:, platform:, owner:) · "
    "/ filters only the rows loaded here.",
    ImageCategory.CUSTOM: "This account's images built by EC2 Image Builder, with the pipeline or recipe.",
}
KEYS_HINT = "  enter details · 1-5 [ ] tabs"

SEARCH_PLACEHOLDER = "text in the name or description   arch:arm64   platform:linux|windows   owner:<account ID|alias>"

# -- columns ---------------------------------------------------------------------------------------------------------
# Priorities (lower is kept longer when the terminal is narrow): the AMI ID is never cut and stays at 80 columns;
# the name gets the room left, the OS column is squeezed first.
SPECS = {
    column.key: column
    for column in (
        Column("name", "Name", priority=20, min_width=16),
        Column("id", "AMI ID", priority=10, whole=True),
        Column("os", "OS / platform", priority=40, min_width=16, max_width=20),
        Column("arch", "Arch", priority=50, whole=True),
        Column("root", "Root", priority=70, whole=True),
        Column("created", "Created", priority=60, whole=True),
        Column("owner", "Owner", priority=45, min_width=12, max_width=15),  # 12: an account ID stays whole
        Column("access", "Access", priority=55, whole=True),
        Column("builder", "Pipeline / recipe", priority=35, min_width=12, max_width=26),
    )
}
QUICKSTART_OS = Column("os", "Operating system", priority=5, min_width=20, max_width=36)  # the point of Quick Start

# Quick Start images are all public (no Access column); Custom ones are all the account's own (no Owner column).
LAYOUTS = {
    ImageCategory.QUICKSTART: ("os", "arch", "id", "name", "root", "created", "owner"),
    ImageCategory.MINE: ("name", "id", "os", "arch", "root", "created", "owner", "access"),
    ImageCategory.MARKETPLACE: ("name", "id", "os", "arch", "root", "created", "owner", "access"),
    ImageCategory.COMMUNITY: ("name", "id", "os", "arch", "root", "created", "owner", "access"),
    ImageCategory.CUSTOM: ("name", "builder", "id", "os", "arch", "root", "created", "access"),
}


def column_specs(category: ImageCategory) -> tuple[Column, ...]:
    columns = [SPECS[key] for key in LAYOUTS[category]]
    if category is ImageCategory.QUICKSTART:
        columns = [QUICKSTART_OS if column.key == "os" else column for column in columns]
    return tuple(columns)


class CategoryTabs(Tabs, can_focus=False):
    """The tab strip: clicked or switched with 1-5 and [ ]; it never takes the focus from the list."""


class SearchInput(Input):
    """The server-side search box; escape gives the focus back to the list without searching."""

    BINDINGS = [Binding("escape", "cancel_search", "Back to the list", id="amis.search_cancel")]

    def action_cancel_search(self) -> None:
        screen = self.screen
        if isinstance(screen, AmisScreen):
            screen.cancel_search()


class AmisScreen(AmiActions, ListScreen[Image]):
    NOUN = "images"
    COPY_WHAT = "AMI ID"
    AUTO_FOCUS = "#table"

    BINDINGS = [
        Binding("enter", "open_selected", "Details", show=False, id="amis.open"),
        *ACTION_BINDINGS,
        Binding("s", "search", "Search", id="amis.search"),
        Binding("m", "load_more", "More", id="amis.more"),
        Binding("left_square_bracket", "cycle(-1)", "Previous tab", key_display="[", show=False, id="amis.prev"),
        Binding("right_square_bracket", "cycle(1)", "Next tab", key_display="]", show=False, id="amis.next"),
        *(
            Binding(str(n), f"category('{c.value}')", c.label, show=False, id=f"amis.tab_{c.value}")
            for n, c in enumerate(CATEGORIES, start=1)
        ),
        Binding("slash", "start_filter", "Filter", key_display="/", id="list.filter"),
        Binding("c", "copy", "Copy ID", id="list.copy"),
        # ctrl+r keeps its meaning everywhere; the footer leaves it out to make room (help and the palette have it)
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="list.refresh"),
    ]

    def __init__(self, category: ImageCategory = ImageCategory.QUICKSTART) -> None:
        super().__init__(id="amis")
        self.category = category
        self.queries: dict[ImageCategory, CommunityQuery] = {}
        self.next_token: str | None = None
        self.loading_more = False
        self._generation = 0
        self._shared: tuple[object, int, int, int] = (None, 0, 0, 0)
        """(the rows' item list, the store's replacements then, how many were counted, how many of those are shared)."""
        self.filters: dict[ImageCategory, str] = {}
        """Each tab's own `/` filter: switching tabs puts the other tab's back (or none)."""
        self.COLUMNS = column_specs(category)  # type: ignore[misc]
        self.store.clear(self.search_field_names())
        self.NOUN = NOUNS[category]  # type: ignore[misc]

    # -- composition ------------------------------------------------------------------------------------------
    def compose_top(self) -> Iterable[Any]:
        tabs = [Tab(f"{n} {c.label}", id=c.value) for n, c in enumerate(CATEGORIES, start=1)]
        yield CategoryTabs(*tabs, active=self.category.value, id="ami-tabs")
        yield Static(id="ami-hint", classes="ami-hint")
        with Horizontal(id="ami-search-row"):
            yield Label("Search AWS (s):", id="ami-search-label")
            yield SearchInput(placeholder=SEARCH_PLACEHOLDER, id="ami-search", compact=True)

    @property
    def search_input(self) -> SearchInput:
        return self.query_one("#ami-search", SearchInput)

    def on_mount(self) -> None:
        # ListScreen.on_mount runs after this one (Textual calls each class's handler): it adds self.COLUMNS and loads.
        self._show_category_chrome()
        self.watch(self.app, "region", self._region_changed, init=False)

    def _region_changed(self, region: str) -> None:
        """A region change while the catalog is on screen (e.g. "go to region" after a copy); hidden, it waits."""
        if self.is_current and self.loaded_region not in (None, region):
            self.reload()

    def screen_title(self) -> str:
        return f"AMIs · {self.category.label} · {self.ec2app.region}"

    def _show_category_chrome(self) -> None:
        category = self.category
        hint = Text(HINTS[category], style="dim")
        if not category.paged:
            hint.append(KEYS_HINT, style="dim italic")
        self.query_one("#ami-hint", Static).update(hint)
        self.query_one("#ami-search-row").display = category.paged
        self.search_input.placeholder = (
            SEARCH_PLACEHOLDER.split("   owner:")[0] if category is ImageCategory.MARKETPLACE else SEARCH_PLACEHOLDER
        )
        self.search_input.value = format_search(self.queries.get(category, CommunityQuery()))
        tabs = self.query_one(CategoryTabs)
        if tabs.active != category.value:
            tabs.active = category.value
        self.refresh_bindings()  # s and m exist only in the paged categories

    # -- categories -------------------------------------------------------------------------------------------
    def apply_argument(self, argument: str) -> None:
        """`:amis mine` and the palette's "AMIs: <category>" entries."""
        try:
            category = ImageCategory.parse(argument)
        except ValidationError as exc:
            self.ec2app.notify(str(exc), severity="warning", markup=False)
            return
        self.set_category(category)

    def set_category(self, category: ImageCategory) -> None:
        if category is self.category:
            return
        previous, self.category = self.category, category
        self.NOUN = NOUNS[category]  # type: ignore[misc]
        if not self.is_mounted:
            self.COLUMNS = column_specs(category)  # type: ignore[misc]
            self.store.clear(self.search_field_names())
            return
        self.filters[previous] = self.filter_text
        self.set_items([])
        self.set_columns(column_specs(category))
        self._restore_filter(self.filters.get(category, ""))
        self._show_category_chrome()
        self.table.focus()
        self.reload()

    def _restore_filter(self, text: str) -> None:
        """Show this tab's own filter (the box stays open only when there is one)."""
        self.set_filter(text)
        with self.filter_input.prevent(Input.Changed):
            self.filter_input.value = text
        self.filter_input.display = bool(text)

    def action_category(self, value: str) -> None:
        self.set_category(ImageCategory(value))

    def action_cycle(self, step: int) -> None:
        index = CATEGORIES.index(self.category)
        self.set_category(CATEGORIES[(index + step) % len(CATEGORIES)])

    @on(Tabs.TabActivated, "#ami-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab.id != event.tabs.active:
            return  # stale: another category was chosen since (two tab keys in one burst would otherwise ping-pong)
        if event.tab.id and event.tab.id != self.category.value:
            self.set_category(ImageCategory(event.tab.id))

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self, refresh: bool = False) -> None:
        self._generation += 1
        self.next_token = None
        self.loading_more = False
        self.workers.cancel_group(self, "more")
        super().reload(refresh)

    async def _page(self, token: str | None, refresh: bool) -> ImagePage:
        api = self.ec2app.gateway.images
        query = self.queries.get(self.category, CommunityQuery())
        region = self.ec2app.region
        if self.category is ImageCategory.MARKETPLACE:
            return await api.marketplace_page(query, token, region, refresh=refresh)
        return await api.community_page(query, token, region, refresh=refresh)

    async def fetch(self, refresh: bool) -> list[Image]:
        if self.category.paged:
            page = await self._page(None, refresh)
            self.next_token = page.next_token
            return list(page.images)
        self.next_token = None
        images, region = self.ec2app.gateway.images, self.ec2app.region
        if self.store and self.items[0].region != region:
            self.set_items([])  # another region's rows must not stay while this one's arrive
        generation = self._load_generation
        # A first load shows rows as they are parsed; on a refresh the rows stay until the whole answer is in, then
        # only changes redraw.
        on_batch = None if self.store else (lambda batch: self._batch_arrived(generation, batch))
        return list(await images.list(self.category, region, refresh=refresh, on_batch=on_batch))

    def _batch_arrived(self, generation: int, batch: list[Image]) -> None:
        """Images of a first load's answer as they are parsed (a page, or a thousand of one huge answer): their rows
        show at once, the title counts them. The rest (the images shared with the account) comes with the whole
        answer, which ``ListScreen._load`` then shows in its final order."""
        if generation != self._load_generation or not self.loading_data:
            return  # a batch of a load that was replaced (another tab, a reload) or cancelled
        self.queue_items(batch)  # thousands of rows: built in a thread
        self.table.loading = False
        self.update_title()

    def action_load_more(self) -> None:
        if not self.category.paged:
            return
        if self.loading_data or self.loading_more:
            return
        if self.next_token is None:
            self.ec2app.notify(f"Every matching image is loaded ({len(self.items)}).", markup=False)
            return
        self.loading_more = True
        self.start_wait_clock()
        self.update_title()
        self.run_worker(
            deferred(self._load_more, self._generation, self.next_token),
            group="more",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load_more(self, generation: int, token: str) -> None:
        try:
            page = await self._page(token, False)
        except Ec2TuiError as exc:
            self.ec2app.notify(str(exc), title="AWS error", severity="error", markup=False, timeout=8)
            return
        except Exception as exc:
            message = f"Unexpected error while loading the next page: {type(exc).__name__}: {exc}"
            self.ec2app.notify(message, title="Error", severity="error", markup=False, timeout=8)
            raise
        finally:
            # Whatever happened (an error, a cancel, a bug), the title stops saying "loading the next page…".
            if generation == self._generation:
                self.loading_more = False
                self.stop_wait_clock()
                with contextlib.suppress(NoMatches):
                    self.update_title()
        if generation != self._generation:
            return  # the category, search or region changed meanwhile
        self.next_token = page.next_token
        self.add_items(page.images)

    @on(VirtualTable.RowHighlighted, "#table")
    def _row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        at_end = event.cursor_row >= self.table.row_count - 1
        if at_end and self.category.paged and self.next_token and not self.loading_data and not self.loading_more:
            self.action_load_more()

    def on_screen_resume(self) -> None:
        # ListScreen's handler runs next and reloads when the region changed. Otherwise re-read the (small) list from
        # the cache: a change made elsewhere (another screen, the detail) invalidated it, so it shows at once.
        if self.loaded_region == self.ec2app.region and not self.category.paged and not self.loading_data:
            self.run_worker(
                deferred(self._revalidate, self._generation), group="revalidate", exclusive=True, exit_on_error=False
            )

    async def _revalidate(self, generation: int) -> None:
        try:
            items = await self.fetch(False)
        except Ec2TuiError:
            return
        if generation == self._generation and items != self.items:
            self.set_items(items)

    # -- search -----------------------------------------------------------------------------------------------
    def action_search(self) -> None:
        if self.category.paged:
            self.search_input.focus()

    def cancel_search(self) -> None:
        self.search_input.value = format_search(self.queries.get(self.category, CommunityQuery()))
        self.table.focus()

    @on(Input.Submitted, "#ami-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        try:
            query = parse_search(event.value)
        except ValidationError as exc:
            self.ec2app.notify(str(exc), title="Search", severity="warning", markup=False)
            return
        if query.owner and self.category is ImageCategory.MARKETPLACE:
            self.ec2app.notify(
                "Marketplace images all belong to aws-marketplace: search them without owner:.",
                title="Search",
                severity="warning",
                markup=False,
            )
            return
        self.queries[self.category] = query
        self.search_input.value = format_search(query)
        self.table.focus()
        self.reload()

    # -- columns and rows -------------------------------------------------------------------------------------
    def _cells(self, item: Image) -> dict[str, Any]:
        account = self.ec2app.account
        # Plain text where no style is needed, and one shared Text per styled word: 50,000 rows, not 150,000 Texts.
        name: Any = item.display_name
        if item.deprecated:
            name = Text.assemble(("⚠ ", WARNING), (item.display_name, "dim"))
        if item.shared_with_me:
            access = styled("shared", bold(INFO))
        elif item.public:
            access = styled("public", WARNING if account and item.owner_id == account else "")
        else:
            access = styled("private", "dim")
        mine = bool(account) and item.owner_id == account
        owner: Any = styled("self", SUCCESS) if mine else item.owner_alias or item.owner_id
        root = {"ebs": "ebs", "instance-store": "store"}.get(item.root_device_type, item.root_device_type)
        created = item.creation_date.astimezone(UTC).strftime("%Y-%m-%d") if item.creation_date else ""
        os_text = item.os_label if item.os_label else item.platform_details
        return {
            "name": name,
            "id": item.id,
            "os": Text(os_text, style="bold") if self.category is ImageCategory.QUICKSTART else os_text,
            "arch": item.architecture,
            "root": root,
            "created": created,
            "owner": owner,
            "access": access,
            "builder": item.image_builder or "",
        }

    def row(self, item: Image) -> tuple[Any, ...]:
        cells = self._cells(item)
        return tuple(cells[column.key] for column in self.COLUMNS)

    def search_fields(self, item: Image, cells: tuple[Any, ...]) -> dict[str, str]:
        """The `/` filter also looks at the whole name, the owner's ID and alias and the description."""
        fields = super().search_fields(item, cells)
        fields["name"] = f"{item.name} {item.display_name}".lower()
        fields["owner"] = f"{fields.get('owner', '')} {item.owner_id} {item.owner_alias or ''}".lower()
        fields["description"] = (item.description or "").lower()
        fields["platform"] = (item.platform_details or "").lower()
        return fields

    def search_field_names(self) -> tuple[str, ...]:
        names = super().search_field_names()
        return (*names, *(name for name in ("name", "owner", "description", "platform") if name not in names))

    def sort_values(self, rows: RowsSnapshot[Image], column: str) -> list[Any]:
        images = rows.items[: rows.count]
        if column == "created":
            return [image.creation_date.timestamp() if image.creation_date else None for image in images]
        if column == "name":
            return [image.name for image in images]
        return super().sort_values(rows, column)

    def key_of(self, item: Image) -> str:
        return item.id

    def copy_value(self, item: Image) -> tuple[str, str]:
        return item.id, "AMI ID"

    # -- titles -----------------------------------------------------------------------------------------------
    def update_title(self) -> None:
        title = Text(self.screen_title(), style="bold")
        shown, total = self.table.row_count, len(self.items)
        query = format_search(self.queries.get(self.category, CommunityQuery())) if self.category.paged else ""
        if query:
            title.append(f"  search '{query}'", style=bold(ACCENT))
        if self.loading_data:
            title.append(f"  {self.waiting()}", style="italic")
            if total and self.error is None:  # rows shown while the answer is still being read
                title.append(f"  {total} image{'' if total == 1 else 's'} so far", style="dim")
        elif self.error is None and self.category.paged:
            title.append(f"  {total} loaded", style="dim")
            if self.loading_more:
                title.append(f" · {self.waiting('loading the next page')}", style="italic")
            elif self.next_token:
                title.append(" · more on the server: m (or move past the last row) loads the next page", style="dim")
            elif total:
                title.append(" · that is all of them", style="dim")
        elif self.error is None:
            title.append(f"  {total} image{'' if total == 1 else 's'}", style="dim")
            shared = self.shared_count()
            if shared:
                title.append(f" ({shared} shared with you)", style=INFO)
        if self.filter_text:
            title.append(f"   filter '{self.filter_text}': {shown} of {total} loaded", style=bold(WARNING))
        if self.sort_column is not None:
            label = next((c.label for c in self.COLUMNS if c.key == self.sort_column), self.sort_column)
            title.append(f"   sorted by {label} {'▼' if self.sort_reverse else '▲'}", style="dim")
        self.query_one("#title", Static).update(title, layout=False)  # one line, always: no layout pass
        self.update_empty()

    def shared_count(self) -> int:
        """How many listed images were shared with this account, counting only the rows added since the last time
        (the title is redrawn for every chunk of a 50,000-image load)."""
        items, replaced = self.items, self.store.replaced
        counted_in, counted_replaced, counted, shared = self._shared
        if counted_in is not items or counted_replaced != replaced or counted > len(items):
            counted = shared = 0  # another list (a reload, a reorder) or a row replaced: count afresh
        shared += sum(1 for i in items[counted:] if i.shared_with_me)  # else rows were only appended
        self._shared = (items, replaced, len(items), shared)
        return shared

    def empty_hint(self) -> str:
        category = self.category
        if category.paged:
            query = format_search(self.queries.get(category, CommunityQuery()))
            if query:
                return f"\nNothing matches the search '{query}'. s changes it (an empty search lists them all)."
            return ""
        if category is ImageCategory.MINE:
            return "\nCreate one from an instance (:instances, then the create-image action) or copy one here (r)."
        if category is ImageCategory.CUSTOM:
            return "\nEC2 Image Builder pipelines tag their images with Ec2ImageBuilderArn; none were found."
        return "\nAWS publishes no Quick Start parameters in this region."

    # -- actions ----------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "load_more"):
            return self.category.paged
        return super().check_action(action, parameters)

    def action_image(self) -> Image | None:
        return self.selected_item()

    def images_changed(self, regions: set[str], *, removed: str | None = None) -> None:
        if self.ec2app.region in regions:
            self.reload()

    def open_item(self, item: Image) -> None:
        self.app.push_screen(AmiDetailScreen(item.id, item.region, item))

    def action_open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_item(item)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield action_command(self, "Show AMI details", "Everything about the selected AMI (enter)", "open_selected")
        yield from self.ami_palette_commands()
        if self.category.paged:
            yield action_command(self, "Search AWS for AMIs", "Server-side search of this category (s)", "search")
            yield action_command(self, "Load more AMIs", "Read the next page from AWS (m)", "load_more")
        yield action_command(self, "Next AMI category", "The next tab (])", "cycle(1)")
        yield action_command(self, "Previous AMI category", "The previous tab ([)", "cycle(-1)")
        yield from super().palette_commands()
