"""The CLI export describes the same request: parsed back with shlex, run through a real shell, and parsed by
awscli's own argument parser when awscli is installed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ec2tui.aws.cli_export import (
    cli_command,
    cli_input_json,
    cli_script,
    fill_new_group_id,
    json_export,
    kebab,
    quote,
    run_instances_json,
)
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
from tests.moto_servers import find_aws_cli

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
    assert "\n" not in one_line.replace(quote(USER_DATA), "") and parse_back(one_line)[0] == params


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
answers = {
    "create-security-group": "sg-0f00f00f00f00f00f",
    "create-key-pair": os.environ.get("KEY_MATERIAL", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    "describe-key-pairs": "0",
    "describe-vpcs": "vpc-0d0d0d0d0d0d0d0d0",
    "describe-security-groups": "None",
}
if sys.argv[2] in answers:
    print(answers[sys.argv[2]])  # what the CLI's --output text prints: the value and a newline
"""
CREATES = ("create-key-pair", "create-security-group", "authorize-security-group-ingress", "run-instances")


def test_script_runs_in_a_real_shell_with_the_same_arguments(tmp_path):
    """A fake ``aws`` on PATH records its argv: the shell must hand it exactly our params."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.replace("{python}", sys.executable))
    fake.chmod(0o755)
    request = full_request(public_ip=True)
    request.key_pair.choice, request.key_pair.name = "new", "fresh"
    request.key_pair.directory = str(tmp_path / "keys")
    (tmp_path / "keys").mkdir()
    request.security_groups.new_group = NewSecurityGroup(
        "web-${NEW_SG_ID} (new)",
        "web: `tier` $HOME",
        [IngressRule("tcp", 443, 443, "0.0.0.0/0", "https"), IngressRule("all", None, None, "::/0")],
    )
    script = tmp_path / "launch.sh"
    script.write_text(cli_script(request, region="us-east-1"))
    calls = tmp_path / "calls.jsonl"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "AWS_CALLS": str(calls)}
    subprocess.run(["bash", str(script)], check=True, env=env, cwd=tmp_path)

    calls_made = [json.loads(line) for line in calls.read_text().splitlines()]
    create_key, create_group, authorize, run = [c for c in calls_made if c[1] in CREATES]
    assert create_key[:8] == [
        "ec2",
        "create-key-pair",
        "--key-name",
        "fresh",
        "--key-type",
        "ed25519",
        "--key-format",
        "pem",
    ]
    key_file = tmp_path / "keys" / "fresh.pem"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_group[:6] == [
        "ec2",
        "create-security-group",
        "--group-name",
        "web-${NEW_SG_ID} (new)",
        "--description",
        "web: `tier` $HOME",
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
    client_token = run[run.index("--client-token") + 1]
    del run[run.index("--client-token") : run.index("--client-token") + 2]
    parsed, options = parse_back(shlex.join(["aws", *run]))
    expected = to_run_instances_params(request, new_group_id="sg-0f00f00f00f00f00f")
    assert parsed == expected and options == {"region": "us-east-1"} and client_token
    assert parsed["UserData"] == USER_DATA and parsed["NetworkInterfaces"][0]["Groups"][-1] == "sg-0f00f00f00f00f00f"

    # Run again where the key file exists but AWS has no such key pair: the script stops before creating anything
    # and says why.
    calls.unlink()
    done = subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "never overwritten" in done.stderr
    assert [c[1] for c in map(json.loads, calls.read_text().splitlines())] == ["describe-key-pairs"]


def test_placeholder_survives_shlex_when_not_run():
    request = full_request()
    request.security_groups.new_group = NewSecurityGroup("g", "d", [])
    parsed, _ = parse_back(cli_command(to_run_instances_params(request)))
    assert parsed["SecurityGroupIds"][-1] == NEW_GROUP_PLACEHOLDER


# Runs in the AWS CLI's own venv: hands each command line to awscli's driver and prints the API params it built.
CAPTURE = """
import json, sys
from awscli import clidriver

def capture(params, **_):
    print(json.dumps(params))
    raise SystemExit(0)  # stop before sending

for line in sys.stdin:
    driver = clidriver.create_clidriver()
    driver.session.register("provide-client-params.ec2.RunInstances", capture)
    try:
        driver.main(json.loads(line))
    except SystemExit:
        pass
