"""moto's private names the demo uses (only with the ``demo`` extra), and why. Checked against moto 5.2.5.

- ``ThreadedMotoServer._server``: the werkzeug server holding the WSGI app; the demo wraps that app to answer the
  Price List API, which moto lacks (ThreadedMotoServer builds the app itself, so there is no other way in).
- ``SimpleSystemManagerBackend._parameters``: the SSM parameter store, seeded directly with the public
  ``/aws/service/...`` parameters moto refuses to ``put_parameter``.

Not underscored but internal all the same, read by the demo's answer to ``ssm:DescribeInstanceInformation``
(:mod:`ec2tui.demo.ssm_api`, which moto lacks): ``moto.ec2.models.ec2_backends``, ``EC2Backend.all_instances``,
``EC2Backend.iam_instance_profile_associations`` and ``moto.iam.models.get_account_id_from``; :func:`missing` checks
them too.
"""

from __future__ import annotations

from typing import Any

CHECKED_WITH = "5.2.5"


def werkzeug_server(moto_server: Any) -> Any:
    """The started server's werkzeug server (None before ``start()``)."""
    return moto_server._server


def ssm_parameters(backend: Any) -> Any:
    """An SSM backend's parameter store (name → parameters)."""
    return backend._parameters


def missing() -> list[str]:
    """The private names above that this moto no longer has (empty when all is well)."""
    import inspect

    import moto
    import moto.ec2.models
    import moto.iam.models
    from moto.server import ThreadedMotoServer
    from moto.ssm.models import SimpleSystemManagerBackend

    checks = {
        "ThreadedMotoServer._server": "self._server" in inspect.getsource(ThreadedMotoServer),
        "SimpleSystemManagerBackend._parameters": "self._parameters" in inspect.getsource(SimpleSystemManagerBackend),
        "moto.ec2.models.ec2_backends": hasattr(moto.ec2.models, "ec2_backends"),
        "EC2Backend.all_instances": hasattr(moto.ec2.models.EC2Backend, "all_instances"),
        "EC2Backend.iam_instance_profile_associations": "self.iam_instance_profile_associations"
        in inspect.getsource(moto.ec2.models.iam_instance_profile),
        "moto.iam.models.get_account_id_from": hasattr(moto.iam.models, "get_account_id_from"),
    }
    return [
        f"{name} (checked with moto {CHECKED_WITH}, installed {moto.__version__})"
        for name, present in checks.items()
        if not present
    ]
