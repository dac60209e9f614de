"""The command line: AWS CLI conventions, clean errors before the UI starts."""

from __future__ import annotations

import asyncio
import contextlib
import os
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


# -- diagnostics, themes, keymaps, regions, the demo's temporary folder --------------------------------------------


@pytest.fixture
def started(monkeypatch):
    """Run main() up to the UI: Ec2App.run records the app instead of taking over the terminal."""
    from ec2tui.app import Ec2App

    apps: list[Ec2App] = []

    def run(self, *args, **kwargs):
        apps.append(self)

    monkeypatch.setattr(Ec2App, "run", run)
    monkeypatch.delenv("EC2TUI_THEME", raising=False)
    return apps


@pytest.fixture
def quick_demo(monkeypatch):
    """--demo without its moto server (a process of its own, ~1 s to start): what these tests check happens
    around it."""
    import ec2tui.demo.server

    stopped: list[bool] = []

    class FakeDemo:
        endpoint_url = "http://127.0.0.1:9"

        def wait_seeded(self, timeout: float | None = None) -> bool:
            return True

        def stop(self) -> None:
            stopped.append(True)

    monkeypatch.setattr(ec2tui.demo.server, "start_demo", lambda seed=True, wait=True: FakeDemo())
    return stopped


def test_debug_needs_a_log_file(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--debug"])
    assert exited.value.code == 2 and "--debug needs --log-file" in capsys.readouterr().err


def test_log_file_is_written_and_an_unwritable_one_is_a_clean_error(started, tmp_path, capsys):
    log = tmp_path / "ec2tui.log"
    assert main(["--log-file", str(log)]) == 0
    assert "ec2tui log started" in log.read_text()
    assert main(["--log-file", str(tmp_path / "no-such-dir" / "x.log")]) == 2
    err = capsys.readouterr().err
    assert "Can't write the log file" in err and "Traceback" not in err


def test_unknown_theme_warns_names_the_themes_and_falls_back(started, capsys, monkeypatch):
    assert main(["--theme", "no-such-theme"]) == 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "unknown theme 'no-such-theme' (--theme)" in err and "textual-light" in err and "Traceback" not in err
    assert started[-1].theme == "textual-dark"
    monkeypatch.setenv("EC2TUI_THEME", "also-unknown")  # the warning names where the theme came from
    assert main([]) == 0
    assert "'also-unknown' ($EC2TUI_THEME)" in capsys.readouterr().err
    monkeypatch.setenv("EC2TUI_THEME", "textual-light")
    assert main([]) == 0
    assert started[-1].theme == "textual-light" and capsys.readouterr().err == ""


async def test_bad_keymap_entries_warn_and_protected_keys_stay(started, aws, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "keymap.toml").write_text(
        "[keymap]\n"
        '"app.quit" = "ctrl+x"\n'  # fine
        '"app.nope" = "f2"\n'  # unknown binding id
        '"list.refresh" = "ctrl+banana"\n'  # unknown key
        '"instances.stop" = "colon"\n'  # takes `:` from the command prompt
        '"instances.reboot" = "escape"\n'  # takes escape
        '"app.help" = "f1"\n'  # `?` would no longer open help
        '"list.filter" = "ctrl+f,slash"\n'  # keeps `/`: fine
    )
    assert main([]) == 0
    err = capsys.readouterr().err
    for entry in ("app.nope", "list.refresh", "instances.stop", "instances.reboot", "app.help"):
        assert f'"{entry}"' in err, entry
    assert "unknown binding id" in err and "unknown key name 'ctrl+banana'" in err
    assert "take : away" in err and "take escape away" in err and "? must stay bound" in err
    app = started[-1]
    assert app._keymap == {"app.quit": "ctrl+x", "list.filter": "ctrl+f,slash"}
    async with app.run_test(size=(120, 40)) as pilot:  # and once the UI runs, the same warnings are shown in it
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert len(shown) == 1 and '"instances.stop"' in shown[0] and "keymap.toml" in shown[0]
        await pilot.press("colon")  # `:` still opens the prompt
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPrompt"


def test_every_binding_id_in_the_source_is_known():
    import re
    from pathlib import Path

    from ec2tui.cli import binding_defaults

    source = "\n".join(p.read_text() for p in Path("ec2tui").rglob("*.py"))
    ids = set(re.findall(r'Binding\([^()]*?id="([^"]+)"', source, re.S))
    known = binding_defaults()
    assert ids and ids <= set(known), ids - set(known)
    assert known["app.prompt"] == "colon" and "slash" in known["list.filter"]


def test_check_keymap_is_a_pure_function():
    from ec2tui.settings import check_keymap, is_key_name

    defaults = {"app.prompt": "colon", "help.close": "escape,q,question_mark", "instances.stop": "o"}
    usable, warnings = check_keymap(
        {"app.prompt": ":,f2", "help.close": "escape,?", "instances.stop": "ctrl+shift+s"}, defaults
    )
    assert usable == {"app.prompt": ":,f2", "help.close": "escape,?", "instances.stop": "ctrl+shift+s"}
    assert warnings == []
    assert all(is_key_name(k) for k in ("a", "?", "question_mark", "f12", "ctrl+x", "shift+tab", "enter", "é"))
    assert not any(is_key_name(k) for k in ("", "banana", "ctrl+", "cmd+x", "ctrl+banana"))


@pytest.mark.parametrize("args", [["--region", "xx-fake-1"], ["--demo", "--region", "xx-fake-1"]])
def test_unknown_region_is_one_line_naming_the_known_ones(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("ec2tui: unknown region 'xx-fake-1'. Known regions: ")
    assert "us-east-1" in err and "eu-west-1" in err and "cn-north-1" in err and "us-gov-west-1" in err


def test_unknown_region_from_the_environment_too(monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "moon-base-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "moon-base-1")
    assert main([]) == 2
    assert "unknown region 'moon-base-1'" in capsys.readouterr().err


def test_a_custom_endpoint_may_have_its_own_regions(started, capsys):
    assert main(["--region", "xx-fake-1", "--endpoint-url", "http://127.0.0.1:9"]) == 0
    assert "region 'xx-fake-1' is not an AWS region botocore knows" in capsys.readouterr().err
    assert started[-1].context.region == "xx-fake-1"


@pytest.mark.parametrize("fails", [False, True])
def test_the_demo_leaves_no_temporary_folder(started, quick_demo, monkeypatch, fails):
    from ec2tui.app import Ec2App

    monkeypatch.delenv("EC2TUI_STATE_DIR", raising=False)
    seen: list[str] = []

    def run(self, *args, **kwargs):
        seen.append(os.environ["EC2TUI_STATE_DIR"])
        assert os.path.isdir(seen[0])
        if fails:
            raise RuntimeError("the UI blew up")

    monkeypatch.setattr(Ec2App, "run", run)
    if fails:
        with pytest.raises(RuntimeError):
            main(["--demo"])
    else:
        assert main(["--demo"]) == 0
    assert seen and "ec2tui-demo-" in seen[0]
    assert not os.path.exists(seen[0]) and quick_demo == [True]
    assert "EC2TUI_STATE_DIR" not in os.environ


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_term_or_hangup_quits_cleanly_restoring_the_terminal_and_removing_the_demo_folder(tmp_path, signal_name):
    """An SSH connection that drops sends SIGHUP: by default Python dies on the spot, leaving the demo's folder."""
    import glob
    import pty
    import select
    import signal

    sig = getattr(signal, signal_name)
    env = dict(os.environ, TERM="xterm-256color", TMPDIR=str(tmp_path))
    env.pop("EC2TUI_STATE_DIR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command in a terminal
        os.execve(sys.executable, [sys.executable, "-m", "ec2tui", "--demo"], env)
    output = bytearray()
    finished, status = 0, 0

    def read_until(done, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if done():
                return True
            ready, _, _ = select.select([fd], [], [], 0.1)
            try:
                if ready:
                    output.extend(os.read(fd, 65536))
            except OSError:  # the child closed the terminal: keep polling ``done`` at the same pace
                time.sleep(0.1)
        return done()

    try:
        assert read_until(lambda: b"\x1b[?1049h" in output and glob.glob(f"{tmp_path}/ec2tui-demo-*")), "no UI"
        folders = glob.glob(f"{tmp_path}/ec2tui-demo-*")
        os.kill(pid, sig)
        read_until(lambda: b"\x1b[?1049l" in output)
        for _ in range(300):
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
            read_until(lambda: False, 0.1)
        else:
            pytest.fail("the app didn't quit")
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 128 + sig, output[-3000:].decode(errors="replace")
    assert b"\x1b[?1049l" in output and b"Traceback" not in output  # the terminal was restored
    assert folders and not any(os.path.exists(f) for f in folders)


def test_known_regions_are_botocore_s_ec2_regions_without_its_service_model(monkeypatch):
    """The region check reads the endpoint data only (EC2's model took ~0.1 s to parse before the first screen)."""
    import boto3
    import botocore.loaders

    from ec2tui.cli import known_regions

    session = boto3.session.Session()
    expected = set()
    for partition in session.get_available_partitions():
        expected.update(session.get_available_regions("ec2", partition_name=partition))
    models: list[str] = []
    load = botocore.loaders.Loader.load_service_model
    monkeypatch.setattr(
        botocore.loaders.Loader,
        "load_service_model",
        lambda self, name, *a, **k: models.append(name) or load(self, name, *a, **k),
    )
    assert known_regions() == sorted(expected) and "us-east-1" in expected
    assert models == [], "no service model loaded"


def test_the_start_is_frozen_before_the_app_runs(monkeypatch):
    """What the start left alive (modules, botocore's data) is out of the full garbage passes' reach by the time the
    app runs: a full pass walking it froze the regions screen while its counts came in."""
    import gc

    from ec2tui import cli, collector

    class App:
        return_code = 0
        frozen_when_run = -1

        def run(self) -> None:
            App.frozen_when_run = gc.get_freeze_count()

    class Gateway:
        busy = False

    monkeypatch.setattr(collector, "_start_up_frozen", False)
    monkeypatch.setattr(cli, "_prepare", lambda args, cleanup: (Gateway(), App()))
    monkeypatch.setattr(cli, "_quit_on_hangup_or_term", lambda app: contextlib.nullcontext())
    gc.unfreeze()
    try:
        assert cli.main(["--demo"]) == 0
        assert App.frozen_when_run > 0
    finally:
        gc.unfreeze()
