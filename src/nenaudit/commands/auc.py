"""``nenaudit auc``: AUC with a DeLong or bootstrap CI, Youden's threshold, and DeLong's test of two scores."""

from __future__ import annotations

import argparse
import math
import warnings

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 40

WHY = {
    "youden.threshold": "pROC's threshold -Inf or Inf: the best cut calls every subject positive or every one "
    "negative (JSON has no infinity)",
    "youden.ties[*].threshold": "pROC's threshold -Inf or Inf: the cut calls every subject positive or every "
    "one negative (JSON has no infinity)",
    "compare.z": "the two AUCs differ with a zero standard error (JSON has no infinity)",
}


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.io import binary_outcome, numeric_column, read_csv, require_columns
    from nenaudit.stats.discrimination import ci_auc, delong_test, youden

    df = read_csv(args.data, na=na_tokens(args))
    cols = [args.outcome, args.score] + ([args.compare] if args.compare else [])
    require_columns(df, cols, args.data)
    if args.score == args.outcome or args.compare == args.outcome:
        raise NenauditError(
            f"--score/--compare: {args.outcome!r} is the outcome; give a score column"
        )
    y = binary_outcome(df, args.outcome, args.data)
    s = numeric_column(df, args.score, args.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ci = ci_auc(
            y, s, args.ci, args.level, direction=args.direction, n_boot=args.boot, seed=args.seed
        )
        yd = youden(y, s, direction=ci.direction)
        cmp = None
        if args.compare:
            s2 = numeric_column(df, args.compare, args.data)
            cmp = delong_test(y, s, s2, level=args.level)
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    out = {
        "auc": _num(ci.auc),
        "ci": [_num(ci.lower), _num(ci.upper)],
        "method": ci.method,
        "level": ci.level,
        "se": _num(ci.se),
        "n_pos": int(y.sum()),
        "n_neg": int((1 - y).sum()),
        "direction": ci.direction,
        "direction_note": ci.direction_note,
        "youden": {
            "threshold": _num(yd.threshold),
            "sensitivity": _num(yd.sensitivity),
            "specificity": _num(yd.specificity),
            "ppv": _num(yd.ppv),
            "npv": _num(yd.npv),
            "rule": yd.rule,
            "ties": yd.ties(),
        },
        "warnings": msgs,
    }
    if ci.method == "bootstrap":
        out.update(
            {
                "n_boot": ci.n_boot,
                "n_boot_dropped": ci.n_boot_dropped,
                "seed": args.seed,
                "stratified": ci.stratified,
            }
        )
    if cmp is not None:
        out["compare"] = {
            "score2": args.compare,
            "auc1": cmp.auc1,
            "auc2": cmp.auc2,
            "difference": cmp.difference,
            "se": cmp.se,
            "z": cmp.z,
            "p": cmp.p_value,
            "ci": [cmp.ci_lower, cmp.ci_upper],
            "method": "DeLong paired (pROC roc.test)",
        }
    if args.json:
        print(dumps_json(out, why=WHY))
        return 0
    how = (
        "DeLong"
        if ci.method == "delong"
        else f"bootstrap percentile, {ci.n_boot} resamples, seed {args.seed}"
    )
    print(f"AUC {ci.auc:.4f} ({100 * ci.level:g}% CI {ci.lower:.4f}-{ci.upper:.4f}, {how})")
    print(f"n = {out['n_pos']} events, {out['n_neg']} non-events; {ci.direction_note}")
    for k, tie in enumerate(yd.ties()):
        print(
            f"Youden threshold {tie['threshold']:.6g} ({yd.rule}): sensitivity {tie['sensitivity']:.4f}, "
            f"specificity {tie['specificity']:.4f}"
            + (
                f"  [tied {k + 1} of {len(yd.all_thresholds)}, as pROC lists them]"
                if len(yd.all_thresholds) > 1
                else ""
            )
        )
    if cmp is not None:
        print(
            f"DeLong test vs {args.compare}: AUC {cmp.auc1:.4f} vs {cmp.auc2:.4f}, difference {cmp.difference:.4f} "
            f"(CI {cmp.ci_lower:.4f} to {cmp.ci_upper:.4f}), z = {cmp.z:.3f}, p = {cmp.p_value:.4g}"
        )
    for m in msgs:
        print(f"warning: {m}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "auc", help="AUC with DeLong or bootstrap CI (pROC), Youden threshold, DeLong test"
    )
    a.add_argument("data", metavar="DATA.csv")
    a.add_argument("--outcome", required=True, metavar="COL", help="0/1 outcome column (1 = case)")
    a.add_argument(
        "--score", required=True, metavar="COL", help="score / predicted probability column"
    )
    a.add_argument(
        "--ci", choices=("delong", "bootstrap"), default="delong", help="CI method (default delong)"
    )
    a.add_argument(
        "--boot",
        type=options.boot,
        default=2000,
        metavar="N",
        help="bootstrap resamples (pROC default 2000)",
    )
    a.add_argument(
        "--seed",
        type=options.seed,
        default=1,
        metavar="N",
        help="seed of the stratified resamples (default 1)",
    )
    a.add_argument(
        "--level", type=options.level, default=0.95, help="confidence level (default 0.95)"
    )
    a.add_argument(
        "--direction",
        choices=("auto", "<", ">"),
        default="auto",
        help="'<': controls score lower (pROC's default 'auto' picks it from the medians)",
    )
    a.add_argument(
        "--compare", metavar="COL2", default=None, help="second score: paired DeLong test"
    )
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
