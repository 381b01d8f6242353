"""``nenaudit parity``: run one step in Python and in R on a CSV file and print the differences."""

from __future__ import annotations

import argparse

from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 60


def _options(pairs: list[str] | None) -> dict[str, str]:
    from nenaudit.exceptions import NenauditError

    out: dict[str, str] = {}
    for item in pairs or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise NenauditError(
                f"option {item!r} is not KEY=VALUE (e.g. -o outcome=y -o predictors=a,b)"
            )
        out[key.strip()] = value.strip()
    return out


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.io import read_csv
    from nenaudit.parity import rbridge
    from nenaudit.parity.harness import REGISTRY, compare, steps

    if args.step == "list":
        if args.json:
            print(
                dumps_json(
                    {
                        n: {
                            "description": REGISTRY[n].description,
                            "options": list(REGISTRY[n].options),
                        }
                        for n in steps()
                    }
                )
            )
        else:
            for n in steps():
                print(f"{n:9s} {REGISTRY[n].description}")
        return 0
    if args.step not in REGISTRY:
        raise NenauditError(f"unknown parity step {args.step!r}; registered: {', '.join(steps())}")
    if not rbridge.r_available():
        raise NenauditError(
            "parity needs R and rpy2 (Rscript on PATH, rpy2 importable): run `make setup`"
        )
    if args.data is None:
        raise NenauditError(
            f"parity {args.step}: give the input CSV file (nenaudit parity {args.step} DATA.csv)"
        )
    data = read_csv(args.data, na=na_tokens(args))
    table = compare(args.step, data, **_options(args.option))
    if args.json:
        print(dumps_json(table.to_dict(), indent=2, default=str))
    else:
        from nenaudit.parity.registry import rows_text

        print(rows_text(table.rows))
        n_fail = len(table.failures)
        verdict = "all pass" if table.all_pass else f"{n_fail} of {len(table.rows)} FAIL"
        print(
            f"\nparity {args.step}: {len(table.rows)} values, {verdict}; "
            f"max abs diff {table.max_abs_diff:.3g}, max rel diff {table.max_rel_diff:.3g}"
        )
        for w in table.python_warnings:
            print(f"python warning: {w}")
    return 0 if table.all_pass else 1


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "parity",
        help="run one step in Python and in R on a CSV file and compare (exit 1 if a value is out of tolerance)",
        description="Run one step in Python and in R on the same CSV data and print, per statistic, both "
        "values, their absolute and relative difference, the tolerance and pass/fail. "
        "`nenaudit parity list` lists the steps and their options.",
    )
    a.add_argument(
        "step",
        metavar="STEP",
        help="chisq, fisher, wilcox, ttest, glm, confint, firth, stepwise, icc, "
        "lasso, auc, roc.test, dca, calibration, validation, or `list`",
    )
    a.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        default=None,
        help="input CSV (for chisq/fisher: a counts table, or use row=, col=)",
    )
    a.add_argument(
        "-o",
        "--option",
        metavar="KEY=VALUE",
        action="append",
        help="step option, repeatable: outcome=y, predictors=a,b, value=, group=, row=, col=, "
        "correct=false, exact=true, equal_var=true, level=0.95, threshold=0.05, forced=a, "
        "columns=r1,r2, alpha=0.05, score=, score2=, prob=, nfolds=, seed=, B=, g=, from=, to=, by=",
    )
    a.add_argument("--json", action="store_true", help="print the table as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
