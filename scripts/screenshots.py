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


SHOTS: dict[str, Step] = {"regions": regions}


async def shoot(names: list[str]) -> None:
    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.demo.seed import DEMO_REGIONS, demo_session
    from ec2tui.demo.server import start_demo
    from ec2tui.gateway import Gateway

    demo = start_demo()
    try:
        for name in names:
            factory = ClientFactory(AwsTarget(region=DEMO_REGIONS[0], endpoint_url=demo.endpoint_url), demo_session())
            app = Ec2App(Gateway(factory), demo=True)
            async with app.run_test(size=SIZE) as pilot:
                await SHOTS[name](pilot)
                await settle(pilot)
                app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
                print(f"screenshots/{name}.svg")
    finally:
        demo.stop()


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1:] or list(SHOTS)))
