"""Connecting to one instance, start to end: gather what it takes (detail, Session Manager registration, tools on
PATH, key file, last choices), show the connect dialog, build the command, push Instance Connect's key when needed,
then hand the terminal over (:mod:`ec2tui.terminal_session`) and report how it ended.

Runs as a worker of the screen it was started from; nothing on that screen changes, so when the program ends the
app redraws on the same screen, row and filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ec2tui.aws.connect_commands import (
    METHOD_LABELS,
    AwsContext,
    Command,
    Method,
    check_bastion,
    check_key_file,
    port_forward_command,
    ssh_command,
    ssm_shell_command,
)
from ec2tui.aws.connect_readiness import (
    ConnectFacts,
    KeyChoice,
    Offer,
    SsmPing,
    SsmStatus,
    assess,
    find_tools,
    first_available,
    instance_connect_over_ssm,
    port_exposure,
    resolve_key,
)
from ec2tui.aws.connect_service import decrypt_password, one_time_key
from ec2tui.aws.models.instances import Instance, InstanceDetail, InstanceState
from ec2tui.aws.ssh import DEFAULT_LINUX_USER
from ec2tui.connect_choices import ConnectChoice, load_choice, save_choice
from ec2tui.deferred import deferred
from ec2tui.errors import Ec2TuiError, ValidationError
from ec2tui.key_gate import hold_keys
from ec2tui.screens.confirm import ConfirmScreen
from ec2tui.screens.connect import (
    ConnectDialog,
    ConnectRequest,
    ForwardRequest,
    PortForwardDialog,
    WindowsPasswordDialog,
    default_local_port,
)
from ec2tui.settings import load_ssh_keys
from ec2tui.state_files import KIB, UnsafeFileError, read_regular_file
from ec2tui.terminal_session import RunResult, runner_of

ONE_TIME_KEY_SHOWN = "<one-time key>"

PREFERENCES: dict[str, tuple[Method, ...]] = {
    "ssh": (
        Method.SSH_PUBLIC,
        Method.SSH_OVER_SSM,
        Method.INSTANCE_CONNECT,
        Method.SSH_PRIVATE,
        Method.SSH_BASTION,
        Method.WINDOWS_PASSWORD,  # only Windows has it, and there RDP (password, then forward) is what SSH means
        Method.SSM_SHELL,
    ),
    "ssm": (Method.SSM_SHELL, Method.SSH_OVER_SSM, Method.PORT_FORWARD),
    "instance-connect": (Method.INSTANCE_CONNECT,),
    "forward": (Method.PORT_FORWARD,),
}
"""The method each entry point selects first, in order of preference (a remembered choice of the same kind wins)."""

REMEMBERED_KINDS: dict[str, tuple[Method, ...]] = {
    "ssh": PREFERENCES["ssh"][:-1],
    "ssm": (Method.SSM_SHELL,),
    "instance-connect": (Method.INSTANCE_CONNECT,),
    "forward": (Method.PORT_FORWARD,),
}
"""The remembered methods that come first for each entry point: the last SSH route for `h` (the bastion you used),
but `x` is always the Session Manager shell, never last time's SSH over Session Manager."""


@dataclass(frozen=True)
class ConnectPlan:
    """Everything the dialog shows for one instance."""

    instance: Instance
    offers: list[Offer]
    user: str
    key: KeyChoice
    choice: ConnectChoice
    aws: AwsContext
    notes: list[str]
    windows: bool = False
    """No SSH login user (a Windows AMI) or a Windows platform: RDP and the password instead of a shell."""
    instance_connect_over_ssm: bool = False
    """EC2 Instance Connect's SSH goes through Session Manager (see connect_readiness.instance_connect_over_ssm)."""

    def offer(self, method: Method) -> Offer | None:
        return next((offer for offer in self.offers if offer.method == method), None)


