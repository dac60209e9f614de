"""Every use of a library's private names, one module per library, each with the version it was checked against.

ec2tui leans on a few internals where no public API does the job (the reasons are in each module). Gathering them
here keeps them visible, and ``tests/test_compat.py`` fails loudly, naming the module, when an upgrade removes one:
each module's ``missing()`` lists the names its library no longer has. The dependency ranges in ``pyproject.toml``
stop at the versions checked. This package imports nothing itself: ``textual_private`` is the UI's, and the UI never
imports botocore (see the import-linter contracts).
"""
