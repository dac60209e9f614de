"""The launch form launches what it shows (issue 11): what the user set survives every re-apply of defaults, typing
is never overwritten by a refresh, the form and its review keep to one region, My AMIs, and the small truths
(dry run answer where the user is, AMI ID shape, public IP label, io2, escape / f1)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from textual.widgets import Input, Select, Static

from ec2tui.demo.seed_images import seed_images
from ec2tui.launch.review import LaunchedScreen, LaunchReviewScreen
from ec2tui.launch.sections.storage import StorageSection
from ec2tui.launch.state import LaunchFormState
from ec2tui.screens.help import HelpScreen
from tests.launch_ui_helpers import all_instances, open_form, tab_to, type_text
from tests.test_amis_ui_helpers import wait_for
from tests.ui_helpers import notifications, settle

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


async def choose(pilot, select: Select, value: str) -> None:
    """Pick an option as the user's choice (the Select posts Changed as for a keyboard pick)."""
    select.value = value
    await settle(pilot)


async def review_and_launch(pilot) -> LaunchReviewScreen:
    await pilot.press("ctrl+s")
    await settle(pilot)
    review = pilot.app.screen
    assert isinstance(review, LaunchReviewScreen)
    await pilot.press("y")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LaunchedScreen))
    return review


def volumes_of(instance: dict, region: str = "us-east-1") -> dict[str, dict]:
    ec2 = boto3.client("ec2", region_name=region)
    devices = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
    found = {v["VolumeId"]: v for v in ec2.describe_volumes(VolumeIds=list(devices.values()))["Volumes"]}
    return {device: found[volume] for device, volume in devices.items()}


def instances_in(region: str) -> list[dict]:
    ec2 = boto3.client("ec2", region_name=region)
    return [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]


# -- point 1: what the user touched is never overwritten -----------------------------------------------------------


@pytest.mark.parametrize(("volume_type", "iops"), [("gp3", 4000), ("gp2", None)])
async def test_a_root_volume_the_user_set_survives_every_reapply_and_is_launched(launch_app, volume_type, iops):
    app = launch_app
    seed_images(DEFAULT_ACCOUNT_ID, "us-west-2", None, None)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await choose(pilot, form.query_one("#key-choice", Select), "none")
        root = form.section(StorageSection).root_row  # type: ignore[attr-defined]
        await choose(pilot, root.query_one(".vol-type", Select), volume_type)
        if iops is not None:
            await tab_to(pilot, ".vol-iops")
            await type_text(pilot, str(iops))
        await settle(pilot)
        first_image = form.request.image_id
        other = next(i.id for i in form.state.quickstart if i.id != first_image)

        await pilot.press("ctrl+r")  # refresh: every lookup and the image's facts again
        await settle(pilot, 5)
        form.prefill_image(other)  # another AMI, then back
        await settle(pilot, 5)
        form.prefill_image(first_image)
        await settle(pilot, 5)
        for region in ("us-west-2", "us-east-1"):  # a region change and back (the form moves both times)
            app.set_region(region)
            app.navigate("regions")
            await settle(pilot)
            app.navigate("launch")
            await settle(pilot, 5)
            await wait_for(pilot, lambda: form.state.facts is not None)
        assert (form.request.root_volume.volume_type, form.request.root_volume.iops) == (volume_type, iops)
        assert root.query_one(".vol-type", Select).value == volume_type

        review = await review_and_launch(pilot)
        assert review.result is not None
        exported = json.loads(review.json_text or "{}")
        params = exported["Steps"][-1]["Input"] if "Steps" in exported else exported  # a new key pair: every call
        sent = params["BlockDeviceMappings"][0]["Ebs"]
        assert (sent["VolumeType"], sent.get("Iops")) == (volume_type, iops)
        (instance,) = all_instances()
        root_volume = volumes_of(instance)[instance["RootDeviceName"]]
        assert root_volume["VolumeType"] == volume_type  # (moto keeps gp3's default IOPS whatever is asked)


