"""The seeds' AMI process, end to end on the demo (issue 11 points 8 and 12), driven by keys as a user would:

launch an instance with user data from the form → stop it → create an image of it → follow the image to available
→ launch from it → the new instance is listed running. What moto holds is checked at each step.

The demo's moto server and seed run in this process (as `ec2tui --demo` does), with the demo's AWS-like validation
switched on for this test only. The launch form is driven through widget IDs and keys alone (helpers below), so
that it can change inside without this test changing.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any

import moto.settings
import pytest
import requests
from moto.server import ThreadedMotoServer
from textual import events
from textual.css.match import match
from textual.css.parse import parse_selectors
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from ec2tui.app import Ec2App
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.demo.seed import demo_session, seed_demo
from ec2tui.gateway import Gateway
from ec2tui.screens.ami_dialogs import ImageProgressDialog
from ec2tui.screens.instance_dialogs import CreateImageDialog
from tests.test_amis_ui_helpers import wait_for

REGION = "us-east-1"
USER_DATA = "#!/bin/bash\necho 'customised by the AMI process' > /etc/motd\n"
CEILING = 60.0  # seconds: a ceiling for a loaded machine, never an expectation


@pytest.fixture
def demo(monkeypatch, tmp_path) -> Iterator[str]:
    """The demo's moto server, seeded as `ec2tui --demo` seeds it; its state is cleared afterwards (see
    tests/test_end_to_end.py for why the reset runs while moto's default images are still off)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "state"))
    for switch in ("ENABLE_AMI_VALIDATION", "EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "ENABLE_KEYPAIR_VALIDATION"):
        monkeypatch.setattr(moto.settings, switch, True)  # what the demo sets (ec2tui/demo/server.py)
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        seed_demo(endpoint)
        yield endpoint
    finally:
        requests.post(f"{endpoint}/moto-api/reset", timeout=30)  # a ceiling, not an expectation
        server.stop()


@pytest.fixture
def app(demo) -> Iterator[Ec2App]:
    gateway = Gateway(ClientFactory(AwsTarget(region=REGION, endpoint_url=demo), demo_session()))
    yield Ec2App(gateway, demo=True)
    gateway.close()


@pytest.fixture
def moto_ec2(demo) -> Any:
    return demo_session().client("ec2", region_name=REGION, endpoint_url=demo)


# -- driving the app by keys and widget IDs ------------------------------------------------------------------------


async def until(pilot: Pilot, condition: Callable[[], object], what: str, ceiling: float = CEILING) -> None:
    """Pause until ``condition()`` is true (a poll with a generous ceiling, never a fixed wait), on a screen that has
    composed its widgets (a pushed screen is the top one a moment before)."""
    await wait_for(pilot, lambda: bool(condition()), ceiling, what)


async def command(pilot: Pilot, line: str) -> None:
    await pilot.press("colon", *["space" if c == " " else c for c in line], "enter")


async def focus(pilot: Pilot, selector: str, limit: int = 200) -> Widget:
    """Move the focus with tab alone to the widget matching ``selector`` (the form's layout is not assumed)."""
    selectors = parse_selectors(selector)
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is not None and match(selectors, focused):
            return focused
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {selector}; focus is on {pilot.app.focused!r}")


async def type_text(pilot: Pilot, text: str) -> None:
    """Type into the focused field; longer text arrives as a terminal paste (as when a user pastes it)."""
    if len(text) <= 8 and "\n" not in text:
        await pilot.press(*text)
        return
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


def screen_text(app: Ec2App) -> str:
    """Everything the current screen's text widgets show."""
    return "\n".join(str(getattr(w.render(), "plain", w.render())) for w in app.screen.query(Static) if w.display)


def field_value(app: Ec2App, selector: str) -> str | None:
    fields = list(app.screen.query(selector).results(Input))
    return fields[0].value if fields else None


async def launch_from_form(pilot: Pilot, name: str, *, user_data: str | None = None) -> str:
    """Fill what the process needs in the open launch form (name, t3.micro, user data), review and launch; the
    new instance's ID, from the "launched" dialog."""
    app = pilot.app
    await until(pilot, lambda: (field_value(app, "#image-id") or "").startswith("ami-"), "the form's AMI")
    await focus(pilot, "#name")
    await type_text(pilot, name)
    await focus(pilot, "#instance-type")
    await type_text(pilot, "t3.micro")
    if user_data is not None:
        await focus(pilot, "#ud-text")
        await type_text(pilot, user_data)
    await until(pilot, lambda: "ready to review" in screen_text(app), "the form ready to review")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: app.screen.id == "launch-review", "the review")
    await pilot.press("y")
    # The dialog's IDs, once it has composed them (it is the top screen a moment before).
    await until(
        pilot,
        lambda: app.screen.id == "launched" and bool(app.screen.query("#launched-ids")),
        "the launched dialog",
        ceiling=120,
    )
    shown = str(app.screen.query_one("#launched-ids", Static).render())
    (instance_id,) = shown.split()
    return instance_id


