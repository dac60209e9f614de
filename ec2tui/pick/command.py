"""``ec2tui pick KIND``: the command line around the picker (arguments, the AWS context, the terminal, the output).

Exit codes: 0 with the chosen value(s) on stdout, one per line; 1 when the user cancels (nothing printed); 2 for an
error before the list shows (no terminal, bad option, no credentials), said on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ec2tui.pick.kinds import KINDS, PickOptions, output_lines
from ec2tui.pick.terminal import NoTerminal, no_terminal_reason, ui_on_terminal

if TYPE_CHECKING:
    from ec2tui.gateway import Gateway
    from ec2tui.pick.app import PickApp


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ec2tui pick",
        description="Choose from a list drawn on the terminal; print the choice on stdout for a shell pipeline, "
        'e.g. aws ec2 run-instances --image-id "$(ec2tui pick ami)".',
        epilog="enter prints and exits 0; space marks several (one per line); escape or q prints nothing and "
        "exits 1; no terminal (CI=true, no /dev/tty): exit 2.",
    )
    parser.add_argument("kind", choices=sorted(KINDS), help="what to pick (ip: an instance's public, else private, IP)")
    parser.add_argument("--category", help="ami: quickstart (default), mine, marketplace, community, custom")
    parser.add_argument(
        "--filter",
        default="",
        metavar="TEXT",
        help="start with the list narrowed to rows with TEXT; for marketplace and community AMIs, the search AWS "
        "runs (text, arch:, platform:, owner:)",
    )
    parser.add_argument("--state", help="instance/ip: only instances in this state (ip: running by default)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="json: the whole record(s)")
    parser.add_argument("--profile", help="AWS profile to use (default: AWS_PROFILE or 'default')")
    parser.add_argument("--region", help="region to list (default: AWS_REGION / AWS_DEFAULT_REGION / profile)")
    parser.add_argument("--endpoint-url", help="custom endpoint, e.g. LocalStack or a moto server")
    parser.add_argument("--demo", action="store_true", help="pick from the built-in demo's sample data")
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from ec2tui.errors import Ec2TuiError

    kind = KINDS[args.kind]
    try:
        from ec2tui.settings_command import apply_settings

        apply_settings(args)  # the settings file's default profile and region
        options = _options(args)
    except Ec2TuiError as exc:
        print(f"ec2tui pick: {exc}", file=sys.stderr)
        return 2
    for option in ("category", "state"):
        if getattr(args, option) is not None and option not in kind.options:
            parser.error(f"--{option} does not apply to 'pick {kind.name}'")
    reason = no_terminal_reason()
    if reason is not None:
        print(f"ec2tui pick: needs a terminal to show the list, but {reason}.", file=sys.stderr)
        return 2

    from ec2tui.cli import finish
    from ec2tui.pick.app import PickApp

    lines: list[str] = []
    try:
        with contextlib.ExitStack() as cleanup:
            gateway, region = _gateway(args, cleanup)
            app = PickApp(gateway, kind, region, options)
            apply_theme(app)
            with ui_on_terminal():
                app.run()
            code, chosen = outcome(app)
            lines = output_lines(kind, chosen, args.format)
    except (Ec2TuiError, NoTerminal) as exc:
        print(f"ec2tui pick: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    if app.failure is not None:  # the list could not be read: say why where a script's log will keep it
        print(f"ec2tui pick: {app.failure}", file=sys.stderr)
    return finish(gateway, code)


def apply_theme(app: PickApp) -> None:
    """The theme of the settings file or ``$EC2TUI_THEME``, as the app has; an unknown one is left out."""
    from ec2tui import settings

    theme = settings.current().theme
    if theme in app.available_themes:
        app.theme = theme


def outcome(app: PickApp) -> tuple[int, list[Any]]:
    """(exit code, chosen records): 0 with what enter chose; 1 with nothing however the app ended otherwise
    (escape, q, ctrl+q, a signal)."""
    chosen = app.return_value or []
    return (0, chosen) if chosen and app.return_code == 0 else (1, [])


def _options(args: argparse.Namespace) -> PickOptions:
    from ec2tui.aws.models.images import ImageCategory

    category = ImageCategory.parse(args.category) if args.category else ImageCategory.QUICKSTART
    if args.kind != "ami" or not category.paged:
        return PickOptions(category=category, filter_text=args.filter, state=args.state)
    # Marketplace and Community are searched on the server, a page at a time: --filter is that search.
    from ec2tui.errors import ValidationError
    from ec2tui.image_search_text import parse_search

    search = parse_search(args.filter)
    if search.owner and category is ImageCategory.MARKETPLACE:
        raise ValidationError("Marketplace images all belong to aws-marketplace: search them without owner:.", "filter")
    return PickOptions(category=category, state=args.state, search=search)


def _gateway(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> tuple[Gateway, str]:
    """A read-only gateway for the chosen AWS context (or the demo), and the region to list."""
    from collections.abc import Callable

    from ec2tui import diagnostics
    from ec2tui.aws.clients import AwsTarget, ClientFactory, endpoint_from_env
    from ec2tui.cli import _check_credentials, _check_region, _secret_values, _shared_scrubber
    from ec2tui.gateway import Gateway

    diagnostics.use_scrubber(_shared_scrubber())
    ready: Callable[[], object] | None = None
    if args.demo:
        from ec2tui.demo.seed import demo_session
        from ec2tui.demo.server import CLIENT_CONFIG, DEMO_REGIONS, start_demo

        region = args.region or DEMO_REGIONS[0]
        _check_region(region, custom_endpoint=False)
        demo = start_demo(wait=False)
        cleanup.callback(demo.stop)
        session = demo_session()
        factory = ClientFactory(AwsTarget(region=region, endpoint_url=demo.endpoint_url), session, CLIENT_CONFIG)
        ready = demo.wait_seeded
    else:
        endpoint = args.endpoint_url or endpoint_from_env()
        factory = ClientFactory(
            AwsTarget(profile=args.profile or None, region=args.region or None, endpoint_url=endpoint)
        )
        _check_credentials(factory)
        region = factory.default_region
        _check_region(region, custom_endpoint=bool(endpoint))
        session = factory.session
    diagnostics.add_secrets(*_secret_values(session.get_credentials()))
    return Gateway(factory, read_only=True, ready=ready), region  # a picker never changes anything
