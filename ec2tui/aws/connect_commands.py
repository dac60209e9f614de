"""Command lines for connecting to an instance: SSH (direct, via a bastion, over SSM), Session Manager shells and
port forwards, EC2 Instance Connect's follow-up SSH. Pure Python: argv lists run without a shell.

Each command carries the AWS context (profile, region, endpoint) both as CLI flags and as environment variables,
so the ``aws`` the command starts (also the one in an SSH ``ProxyCommand``) talks to the same account and endpoint
as ec2tui. Nothing secret goes into an argv or an environment added here: credentials stay where the user keeps them.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from enum import StrEnum

from ec2tui.errors import ValidationError

PORT_PRESETS: dict[int, str] = {
    22: "SSH",
    80: "HTTP",
    443: "HTTPS",
    3306: "MySQL/MariaDB",
    5432: "PostgreSQL",
    3389: "RDP (Windows)",
}
"""Ports offered in the forward dialog, with what usually listens there."""

SSH_OVER_SSM_DOCUMENT = "AWS-StartSSHSession"
FORWARD_DOCUMENT = "AWS-StartPortForwardingSession"
FORWARD_REMOTE_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"


class Method(StrEnum):
    """The ways of connecting the connect dialog offers."""

    SSH_PUBLIC = "ssh-public"
    SSH_PRIVATE = "ssh-private"
    SSH_BASTION = "ssh-bastion"
    SSH_OVER_SSM = "ssh-ssm"
    SSM_SHELL = "ssm"
    INSTANCE_CONNECT = "instance-connect"
    PORT_FORWARD = "forward"
    WINDOWS_PASSWORD = "windows-password"


METHOD_LABELS: dict[Method, str] = {
    Method.SSH_PUBLIC: "SSH to the public address",
    Method.SSH_PRIVATE: "SSH to the private address (from inside the VPC or over a VPN)",
    Method.SSH_BASTION: "SSH to the private address through a bastion (ProxyJump)",
    Method.SSH_OVER_SSM: "SSH over Session Manager (no open port needed)",
    Method.SSM_SHELL: "Session Manager shell (no SSH key needed)",
    Method.INSTANCE_CONNECT: "EC2 Instance Connect (one-time key, pushed for 60 s)",
    Method.PORT_FORWARD: "Forward a port over Session Manager",
    Method.WINDOWS_PASSWORD: "Show the Windows Administrator password (decrypted with the key file)",
}


@dataclass(frozen=True)
class AwsContext:
    """Where the ``aws`` command must talk to: the profile, region and endpoint ec2tui itself uses."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None

    def cli_flags(self) -> list[str]:
        flags = ["--region", self.region]
        if self.profile:
            flags += ["--profile", self.profile]
        if self.endpoint_url:
            flags += ["--endpoint-url", self.endpoint_url]
        return flags

    def env(self) -> dict[str, str]:
        """Variables added to the user's environment (never credentials: the CLI finds them as ec2tui did)."""
        env = {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        if self.profile:
            env["AWS_PROFILE"] = self.profile
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env


@dataclass(frozen=True)
class Command:
    """One program to run in the terminal: ``argv`` (no shell), the variables added to the environment, and what
    the screen says before it starts."""

    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    title: str = ""
    banner: str = ""
    """Printed in the terminal before the program starts (e.g. the local port of a forward, how to end it)."""
    ended_by_ctrl_c: bool = False
    """Ctrl+C is how it normally ends (a port forward): exit status 130 is then no failure."""

    @property
    def display(self) -> str:
        """The command as a shell line (what "copy the command" copies and what a failure report shows)."""
        return shlex.join(self.argv)


# -- validation -----------------------------------------------------------------------------------------------------

_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
_BASTION = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_.-]*@)?[A-Za-z0-9.:\[\]-]+(?::\d{1,5})?$")


def check_user(user: str) -> str:
    user = user.strip()
    if not user:
        raise ValidationError("Enter the login user.", "user")
    if not _USER.match(user):
        raise ValidationError(f"'{user}' is not a valid login user (letters, digits, _ . -).", "user")
    return user


def check_host(host: str, what: str = "remote host") -> str:
    host = host.strip()
    if not host or not _HOST.match(host):
        raise ValidationError(f"'{host}' is not a host name or IP address; enter the {what}.", "host")
    return host


