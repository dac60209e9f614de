"""The CLI export describes the same request: parsed back with shlex, run through a real shell, and parsed by
awscli's own argument parser when awscli is installed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from ec2tui.aws.cli_export import cli_command, cli_input_json, cli_script, kebab
from ec2tui.aws.models.launch import (
    NEW_GROUP_PLACEHOLDER,
    AdvancedSpec,
    ImageFacts,
    IngressRule,
    LaunchRequest,
    NewSecurityGroup,
    Tag,
    VolumeSpec,
    apply_image,
    to_run_instances_params,
)

IMAGE = ImageFacts("ami-0123456789abcdef0", root_device_name="/dev/xvda", root_volume_size_gib=8)
USER_DATA = '#!/bin/bash\necho "it\'s $HOME" `date` \\ done\n'


def full_request(public_ip: bool | None = None) -> LaunchRequest:
    request = LaunchRequest(name="web 'prod' $1", instance_type="t3.small", user_data=USER_DATA)
    apply_image(request, IMAGE)
    request.tags = [Tag("cost center", 'a "b" c'), Tag("empty", "")]
    request.key_pair.name = "my key"
    request.network.subnet_id = "subnet-0aaaaaaaaaaaaaaaa"
    request.network.public_ip = public_ip
    request.security_groups.existing_ids = ["sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"]
    request.root_volume.size_gib, request.root_volume.iops, request.root_volume.encrypted = 20, 3000, True
    request.volumes = [VolumeSpec("/dev/sdf", 200, "st1", delete_on_termination=False)]
    request.min_count, request.max_count = 1, 3
    request.advanced = AdvancedSpec("web-role", "required", "terminate", False, True, "spot", "0.05")
    return request


def shell_words(command: str) -> list[str]:
    """shlex.split after joining our line continuations (shlex doesn't do backslash-newline like a shell)."""
    return shlex.split(command.replace(" \\\n    ", " "))


def parse_back(command: str) -> tuple[dict, dict]:
    """Map every flag of an ``aws ec2 run-instances`` command back to boto3 params (and the global options)."""
    words = shell_words(command)
    assert words[:3] == ["aws", "ec2", "run-instances"]
    params: dict = {}
    options: dict = {}
    i = 3
    while i < len(words):
        flag = words[i]
        assert flag.startswith("--"), f"unexpected word {flag!r}"
        values = []
        i += 1
        while i < len(words) and not words[i].startswith("--"):
            values.append(words[i])
            i += 1
        match flag:
            case "--image-id":
                params["ImageId"] = values[0]
            case "--instance-type":
                params["InstanceType"] = values[0]
            case "--count":
                low, _, high = values[0].partition(":")
                params["MinCount"], params["MaxCount"] = int(low), int(high or low)
            case "--key-name":
                params["KeyName"] = values[0]
            case "--subnet-id":
                params["SubnetId"] = values[0]
            case "--security-group-ids":
                params["SecurityGroupIds"] = values
            case "--network-interfaces" | "--block-device-mappings" | "--tag-specifications":
                params[
                    {"--network-interfaces": "NetworkInterfaces"}.get(flag, "")
                    or {"--block-device-mappings": "BlockDeviceMappings"}.get(flag, "TagSpecifications")
                ] = json.loads(values[0])
            case "--user-data":
                params["UserData"] = values[0]
            case "--iam-instance-profile" | "--metadata-options" | "--monitoring" | "--instance-market-options":
                name = {
                    "--iam-instance-profile": "IamInstanceProfile",
                    "--metadata-options": "MetadataOptions",
                    "--instance-market-options": "InstanceMarketOptions",
                }
                params[name.get(flag, "Monitoring")] = json.loads(values[0])
            case "--instance-initiated-shutdown-behavior":
                params["InstanceInitiatedShutdownBehavior"] = values[0]
            case "--disable-api-termination":
                assert not values
                params["DisableApiTermination"] = True
                continue
            case "--region":
                options["region"] = values[0]
            case _:
                raise AssertionError(f"unknown flag {flag}")
        assert len(values) == 1 or flag == "--security-group-ids", (flag, values)
    return params, options


@pytest.mark.parametrize("public_ip", [None, True, False])
def test_cli_command_parses_back_to_the_same_params(public_ip):
    params = to_run_instances_params(full_request(public_ip))
    command = cli_command(params, region="eu-west-1")
    parsed, options = parse_back(command)
    assert parsed == params and options == {"region": "eu-west-1"}
    assert ("NetworkInterfaces" in parsed) == (public_ip is not None)
    one_line = cli_command(params, multiline=False)
    assert "\n" not in one_line.replace(shlex.quote(USER_DATA), "") and parse_back(one_line)[0] == params


def test_command_is_readable():
    command = cli_command(to_run_instances_params(full_request()))
    lines = command.splitlines()
    assert lines[0] == "aws ec2 run-instances \\"
    assert lines[1].strip() == "--image-id ami-0123456789abcdef0 \\"
    assert lines[2].strip() == "--instance-type t3.small \\" and lines[3].strip() == "--count 1:3 \\"
    assert "--security-group-ids sg-0aaaaaaaaaaaaaaaa sg-0bbbbbbbbbbbbbbbb \\" in command
    assert "--key-name 'my key'" in command


def test_cli_input_json_is_the_params():
    params = to_run_instances_params(full_request(True))
    assert json.loads(cli_input_json(params)) == params


def test_kebab_case_for_other_parameters():
    assert kebab("EbsOptimized") == "--ebs-optimized" and kebab("IamInstanceProfile") == "--iam-instance-profile"
    command = cli_command({"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "EbsOptimized": False, "DryRun": True})
    assert "--no-ebs-optimized" in command and "--dry-run" in command


FAKE_AWS = """#!{python}
import json, os, sys
with open(os.environ["AWS_CALLS"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["ec2", "create-security-group"]:
    print("sg-0f00f00f00f00f00f")
elif sys.argv[1:3] == ["ec2", "create-key-pair"]:
    print("-----BEGIN OPENSSH PRIVATE KEY-----")
"""


def test_script_runs_in_a_real_shell_with_the_same_arguments(tmp_path):
    """A fake ``aws`` on PATH records its argv: the shell must hand it exactly our params."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.format(python=sys.executable))
    fake.chmod(0o755)
    request = full_request(public_ip=True)
    request.key_pair.choice, request.key_pair.name = "new", "fresh"
    request.key_pair.directory = str(tmp_path / "keys")
    (tmp_path / "keys").mkdir()
    request.security_groups.new_group = NewSecurityGroup(
        "web (new)",
        "web: tier",
        [IngressRule("tcp", 443, 443, "0.0.0.0/0", "https"), IngressRule("all", None, None, "::/0")],
    )
    script = tmp_path / "launch.sh"
    script.write_text(cli_script(request, region="us-east-1"))
    calls = tmp_path / "calls.jsonl"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "AWS_CALLS": str(calls)}
    subprocess.run(["bash", str(script)], check=True, env=env, cwd=tmp_path)

    create_key, create_group, authorize, run = [json.loads(line) for line in calls.read_text().splitlines()]
    assert create_key[:6] == ["ec2", "create-key-pair", "--key-name", "fresh", "--key-type", "ed25519"]
    key_file = tmp_path / "keys" / "fresh.pem"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_group[:6] == [
        "ec2",
        "create-security-group",
        "--group-name",
        "web (new)",
        "--description",
        "web: tier",
    ]
    assert authorize[:4] == ["ec2", "authorize-security-group-ingress", "--group-id", "sg-0f00f00f00f00f00f"]
    assert json.loads(authorize[5]) == [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
        },
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
    ]
    parsed, options = parse_back(shlex.join(["aws", *run]))
    expected = to_run_instances_params(request, new_group_id="sg-0f00f00f00f00f00f")
    assert parsed == expected and options == {"region": "us-east-1"}
    assert parsed["UserData"] == USER_DATA and parsed["NetworkInterfaces"][0]["Groups"][-1] == "sg-0f00f00f00f00f00f"

    # Run again: the key file exists, so the script stops before creating anything.
    calls.unlink()
    done = subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, capture_output=True)
    assert done.returncode != 0 and not calls.exists()


def test_placeholder_survives_shlex_when_not_run():
    request = full_request()
    request.security_groups.new_group = NewSecurityGroup("g", "d", [])
    parsed, _ = parse_back(cli_command(to_run_instances_params(request)))
    assert parsed["SecurityGroupIds"][-1] == NEW_GROUP_PLACEHOLDER


def test_awscli_parses_the_command_into_the_same_params():
    """awscli's own parser (with its --count customisation) turns our command into the same API params."""
    clidriver = pytest.importorskip("awscli.clidriver")
    captured: list[dict] = []

    def capture(params, **_):
        captured.append(dict(params))
        raise RuntimeError("captured: stop before sending")

    for public_ip in (None, True, False):
        params = to_run_instances_params(full_request(public_ip))
        captured.clear()
        driver = clidriver.create_clidriver()
        driver.session.register("provide-client-params.ec2.RunInstances", capture)
        driver.main(shell_words(cli_command(params, region="us-east-1"))[1:])
        assert captured == [params]


def test_termination_protection_is_a_bare_flag():
    request = full_request()
    request.advanced = AdvancedSpec(termination_protection=True)
    params = to_run_instances_params(request)
    command = cli_command(params)
    assert command.endswith(" \\\n    --disable-api-termination")
    assert parse_back(command)[0] == params


def test_an_image_never_compares_with_or_replaces_a_size_still_being_typed():
    """The fuzz found it: text in the size field made apply_image raise TypeError in the form's image worker."""
    request = LaunchRequest(name="x", instance_type="t3.small")
    request.root_volume.size_gib = "2x"  # type: ignore[assignment]  # what the storage field holds mid-typing
    apply_image(request, IMAGE)
    assert request.root_volume.size_gib == "2x" and request.image_id == IMAGE.image_id
    request.root_volume.size_gib = 4
    apply_image(request, IMAGE)
    assert request.root_volume.size_gib == 8, "a number below the snapshot's size still grows to it"
    apply_image(request, ImageFacts("ami-0123456789abcdef1"))
    assert request.root_volume.size_gib == 8, "an image with no known size leaves the size alone"
