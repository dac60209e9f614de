"""Regenerate screenshots/*.svg: the real app, headless, against the seeded demo server (no secrets involved)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (120, 36)

Step = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)


async def regions(pilot: Pilot) -> None:
    await settle(pilot)


async def command(pilot: Pilot, line: str) -> None:
    await pilot.press("colon", *line, "enter")
    await settle(pilot)


async def select_row(pilot: Pilot, text: str) -> None:
    """Move the list's cursor to the first row whose cells contain ``text``."""
    table = pilot.app.screen.query_one("#table")
    for key in table.row_keys:
        if any(text in cell for cell in table.row_text(key)):
            table.move_cursor(key=key)
            break
    await pilot.pause()


async def amis(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "amis quickstart")


async def ami_detail(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "amis mine")
    await select_row(pilot, "postgres")
    await pilot.press("enter")


async def instances(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "instances")


async def profiles(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "profile demo-staging")  # once used, a profile's account shows in the list
    await command(pilot, "profiles")
    await pilot.press("space", "down", "space")


async def instances_accounts(pilot: Pilot) -> None:
    await profiles(pilot)
    await pilot.press("i")
    await settle(pilot)


async def instances_all_regions(pilot: Pilot) -> None:
    await instances(pilot)
    await pilot.press("a")


async def instance_detail(pilot: Pilot) -> None:
    await instances(pilot)
    await select_row(pilot, "bastion")
    await pilot.press("enter")


async def terminate_confirmation(pilot: Pilot) -> None:
    await instances(pilot)
    await select_row(pilot, "old-test-box")
    await pilot.press("ctrl+d")


async def launch_form(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "amis quickstart")
    await pilot.press("l")
    await settle(pilot)
    await pilot.press(*"web-1")
    await settle(pilot)
    for _ in range(5):
        await pilot.press("ctrl+down")
    await settle(pilot)


async def launch_section(pilot: Pilot, sections_down: int) -> None:
    """The launch form, named web-1, with the cursor moved down to a later section."""
    await settle(pilot)
    await command(pilot, "launch")
    await pilot.press(*"web-1")
    for _ in range(sections_down):
        await pilot.press("ctrl+down")
    await settle(pilot)


async def user_data_editor(pilot: Pilot) -> None:
    await launch_section(pilot, 7)
    editor = pilot.app.screen.query_one("UserDataEditor")
    from ec2tui.aws.user_data import TEMPLATES

    name = next(n for n in TEMPLATES if "nginx" in n.lower() or "web" in n.lower())
    editor.text = TEMPLATES[name]
    await settle(pilot)


async def launch_advanced(pilot: Pilot) -> None:
    await launch_section(pilot, 9)
    for keys in (("enter", "down", "enter"), ("tab",), ("tab", "enter", "down", "enter"), ("tab", "enter", "down")):
        await pilot.press(*keys)  # Spot; no max price; the demo's instance profile; IMDSv2 only
        await settle(pilot)
    await pilot.press("enter")


async def launch_review(pilot: Pilot) -> None:
    await settle(pilot)
    await command(pilot, "launch")
    await pilot.press(*"web-1")
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)


SHOTS: dict[str, Step] = {
    "launch-form": launch_form,
    "user-data-editor": user_data_editor,
    "launch-review": launch_review,
    "launch-advanced": launch_advanced,
    "regions": regions,
    "amis": amis,
    "ami-detail": ami_detail,
    "instances": instances,
    "instances-all-regions": instances_all_regions,
    "instance-detail": instance_detail,
    "terminate": terminate_confirmation,
    "instances-light": instances,
    "profiles": profiles,
    "instances-accounts": instances_accounts,
}
THEMES = {"instances-light": "textual-light"}
"""Shots taken in another theme than the default (what a light terminal's user picks with --theme)."""


async def shoot(names: list[str]) -> None:
    import os
    import tempfile

    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.profiles import DEMO_PROFILE, STAGING_PROFILE, write_demo_profiles
    from ec2tui.demo.seed import DEMO_REGIONS
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway
    from ec2tui.gateway.accounts import Accounts

    demo = start_demo()
    folder = tempfile.TemporaryDirectory(prefix="ec2tui-shots-")
    os.environ.update(write_demo_profiles(Path(folder.name), demo.endpoint_url, DEMO_REGIONS[0]))

    def gateway(profile: str) -> Gateway:  # as `ec2tui --demo` makes them: the demo's two profiles
        target = AwsTarget(profile=profile, region=DEMO_REGIONS[0], endpoint_url=demo.endpoint_url)
        ready = demo.wait_staging_seeded if profile == STAGING_PROFILE else demo.wait_seeded
        return Gateway(ClientFactory(target), ready=ready)

    try:
        for name in names:
            app = Ec2App(Accounts(gateway(DEMO_PROFILE), gateway), demo=True, theme=THEMES.get(name))
            async with app.run_test(size=SIZE) as pilot:
                await SHOTS[name](pilot)
                await settle(pilot)
                app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
                print(f"screenshots/{name}.svg")
    finally:
        demo.stop()
        folder.cleanup()


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1:] or list(SHOTS)))
