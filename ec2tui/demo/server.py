"""The demo's moto server, in a process of its own on 127.0.0.1, seeded there.

Its own process, not a thread of the UI's: moto's import (~1 s), its seeding and its answers run on another core and
never hold the UI's GIL (no frozen keystrokes while a region's backend is built), and its heap (~200 MB) is not the
UI's. The server exits when the UI does, even one killed outright: it stops as soon as its stdin (a pipe from the UI)
reaches end-of-file.

Seeding waits for the UI's first call that needs the data (``wait_seeded``, which the gateway calls before such a
call): seeding and answering share the server's one GIL, so the first screen's questions (the region list, which
needs no data) are answered first, at full speed.

Protocol: the server writes ``serving <endpoint>`` on its stdout once it listens; ``seed`` on its stdin makes it seed,
then write ``seeded`` (or ``failed <reason>``).
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from typing import IO

from botocore.config import Config

from ec2tui import clock
from ec2tui.errors import Ec2TuiError

DEMO_ACCOUNT = "123456789012"
DEMO_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")

# Make moto answer like AWS does for unknown AMIs, instance types and key names (read at moto import time).
_MOTO_ENV = {
    "MOTO_ENABLE_AMI_VALIDATION": "true",
    "MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION": "true",
    "MOTO_ENABLE_KEYPAIR_VALIDATION": "true",
    # moto preloads ~1,300 ECS images into every region it touches, which costs ~0.1 s per region and drowns the
    # catalog; the demo seeds its own realistic catalog instead (see seed_images).
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}

NOW_VARIABLE = "EC2TUI_DEMO_NOW"
"""An ISO time the server's clock is pinned to (``start_demo(now=...)``): its seeded dates and launch times."""

START_TIMEOUT = 60.0
"""Seconds to wait for the server to listen (it imports moto first: ~0.3 s idle, more on a loaded machine)."""

CLIENT_CONFIG = Config(read_timeout=60, retries={"mode": "standard", "total_max_attempts": 4})
"""The demo's clients' settings (over ec2tui's own): patient, as its server is on this machine and a slow answer is a
busy CPU, never a lost network. ec2tui's reads give up after 2 x 9 s, which a loaded machine's server can take to
describe its ~1,400 instance types (2-3 s idle); a retry after a timeout only adds work (the server still renders
the first). An HTTP 500 page from the server (moto's first DescribeKeyPairs broke answers written meanwhile, now
prevented by ``key_pairs_answer_thread_safe``; any other crash of a request) is tried again (:mod:`ec2tui.aws.guards`
lets botocore retry a transient status), up to 4 times in all."""


class DemoServerError(Ec2TuiError):
    """The demo's server did not start or could not be seeded; the message says why."""


class DemoServer:
    """The UI's handle on the server process: its endpoint, a wait for its data, and ``stop()``."""

    def __init__(self, process: subprocess.Popen[str], errors: IO[bytes]) -> None:
        self._process = process
        self._errors = errors
        self._endpoint: str | None = None
        self._seeded = threading.Event()
        self._staging_seeded = threading.Event()
        self._asked = threading.Lock()
        self._seed_asked = False
        self._staging_asked = False
        self._failure: str | None = None
        self._started = time.perf_counter()
        self.seconds_to_seed: float | None = None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``; waits (once) until the server listens."""
        if self._endpoint is None:
            line = self._read_line()
            if not line.startswith("serving "):
                raise DemoServerError(f"The demo's moto server did not start: {line or self._error_tail()}")
            self._endpoint = line.split(" ", 1)[1]
            threading.Thread(target=self._follow, name="ec2tui-demo-server", daemon=True).start()
        return self._endpoint

    def _read_line(self) -> str:
        assert self._process.stdout is not None
        return self._process.stdout.readline().strip()

    def _follow(self) -> None:
        """Wait for the "seeded" line (the main account), then "seeded staging" (the second account); a failure or
        an early exit releases the waiters too, with the reason."""
        try:
            line = self._read_line()
            if line != "seeded":
                self._failure = line.removeprefix("failed ") or self._error_tail() or "the server exited"
            self.seconds_to_seed = time.perf_counter() - self._started
        finally:
            self._seeded.set()
        try:
            if self._failure is None:
                line = self._read_line()
                if line != "seeded staging":
                    self._failure = line.removeprefix("failed ") or self._error_tail() or "the server exited"
        finally:
            self._staging_seeded.set()

    def wait_staging_seeded(self, timeout: float | None = None) -> bool:
        """As :meth:`wait_seeded`, for the second account's data too (profile ``demo-staging``), which the server
        seeds only once asked here (after the first account's)."""
        if not self.wait_seeded(timeout):
            return False
        with self._asked:
            if not self._staging_asked:
                self._staging_asked = True
                self._send("seed staging")
        return self._staging_seeded.wait(timeout)

    def _send(self, line: str) -> None:
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(f"{line}\n")
            self._process.stdin.flush()
        except (OSError, ValueError):  # it exited: _follow has seen that and released the wait
            pass

    def wait_seeded(self, timeout: float | None = None) -> bool:
        """Have the server seed (the first call asks it to), and block until the demo data is in (the gateway holds
        its calls on this); False on timeout. A server that failed to seed still releases the wait: the calls then
        show its errors instead of hanging."""
        _ = self.endpoint_url
        with self._asked:
            if not self._seed_asked:
                self._seed_asked = True
                self._started = time.perf_counter()
                self._send("seed")
        return self._seeded.wait(timeout)

    @property
    def failure(self) -> str | None:
        """Why seeding failed, once it has."""
        return self._failure

    def _error_tail(self) -> str:
        try:
            self._errors.seek(0)
            text = self._errors.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        return text.splitlines()[-1] if text else ""

    def stop(self) -> None:
        process = self._process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.close()  # the server's cue to stop
                process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait(5)
        if process.stdout is not None:
            process.stdout.close()
        self._errors.close()


def start_demo(seed: bool = True, *, wait: bool = True, now: datetime | None = None) -> DemoServer:
    """Start the demo's moto server in its own process on a free loopback port.

    ``seed`` fills it with the demo's data (in the server's process); ``wait`` returns only once that is done
    (``ec2tui --demo`` doesn't wait: its gateway holds AWS calls on :meth:`DemoServer.wait_seeded` instead).
    ``now`` pins the server's clock (an aware datetime): the data is then the same in every run (snapshot tests).
    """
    from ec2tui.demo.extra import check_demo_extra

    check_demo_extra()  # a lean install (no 'demo' extra): say which command adds it, before starting anything
    env = {**os.environ, **_MOTO_ENV, "PYTHONUNBUFFERED": "1"}
    env.pop(NOW_VARIABLE, None)
    if now is not None:
        env[NOW_VARIABLE] = now.isoformat()
    errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed by DemoServer.stop)
    command = [sys.executable, "-m", "ec2tui.demo.server"] + ([] if seed else ["--no-seed"])
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        env=env,
        close_fds=True,
        # Its own session: the terminal's Ctrl+C (which ends a port forward the app runs in this terminal) and
        # Ctrl+Z go to the foreground process group, and must not stop the server. It still exits with the UI
        # (end-of-file on its stdin).
        start_new_session=True,
    )
    demo = DemoServer(process, errors)
    if wait:
        try:
            if not demo.wait_seeded(START_TIMEOUT * 3):
                raise DemoServerError("The demo's moto server took too long to seed its data.")
            if demo.failure:
                raise DemoServerError(f"The demo's data could not be seeded: {demo.failure}")
        except BaseException:
            demo.stop()
            raise
    return demo


