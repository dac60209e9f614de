"""The AWS calls connecting needs (plain synchronous boto3): Session Manager registration, console output, the
Windows password, and EC2 Instance Connect's key push with its one-time key."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ec2tui.aws.connect_readiness import SsmPing, SsmStatus
from ec2tui.errors import Ec2TuiError, ValidationError

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def ssm_status(ssm: Any, instance_id: str) -> SsmStatus:
    """Whether Session Manager knows the instance (``DescribeInstanceInformation``). A failed call is UNKNOWN with
    the reason, not an error: connecting may still work, and the session itself will say why not."""
    try:
        answer = ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": [instance_id]}])
    except Exception as exc:  # AccessDenied, an emulator without the call…: the offer says it couldn't check
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
        return SsmStatus(SsmPing.UNKNOWN, f"{code or type(exc).__name__}")
    for info in answer.get("InstanceInformationList", []):
        if info.get("InstanceId") == instance_id:
            try:
                ping = SsmPing(info.get("PingStatus", ""))
            except ValueError:
                ping = SsmPing.UNKNOWN
            return SsmStatus(ping, info.get("PingStatus", ""), info.get("PlatformName"))
    return SsmStatus(SsmPing.NOT_REGISTERED)


def decode_console_output(encoded: str | None) -> str:
    """``GetConsoleOutput``'s base64 text as readable lines (terminal escapes and control characters removed)."""
    if not encoded:
        return ""
    try:
        raw = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        raw = encoded.encode()
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class ConsoleOutput:
    instance_id: str
    text: str
    timestamp: str | None


def console_output(ec2: Any, instance_id: str) -> ConsoleOutput:
    """The latest serial console output (``Latest=True``, Nitro instances; others get the last buffered 64 KB)."""
    try:
        answer = ec2.get_console_output(InstanceId=instance_id, Latest=True)
    except Exception as exc:
        if "Latest" not in str(exc):
            raise
        answer = ec2.get_console_output(InstanceId=instance_id)  # an endpoint that doesn't know Latest
    stamp = answer.get("Timestamp")
    return ConsoleOutput(instance_id, decode_console_output(answer.get("Output")), str(stamp) if stamp else None)


def password_data(ec2: Any, instance_id: str) -> str:
    """The encrypted Windows password (base64), ``""`` while Windows is still generating it."""
    return str(ec2.get_password_data(InstanceId=instance_id).get("PasswordData") or "").strip()


MIN_PASSWORD_LENGTH = 8
"""Windows' shortest allowed password; EC2Launch generates 32 characters."""


def decrypt_password(encrypted: str, key_pem: bytes) -> str:
    """Decrypt ``GetPasswordData`` with the key pair's private key (RSA, PKCS#1 v1.5, as EC2 encrypts it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if not encrypted:
        raise ValidationError("Windows has not made the password yet: try again in a few minutes.", "password")
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"The key file is not an unencrypted PEM private key: {exc}", "key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationError("Windows passwords are encrypted for RSA key pairs; this key is not RSA.", "key")
    wrong_key = ValidationError(
        "This key does not decrypt the password: choose the private key of the key pair the instance was "
        "launched with.",
        "key",
    )
    try:
        plain = key.decrypt(base64.b64decode(encrypted), padding.PKCS1v15())
    except (ValueError, binascii.Error):
        raise wrong_key from None
    # OpenSSL 3.2+ rejects a wrong key implicitly: it "decrypts" to random bytes instead of failing. A Windows
    # password is printable ASCII of 8 characters or more; anything else came from the wrong key.
    password = plain.decode("ascii", "replace")
    if len(password) < MIN_PASSWORD_LENGTH or not (password.isascii() and password.isprintable()):
        raise wrong_key
    return password


# -- EC2 Instance Connect ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneTimeKey:
    private_key_path: Path
    public_key: str
    """OpenSSH format (``ssh-ed25519 AAAA… ec2tui-one-time``)."""


@contextlib.contextmanager
def one_time_key() -> Iterator[OneTimeKey]:
    """A fresh ed25519 key pair in a private (0700) temporary folder, deleted with the key on leaving."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    with tempfile.TemporaryDirectory(prefix="ec2tui-eic-") as folder:  # mkdtemp: mode 0700
        path = Path(folder) / "id_ed25519"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(private)
        yield OneTimeKey(path, public.decode() + " ec2tui-one-time")


def send_ssh_public_key(eic: Any, instance_id: str, user: str, public_key: str, zone: str | None = None) -> None:
    """Push the key for 60 seconds (``ec2-instance-connect:SendSSHPublicKey``)."""
    kwargs: dict[str, Any] = {"InstanceId": instance_id, "InstanceOSUser": user, "SSHPublicKey": public_key}
    if zone:
        kwargs["AvailabilityZone"] = zone
    answer = eic.send_ssh_public_key(**kwargs)
    if answer.get("Success") is False:
        raise Ec2TuiError(f"EC2 Instance Connect refused the key for {user} on {instance_id}.")
