"""Snapshot tests: every screen of the demo (the scenes of ``ec2tui/demo/scenes.py``, which also make the README's
screenshots) at 80x24 and 120x40, in textual-dark and textual-light, compared with its accepted SVG in
``tests/__snapshots__/test_snapshots/`` (pytest-textual-snapshot's SVG format and its HTML report of differences).

After a deliberate change of the look, accept the new pictures (one command, then review the SVGs' git diff):

    python -m pytest tests/test_snapshots.py --snapshot-update -n 0

Cost: one app run per walk and size (a walk goes through several scenes, shooting each in both themes; a theme
switch is far cheaper than an app start), on one seeded demo server per test process. So each test runs a few seconds
to ~20 s (the launch form's walk): 10 tests for 92 pictures.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from pytest_textual_snapshot import PseudoApp, PseudoConsole, SVGImageExtension, node_to_report_path
from rich.console import Console
from syrupy.assertion import SnapshotAssertion

from ec2tui.aws.clients import READ_CONFIG
from ec2tui.demo.profiles import DEMO_PROFILE
from ec2tui.demo.scenes import WALKS, Stage, Walk
from ec2tui.demo.server import CLIENT_CONFIG

SIZES = ((80, 24), (120, 40))
THEMES = ("textual-dark", "textual-light")
CASES = [pytest.param(walk, size, id=f"{walk.name}-{size[0]}x{size[1]}") for walk in WALKS for size in SIZES]


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    """One seeded demo server for the module's tests (its own process: moto's state is safe from other tests'
    ``mock_aws`` resets in this worker)."""
    with Stage() as stage:
        yield stage


def test_the_stage_reads_as_patiently_as_the_demo() -> None:
    """The stage's apps read as ``ec2tui --demo``'s do: with ec2tui's own reads (given up after 2 x 9 s), a loaded
    machine's server answered the launch form's DescribeInstanceTypes too late, and the launch walks failed."""
    stage = Stage()
    stage.demo = SimpleNamespace(endpoint_url="http://127.0.0.1:9")  # type: ignore[assignment]  # never asked
    stage.disk = None  # type: ignore[assignment]
    gateway = stage.gateway(DEMO_PROFILE)
    try:
        read = gateway.core.factory.config_for("read")
        assert read.read_timeout == CLIENT_CONFIG.read_timeout > READ_CONFIG.read_timeout
    finally:
        gateway.close()


@pytest.mark.parametrize(("walk", "size"), CASES)
async def test_scenes(
    walk: Walk, size: tuple[int, int], stage: Stage, snapshot: SnapshotAssertion, request: pytest.FixtureRequest
) -> None:
    """Each scene of the walk, in each theme, looks as accepted."""
    shots = await stage.walk(walk, size, THEMES)
    assert len(shots) == len(walk.scenes) * len(THEMES)
    svg_snapshot = snapshot.use_extension(SVGImageExtension)
    changed = [
        f"{scene} ({theme})"
        for (scene, theme), svg in shots.items()
        if not _matches(svg_snapshot, request, f"{scene}-{theme}", svg, size)
    ]
    assert not changed, f"changed or new: {', '.join(changed)} (see snapshot_report.html; accept: --snapshot-update)"


def _matches(
    snapshot: SnapshotAssertion, request: pytest.FixtureRequest, name: str, svg: str, size: tuple[int, int]
) -> bool:
    """Compare ``svg`` with the accepted picture ``name``, and leave the pair for pytest-textual-snapshot's HTML
    report (what its ``snap_compare`` does, for a picture taken by a walk rather than by a new app)."""
    matched = snapshot(name=name) == svg
    result = snapshot.executions[snapshot.num_executions - 1]
    path, line, test_name = request.node.reportinfo()
    console = Console(legacy_windows=False, force_terminal=True)
    report = (
        matched,
        result.recalled_data or "",
        svg,
        PseudoApp(PseudoConsole(console.legacy_windows, console.size)),
        path,
        line,
        f"{test_name}[{name}]",
        f"{name} at {size[0]}x{size[1]}",
        "",
        result.recalled_data is not None,
    )
    report_path = node_to_report_path(request.node)
    report_path.with_name(f"{report_path.name}_{name}").write_bytes(pickle.dumps(report))
    return matched