"""


def test_awscli_parses_the_command_into_the_same_params(tmp_path):
    """awscli's own parser (with its --count customisation and its file/URL loading) turns our command into the
    same API params. Uses the AWS CLI of the round-trip tests (.ci-awscli or $EC2TUI_AWS_CLI)."""
    aws = find_aws_cli(Path(__file__).resolve().parent.parent)
    if aws is None:
        pytest.skip("The AWS CLI is not installed: set EC2TUI_AWS_CLI=/path/to/aws, or run .ci/run.")
    python = Path(aws).with_name("python")
    requests = [to_run_instances_params(full_request(public_ip)) for public_ip in (None, True, False)]
    odd = {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "KeyName": "-dash", "UserData": "https://example.com/x"}
    requests.append(odd)
    lines = "".join(json.dumps(shell_words(cli_command(p, region="us-east-1"))[1:]) + "\n" for p in requests)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "HOME": str(tmp_path),
    }
    done = subprocess.run([str(python), "-c", CAPTURE], input=lines, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == requests


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


def run_with_fake_aws(tmp_path, script_text, **env_extra):
    """Run a script with the recording fake ``aws`` first on PATH; returns (process, calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.replace("{python}", sys.executable))
    fake.chmod(0o755)
    script = tmp_path / "launch.sh"
    script.write_text(script_text)
    calls = tmp_path / "calls.jsonl"
    calls.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "AWS_CALLS": str(calls), **env_extra}
    done = subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, capture_output=True, text=True)
    made = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    return done, made


def test_user_values_are_never_expanded_even_under_set_u(tmp_path):
    """Point 3: ``${NEW_SG_ID}``, ``$VARS`` and backticks typed by the user reach AWS as typed; only the generated
    group-id arguments use the variable (a group named ``web-${NEW_SG_ID}`` used to stop on "unbound variable")."""
    typed = "web-${NEW_SG_ID} $HOME `id` $(id) '\"\\"
    request = full_request(public_ip=True)
    request.name = typed
    request.tags = [Tag(typed, typed)]
    request.user_data = typed + "\r\n${NEW_SG_ID}\n"
    request.key_pair.choice, request.key_pair.name = "existing", "k"
    request.security_groups.new_group = NewSecurityGroup("web-${NEW_SG_ID}", typed, [IngressRule(description=typed)])
    script = cli_script(request, region="us-east-1")
    assert script.count('"$NEW_SG_ID"') == script.count("$NEW_SG_ID"), "only generated references, always quoted"
    done, calls = run_with_fake_aws(tmp_path, script)
    assert done.returncode == 0, done.stderr
    create_group = next(c for c in calls if c[1] == "create-security-group")
    assert create_group[2:6] == ["--group-name", "web-${NEW_SG_ID}", "--description", typed.strip()]
    authorize = next(c for c in calls if c[1] == "authorize-security-group-ingress")
    assert json.loads(authorize[5])[0]["IpRanges"][0]["Description"] == typed
    run = next(c for c in calls if c[1] == "run-instances")
    del run[run.index("--client-token") : run.index("--client-token") + 2]
    parsed, _ = parse_back(shlex.join(["aws", *run]))
    assert parsed == to_run_instances_params(request, new_group_id="sg-0f00f00f00f00f00f")
    assert parsed["UserData"] == request.user_data


def test_a_value_the_cli_would_fetch_or_take_for_an_option_is_passed_as_it_is():
    """AWS CLI v1 reads a top-level value starting with file://, http:// ... from there; a value starting with -
    would be taken for an option. Such values go in --cli-input-json or attached with =."""
    params = {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "KeyName": "-dash", "UserData": "https://x/y"}
    words = shell_words(cli_command(params))
    assert "--key-name=-dash" in words
    assert json.loads(words[words.index("--cli-input-json") + 1]) == {"UserData": "https://x/y"}


@pytest.mark.parametrize(
    "material", ["-----BEGIN K-----\nabc\n-----END K-----", "-----BEGIN K-----\nabc\n-----END K-----\n"]
)
def test_the_key_file_has_the_bytes_the_app_writes(tmp_path, material):
    """Point 5: from the same key material, the script's .pem is byte-identical to ec2tui's (0600, folder 0700
    created when missing), and it is written only from a successful create-key-pair."""
    from ec2tui.aws.network import create_key_pair

    class Ec2:
        def create_key_pair(self, **kwargs):
            assert kwargs["KeyFormat"] == "pem"
            return {"KeyMaterial": material}

    app_file = create_key_pair(Ec2(), "k", "rsa", str(tmp_path / "app-keys"))
    request = LaunchRequest(image_id="ami-1", instance_type="t3.micro")
    request.key_pair.choice, request.key_pair.name, request.key_pair.key_type = "new", "k", "rsa"
    request.key_pair.directory = str(tmp_path / "deep" / "keys")
    done, _ = run_with_fake_aws(tmp_path, cli_script(request), KEY_MATERIAL=material)
    assert done.returncode == 0, done.stderr
    script_file = tmp_path / "deep" / "keys" / "k.pem"
    assert script_file.read_bytes() == Path(app_file).read_bytes()
    assert oct(script_file.stat().st_mode & 0o777) == "0o600"
    assert oct(script_file.parent.stat().st_mode & 0o777) == "0o700"


def test_a_failed_create_key_pair_leaves_no_file(tmp_path):
    request = LaunchRequest(image_id="ami-1", instance_type="t3.micro")
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k", str(tmp_path / "keys")
    failing = cli_script(request)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text('#!/bin/sh\n[ "$2" = describe-key-pairs ] && echo 0 && exit 0\nexit 255\n')
    (bin_dir / "aws").chmod(0o755)
    (tmp_path / "launch.sh").write_text(failing)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(tmp_path / "launch.sh")], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and not (tmp_path / "keys" / "k.pem").exists()