async def gather_plan(
    app: Any, instance: Instance, tools: dict[str, bool] | None = None, gateway: Any = None
) -> ConnectPlan:
    """Read what deciding needs (through ``gateway``: the instance's profile's, by default the app's current one)
    and assess every method. Raises Ec2TuiError."""
    gateway = gateway if gateway is not None else app.gateway
    detail: InstanceDetail = await gateway.instances.detail(instance.id, instance.region)
    instance = detail.instance
    notes: list[str] = []
    if instance.state == InstanceState.RUNNING:
        ssm = await gateway.connect.ssm_status(instance.id, instance.region)
    else:
        ssm = SsmStatus(SsmPing.UNKNOWN, "not checked")
    try:
        key_map = load_ssh_keys()
    except ValidationError as exc:
        key_map = {}
        notes.append(f"⚠ {exc}")
    key = resolve_key(instance.key_name, key_map)
    choice = load_choice(instance.id)
    facts = ConnectFacts(
        instance, detail.ssh_user, tools if tools is not None else find_tools(), ssm, key, detail.security_groups
    )
    offers = assess(facts)
    if detail.ssh_user is not None:
        key_note = key.note[:1].upper() + key.note[1:]
        notes.append(f"Login user guessed from the AMI ({detail.ami.label}): {detail.ssh_user}. {key_note}.")
    elif instance.state == InstanceState.RUNNING:
        notes.append("Windows: PowerShell over Session Manager, or RDP through a port forward (3389).")
    if ssm.ping == SsmPing.UNKNOWN and ssm.detail != "not checked" and not instance.iam_profile_arn:
        notes.append("⚠ No IAM instance profile: Session Manager works only with Default Host Management on.")
    aws = AwsContext(instance.region, gateway.chosen_profile, gateway.endpoint_url)
    windows = detail.ssh_user is None or instance.is_windows
    user = detail.ssh_user or ("Administrator" if windows else DEFAULT_LINUX_USER)
    ssm_ready = any(offer.method == Method.SSM_SHELL and offer.available for offer in offers)
    exposure = port_exposure(detail.security_groups)[0]
    over_ssm = instance_connect_over_ssm(instance, exposure, ssm_ready=ssm_ready)
    return ConnectPlan(instance, offers, user, key, choice, aws, notes, windows, over_ssm)


def build_command(plan: ConnectPlan, request: ConnectRequest, key_file: str | None = None) -> Command:
    """The command for a connect request; ``key_file`` overrides the request's (Instance Connect's one-time key).
    Raises ValidationError naming the field that is wrong."""
    instance = plan.instance
    key = key_file if key_file is not None else check_key_file(request.key_file)
    title = METHOD_LABELS[request.method]
    match request.method:
        case Method.SSH_PUBLIC:
            return ssh_command(request.user, instance.public_ip or "", key_file=key, title=title)
        case Method.SSH_PRIVATE:
            return ssh_command(request.user, instance.private_ip or "", key_file=key, title=title)
        case Method.SSH_BASTION:
            bastion = check_bastion(request.bastion)
            return ssh_command(request.user, instance.private_ip or "", key_file=key, bastion=bastion, title=title)
        case Method.SSH_OVER_SSM:
            return ssh_command(request.user, instance.id, key_file=key, over_ssm=plan.aws, title=title)
        case Method.SSM_SHELL:
            return ssm_shell_command(instance.id, plan.aws)
        case Method.INSTANCE_CONNECT:
            key = key_file or ONE_TIME_KEY_SHOWN
            if instance.public_ip and not plan.instance_connect_over_ssm:
                return ssh_command(request.user, instance.public_ip, key_file=key, one_time_key=True, title=title)
            return ssh_command(
                request.user, instance.id, key_file=key, over_ssm=plan.aws, one_time_key=True, title=title
            )
    raise ValidationError(f"{METHOD_LABELS[request.method]} has no command of its own.", "method")


def preview(plan: ConnectPlan, request: ConnectRequest) -> str:
    if request.method == Method.PORT_FORWARD:
        return "(next: choose the port to forward)"
    if request.method == Method.WINDOWS_PASSWORD:
        if not check_key_file(request.key_file):
            raise ValidationError("Enter the key pair's private key file to decrypt the password.", "key")
        return f"decrypt GetPasswordData with {request.key_file.strip()}"
    return build_command(plan, request).display


