"""``nenaudit logit``: logistic regression on any CSV (glm + confint, Firth, backward Wald)."""

from __future__ import annotations

import argparse
import math
import warnings

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["coefficients_json", "run", "register"]


ORDER = 30

WHY = {
    "coefficients.*.or*": "exp() of the estimate or bound overflows (log-odds above 709), as under separation: "
    "the odds ratio is unbounded"
}


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _exp(x: float) -> float | None:
    x = float(x)
    if math.isnan(x):
        return None
    return math.exp(x) if x < 709 else math.inf


def coefficients_json(fit, ci: str) -> dict:
    """The ``coefficients`` block: one entry per term, the intercept named ``(Intercept)``."""
    bounds = fit.ci_wald if ci == "wald" else fit.ci_profile
    out = {}
    for j, name in enumerate(fit.names):
        lo, hi = (float(b) for b in bounds[j])
        out[name] = {
            "estimate": _num(fit.coef[j]),
            "se": _num(fit.se[j]),
            "z": _num(fit.z[j]),
            "p": _num(fit.p[j]),
            "ci": [_num(lo), _num(hi)],
            "or": _exp(fit.coef[j]),
            "or_ci": [_exp(lo), _exp(hi)],
        }
    return out


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from tabulate import tabulate

    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.io import binary_outcome, predictor_matrix, read_csv, require_columns, split_names
    from nenaudit.stats.logistic import fit_firth, fit_logistic
    from nenaudit.stats.stepwise import backward_elimination

    df = read_csv(args.data, na=na_tokens(args))
    preds = split_names(args.predictors)
    require_columns(df, [args.outcome, *preds], args.data)
    if args.outcome in preds:
        raise NenauditError(
            f"--predictors: {args.outcome!r} is the outcome; leave it out of the predictors"
        )
    y = binary_outcome(df, args.outcome, args.data)
    X = predictor_matrix(df, preds, args.data)
    if args.firth and args.backward_wald is not None:
        raise NenauditError(
            "--firth with --backward-wald: the elimination uses ML Wald p-values; run them separately"
        )
    if args.firth and args.ci == "profile":
        args.ci = "wald"  # Firth fits report Wald intervals (brglm2's summary/confint.default)
    steps_json: list[dict] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.firth:
            fit = fit_firth(X, y, names=preds)
            selected = list(preds)
        elif args.backward_wald is not None:
            path = backward_elimination(
                X, y, names=preds, threshold=args.backward_wald, profile=args.ci == "profile"
            )
            fit = path.final
            selected = list(path.selected)
            steps_json = [
                {
                    "step": s.step,
                    "terms": list(s.terms),
                    "removed": s.removed,
                    "removed_p": _num(s.removed_p) if s.removed_p is not None else None,
                }
                for s in path.steps
            ]
        else:
            fit = fit_logistic(X, y, names=preds, profile=args.ci == "profile")
            selected = list(preds)
    msgs = list(dict.fromkeys([*fit.warnings, *(str(w.message) for w in caught)]))
    coefs = coefficients_json(fit, args.ci)
    if args.json:
        print(
            dumps_json(
                {
                    "coefficients": coefs,
                    "selected": selected,
                    "steps": steps_json,
                    "warnings": msgs,
                    "method": "firth (brglm2 AS_mean)"
                    if args.firth
                    else "maximum likelihood (glm)",
                    "ci": args.ci,
                    "n": int(len(y)),
                    "events": int(y.sum()),
                },
                why=WHY,
            )
        )
        return 0
    rows = [
        [n, c["estimate"], c["se"], c["z"], c["p"], c["or"], c["or_ci"][0], c["or_ci"][1]]
        for n, c in coefs.items()
    ]
    print(
        tabulate(
            rows,
            headers=[
                "term",
                "estimate",
                "SE",
                "z",
                "p",
                "OR",
                f"OR {args.ci} lo",
                f"OR {args.ci} hi",
            ],
            floatfmt=".4g",
        )
    )
    print(
        f"\nn = {len(y)}, events = {int(y.sum())}; "
        + ("Firth (brglm2 AS_mean)" if args.firth else "maximum likelihood (R glm)")
        + f"; CI: {'Wald' if args.ci == 'wald' else 'profile likelihood (R confint)'}"
    )
    for s in steps_json:
        if s["removed"]:
            print(f"step {s['step']}: removed {s['removed']} (p = {s['removed_p']:.4g})")
    for m in msgs:
        print(f"warning: {m}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "logit", help="logistic regression on a CSV: ORs, Wald/profile CIs, Firth, backward Wald"
    )
    a.add_argument("data", metavar="DATA.csv")
    a.add_argument("--outcome", required=True, metavar="COL", help="0/1 outcome column")
    a.add_argument(
        "--predictors", required=True, metavar="A,B,C", help="comma-separated predictor columns"
    )
    a.add_argument(
        "--ci",
        choices=("profile", "wald"),
        default="profile",
        help="profile: R confint(glm) (default); wald: confint.default",
    )
    a.add_argument(
        "--firth",
        action="store_true",
        help="Firth's bias-reduced fit (brglm2 type AS_mean), Wald CIs",
    )
    a.add_argument(
        "--backward-wald",
        type=options.probability,
        metavar="ALPHA",
        default=None,
        help="backward elimination: drop the largest Wald p above ALPHA, refit, repeat",
    )
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
