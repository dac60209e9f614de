"""The lean install and the private names: what ``pip install ec2tui`` pulls, ``--demo`` without the extra, the
dependency bounds, and every private name of botocore, Textual and moto still there (in ``ec2tui/compat`` only)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from ec2tui import cli
from ec2tui.compat import botocore_private, moto_private, textual_private
from ec2tui.demo import extra

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("module", [botocore_private, textual_private, moto_private], ids=lambda m: m.__name__)
def test_every_private_name_still_exists(module):
    gone = module.missing()
    assert not gone, (
        f"{module.__name__}: private names gone in this version: {'; '.join(gone)}. Adapt {module.__file__} "
        "(and the bound in pyproject.toml) before releasing."
    )


def test_describe_key_pairs_leaves_the_shared_answer_dict_its_size(ec2):
    """The demo's server and the tests make moto's DescribeKeyPairs thread-safe (``key_pairs_answer_thread_safe``):
    once they have, no call changes the size of the dict every EC2 answer iterates while another is written."""
    from moto.ec2.responses._base_response import EC2BaseResponse

    moto_private.key_pairs_answer_thread_safe()  # (conftest did already: a second call changes nothing)
    size = len(EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER)
    ec2.create_key_pair(KeyName="ops")
    assert ec2.describe_key_pairs()["KeyPairs"][0].get("PublicKey") is None
    assert ec2.describe_key_pairs(IncludePublicKey=True)["KeyPairs"][0]["PublicKey"], "moto still answers as asked"
    assert ec2.describe_key_pairs()["KeyPairs"][0].get("PublicKey") is None
    assert len(EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER) == size


PRIVATE_NAMES = [
    r"\._create_client_class\b",
    r"\._load_service_model\b",
    r"\._event_emitter\b",
    r"\._defaults\b",
    r"\._parse_xml_string_to_dom\b",
    r"\._dispatch_message\b",
    r"\._exception\b",
    r"(?<!os)\._exit\b",
    r"\._options\b",
    r"\._suggestion\b",
    r"\._bindings_ready\b",
    r"\._message_queue\b",
    r"\._waiters\b",
    r"\._recompute_cursor_offset\b",
    r"\._cursor_offset\b",
    r"\._server\b",
    r"\._parameters\b",
]


def test_private_names_are_used_only_in_compat():
    found = []
    for path in sorted((ROOT / "ec2tui").rglob("*.py")):
        if path.parent.name == "compat":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(re.search(pattern, code) for pattern in PRIVATE_NAMES) and "``" not in code:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "use ec2tui/compat instead:\n" + "\n".join(found)


def requirement(name: str) -> Requirement:
    (found,) = [Requirement(r) for r in PROJECT["dependencies"] if Requirement(r).name == name]
    return found


@pytest.mark.parametrize(("name", "module"), [("botocore", botocore_private), ("textual", textual_private)])
def test_bounded_to_the_versions_checked(name, module):
    checked = Version(module.CHECKED_WITH)
    specifier = requirement(name).specifier
    assert specifier.contains(checked) and specifier.contains(version(name)), (name, specifier, version(name))
    assert not specifier.contains(f"{checked.major}.{checked.minor + 1}.0"), f"{name} has no upper bound"


def test_a_lean_install_pulls_no_demo_server():
    names = {Requirement(r).name for r in PROJECT["dependencies"]}
    assert not names & {"moto", "flask", "werkzeug"}, names
    demo = [Requirement(r) for r in PROJECT["optional-dependencies"]["demo"]]
    assert [(r.name, r.extras) for r in demo] == [("moto", {"server"})]
    assert "ec2tui[demo]" in PROJECT["optional-dependencies"]["test"]  # the suite needs moto


def test_nothing_but_the_demo_imports_moto_or_flask():
    code = (
        "import sys, ec2tui.cli, ec2tui.app, ec2tui.gateway, ec2tui.pick.command, ec2tui.pick.app, ec2tui.settings;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'moto', 'flask', 'werkzeug'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_demo_without_the_extra_says_which_command_installs_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path))
    real = extra.find_spec
    monkeypatch.setattr(extra, "find_spec", lambda name: None if name == "moto" else real(name))
    assert cli.main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "moto not installed" in err and f"{sys.executable} -m pip install 'ec2tui[demo]'" in err
    assert "pip install -e '.[demo]'" in err


def test_the_install_command_follows_pipx():
    assert extra.install_command("/x/bin/python", "/home/u/.local/pipx/venvs/ec2tui") == (
        "pipx install --force 'ec2tui[demo]'"
    )
    assert (
        extra.install_command("/opt/my env/python", "/opt/venv") == "'/opt/my env/python' -m pip install 'ec2tui[demo]'"
    )


def test_the_suite_can_still_release_motos_replaced_backends(ec2):
    """tests/conftest.py empties the caches moto put on methods after each test; without it every test's backends
    stay in the worker (GBs over a full run). A moto whose caches move elsewhere must fail here, loudly."""
    from moto.core.base_backend import AccountSpecificBackend
    from moto.ec2.models.subnets import Subnet

    from tests.conftest import moto_method_caches, release_old_moto_backends

    ec2.describe_subnets()
    caches = moto_method_caches()
    assert AccountSpecificBackend._generate_regions in caches and Subnet._base_avail_ip_iterator in caches
    release_old_moto_backends()
    assert all(cache.cache_info().currsize == 0 for cache in caches)


def test_the_suite_can_still_drop_motos_backends_before_its_reset(ec2):
    """tests/conftest.py drops moto's backends itself so that moto's reset has none to rebuild (seconds a test); a
    moto that keeps them elsewhere must fail here. The next use makes a region afresh, default AMIs included."""
    from moto.core.base_backend import BackendDict
    from moto.ec2.models import ec2_backends

    from tests.conftest import forget_moto_backends

    ec2.create_vpc(CidrBlock="10.9.0.0/16")
    assert ec2_backends in BackendDict._instances and ec2_backends["123456789012"]["us-east-1"].vpcs
    forget_moto_backends()
    assert not BackendDict._instances and not dict.items(ec2_backends)
    assert "10.9.0.0/16" not in {v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"]


def test_the_suite_can_still_narrow_pilots_wait_for_the_screen():
    """tests/pilot_waits.py hands Pilot's wait the screen's nodes minus the idle ones; a Textual that renames the
    wait or stops asking ``screen.walk_children`` must fail here, not slow the suite down unnoticed."""
    import inspect

    from textual.pilot import Pilot

    from tests import pilot_waits

    assert getattr(Pilot, pilot_waits.WAIT_FOR_SCREEN) is pilot_waits._wait_for_screen_at_work
    assert "screen.walk_children(with_self=True)" in inspect.getsource(pilot_waits._original)
