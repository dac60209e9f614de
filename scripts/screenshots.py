"""Regenerate screenshots/*.svg: the real app, headless, against the seeded demo server (no secrets involved).

The scenes (what each picture shows, and the keys that get there) are the snapshot tests' own:
``ec2tui/demo/scenes.py``. ``python scripts/screenshots.py [NAME ...]`` renders the README's pictures (all by default).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: the ec2tui beside this script

from ec2tui.demo.scenes import SCENES, Stage, walk_to  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 36)
DARK, LIGHT = "textual-dark", "textual-light"

SHOTS: dict[str, tuple[str, str]] = {
    "launch-form": ("launch-network", DARK),
    "user-data-editor": ("user-data-editor", DARK),
    "launch-review": ("launch-review", DARK),
    "launch-advanced": ("launch-advanced", DARK),
    "regions": ("regions", DARK),
    "amis": ("amis-quickstart", DARK),
    "ami-detail": ("ami-detail", DARK),
    "instances": ("instances", DARK),
    "instances-all-regions": ("instances-all-regions", DARK),
    "instance-detail": ("instance-detail", DARK),
    "terminate": ("terminate", DARK),
    "instances-light": ("instances", LIGHT),  # what a light terminal's user picks with --theme
    "profiles": ("profiles", DARK),
    "instances-accounts": ("instances-accounts", DARK),
}
"""README picture → (scene, theme)."""


async def shoot(names: list[str]) -> None:
    wanted = {name: SHOTS[name] for name in names}
    walks: dict[str, list[str]] = {}  # walk → the README pictures taken on it: one app run per walk
    for name, (scene, _theme) in wanted.items():
        walks.setdefault(SCENES[scene][0].name, []).append(name)
    with Stage() as stage:
        for pictures in walks.values():
            last = max((wanted[name][0] for name in pictures), key=lambda scene: SCENES[scene][1])
            themes = tuple(dict.fromkeys(theme for name in pictures for _scene, theme in [wanted[name]]))
            shots = await stage.walk(walk_to(last), SIZE, themes)
            for name in pictures:
                (OUT / f"{name}.svg").write_text(shots[wanted[name]], encoding="utf-8")
                print(f"screenshots/{name}.svg")


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1:] or list(SHOTS)))
