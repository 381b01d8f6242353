"""``nenaudit compare``: a Table 1/2-style comparison of groups on any CSV."""

from __future__ import annotations

import argparse
import warnings

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 20


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import sys

    import pandas as pd
    from tabulate import tabulate

    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import DataError
    from nenaudit.io import (
        identifier_columns,
        missing_lines,
        read_csv,
        require_columns,
        split_names,
    )
    from nenaudit.stats.table1 import SelectionRule, summarize

    cat = split_names(args.categorical) or []
    df = read_csv(args.data, na=na_tokens(args), text_columns=cat)
    require_columns(df, [args.group], args.data)
    explicit = split_names(args.vars)
    ids: dict[str, str] = {}
    if explicit:
        names = explicit
    else:
        candidates = [c for c in df.columns if c != args.group]
        ids = identifier_columns(df, candidates)
        names = [c for c in candidates if c not in ids]
        if not names:
            raise DataError(
                f"{args.data}: every column but the group looks like an identifier "
                f"({', '.join(ids)}); name the variables with --vars"
            )
    require_columns(df, names, args.data)
    require_columns(df, cat, args.data)
    notes = missing_lines(
        df, [args.group], args.data, "those rows are left out of the comparison (no group)"
    )
    df = df[df[args.group].notna()]
    notes += missing_lines(
        df, names, args.data, "those rows are left out of this variable's summary and test"
    )
    levels = df[args.group].dropna().unique()
    if len(levels) < 2:
        raise DataError(
            f"{args.data}: group column {args.group!r} has {len(levels)} group(s); "
            "a comparison needs at least 2 (an empty group cannot be compared)"
        )
    for v in names:
        col = df[v]
        if col.notna().sum() == 0:
            raise DataError(f"{args.data}: column {v!r} has no values; drop it from --vars")
        for g in levels:
            if col[df[args.group] == g].notna().sum() == 0:
                raise DataError(
                    f"{args.data}: column {v!r} has no values in group {str(g)!r}; "
                    "it cannot be compared between groups"
                )
    for line in notes:  # once the input is known to be usable: an error stays the only line
        print(f"nenaudit: {line}", file=sys.stderr)
    inferred = [
        v
        for v in names
        if v not in cat and pd.api.types.is_numeric_dtype(df[v]) and df[v].dropna().nunique() <= 2
    ]
    cat = cat + inferred
    rule = SelectionRule(
        categorical_test=args.categorical_test,
        yates=not args.no_yates,
        normality_alpha=args.normality_alpha,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = summarize(df, args.group, vars=names, rule=rule, categorical=cat)
    from nenaudit.exceptions import LeftOutWarning

    # the rows left out are already said above (one line per column, naming the rows)
    msgs = list(
        dict.fromkeys(str(w.message) for w in caught if not issubclass(w.category, LeftOutWarning))
    )
    if args.json:
        out = res.to_dict()
        out["treated_as_categorical"] = inferred
        out["warnings"] = msgs
        out["identifier_columns_left_out"] = [{"column": c, "reason": r} for c, r in ids.items()]
        out["missing"] = notes
        print(dumps_json(out, indent=2, default=str))
        return 0
    frame = res.to_frame(digits=args.digits)
    rows = []
    for v in res.variables:
        sub = frame[frame["variable"] == v.variable]
        levels_ = [None] if v.kind != "categorical" else list(dict.fromkeys(sub["level"]))
        for i, lv in enumerate(levels_):
            cells = sub if lv is None else sub[sub["level"] == lv]
            label = f"{v.variable}, {v.summary}" if lv is None else (f"{v.variable}: {lv}")
            row = [label] + [cells[cells["group"] == g]["display"].iloc[0] for g in res.groups]
            row += [_p(v.p) if i == 0 else "", (v.test or "") if i == 0 else ""]
            rows.append(row)
    print(
        tabulate(
            rows, headers=["variable"] + [f"{args.group} = {g}" for g in res.groups] + ["p", "test"]
        )
    )
    print(f"\nrule: {rule.describe()}")
    if ids:
        print(
            "left out as identifiers (name them in --vars to compare them): "
            + "; ".join(f"{c} ({r})" for c, r in ids.items())
        )
    if inferred:
        print(f"treated as categorical (numeric with at most 2 values): {', '.join(inferred)}")
    for m in msgs:
        print(f"warning: {m}")
    return 0


def _p(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    from nenaudit.commands import add_na_option

    a = sub.add_parser(
        "compare", help="Table 1/2-style group comparison of a CSV (summaries and tests)"
    )
    a.add_argument("data", metavar="DATA.csv")
    a.add_argument("--group", required=True, metavar="COL", help="column holding the groups")
    a.add_argument(
        "--vars",
        metavar="A,B,...",
        help="variables in table order (default: every other column but identifier-like ones: named "
        "id or *_id, or unique per row)",
    )
    a.add_argument(
        "--categorical",
        metavar="A,B,...",
        help="numeric columns to treat as categorical (0/1 codes)",
    )
    a.add_argument(
        "--categorical-test",
        choices=("auto", "chisq", "fisher"),
        default="auto",
        help="auto: Fisher if an expected count < 5, else chi-square (default)",
    )
    a.add_argument(
        "--no-yates",
        action="store_true",
        help="no continuity correction for 2 x 2 chi-square tests",
    )
    a.add_argument(
        "--normality-alpha",
        type=options.probability,
        default=0.05,
        help="Shapiro-Wilk p above this in every group -> mean ± SD and t test (default 0.05)",
    )
    a.add_argument("--digits", type=options.digits, default=1, help="decimals in the printed table")
    a.add_argument("--json", action="store_true", help="print the full result as JSON")
    add_na_option(a)
    a.set_defaults(func=run)