def test_a_restored_draft_keeps_its_root_volume_when_the_image_facts_arrive():
    from ec2tui.aws.models.launch import ImageFacts, LaunchRequest, VolumeSpec

    state = LaunchFormState(request=LaunchRequest(root_volume=VolumeSpec("", 12, "gp2")))
    state.touched.add("root_volume")  # as a restored draft marks it
    facts = ImageFacts(
        image_id="ami-12345678",
        architecture="x86_64",
        root_device_type="ebs",
        root_device_name="/dev/xvda",
        root_volume_size_gib=8,
        root_volume_type="standard",
    )
    state.use_image(facts)
    root = state.request.root_volume
    assert (root.device_name, root.size_gib, root.volume_type) == ("/dev/xvda", 12, "gp2")
    untouched = LaunchFormState()
    untouched.use_image(facts)
    assert untouched.request.root_volume.volume_type == "standard", "untouched: the AMI's own"


# -- point 10: typing is never overwritten by a refresh --------------------------------------------------------------


async def test_a_refresh_landing_while_the_user_types_loses_nothing(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await choose(pilot, form.query_one("#key-choice", Select), "new")
        name = form.query_one("#key-new-name", Input)
        directory = form.query_one("#key-directory", Input)
        before = directory.value
        # Keys typed, and before their Changed messages reach the form a lookup lands (as under load): the
        # interleaving is forced by running the lookup's refresh in the same turn, with no await between.
        name.focus()
        name.insert_text_at_cursor("k9")
        form.facts_changed()
        directory.focus()
        directory.insert_text_at_cursor("/x")
        form.facts_changed()
        form.load_sections()
        await settle(pilot)
        assert name.value == "k9" and form.request.key_pair.name == "k9"
        assert directory.value == before + "/x" and form.request.key_pair.directory == before + "/x"


# -- point 9: one region for the form, its review and its draft -----------------------------------------------------


async def test_the_form_moves_with_the_region_and_launches_there(launch_app):
    app = launch_app
    seed_images(DEFAULT_ACCOUNT_ID, "us-west-2", None, None)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await choose(pilot, form.query_one("#key-choice", Select), "none")
        await tab_to(pilot, "#name")
        await type_text(pilot, "moved")
        east_image = form.request.image_id
        east_name = form.state.quickstart_image(east_image).name
        app.set_region("us-west-2")
        app.navigate("regions")
        await settle(pilot)
        app.navigate("launch")
        await settle(pilot, 5)
        await wait_for(pilot, lambda: form.request.image_id != east_image and form.state.facts is not None)
        assert form.launch_region == "us-west-2"
        assert "Launch in us-west-2" in str(form.query_one("#launch-title", Static).render())
        assert any("moved from us-east-1 to us-west-2" in n for n in notifications(app))
        assert form.request.name == "moved", "everything but region-scoped IDs is kept"
        assert form.state.quickstart_image(form.request.image_id).name == east_name, "the same AMI, found again"
        review = await review_and_launch(pilot)
        assert review.launch_region == "us-west-2"
        assert len(instances_in("us-west-2")) == 1 and instances_in("us-east-1") == []


async def test_the_review_says_and_keeps_its_region_when_the_app_region_changes(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await choose(pilot, form.query_one("#key-choice", Select), "none")
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        app.set_region("us-west-2")
        app.navigate("regions")
        await settle(pilot)
        app.navigate("launch")
        await settle(pilot)
        assert pilot.app.screen is review
        title = str(review.query_one("#review-title", Static).render())
        assert "launches in us-east-1" in title and "now in us-west-2" in title
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LaunchedScreen))
        assert len(instances_in("us-east-1")) == 1 and instances_in("us-west-2") == []


# -- point 12 (form side): My AMIs ------------------------------------------------------------------------------------