def freeze_seeded_state() -> None:
    """Move everything alive now (moto's seeded backends, imported modules) out of the garbage collector's reach.

    A full collection would walk ~225,000 objects and hold the GIL for 100-200 ms, a stall in the server's answers
    each time one runs. Frozen objects are still freed by reference counting; only reference cycles among them would
    stay, and moto's seeded state lives as long as the demo anyway.
    """
    gc.freeze()


def _serve(seed: bool) -> None:
    """The server process: listen, say where, then serve until stdin closes; seed when asked."""
    for name, value in _MOTO_ENV.items():
        os.environ.setdefault(name, value)
    if os.environ.get(NOW_VARIABLE):
        clock.pin(datetime.fromisoformat(os.environ[NOW_VARIABLE]))
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    from ec2tui.demo.pricing_api import install_pricing_api
    from ec2tui.demo.ssm_api import install_ssm_api

    install_pricing_api(server)  # moto has no Price List API: the demo answers it from a bundled sample
    install_ssm_api(server)  # nor ssm:DescribeInstanceInformation: the demo answers it from moto's EC2 state
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    print(f"serving {endpoint}", flush=True)
    asked, staging_asked = threading.Event(), threading.Event()
    threading.Thread(
        target=_follow_parent, args=(server, asked, staging_asked), name="stdin-watch", daemon=True
    ).start()
    import moto.ec2.models  # noqa: F401  (what every first answer needs: loaded while the UI starts)

    from ec2tui.compat.moto_private import key_pairs_answer_thread_safe

    key_pairs_answer_thread_safe()  # else the launch form's first reads could meet an HTTP 500 (see there)

    asked.wait()
    if seed:
        try:
            from ec2tui.demo.seed import seed_demo, seed_staging

            seed_demo(endpoint)
            freeze_seeded_state()
            print("seeded", flush=True)
            staging_asked.wait()  # the second account is seeded when first used: it never slows the first's answers
            seed_staging(endpoint)
            freeze_seeded_state()
        except Exception as exc:  # told to the UI, which shows the calls' errors instead of waiting forever
            print(f"failed {type(exc).__name__}: {exc}".replace("\n", " "), flush=True)
        else:
            print("seeded staging", flush=True)
    else:
        print("seeded", flush=True)
        print("seeded staging", flush=True)
    threading.Event().wait()  # until _follow_parent ends the process


def _follow_parent(server: object, asked: threading.Event, staging_asked: threading.Event) -> None:
    """Seed on the UI's ``seed`` line (``seed staging``: the second account too); stop at end-of-file (the UI
    stopped us, exited or was killed)."""
    for line in sys.stdin:
        if line.strip() == "seed":
            asked.set()
        elif line.strip() == "seed staging":
            asked.set()
            staging_asked.set()
    try:
        server.stop()  # type: ignore[attr-defined]
    finally:
        os._exit(0)


if __name__ == "__main__":
    _serve(seed="--no-seed" not in sys.argv[1:])
