"""The gateway's areas the first screen doesn't use are imported when first used, or in a thread by warm_up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ec2tui.gateway import LATER_APIS

PROBE = textwrap.dedent(
    """
    import sys, threading
    from ec2tui.aws.clients import AwsTarget, ClientFactory
    from ec2tui.gateway import LATER_APIS, Gateway

    gateway = Gateway(ClientFactory(AwsTarget(region="us-east-1")))
    print("start", sorted(name for name in LATER_APIS if name in sys.modules))
    gateway.launch
    print("launch", "ec2tui.gateway.launch" in sys.modules, gateway.launch is gateway.launch)
    for starter in [t for t in threading.enumerate() if t.name == "ec2tui-aws-start"]:
        starter.join(60)  # the gateway's own worker threads, started when it was made
    seen = []
    original = threading.Thread.start
    def start(self):
        seen.append(self.name)
        original(self)
        self.join(60)
    threading.Thread.start = start
    gateway.warm_up()
    gateway.warm_up()
    print("warm", sorted(name for name in LATER_APIS if name in sys.modules) == sorted(LATER_APIS), seen)
    """
)


def test_the_first_screen_s_imports_leave_the_later_areas_out_until_used_or_warmed_up():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "start []", lines
    assert lines[1] == "launch True True", "made on first use, once"
    assert lines[2] == "warm True ['ec2tui-warm-up']", "warm_up imports the rest in one thread, once per process"
    assert len(LATER_APIS) == 5
