"""Command line: follows the AWS CLI's conventions (credential chain, profile, region, endpoint URL)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ec2tui import __version__

if TYPE_CHECKING:
    from ec2tui.gateway import Gateway


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ec2tui",
        description="A keyboard-native terminal UI for browsing and launching Amazon EC2.",
        epilog="Credentials, profile, region and endpoint are resolved exactly as the AWS CLI does "
        "(AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, SSO login cache, …).",
    )
    parser.add_argument("--profile", help="AWS profile to use (default: AWS_PROFILE or 'default')")
    parser.add_argument("--region", help="region to open in (default: AWS_REGION / AWS_DEFAULT_REGION / profile)")
    parser.add_argument("--endpoint-url", help="custom endpoint, e.g. LocalStack or a moto server")
    parser.add_argument("--read-only", action="store_true", help="refuse every call that changes AWS")
    parser.add_argument("--demo", action="store_true", help="run against a built-in moto server with sample data")
    parser.add_argument("--theme", help="Textual theme, e.g. textual-light for light terminals")
    parser.add_argument("--version", action="version", version=f"ec2tui {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ec2tui.aws.clients import AwsTarget, ClientFactory, endpoint_from_env
    from ec2tui.errors import Ec2TuiError
    from ec2tui.gateway import Gateway
    from ec2tui.settings import load_keymap

    try:
        keymap = load_keymap()
    except Ec2TuiError as exc:
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2

    demo = None
    ready: threading.Event | None = None
    if args.demo:
        from ec2tui.demo.seed import DEMO_REGIONS, demo_session
        from ec2tui.demo.server import start_demo

        # The demo's resources live only as long as this process: keep its launch drafts out of the real state dir.
        os.environ.setdefault("EC2TUI_STATE_DIR", tempfile.mkdtemp(prefix="ec2tui-demo-"))
        demo = start_demo(seed=False)
        ready = threading.Event()
        factory = ClientFactory(
            AwsTarget(region=args.region or DEMO_REGIONS[0], endpoint_url=demo.endpoint_url), demo_session()
        )
        _seed_in_background(demo.endpoint_url, ready)
    else:
        target = AwsTarget(
            profile=args.profile or None,
            region=args.region or None,
            endpoint_url=args.endpoint_url or endpoint_from_env(),
        )
        factory = ClientFactory(target)
        try:
            _check_credentials(factory)
        except Ec2TuiError as exc:
            print(f"ec2tui: {exc}", file=sys.stderr)
            return 2

    from ec2tui.app import Ec2App

    gateway = Gateway(factory, read_only=args.read_only, ready=ready.wait if ready else None)
    app = Ec2App(
        gateway,
        demo=args.demo,
        theme=args.theme or os.environ.get("EC2TUI_THEME"),
        keymap=keymap,
    )
    try:
        app.run()
    finally:
        if demo is not None:
            demo.stop()
    return finish(gateway, app.return_code or 0)


def finish(gateway: Gateway, code: int) -> int:
    """Leave now, even while an AWS call is still out: Python would wait for its worker thread before exiting (up to
    a read timeout, minutes for a huge search), and quitting must never hang. Nothing is lost: the UI is gone and
    every change the user made has already been sent."""
    if gateway.busy:
        gateway.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _check_credentials(factory) -> None:
    """Fail before the UI starts when the profile is unknown or no credentials exist at all."""
    from ec2tui.aws.errors import translate
    from ec2tui.errors import CredentialsError

    session = factory.session  # raises CredentialsError for an unknown profile
    try:
        credentials = session.get_credentials()
    except Exception as exc:  # e.g. a broken credential_process or SSO cache: explain, don't trace back
        raise translate(exc) from exc
    if credentials is None:
        raise CredentialsError(
            "No AWS credentials found. Run 'aws configure' or 'aws sso login', set AWS_PROFILE, "
            "or try 'ec2tui --demo'.",
            "NoCredentials",
        )


def _seed_in_background(endpoint_url: str, ready: threading.Event) -> None:
    """Seed while the UI starts; the gateway holds AWS calls until ``ready`` is set."""
    from ec2tui.demo.seed import seed_demo
    from ec2tui.demo.server import freeze_seeded_state

    def run() -> None:
        try:
            seed_demo(endpoint_url)
            freeze_seeded_state()
        finally:
            ready.set()

    threading.Thread(target=run, name="ec2tui-demo-seed", daemon=True).start()
