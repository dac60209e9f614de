"""Shared fixtures: every test runs against moto, never AWS."""

from __future__ import annotations

import atexit
import functools
import gc
import os
import shutil
import sys
import tempfile

# Dummy credentials for moto, set before boto3 is imported anywhere; real ones must never be used by tests.
for _name in (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EC2",
):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)

# The user's own settings (settings.toml, keymap, key files) never reach a test, and nothing a test does (a theme
# chosen, say) is written there; subprocesses inherit this too. Tests that want a settings file set their own.
_CONFIG_DIR = tempfile.mkdtemp(prefix="ec2tui-test-config-")
os.environ["EC2TUI_CONFIG_DIR"] = _CONFIG_DIR
atexit.register(shutil.rmtree, _CONFIG_DIR, ignore_errors=True)

import boto3  # noqa: E402
import pyperclip  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from ec2tui.aws.clients import AwsTarget, ClientFactory, new_session  # noqa: E402
from ec2tui.compat.moto_private import key_pairs_answer_thread_safe  # noqa: E402
from ec2tui.gateway import Gateway  # noqa: E402
from tests import pilot_waits  # noqa: E402

pilot_waits.install()  # Pilot waits on the widgets with work only, as the app's key gate does
key_pairs_answer_thread_safe()  # moto's first DescribeKeyPairs broke a concurrent answer in CI (see there)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: half as many workers again as the machine has cores (3 on 2). A test spends about a quarter of its
    time waiting (Pilot's idle checks after each key, demo servers and terminals in processes of their own); the
    extra worker runs meanwhile. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set (xdist's own rule)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(2, cores + cores // 2)


@pytest.fixture
def aws():
    """moto's in-process mock, active for the test (and for worker threads it starts)."""
    forget_moto_backends()
    with mock_aws():
        # moto's mock set the default session aside (and puts it back on leaving). A fresh boto3 default session
        # parsed EC2's 14 MB model again for every test's first ``boto3.client("ec2")``, ~0.3 s of CPU a test; ours
        # reads botocore's data once per process and keeps botocore's own parsers.
        boto3.DEFAULT_SESSION = new_session(sliced_ec2_parser=False)
        yield
        forget_moto_backends()


def forget_moto_backends() -> None:
    """Drop every backend moto made (each region's state), as moto itself does when a mock starts or stops.

    moto's own way (``BackendDict.reset``) first re-initialises every backend it is about to drop: a wasted rebuild of
    ~1,300 default AMIs per region touched, ~1-3 s of every test's teardown. Dropped here first, moto finds nothing to
    rebuild; the next test's regions are made afresh on first use (with the default AMIs unless it turns them off).
    Not ``MOTO_EC2_LOAD_DEFAULT_AMIS=false`` around moto's rebuild instead: tried, and image-less regions then reached
    later tests in CI (commit 5b6fe49 reverted it).
    tests/test_compat.py checks that moto still has the names used here."""
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        for backends in BackendDict._instances:
            backends.clear()
        BackendDict._instances.clear()


@pytest.fixture
def ec2(aws):
    return boto3.client("ec2", region_name="us-east-1")


@pytest.fixture
def factory(aws) -> ClientFactory:
    return ClientFactory(AwsTarget(region="us-east-1"))


@pytest.fixture
def gateway(factory):
    gw = Gateway(factory)
    yield gw
    gw.close()


@pytest.fixture
def read_only_gateway(aws):
    """A read-only gateway over its own factory: read-only is enforced in the factory's clients, so a factory
    shared with the ``gateway`` fixture would make that one read-only too."""
    gw = Gateway(ClientFactory(AwsTarget(region="us-east-1")), read_only=True)
    yield gw
    gw.close()


@pytest.fixture
def no_default_amis(aws, monkeypatch):
    """Skip moto's ~1,300 preloaded images per region: UI tests that fan out over every region stay fast.

    It depends on ``aws``, whose end drops the image-less regions with every other backend (see
    :func:`forget_moto_backends`): none reaches a later test.
    """
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def clipboard(monkeypatch) -> list[str]:
    """What the app copies through pyperclip (the system clipboard), outside SSH so that pyperclip is used."""
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    return copied


def moto_method_caches() -> list[functools._lru_cache_wrapper]:
    """Every ``functools.lru_cache`` put on a method of a moto class (of the moto modules imported so far).

    Such a cache keeps ``self``: moto 5.2.5 has them on ``AccountSpecificBackend._generate_regions`` and
    ``Subnet._base_avail_ip_iterator`` among others, and through them every backend a reset replaced stays alive,
    each region with ~1,300 default AMIs and their snapshots. A test worker grew by ~100 MB a test, to 5-8 GB over a
    full run. Class methods (``get_session``) are left alone: they keep no instance, and rebuilding them is slow."""
    caches = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                caches += [v for v in vars(value).values() if isinstance(v, functools._lru_cache_wrapper)]
    return caches


def release_old_moto_backends() -> None:
    """Empty moto's method caches (see :func:`moto_method_caches`); tests/test_compat.py checks they are found."""
    for cache in moto_method_caches():
        cache.cache_clear()


@pytest.fixture(autouse=True)
def _release_memory_between_tests():
    """Each test leaves the worker as lean as it found it: moto's replaced backends released (see
    :func:`release_old_moto_backends`), and the heap unfrozen when a big list froze it (``ec2tui/collector.py``:
    frozen objects are never collected, so the test's app and rows would stay for good)."""
    yield
    release_old_moto_backends()
    if gc.get_freeze_count():
        gc.unfreeze()
