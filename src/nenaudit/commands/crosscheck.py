"""``nenaudit crosscheck``: every step of the pipeline in Python and in R on a cohort, one table.

Exit 0 when every statistic is within its tolerance, 1 when any is not, 2 on bad input (or
no R). ``--junit FILE`` writes a JUnit XML file, one test case per statistic, for CI systems.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["table_text", "junit_xml", "check_junit", "write_junit", "execute", "run", "register"]


ORDER = 62
JUNIT_SUITE = "nenaudit crosscheck"


def _fmt(x) -> str:
    return (
        "NA"
        if isinstance(x, float) and math.isnan(x)
        else (f"{x:.10g}" if isinstance(x, float) else str(x))
    )


def table_text(cc) -> str:
    """The crosscheck table as text (:func:`nenaudit.parity.registry.rows_text`, as ``nenaudit parity`` prints)."""
    from nenaudit.parity.registry import rows_text

    return rows_text(cc.rows)


def junit_xml(cc) -> str:
    """JUnit XML: one <testcase> per statistic (classname = the step), failures with both values."""
    fails = sum(not r.passed for r in cc.rows)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={quoteattr(JUNIT_SUITE)} tests="{len(cc.rows)}" failures="{fails}" '
        f'time="{cc.seconds:.3f}">',
        f'  <testsuite name={quoteattr(JUNIT_SUITE)} tests="{len(cc.rows)}" failures="{fails}" errors="0" '
        f'skipped="0" time="{cc.seconds:.3f}">',
        f'    <properties><property name="cohort" value={quoteattr(cc.cohort)}/>'
        f'<property name="R" value={quoteattr(cc.r_version)}/>'
        f'<property name="resamples" value="{cc.n_boot}"/><property name="seed" value="{cc.seed}"/></properties>',
    ]
    for r in cc.rows:
        name = quoteattr(r.statistic)
        cls = quoteattr("crosscheck." + r.step)
        detail = (
            f"python={_fmt(r.python)} r={_fmt(r.r)} |difference|={_fmt(r.abs_diff)} "
            f"tolerance={_fmt(r.tolerance)} n={r.n}"
        )
        if r.passed:
            out.append(
                f'    <testcase classname={cls} name={name} time="0"><system-out>{escape(detail)}'
                "</system-out></testcase>"
            )
        else:
            out.append(
                f'    <testcase classname={cls} name={name} time="0"><failure message={quoteattr(detail)} '
                f'type="outside tolerance">{escape(detail)}</failure></testcase>'
            )
    out += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(out)


def check_junit(path: str):
    """Check ``--junit FILE`` before the run (:func:`nenaudit.outputs.check_file`); an existing regular file
    is replaced only if it is a crosscheck JUnit file."""
    from nenaudit.exceptions import NenauditError
    from nenaudit.outputs import check_file

    p = Path(path)
    if p.is_dir():
        raise NenauditError(
            f"--junit {path}: is a directory; give a file name such as crosscheck.xml"
        )
    if not p.parent.exists():
        raise NenauditError(f"--junit {path}: directory {p.parent} does not exist")
    target = check_file(path, "--junit")
    if target.kind == "regular":
        head = target.path.read_text(encoding="utf-8", errors="replace")[:400]
        if f"name={quoteattr(JUNIT_SUITE)}" not in head:
            raise NenauditError(
                f"--junit {path}: the file exists and was not written by nenaudit crosscheck; "
                "remove it or choose another name"
            )
    return target


def write_junit(cc, path: str) -> Path:
    """Write the JUnit file (temporary sibling + rename for a regular file; see :mod:`nenaudit.outputs`)."""
    check_junit(path).write(junit_xml(cc))
    return Path(path)


def execute(args: argparse.Namespace, perturb=None) -> int:
    """Run the crosscheck verb; ``perturb`` (tests only) changes the Python side before comparing."""
    from nenaudit.cohort import load_cohort
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.parity import rbridge
    from nenaudit.parity.crosscheck import STEPS, run_crosscheck

    if args.boot < 2:
        raise NenauditError(f"--boot must be at least 2 resamples, got {args.boot}")
    steps = None
    if args.steps:
        steps = [s.strip() for s in args.steps.split(",") if s.strip()]
        bad = [s for s in steps if s not in STEPS]
        if bad:
            raise NenauditError(f"--steps: no step {bad[0]!r}; steps are: {', '.join(STEPS)}")
    if args.junit is not None and args.junit.strip() == "":
        raise NenauditError("--junit '': an empty path; give a file name such as crosscheck.xml")
    from nenaudit.outputs import Outputs

    with (
        Outputs() as outs
    ):  # a run that fails or is interrupted renames a previous --junit file NAME.stale.xml
        junit = (
            check_junit(args.junit) if args.junit is not None else None
        )  # before the computation
        if junit is not None:
            outs.targets.append(junit)
        cohort = load_cohort(args.cohort, na=na_tokens(args))
        for line in cohort.notes:
            print(f"nenaudit: {line}", file=sys.stderr)
        if not rbridge.r_available():
            raise NenauditError(
                "crosscheck needs R and rpy2 (Rscript on PATH, rpy2 importable): run `make setup`"
            )
        from nenaudit.report.progress import StepProgress

        with StepProgress("crosscheck", enabled=not args.quiet) as bar:
            cc = run_crosscheck(
                cohort,
                seed=args.seed,
                n_boot=args.boot,
                steps=steps,
                progress=bar.step,
                perturb=perturb,
            )
        if junit is not None:
            junit.write(junit_xml(cc))
    if args.json:
        print(dumps_json(cc.to_dict()))
    else:
        print(table_text(cc))
        bad = sum(not r.passed for r in cc.rows)
        worst = {}
        for r in cc.rows:
            if not r.exact and math.isfinite(r.rel_diff):
                worst[r.step] = max(worst.get(r.step, 0.0), r.rel_diff)
        print(
            f"\ncrosscheck on {cc.cohort}: {len(cc.rows)} statistics in {len(cc.steps())} steps, "
            f"{'all within tolerance' if not bad else f'{bad} OUTSIDE tolerance'}; {cc.r_version}; "
            f"{cc.n_boot} resamples per bootstrap scheme; {cc.seconds:.0f} s"
        )
        for note in cc.notes:
            print(f"note: {note}")
        if args.junit:
            print(f"JUnit XML: {args.junit}")
    return 0 if cc.all_pass else 1


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    return execute(args)


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "crosscheck",
        help="run every pipeline step in Python and in R on a cohort and compare (exit 1 if any is out of tolerance)",
        description="Run every step of the paper's pipeline (ICC filter, z-score, Spearman filter, cv.glmnet with "
        "the same foldid, Radscore, Table 1/2 tests, univariable and multivariable glm with profile CIs, backward "
        "Wald, AUC + DeLong, calibration, net benefit, nomogram points, the bootstrap schemes on shared resample "
        "indices) in Python and in R on the cohort, each R step given Python's input of that step, and print one "
        "table: step, statistic, Python, R, difference, tolerance, pass. Exit 0 when all pass, 1 when any is "
        "outside its tolerance, 2 on bad input.",
    )
    a.add_argument(
        "cohort",
        metavar="COHORT_DIR",
        nargs="?",
        default=None,
        help="cohort directory (default: the committed synthetic cohort)",
    )
    a.add_argument(
        "--boot",
        type=int,
        default=20,
        metavar="N",
        help="resamples per bootstrap scheme (default 20)",
    )
    a.add_argument(
        "--seed", type=options.seed, default=20250611, metavar="N", help="seed of the resamples"
    )
    a.add_argument(
        "--steps", metavar="A,B", default=None, help="only these steps (comma-separated names)"
    )
    a.add_argument(
        "--junit",
        metavar="FILE",
        default=None,
        help="also write a JUnit XML file (one case per statistic)",
    )
    a.add_argument("--json", action="store_true", help="print the table as JSON")
    a.add_argument("--quiet", action="store_true", help="no progress on stderr")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
