"""A local worker killed with SIGKILL (what the out-of-memory killer does) costs a re-run of its work, never a
BrokenProcessPool traceback (issue 21); when workers keep dying the run stops in one line saying what was lost."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from nenaudit.exceptions import WorkerLost
from nenaudit.stats._resample import run_resamples
from nenaudit.stats.workers import run_retrying


def _square_or_die(k: int, flag: str, always: bool) -> int:
    """Kill this worker (SIGKILL) the first time task 1 runs (every time when ``always``)."""
    if k == 1 and (always or not os.path.exists(flag)):
        Path(flag).write_text("killed once")
        os.kill(os.getpid(), signal.SIGKILL)
    return k * k


def test_a_killed_worker_reruns_its_task(tmp_path):
    got = {}
    run_retrying(
        2,
        _square_or_die,
        {k: (k, str(tmp_path / "flag"), False) for k in range(6)},
        got.__setitem__,
    )
    assert (tmp_path / "flag").exists()  # the worker was killed
    assert got == {k: k * k for k in range(6)}  # and every task ran, once in the results


def test_workers_that_keep_dying_stop_the_run_saying_what_was_lost(tmp_path):
    got = {}
    with pytest.raises(WorkerLost) as exc:
        run_retrying(
            2,
            _square_or_die,
            {k: (k, str(tmp_path / "flag"), True) for k in range(4)},
            got.__setitem__,
            retries=1,
        )
    assert exc.value.lost >= 1 and 1 not in got and "killed 2 times" in str(exc.value)


def _proc(Xr, yr):
    return float(np.mean(yr))


def _evaluate_or_die(model, Xr, yr, X, y, flag):
    if not os.path.exists(flag):
        Path(flag).write_text("killed once")
        os.kill(os.getpid(), signal.SIGKILL)
    return model


def test_resamples_are_rerun_after_a_killed_worker(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (rng.random(30) > 0.5).astype(float)
    rows = [rng.integers(0, 30, 30) for _ in range(12)]
    flag = str(tmp_path / "flag")
    Path(flag).write_text("no kill")
    ref = run_resamples(_evaluate_or_die, _proc, X, y, rows, jobs=2, payload=flag)
    os.unlink(flag)
    got = run_resamples(_evaluate_or_die, _proc, X, y, rows, jobs=2, payload=flag)
    assert os.path.exists(flag) and got == ref


def test_simulate_survives_a_killed_local_worker(tmp_path):
    from nenaudit.simulate import run_simulation
    from test_simulate import SPEC, keys  # the small null simulation of the simulate tests

    killed = []

    def kill_a_worker(row):
        if killed:
            return
        me = os.getpid()
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    stat = Path(f"/proc/{d}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                    os.kill(int(d), signal.SIGKILL)
                    killed.append(int(d))
                    return

    run_simulation(SPEC, tmp_path / "k", backend="local", jobs=2, quiet=True, on_row=kill_a_worker)
    assert killed
    ref = tmp_path / "ref"
    run_simulation(SPEC, ref, backend="local", jobs=1, quiet=True)
    assert keys(tmp_path / "k") == keys(ref)  # every replicate once, the same numbers
