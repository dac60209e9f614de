"""Start an in-process moto server on 127.0.0.1 and seed it."""

from __future__ import annotations

import gc
import logging
import os
import time
from dataclasses import dataclass, field

DEMO_ACCOUNT = "123456789012"
DEMO_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")

# Make moto answer like AWS does for unknown AMIs, instance types and key names (read at moto import time).
_MOTO_ENV = {
    "MOTO_ENABLE_AMI_VALIDATION": "true",
    "MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION": "true",
    "MOTO_ENABLE_KEYPAIR_VALIDATION": "true",
}


@dataclass
class DemoServer:
    endpoint_url: str
    seconds_to_seed: float
    _server: object = field(repr=False)

    def stop(self) -> None:
        self._server.stop()  # type: ignore[attr-defined]


def start_demo(seed: bool = True) -> DemoServer:
    """Start moto on a random free loopback port and seed it; returns once the data is there."""
    for name, value in _MOTO_ENV.items():
        os.environ.setdefault(name, value)
    # moto preloads ~1,300 ECS images into every region it touches, which costs ~0.1 s per region and drowns
    # the catalog; the demo seeds its own realistic catalog instead (see seed_images).
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    started = time.perf_counter()
    if seed:
        from ec2tui.demo.seed import seed_demo

        seed_demo(endpoint)
    return DemoServer(endpoint_url=endpoint, seconds_to_seed=time.perf_counter() - started, _server=server)


def freeze_seeded_state() -> None:
    """Move everything alive now (moto's seeded backends, imported modules) out of the garbage collector's reach.

    The demo's moto server lives in the UI's process: a full collection then walks ~225,000 objects and holds the GIL
    for 100-200 ms, a visible stutter each time one runs. Frozen objects are still freed by reference counting;
    only reference cycles among them would stay, and moto's seeded state lives as long as the demo anyway.
    """
    gc.freeze()
