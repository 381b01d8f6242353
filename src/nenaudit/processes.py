"""Worker processes that die with their parent, and interruption that says so in one line.

:func:`worker_pool` is the one way nenaudit starts worker processes (bootstrap resamples in
:mod:`nenaudit.stats.validation`, pyradiomics cases in :mod:`nenaudit.radiomics.extract`). Each
worker ignores SIGINT (the parent handles Ctrl-C for the whole process group), takes SIGTERM's
default action, asks the kernel to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG,
SIGKILL)`` on Linux, so even a SIGKILL of the parent takes the workers with it) and runs a
watchdog thread that exits when the parent is gone (the fallback where prctl is missing). When
the block using the pool ends by an exception (an error, Ctrl-C, SIGTERM), the workers are
terminated at once instead of finishing their queued work. The pool is defined in
:mod:`nenaudit.stats.workers` (the statistics import nothing above them) and re-exported here.

:func:`handle_signals` (used by :func:`nenaudit.cli.main`) turns SIGTERM into
:class:`Terminated` in the parent, so that ``finally`` blocks run (outputs marked failed,
temporary directories removed) before the CLI prints ``nenaudit: interrupted`` and exits 143
(130 for SIGINT).
"""

from __future__ import annotations

import contextlib
import signal
import threading

from nenaudit.exceptions import Terminated
from nenaudit.stats.workers import PR_SET_PDEATHSIG, worker_pool  # the pool lives at the floor (stats/)

__all__ = ["Terminated", "handle_signals", "worker_pool", "PR_SET_PDEATHSIG"]


def _raise_terminated(signum, frame):  # pragma: no cover - runs in a signal handler
    raise Terminated(signum)


@contextlib.contextmanager
def handle_signals():
    """SIGTERM raises :class:`Terminated` in the main thread while the block runs (restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def quiet_exit_signals() -> None:
    """Ignore further SIGINT/SIGTERM while an interrupted run winds down (no second traceback)."""
    for s in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(s, signal.SIG_IGN)


