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


# -- line endings and BOM --------------------------------------------------------------------------------------
# A text editor keeps lines, not their separators: Textual's TextArea splits on every separator str.splitlines()
# knows and joins the lines back with one newline, so one CRLF line came back as CRLF on every line. The editor
# shows these characters as visible symbols instead, and turns them back into the bytes the user gave.

LINE_BREAK_SYMBOLS: dict[str, str] = {
    "\r": "\u240d",  # ␍ (CR; CRLF shows as ␍ at the end of its line)
    "\x0b": "\u240b",  # ␋ vertical tab
    "\x0c": "\u240c",  # ␌ form feed
    "\x1c": "\u241c",
    "\x1d": "\u241d",
    "\x1e": "\u241e",
    "\x85": "\u2424",  # ␤ next line (NEL)
    "\u2028": "\u23ce",  # ⏎ line separator
    "\u2029": "\u204b",  # ⁋ paragraph separator
}
"""Line separators other than LF (every one ``str.splitlines`` splits on) -> the symbol the editor shows."""

BOM = "\ufeff"


def hidden_line_breaks(text: str) -> frozenset[str]:
    """The separators of :data:`LINE_BREAK_SYMBOLS` present in ``text``."""
    return frozenset(ch for ch in LINE_BREAK_SYMBOLS if ch in text)


def to_editor(text: str) -> str:
    """``text`` with every non-LF line separator replaced by its visible symbol: an editor can hold it unchanged."""
    for separator in hidden_line_breaks(text):
        text = text.replace(separator, LINE_BREAK_SYMBOLS[separator])
    return text


def from_editor(shown: str, separators: frozenset[str]) -> str:
    """Undo :func:`to_editor` for the ``separators`` the text had (other symbols may be the user's own text)."""
    for separator in separators:
        shown = shown.replace(LINE_BREAK_SYMBOLS[separator], separator)
    return shown


def line_ending_problem(text: str) -> str:
    """Why these bytes may not run at boot (CR characters, a byte-order mark), or ``""``."""
    problems = []
    crlf = text.count("\r\n")
    lone = text.count("\r") - crlf
    if crlf:
        problems.append(f"{crlf} line{'s end' if crlf > 1 else ' ends'} in CRLF")
    if lone:
        problems.append(f"{lone} lone CR{'s' if lone > 1 else ''}")
    if problems:
        problems[-1] += " (shown as \u240d): a '#!/bin/bash\\r' line fails at boot (bad interpreter)"
    if text.startswith(BOM):
        problems.append("it starts with a byte-order mark (BOM): cloud-init won't see '#!' or '#cloud-config'")
    return "; ".join(problems)


def fix_line_endings(text: str) -> str:
    """CRLF and lone CR become LF; a leading byte-order mark is removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix(BOM)
