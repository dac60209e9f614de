"""Guess the SSH login user from an AMI; build the ``ssh`` and Session Manager command lines. Pure Python."""

from __future__ import annotations

import re
import shlex

from ec2tui.aws.models.instances import Instance
from ec2tui.errors import ValidationError

# Checked in order: the first pattern found in the AMI's name, description or platform wins. Bitnami comes first
# because its images are named after the distribution underneath ("bitnami-wordpress-6.4-debian-12").
_USER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), user)
    for pattern, user in (
        (r"bitnami", "bitnami"),
        (r"ubuntu", "ubuntu"),
        (r"debian", "admin"),
        (r"centos", "centos"),
        (r"fedora", "fedora"),
        (r"rocky", "rocky"),
        (r"almalinux", "ec2-user"),
        (r"\brhel\b|red ?hat", "ec2-user"),
        (r"suse|\bsles\b", "ec2-user"),
        (r"amzn|amazon linux|\bal20\d\d\b|\bal2\b", "ec2-user"),
        (r"freebsd", "ec2-user"),
        (r"\bkali\b", "kali"),
        (r"\bnixos\b", "root"),
    )
)

DEFAULT_LINUX_USER = "ec2-user"
"""When nothing is recognised: the user of Amazon Linux, RHEL, SUSE and most AWS-built images."""


def default_ssh_user(
    image_name: str | None = None, platform: str | None = None, description: str | None = None
) -> str | None:
    """The likely login user for an instance of this AMI; ``None`` for Windows (connect with RDP instead).

    ``platform`` is the instance's ``PlatformDetails`` (``"Windows"``, ``"Red Hat Enterprise Linux"``...).
    Unrecognised Linux images get :data:`DEFAULT_LINUX_USER`.
    """
    texts = [text for text in (image_name, description, platform) if text]
    if any("windows" in text.lower() for text in texts):
        return None
    for text in texts:
        for pattern, user in _USER_PATTERNS:
            if pattern.search(text):
                return user
    return DEFAULT_LINUX_USER


def ssh_command(instance: Instance, user: str, key_dir: str = "~/.ssh") -> str:
    """``ssh -i ~/.ssh/<key>.pem <user>@<ip>``: public IP preferred, else private; no key pair, no ``-i``.

    Raises :class:`ValidationError` when the instance has no address (stopped or terminated) or the user is empty.
    """
    user = user.strip()
    if not user:
        raise ValidationError("Enter the login user for SSH.", "user")
    if any(ch.isspace() for ch in user) or "@" in user:
        raise ValidationError(f"'{user}' is not a valid login user.", "user")
    ip = instance.ssh_ip
    if not ip:
        raise ValidationError(
            f"{instance.id} has no IP address (it is {instance.state}); start it before connecting.", "instance"
        )
    parts = ["ssh"]
    if instance.key_name:
        parts += ["-i", _key_path(key_dir, f"{instance.key_name}.pem")]
    parts.append(shlex.quote(f"{user}@{ip}"))
    return " ".join(parts)


def ssm_command(instance: Instance, profile: str | None = None) -> str:
    """``aws ssm start-session --target i-... --region r [--profile p]``: a shell through Session Manager, with no
    SSH key, open port or public IP (Windows gets PowerShell). ``profile`` only when the user chose one."""
    parts = ["aws", "ssm", "start-session", "--target", instance.id, "--region", instance.region]
    if profile:
        parts += ["--profile", profile]
    return " ".join(shlex.quote(part) for part in parts)


def _key_path(key_dir: str, file_name: str) -> str:
    """Quote the path for a POSIX shell while keeping a leading ``~`` unquoted, so the shell still expands it."""
    key_dir = key_dir.rstrip("/") or "/"
    if key_dir == "~" or key_dir.startswith("~/"):
        rest = f"{key_dir[2:]}/{file_name}" if key_dir != "~" else file_name
        return "~/" + shlex.quote(rest.lstrip("/"))
    return shlex.quote(f"{key_dir}/{file_name}" if key_dir != "/" else f"/{file_name}")
