"""Build study specs in code: the embedded spec's raw JSON, small specs consistent by construction,
planted inconsistencies of a named kind, and single-field mutations for fuzzing the loader.

Test support, beside :mod:`nenaudit.strategies` (which draws the inputs of these builders); nothing
here needs hypothesis. It sits above the audit (a planted p is wrong under every rule
:mod:`nenaudit.audit.categorical` accepts), so that ``nenaudit.study`` imports nothing above itself.
A spec is returned as its raw JSON (a ``dict``), the form :func:`nenaudit.study.schema.validate`
reads, so that a test can change any field before validating it.

Consistent by construction means: every count sums to its group size, every percentage is the
count's share printed at two decimals, every categorical p is the one the stated rule gives
(Fisher's exact test where an expected count < 5, else chi-square with Yates's correction for
2 x 2 and without for larger tables: :func:`nenaudit.stats.contingency.chisq_test`,
:func:`~nenaudit.stats.contingency.fisher_test`), every mean of integer data is a total divided by
the group size (so GRIM passes), and every odds ratio, its 95% CI and its p come from one Wald
estimate (log OR ``b``, standard error ``se``), so the CI excludes 1 exactly when p < 0.05.
:func:`plant` then changes one printed value so that exactly one check must flag it.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from typing import Any

import numpy as np
from scipy.stats import norm

from nenaudit.audit.categorical import variants
from nenaudit.exceptions import StatisticalWarning
from nenaudit.stats.contingency import chisq_test, fisher_test
from nenaudit.study.schema import DEFAULT_STUDY

__all__ = [
    "embedded_raw",
    "fmt_pct",
    "two_group_spec",
    "consistent_spec",
    "cohort_spec",
    "mutate",
    "PLANTS",
    "plant",
    "categorical_p",
    "DROP",
    "deep",
    "nodes",
    "replacements",
    "mutations",
    "apply",
    "apply_all",
    "dotted",
]

GROUPS = ("a", "b")


def embedded_raw() -> dict:
    """The embedded default study spec (``feng2025.json``) as raw JSON, a fresh copy each call."""
    text = (
        resources.files("nenaudit.study")
        .joinpath(f"{DEFAULT_STUDY}.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def fmt_pct(count: int, n: int, decimals: int = 2) -> str:
    """``count`` of ``n`` as a percentage printed with ``decimals`` decimals (``37, 76 -> '48.68'``)."""
    return f"{100 * count / n:.{decimals}f}"


def _p_text(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def categorical_p(counts) -> float:
    """The p of a levels x groups table under the rule the consistent specs print: Fisher's exact test
    where an expected count < 5, else Pearson's chi-square (Yates's correction for 2 x 2, as R's
    ``chisq.test`` default). Levels with no count in any group are left out first, as the audit does."""
    m = np.asarray(counts, dtype=int)
    m = m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        chi = chisq_test(m, correct=False)
        if float(np.min(chi.expected)) < 5:
            return float(fisher_test(m).p)
        return float(chisq_test(m, correct=m.shape == (2, 2)).p)


def _categorical_row(counts: np.ndarray, variable: str, p: str | None) -> dict:
    n = counts.sum(axis=0)
    levels = [
        {
            "level": f"L{i + 1}",
            "cells": {
                g: f"{counts[i, j]} ({fmt_pct(counts[i, j], n[j])})" for j, g in enumerate(GROUPS)
            },
        }
        for i in range(counts.shape[0])
    ]
    row = {"variable": variable, "kind": "categorical", "levels": levels}
    if p is not None:
        row["p"] = p
    return row


def _spec(rows: list[dict], n: Sequence[int]) -> dict:
    return {
        "spec_version": 1,
        "study": {"id": "toy", "citation": "made up"},
        "tables": [
            {
                "id": "t",
                "title": "TABLE 9 Toy",
                "unit": "lesion",
                "groups": [
                    {"id": "a", "label": "A", "n": int(n[0])},
                    {"id": "b", "label": "B", "n": int(n[1])},
                ],
                "rows": rows,
            }
        ],
    }


def two_group_spec(counts, p: str | None = None, variable: str = "X") -> dict:
    """A spec with one two-group table (groups ``a``, ``b``) and one categorical row ``variable``.

    ``counts`` is levels x 2 (non-negative, each column sum > 0: the group sizes); levels are
    ``L1``, ``L2``, ...; each cell is ``"count (percent)"`` with the percentage at two decimals;
    ``p`` is printed as given (none when None)."""
    counts = np.asarray(counts, dtype=int)
    return _spec([_categorical_row(counts, variable, p)], counts.sum(axis=0))


def consistent_spec(
    categorical: Sequence[Any] = (),
    means: Sequence[tuple[Sequence[int], Sequence[int]]] = (),
    ratios: Sequence[tuple[float, float]] = (),
) -> dict:
    """A spec that every check of the audit finds consistent, by construction.

    Parameters
    ----------
    categorical
        levels x 2 count tables, one categorical row each (``C1``, ``C2``, ...); all must have the
        same column sums, which are the group sizes. Their p is :func:`categorical_p`, printed at three
        decimals (``<0.001`` below 0.001).
    means
        ``(values_a, values_b)`` pairs of integer data, one ``mean_sd`` row each (``M1``, ...), flagged
        ``integer_valued``: mean ± SD (``ddof = 1``) at two decimals; the number of values must be the
        group sizes (at least 2 each). Without ``categorical`` the group sizes come from the first pair.
    ratios
        ``(b, se)`` pairs: the log odds ratio and its standard error of a regression row (``Z1``, ...):
        ``OR = exp(b)``, 95% Wald CI ``exp(b -+ 1.96 se)`` at three decimals, Wald p ``2 pnorm(-|b| / se)``
        at three decimals. ``se`` must keep the CI and the p printable (``0.05 <= se``, ``|b| / se <= 8``).

    The p-values are chosen so that none sits within rounding of 0.05 (a printed ``0.050`` straddles the
    threshold, which the audit notes rather than calls consistent): such ``ratios`` are nudged by 2%.
    """
    tabs = [np.asarray(c, dtype=int) for c in categorical]
    if tabs:
        n = tabs[0].sum(axis=0)
        for t in tabs:
            if (
                t.ndim != 2
                or t.shape[1] != 2
                or (t < 0).any()
                or not np.array_equal(t.sum(axis=0), n)
            ):
                raise ValueError(
                    "consistent_spec: every categorical table is levels x 2 with the same column sums"
                )
    elif means:
        n = np.array([len(means[0][0]), len(means[0][1])])
    else:
        raise ValueError(
            "consistent_spec: give at least one categorical table or one pair of means"
        )
    if (n <= 0).any():
        raise ValueError("consistent_spec: every group needs at least one member")
    rows = [_categorical_row(t, f"C{i + 1}", _p_text(categorical_p(t))) for i, t in enumerate(tabs)]
    for i, (va, vb) in enumerate(means):
        cells = {}
        for g, v, size in zip(GROUPS, (va, vb), n):
            v = np.asarray(v, dtype=int)
            if v.size != size or size < 2:
                raise ValueError(
                    f"consistent_spec: means[{i}] group {g} has {v.size} values, the group size is {size}"
                )
            cells[g] = f"{v.mean():.2f} ± {v.std(ddof=1):.2f}"
        rows.append(
            {"variable": f"M{i + 1}", "kind": "mean_sd", "integer_valued": True, "cells": cells}
        )
    raw = _spec(rows, n)
    if ratios:
        reg_rows = []
        for i, (b, se) in enumerate(ratios):
            b, se = float(b), float(se)
            if not (se >= 0.05 and abs(b) / se <= 8):
                raise ValueError(
                    f"consistent_spec: ratios[{i}] = ({b}, {se}) is outside se >= 0.05, |b|/se <= 8"
                )
            p = 2 * norm.sf(abs(b) / se)
            if 0.04 <= p <= 0.06:
                b = b * (1.25 if p > 0.05 else 0.8) if b != 0 else 0.0
                p = 2 * norm.sf(abs(b) / se)
            z = norm.ppf(0.975)
            est = f"{math.exp(b):.3f} ({math.exp(b - z * se):.3f}–{math.exp(b + z * se):.3f})"
            reg_rows.append(
                {"variable": f"Z{i + 1}", "univariable": {"estimate_ci": est, "p": _p_text(p)}}
            )
        raw["regression"] = {
            "id": "reg",
            "title": "TABLE 8 Toy regression",
            "unit": "lesion",
            "estimate": "odds ratio",
            "rows": reg_rows,
        }
    return raw


def cohort_spec(k, resp, levels: Sequence[Any], kmax: int, bump: tuple | None = None) -> dict:
    """A spec whose Table 1 (patients) and Table 2 (lesions by outcome) are the counts of a made-up cohort.

    ``k[i]`` is patient i's number of lesions (1..``kmax``), ``resp[i]`` its outcome (0 effective, 1 not),
    ``levels[v][i]`` its level (0, 1, ...) of categorical variable ``V{v}``; all of a patient's lesions share
    its outcome and levels. ``bump = (variable, level_from, level_to, amount, group)`` moves ``amount``
    lesions of outcome ``group`` between two levels of Table 2 afterwards (an infeasible spec for
    :func:`nenaudit.synth.generate`'s allocation when it breaks ``lesions <= kmax x patients``).
    """
    k, resp = np.asarray(k, dtype=int), np.asarray(resp, dtype=int)
    levels = [np.asarray(lv, dtype=int) for lv in levels]

    def cp(c, n):
        return f"{c} ({100 * c / n:.2f})" if n else f"{c} (0.00)"

    npat = len(k)
    lesions = {g: int(k[resp == g].sum()) for g in (0, 1)}
    rows1 = [
        {
            "variable": "Response",
            "kind": "categorical",
            "outcome": True,
            "levels": [
                {
                    "level": "good",
                    "outcome_group": "eff",
                    "cells": {"total": cp(int((resp == 0).sum()), npat)},
                },
                {
                    "level": "bad",
                    "outcome_group": "ineff",
                    "cells": {"total": cp(int((resp == 1).sum()), npat)},
                },
            ],
        }
    ]
    rows2 = []
    for v, lv in enumerate(levels):
        nlev = max(int(lv.max()) + 1 if lv.size else 1, 2)
        t1 = [int((lv == i).sum()) for i in range(nlev)]
        t2 = {g: [int(k[(lv == i) & (resp == g)].sum()) for i in range(nlev)] for g in (0, 1)}
        if bump is not None and bump[0] == v:
            _, a, b, amount, g = bump
            amount = min(amount, t2[g][a])
            t2[g][a] -= amount
            t2[g][b] += amount
        rows1.append(
            {
                "variable": f"V{v}",
                "kind": "categorical",
                "levels": [
                    {"level": f"l{i}", "cells": {"total": cp(t1[i], npat)}} for i in range(nlev)
                ],
            }
        )
        rows2.append(
            {
                "variable": f"V{v}",
                "kind": "categorical",
                "levels": [
                    {
                        "level": f"l{i}",
                        "cells": {
                            "eff": cp(t2[0][i], lesions[0]),
                            "ineff": cp(t2[1][i], lesions[1]),
                        },
                    }
                    for i in range(nlev)
                ],
            }
        )
    return {
        "spec_version": 1,
        "study": {"id": "toy", "citation": "made up"},
        "design": {"max_lesions_per_patient": {"value": int(kmax), "where": "test"}},
        "tables": [
            {
                "id": "t1",
                "title": "TABLE 1 Patients",
                "unit": "patient",
                "groups": [{"id": "total", "label": "Total", "n": npat}],
                "rows": rows1,
            },
            {
                "id": "t2",
                "title": "TABLE 2 Lesions",
                "unit": "lesion",
                "groups": [
                    {"id": "eff", "label": "E", "n": lesions[0], "outcome_group": "eff"},
                    {"id": "ineff", "label": "I", "n": lesions[1], "outcome_group": "ineff"},
                ],
                "rows": rows2,
            },
        ],
    }


def mutate(raw: dict, fn: Callable[[dict], Any]) -> dict:
    """A deep copy of ``raw`` changed in place by ``fn``."""
    out = copy.deepcopy(raw)
    fn(out)
    return out


# ------------------------------------------------------------------ planted inconsistencies
PLANTS = ("percentage", "category_sum", "p_value", "grim", "ci_vs_p")
"""Kinds of inconsistency :func:`plant` can put into a :func:`consistent_spec`, each with the id of the
audit finding that must then say ``inconsistent``."""


def _unattainable_mean(n: int, near: float) -> str | None:
    """A mean printed at two decimals, near ``near``, that no integer total over ``n`` rounds to."""
    for step in range(1, 200):
        for cand in (near + step / 100, near - step / 100):
            c = round(cand, 2)
            k = c * n
            if all(abs(t / n - c) >= 0.005 for t in (math.floor(k), math.ceil(k))):
                return f"{c:.2f}"
    return None


def _wrong_p(values: Sequence[float]) -> str:
    """A p printed at three decimals whose rounding interval holds none of ``values``."""
    for cand in [x / 1000 for x in range(5, 1000, 7)]:
        if all(abs(v - cand) > 0.0006 for v in values):
            return f"{cand:.3f}"
    raise AssertionError("unreachable: 142 candidates cannot all be within 0.0006 of three values")


def plant(raw: dict, kind: str, index: int = 0) -> tuple[dict, str]:
    """Plant one inconsistency of ``kind`` (one of :data:`PLANTS`) in a copy of ``raw``, a spec made by
    :func:`consistent_spec`; returns the new spec and the id of the finding that must be inconsistent.

    * ``percentage``: the count of level 1 of categorical row ``index`` in group ``a`` is raised by
      one, its percentage left as printed (``arith.percent:t:C1:L1:a``; the level sum breaks too).
    * ``category_sum``: group ``a``'s size is raised by one (``arith.sum:t:C1:a``).
    * ``p_value``: the p of categorical row ``index`` is replaced by one that neither chi-square
      (with or without Yates) nor Fisher's test gives (``test.categorical:t:C1``).
    * ``grim``: the mean of group ``a`` of mean row ``index`` becomes one that no integer total over
      the group size rounds to (``arith.grim:t:M1:a``; needs a group size < 100).
    * ``ci_vs_p``: regression row ``index`` gets a p on the other side of 0.05 from its CI
      (``triple.ci_vs_p:Z1:univariable``).

    Raises ``ValueError`` when the spec has no row of the kind ``kind`` needs.
    """
    out = copy.deepcopy(raw)
    table = out["tables"][0]
    cats = [r for r in table["rows"] if r["kind"] == "categorical"]
    nums = [r for r in table["rows"] if r["kind"] == "mean_sd"]
    if kind == "percentage":
        if index >= len(cats):
            raise ValueError("plant('percentage'): the spec has no such categorical row")
        row = cats[index]
        cell = row["levels"][0]["cells"]["a"]
        count, rest = cell.split(" ", 1)
        row["levels"][0]["cells"]["a"] = f"{int(count) + 1} {rest}"
        return out, f"arith.percent:t:{row['variable']}:L1:a"
    if kind == "category_sum":
        if index >= len(cats):
            raise ValueError("plant('category_sum'): the spec has no such categorical row")
        table["groups"][0]["n"] += 1
        return out, f"arith.sum:t:{cats[index]['variable']}:a"
    if kind == "p_value":
        if index >= len(cats):
            raise ValueError("plant('p_value'): the spec has no such categorical row")
        row = cats[index]
        m = np.array([[int(lv["cells"][g].split(" ")[0]) for g in GROUPS] for lv in row["levels"]])
        v = variants(m)
        row["p"] = _wrong_p([v[k] for k in ("chisq", "chisq_yates", "fisher") if k in v])
        return out, f"test.categorical:t:{row['variable']}"
    if kind == "grim":
        n = table["groups"][0]["n"]
        if index >= len(nums) or n >= 100:
            raise ValueError(
                "plant('grim'): needs a mean row and a group a of fewer than 100 members"
            )
        row = nums[index]
        mean, sd = row["cells"]["a"].split(" ± ")
        row["cells"]["a"] = f"{_unattainable_mean(n, float(mean))} ± {sd}"
        return out, f"arith.grim:t:{row['variable']}:a"
    if kind == "ci_vs_p":
        rows = out.get("regression", {}).get("rows", [])
        if index >= len(rows):
            raise ValueError("plant('ci_vs_p'): the spec has no such regression row")
        cell = rows[index]["univariable"]
        p = cell["p"]
        below = p.startswith("<") or float(p) < 0.05
        cell["p"] = "0.320" if below else "0.004"
        return out, f"triple.ci_vs_p:{rows[index]['variable']}:univariable"
    raise ValueError(f"plant: unknown kind {kind!r}; one of {', '.join(PLANTS)}")


# ------------------------------------------------------------------ single-field mutations (loader fuzzing)
DROP = object()
"""Marks a mutation that removes the field (see :func:`apply_all`)."""
DEEP = 2000  # deeper than Python's default recursion limit (1000)


def deep(depth: int = DEEP) -> Any:
    """``depth`` nested empty lists: JSON nested deeper than Python's default recursion limit."""
    x: Any = []
    for _ in range(depth):
        x = [x]
    return x


def nodes(x: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) of the JSON tree except the root, parents before children."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield path + (k,), v
            yield from nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield path + (i,), v
            yield from nodes(v, path + (i,))


def replacements(value: Any) -> list[tuple[str, Any]]:
    """The mutations tried on one value, as ``(kind, new)``: drop, null, wrong types, empty containers,
    odd strings, nesting deeper than Python's recursion limit."""
    out: list[tuple[str, Any]] = [("drop", DROP), ("null", None), ("deep", deep())]
    if isinstance(value, bool):
        out += [("str", "true"), ("int", 1)]
    elif isinstance(value, (int, float)):
        out += [
            ("str", str(value)),
            ("negative", -1),
            ("zero", 0),
            ("huge", 10**10),
            ("float", 0.5),
            ("bool", True),
            ("list", [value]),
        ]
    elif isinstance(value, str):
        out += [
            ("empty", ""),
            ("word", "x"),
            ("p<0.05", "p<0.05"),
            ("int", 3),
            ("list", [value]),
            ("dict", {}),
        ]
    elif isinstance(value, list):
        out += [("empty", []), ("dict", {}), ("str", "x"), ("repeat", value + value[:1])]
    elif isinstance(value, dict):
        out += [("empty", {}), ("list", []), ("str", "x")]
    return out


def mutations(raw: dict) -> Iterator[tuple[tuple, str, Any]]:
    """Every single-field mutation ``(path, kind, new)`` of ``raw`` (see :func:`replacements`)."""
    for path, value in nodes(raw):
        for kind, new in replacements(value):
            yield path, kind, new


def apply(raw: dict, path: tuple, new: Any) -> dict:
    """A copy of ``raw`` with the field at ``path`` set to ``new`` (removed for :data:`DROP`)."""
    return apply_all(raw, [(path, new)])


def apply_all(raw: dict, changes) -> dict:
    """A copy of ``raw`` with each ``(path, new)`` applied in turn; a path a previous change removed is skipped."""
    out = copy.deepcopy(raw)
    for path, new in changes:
        try:
            parent = functools.reduce(lambda a, k: a[k], path[:-1], out)
            if new is DROP:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.copy(new)
        except (KeyError, IndexError, TypeError):
            continue
    return out


def dotted(path: tuple) -> str:
    """``("tables", 0, "groups", 1, "n")`` -> ``"tables[0].groups[1].n"`` (the loader's field paths)."""
    s = ""
    for k in path:
        s += f"[{k}]" if isinstance(k, int) else (f".{k}" if s else str(k))
    return s
