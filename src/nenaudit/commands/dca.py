"""``nenaudit dca``: decision curve (net benefit of the model, treat all, treat none) from a CSV."""

from __future__ import annotations

import argparse
import math

from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 42


def _grid(text: str):
    from nenaudit.exceptions import NenauditError
    from nenaudit.stats.dca import threshold_grid

    parts = text.split(":")
    if len(parts) != 3:
        raise NenauditError(f"--thresholds {text!r}: expected START:STOP:STEP, e.g. 0.05:0.95:0.01")
    try:
        a, b, s = (float(p) for p in parts)
    except ValueError:
        raise NenauditError(
            f"--thresholds {text!r}: START, STOP and STEP must be numbers"
        ) from None
    return threshold_grid(a, b, s)


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from tabulate import tabulate

    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import DataError
    from nenaudit.io import binary_outcome, numeric_column, read_csv, require_columns
    from nenaudit.stats.dca import decision_curve

    df = read_csv(args.data, na=na_tokens(args))
    require_columns(df, [args.outcome, args.prob], args.data)
    y = binary_outcome(df, args.outcome, args.data)
    p = numeric_column(df, args.prob, args.data)
    bad = (p < 0) | (p > 1)
    if bad.any():
        i = int(bad.argmax())
        raise DataError(
            f"{args.data}: column {args.prob!r}, line {i + 2}: {p[i]:g} is not a probability in [0, 1]; "
            "pass predicted probabilities (not a linear predictor or a percentage)"
        )
    t = _grid(args.thresholds) if args.thresholds else None
    d = decision_curve(y, p, t)
    if args.json:
        rows = [
            {**r, "standardized": _num(sm), "net_interventions_avoided": _num(nia)}
            for r, sm, nia in zip(
                (
                    {"threshold": float(t), "model": float(m), "all": float(a), "none": float(z)}
                    for t, m, a, z in zip(d.thresholds, d.model, d.treat_all, d.treat_none)
                ),
                d.standardized_model,
                d.net_interventions_avoided,
            )
        ]
        print(
            dumps_json(
                {
                    "net_benefit": rows,
                    "prevalence": d.prevalence,
                    "n": d.n,
                    "nper": d.nper,
                    "definition": "dcurves: NB = TP/n - FP/n * t/(1-t), positive if prob >= t",
                }
            )
        )
        return 0
    table = [
        [t_, m, a, z, s, n]
        for t_, m, a, z, s, n in zip(
            d.thresholds,
            d.model,
            d.treat_all,
            d.treat_none,
            d.standardized_model,
            d.net_interventions_avoided,
        )
    ]
    print(
        tabulate(
            table,
            headers=[
                "threshold",
                "model",
                "treat all",
                "treat none",
                "standardized",
                f"net avoided /{d.nper}",
            ],
            floatfmt=".4f",
        )
    )
    print(f"\nn = {d.n}, prevalence = {d.prevalence:.4f}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "dca", help="decision curve: net benefit of the model, treat all, treat none (dcurves)"
    )
    a.add_argument("data", metavar="DATA.csv")
    a.add_argument("--outcome", required=True, metavar="COL", help="0/1 outcome column (1 = event)")
    a.add_argument(
        "--prob",
        required=True,
        metavar="COL",
        help="predicted probability column, values in [0, 1]",
    )
    a.add_argument(
        "--thresholds",
        metavar="START:STOP:STEP",
        default=None,
        help="threshold grid as R's seq(START, STOP, by = STEP) (default 0:0.99:0.01, as dcurves)",
    )
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
