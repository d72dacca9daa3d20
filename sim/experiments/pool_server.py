"""The local executor's fork server, which can be started before the work is planned.

Workers fork from a clean single-threaded server that has imported the worker's modules. Started
as a command begins, the server imports them on another core while the command loads its files
and plans its runs; the pool then starts its workers without waiting for the imports. This
module imports nothing heavy.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from multiprocessing import forkserver

PRELOAD = ["sim.experiments.worker_preload"]
"""Modules the server imports before it forks a worker."""


def start() -> None:
    """Start the fork server, if it is not running, with the worker's modules to preload.

    With Ctrl-C ignored, which the server inherits: it ignores Ctrl-C itself only once its
    preloaded modules are imported, and a Ctrl-C before that would print its traceback beside
    the one-line message. The parent ignores Ctrl-C only while it starts the server (from the
    main thread; elsewhere signals cannot be set).
    """
    mp.get_context("forkserver").set_forkserver_preload(PRELOAD)
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
