"""Worker processes that die with their parent: the one pool nenaudit starts.

:func:`worker_pool` serves the bootstrap resamples (:mod:`nenaudit.stats._resample`), the
pyradiomics cases (:mod:`nenaudit.radiomics.extract`) and the simulation's local backend. Each
worker ignores SIGINT (the parent handles Ctrl-C for the whole process group), takes SIGTERM's
default action, asks the kernel to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG,
SIGKILL)`` on Linux, so even a SIGKILL of the parent takes the workers with it) and runs a
watchdog thread that exits when the parent is gone (the fallback where prctl is missing). When
the block using the pool ends by an exception (an error, Ctrl-C, SIGTERM), the workers are
terminated at once instead of finishing their queued work. It lives in :mod:`nenaudit.stats` so that the statistics, the
floor of the package, import nothing above them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from nenaudit.exceptions import WorkerLost
from nenaudit.stats._checks import (
    check_memory,  # the up-front size check of the verbs that start workers
)

__all__ = [
    "check_memory",
    "worker_pool",
    "pid_gone",
    "PR_SET_PDEATHSIG",
    "WATCHDOG_SECONDS",
    "run_retrying",
    "WORKER_RETRIES",
]

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_SECONDS = 0.25


def pid_gone(pid: int) -> bool:
    """True when process ``pid`` no longer exists or is a zombie (killed, not yet reaped); False when unsure."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie parent (killed, not yet reaped) is gone too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(") ", 1)[1][:1] == "Z"
    except (OSError, IndexError):
        return False


def _die_with_parent(parent_pid: int) -> None:
    """In a worker: be killed with the parent (prctl on Linux) and watch for it (everywhere)."""
    ppid = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog below remains
            pass
    if os.getppid() != ppid or pid_gone(parent_pid):  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:

        while True:
            time.sleep(WATCHDOG_SECONDS)
            if os.getppid() != ppid or pid_gone(parent_pid):
                os._exit(1)

    threading.Thread(target=watch, name="nenaudit-parent-watchdog", daemon=True).start()


# SIGINT and SIGTERM are blocked in the parent while it submits work (the pool forks or spawns its workers
# inside submit), so that a worker starts with them blocked: a signal that reaches a worker before its
# initializer has run (a Ctrl-C to the process group, or the parent's own stop of the pool in the instant
# after a fork) waits until the worker ignores SIGINT and takes SIGTERM's default action, instead of running
# the parent's Python handler inherited through fork (which printed "Exception ignored in: <function
# _after_fork>" and a traceback under the one line of an interrupted run). In the parent a signal that
# arrives meanwhile is delivered when submit returns.
_BLOCKED = {signal.SIGINT, signal.SIGTERM}


def _init_worker(parent_pid: int, initializer, initargs) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _BLOCKED)
    _die_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def _stop(ex: ProcessPoolExecutor) -> None:
    """Terminate the workers now (queued work cancelled), then reap them."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    manager = getattr(ex, "_executor_manager_thread", None)  # shutdown() sets both to None
    # CPython 3.11's exit hook (concurrent.futures.process._python_exit) checks that the manager's
    # wake-up pipe is open and then writes to it without a lock; a manager thread still winding down
    # after the workers were killed can close the pipe in between, and the exit then prints a
    # traceback ending in "OSError: [Errno 9] Bad file descriptor" after "nenaudit: interrupted".
    # For a pool stopped here that late wake-up has nothing left to wake: it may fail quietly.
    wake = getattr(ex, "_executor_manager_thread_wakeup", None)
    if wake is not None and not getattr(wake, "nenaudit_quiet", False):
        loud = wake.wakeup

        def quiet_wakeup() -> None:
            with contextlib.suppress(OSError):
                loud()

        wake.wakeup = quiet_wakeup
        wake.nenaudit_quiet = True
    with contextlib.suppress(Exception):
        ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(2.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
    # and give the manager thread time to see the dead workers and end here
    if manager is not None:
        with contextlib.suppress(Exception):
            manager.join(5.0)


@contextlib.contextmanager
def worker_pool(jobs: int, *, mp_context=None, initializer=None, initargs=()):
    """``with worker_pool(n) as ex:`` a :class:`ProcessPoolExecutor` whose workers die with the parent.

    Leaving the block normally waits for the work (``shutdown(wait=True)``); leaving it by any
    exception terminates the workers at once.
    """
    ex = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=mp_context,
        initializer=_init_worker,
        initargs=(os.getpid(), initializer, tuple(initargs)),
    )
    submit = ex.submit

    def submit_blocked(*args, **kwargs):  # the workers start inside submit: see _BLOCKED
        if threading.current_thread() is not threading.main_thread():
            return submit(*args, **kwargs)
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
        try:
            return submit(*args, **kwargs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    ex.submit = submit_blocked
    try:
        yield ex
    except BaseException:
        _stop(ex)
        raise
    ex.shutdown(wait=True)


WORKER_RETRIES = (
    3  # a pool whose worker was killed is restarted this many times for the unfinished tasks
)


def run_retrying(jobs: int, fn, tasks: dict, on_done, *, retries: int = WORKER_RETRIES) -> None:
    """Run ``fn(*tasks[key])`` for every key on ``jobs`` workers, calling ``on_done(key, result)`` as each ends.

    A worker killed from outside (SIGKILL, the out-of-memory killer) breaks the pool: the tasks that had not
    ended are run again on a new pool (a task's result depends only on its arguments, so a re-run gives the
    same result), up to ``retries`` times; then :class:`WorkerLost` says how many were not run. No
    ``BrokenProcessPool`` traceback reaches the user.
    """

    remaining = dict(tasks)
    breaks = 0
    while remaining:
        try:
            with worker_pool(max(1, min(jobs, len(remaining)))) as ex:
                queue = iter(list(remaining))
                window = 4 * max(
                    1, jobs
                )  # tasks in flight: memory does not grow with the number of tasks
                pending = {}
                for key in queue:
                    pending[ex.submit(fn, *remaining[key])] = key
                    if len(pending) >= window:
                        break
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        key = pending.pop(fut)
                        result = fut.result()
                        del remaining[key]
                        on_done(key, result)
                        nxt = next(queue, None)
                        if nxt is not None:
                            pending[ex.submit(fn, *remaining[nxt])] = nxt
        except BrokenProcessPool:
            breaks += 1
            if breaks > retries:
                raise WorkerLost(len(remaining), breaks) from None
