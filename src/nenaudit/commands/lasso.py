"""``nenaudit lasso``: cross-validated L1 logistic regression on a CSV, as R's cv.glmnet(family = "binomial")."""

from __future__ import annotations

import argparse
import warnings

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 35


def _feature_columns(df, outcome: str, foldid: str | None) -> tuple[list[str], list[str]]:
    """Default features: every numeric column but the outcome and the fold column; the rest is listed."""
    import pandas as pd

    skip = {outcome, foldid}
    numeric, other = [], []
    for c in df.columns:
        if c in skip:
            continue
        (numeric if pd.api.types.is_numeric_dtype(df[c]) else other).append(str(c))
    return numeric, other


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from tabulate import tabulate

    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.io import (
        binary_outcome,
        numeric_column,
        predictor_matrix,
        read_csv,
        require_columns,
        split_names,
    )
    from nenaudit.stats.lasso import cv_lasso

    df = read_csv(args.data, na=na_tokens(args))
    require_columns(df, [args.outcome], args.data)
    if args.foldid is not None:
        require_columns(df, [args.foldid], args.data)
        if args.folds is not None or args.seed is not None:
            raise NenauditError(
                "--foldid with --folds/--seed: give either the fold column or the number of folds"
            )
    ignored: list[str] = []
    if args.features:
        feats = split_names(args.features)
        require_columns(df, feats, args.data)
        for c in (args.outcome, args.foldid):
            if c is not None and c in feats:
                raise NenauditError(
                    f"--features: {c!r} is the outcome or fold column; leave it out"
                )
    else:
        feats, ignored = _feature_columns(df, args.outcome, args.foldid)
    if len(feats) < 2:
        raise NenauditError(
            f"{args.data}: {len(feats)} numeric feature column(s); the lasso needs at least 2"
        )
    y = binary_outcome(df, args.outcome, args.data)
    X = predictor_matrix(df, feats, args.data)
    foldid = None if args.foldid is None else numeric_column(df, args.foldid, args.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv = cv_lasso(
            X,
            y,
            feature_names=feats,
            foldid=foldid,
            nfolds=10 if args.folds is None else args.folds,
            seed=1 if args.seed is None else args.seed,
            measure=args.measure,
        )
    out = cv.summary()
    out["warnings"] = list(dict.fromkeys([*cv.warnings, *(str(w.message) for w in caught)]))
    out.update(
        {
            "n": len(y),
            "events": int(y.sum()),
            "features": len(feats),
            "ignored_columns": ignored,
            "folds": "column " + args.foldid
            if args.foldid
            else (
                f"{10 if args.folds is None else args.folds} random folds, "
                f"seed {1 if args.seed is None else args.seed}"
            ),
        }
    )
    if args.json:
        print(dumps_json(out))
        return 0
    cmin, c1se = out["coefficients_min"], out["coefficients_1se"]
    rows = [
        [n, cmin[n], c1se[n]] for n in cmin if n == "(Intercept)" or cmin[n] != 0 or c1se[n] != 0
    ]
    print(
        f"lambda.min = {cv.lambda_min:.6g} ({int(cv.nonzero[list(cv.lambdas).index(cv.lambda_min)])} non-zero), "
        f"lambda.1se = {cv.lambda_1se:.6g} ({int(cv.nonzero[list(cv.lambdas).index(cv.lambda_1se)])} non-zero); "
        f"measure: {cv.measure}; {len(cv.lambdas)} lambdas; {out['folds']}"
    )
    print(tabulate(rows, headers=["term", "lambda.min", "lambda.1se"], floatfmt=".6g"))
    print(
        f"\nn = {len(y)}, events (outcome 1) = {int(y.sum())}, features = {len(feats)}; zero coefficients not shown "
        "(--json lists all)"
    )
    if ignored:
        print(f"note: non-numeric columns not used: {', '.join(ignored)}")
    for m in out["warnings"]:
        print(f"warning: {m}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "lasso", help="cross-validated lasso logistic regression (R cv.glmnet, binomial)"
    )
    a.add_argument("data", metavar="DATA.csv")
    a.add_argument("--outcome", required=True, metavar="COL", help="0/1 outcome column")
    a.add_argument(
        "--features",
        metavar="A,B,...",
        default=None,
        help="feature columns (default: every numeric column but the outcome and fold column)",
    )
    a.add_argument(
        "--foldid", metavar="COL", default=None, help="column of fold labels 1..K (as R's foldid)"
    )
    a.add_argument(
        "--folds", type=int, metavar="K", default=None, help="number of random folds (default 10)"
    )
    a.add_argument(
        "--seed",
        type=options.seed,
        metavar="N",
        default=None,
        help="seed of the random folds (default 1)",
    )
    a.add_argument(
        "--measure",
        choices=("deviance", "auc"),
        default="deviance",
        help="CV measure (type.measure; default deviance)",
    )
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
