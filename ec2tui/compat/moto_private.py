"""moto's private names the demo uses (only with the ``demo`` extra), and why. Checked against moto 5.2.5.

- ``ThreadedMotoServer._server``: the werkzeug server holding the WSGI app; the demo wraps that app to answer the
  Price List API, which moto lacks (ThreadedMotoServer builds the app itself, so there is no other way in).
- ``SimpleSystemManagerBackend._parameters``: the SSM parameter store, seeded directly with the public
  ``/aws/service/...`` parameters moto refuses to ``put_parameter``.

- ``EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER``: a dict shared by every EC2 answer, which moto's
  DescribeKeyPairs writes to (see :func:`key_pairs_answer_thread_safe`).

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


KEY_PAIRS_PUBLIC_KEY = "DescribeKeyPairsResult.KeyPairs.KeyPairInfo.PublicKey"
"""The answer path moto's DescribeKeyPairs includes or excludes (IncludePublicKey) in that shared dict."""


def key_pairs_answer_thread_safe() -> None:
    """Keep moto's first DescribeKeyPairs from breaking EC2 answers written at the same time in other threads.

    Every EC2 answer iterates ``EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER`` (class-wide) while it is
    serialized, and DescribeKeyPairs sets the public key's entry there on every call. Its first call in a process
    adds that key, so an answer being serialized meanwhile in another thread fails with "dictionary changed size
    during iteration": an HTTP 500 from the demo's server, an error in the launch form's first load in the tests.
    Once the key is there, a call replaces its value (the size stays). The dict is replaced by a copy holding the
    key rather than changed in place, so this is safe while the server already answers.
    """
    from moto.core.serialize import never_return
    from moto.ec2.responses._base_response import EC2BaseResponse

    transformers = EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER
    if KEY_PAIRS_PUBLIC_KEY not in transformers:
        EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {**transformers, KEY_PAIRS_PUBLIC_KEY: never_return}


def missing() -> list[str]:
    """The private names above that this moto no longer has (empty when all is well)."""
    import inspect

    import moto
    import moto.ec2.models
    import moto.ec2.responses.key_pairs
    import moto.iam.models
    from moto.ec2.responses._base_response import EC2BaseResponse
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
        "EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER": isinstance(
            getattr(EC2BaseResponse, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None), dict
        ),
        "DescribeKeyPairs' public key path": f'"{KEY_PAIRS_PUBLIC_KEY}"'
        in inspect.getsource(moto.ec2.responses.key_pairs),
    }
    return [
        f"{name} (checked with moto {CHECKED_WITH}, installed {moto.__version__})"
        for name, present in checks.items()
        if not present
    ]
