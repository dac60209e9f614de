"""One boto3 session per profile and one cached client per (profile, region, service)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from ec2tui.aws.errors import translate
from ec2tui.aws.xml_parsing import SlicedParserFactory

DEFAULT_REGION = "us-east-1"

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 6},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=32,
    user_agent_extra="ec2tui",
)


SEARCH_CONFIG = Config(read_timeout=300, retries={"mode": "standard", "max_attempts": 2})
"""For public image searches: EC2 answers them in seconds, but a server that ignores paging (moto) spends ~30 s
rendering 50,000 images, and a read timeout would only make it start again (and again, once per retry)."""


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: follows the AWS CLI (profile, region, endpoint URL)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def new_session(profile: str | None = None, **kwargs: Any) -> boto3.Session:
    """A boto3 session as the AWS CLI would make it, whose EC2 clients parse huge answers without freezing the UI."""
    core = botocore.session.Session()
    core.register_component("response_parser_factory", SlicedParserFactory())
    return boto3.Session(botocore_session=core, profile_name=profile, **kwargs)


class ClientFactory:
    """Thread-safe cache of boto3 clients.

    boto3 sessions are not thread-safe to create clients from concurrently, so client creation is
    serialised; the clients themselves are thread-safe and shared by the gateway's worker threads.
    """

    def __init__(self, target: AwsTarget, session: boto3.Session | None = None, config: Config | None = None) -> None:
        self.target = target
        self.config = CLIENT_CONFIG.merge(config) if config else CLIENT_CONFIG
        self._session = session
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.Session:
        with self._lock:
            if self._session is None:
                try:
                    self._session = new_session(self.target.profile)
                except Exception as exc:  # ProfileNotFound and friends
                    raise translate(exc) from exc
            return self._session

    @property
    def profile_name(self) -> str:
        return self.target.profile or self.session.profile_name or "default"

    @property
    def default_region(self) -> str:
        """The region the CLI would use: --region, then AWS_REGION/AWS_DEFAULT_REGION/profile, else us-east-1."""
        return self.target.region or self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str | None = None, *, search: bool = False) -> Any:
        """The client for ``service`` in ``region``; ``search=True`` gives one patient enough for huge answers."""
        region = region or self.default_region
        key = (service, region, search)
        session = self.session
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                config = self.config.merge(SEARCH_CONFIG) if search else self.config
                kwargs: dict[str, Any] = {"region_name": region, "config": config}
                if self.target.endpoint_url:
                    kwargs["endpoint_url"] = self.target.endpoint_url
                try:
                    client = session.client(service, **kwargs)
                except Exception as exc:
                    raise translate(exc) from exc
                self._clients[key] = client
            return client

    def ec2(self, region: str | None = None, *, search: bool = False) -> Any:
        return self.client("ec2", region, search=search)


def endpoint_from_env() -> str | None:
    """The endpoint botocore will use from the environment (shown in the header; botocore applies it itself)."""
    return os.environ.get("AWS_ENDPOINT_URL_EC2") or os.environ.get("AWS_ENDPOINT_URL") or None
