"""Command line: follows the AWS CLI's conventions (credential chain, profile, region, endpoint URL)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ec2tui import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from ec2tui.app import Ec2App
    from ec2tui.aws.clients import ClientFactory
    from ec2tui.gateway import Gateway
    from ec2tui.gateway.accounts import Accounts
    from ec2tui.gateway.disk_cache import DiskCache


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ec2tui",
        description="A keyboard-native terminal UI for browsing and launching Amazon EC2.",
        epilog="Credentials, profile, region and endpoint are resolved exactly as the AWS CLI does "
        "(AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, SSO login cache, …). "
        f"Other commands: {', '.join(f'ec2tui {name}' for name in SUBCOMMANDS)} (each has --help).",
    )
    parser.add_argument("--profile", help="AWS profile to use (default: AWS_PROFILE or 'default')")
    parser.add_argument("--region", help="region to open in (default: AWS_REGION / AWS_DEFAULT_REGION / profile)")
    parser.add_argument("--endpoint-url", help="custom endpoint, e.g. LocalStack or a moto server")
    parser.add_argument("--read-only", action="store_true", help="refuse every call that changes AWS")
    parser.add_argument("--demo", action="store_true", help="run against a built-in moto server with sample data")
    parser.add_argument("--theme", help="Textual theme, e.g. textual-light for light terminals (or EC2TUI_THEME)")
    parser.add_argument(
        "--log-file",
        metavar="PATH",
        help="append a diagnostics log to PATH: AWS calls made and unexpected errors (credentials redacted)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="with --log-file: also log botocore's requests and responses"
    )
    parser.add_argument("--version", action="version", version=f"ec2tui {__version__}")
    return parser


# Subcommands (issue 14), each with its own parser in its own module: `ec2tui pick ...`, `ec2tui config`, `ec2tui keys`.
SUBCOMMANDS = {"pick": "ec2tui.pick.command", "config": "ec2tui.settings_command", "keys": "ec2tui.keys_command"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        return int(importlib.import_module(SUBCOMMANDS[argv[0]]).main(list(argv[1:])))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug and not args.log_file:
        parser.error("--debug needs --log-file PATH (the wire log goes to that file)")
    # -- settings (issue 14): settings.toml < environment < flags; fills args.profile/region/theme/read_only and
    # args.cache_ttl; ec2tui.settings.current() holds the rest for the screens.
    from ec2tui.errors import ValidationError
    from ec2tui.settings_command import apply_settings

    try:
        apply_settings(args)
    except ValidationError as exc:
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2
    from ec2tui import diagnostics
    from ec2tui.errors import Ec2TuiError

    scrub = _shared_scrubber()
    diagnostics.use_scrubber(scrub)
    if args.log_file:
        try:
            diagnostics.configure(args.log_file, debug=args.debug, scrub=scrub)
        except diagnostics.LogFileError as exc:
            print(f"ec2tui: {exc}", file=sys.stderr)
            return 2
    try:
        with contextlib.ExitStack() as cleanup:
            gateway, app = _prepare(args, cleanup)
            cleanup.enter_context(_quit_on_hangup_or_term(app))
            from ec2tui import collector

            collector.freeze_start_up()
            app.run()
            code = app.return_code or 0
            diagnostics.log.info("ec2tui exits with code %s", code)
    except Ec2TuiError as exc:  # raised by _prepare before the UI starts: a message, not a traceback
        print(f"ec2tui: {exc}", file=sys.stderr)
        return 2
    finally:
        diagnostics.shutdown()
    return finish(gateway, code)


def _prepare(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> tuple[Accounts, Ec2App]:
    """Everything before the UI starts; raises Ec2TuiError with a message for the terminal."""
    if args.demo:  # first of all: the server's process imports moto (~1 s) while this one imports the rest
        from ec2tui.demo.server import start_demo

        demo = start_demo(wait=False)
        cleanup.callback(demo.stop)
    from ec2tui import diagnostics
    from ec2tui.aws.clients import AwsTarget, ClientFactory, endpoint_from_env
    from ec2tui.gateway import Gateway
    from ec2tui.settings import load_keymap

    keymap = load_keymap()
    ready: Callable[[], object] | None = None
    from ec2tui.screens.credentials import MfaAsker

    mfa = MfaAsker()  # MFA codes in a dialog once the app runs (botocore would prompt on the terminal, under it)
    if args.demo:
        from ec2tui.demo.server import CLIENT_CONFIG, DEMO_REGIONS

        _check_region(args.region or DEMO_REGIONS[0], custom_endpoint=False)
        if not os.environ.get("EC2TUI_STATE_DIR"):
            # The demo's resources live only as long as this process: keep its launch drafts out of the real
            # state dir, in a folder removed at exit (exceptions included).
            import tempfile

            state = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ec2tui-demo-"))
            os.environ["EC2TUI_STATE_DIR"] = state
            cleanup.callback(os.environ.pop, "EC2TUI_STATE_DIR", None)
        import tempfile
        from pathlib import Path

        import ec2tui.app  # noqa: F401  (meanwhile: the server is still starting)
        from ec2tui.demo.profiles import DEMO_PROFILE, STAGING_PROFILE, write_demo_profiles
        from ec2tui.errors import ValidationError

        profile = args.profile or DEMO_PROFILE
        if profile not in (DEMO_PROFILE, STAGING_PROFILE):
            raise ValidationError(
                f"the demo has two profiles: {DEMO_PROFILE} and {STAGING_PROFILE} (not {profile!r})", "profile"
            )
        region = args.region or DEMO_REGIONS[0]
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ec2tui-demo-aws-")))
        for name, value in write_demo_profiles(folder, demo.endpoint_url, region).items():
            # This process's AWS SDK (and the AWS CLI it runs) read the demo's profiles, not the user's.
            cleanup.callback(_restore_env, name, os.environ.get(name))
            os.environ[name] = value
        factory = ClientFactory(
            AwsTarget(profile=profile, region=region, endpoint_url=demo.endpoint_url),
            None,
            CLIENT_CONFIG,  # patient: the demo's server is on this machine
            mfa_prompt=mfa.for_profile(profile),
        )
        session = factory.session
        ready = demo.wait_seeded  # the gateway holds calls that need the demo's data until it is seeded
        if profile == STAGING_PROFILE:
            ready = demo.wait_staging_seeded
    else:
        endpoint = args.endpoint_url or endpoint_from_env()
        factory = ClientFactory(
            AwsTarget(profile=args.profile or None, region=args.region or None, endpoint_url=endpoint),
            mfa_prompt=mfa.for_profile(args.profile or os.environ.get("AWS_PROFILE") or "default"),
        )
        _check_credentials(factory)
        _check_region(factory.default_region, custom_endpoint=bool(endpoint))
        session = factory.session
    credentials = session.get_credentials()
    diagnostics.add_secrets(*_secret_values(credentials))  # never shown in an error, nor logged
    if diagnostics.log_path() is not None:
        diagnostics.log.info(
            "profile=%s region=%s endpoint=%s read_only=%s demo=%s",
            "demo" if args.demo else factory.profile_name,
            factory.default_region,
            factory.target.endpoint_url or "AWS",
            args.read_only,
            args.demo,
        )
        diagnostics.log_aws_calls(session.events, secrets=lambda: _secret_values(credentials))

    from ec2tui.app import Ec2App
    from ec2tui.gateway.accounts import Accounts

    keymap, warnings = _checked_keymap(keymap)
    disk = _disk_cache(args.demo, factory)
    ttl = getattr(args, "cache_ttl", 60.0)
    gateway = Gateway(factory, read_only=args.read_only, ready=ready, disk=disk, ttl=ttl)

    def ready_of(profile: str) -> Callable[[], object] | None:
        if not args.demo:
            return None
        from ec2tui.demo.profiles import STAGING_PROFILE

        return demo.wait_staging_seeded if profile == STAGING_PROFILE else demo.wait_seeded

    def gateway_of(profile: str) -> Gateway:
        """Another profile's gateway (:profiles), at the same endpoint and read-only setting."""
        other = _profile_factory(profile, factory, mfa.for_profile)
        other_credentials = other.session.get_credentials
        if diagnostics.log_path() is not None:
            diagnostics.log_aws_calls(other.session.events, secrets=lambda: _secret_values(other_credentials()))
        return Gateway(other, read_only=args.read_only, ready=ready_of(profile), disk=disk, ttl=ttl)

    accounts = Accounts(gateway, gateway_of)
    app = Ec2App(accounts, demo=args.demo, keymap=keymap)
    app.remembers_theme = True  # ctrl+p → theme is saved in the settings file
    mfa.app = app
    theme = args.theme or os.environ.get("EC2TUI_THEME")
    if theme and theme not in app.available_themes:
        from ec2tui import settings

        source = settings.current().source("theme")
        warnings.insert(
            0,
            f"unknown theme {theme!r} ({source}); using the default. "
            f"Available: {', '.join(sorted(app.available_themes))}",
        )
    elif theme:
        app.theme = theme
    for warning in warnings:  # seen after quitting (the UI hides the terminal) and, below, inside the UI
        print(f"ec2tui: {warning}", file=sys.stderr)
    if warnings:
        app.notify("\n".join(warnings), title="Settings ignored", severity="warning", markup=False, timeout=20)
    return accounts, app


