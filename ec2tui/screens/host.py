"""The running app, typed as Ec2App, for the screens; and what the screen mixins need of the Screen they join."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual import getters
from textual.app import App
from textual.worker import Worker

from ec2tui.app import Ec2App


class UsesEc2App:
    """Gives a screen, or a screen mixin, ``self.ec2app``: the running app as an Ec2App (``textual.getters.app``)."""

    ec2app = getters.app(Ec2App)


class ScreenHost(Protocol):
    """What ``InstanceActions`` and ``AmiActions`` use of the Screen they are mixed into."""

    app: App[object]
    ec2app: Ec2App
    run_worker: Callable[..., Worker[Any]]


# A mixin's methods are checked against the host it declares; at run time the mixin brings the accessor itself. (A
# mixin can't subclass the Protocol directly: its members would count as abstract and hide the Screen's own.)
if TYPE_CHECKING:

    class ScreenMixin(ScreenHost):
        app: App[object]
        ec2app: Ec2App
        run_worker: Callable[..., Worker[Any]]

else:
    ScreenMixin = UsesEc2App