class ConnectFlow:
    """One connection from an instance screen (the ``host``, an InstanceActions screen)."""

    def __init__(self, host: Any, instance: Instance, entry: str) -> None:
        self.host = host
        self.app = host.app
        self.instance = instance
        self.entry = entry
        self.gateway = host.gateway_of(instance) if hasattr(host, "gateway_of") else self.app.gateway
        """The instance's profile's gateway: every call of the flow goes through it."""

    def start(self) -> None:
        self.host.run_worker(deferred(self.run), group="instance-connect", exclusive=True, exit_on_error=False)

    def _error(self, message: str, title: str = "Connect") -> None:
        self.app.notify(message, title=title, severity="error", markup=False, timeout=12)

    async def run(self) -> None:
        self.app.clear_notifications()  # the last connection's outcome would cover this one's dialogs
        try:
            with hold_keys(self.app):  # keys typed meanwhile go to the dialog, not the list
                plan = await gather_plan(self.app, self.instance, gateway=self.gateway)
        except Ec2TuiError as exc:
            self._error(str(exc), "AWS error")
            return
        saved = plan.choice.method
        remembered = Method(saved) if any(saved == m.value for m in REMEMBERED_KINDS[self.entry]) else None
        method = first_available(plan.offers, PREFERENCES[self.entry], remembered)
        notes = list(plan.notes)
        own = [plan.offer(m) for m in REMEMBERED_KINDS[self.entry]]
        if plan.instance.state != InstanceState.RUNNING and plan.offers:
            why = plan.offers[0].reason
            notes.insert(0, f"✗ {why[:1].upper()}{why[1:]}.")
        elif not any(offer is not None and offer.available for offer in own) and own and own[0] is not None:
            # what the key asked for can't be had: say why first (its line in the list may be out of sight)
            notes.insert(0, f"✗ {own[0].label}: {own[0].reason.rstrip('.')}.")
        if self.entry == "forward" and method == Method.PORT_FORWARD:
            await self._forward(plan, plan.choice)
            return
        name = plan.instance.name or plan.instance.id
        user = plan.choice.user or plan.user
        key_file = plan.choice.key_file or (plan.key.path or "")
        bastion = plan.choice.bastion
        error = ""
        while True:  # shown again (with what was typed and why) when the password can't be decrypted
            request = await self.app.push_screen_wait(
                ConnectDialog(
                    f"Connect to {name} ({plan.instance.id}, {plan.instance.state})",
                    plan.offers,
                    method=method,
                    user=user,
                    key_file=key_file,
                    bastion=bastion,
                    notes="\n".join(notes),
                    check=lambda r: preview(plan, r),
                    error=error,
                )
            )
            if request is None:
                return
            if request.method != Method.WINDOWS_PASSWORD:
                break
            self._remember(self._choice(plan, request))
            error = await self._windows_password(plan, request)
            if not error:
                return
            method, user, key_file, bastion = request.method, request.user, request.key_file, request.bastion
        choice = self._choice(plan, request)
        self._remember(choice)
        if request.method == Method.PORT_FORWARD:
            await self._forward(plan, choice)
        elif request.method == Method.INSTANCE_CONNECT:
            await self._instance_connect(plan, request)
        else:
            self._run(build_command(plan, request))

    @staticmethod
    def _choice(plan: ConnectPlan, request: ConnectRequest) -> ConnectChoice:
        return ConnectChoice(
            request.method.value,
            request.user.strip(),
            request.key_file.strip(),
            request.bastion.strip(),
            plan.choice.remote_port,
            plan.choice.local_port,
            plan.choice.remote_host,
        )

    def _remember(self, choice: ConnectChoice) -> None:
        try:
            save_choice(self.instance.id, choice)
        except (UnsafeFileError, OSError) as exc:
            self.app.notify(f"Your choices were not remembered: {exc}", severity="warning", markup=False)

    async def _forward(self, plan: ConnectPlan, choice: ConnectChoice) -> None:
        remote = choice.remote_port or ("3389" if plan.windows else "22")
        local = choice.local_port or str(default_local_port(int(remote)) if remote.isdigit() else "")
        name = plan.instance.name or plan.instance.id

        def check(request: ForwardRequest) -> str:
            return port_forward_command(
                plan.instance.id, plan.aws, request.remote_port, request.local_port, request.remote_host
            ).display

        request = await self.app.push_screen_wait(
            PortForwardDialog(
                f"Forward a port through {name} ({plan.instance.id})",
                remote_port=remote,
                local_port=local,
                remote_host=choice.remote_host,
                notes="Session Manager carries it: no open port or public IP needed. It runs here in the "
                "foreground (ec2tui steps aside) until Ctrl+C brings you back.",
                check=check,
            )
        )
        if request is None:
            return
        self._remember(
            ConnectChoice(
                Method.PORT_FORWARD.value,
                choice.user,
                choice.key_file,
                choice.bastion,
                request.remote_port.strip(),
                request.local_port.strip(),
                request.remote_host.strip(),
            )
        )
        command = port_forward_command(
            plan.instance.id, plan.aws, request.remote_port, request.local_port, request.remote_host
        )
        self._run(command)  # its banner (the local port, how to end it) is printed in the terminal it runs in

    async def _instance_connect(self, plan: ConnectPlan, request: ConnectRequest) -> None:
        gateway = self.gateway
        confirmed = False
        if gateway.read_only:
            confirmed = await self.app.push_screen_wait(
                ConfirmScreen(
                    "Push a one-time key in read-only mode?",
                    f"EC2 Instance Connect authorises a new public key for {request.user} on {plan.instance.id} "
                    "for 60 seconds: that is a change in AWS, which read-only mode otherwise refuses. Nothing else "
                    "is changed.",
                    yes_label="Push the key (y)",
                )
            )
            if not confirmed:
                return
        with one_time_key() as key:
            command = build_command(plan, request, key_file=str(key.private_key_path))
            try:
                await gateway.connect.send_ssh_public_key(
                    plan.instance.id,
                    request.user.strip(),
                    key.public_key,
                    plan.instance.region,
                    plan.instance.availability_zone or None,
                    allow_in_read_only=confirmed,
                )
            except Ec2TuiError as exc:
                self._error(f"EC2 Instance Connect: {exc}", "AWS error")
                return
            self._run(command)
        # the folder and the key are gone here; the public key expires in AWS by itself after 60 s

    async def _windows_password(self, plan: ConnectPlan, request: ConnectRequest) -> str:
        """Decrypt and show the password (in its dialog only: never notified, logged or stored); offer the RDP
        forward from there. Returns why it couldn't ("" when shown), for the connect dialog to say."""
        typed = request.key_file.strip()
        path = Path(typed).expanduser()
        try:
            pem = read_regular_file(path, limit=64 * KIB)
        except UnsafeFileError as exc:
            return f"Key file: {exc}"
        if pem is None:
            return f"{typed} does not exist: enter the path of the key pair's private key file."
        try:
            with hold_keys(self.app):  # keys typed meanwhile go to the password's dialog
                encrypted = await self.gateway.connect.password_data(plan.instance.id, plan.instance.region)
        except Ec2TuiError as exc:
            self._error(str(exc), "AWS error")
            return ""
        try:
            password = decrypt_password(encrypted, pem)
        except ValidationError as exc:
            return str(exc)
        forward = plan.offer(Method.PORT_FORWARD)
        rdp = await self.app.push_screen_wait(
            WindowsPasswordDialog(
                f"{plan.instance.name or plan.instance.id} ({plan.instance.id})",
                password,
                can_forward=forward is not None and forward.available,
                forward_note=forward.reason if forward is not None else "",
            )
        )
        if rdp:
            saved = load_choice(plan.instance.id)
            rdp_forward = saved.remote_port == "3389" and not saved.remote_host
            await self._forward(
                plan,
                ConnectChoice(
                    Method.WINDOWS_PASSWORD.value,
                    request.user,
                    typed,
                    request.bastion,
                    "3389",
                    saved.local_port if rdp_forward else "",
                    "",
                ),
            )
        return ""

    def _run(self, command: Command) -> RunResult:
        result = runner_of(self.app).run(self.app, command)
        report(self.app, result, command)
        return result


def report(app: Any, result: RunResult, command: Command | None = None) -> None:
    """Say how it ended: nothing for a clean exit but a short note; the command and status otherwise."""
    if result.error:
        app.notify(f"{result.error}.\n$ {result.command}", title="Not connected", severity="error", markup=False)
    elif result.status != 0:
        app.notify(
            f"The command ended with exit status {result.status}:\n$ {result.command}",
            title="Connection ended",
            severity="error",
            markup=False,
            timeout=15,
        )
    elif command is not None and command.ended_by_ctrl_c:
        app.notify(f"{command.title}: ended.", title="Back in ec2tui", markup=False, timeout=5)
    else:
        app.notify("Connection closed.", title="Back in ec2tui", timeout=3)