def check_bastion(bastion: str) -> str:
    """``[user@]host[:port]`` as ssh's ``-J`` takes it."""
    bastion = bastion.strip()
    if not bastion:
        raise ValidationError("Enter the bastion as [user@]host[:port].", "bastion")
    if not _BASTION.match(bastion):
        raise ValidationError(f"'{bastion}' is not a bastion; enter it as [user@]host[:port].", "bastion")
    return bastion


def check_port(value: str | int, what: str = "port") -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"The {what} must be a number from 1 to 65535 (got '{value}').", "port") from None
    if not 1 <= port <= 65535:
        raise ValidationError(f"The {what} must be from 1 to 65535 (got {port}).", "port")
    return port


def check_key_file(path: str | None) -> str | None:
    if path is None or not path.strip():
        return None
    path = path.strip()
    if any(ch in path for ch in "\n\r\0"):
        raise ValidationError("The key file path has a line break in it.", "key")
    return path


# -- builders -------------------------------------------------------------------------------------------------------


def ssm_proxy_command(aws: AwsContext) -> str:
    """The ``ProxyCommand`` that carries SSH over Session Manager (ssh fills in ``%h`` = instance ID, ``%p``)."""
    parts = ["aws", "ssm", "start-session", "--target", "%h", "--document-name", SSH_OVER_SSM_DOCUMENT]
    parts += ["--parameters", "portNumber=%p", *aws.cli_flags()]
    return " ".join(part if part in ("%h", "portNumber=%p") else shlex.quote(part) for part in parts)


def ssh_command(
    user: str,
    host: str,
    *,
    key_file: str | None = None,
    bastion: str | None = None,
    over_ssm: AwsContext | None = None,
    one_time_key: bool = False,
    title: str = "SSH",
) -> Command:
    """``ssh [-i key] [-J bastion | -o ProxyCommand=…] user@host``.

    ``over_ssm``: ``host`` is the instance ID and the connection goes through Session Manager. ``one_time_key``: only
    that key is offered (Instance Connect's key; an agent's keys would be tried first and count as failures).
    """
    user = check_user(user)
    argv = ["ssh"]
    key_file = check_key_file(key_file)
    if key_file:
        argv += ["-i", key_file]
        if one_time_key:
            argv += ["-o", "IdentitiesOnly=yes"]
    env: dict[str, str] = {}
    if over_ssm is None:
        host = check_host(host, "address")
    if over_ssm is not None:
        argv += ["-o", f"ProxyCommand={ssm_proxy_command(over_ssm)}"]
        env = over_ssm.env()
    elif bastion:
        argv += ["-J", check_bastion(bastion)]
    argv.append(f"{user}@{host}")
    return Command(tuple(argv), env, title)


def ssm_shell_command(instance_id: str, aws: AwsContext) -> Command:
    """``aws ssm start-session --target i-…``: a shell (PowerShell on Windows) with no key, port or public IP."""
    argv = ("aws", "ssm", "start-session", "--target", instance_id, *aws.cli_flags())
    return Command(argv, aws.env(), "Session Manager shell", "Type 'exit' to end the session and return to ec2tui.")


def port_forward_command(
    instance_id: str,
    aws: AwsContext,
    remote_port: int | str,
    local_port: int | str,
    remote_host: str | None = None,
) -> Command:
    """A Session Manager port forward: ``localhost:local_port`` → the instance's ``remote_port``, or through the
    instance to ``remote_host:remote_port`` (a database in a private subnet)."""
    remote = check_port(remote_port, "remote port")
    local = check_port(local_port, "local port")
    parameters: dict[str, list[str]] = {"portNumber": [str(remote)], "localPortNumber": [str(local)]}
    document = FORWARD_DOCUMENT
    target = f"{instance_id}:{remote}"
    if remote_host and remote_host.strip():
        host = check_host(remote_host)
        parameters = {"host": [host], **parameters}
        document = FORWARD_REMOTE_DOCUMENT
        target = f"{host}:{remote} through {instance_id}"
    argv = (
        "aws",
        "ssm",
        "start-session",
        "--target",
        instance_id,
        "--document-name",
        document,
        "--parameters",
        json.dumps(parameters, separators=(",", ":")),
        *aws.cli_flags(),
    )
    banner = (
        f"Forwarding localhost:{local} → {target}. Connect your client to localhost:{local}. "
        "This runs in the foreground: press Ctrl+C to end it and return to ec2tui."
    )
    return Command(argv, aws.env(), f"Port forward localhost:{local} → {target}", banner, ended_by_ctrl_c=True)
