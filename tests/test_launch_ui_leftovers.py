"""Through the launch form and its review (issue 11 points 6 and 7): a launch whose rollback is refused says what
stays in AWS and where the private key is kept, and launching again reuses it; user data loaded from a file with
one CRLF line is warned about and launched byte for byte."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError

from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from tests.launch_ui_helpers import moto_instance, open_form, tab_to, type_text, user_data_of
from tests.ui_helpers import notifications, settle, wait_for_workers

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app

ONE_CRLF = "#!/bin/bash\n" + "".join(f"echo line {n}\n" for n in range(2, 13)).replace("5\n", "5\r\n") + "exit 0"


async def _ready_form(pilot, key_dir: str):
    """The defaults (a new group with SSH) plus a new key pair: a form that creates both."""
    form = await open_form(pilot)
    await tab_to(pilot, "#key-new-name")
    await type_text(pilot, "rk")
    await tab_to(pilot, "#key-directory")
    await type_text(pilot, key_dir)
    await settle(pilot)
    return form


def _refuse(code: str, operation: str):
    def hook(**_):
        raise ClientError({"Error": {"Code": code, "Message": f"{operation} refused by the test."}}, operation)

    return hook


async def test_a_refused_rollback_is_shown_and_the_next_launch_reuses_what_it_left(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _ready_form(pilot, str(launch_env))
        assert form.request.security_groups.new_group is not None, "the form's default creates a group"
        events = app.gateway.core.factory.ec2("us-east-1", change=True).meta.events
        hooks = [
            ("before-call.ec2.RunInstances", _refuse("InsufficientInstanceCapacity", "RunInstances")),
            ("before-call.ec2.DeleteKeyPair", _refuse("UnauthorizedOperation", "DeleteKeyPair")),
            ("before-call.ec2.DeleteSecurityGroup", _refuse("UnauthorizedOperation", "DeleteSecurityGroup")),
        ]
        for event, hook in hooks:
            events.register(event, hook)
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        await pilot.press("y")
        await settle(pilot, 5)
        banner = str(review.query_one("#review-banner").render())
        key_file = str(launch_env / "rk.pem")
        for shown in ("RunInstances refused", "could not be undone", "key pair 'rk'", key_file, "sg-"):
            assert shown in banner, banner
        assert any("could not be undone" in n for n in notifications(app))
        for event, hook in hooks:
            events.unregister(event, hook)

        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form
        await pilot.press("ctrl+r")  # the form reloads its key pairs and groups: it now sees what was left
        await wait_for_workers(app)
        await settle(pilot)
        warnings = {i.field: i.message for i in form.issues if i.is_warning}
        assert [i.message for i in form.issues if not i.is_warning] == []
        assert "reused" in warnings["key_pair.name"] and "reused" in warnings["security_groups.new_group.name"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = pilot.app.screen
        assert isinstance(again, LaunchReviewScreen)
        await pilot.press("y")
        await settle(pilot, 5)
        assert isinstance(pilot.app.screen, LaunchedScreen), notifications(app)
        instance = moto_instance(again.result.instance_ids[0])
        assert instance["KeyName"] == "rk" and (launch_env / "rk.pem").exists()
        left_group = re.search(r"sg-[0-9a-f]+", banner).group(0)
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [left_group], "the group left is reused"


async def test_user_data_from_a_file_with_one_crlf_line_launches_byte_for_byte(launch_app, launch_env):
    path = launch_env / "mixed.sh"
    path.write_bytes(ONE_CRLF.encode())
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _ready_form(pilot, str(launch_env))
        await tab_to(pilot, "#ud-text")
        await pilot.press("ctrl+o")
        await type_text(pilot, str(path))
        await pilot.press("enter")
        await settle(pilot)
        assert form.request.user_data == ONE_CRLF
        warning = str(form.query_one("#ud-line-endings").render())
        assert "1 line ends in CRLF" in warning and "ctrl+l" in warning
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        await pilot.press("y")
        await settle(pilot, 5)
        assert isinstance(pilot.app.screen, LaunchedScreen), notifications(app)
        assert user_data_of(review.result.instance_ids[0]).encode() == ONE_CRLF.encode()
