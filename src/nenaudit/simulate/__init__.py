"""Simulation studies of the paper's whole pipeline (``nenaudit simulate``).

``null``
    M synthetic cohorts of the study's design whose radiomics features carry no outcome signal
    (:func:`~nenaudit.simulate.cohorts.null_cohort`; with ``--signal none`` the outcome is permuted
    against the clinical variables too): how much of the printed apparent AUCs (0.852 and 0.928 for
    Feng 2025) the pipeline produces from nothing.
``family``
    M faithful synthetic cohorts (:func:`nenaudit.synth.generate`): the seed spread of what the paper
    did not print (optimism per validation scheme, separation rates, calibration slope).
``n-sweep``
    the same design scaled to k times the sample size (k independent synthetic cohorts merged, same
    prevalence), features nulled unless ``--signal faithful``: how the null AUC and the optimism
    shrink with n.

Every replicate runs :func:`nenaudit.pipeline.run_pipeline` (filters, LASSO-CV, Radscore, screen,
backward elimination, the four validation schemes) on its own cohort with seeds from one
``SeedSequence`` spawned by replicate index (:mod:`~nenaudit.simulate.seeds`), on a local process
pool or a Dask cluster (:mod:`~nenaudit.simulate.backends`); each finished replicate is appended at
once to the SQLite store of the output folder (:mod:`~nenaudit.simulate.store`), which ``--resume``
continues. ``run.log`` in the same folder says when each run started and where it stopped.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from nenaudit.cohort import load_cohort
from nenaudit.exceptions import NenauditError, Terminated
from nenaudit.outputs import refuse_never_dir
from nenaudit.simulate import backends
from nenaudit.simulate.replicate import (
    MODES,
    ReplicateInputs,
    SimulationSpec,
    build_id,
    code_fingerprint,
    run_replicate,
)
from nenaudit.simulate.store import STORE_NAME, Store
from nenaudit.simulate.summary import (
    FIGURE_NAME,
    SUMMARY_NAME,
    figure,
    printed_aucs,
    summarize,
    write_summary,
)
from nenaudit.study.schema import load

__all__ = [
    "MODES",
    "SimulationSpec",
    "run_replicate",
    "run_simulation",
    "stored_summary",
    "LOG_NAME",
    "ranges",
    "build_id",
    "code_fingerprint",
    "check_row_origin",
]

LOG_NAME = "run.log"
OUR_FILES = (STORE_NAME, SUMMARY_NAME, FIGURE_NAME, LOG_NAME)


def ranges(indices) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0-2, 5, 7-8"``."""
    xs = sorted(indices)
    if not xs:
        return "none"
    out, start, prev = [], xs[0], xs[0]
    for x in xs[1:] + [None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if x is not None:
            start = prev = x
    return ", ".join(out)


def check_row_origin(row: dict, made_by: str) -> None:
    """Refuse a replicate computed by other code than the driver's (a cluster worker with another install).

    The row's ``version`` is the :func:`build_id` of the process that computed it; a store holds rows of
    one build only, so a mismatch stops the run (finished rows stay in the store) instead of mixing them.
    """
    got = row.get("version")
    if got != made_by:
        where = f" on worker {row['worker']}" if row.get("worker") else ""
        raise NenauditError(
            f"replicate {row.get('idx')} was computed{where} by nenaudit {got}, this run is nenaudit "
            f"{made_by}: install the same nenaudit on every worker, then --resume"
        )


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Progress:
    """Replicates done, rate and time left, on stderr (one updating line on a terminal, else a line every few s)."""

    def __init__(self, total: int, before: int, quiet: bool, stream=None):
        self.total, self.before, self.quiet = total, before, quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.monotonic()
        self.n = 0
        self.last = 0.0

    def say(self, msg: str) -> None:
        if not self.quiet:
            if self.tty:
                self.stream.write("\r\033[K")
            print(f"simulate: {msg}", file=self.stream, flush=True)

    def tick(self) -> None:
        self.n += 1
        if self.quiet:
            return
        now = time.monotonic()
        done = self.before + self.n
        if not self.tty and now - self.last < 5.0 and done < self.total:
            return
        self.last = now
        el = now - self.t0
        rate = self.n / el if el > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else float("inf")
        eta = (
            "done"
            if done >= self.total
            else (f"about {_hms(left)} left" if left != float("inf") else "")
        )
        line = f"simulate: {done}/{self.total} replicates ({self.n} this run), {rate * 3600:.0f} per hour, {eta}"
        if self.tty:
            self.stream.write("\r\033[K" + line)
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            print(line, file=self.stream, flush=True)


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}h{(s % 3600) // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def check_out(out: Path, resume: bool) -> None:
    """Refuse to write into a folder holding a store (unless resuming) or files nenaudit did not write."""
    refuse_never_dir(out, "--out")  # '/', home, '.', '..' and above: never
    store = out / STORE_NAME
    if resume:
        if not store.is_file():
            raise NenauditError(
                f"--out {out}: no {STORE_NAME} to resume; run without --resume to start"
            )
        return
    if out.exists() and not out.is_dir():
        raise NenauditError(f"--out {out}: exists and is not a folder; choose another path")
    if store.exists():
        raise NenauditError(
            f"--out {out}: holds a simulation store already; add --resume to continue it, "
            "or choose another --out"
        )
    clash = [f for f in OUR_FILES if (out / f).exists()]
    if clash:
        raise NenauditError(
            f"--out {out}: {clash[0]} exists and was not written with a store here; "
            "choose another --out (nenaudit does not overwrite it)"
        )


def run_simulation(
    spec: SimulationSpec,
    out: str | Path,
    *,
    backend: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = False,
    command: str = "nenaudit simulate",
    on_row: Callable[[dict], None] | None = None,
    connect_timeout: float = 30.0,
) -> dict[str, Any]:
    """Run (or continue) a simulation into the folder ``out``; return its summary (also in ``summary.json``).

    SIGTERM while running raises :class:`Terminated` (SIGINT raises KeyboardInterrupt) after the run
    log says where the run stopped; finished replicates are in the store, nothing else is written.
    """
    if backend not in backends.BACKENDS:
        raise NenauditError(f"--backend {backend!r}: choose one of {', '.join(backends.BACKENDS)}")
    if jobs < 1:
        raise NenauditError(f"--jobs must be at least 1, got {jobs}")
    out = Path(out)
    check_out(out, resume)
    # before the store is created: a bad address leaves nothing behind
    if backend == "dask" and scheduler:
        scheduler = backends.check_scheduler(scheduler, connect_timeout)
    study = load(spec.study)
    if spec.study_sha256 and spec.study_sha256 != study.sha256:
        raise NenauditError(
            f"study spec {study.source}: sha256 {study.sha256[:12]} is not the run's "
            f"{spec.study_sha256[:12]}; the spec changed since the run was defined"
        )
    spec = replace(spec, study_sha256=study.sha256)
    fixed = None
    if spec.cohort is not None:  # bad data is refused here, once, not counted in every replicate
        fixed = load_cohort(spec.cohort)
    inputs = ReplicateInputs(study, fixed)  # what every replicate reads, loaded once
    printed = printed_aucs(study)
    log = _Log(out / LOG_NAME)
    with Store(out, create=not resume) as store:
        made_by = build_id()
        store.init_or_check(spec.to_dict(), made_by)
        done = store.done()
        todo = [i for i in range(spec.n_replicates) if i not in done]
        prog = Progress(spec.n_replicates, len(done), quiet)
        where = f"{backend}" + (f" at {scheduler}" if scheduler else "") + f", {jobs} worker(s)"
        log.write(
            f"{'resumed' if resume else 'started'}: {command}; {spec.mode}, {spec.n_replicates} replicates, "
            f"{len(done)} already in the store, {len(todo)} to run on {where}; nenaudit {made_by}"
        )
        prog.say(
            f"{spec.mode}: {len(todo)} of {spec.n_replicates} replicates to run ({len(done)} in the store), "
            f"backend {where}"
        )
        added: list[int] = []

        def take(row: dict) -> None:
            check_row_origin(row, made_by)
            if store.add(row):
                added.append(row["idx"])
            if on_row is not None:
                on_row(row)
            prog.tick()

        old = _install_sigterm()
        try:
            if todo:
                if backend == "local":
                    backends.run_local(spec, todo, jobs, take, inputs)
                else:
                    backends.run_dask(
                        spec,
                        todo,
                        jobs,
                        take,
                        scheduler=scheduler,
                        say=prog.say,
                        connect_timeout=connect_timeout,
                    )
        except (KeyboardInterrupt, Terminated) as exc:
            saved = _ignore_signals()
            try:
                name = (
                    "SIGTERM"
                    if isinstance(exc, Terminated) and exc.signum == signal.SIGTERM
                    else "SIGINT"
                )
                left = sorted(set(range(spec.n_replicates)) - store.done())
                log.write(
                    f"stopped by {name}: {spec.n_replicates - len(left)} of {spec.n_replicates} replicates in "
                    f"the store ({len(added)} this run); not finished: {ranges(left)}; continue with: {command} "
                    "--resume"
                )
            finally:
                _restore_signals(saved)
            raise
        except BaseException as exc:
            left = sorted(set(range(spec.n_replicates)) - store.done())
            log.write(
                f"stopped by an error ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}): "
                f"{spec.n_replicates - len(left)} of {spec.n_replicates} replicates in the store; not finished: "
                f"{ranges(left)}; continue with: {command} --resume"
            )
            raise
        finally:
            _restore_sigterm(old)
        rows = list(store.rows())
    summary = summarize(rows, spec, printed)
    write_summary(summary, out)
    figure(rows, summary, out)
    log.write(
        f"finished: {len(rows)} of {spec.n_replicates} replicates; summary {out / SUMMARY_NAME}, "
        f"figure {out / FIGURE_NAME}"
    )
    return summary


def stored_summary(out: str | Path) -> tuple[dict[str, Any], list[dict]]:
    """The summary of what the store in ``out`` holds so far (``complete`` says whether the run is done) and its rows.

    Reads only: nothing is written, so a partial summary never sits in the folder looking final.
    """
    out = Path(out)
    if not (out / STORE_NAME).is_file():
        raise NenauditError(f"--out {out}: no {STORE_NAME} here; nothing to report")
    with Store(out, create=False) as store:
        d = store.spec()
        if d is None:
            raise NenauditError(f"{out / STORE_NAME}: the store has no run in it yet")
        spec = SimulationSpec.from_dict(d)
        rows = list(store.rows())
    return summarize(rows, spec, printed_aucs(load(spec.study))), rows


class _Log:
    def __init__(self, path: Path):
        self.path = path

    def write(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"{_utc()} {line}\n")
            fh.flush()


def _raise_interrupted(signum, frame):  # pragma: no cover - runs in a signal handler
    raise Terminated(signum)


def _install_sigterm():
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupted)


def _restore_sigterm(old) -> None:
    if old is not None:
        signal.signal(signal.SIGTERM, old)


def _ignore_signals() -> dict:
    """While an interrupted run writes its log line: a repeated Ctrl-C does not cut it."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}


def _restore_signals(saved: dict) -> None:
    for s, h in saved.items():
        signal.signal(s, h)
