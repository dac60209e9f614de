"""User data: starter templates, the size rule AWS applies, and a guess of the script kind. Pure Python."""

from __future__ import annotations

import re

# "User data is limited to 16 KB, in raw form, before it is base64-encoded. The size of a string of length n
# after base64-encoding is ceil(n/3)*4."
# -- Amazon EC2 User Guide, "Work with instance user data", Considerations:
#    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html
# So the limit is 16,384 bytes of the raw text (UTF-8 encoded, as boto3 and the CLI send it), not of its base64.
USER_DATA_LIMIT = 16 * 1024


def user_data_size(text: str) -> int:
    """Size AWS counts against :data:`USER_DATA_LIMIT`: bytes of the raw (UTF-8) text, before base64."""
    return len(text.encode("utf-8"))


def base64_size(text: str) -> int:
    """Size of the base64 form actually sent on the wire: ceil(n/3)*4."""
    return -(-user_data_size(text) // 3) * 4


# -- templates ------------------------------------------------------------------------------------------------

_DNF_UPDATE = """#!/bin/bash
# Amazon Linux 2023 / RHEL / Fedora: install all updates at first boot.
set -euxo pipefail
dnf -y upgrade --refresh
"""

_APT_UPDATE = """#!/bin/bash
# Ubuntu / Debian: install all updates at first boot.
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get -y upgrade
"""

_HTTPD = """#!/bin/bash
# Amazon Linux 2023 / RHEL: Apache httpd serving a page that names the instance.
set -euxo pipefail
dnf -y install httpd
TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
ID=$(curl -sH "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
echo "<h1>Hello from $ID</h1>" > /var/www/html/index.html
systemctl enable --now httpd
"""

_NGINX = """#!/bin/bash
# Ubuntu / Debian: nginx serving a page that names the instance.
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get -y install nginx curl
TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
ID=$(curl -sH "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
echo "<h1>Hello from $ID</h1>" > /var/www/html/index.html
systemctl enable --now nginx
"""

_CLOUD_CONFIG_PACKAGES = """#cloud-config
# cloud-init (any Linux distribution): update, upgrade and install packages.
package_update: true
package_upgrade: true
packages:
  - git
  - htop
  - jq
"""

_CLOUD_CONFIG_USER = """#cloud-config
# cloud-init: add a user with sudo and an SSH public key (replace the key).
users:
  - default
  - name: deploy
    groups: [wheel, sudo]
    sudo: ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
    ssh_authorized_keys:
      - ssh-ed25519 AAAA... replace-with-your-public-key
"""

_DOCKER_AL = """#!/bin/bash
# Amazon Linux 2023: Docker engine, enabled, usable by ec2-user.
set -euxo pipefail
dnf -y install docker
systemctl enable --now docker
usermod -aG docker ec2-user
"""

_IIS = """<powershell>
# Windows Server: install IIS with its management tools.
Install-WindowsFeature -Name Web-Server -IncludeManagementTools
</powershell>
"""

TEMPLATES: dict[str, str] = {
    "Install updates (Amazon Linux / RHEL, dnf)": _DNF_UPDATE,
    "Install updates (Ubuntu / Debian, apt)": _APT_UPDATE,
    "Web server: httpd (Amazon Linux / RHEL)": _HTTPD,
    "Web server: nginx (Ubuntu / Debian)": _NGINX,
    "Docker (Amazon Linux)": _DOCKER_AL,
    "cloud-config: update and install packages": _CLOUD_CONFIG_PACKAGES,
    "cloud-config: add a sudo user with an SSH key": _CLOUD_CONFIG_USER,
    "Web server: IIS (Windows)": _IIS,
}
"""Template name -> user data text, for the form's "Insert template" menu."""

_FOR_DISTRO: dict[str, tuple[str, ...]] = {
    "amazon-linux": (
        "Install updates (Amazon Linux / RHEL, dnf)",
        "Web server: httpd (Amazon Linux / RHEL)",
        "Docker (Amazon Linux)",
    ),
    "rhel": ("Install updates (Amazon Linux / RHEL, dnf)", "Web server: httpd (Amazon Linux / RHEL)"),
    "ubuntu": ("Install updates (Ubuntu / Debian, apt)", "Web server: nginx (Ubuntu / Debian)"),
    "debian": ("Install updates (Ubuntu / Debian, apt)", "Web server: nginx (Ubuntu / Debian)"),
    "windows": ("Web server: IIS (Windows)",),
}
_CLOUD_CONFIG = ("cloud-config: update and install packages", "cloud-config: add a sudo user with an SSH key")


def guess_distro(image_name: str = "", description: str = "", platform: str = "") -> str:
    """``amazon-linux``, ``ubuntu``, ``debian``, ``rhel``, ``suse``, ``windows`` or ``unknown`` from AMI facts."""
    if platform.lower() == "windows":
        return "windows"
    text = f"{image_name} {description}".lower()
    for needle, distro in (
        ("windows", "windows"),
        ("ubuntu", "ubuntu"),
        ("debian", "debian"),
        ("al2023", "amazon-linux"),
        ("amzn", "amazon-linux"),
        ("amazon linux", "amazon-linux"),
        ("rhel", "rhel"),
        ("red hat", "rhel"),
        ("suse", "suse"),
        ("sles", "suse"),
    ):
        if needle in text:
            return distro
    return "unknown"


def templates_for(distro: str) -> dict[str, str]:
    """The templates that fit a distribution (its package manager and web server), cloud-config ones for Linux."""
    names = list(_FOR_DISTRO.get(distro, ()))
    if distro != "windows":
        names += _CLOUD_CONFIG
    if distro == "unknown":
        names = list(TEMPLATES)
    return {name: TEMPLATES[name] for name in names}


# -- kind detection --------------------------------------------------------------------------------------------

SYNTAX_LANGUAGES: dict[str, str | None] = {
    "bash": "bash",
    "cloud-config": "yaml",
    "python": "python",
    "powershell": None,
    "batch": None,
    "mime": None,
    "text": None,
    "empty": None,
}
"""Kind from :func:`looks_like` -> tree-sitter language name for syntax highlighting (``None`` = plain)."""


def looks_like(text: str) -> str:
    """Guess what cloud-init / EC2Launch will make of the user data.

    One of ``bash`` (any ``#!`` shell script), ``cloud-config``, ``python``, ``powershell`` (``<powershell>``),
    ``batch`` (``<script>``), ``mime`` (a MIME multi-part archive), ``text`` or ``empty``.
    """
    stripped = text.lstrip("\ufeff")
    if not stripped.strip():
        return "empty"
    first = stripped.lstrip().splitlines()[0].strip()
    lower = first.lower()
    if lower.startswith("#cloud-config"):
        return "cloud-config"
    if lower.startswith("#!"):
        if "python" in lower:
            return "python"
        if re.search(r"\b(ba|z|k|da)?sh\b", lower):
            return "bash"
        return "text"
    if lower.startswith("<powershell>") or "<powershell>" in stripped.lower()[:200]:
        return "powershell"
    if lower.startswith("<script>"):
        return "batch"
    if lower.startswith("content-type: multipart") or lower.startswith("mime-version:"):
        return "mime"
    return "text"
