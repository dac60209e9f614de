"""The command line: AWS CLI conventions, clean errors before the UI starts."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from ec2tui import __version__
from ec2tui.cli import build_parser, main


def run_cli(*args: str, env_extra: dict[str, str] | None = None, tmp_path=None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "ec2tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ec2tui {__version__}"


def test_options_follow_the_aws_cli():
    args = build_parser().parse_args(
        ["--profile", "prod", "--region", "eu-west-1", "--endpoint-url", "http://localhost:4566", "--read-only"]
    )
    assert (args.profile, args.region, args.endpoint_url, args.read_only) == (
        "prod",
        "eu-west-1",
        "http://localhost:4566",
        True,
    )


def test_unknown_profile_is_a_clean_error(capsys):
    assert main(["--profile", "does-not-exist"]) == 2
    err = capsys.readouterr().err
    assert "does-not-exist" in err and "--profile" in err and "Traceback" not in err


def test_missing_credentials_is_a_clean_error(monkeypatch, capsys, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "No AWS credentials found" in err and "ec2tui --demo" in err


def test_secrets_never_reach_the_error_text(monkeypatch, capsys):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SUPERSECRETVALUE123")
    assert main(["--profile", "nope"]) == 2
    assert "SUPERSECRETVALUE123" not in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--help"])
def test_help_mentions_conventions(flag):
    result = run_cli(flag)
    assert result.returncode == 0 and "AWS_PROFILE" in result.stdout and "--demo" in result.stdout


def test_keymap_file_remaps_bindings(tmp_path, monkeypatch):
    from ec2tui.settings import load_keymap

    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "keymap.toml").write_text('[keymap]\n"app.help" = "f1"\n')
    assert load_keymap() == {"app.help": "f1"}


def test_malformed_keymap_is_a_clean_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "keymap.toml").write_text("[keymap\n")
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert "keymap.toml" in err and "Traceback" not in err


QUIT_WHILE_BUSY = """
import asyncio, threading, time
from ec2tui.aws.clients import AwsTarget, ClientFactory
from ec2tui.cli import finish
from ec2tui.gateway import Gateway

gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1")))
started = threading.Event()

def slow_call():
    started.set()
    time.sleep(60)  # a call still out when the user quits (e.g. a huge answer on its way)

async def main():
    asyncio.ensure_future(gateway.core.run(slow_call))
    await asyncio.get_running_loop().run_in_executor(None, started.wait)
    assert gateway.busy
    print("quitting", flush=True)

asyncio.run(main())
finish(gateway, 0)
"""


def test_quitting_never_waits_for_a_call_still_out():
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", QUIT_WHILE_BUSY], capture_output=True, text=True, timeout=50, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "quitting" in result.stdout
    assert time.monotonic() - started < 30, "the process waited for the worker thread"


async def test_busy_is_true_only_while_a_call_runs(gateway):
    release = threading.Event()
    call = asyncio.ensure_future(gateway.core.run(release.wait, 5))
    for _ in range(500):  # the worker thread picks the call up (slowly on a loaded machine)
        if gateway.busy:
            break
        await asyncio.sleep(0.01)
    assert gateway.busy
    release.set()
    await call
    assert not gateway.busy
