"""Diagnostic accuracy at a cut-off, and which printed proportions counts can produce.

``accuracy_measures`` recomputes sensitivity, specificity, accuracy, PPV and NPV from the
four cells of a 2 x 2 classification table, as ``caret::confusionMatrix(...)$byClass`` and
``$overall["Accuracy"]`` report them (R parity in ``tests/test_diagnostic.py``).

``proportion_grim`` is GRIM (Brown & Heathers 2017) for a proportion: a printed percentage
of n items must be k/n for a whole k, so ``93.8%`` of 16 is 15/16 but ``87.5%`` of 25 is no
k/25. ``feasible_confusions`` applies it jointly: the (n+, n-, TP, TN) for which every printed
measure rounds from the counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from nenaudit.exceptions import NenauditError
from nenaudit.stats.result import Result

__all__ = [
    "AccuracyMeasures",
    "accuracy_measures",
    "proportion_grim",
    "feasible_confusions",
    "MEASURES",
    "MAX_SEARCH_N",
]

#: measure -> (numerator, denominator) in terms of tp, fp, fn, tn
MEASURES = {
    "sensitivity": (("tp",), ("tp", "fn")),
    "specificity": (("tn",), ("tn", "fp")),
    "ppv": (("tp",), ("tp", "fp")),
    "npv": (("tn",), ("tn", "fn")),
    "accuracy": (("tp", "tn"), ("tp", "fp", "fn", "tn")),
}


@dataclass(frozen=True)
class AccuracyMeasures(Result):
    """Proportions (0-1) recomputed from a 2 x 2 table; None where the denominator is 0."""

    tp: int
    fp: int
    fn: int
    tn: int
    sensitivity: float | None
    specificity: float | None
    ppv: float | None
    npv: float | None
    accuracy: float | None


def _ratio(cells: Mapping[str, int], num, den) -> float | None:
    d = sum(cells[c] for c in den)
    return None if d == 0 else sum(cells[c] for c in num) / d


def accuracy_measures(tp: int, fp: int, fn: int, tn: int) -> AccuracyMeasures:
    """Sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV TN/(TN+FN), accuracy.

    Matches ``caret::confusionMatrix(table(pred, truth), positive = "1")``: ``byClass`` gives
    Sensitivity, Specificity, Pos Pred Value, Neg Pred Value and ``overall`` Accuracy (caret
    returns NaN where this returns None: a zero denominator).

    References
    ----------
    Altman DG, Bland JM. Diagnostic tests 1: sensitivity and specificity. BMJ 1994;308:1552.
    doi:10.1136/bmj.308.6943.1552.
    """
    cells = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    for k, v in cells.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise NenauditError(f"accuracy_measures: {k} = {v!r} must be a whole number >= 0")
    return AccuracyMeasures(tp, fp, fn, tn, **{m: _ratio(cells, *nd) for m, nd in MEASURES.items()})


def _agrees(value: float, decimals: int, x: float) -> bool:
    return abs(x - value) <= 0.5 * 10.0 ** (-decimals) + 1e-9 * 10.0 ** (-decimals)


def proportion_grim(value: float, decimals: int, n: int, scale: float = 100.0) -> tuple[int, ...]:
    """The whole k in 0..n for which ``scale * k / n`` rounds to the printed ``value``.

    Empty when no count can give the printed proportion (GRIM for proportions). ``scale`` is
    100 for a percentage, 1 for a proportion.

    References
    ----------
    Brown NJL, Heathers JAJ. The GRIM test. Soc Psychol Personal Sci 2017;8:363-369.
    doi:10.1177/1948550616673876.
    """
    if n < 1:
        raise NenauditError(f"proportion_grim: n = {n} must be >= 1")
    centre = value / scale * n
    half = (0.5 * 10.0 ** (-decimals)) / scale * n
    lo, hi = max(0, math.floor(centre - half) - 1), min(n, math.ceil(centre + half) + 1)
    return tuple(k for k in range(lo, hi + 1) if _agrees(value, decimals, scale * k / n))


# Positives or negatives beyond this are not searched: the search grows with n (about 1 s at 10^8 on one core, a
# minute and a half at 10^12); the audit marks such a row not-reproducible and says so.
MAX_SEARCH_N = 10**8


def feasible_confusions(
    printed: Mapping[str, tuple[float, int]],
    n_pos: int | None = None,
    n_neg: int | None = None,
    n_total: int | None = None,
    scale: float = 100.0,
    limit: int = 50,
) -> list[dict[str, int]]:
    """Every (TP, FP, FN, TN) whose measures all round to the printed ones.

    ``printed`` maps a measure name of :data:`MEASURES` to (value, decimals). Give the numbers
    of positives and negatives, or their total only (then every split is tried), or neither
    (then nothing can be enumerated and a NenauditError says so). At most ``limit`` solutions
    are returned.
    """
    unknown = set(printed) - set(MEASURES)
    if unknown:
        raise NenauditError(f"feasible_confusions: unknown measure(s) {sorted(unknown)}")
    if n_pos is not None and n_neg is not None:
        splits = [(n_pos, n_neg)]
    elif n_total is not None:
        splits = [(p, n_total - p) for p in range(1, n_total)]
        if n_pos is not None:
            splits = [(n_pos, n_total - n_pos)]
        elif n_neg is not None:
            splits = [(n_total - n_neg, n_neg)]
    else:
        raise NenauditError(
            "feasible_confusions: needs the numbers of positives and negatives, or their total"
        )
    out = []
    for npos, nneg in splits:
        if npos < 0 or nneg < 0:
            continue
        tps = (
            proportion_grim(*printed["sensitivity"], npos, scale)
            if "sensitivity" in printed and npos
            else range(npos + 1)
        )
        tns = (
            proportion_grim(*printed["specificity"], nneg, scale)
            if "specificity" in printed and nneg
            else range(nneg + 1)
        )
        for tp in tps:
            for tn in tns:
                cells = {"tp": tp, "fn": npos - tp, "tn": tn, "fp": nneg - tn}
                ok = True
                for m, (v, d) in printed.items():
                    r = _ratio(cells, *MEASURES[m])
                    if r is None or not _agrees(v, d, scale * r):
                        ok = False
                        break
                if ok:
                    out.append(cells)
                    if len(out) >= limit:
                        return out
    return out
