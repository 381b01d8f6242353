"""``nenaudit reproduce``: the paper's whole pipeline on a cohort, with a report set against the paper."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading

from nenaudit import options

__all__ = ["run", "crosscheck_for_report", "register"]


ORDER = 15


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.outputs import refuse_never_dir

    # before the report's imports: matplotlib's first import writes its font cache under $HOME
    refuse_never_dir(args.out)
    from nenaudit.audit.run import run_audit
    from nenaudit.cohort import load_cohort
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import FitFailure, NenauditError
    from nenaudit.outputs import Outputs
    from nenaudit.pipeline import PipelineConfig, run_pipeline, whole_cohort_error
    from nenaudit.report.audit_report import summary_line
    from nenaudit.report.reproduction import REPORT_FILES, write_report
    from nenaudit.selection import SelectionConfig
    from nenaudit.stats.workers import worker_pool
    from nenaudit.study.schema import load

    if args.boot < 1:
        raise NenauditError(f"--boot must be a positive number of resamples, got {args.boot}")
    from nenaudit.stats.workers import check_memory

    check_memory(
        "--boot", args.boot, 131 * 8 * 4, f"{args.boot} resamples per scheme (row indices of each)"
    )
    if args.jobs < 1:
        raise NenauditError(f"--jobs must be at least 1, got {args.jobs}")
    study = load(args.study)
    cohort = load_cohort(args.cohort, na=na_tokens(args))
    for line in cohort.notes:
        print(f"nenaudit: {line}", file=sys.stderr)
    from nenaudit.report.progress import StepProgress

    cfg = PipelineConfig(
        n_boot=args.boot,
        n_boot_pipeline=args.boot_pipeline,
        seed=args.seed,
        jobs=args.jobs,
        keep_separated=args.keep_separated,
        figure_extras=True,
        selection=SelectionConfig(seed=args.fold_seed),
    )
    with Outputs() as outs, contextlib.ExitStack() as side:
        # the output directory is checked (and marked) before the computation
        target = outs.dir(
            args.out,
            verb="reproduce",
            names=REPORT_FILES,
            force=args.force,
            inputs=(cohort.path, args.study),
        )
        # progress on stderr: a bar on a terminal, time-stamped lines otherwise, nothing with --quiet
        with StepProgress("reproduce", enabled=not args.quiet) as bar:
            say = bar.step
            # the R crosscheck (its own cohort load and pipeline, mostly R, single-threaded) runs in a
            # worker beside the pipeline, whose serial steps leave a core free; same table
            crosscheck = _start_crosscheck(side, args, say)
            # the audit of the printed numbers (the study alone) in a forked worker meanwhile: the
            # pipeline's first steps leave a core free
            audit_pool = side.enter_context(
                worker_pool(1, mp_context=multiprocessing.get_context("fork"))
            )
            audited = audit_pool.submit(run_audit, study)
            try:
                res = run_pipeline(cohort, cfg, progress=say, study=study)
            except FitFailure as exc:
                raise whole_cohort_error(exc, cohort.path) from None
            findings = audited.result()
            audit = summary_line(findings)
            cross, why_not = crosscheck()
            say("writing the report")
            out = write_report(
                res, study, target, findings=findings, crosscheck=cross, crosscheck_why_not=why_not
            )
    if args.json:
        print((out / "results.json").read_text(encoding="utf-8"))
        return 0
    a = res.auc
    v = res.validation
    print(
        f"selected {len(res.selection['selected'])} radiomics features; final model: {', '.join(res.final_terms)}"
    )
    for label, x in a.items():
        print(f"AUC {label}: {x['auc']:.3f} ({x['ci'][0]:.3f}-{x['ci'][1]:.3f})")
    print(
        f"bootstrap AUC as published: {v['published'].mean:.3f}; optimism-corrected: Harrell "
        f"{v['harrell'].index('C').corrected:.3f}, whole pipeline {v['pipeline'].index('C').corrected:.3f}, "
        f"by patient {v['cluster'].index('C').corrected:.3f}"
    )
    print(f"audit: {audit}")
    print(f"report: {out / 'report.html'} (also {out / 'report.md'})")
    return 0


_PROGRESS = None  # in the crosscheck's worker: the queue its progress messages go to


def _crosscheck_worker_init(queue, tmpdir: str) -> None:
    """In the worker: progress to ``queue``; temporary files (R's session directory among them) in
    ``tmpdir``, which the parent removes however the run ends; nothing on stderr (the parent reports
    an interruption in one line, and the crosscheck's errors come back through its future)."""
    global _PROGRESS
    _PROGRESS = queue
    os.environ["TMPDIR"] = tmpdir
    tempfile.tempdir = None
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _crosscheck_in_worker(cohort_arg, na, args: argparse.Namespace):
    """In the worker: load the cohort as the parent did and run :func:`crosscheck_for_report`."""
    from nenaudit.cohort import load_cohort

    return crosscheck_for_report(load_cohort(cohort_arg, na=na), args, _PROGRESS.put)


def _start_crosscheck(stack: contextlib.ExitStack, args, say):
    """Start the report's crosscheck in a worker process (it dies with this one, see
    :func:`nenaudit.stats.workers.worker_pool`) when R is there; returns the callable that waits for
    ``(table, None)`` or gives ``(None, why)``. Its progress lines are relayed to ``say``."""
    from nenaudit.commands import na_tokens
    from nenaudit.parity.rbridge import r_unavailable_reason
    from nenaudit.stats.workers import worker_pool

    if args.no_crosscheck or r_unavailable_reason() is not None:
        return lambda: crosscheck_for_report(None, args, say)
    ctx = multiprocessing.get_context("fork")  # the queue is inherited, not pickled
    queue = ctx.SimpleQueue()
    tmpdir = tempfile.mkdtemp(prefix="nenaudit-crosscheck-")
    stack.callback(shutil.rmtree, tmpdir, ignore_errors=True)  # after the worker has stopped
    pool = stack.enter_context(
        worker_pool(
            1, mp_context=ctx, initializer=_crosscheck_worker_init, initargs=(queue, tmpdir)
        )
    )
    small = argparse.Namespace(
        no_crosscheck=False, seed=args.seed, fold_seed=args.fold_seed, cohort=args.cohort
    )
    future = pool.submit(_crosscheck_in_worker, args.cohort, na_tokens(args), small)

    def relay() -> None:
        while (msg := queue.get()) is not None:
            say(msg)

    relay_thread = threading.Thread(target=relay, name="nenaudit-crosscheck-progress", daemon=True)
    relay_thread.start()

    def stop_relay() -> None:  # the worker is alive or done (not killed), so put() cannot block
        if relay_thread.is_alive():
            queue.put(None)
            relay_thread.join(5.0)

    def kill_on_error(exc_type, exc, tb) -> bool:
        # an error or a signal: the worker is killed at once (R in it may defer SIGTERM); its
        # temporary directory goes with the callback above; the daemon relay thread is left blocked
        if exc_type is not None:
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
        return False

    stack.push(kill_on_error)

    def wait():
        try:
            return future.result()
        finally:
            stop_relay()

    return wait


def crosscheck_for_report(cohort, args, say):
    """``(table, None)`` from ``nenaudit crosscheck`` on the same cohort when R is there, else
    ``(None, why)``: the report says plainly why parity was not checked."""
    from nenaudit.parity.rbridge import r_unavailable_reason

    if args.no_crosscheck:
        return None, "--no-crosscheck was given"
    why = r_unavailable_reason()
    if why is not None:
        return None, why
    from nenaudit.parity.crosscheck import run_crosscheck
    from nenaudit.pipeline import PipelineConfig
    from nenaudit.selection import SelectionConfig

    # the same LASSO folds as the reported pipeline (--fold-seed)
    cfg = PipelineConfig(selection=SelectionConfig(seed=args.fold_seed))
    return run_crosscheck(
        cohort, seed=args.seed, config=cfg, progress=lambda m: say(f"crosscheck: {m}")
    ).to_dict(), None


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "reproduce", help="run the paper's whole pipeline on a cohort and write a report"
    )
    a.add_argument(
        "cohort",
        metavar="COHORT_DIR",
        nargs="?",
        default=None,
        help="cohort directory (default: the committed synthetic cohort)",
    )
    a.add_argument(
        "--study", metavar="PATH", default=None, help="study spec (default: the embedded feng2025)"
    )
    a.add_argument(
        "--out",
        metavar="DIR",
        default="results",
        help="report directory (default: results); an existing non-empty directory not made by "
        "nenaudit is refused unless --force",
    )
    a.add_argument(
        "--force",
        action="store_true",
        help="write into an existing directory that nenaudit did not make (its files are kept)",
    )
    a.add_argument(
        "--boot",
        type=int,
        default=200,
        metavar="N",
        help="resamples per validation scheme (default 200)",
    )
    a.add_argument(
        "--boot-pipeline",
        type=int,
        default=None,
        metavar="N",
        help="resamples of the whole-pipeline scheme (default: --boot)",
    )
    a.add_argument(
        "--seed",
        type=options.seed,
        default=20250611,
        metavar="N",
        help="seed of the bootstrap resamples of every validation scheme (not of the LASSO folds)",
    )
    a.add_argument(
        "--fold-seed",
        type=options.seed,
        default=1,
        metavar="N",
        help="seed of the 10 LASSO-CV folds, on the whole cohort and afresh in every resample of the "
        "whole-pipeline scheme (default 1)",
    )
    a.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="worker processes; results do not depend on it",
    )
    a.add_argument(
        "--keep-separated",
        action="store_true",
        help="keep resamples whose final model separates (glm's estimates), instead of leaving them out",
    )
    a.add_argument(
        "--no-crosscheck",
        action="store_true",
        help="do not run the step-by-step R crosscheck for the report (it says so)",
    )
    a.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    a.add_argument("--json", action="store_true", help="print results.json to stdout")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
