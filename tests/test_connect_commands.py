"""The command lines connecting builds (per OS family and option) and the readiness checks behind the offers."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from ec2tui.aws.connect_commands import (
    AwsContext,
    Method,
    port_forward_command,
    ssh_command,
    ssm_proxy_command,
    ssm_shell_command,
)
from ec2tui.aws.connect_readiness import (
    ConnectFacts,
    Exposure,
    KeySource,
    Offer,
    SsmPing,
    SsmStatus,
    assess,
    find_tools,
    first_available,
    missing_tools_message,
    port_exposure,
    resolve_key,
)
from ec2tui.aws.connect_service import decode_console_output, decrypt_password, one_time_key, ssm_status
from ec2tui.aws.models.instances import SecurityGroup, SecurityGroupRule
from ec2tui.connect_choices import ConnectChoice, load_choice, save_choice
from ec2tui.errors import ValidationError
from ec2tui.settings import load_ssh_keys
from tests.test_instances_actions import make_instance

AWS = AwsContext("eu-west-1", "prod admin", "http://127.0.0.1:5000")
ALL_TOOLS = {"ssh": True, "aws": True, "session-manager-plugin": True}


def group(port: int, *sources: str, protocol: str = "tcp") -> SecurityGroup:
    return SecurityGroup("sg-1", "g", "", (SecurityGroupRule(protocol, port, port, sources),))


def offers_of(**kwargs) -> dict[Method, tuple[bool, str]]:
    facts = {
        "instance": make_instance(),
        "ssh_user": "ubuntu",
        "tools": ALL_TOOLS,
        "ssm": SsmStatus(SsmPing.ONLINE),
        "key": resolve_key("deploy", {"deploy": "/k/deploy.pem"}, exists=lambda p: True),
        "security_groups": (group(22, "0.0.0.0/0"),),
    }
    facts.update(kwargs)
    return {offer.method: (offer.available, offer.reason) for offer in assess(ConnectFacts(**facts))}


# -- commands ----------------------------------------------------------------------------------------------------


def test_ssh_to_a_public_address_with_a_key_file():
    command = ssh_command("ubuntu", "54.1.2.3", key_file="~/.ssh/deploy.pem")
    assert command.argv == ("ssh", "-i", "~/.ssh/deploy.pem", "ubuntu@54.1.2.3")
    assert command.env == {}


def test_ssh_through_a_bastion_uses_proxyjump():
    command = ssh_command("ec2-user", "10.0.1.5", key_file=None, bastion="ops@bastion.example.com:2222")
    assert command.argv == ("ssh", "-J", "ops@bastion.example.com:2222", "ec2-user@10.0.1.5")


def test_ssh_over_ssm_carries_profile_region_and_endpoint_in_the_proxy_command_and_env():
    command = ssh_command("admin", "i-0abc", key_file="/k/a.pem", over_ssm=AWS)
    proxy = command.argv[command.argv.index("-o") + 1]
    assert proxy == (
        "ProxyCommand=aws ssm start-session --target %h --document-name AWS-StartSSHSession "
        "--parameters portNumber=%p --region eu-west-1 --profile 'prod admin' --endpoint-url http://127.0.0.1:5000"
    )
    assert proxy.removeprefix("ProxyCommand=") == ssm_proxy_command(AWS)
    assert command.argv[-1] == "admin@i-0abc"
    assert command.env == {
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_PROFILE": "prod admin",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
    }


def test_instance_connect_offers_only_the_one_time_key():
    command = ssh_command("ec2-user", "54.1.2.3", key_file="/tmp/x/id_ed25519", one_time_key=True)
    assert command.argv == ("ssh", "-i", "/tmp/x/id_ed25519", "-o", "IdentitiesOnly=yes", "ec2-user@54.1.2.3")


def test_ssm_shell_with_and_without_profile_and_endpoint():
    assert ssm_shell_command("i-1", AwsContext("us-east-1")).argv == (
        "aws",
        "ssm",
        "start-session",
        "--target",
        "i-1",
        "--region",
        "us-east-1",
    )
    assert ssm_shell_command("i-1", AWS).display == (
        "aws ssm start-session --target i-1 --region eu-west-1 --profile 'prod admin' "
        "--endpoint-url http://127.0.0.1:5000"
    )


def test_port_forward_to_the_instance_and_to_a_remote_host():
    local = port_forward_command("i-1", AwsContext("us-east-1"), 80, "8080")
    assert local.argv[5:9] == (
        "--document-name",
        "AWS-StartPortForwardingSession",
        "--parameters",
        '{"portNumber":["80"],"localPortNumber":["8080"]}',
    )
    assert "localhost:8080" in local.banner and "Ctrl+C" in local.banner
    remote = port_forward_command("i-1", AWS, "5432", 15432, "db.internal.example")
    assert remote.argv[6] == "AWS-StartPortForwardingSessionToRemoteHost"
    assert json.loads(remote.argv[8]) == {
        "host": ["db.internal.example"],
        "portNumber": ["5432"],
        "localPortNumber": ["15432"],
    }
    assert remote.argv[-6:] == ("--region", "eu-west-1", "--profile", "prod admin", "--endpoint-url", AWS.endpoint_url)
    assert "db.internal.example:5432 through i-1" in remote.banner


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ssh_command("", "1.2.3.4"), "Enter the login user"),
        (lambda: ssh_command("bad user", "1.2.3.4"), "not a valid login user"),
        (lambda: ssh_command("u", ""), "not a host name"),
        (lambda: ssh_command("u", "1.2.3.4", bastion="a b"), "not a bastion"),
        (lambda: ssh_command("u", "1.2.3.4", key_file="a\nb"), "line break"),
        (lambda: port_forward_command("i-1", AWS, "http", 1), "must be a number"),
        (lambda: port_forward_command("i-1", AWS, 22, 70000), "from 1 to 65535"),
        (lambda: port_forward_command("i-1", AWS, 22, 2222, "db;rm -rf"), "not a host name"),
    ],
)
def test_bad_fields_are_refused_with_a_message(call, message):
    with pytest.raises(ValidationError, match=message):
        call()


# -- readiness ---------------------------------------------------------------------------------------------------


def test_missing_tools_say_how_to_get_them(tmp_path):
    (tmp_path / "ssh").write_text("#!/bin/sh\n")
    (tmp_path / "ssh").chmod(0o755)
    tools = find_tools(lambda name: str(tmp_path / name) if (tmp_path / name).exists() else None)
    assert tools == {"ssh": True, "aws": False, "session-manager-plugin": False}
    message = missing_tools_message(["aws", "session-manager-plugin"], tools)
    assert "AWS CLI is not on PATH" in message and "install session-manager-plugin" in message
    assert missing_tools_message(["ssh"], tools) is None
    offers = offers_of(tools=tools)
    assert offers[Method.SSM_SHELL] == (False, message + "")
    assert offers[Method.PORT_FORWARD][0] is False and offers[Method.SSH_OVER_SSM][0] is False
    assert offers[Method.SSH_PUBLIC][0] is True


def test_stopped_instance_offers_nothing_and_says_start_it():
    offers = offers_of(instance=make_instance(state="stopped", public_ip=None))
    assert all(not available and "stopped: start it first" in why for available, why in offers.values())


def test_linux_without_public_ip_explains_and_ssm_is_the_way():
    offers = offers_of(instance=make_instance(public_ip=None))
    assert offers[Method.SSH_PUBLIC] == (False, "no public IP address: use SSH over SSM or the private address")
    assert offers[Method.SSH_OVER_SSM][0] and offers[Method.SSM_SHELL][0] and offers[Method.INSTANCE_CONNECT][0]


def test_agent_not_registered_names_the_missing_role():
    offers = offers_of(instance=make_instance(iam_profile_arn=None), ssm=SsmStatus(SsmPing.NOT_REGISTERED))
    available, why = offers[Method.SSM_SHELL]
    assert not available and "no IAM instance profile" in why and "AmazonSSMManagedInstanceCore" in why
    offers = offers_of(ssm=SsmStatus(SsmPing.CONNECTION_LOST))
    available, why = offers[Method.PORT_FORWARD]
    assert not available and why.startswith("Session Manager reports the agent ConnectionLost: it is not answering")
    assert "is amazon-ssm-agent running on the instance" in why
    offers = offers_of(ssm=SsmStatus(SsmPing.UNKNOWN, "AccessDeniedException"))
    assert offers[Method.SSM_SHELL][0] and "couldn't check" in offers[Method.SSM_SHELL][1]


def test_windows_gets_rdp_forward_and_password_not_ssh():
    offers = offers_of(instance=make_instance(platform="windows"), ssh_user=None)
    assert not offers[Method.SSH_PUBLIC][0] and "Windows runs no SSH server" in offers[Method.SSH_PUBLIC][1]
    assert offers[Method.INSTANCE_CONNECT] == (False, "EC2 Instance Connect supports Linux instances only")
    assert offers[Method.SSM_SHELL] == (True, "opens PowerShell")
    assert offers[Method.PORT_FORWARD][0] and offers[Method.WINDOWS_PASSWORD][0]
    assert list(offers)[:3] == [Method.WINDOWS_PASSWORD, Method.SSM_SHELL, Method.PORT_FORWARD]
    assert Method.SSH_OVER_SSM not in offers


def test_port_22_only_from_private_ranges_warns_on_the_public_offer():
    assert port_exposure([group(22, "10.40.0.0/16", "sg-9 (bastion)")]) == (
        Exposure.PRIVATE_ONLY,
        ["10.40.0.0/16", "sg-9 (bastion)"],
    )
    assert port_exposure([group(443, "0.0.0.0/0")])[0] == Exposure.CLOSED
    assert port_exposure([group(0, "::/0", protocol="-1")])[0] == Exposure.ANYWHERE
    assert port_exposure([group(22, "203.0.113.0/24 (office)")])[0] == Exposure.SOME_PUBLIC
    available, why = offers_of(security_groups=(group(22, "10.40.0.0/16"),))[Method.SSH_PUBLIC]
    assert available and "only from private ranges (10.40.0.0/16)" in why and "use SSH over SSM" in why


def test_key_file_resolution_order(tmp_path):
    pem = tmp_path / "ops.pem"
    pem.write_text("key")
    assert resolve_key("ops", {"ops": "/keys/ops.pem"}, ssh_dir=tmp_path, env={}).path == "/keys/ops.pem"
    found = resolve_key("ops", {}, ssh_dir=tmp_path, env={})
    assert (found.path, found.source) == (str(pem), KeySource.DEFAULT_PATH)
    agent = resolve_key("other", {}, ssh_dir=tmp_path, env={"SSH_AUTH_SOCK": "/tmp/agent"})
    assert (agent.path, agent.source) == (None, KeySource.AGENT)
    none = resolve_key("other", {}, ssh_dir=tmp_path, env={})
    assert none.source == KeySource.NONE and "no key file for key pair other" in none.note


def test_settings_key_map(tmp_path):
    path = tmp_path / "ssh-keys.toml"
    assert load_ssh_keys(path) == {}
    path.write_text('[keys]\n"ops-2026" = "~/keys/ops.pem"\n')
    assert load_ssh_keys(path) == {"ops-2026": "~/keys/ops.pem"}
    path.write_text("[keys]\nops = 3\n")
    with pytest.raises(ValidationError, match="must map key pair names"):
        load_ssh_keys(path)


def test_choices_are_remembered_per_instance(tmp_path):
    path = tmp_path / "state" / "connect-choices.json"
    assert load_choice("i-1", path) == ConnectChoice()
    save_choice("i-1", ConnectChoice("ssh-bastion", "ubuntu", "~/k.pem", "ops@bastion"), path)
    save_choice("i-2", ConnectChoice("forward", remote_port="5432", local_port="15432", remote_host="db"), path)
    assert load_choice("i-1", path).bastion == "ops@bastion"
    assert load_choice("i-2", path).remote_host == "db"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_text("{not json")
    assert load_choice("i-1", path) == ConnectChoice()


# -- AWS answers ---------------------------------------------------------------------------------------------------


class FakeSsm:
    def __init__(self, answer=None, error=None):
        self.answer, self.error = answer, error

    def describe_instance_information(self, **kwargs):
        assert kwargs == {"Filters": [{"Key": "InstanceIds", "Values": ["i-1"]}]}
        if self.error:
            raise self.error
        return self.answer


def test_ssm_status_online_missing_and_unknown():
    online = FakeSsm({"InstanceInformationList": [{"InstanceId": "i-1", "PingStatus": "Online"}]})
    assert ssm_status(online, "i-1").online
    assert ssm_status(FakeSsm({"InstanceInformationList": []}), "i-1").ping == SsmPing.NOT_REGISTERED
    unknown = ssm_status(FakeSsm(error=NotImplementedError()), "i-1")
    assert unknown.ping == SsmPing.UNKNOWN and unknown.detail == "NotImplementedError"


def test_console_output_is_decoded_without_terminal_escapes():
    raw = "[  OK  ] Started nginx\r\n\x1b[31mcloud-init: error in user data\x1b[0m\r\n"
    assert decode_console_output(base64.b64encode(raw.encode()).decode()) == (
        "[  OK  ] Started nginx\ncloud-init: error in user data\n"
    )
    assert decode_console_output(None) == ""


def test_windows_password_is_decrypted_with_the_key_file():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    encrypted = base64.b64encode(key.public_key().encrypt(b"S3cret!pw", padding.PKCS1v15())).decode()
    assert decrypt_password(encrypted, pem) == "S3cret!pw"
    with pytest.raises(ValidationError, match="not made the password yet"):
        decrypt_password("", pem)
    with pytest.raises(ValidationError, match="not an unencrypted PEM"):
        decrypt_password(encrypted, b"junk")
    # OpenSSL 3.2+ "decrypts" with a wrong key to random bytes (implicit rejection) instead of failing
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    with pytest.raises(ValidationError, match="This key does not decrypt the password"):
        decrypt_password(encrypted, other_pem)


def test_one_time_key_lives_in_a_private_folder_and_is_deleted():
    with one_time_key() as key:
        folder = key.private_key_path.parent
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(key.private_key_path).st_mode) == 0o600
        assert key.private_key_path.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
        assert key.public_key.startswith("ssh-ed25519 ")
    assert not Path(folder).exists()


def test_instance_connect_goes_over_session_manager_when_port_22_is_not_open_to_the_internet():
    private_only = (group(22, "10.40.0.0/16"),)
    available, why = offers_of(security_groups=private_only)[Method.INSTANCE_CONNECT]
    assert available and "then SSH over Session Manager (port 22 isn't open to the internet)" in why
    # no Session Manager here: the public address it is (and its offer warns about port 22)
    no_cli = {"ssh": True, "aws": False, "session-manager-plugin": False}
    available, why = offers_of(security_groups=private_only, tools=no_cli)[Method.INSTANCE_CONNECT]
    assert available and "then SSH over the public address" in why
    assert "then SSH over the public address" in offers_of()[Method.INSTANCE_CONNECT][1]  # port 22 open to all


def test_the_dialog_opens_on_a_route_that_works_before_a_warned_one_unless_remembered():
    offers = [
        Offer(Method.SSH_PUBLIC, True, "⚠ its security groups allow port 22 only from private ranges"),
        Offer(Method.SSH_OVER_SSM, True, ""),
        Offer(Method.SSM_SHELL, False, "not managed"),
    ]
    preferred = (Method.SSH_PUBLIC, Method.SSH_OVER_SSM)
    assert first_available(offers, preferred) == Method.SSH_OVER_SSM
    assert first_available(offers, preferred, remembered=Method.SSH_PUBLIC) == Method.SSH_PUBLIC
    assert first_available(offers, preferred, remembered=Method.SSM_SHELL) == Method.SSH_OVER_SSM  # unavailable
    assert first_available(offers[:1], preferred) == Method.SSH_PUBLIC  # warned, but the only one
    assert first_available(offers[2:], preferred) is None