@pytest.mark.parametrize(
    "folder_problem, message",
    [("symlink", "symbolic link"), ("world-writable", "writable by every user"), ("file", "not a folder")],
)
def test_an_unsafe_key_folder_is_refused_before_anything_is_created(tmp_path, folder_problem, message):
    folder = tmp_path / "keys"
    if folder_problem == "symlink":
        (tmp_path / "real").mkdir()
        folder.symlink_to(tmp_path / "real")
    elif folder_problem == "world-writable":
        folder.mkdir()
        folder.chmod(0o777)
    else:
        folder.write_text("")
    request = LaunchRequest(image_id="ami-1", instance_type="t3.micro")
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k", str(folder)
    done, calls = run_with_fake_aws(tmp_path, cli_script(request))
    assert done.returncode != 0 and message in done.stderr
    assert [c[1] for c in calls] == ["describe-key-pairs"]


def test_json_is_runnable_when_nothing_is_created():
    request = full_request(True)
    export = json_export(request, "eu-west-1")
    assert export.runnable and json.loads(export.text) == to_run_instances_params(request)
    assert "--cli-input-json" in export.note


def test_json_lists_every_call_when_the_launch_creates_a_key_pair_and_group():
    """Point 4: with a new key pair / group the run_instances JSON alone is unusable; the export says so and holds
    every call, the new group's id going exactly where NewGroupIdAt says (not into a user value with that text)."""
    request = full_request(True)
    request.tags = [Tag("t", NEW_GROUP_PLACEHOLDER)]
    request.key_pair.choice, request.key_pair.name = "new", "fresh"
    request.security_groups.new_group = NewSecurityGroup(" g ", " d ", [IngressRule()])
    export = json_export(request, "eu-west-1")
    assert not export.runnable and "key pair and a security group" in export.note
    document = json.loads(export.text)
    steps = document["Steps"]
    assert [s["Command"] for s in steps] == [
        "create-key-pair",
        "create-security-group",
        "authorize-security-group-ingress",
        "run-instances",
    ]
    assert steps[0]["Input"] == {"KeyName": "fresh", "KeyType": "ed25519", "KeyFormat": "pem"}
    assert steps[1]["Input"] == {"GroupName": "g", "Description": "d"}
    assert steps[2]["NewGroupIdAt"] == [["GroupId"]]
    assert steps[3]["NewGroupIdAt"] == [["NetworkInterfaces", 0, "Groups", 2]]
    assert fill_new_group_id(steps[3], "sg-9") == to_run_instances_params(request, new_group_id="sg-9")
    assert run_instances_json(request, "sg-9") == cli_input_json(to_run_instances_params(request, new_group_id="sg-9"))
    with pytest.raises(ValueError):
        run_instances_json(request)


LOSSY_AWS = """#!{python}
import json, os, sys
state = os.environ["AWS_STATE"]
made = open(state).read().split() if os.path.exists(state) else []
with open(os.environ["AWS_CALLS"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
op = sys.argv[2]
if op in ("create-key-pair", "create-security-group"):
    open(state, "a").write(op + "\\n")
    if os.environ["LOSE"] == op:
        sys.exit(255)  # AWS did it, but the answer never arrived
print({
    "describe-key-pairs": "1" if "create-key-pair" in made else "0",
    "describe-vpcs": "vpc-0d0d0d0d0d0d0d0d0",
    "describe-security-groups": "sg-0lost" if "create-security-group" in made else "None",
    "create-key-pair": "-----BEGIN K-----",
    "create-security-group": "sg-0lost",
}.get(op, "{}"))
"""


@pytest.mark.parametrize("lose", ["create-key-pair", "create-security-group"])
def test_a_create_whose_answer_was_lost_is_still_rolled_back(tmp_path, lose):
    """The CLI failed after AWS created the key pair / group: the rollback looks it up and deletes it, so nothing is
    orphaned (and the key file, never written for a lost key, is not touched)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(LOSSY_AWS.replace("{python}", sys.executable))
    (bin_dir / "aws").chmod(0o755)
    request = LaunchRequest(image_id="ami-1", instance_type="t3.micro")
    request.key_pair.choice, request.key_pair.name, request.key_pair.directory = "new", "k", str(tmp_path / "keys")
    request.security_groups.new_group = NewSecurityGroup("g", "d", [])
    (tmp_path / "launch.sh").write_text(cli_script(request, region="us-east-1"))
    calls = tmp_path / "calls.jsonl"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AWS_CALLS": str(calls),
        "AWS_STATE": str(tmp_path / "state"),
        "LOSE": lose,
    }
    done = subprocess.run(["bash", str(tmp_path / "launch.sh")], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    made = [json.loads(line)[1] for line in calls.read_text().splitlines()]
    assert "run-instances" not in made and "delete-key-pair" in made
    assert ("delete-security-group" in made) == (lose == "create-security-group")
    assert "Rolled back: deleted the key pair" in done.stderr
    assert not (tmp_path / "keys" / "k.pem").exists()
