"""User data is launched as given (issue 11 point 7): one CRLF line, a BOM, other separators and non-ASCII survive
the draft (its public dict form, as JSON) and the launch, byte for byte; the instance's user data view shows and
warns about CRs."""

from __future__ import annotations

import base64
import json

import pytest
from textual.app import App
from textual.widgets import Label, TextArea

from ec2tui.aws import instances as inst_svc
from ec2tui.aws import launch as svc
from ec2tui.aws.models.launch import LaunchRequest, apply_image
from ec2tui.drafts import request_from_dict, request_to_dict
from ec2tui.screens.user_data import UserDataScreen

LINUX_AMI_NAME = "amzn2-ami-hvm-2.0.20180810-x86_64-gp2"
ONE_CRLF = "#!/bin/bash\n" + "".join(f"echo line {n}\n" for n in range(2, 13)).replace("5\n", "5\r\n") + "exit 0"
SAMPLES = {
    "one CRLF line in 13": ONE_CRLF,
    "BOM, lone CR, form feed, NEL, U+2028, non-ASCII": "\ufeff#!/bin/sh\r\necho é\rx\x0cy\x85z\u2028w 'q' \"$V\" `d`\n",
}


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_draft_round_trip_keeps_the_bytes(text):
    request = LaunchRequest(name="d", user_data=text)
    # As drafts.save_draft writes it and load_draft reads it back.
    stored = json.dumps(request_to_dict(request), indent=2, ensure_ascii=False) + "\n"
    restored = request_from_dict(json.loads(stored.encode("utf-8").decode("utf-8")))
    assert restored.user_data.encode() == text.encode()


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_launch_sends_the_bytes_as_given(ec2, text):
    raw = ec2.describe_images(Filters=[{"Name": "name", "Values": [LINUX_AMI_NAME]}])["Images"][0]
    request = LaunchRequest(name="ud", instance_type="t3.micro", user_data=text)
    apply_image(request, svc.image_facts_from_raw(raw))
    request.key_pair.choice = "none"
    (instance_id,) = svc.launch(ec2, request).instance_ids
    held = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(held) == text.encode("utf-8")
    assert inst_svc.user_data(ec2, instance_id) == text


class ViewerApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def on_mount(self) -> None:
        self.push_screen(UserDataScreen("i-1", self.text))


async def test_the_instance_user_data_view_shows_crs_and_warns():
    app = ViewerApp(ONE_CRLF)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "echo line 5\u240d\n" in screen.query_one(TextArea).text
        hint = str(screen.query_one("#user-data-hint", Label).render())
        assert "1 line ends in CRLF" in hint
        assert screen.shown == ONE_CRLF, "c copies the bytes as they are"
