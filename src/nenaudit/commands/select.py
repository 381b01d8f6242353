"""``nenaudit select``: the paper's feature-selection chain on a cohort directory.

Non-finite/constant screen -> ICC filter (intra: observer 1 readings 1 and 2; inter: observer 1
reading 1 and observer 2) -> z-score -> Spearman filter (caret::findCorrelation) -> LASSO-CV ->
Radscore, reporting what each step removed.
"""

from __future__ import annotations

import argparse
import warnings

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 36


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import sys

    from nenaudit.cohort import load_cohort
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.selection import SelectionConfig, select_features

    cohort = load_cohort(args.cohort, na=na_tokens(args))
    for line in cohort.notes:
        print(f"nenaudit: {line}", file=sys.stderr)
    from nenaudit.pipeline import observer_readings

    readings = observer_readings(cohort)
    if not readings and not args.no_icc:
        raise NenauditError(
            f"{cohort.path}: observers.csv has no observer 1 repeat 2 nor observer 2 rows; "
            "the ICC filter needs them (or pass --no-icc)"
        )
    cfg = SelectionConfig(
        icc_threshold=args.icc_threshold,
        icc_form=args.icc_form,
        zscore_ddof=args.ddof,
        spearman_cutoff=args.cutoff,
        nfolds=args.folds,
        seed=args.fold_seed,
        measure=args.measure,
        which=args.which,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sel = select_features(
            cohort.features, cohort.outcome, readings=None if args.no_icc else readings, config=cfg
        )
    rep = sel.to_dict()
    rep["warnings"] = list(dict.fromkeys([*rep["warnings"], *(str(w.message) for w in caught)]))
    rep["cohort"] = str(cohort.path)
    rep["fold_seed"] = args.fold_seed
    rep["icc_designs"] = {d: len(a) for d, (a, _) in readings.items()} if not args.no_icc else {}
    if args.json:
        print(dumps_json(rep))
        return 0
    print(
        f"cohort {cohort.path}: {rep['n_input']} features, {len(cohort.outcome)} lesions "
        f"({int(cohort.outcome.sum())} with outcome 1)"
    )
    print(
        f"  non-finite removed: {len(rep['removed_nonfinite'])}; constant removed: {len(rep['removed_constant'])}"
    )
    if args.no_icc:
        print("  ICC filter: skipped (--no-icc)")
    else:
        print(
            f"  ICC filter ({args.icc_form} < {args.icc_threshold:g}; "
            + ", ".join(f"{d}: {n} lesions" for d, n in rep["icc_designs"].items())
            + f"): {len(rep['removed_icc'])} removed"
        )
    print(
        f"  Spearman filter (|rho| > {args.cutoff:g}, caret::findCorrelation): "
        f"{len(rep['removed_correlation'])} removed; {rep['n_after_filters']} left"
    )
    print(
        f"  LASSO-CV ({args.folds} folds drawn with fold seed {args.fold_seed}, {args.measure}): "
        f"lambda.min = {rep['lambda_min']:.6g}, "
        f"lambda.1se = {rep['lambda_1se']:.6g}; {len(rep['selected'])} selected at lambda.{args.which}"
    )
    rs = rep["radscore"]
    terms = " ".join(
        f"{'+' if c >= 0 else '-'} {abs(c):.4f} x {n}" for n, c in rs["coefficients"].items()
    )
    print(f"  Radscore = {rs['intercept']:.4f} {terms}")
    for m in rep["warnings"]:
        print(f"warning: {m}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "select",
        help="feature selection chain on a cohort: ICC, z-score, Spearman, LASSO-CV, Radscore",
    )
    a.add_argument(
        "cohort",
        metavar="COHORT_DIR",
        nargs="?",
        default=None,
        help="cohort directory (default: the committed synthetic cohort)",
    )
    a.add_argument(
        "--icc-form",
        default="ICC2",
        choices=("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"),
        help="ICC form (psych::ICC; default ICC2 = two-way random, absolute agreement, single rater)",
    )
    a.add_argument(
        "--icc-threshold",
        type=options.float_range(0.0, 1.0, "an ICC threshold"),
        default=0.75,
        help="drop features with ICC below this (0.75)",
    )
    a.add_argument("--no-icc", action="store_true", help="skip the ICC filter")
    a.add_argument(
        "--ddof",
        type=int,
        choices=(0, 1),
        default=1,
        help="z-score SD divisor n - ddof (1: R scale(), default; 0: population SD)",
    )
    a.add_argument(
        "--cutoff",
        type=options.float_range(0.0, 1.0, "a |rho| cutoff", lo_open=True),
        default=0.9,
        help="Spearman |rho| cutoff (0.9)",
    )
    a.add_argument("--folds", type=int, default=10, help="CV folds (10)")
    a.add_argument(
        "--fold-seed",
        type=options.seed,
        default=1,
        metavar="N",
        help="seed of the random LASSO-CV folds (default 1; as reproduce and validate)",
    )
    a.add_argument(
        "--measure", choices=("deviance", "auc"), default="deviance", help="CV measure (deviance)"
    )
    a.add_argument(
        "--which",
        choices=("min", "1se"),
        default="min",
        help="Radscore at lambda.min (default) or 1se",
    )
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
