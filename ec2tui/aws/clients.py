"""One boto3 session per profile and one cached client per (profile, region, service)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.client
import botocore.loaders
import botocore.session
from botocore.config import Config

from ec2tui.aws.errors import CredentialContext, translate
from ec2tui.aws.guards import RequestGuards, RequestPolicy
from ec2tui.aws.mfa import MfaPrompt, use_mfa_prompt
from ec2tui.aws.xml_parsing import SlicedParserFactory
from ec2tui.compat import botocore_private

DEFAULT_REGION = "us-east-1"

# Attempts are given as total_max_attempts: botocore reads "max_attempts" as retries (one more attempt) and rewrites
# it in place, in the dict these module constants share.
READ_CONFIG = Config(
    retries={"mode": "adaptive", "total_max_attempts": 2},
    connect_timeout=5,
    read_timeout=9,
    max_pool_connections=32,
    user_agent_extra="ec2tui",
)
"""For reads: an endpoint that accepts and never answers is reported within 2 x 9 s plus at most 1 s of back-off
(botocore's first retry waits up to 1 s), not after minutes; a screen can always be retried with ctrl+r."""

CHANGE_CONFIG = READ_CONFIG.merge(Config(read_timeout=60, retries={"mode": "adaptive", "total_max_attempts": 3}))
"""For changes (launch, create image, ...): patient, since giving up does not undo a change AWS may be making.
A retry cannot make two of anything: RunInstances and CopyImage carry a ClientToken, and a key pair, group or image
is named, so a second create fails as a duplicate (for a key pair whose answer was lost, its private key is lost
with it: the duplicate error is the clue)."""

SEARCH_CONFIG = Config(read_timeout=300, retries={"mode": "standard", "total_max_attempts": 3})
"""For public image searches: EC2 answers them in seconds, but a server that ignores paging (moto) spends ~30 s
rendering 50,000 images, and a read timeout would only make it start again (and again, once per retry)."""

_KIND_CONFIGS = {"read": READ_CONFIG, "change": CHANGE_CONFIG, "search": READ_CONFIG.merge(SEARCH_CONFIG)}


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: follows the AWS CLI (profile, region, endpoint URL)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def new_session(
    profile: str | None = None,
    *,
    mfa_prompt: MfaPrompt | None = None,
    sliced_ec2_parser: bool = True,
    **kwargs: Any,
) -> boto3.Session:
    """A boto3 session as the AWS CLI would make it, whose EC2 clients parse huge answers without freezing the UI,
    and whose clients for a second region cost a quarter of the first (see :func:`reuse_client_classes`).
    ``mfa_prompt`` replaces botocore's terminal prompt for an assume-role profile's MFA code.
    ``sliced_ec2_parser=False`` keeps botocore's own parsers (the test suite's session that sets up and checks moto's
    state, which should not read answers through the parser it tests)."""
    core = botocore.session.Session()
    if sliced_ec2_parser:
        core.register_component("response_parser_factory", SlicedParserFactory())
    core.lazy_register_component("data_loader", lambda: shared_loader(core.get_config_variable("data_path")))
    reuse_client_classes(core)
    session = boto3.Session(botocore_session=core, profile_name=profile, **kwargs)
    _drop_repeated_search_paths(core.get_component("data_loader"))
    if mfa_prompt is not None:
        use_mfa_prompt(core, mfa_prompt)  # after the profile is set: the provider reads it when made
    return session


# -- one botocore data loader for every session ------------------------------------------------------------------------
# Each botocore session makes its own Loader, which lists the ~400 service folders of botocore's data (thousands of
# isdir/isfile calls) and parses the same JSON models again: ~0.3 s a session, paid again for every profile, credentials
# reset and gateway. The loader holds only data read from disk, so sessions with the same data path share one.
_LOADERS: dict[str | None, botocore.loaders.Loader] = {}
_LOADERS_LOCK = threading.Lock()


def shared_loader(data_path: str | None) -> botocore.loaders.Loader:
    """The loader for ``data_path`` (``$AWS_DATA_PATH`` / a profile's ``data_path``; None: botocore's own data), as
    :func:`botocore.loaders.create_loader` makes it, reading with :class:`LeanJsonFileLoader`."""
    with _LOADERS_LOCK:
        loader = _LOADERS.get(data_path)
        if loader is None:
            loader = _LOADERS[data_path] = botocore.loaders.create_loader(data_path)
            loader.file_loader = LeanJsonFileLoader()
        return loader


class LeanJsonFileLoader(botocore.loaders.JSONFileLoader):
    """Reads botocore's data as botocore does, in two thirds of the memory: plain dicts (botocore's reader makes
    OrderedDicts, half as big again; a dict keeps its order as well), and service models without their documentation,
    which botocore only turns into docstrings, never shown by a TUI. The loaded models stay for the whole run: EC2's
    took 13.9 MB, endpoints.json 6.7 MB, IAM's 2.3 MB (the account alias)."""

    EXTENSIONS = (".json", ".json.gz")
    """The forms botocore keeps its data in, in the order its own reader tries them."""

    def load_file(self, file_path: str) -> Any:
        for extension in self.EXTENSIONS:
            if os.path.isfile(file_path + extension):
                with open(file_path + extension, "rb") as data:
                    payload = data.read()
                loaded = json.loads(gzip.decompress(payload) if extension.endswith(".gz") else payload)
                if os.path.basename(file_path) == "service-2":
                    without_documentation(loaded)
                return loaded
        return None


DOCUMENTATION = ("documentation", "documentationUrl")


def without_documentation(model: dict[str, Any]) -> dict[str, Any]:
    """Drop, in place, the documentation of a service model's operations, shapes and shape members (and of the
    service). Only where the model's format puts it: a member may be named "documentation" itself."""

    def drop(part: Any) -> None:
        if isinstance(part, dict):
            for key in DOCUMENTATION:
                part.pop(key, None)

    drop(model)
    for operation in model.get("operations", {}).values():
        drop(operation)
        for ref in (operation.get("input"), operation.get("output"), *operation.get("errors", ())):
            drop(ref)
    for shape in model.get("shapes", {}).values():
        drop(shape)
        for member in shape.get("members", {}).values():
            drop(member)
        for ref in (shape.get("member"), shape.get("key"), shape.get("value")):
            drop(ref)
    return model


def _drop_repeated_search_paths(loader: botocore.loaders.Loader) -> None:
    """boto3 appends its own data folder to the loader of every session it wraps: once is enough for a shared one."""
    with _LOADERS_LOCK:
        paths = loader.search_paths
        paths[:] = list(dict.fromkeys(paths))


# -- client classes and service models made once per session and service ----------------------------------------------
# botocore builds a new client class for every client: ~830 method objects for EC2, ~40 ms, three quarters of a
# client's cost. The class depends on the service's model and the session's handlers, never on the region, so a
# session of ours builds it once per service; an all-regions fan-out then makes its 24 clients in a quarter of the
# time (and of the GIL it takes from the UI). The same holds for the ``ServiceModel`` botocore makes for every client:
# made afresh, a client without an endpoint URL (a real account's) builds the model of each of EC2's ~750 operations
# to check for endpoint discovery, ~10 ms a client; shared, once per session. These are botocore's two private
# methods we wrap (ec2tui/compat/botocore_private.py); the test suite checks that they still exist and that the
# wrapped ones still run for sessions that are not ours.
# The caches hang on the session's event emitter itself, so they live and die with the session. (A module-level
# WeakKeyDictionary keyed by the emitter never let one go: each cached class refers back to the emitter, so every
# session ever made stayed alive with its service models, ~30 MB each.)
_CLASS_CACHE = "ec2tui_client_classes"
_MODEL_CACHE = "ec2tui_service_models"
_CACHE_LOCK = threading.Lock()


def reuse_client_classes(core: botocore.session.Session) -> None:
    """Make ``core``'s client classes and service models once per (service, API version)."""
    _wrap_creator_methods()
    emitter = core.get_component("event_emitter")
    setattr(emitter, _CLASS_CACHE, {})
    setattr(emitter, _MODEL_CACHE, {})


def _once_per_session(cache_name: str, original: Callable[..., Any], key: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (a ClientCreator method), its result kept in the session's cache ``cache_name`` by ``key``."""

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        cache: dict[Any, Any] | None = getattr(botocore_private.event_emitter(self), cache_name, None)
        if cache is None:  # not a session of ours: botocore as usual
            return original(self, *args, **kwargs)
        wanted = key(*args, **kwargs)
        with _CACHE_LOCK:
            made = cache.get(wanted)
            if made is None:
                made = cache[wanted] = original(self, *args, **kwargs)
        return made

    wrapper.ec2tui_reuses = True  # type: ignore[attr-defined]
    return wrapper


def _wrap_creator_methods() -> None:
    classes = botocore_private.create_client_class()
    if not getattr(classes, "ec2tui_reuses", False):
        botocore_private.replace_create_client_class(
            _once_per_session(_CLASS_CACHE, classes, lambda name, model: (name, model.api_version))
        )
    models = botocore_private.load_service_model()
    if not getattr(models, "ec2tui_reuses", False):
        botocore_private.replace_load_service_model(
            _once_per_session(_MODEL_CACHE, models, lambda name, api_version=None: (name, api_version))
        )


class ClientFactory:
    """Thread-safe cache of boto3 clients, each with ec2tui's request guards (see :mod:`ec2tui.aws.guards`).

    boto3 sessions are not thread-safe to create clients from concurrently, so client creation is
    serialised; the clients themselves are thread-safe and shared by the gateway's worker threads.

    ``read_only`` (set by the gateway) makes every client refuse anything but reads and dry runs. ``config``
    overrides every kind's settings (tests scale the timeouts down with it). ``mfa_prompt`` asks for the MFA code
    of an assume-role profile with ``mfa_serial`` (see :mod:`ec2tui.aws.mfa`; by default botocore's getpass).
    """

    def __init__(
        self,
        target: AwsTarget,
        session: boto3.Session | None = None,
        config: Config | None = None,
        *,
        read_only: bool = False,
        mfa_prompt: MfaPrompt | None = None,
    ) -> None:
        self.target = target
        self.mfa_prompt = mfa_prompt
        self.policy = RequestPolicy(read_only=read_only)
        self._overrides = config
        self._session = session
        self._given_session = session is not None
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def overrides(self) -> Config | None:
        """The config that overrides every kind's settings (None: ec2tui's own)."""
        return self._overrides

    @property
    def read_only(self) -> bool:
        return self.policy.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self.policy.read_only = value

    @property
    def session(self) -> boto3.Session:
        with self._lock:
            if self._session is None:
                try:
                    self._session = new_session(self.target.profile, mfa_prompt=self.mfa_prompt)
                except Exception as exc:  # ProfileNotFound and friends
                    raise translate(exc, context=CredentialContext(self.target.profile)) from exc
            return self._session

    def reset_session(self) -> None:
        """Resolve credentials afresh on the next call (after ``aws sso login``, new keys, a new MFA code): the
        clients go, and the session too unless it was given."""
        with self._lock:
            if not self._given_session:  # a given session's credentials are its own (the demo's, a test's)
                self._session = None
            self._clients.clear()

    @property
    def profile_name(self) -> str:
        return self.target.profile or self.session.profile_name or "default"

    @property
    def default_region(self) -> str:
        """The region the CLI would use: --region, then AWS_REGION/AWS_DEFAULT_REGION/profile, else us-east-1."""
        return self.target.region or self.session.region_name or DEFAULT_REGION

    @property
    def credential_context(self) -> CredentialContext:
        """The profile and how its credentials were found, for error messages that say how to refresh them."""
        session = self.session
        method = None
        # The session caches the credentials it resolved for its clients: this asks nobody. If there are none
        # (expired SSO and friends), the error being reported says so already.
        with contextlib.suppress(Exception):
            method = getattr(session.get_credentials(), "method", None)
        return CredentialContext(self.target.profile or session.profile_name, method)

    def config_for(self, kind: str) -> Config:
        """The botocore config of a client kind: "read", "change" or "search"."""
        config = _KIND_CONFIGS[kind]
        return config.merge(self._overrides) if self._overrides else config

    def client(self, service: str, region: str | None = None, *, search: bool = False, change: bool = False) -> Any:
        """The client for ``service`` in ``region``: quick to give up for reads; ``change=True`` gives the patient
        one for calls that change AWS, ``search=True`` one patient enough for huge answers."""
        region = region or self.default_region
        kind = "change" if change else "search" if search else "read"
        key = (service, region, kind)
        session = self.session
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs: dict[str, Any] = {"region_name": region, "config": self.config_for(kind)}
                if self.target.endpoint_url:
                    kwargs["endpoint_url"] = self.target.endpoint_url
                try:
                    client = session.client(service, **kwargs)  # type: ignore[call-overload]  # stubs want a literal name
                except Exception as exc:
                    raise translate(exc, context=CredentialContext(self.target.profile)) from exc
                guards = RequestGuards(self.policy, client.meta.endpoint_url, session.get_credentials)
                guards.install(client.meta.events)
                self._clients[key] = client
            return client

    def ec2(self, region: str | None = None, *, search: bool = False, change: bool = False) -> Any:
        return self.client("ec2", region, search=search, change=change)


def endpoint_from_env() -> str | None:
    """The endpoint botocore will use from the environment (shown in the header; botocore applies it itself)."""
    return os.environ.get("AWS_ENDPOINT_URL_EC2") or os.environ.get("AWS_ENDPOINT_URL") or None
