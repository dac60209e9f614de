"""State changes against moto, the typed terminate confirmation, SSH helpers and the pure model helpers."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ec2tui.aws import instance_actions as actions
from ec2tui.aws import instances as svc
from ec2tui.aws.models.instances import (
    Instance,
    InstanceState,
    SecurityGroupRule,
    format_age,
    state_role,
)
from ec2tui.aws.ssh import default_ssh_user, ssh_command, ssm_command
from ec2tui.errors import ValidationError

REGION = "us-east-1"


def run(ec2, count: int = 1) -> list[str]:
    response = ec2.run_instances(ImageId="ami-12c6146b", MinCount=count, MaxCount=count, InstanceType="t3.micro")
    return [i["InstanceId"] for i in response["Instances"]]


def states(ec2, ids: list[str]) -> dict[str, str]:
    response = ec2.describe_instances(InstanceIds=ids)
    return {i["InstanceId"]: i["State"]["Name"] for r in response["Reservations"] for i in r["Instances"]}


# -- state changes ----------------------------------------------------------------------------------------------
def test_stop_then_start_changes_moto_state(ec2):
    ids = run(ec2, 2)

    stopped = actions.stop_instances(ec2, ids)
    assert {c.instance_id for c in stopped} == set(ids)
    assert all(c.previous_state == "running" and c.current_state == "stopping" for c in stopped)
    assert set(states(ec2, ids).values()) == {"stopped"}

    started = actions.start_instances(ec2, ids[:1])
    assert [(c.instance_id, c.previous_state, c.current_state) for c in started] == [(ids[0], "stopped", "pending")]
    assert states(ec2, ids) == {ids[0]: "running", ids[1]: "stopped"}


def test_force_stop(ec2):
    (iid,) = run(ec2)
    assert actions.stop_instances(ec2, [iid], force=True)[0].current_state == "stopping"
    assert states(ec2, [iid])[iid] == "stopped"


def test_reboot_reports_the_state_read_afterwards(ec2):
    (iid,) = run(ec2)
    (change,) = actions.reboot_instances(ec2, [iid])
    assert (change.instance_id, change.previous_state, change.current_state) == (iid, "running", "running")


def test_terminate(ec2):
    keep, doomed = run(ec2, 2)
    (change,) = actions.terminate_instances(ec2, [f"  {doomed} ", doomed])  # stripped and de-duplicated
    assert change.instance_id == doomed and change.current_state == "shutting-down"
    assert states(ec2, [keep, doomed]) == {keep: "running", doomed: "terminated"}


@pytest.mark.parametrize("bad", [[], ["web-1"], ["i-123"], ["i-0123456789ABCDEF0"], ["vol-0123456789abcdef0"]])
def test_bad_ids_are_refused_before_calling_aws(ec2, bad):
    calls: list[str] = []
    ec2.meta.events.register("before-call.ec2.*", lambda event_name, **_: calls.append(event_name))
    with pytest.raises(ValidationError) as info:
        actions.terminate_instances(ec2, bad)
    assert info.value.field == "instance_ids"
    assert calls == []


# -- terminate confirmation -------------------------------------------------------------------------------------
ONE = "i-0123456789abcdef0"
TWO = "i-0fedcba9876543210"


def test_single_instance_confirmation_needs_its_exact_id():
    assert actions.terminate_confirmation_phrase([ONE]) == ONE
    assert actions.terminate_confirmation_ok(ONE, [ONE])
    assert actions.terminate_confirmation_ok(f"  {ONE}\n", [ONE])
    assert not actions.terminate_confirmation_ok(TWO, [ONE])
    assert not actions.terminate_confirmation_ok(ONE[:-1], [ONE])
    assert not actions.terminate_confirmation_ok(ONE.upper(), [ONE])
    assert not actions.terminate_confirmation_ok("", [ONE])
    assert not actions.terminate_confirmation_ok("yes", [ONE])


def test_several_instances_confirm_with_terminate_and_the_count():
    assert actions.terminate_confirmation_phrase([ONE, TWO, ONE]) == "terminate 2"
    assert actions.terminate_confirmation_ok(" terminate 2 ", [ONE, TWO])
    assert not actions.terminate_confirmation_ok("terminate 3", [ONE, TWO])
    assert not actions.terminate_confirmation_ok(ONE, [ONE, TWO])
    assert not actions.terminate_confirmation_ok("Terminate 2", [ONE, TWO])


def test_nothing_selected_is_never_confirmed():
    assert not actions.terminate_confirmation_ok("", [])
    assert not actions.terminate_confirmation_ok("terminate 0", [])


# -- ssh ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "platform", "description", "user"),
    [
        ("al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64", "Linux/UNIX", None, "ec2-user"),
        ("amzn2-ami-hvm-2.0.20180810-x86_64-gp2", None, None, "ec2-user"),
        ("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241004", "Linux/UNIX", None, "ubuntu"),
        ("debian-12-amd64-20240717-1811", "Linux/UNIX", None, "admin"),
        ("RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3", "Red Hat Enterprise Linux", None, "ec2-user"),
        ("suse-sles-15-sp6-v20240808-hvm-ssd-x86_64", "SUSE Linux", None, "ec2-user"),
        ("CentOS Stream 9 x86_64 20240909", "Linux/UNIX", None, "centos"),
        ("Fedora-Cloud-Base-40-1.14.x86_64-hvm-us-east-1-gp3-0", "Linux/UNIX", None, "fedora"),
        ("bitnami-wordpress-6.6.2-r0-debian-12-amd64", "Linux/UNIX", None, "bitnami"),
        ("kali-last-snapshot-amd64-2026.2.0", "Linux/UNIX", None, "kali"),
        ("nixos/25.05.806.abcdef-x86_64-linux", "Linux/UNIX", None, "root"),
        ("Windows_Server-2022-English-Full-Base-2024.10.09", "Windows", None, None),
        (None, "Windows", None, None),
        ("my-golden-image", "Linux/UNIX", "Ubuntu 22.04 with our agents", "ubuntu"),
        ("my-golden-image", "Linux/UNIX", None, "ec2-user"),
        (None, None, None, "ec2-user"),
    ],
)
def test_default_ssh_user(name, platform, description, user):
    assert default_ssh_user(name, platform, description) == user


def make_instance(**overrides) -> Instance:
    fields = dict(
        id=ONE,
        name="web",
        state="running",
        state_reason="",
        instance_type="t3.micro",
        image_id="ami-12345678",
        availability_zone="us-east-1a",
        private_ip="10.0.1.5",
        public_ip="54.1.2.3",
        public_dns="ec2-54-1-2-3.compute-1.amazonaws.com",
        key_name="deploy",
        launch_time=datetime(2024, 1, 1, tzinfo=UTC),
        platform="Linux/UNIX",
        architecture="x86_64",
        vpc_id="vpc-1",
        subnet_id="subnet-1",
        region=REGION,
    )
    fields.update(overrides)
    return Instance(**fields)


def test_ssm_command_targets_the_instance_in_its_region():
    instance = make_instance()
    assert ssm_command(instance) == f"aws ssm start-session --target {instance.id} --region {instance.region}"
    assert ssm_command(instance, "dev").endswith(f"--region {instance.region} --profile dev")


def test_ssh_command_prefers_public_ip_and_uses_the_key():
    assert ssh_command(make_instance(), "ubuntu") == "ssh -i ~/.ssh/deploy.pem ubuntu@54.1.2.3"
    assert ssh_command(make_instance(public_ip=None), "ec2-user") == "ssh -i ~/.ssh/deploy.pem ec2-user@10.0.1.5"
    assert ssh_command(make_instance(key_name=None), "admin") == "ssh admin@54.1.2.3"
    assert ssh_command(make_instance(), "ubuntu", key_dir="/opt/keys/") == "ssh -i /opt/keys/deploy.pem ubuntu@54.1.2.3"


def test_ssh_command_quotes_odd_key_names_but_keeps_tilde_expansion():
    command = ssh_command(make_instance(key_name="my key"), "ubuntu")
    assert command == "ssh -i ~/'.ssh/my key.pem' ubuntu@54.1.2.3"
    expanded = subprocess.run(
        ["bash", "-c", f"printf '%s\\n' {command.split(' -i ', 1)[1].rsplit(' ', 1)[0]}"],
        capture_output=True,
        text=True,
        env={"HOME": "/home/tester"},
        check=True,
    ).stdout
    assert expanded == "/home/tester/.ssh/my key.pem\n"


def test_ssh_command_refuses_without_an_address_or_user():
    with pytest.raises(ValidationError, match="no IP address"):
        ssh_command(make_instance(public_ip=None, private_ip=None, state="stopped"), "ubuntu")
    with pytest.raises(ValidationError) as info:
        ssh_command(make_instance(), "  ")
    assert info.value.field == "user"
    with pytest.raises(ValidationError):
        ssh_command(make_instance(), "root; rm -rf /")


# -- model helpers ------------------------------------------------------------------------------------------------
def test_age_and_state_helpers():
    launched = datetime(2024, 1, 1, tzinfo=UTC)
    instance = make_instance(launch_time=launched)
    assert instance.age_at(launched + timedelta(days=3, hours=4, minutes=59)) == "3d 4h"
    assert instance.age_at(launched + timedelta(hours=5, minutes=12)) == "5h 12m"
    assert format_age(7 * 60 + 3) == "7m" and format_age(40) == "40s" and format_age(-5) == "0s"
    assert make_instance(launch_time=None).age == ""
    assert make_instance(launch_time=datetime.now(UTC) - timedelta(minutes=2, seconds=5)).age == "2m"
    for state in ("pending", "stopping", "shutting-down", "rebooting"):
        assert make_instance(state=state).is_transitional
    for state in ("running", "stopped", "terminated"):
        assert not make_instance(state=state).is_transitional
    assert make_instance(state="running").state_role == "success"
    assert state_role(InstanceState.STOPPED) == "error" and state_role("weird") == ""
    assert make_instance(tags=(("Name", "web"), ("env", "prod"))).tag("env") == "prod"


@pytest.mark.parametrize(
    ("protocol", "from_port", "to_port", "label"),
    [
        ("tcp", 22, 22, ("TCP", "22")),
        ("udp", 1024, 65535, ("UDP", "1024-65535")),
        ("tcp", 0, 65535, ("TCP", "all")),
        ("-1", None, None, ("All", "all")),
        ("icmp", -1, -1, ("ICMP", "all")),
        ("icmp", 8, -1, ("ICMP", "type 8")),
        ("50", None, None, ("50", "all")),
    ],
)
def test_rule_labels(protocol, from_port, to_port, label):
    rule = SecurityGroupRule(protocol, from_port, to_port, ("0.0.0.0/0",))
    assert (rule.protocol_label, rule.port_label) == label


def test_models_and_pure_helpers_do_not_import_boto():
    code = (
        "import sys\n"
        "import ec2tui.aws.models.instances, ec2tui.aws.ssh, ec2tui.aws.instance_actions\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_list_reflects_a_state_change(ec2):
    (iid,) = run(ec2)
    actions.stop_instances(ec2, [iid])
    (instance,) = svc.list_instances(ec2, REGION)
    assert instance.state == "stopped" and not instance.is_transitional