async def select_instance(pilot: Pilot, name: str, instance_id: str) -> None:
    """In the instances list, narrow it to ``name`` with the filter and wait until the cursor is on it."""
    app: Any = pilot.app
    await until(pilot, lambda: app.current_mode == "instances" and hasattr(app.screen, "cursor_instance"), "list")
    # A refresh first: the list opened by the launched dialog's "go to instances" may predate the launch (issue 11
    # point 11: `Ec2App.show_launched` is to follow new instances; then this key is no longer needed).
    await pilot.press("ctrl+r")
    await pilot.press("slash", "home", "ctrl+k", *name, "enter")  # the filter may hold an earlier name
    try:
        await until(
            pilot,
            lambda: (cursor := app.screen.cursor_instance()) is not None and cursor.id == instance_id,
            f"the cursor on {name}",
        )
    except AssertionError as exc:
        listed = [(i.id, i.name, i.state) for i in getattr(app.screen, "items", ())]
        cursor = app.screen.cursor_instance()
        shown = f"filter {field_value(app, '#filter')!r}; cursor {cursor}; listed {listed}"
        raise AssertionError(f"{exc}; {shown}") from None


def cursor_state(app: Any) -> str | None:
    cursor = app.screen.cursor_instance() if hasattr(app.screen, "cursor_instance") else None
    return cursor.state if cursor is not None else None


def moto_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


# -- the process ---------------------------------------------------------------------------------------------------


async def test_the_ami_process_on_the_demo(app, moto_ec2):
    async with app.run_test(size=(120, 40)) as pilot:
        # 1. launch an instance with user data (the customisation) from the form
        await until(pilot, lambda: "Regions" in screen_text(app) or app.current_mode == "regions", "the app")
        await command(pilot, "launch")
        source_id = await launch_from_form(pilot, "golden-src", user_data=USER_DATA)
        source = moto_instance(moto_ec2, source_id)
        assert source["State"]["Name"] in ("pending", "running") and source["InstanceType"] == "t3.micro"
        attribute = moto_ec2.describe_instance_attribute(InstanceId=source_id, Attribute="userData")
        assert base64.b64decode(attribute["UserData"]["Value"]).decode() == USER_DATA

        # 2. stop it, from the instances list
        await pilot.press("enter")  # "go to instances"
        await select_instance(pilot, "golden-src", source_id)
        await pilot.press("o")
        await until(pilot, lambda: app.screen.query("#yes"), "the stop confirmation")
        await pilot.press("y")
        await until(pilot, lambda: moto_instance(moto_ec2, source_id)["State"]["Name"] == "stopped", "moto: stopped")
        await until(pilot, lambda: cursor_state(app) == "stopped", "the list showing it stopped")

        # 3. create an image of it (the dialog's default name), and follow it to available
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, CreateImageDialog), "the create-image dialog")
        image_name = field_value(app, "#image-name")
        assert image_name and image_name.startswith("golden-src-")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ImageProgressDialog), "the image progress dialog")
        image_id = str(app.screen.query_one("#ami-result-value", Static).render())
        await until(pilot, lambda: "✓ available" in screen_text(app), "the image available")
        (image,) = moto_ec2.describe_images(Owners=["self"], ImageIds=[image_id])["Images"]
        assert (image["Name"], image["State"], image["SourceInstanceId"]) == (image_name, "available", source_id)
        assert image["RootDeviceType"] == "standard", "moto's quirk, which the form must not refuse"

        # 4. launch from it: the form opens with the new AMI; no instance type is refused for its root device
        await pilot.press("l")
        await until(pilot, lambda: app.current_mode == "launch", "the launch form")
        await until(pilot, lambda: field_value(app, "#image-id") == image_id, "the form on the new AMI")
        await until(pilot, lambda: "root device type is unknown" in screen_text(app), "the root device warning")
        assert "can't boot" not in screen_text(app)
        new_id = await launch_from_form(pilot, "from-golden")
        launched = moto_instance(moto_ec2, new_id)
        assert launched["ImageId"] == image_id and launched["InstanceType"] == "t3.micro"

        # 5. the new instance is listed, running
        await pilot.press("enter")
        await select_instance(pilot, "from-golden", new_id)
        await until(pilot, lambda: cursor_state(app) == "running", "the new instance running")
        assert moto_instance(moto_ec2, new_id)["State"]["Name"] == "running"

        # and the image is under My AMIs
        await command(pilot, "amis mine")
        await until(pilot, lambda: image_id in {i.id for i in getattr(app.screen, "items", ())}, "My AMIs")
