"""Interruption that says so in one line (the worker pool is :mod:`nenaudit.stats.workers`).

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

__all__ = ["handle_signals", "quiet_exit_signals"]


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