@contextlib.contextmanager
def _quit_on_hangup_or_term(app: Ec2App) -> Iterator[None]:
    """SIGTERM and SIGHUP (the SSH connection dropped) end the app as a quit does, so the terminal is restored
    and everything registered for clean-up runs (the demo's server and temporary folder): by default Python just
    dies on them."""
    import asyncio
    import signal

    def handler(signum: int, frame: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the UI isn't running (yet or any more)
            raise SystemExit(128 + signum) from None
        loop.call_soon_threadsafe(app.exit, None, 128 + signum)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _profile_factory(
    profile: str, first: ClientFactory, mfa_prompt_for: Callable[[str], Callable[[str], str]] | None = None
) -> ClientFactory:
    """The client factory of another profile: same endpoint and timeouts as the first one. Its session (and its
    credentials) are made on its first call, in a worker thread; an MFA code is asked with ``mfa_prompt_for``'s."""
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.aws.profiles import ENV_PROFILE

    target = AwsTarget(
        profile=None if profile == ENV_PROFILE else profile,
        region=first.target.region,
        endpoint_url=first.target.endpoint_url,
    )
    mfa_prompt = mfa_prompt_for(profile) if mfa_prompt_for is not None else None
    return ClientFactory(target, None, first.overrides, mfa_prompt=mfa_prompt)


def finish(gateway: Gateway | Accounts, code: int) -> int:
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
        raise translate(exc, context=factory.credential_context) from exc
    if credentials is None:
        raise CredentialsError(
            "No AWS credentials found. Run 'aws configure' or 'aws sso login', set AWS_PROFILE, "
            "or try 'ec2tui --demo'.",
            "NoCredentials",
        )


def _disk_cache(demo: bool, factory: ClientFactory) -> DiskCache:
    """The on-disk cache of slow-changing lookups (instance types, offerings), per endpoint: AWS, a custom
    endpoint's URL, or the demo's moto (a new port each run, the same catalogue for a given moto version)."""
    from importlib.metadata import PackageNotFoundError, version

    from ec2tui.gateway.disk_cache import DiskCache
    from ec2tui.paths import cache_dir

    if demo:
        try:
            endpoint = f"demo:moto-{version('moto')}"
        except PackageNotFoundError:
            endpoint = "demo:moto"
    else:
        endpoint = factory.target.endpoint_url or "aws"
    return DiskCache(cache_dir() / "lookups", endpoint)


def _shared_scrubber() -> Callable[[str], str] | None:
    """The AWS error scrubber (it knows echoed "canonical request" blocks) when this build has it."""
    try:
        from ec2tui.aws.scrub import scrub  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return scrub  # type: ignore[no-any-return, unused-ignore]


def _secret_values(credentials: object) -> Iterable[str]:
    """The secret key and session token in use now (they change when temporary credentials refresh)."""
    if credentials is None:
        return ()
    try:
        frozen = credentials.get_frozen_credentials()  # type: ignore[attr-defined]
    except Exception:  # a failed refresh is reported by the call itself
        return ()
    return tuple(v for v in (frozen.secret_key, frozen.token) if v)


def known_regions() -> list[str]:
    """Every region botocore knows EC2 in, across all partitions (aws, aws-cn, aws-us-gov, …), opt-in included.

    From botocore's endpoint data (read through the shared loader, which the app's clients use next), as
    ``Session.get_available_regions`` finds them but without loading EC2's whole service model only to learn that its
    endpoint prefix is ``ec2`` (~0.1 s to parse, before the first screen could be drawn).
    """
    from botocore.regions import EndpointResolver

    from ec2tui.aws.clients import shared_loader

    endpoints, _ = shared_loader(os.environ.get("AWS_DATA_PATH")).load_data_with_path("endpoints")
    resolver = EndpointResolver(endpoints)
    regions: set[str] = set()
    for partition in resolver.get_available_partitions():
        regions.update(resolver.get_available_endpoints("ec2", partition, allow_non_regional=False))
    return sorted(regions)


def _check_region(region: str, *, custom_endpoint: bool) -> None:
    """An unknown region is a one-line error (moto and AWS answer it with an HTML page or a DNS failure); with a
    custom endpoint, which may have regions of its own, it is only a warning."""
    from ec2tui.errors import ValidationError

    known = known_regions()
    if region in known:
        return
    if custom_endpoint:
        print(
            f"ec2tui: region {region!r} is not an AWS region botocore knows; using it with the custom endpoint.",
            file=sys.stderr,
        )
        return
    raise ValidationError(f"unknown region {region!r}. Known regions: {', '.join(known)}", "region")


def binding_defaults() -> dict[str, str]:
    """Binding id → default keys, for every ``Binding(id=...)`` of ec2tui's app, screens and widgets."""
    return {binding_id: keys for binding_id, (keys, _) in binding_table().items()}


def binding_table() -> dict[str, tuple[str, str]]:
    """Binding id → (default keys, what it does), for every ``Binding(id=...)`` of ec2tui's app, screens and widgets.

    What it does is the binding's footer label, or its action's name in words when it has none."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import ec2tui.app
    import ec2tui.launch
    import ec2tui.launch.sections
    import ec2tui.screens
    import ec2tui.widgets

    # Some screens are imported only when first opened: import them all, whatever was imported before.
    for package in (ec2tui.screens, ec2tui.widgets, ec2tui.launch, ec2tui.launch.sections):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)

    keys: dict[str, set[str]] = {}
    descriptions: dict[str, list[str]] = {}
    pending = [DOMNode]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            pending.append(sub)
            if sub.__module__.startswith("ec2tui."):
                for binding in vars(sub).get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id:
                        keys.setdefault(binding.id, set()).update(k.strip() for k in binding.key.split(","))
                        said = binding.description or binding.action.rpartition(".")[2].replace("_", " ")
                        known = descriptions.setdefault(binding.id, [])
                        if said not in known:
                            known.append(said)
    return {
        binding_id: (",".join(sorted(found)), " / ".join(descriptions[binding_id]))
        for binding_id, found in keys.items()
    }


def _checked_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    if not keymap:  # nothing to check: don't import every screen (most are imported only when first opened)
        return {}, []
    from ec2tui import settings

    # Each warning names the file its entry came from: the settings file's [keymap], or keymap.toml (which wins).
    from_settings = {k for k, v in settings.current().keymap.items() if keymap.get(k) == v}
    defaults = binding_defaults()
    usable: dict[str, str] = {}
    warnings: list[str] = []
    for path, wanted in (
        (settings.settings_path(), {k: v for k, v in keymap.items() if k in from_settings}),
        (settings.keymap_path(), {k: v for k, v in keymap.items() if k not in from_settings}),
    ):
        ok, said = settings.check_keymap(wanted, defaults)
        usable.update(ok)
        warnings += [f"{path}: {w}" for w in said]
    return usable, warnings