async def test_the_form_picks_from_my_amis(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await wait_for(pilot, lambda: form.state.my_images)
        mine = form.state.my_images[0]
        select = form.query_one("#my-ami", Select)
        assert mine.id in [value for _, value in select._options]
        await choose(pilot, select, mine.id)
        await wait_for(pilot, lambda: form.state.facts is not None and form.state.facts.image_id == mine.id)
        assert form.request.image_id == mine.id and form.query_one("#image-id", Input).value == mine.id


# -- point 13: small truths -------------------------------------------------------------------------------------------


async def test_an_incomplete_ami_id_says_so_instead_of_looking_up_for_ever(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#image-id")
        form.query_one("#image-id", Input).value = ""
        await type_text(pilot, "ami-123")
        await settle(pilot)
        info = str(form.query_one("#ami-info", Static).render())
        assert "looking up" not in info and "8 or 17 hexadecimal digits" in info


async def test_io2_shows_no_throughput_and_the_public_ip_label_follows_the_subnet(launch_app, ec2):
    vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"])
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="172.31.240.0/24")["Subnet"]["SubnetId"]
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        root = form.section(StorageSection).root_row  # type: ignore[attr-defined]
        await choose(pilot, root.query_one(".vol-type", Select), "io2")
        assert not root.query_one(".vol-throughput", Input).display
        await choose(pilot, root.query_one(".vol-type", Select), "gp3")
        assert root.query_one(".vol-throughput", Input).display

        public = form.query_one("#public-ip", Select)
        await choose(pilot, form.query_one("#subnet", Select), private)
        assert "disabled" in str(public.query_one("#label", Static).render())


async def test_a_dry_run_answers_at_the_top_of_the_review(launch_app):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await choose(pilot, form.query_one("#key-choice", Select), "none")
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        review.query_one("#review-body").scroll_end(animate=False)
        await pilot.press("v")
        await wait_for(pilot, lambda: "Dry run ✓" in str(review.query_one("#review-answer", Static).render()))
        answer = review.query_one("#review-answer", Static)
        assert answer.display and review.query_one("#review-body").scroll_y == 0
        assert any("Dry run ✓" in n for n in notifications(app))


async def test_escape_leaves_the_field_then_the_form_and_help_is_reachable(launch_app, launch_env):
    app = launch_app
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await tab_to(pilot, "#name")
        await type_text(pilot, "kept")
        await pilot.press("f1")  # from inside a text field
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form and isinstance(app.focused, Input)
        await pilot.press("escape")  # out of the field: ? and : are keys again
        await settle(pilot)
        assert not isinstance(app.focused, Input)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert form.query_one("#name", Input).value == "kept"
        await pilot.press("escape")  # out of the form, the draft kept
        await settle(pilot)
        assert app.screen is not form and app.current_mode == "instances"
        store = form.keeper.store
        assert store is not None
        await wait_for(pilot, lambda: store.path.exists() and '"kept"' in store.path.read_text())


# -- point 2 (UI): a draft another process edits ------------------------------------------------------------------


async def test_a_draft_another_process_edits_is_told_and_ours_is_saved_beside_it(launch_app, launch_env):
    from ec2tui import drafts
    from ec2tui.aws.models.launch import LaunchRequest

    app = launch_app
    context = drafts.DraftContext(f"profile {app.profile_name}", DEFAULT_ACCOUNT_ID, "us-east-1")
    other = drafts.DraftStore(context)  # another process's hold (flock conflicts between open files)
    assert other.lock() == ""
    other.save(LaunchRequest(name="theirs"))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot)
            await wait_for(pilot, lambda: form.request.name == "theirs")
            assert any("is in use" in n and "another ec2tui process" in n for n in notifications(app))
            await tab_to(pilot, "#name")
            await pilot.press("end")  # (focus selects the field's text: typing would replace it)
            await type_text(pilot, "-mine")
            await wait_for(pilot, lambda: any("Your version is saved at" in n for n in notifications(app)))
            beside = form.keeper.store.beside
            assert beside is not None and str(beside) in "".join(notifications(app))
            assert form.request.name == "theirs-mine"
            await wait_for(pilot, lambda: '"theirs-mine"' in beside.read_text())
        assert drafts.load_draft(path=other.path).name == "theirs", "their draft is not overwritten"
    finally:
        other.unlock()
