"""Imported by a list's warm-up in tests/test_list_behaviour.py: records the thread that imported it."""

import threading

IMPORTED_IN = threading.current_thread()
