"""Stages A, B and C: from a cohort that reproduces the tables to one whose re-fitted pipeline gives the model.

The allocation and realization (:mod:`~nenaudit.synth.allocation`, :mod:`~nenaudit.synth.realize`)
fix every published count and quantile. Three searches then use the freedom left, each scored
with the statistics the pipeline itself computes (``stats.logistic.fit_logistic``,
``stats.twosample.mann_whitney``, ``pipeline.PaperProcedure``, ``stats.stepwise.backward_elimination``,
``stats.discrimination.roc_auc``), on values rounded as the CSV files store them:

* **A** (one variable at a time, :func:`stage_a`): for every patient-level variable with a published
  univariable OR, a hill-climb over moves that keep each of its published summaries as met as before
  (Table 1 level counts; type-7 quartiles and means within printed rounding): swaps of two patients'
  values, and, for continuous variables, a value moved between its neighbours. The loss is the
  distance, in units of the printed rounding on the log scale, of the lesion-level univariable OR and
  Wald p and of the lesion table's Mann-Whitney p from their printed values.
* **B** (features, :func:`stage_b`): ``K`` feature matrices (:func:`nenaudit.synth.features.build`, the
  signature noise orthogonal to the constant and the planted Radscore within each outcome group, the
  other features' sample association with the outcome shrunk); each is run through the pipeline's
  selection (ICC, z-score, Spearman, LASSO-CV at lambda.min) and the one whose re-fitted Radscore best
  gives the published feature count and names, Radscore AUC, univariable Radscore OR and Table 2
  Radscore quartiles is kept.
* **C** (joint structure, :func:`stage_c`): simulated annealing over swaps of one patient variable's
  values between two patients of the same (outcome, number of lesions) cell. A swap leaves every
  count, quantile and univariable statistic unchanged (the lesion-level (value, outcome) pairs are the
  same multiset) and does not touch the features, so the LASSO and the univariable screen are fixed;
  the loss is on the backward-Wald path with the re-fitted Radscore: the final model, each final term's
  OR against its published CI, the published multivariable step (a term removed last), the fusion AUC,
  and the plausibility terms (:data:`PLAUSIBILITY`) whose cost is reported.

Nothing here names a variable of a particular paper except :data:`PLAUSIBILITY`, which applies only to
the variables a spec has.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import FitFailure
from nenaudit.pipeline import PipelineConfig
from nenaudit.stats import validation as val
from nenaudit.stats.discrimination import roc_auc
from nenaudit.stats.features import spearman_matrix
from nenaudit.stats.fixedorder import linear_predictor
from nenaudit.stats.logistic import fit_logistic
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.stepwise import backward_elimination, univariable_then_backward
from nenaudit.stats.twosample import mann_whitney
from nenaudit.study.schema import label_key
from nenaudit.synth.realize import Design, outcomes_of
from nenaudit.synth.targets import AUC_TOL

__all__ = [
    "round6",
    "ClinicalFrame",
    "binary_split",
    "stage_a",
    "cells_of",
    "swap",
    "CTargets",
    "c_targets",
    "Columns",
    "c_loss",
    "separated_share",
    "plausibility",
    "plausibility_cost",
    "stage_c",
]


# Within-outcome associations a clinician expects, as soft terms of stage C: (variable a, variable b,
# minimum Spearman correlation within each outcome group, why). Applied when the spec has both.
PLAUSIBILITY: tuple[tuple[str, str, float, str], ...] = (
    (
        "Grade",
        "Ki67",
        0.4,
        "WHO grading of NENs is defined by the Ki67 index: grade rises with Ki67",
    ),
    (
        "Diameter of the hepatic metastasis",
        "Number of hepatic metastases",
        0.2,
        "more hepatic metastases go with a larger tumour burden (diameter and number are not independent)",
    ),
)
W_STEP = 1.0  # weight of the published multivariable step's ORs (the final model's count once)
SEP_MAX = (
    0.08  # stage C records a best state only if at most this share of the Harrell and by-patient
)
#                 resamples of its final model separate (the pipeline's resampling and seed, SEP_BOOT draws)
SEP_BOOT = 50
W_PLAUSIBLE = 2.0  # loss per 0.1 of Spearman correlation short of the minimum

A_ITER = 4000  # stage A moves per variable (stops when every target is met)
A_STALL, A_KICK = (
    300,
    3,
)  # stage A: after this many moves without a gain, restart from the best with random moves
A_RANGE = (
    3.0  # stage A keeps a continuous variable within [min / 3, max * 3] of its realized values
)
A_CAT_FACTOR = (
    4  # categorical variables get this many times the moves (no summaries to check: cheaper)
)
W_WALD_P = 0.05  # weight of the univariable Wald p against the OR and the lesion table's p
C_ITER = 2500  # stage C swaps
K_DRAWS = 24  # stage B feature draws (stops at a draw that meets every feature target)
C_RETRIES = 1  # stage C runs again (from the stage B state, a new random stream) when the evaluation misses a target
C_MOVES = (
    "final_model",
    "multivariable/",
    "auc/fusion",
    "separation/",
)  # the targets a stage C swap can move


SEPARATED_LOSS = (
    1e6  # stage A's loss of a state whose univariable fit separates (worse than any other state)
)
SETTLE_DIGITS = 9  # significant digits of every value a search decision compares (see settle)


def settle(x: float) -> float:
    """A loss or score as the searches compare it: rounded to :data:`SETTLE_DIGITS` significant digits.

    The statistics behind it carry the BLAS kernel's and the CPU's last bits (about 1e-14 relative:
    OpenBLAS picks its summation order by CPU, numpy its exp/log by SIMD level); rounded far above that
    noise, two states whose loss is equal in exact arithmetic compare equal on any machine. Together with
    the canonical row order of the fits (:func:`_a_loss`, :func:`c_loss`: states that are permutations of
    each other are fitted on the same bytes), a search takes the same path on any x86-64 CPU."""
    x = float(x)
    return float(f"{x:.{SETTLE_DIGITS}g}") if math.isfinite(x) else x


def round6(x: np.ndarray) -> np.ndarray:
    """Values as the CSV files store them (``%.6g``)."""
    return np.array([float(f"{v:.6g}") for v in np.asarray(x, float)])


def _log_excess(a: float, printed) -> tuple[float, float]:
    """(excess beyond the printed rounding, distance from the printed value), both in units of the rounding
    interval's width on the log scale; (0, d) when ``a`` rounds to the printed value."""
    if (
        printed is None
        or printed.value is None
        or printed.value <= 0
        or not (a > 0)
        or not math.isfinite(a)
    ):
        return (0.0, 0.0) if printed is None or printed.value is None else (10.0, 10.0)
    h = printed.half_unit
    if printed.comparator == "<":
        return (max(0.0, math.log(a) - math.log(printed.value)) * 10, 0.0)
    lo = math.log(max(printed.value - h, printed.value * 1e-3))
    hi = math.log(printed.value + h)
    la = math.log(a)
    w = hi - lo
    return max(0.0, lo - la, la - hi) / w, abs(la - math.log(printed.value)) / w


# --------------------------------------------------------------------- stage A
@dataclass
class ClinicalFrame:
    """Patient-level values (strings for categorical variables) and the lesion -> patient map."""

    patients: pd.DataFrame
    lesion_patient: np.ndarray  # patient row of each lesion
    y: np.ndarray  # lesion outcome (1 = event)
    k: np.ndarray  # lesions per patient
    pout: np.ndarray  # patient outcome group names


def _codes(d: Design, name: str, values: np.ndarray) -> np.ndarray:
    lv = d.variables[name]["levels"]
    if lv:
        m = {x: i for i, x in enumerate(lv)}
        return np.array([m[x] for x in values], float)
    return np.asarray(values, float)


def _summaries_met(d: Design, name: str, x: np.ndarray, cf: ClinicalFrame) -> tuple[bool, ...]:
    """For each published summary of a patient-level variable: does ``x`` (patient values) meet it?"""
    v = d.variables[name]
    out = []
    for t, row in v["rows"]:
        if v["kind"] == "categorical":
            continue  # level counts are kept by swaps
        for gid, cell in row.cells.items():
            inside = np.isin(cf.pout, outcomes_of(t, gid, d.outcomes))
            w = np.where(inside, cf.k if t.unit == "lesion" else 1, 0)
            s = np.repeat(x, w)
            if hasattr(cell, "q1"):
                q = quantile7(s, [0.25, 0.5, 0.75])
                out += [cell.q1.agrees(q[0]), cell.median.agrees(q[1]), cell.q3.agrees(q[2])]
            else:
                out += [cell.mean.agrees(float(s.mean())), cell.sd.agrees(float(s.std(ddof=1)))]
    return tuple(out)


def _uni_targets(d: Design, name: str):
    """(printed OR, printed univariable p, printed lesion-table p) of a variable (None where unpublished)."""
    reg = d.study.regression
    key = label_key(name)
    row = next((r for r in (reg.rows if reg else ()) if label_key(r.variable) == key), None)
    u = row.univariable if row is not None else None
    tp = next(
        (
            r.p
            for t, r in d.variables[name]["rows"]
            if t.unit == "lesion" and r.p is not None and r.p.value is not None
        ),
        None,
    )
    return (
        u.estimate if u else None,
        (u.p if u and u.p is not None and not u.p.malformed else None),
        tp if d.variables[name]["kind"] != "categorical" else None,
    )


def _a_loss(xl: np.ndarray, y: np.ndarray, tg, categorical: bool = False) -> tuple[float, float]:
    """(excess beyond printed rounding of the OR and the lesion-table p, loss) of lesion-level values ``xl``
    (the loss adds the Wald p's excess times :data:`W_WALD_P` and a small pull to the printed values); a
    categorical variable is fitted on its (code, outcome) table with the lesion counts as prior weights
    (the same likelihood, faster)."""
    or_p, p_p, mw_p = tg
    o = np.lexsort(
        (xl, y)
    )  # canonical order: the loss is a function of the (value, outcome) multiset
    xl, y = np.asarray(xl, float)[o], np.asarray(y, float)[o]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if categorical:
            keys, w = np.unique(np.column_stack([xl, y]), axis=0, return_counts=True)
            f = fit_logistic(keys[:, :1], keys[:, 1], weights=w.astype(float), profile=False)
        else:
            f = fit_logistic(xl[:, None], y, profile=False)
    if f.separation:
        # no ML estimate: its OR and Wald p are where IRLS stopped (the kernel's last bits, amplified),
        # so the loss is fixed: the worst
        return settle(SEPARATED_LOSS), settle(SEPARATED_LOSS)
    ex, dist = 0.0, 0.0
    e, dd = _log_excess(float(np.exp(f.coef[1])), or_p)
    ex, dist = ex + e, dist + dd
    e, dd = _log_excess(float(f.p[1]), p_p)  # the Wald p: a secondary target
    soft = W_WALD_P * e
    dist += dd
    if mw_p is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = mann_whitney(xl[y == 0], xl[y == 1]).p
        e, dd = _log_excess(float(p), mw_p)
        ex, dist = ex + e, dist + dd
    return settle(ex), settle(ex + soft + 0.01 * dist)


def _propose(
    x: np.ndarray,
    rng: np.random.Generator,
    cat: bool,
    integer: bool,
    limits: tuple[float, float] = (-np.inf, np.inf),
) -> np.ndarray | None:
    """One stage A move (None when it changes nothing): a swap of two patients' values; for continuous
    values also a value moved between its neighbours (tails: up to half the range beyond) or a paired
    move that keeps the sum."""
    n = x.size
    trial = x.copy()
    move = rng.integers(4) if not cat else 0
    i, j = rng.choice(n, size=2, replace=False)
    # a long jump towards or beyond an end of the range (the tails are free beyond the quartiles)
    if move == 3:
        lo, hi = float(trial.min()), float(trial.max())
        span = hi - lo
        a, b = (
            (trial[i], min(hi + 0.5 * span, limits[1]))
            if rng.uniform() < 0.5
            else (max(lo - 0.5 * span, limits[0]), trial[i])
        )
        if not a < b:
            return None
        new = rng.uniform(a, b)
        trial[i] = round(new) if integer else float(f"{new:.6g}")
        return trial
    if move == 0:
        if trial[i] == trial[j]:
            return None
        trial[i], trial[j] = trial[j], trial[i]
        # a second swap: moves that one swap cannot make without losing
        if cat and rng.uniform() < 0.5:
            i, j = rng.choice(n, size=2, replace=False)
            trial[i], trial[j] = trial[j], trial[i]
        return trial
    if move == 1:
        order = np.argsort(trial, kind="stable")
        r = int(np.flatnonzero(order == i)[0])
        lo = trial[order[max(r - 2, 0)]]
        hi = trial[order[min(r + 2, n - 1)]]
        rng_all = float(trial.max() - trial.min())
        if r >= n - 3:
            hi = min(max(hi, trial.max() + 0.5 * rng_all), limits[1])
        if r <= 2:
            lo = max(min(lo, trial.min() - 0.5 * rng_all), limits[0])
        if not lo < hi:
            return None
        new = rng.uniform(lo, hi)
        trial[i] = round(new) if integer else float(f"{new:.6g}")
        return trial
    sd = float(np.std(trial))
    step = (
        max(1.0, round(abs(rng.normal(0, 0.1 * sd))))
        if integer
        else float(f"{abs(rng.normal(0, 0.05 * sd)):.3g}")
    )
    trial[i] += step
    trial[j] -= step
    if not integer:
        trial[i], trial[j] = float(f"{trial[i]:.6g}"), float(f"{trial[j]:.6g}")
    if trial[j] < 0 <= x[j]:
        return None
    return trial


ENUM_MAX = 200_000  # cell splits a binary variable's exact enumeration may visit


def binary_split(
    d: Design, name: str, cf: ClinicalFrame, tg, rng: np.random.Generator
) -> dict | None:
    """Exact search for a binary patient variable: every split of its second level's patients over the
    (outcome, number of lesions) cells (the level's total kept), scored on the lesion table it gives; the
    best split is realized by changing as few patients as possible (which ones: ``rng``). None when the
    enumeration would exceed :data:`ENUM_MAX`."""
    lv = d.variables[name]["levels"]
    x = _codes(d, name, cf.patients[name].to_numpy())
    cells = [
        np.flatnonzero((cf.pout == r) & (cf.k == k))
        for r in np.unique(cf.pout)
        for k in np.unique(cf.k)
    ]
    cells = [c for c in cells if c.size]
    total = int(x.sum())
    if np.prod([c.size + 1 for c in cells], dtype=float) > ENUM_MAX:
        return None
    ks = [int(cf.k[c[0]]) for c in cells]
    ev = [bool(cf.y[np.flatnonzero(cf.lesion_patient == c[0])[0]]) for c in cells]
    n_les = {True: int(cf.y.sum()), False: int((1 - cf.y).sum())}
    seen: dict[tuple[int, int], tuple[float, float]] = {}
    best = None

    def rec(i: int, left: int, m: list[int]):
        nonlocal best
        if i == len(cells) - 1:
            if not 0 <= left <= cells[i].size:
                return
            m = m + [left]
            e1 = sum(k * mm for k, mm, e in zip(ks, m, ev) if e)
            e0 = sum(k * mm for k, mm, e in zip(ks, m, ev) if not e)
            key = (e0, e1)
            if key not in seen:
                xl = np.r_[
                    np.zeros(n_les[False] - e0),
                    np.ones(e0),
                    np.zeros(n_les[True] - e1),
                    np.ones(e1),
                ]
                yy = np.r_[np.zeros(n_les[False]), np.ones(n_les[True])]
                seen[key] = _a_loss(xl, yy, tg, True)
            cur = sum(int(x[c].sum()) != mm for c, mm in zip(cells, m))  # cells that change
            cand = (seen[key][1], cur, tuple(m))
            if best is None or cand < best:
                best = cand
            return
        for mm in range(0, min(left, cells[i].size) + 1):
            rec(i + 1, left - mm, m + [mm])

    rec(0, total, [])
    if best is None:
        return None
    out = x.copy()
    for c, mm in zip(cells, best[2]):
        ones = [i for i in c if x[i] == 1]
        zeros = [i for i in c if x[i] == 0]
        have = len(ones)
        if mm > have:
            out[rng.choice(zeros, size=mm - have, replace=False)] = 1
        elif mm < have:
            out[rng.choice(ones, size=have - mm, replace=False)] = 0
    ex = _a_loss(out[cf.lesion_patient], cf.y, tg, True)[0]
    cf.patients[name] = np.array([lv[int(c)] for c in out], dtype=object)
    return {
        "variable": name,
        "method": "exact enumeration of the cell splits",
        "tables": len(seen),
        "excess_after": round(ex, 4),
        "targets_met": ex == 0.0,
    }


def stage_a(
    d: Design, cf: ClinicalFrame, rng: np.random.Generator, n_iter: int = A_ITER
) -> list[dict]:
    """Stage A on every patient-level variable with a published univariable OR (see the module docstring):
    an iterated hill-climb (moves that do not worsen the loss are taken; after :data:`A_STALL` moves without
    a gain, :data:`A_KICK` random moves from the best state) over :func:`_propose` moves that keep every
    published summary met as before; modifies ``cf.patients`` in place and returns one record
    per variable (excess beyond printed rounding before and after, moves tried)."""
    log = []
    for name, v in d.variables.items():
        if "patient" not in v["unit"]:
            continue
        cat = v["kind"] == "categorical"
        if cat and v["unit"] != {"patient"}:
            continue  # lesion-table counts fix the lesion-level split
        tg = _uni_targets(d, name)
        if tg[0] is None and tg[2] is None:
            continue
        if cat and len(v["levels"]) == 2:
            rec = binary_split(d, name, cf, tg, rng)
            if rec is not None:
                log.append(rec)
                continue
        integer = bool(v.get("integer_valued"))
        raw = cf.patients[name].to_numpy()
        x = _codes(d, name, raw) if cat else round6(raw.astype(float))
        base_met = _summaries_met(d, name, x, cf) if not cat else ()
        ex, loss = _a_loss(x[cf.lesion_patient], cf.y, tg, cat)
        best = (loss, ex, x)
        start = ex
        # plausible range: within a factor of the realized values' range (never below 0 for positive values)
        lo0, hi0 = (float(x.min()), float(x.max())) if not cat else (0.0, 0.0)
        limits = (
            lo0 / A_RANGE if lo0 > 0 else (0.0 if lo0 == 0 else lo0 * A_RANGE),
            hi0 * A_RANGE if hi0 > 0 else hi0 / A_RANGE,
        )
        tried = 0
        stall = 0
        for _ in range(n_iter * (A_CAT_FACTOR if cat else 1)):
            # all met (the pull term stays below 0.05)
            if best[1] == 0.0 and best[0] - best[1] < 0.05:
                break
            tried += 1
            # iterated local search: a kick of random moves from the best state
            if stall >= A_STALL:
                x = best[2]
                for _ in range(A_KICK):
                    t = _propose(x, rng, cat, integer, limits)
                    if t is not None and (
                        cat
                        or not any(
                            b and not m for b, m in zip(base_met, _summaries_met(d, name, t, cf))
                        )
                    ):
                        x = t
                ex, loss = _a_loss(x[cf.lesion_patient], cf.y, tg, cat)
                stall = 0
            trial = _propose(x, rng, cat, integer, limits)
            stall += 1
            if trial is None:
                continue
            if not cat:
                met = _summaries_met(d, name, trial, cf)
                if any(b and not m for b, m in zip(base_met, met)):
                    continue
            e2, l2 = _a_loss(trial[cf.lesion_patient], cf.y, tg, cat)
            if l2 <= loss:
                if l2 < loss:
                    stall = 0
                x, ex, loss = trial, e2, l2
                if (e2, l2) < (best[1], best[0]):
                    best = (l2, e2, trial)
        x = best[2]
        if cat:
            x = np.array([v["levels"][int(c)] for c in x], dtype=object)
        elif integer:
            x = np.round(x)
        cf.patients[name] = x
        log.append(
            {
                "variable": name,
                "excess_before": round(start, 4),
                "excess_after": round(best[1], 4),
                "moves_tried": tried,
                "targets_met": best[1] == 0.0,
            }
        )
    return log


# --------------------------------------------------------------------- stage C
def cells_of(cf: ClinicalFrame) -> list[np.ndarray]:
    """Patient rows of each (outcome group, number of lesions) cell with at least two patients."""
    out = []
    for r in np.unique(cf.pout):
        for k in np.unique(cf.k):
            m = np.flatnonzero((cf.pout == r) & (cf.k == k))
            if m.size >= 2:
                out.append(m)
    return out


def swap(cf: ClinicalFrame, name: str, i: int, j: int) -> None:
    """Swap patient ``i``'s and ``j``'s values of ``name`` (same cell: every count, quantile and
    univariable statistic stays as it was)."""
    col = cf.patients.columns.get_loc(name)
    a, b = cf.patients.iat[i, col], cf.patients.iat[j, col]
    cf.patients.iat[i, col] = b
    cf.patients.iat[j, col] = a


@dataclass
class CTargets:
    """Stage C's targets: the final model, the published multivariable estimates, the apparent fusion AUC, the
    stay p."""

    final: tuple[str, ...]  # published final model (design names)
    multi: dict[str, Any]  # design name -> EstimateCI of published multivariable rows
    fusion_auc: Any  # Printed or None
    stay: float


def c_targets(d: Design, names) -> CTargets:
    """Stage C's targets: the final model's terms, their published multivariable estimates with CIs, the
    printed apparent fusion AUC."""
    reg = d.study.regression

    def nm(v):
        return next((n for n in names if label_key(n) == label_key(v)), None)

    final = tuple(x for x in (nm(v) for v in (reg.final_model if reg else ())) if x)
    multi = {
        nm(r.variable): r.multivariable
        for r in (reg.rows if reg else ())
        if r.multivariable is not None and nm(r.variable) and r.multivariable.ci is not None
    }
    fa = next(
        (a.estimate for a in d.study.auc if a.model == "fusion" and a.kind == "apparent"), None
    )
    return CTargets(final, multi, fa, 0.05)


def ci_loss(o: float, est) -> float:
    """0 inside the published CI (plus a small pull to the printed estimate), else the log distance
    outside in units of the CI's log width."""
    lo, hi = math.log(est.ci.lo.value), math.log(est.ci.hi.value)
    w = max(hi - lo, 1e-9)
    if not (o > 0) or not math.isfinite(o):
        return 10.0
    lo_ = math.log(o)
    out = max(0.0, lo - lo_, lo_ - hi) / w * 5
    return out + 0.2 * abs(lo_ - math.log(est.estimate.value)) / w


class Columns:
    """A design matrix with named columns, read as a DataFrame is read by :func:`c_loss` and
    :func:`separated_share` (``design[names].to_numpy(float)``: the columns in that order, Fortran order as
    pandas returns them), without pandas' cost per swap; ``values`` is updated in place."""

    def __init__(self, names: list[str], values: np.ndarray):
        self.index = {n: i for i, n in enumerate(names)}
        self.values = np.array(values, dtype=float)

    def __getitem__(self, names):
        sub = np.asfortranarray(self.values[:, [self.index[n] for n in names]])
        return _Selected(sub)


@dataclass(frozen=True)
class _Selected:
    values: np.ndarray

    def to_numpy(self, dtype=float) -> np.ndarray:
        return self.values.astype(dtype, copy=False)


def c_loss(
    design: pd.DataFrame, y: np.ndarray, entered: list[str], tg: CTargets
) -> tuple[float, dict]:
    """The stage C loss on the backward-Wald path (see the module docstring) and what it saw; the rows are
    fitted in a canonical order (sorted by outcome, then by the entered columns: a swap that permutes the
    rows gives the same bytes) and the loss is :func:`settle`-d."""
    xe = design[entered].to_numpy(float)
    o = np.lexsort((*xe.T[::-1], y))
    xe, y = np.asfortranarray(xe[o]), np.asarray(y)[o]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        be = backward_elimination(xe, y, names=entered, threshold=tg.stay)
    final = be.selected
    loss = 3.0 * len(set(final) ^ set(tg.final))
    f = be.final
    sep = any("fitted probabilities" in w for w in f.warnings)
    if sep:
        loss += 5.0
    # a separated fit's ORs are where IRLS stopped (the kernel's last bits, amplified): scored as non-finite
    ors = dict(zip(f.names, np.full(len(f.coef), np.inf) if sep else np.exp(f.coef)))
    for t in tg.final:
        if t in ors and t in tg.multi:
            loss += ci_loss(float(ors[t]), tg.multi[t])
    # the published multivariable step (the final terms plus those removed last), if on the path: its ORs
    # are the printed ones
    pub = set(tg.multi)
    step = next((s for s in be.steps if set(s.terms) == pub), None)
    if step is not None and pub != set(tg.final):
        ssep = any("fitted probabilities" in w for w in step.model.warnings)
        so = dict(
            zip(
                step.model.names,
                np.full(len(step.model.coef), np.inf) if ssep else np.exp(step.model.coef),
            )
        )
        sp = dict(zip(step.model.names, step.model.p))
        for t in pub:
            loss += W_STEP * ci_loss(float(so[t]), tg.multi[t])
        for t in pub - set(tg.final):
            if tg.multi[t].p is not None and tg.multi[t].p.value:
                e, dd = _log_excess(float(sp[t]), tg.multi[t].p)
                loss += 0.2 * (e + 0.1 * dd)
    elif pub != set(tg.final):
        loss += 1.0
    auc = None
    if tg.fusion_auc is not None:
        lp = (
            linear_predictor(xe[:, [entered.index(t) for t in final]], f.coef[1:], f.coef[0])
            if final
            else np.zeros(y.size)
        )
        auc = roc_auc(y, lp, direction="<").auc
        loss += max(0.0, abs(auc - tg.fusion_auc.value) - tg.fusion_auc.half_unit) / 0.005
        loss += 0.1 * abs(auc - tg.fusion_auc.value) / 0.005
    return settle(loss), {
        "final": tuple(final),
        "removed": be.removed,
        "fusion_auc": auc,
        "ors": ors,
    }


def separated_share(design: pd.DataFrame, y: np.ndarray, groups: np.ndarray, terms) -> float:
    """Largest share, over the Harrell and by-patient schemes, of resamples whose refit of the final formula
    separates: the pipeline's resamples (``stats.validation.resample_indices`` / ``cluster_indices`` with its
    default seed, :data:`SEP_BOOT` of them) refitted by ``stats.validation.glm_or_fail``."""
    seed = PipelineConfig().seed
    X = design[list(terms)].to_numpy(float)
    _, codes = np.unique(groups, return_inverse=True)
    rows = {
        "harrell": list(val.resample_indices(y.size, SEP_BOOT, seed)),
        "cluster": val.expand_clusters(
            codes, val.cluster_indices(int(codes.max()) + 1, SEP_BOOT, seed)
        ),
    }
    worst = 0
    for idx in rows.values():
        sep = 0
        for r in idx:
            if np.ptp(y[r]) == 0:
                continue
            try:
                val.glm_or_fail(X[r], y[r])
            except FitFailure as exc:
                sep += exc.reason == "separation"
        worst = max(worst, sep)
    return worst / SEP_BOOT


def plausibility(d: Design, cf: ClinicalFrame) -> list[dict]:
    """Within-outcome Spearman correlations of the :data:`PLAUSIBILITY` pairs (patient level)."""
    out = []
    for a, b, rho_min, why in PLAUSIBILITY:
        na = next(
            (
                n
                for n in d.variables
                if label_key(n) == label_key(a) and "patient" in d.variables[n]["unit"]
            ),
            None,
        )
        nb = next(
            (
                n
                for n in d.variables
                if label_key(n) == label_key(b) and "patient" in d.variables[n]["unit"]
            ),
            None,
        )
        if na is None or nb is None:
            continue
        xa = _codes(d, na, cf.patients[na].to_numpy())
        xb = _codes(d, nb, cf.patients[nb].to_numpy())
        rhos = {}
        for r in np.unique(cf.pout):
            m = cf.pout == r
            if np.ptp(xa[m]) > 0 and np.ptp(xb[m]) > 0:
                rhos[str(r)] = float(spearman_matrix(np.column_stack([xa[m], xb[m]]))[0, 1])
        out.append(
            {
                "a": na,
                "b": nb,
                "min_spearman_within_outcome": rho_min,
                "why": why,
                "achieved": {k: round(v, 3) for k, v in rhos.items()},
                "met": all(v >= rho_min for v in rhos.values()),
            }
        )
    return out


def _plaus_loss(items: list[dict]) -> float:
    return settle(
        sum(
            W_PLAUSIBLE * max(0.0, it["min_spearman_within_outcome"] - v) / 0.1
            for it in items
            for v in it["achieved"].values()
        )
    )


def stage_c(
    d: Design,
    cf: ClinicalFrame,
    radscore: np.ndarray,
    rng: np.random.Generator,
    n_iter: int = C_ITER,
    plausible: bool = True,
) -> dict[str, Any]:
    """Stage C (see the module docstring); modifies ``cf.patients`` in place and returns its record."""
    names = [n for n, v in d.variables.items() if "patient" in v["unit"]]
    lesion_only = [n for n, v in d.variables.items() if v["unit"] == {"lesion"}]
    reg = d.study.regression
    cands = [
        n
        for n in d.variables
        if reg
        and any(
            label_key(r.variable) == label_key(n) and r.univariable is not None for r in reg.rows
        )
    ]
    rs_name = next((n for n in lesion_only if label_key(n) == "radscore"), None)

    def design() -> pd.DataFrame:
        out = pd.DataFrame(
            {n: _codes(d, n, cf.patients[n].to_numpy())[cf.lesion_patient] for n in names}
        )
        for n in lesion_only:
            out[n] = radscore if n == rs_name else np.nan
        return out

    dz = design()
    dz["__y__"] = cf.y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ub = univariable_then_backward(dz, "__y__", cands, 0.05, 0.05)
    entered = list(ub.entered)
    tg = c_targets(d, names + lesion_only)
    movable = [n for n in entered if n in names]
    for a, b, *_ in PLAUSIBILITY:  # the plausibility pairs move too
        for x in (a, b):
            n = next((m for m in names if label_key(m) == label_key(x)), None)
            if n and n not in movable:
                movable.append(n)
    cells = cells_of(cf)
    # the design as one matrix (the values dz holds, updated in place by each swap); c_loss and
    # separated_share read it as they read a DataFrame
    mat = Columns(list(dz.columns), dz.to_numpy(float))
    in_pairs = {n for it in plausibility(d, cf) for n in (it["a"], it["b"])}
    ent_idx = [mat.index[n] for n in entered]
    memo_loss: dict[bytes, tuple[float, dict]] = {}
    memo_sep: dict[tuple, float] = {}

    def loss_now() -> tuple[float, dict]:
        # c_loss is a function of the entered columns alone: a state seen before is not fitted again
        key = mat.values[:, ent_idx].tobytes()
        if key not in memo_loss:
            memo_loss[key] = c_loss(mat, cf.y, entered, tg)
        return memo_loss[key]

    def sep_now(terms) -> float:
        idx = [mat.index[t] for t in terms]
        key = (tuple(terms), mat.values[:, idx].tobytes())
        if key not in memo_sep:
            memo_sep[key] = separated_share(mat, cf.y, cf.lesion_patient, terms)
        return memo_sep[key]

    def total(info_loss: float, pl: list) -> float:
        return settle(info_loss + (_plaus_loss(pl) if plausible else 0.0))

    loss0, info = loss_now()
    pl = plausibility(d, cf)
    loss = total(loss0, pl)
    best = (loss, cf.patients.copy(), info, pl, loss0)
    start = {"loss": round(loss, 4), **{k: v for k, v in info.items() if k != "ors"}}
    temp0 = 1.0
    gated = 0
    for it in range(n_iter):
        temp = temp0 * (0.002 / temp0) ** (it / max(n_iter - 1, 1))
        name = movable[int(rng.integers(len(movable)))]
        cell = cells[int(rng.integers(len(cells)))]
        i, j = rng.choice(cell, size=2, replace=False)
        ci = cf.patients.columns.get_loc(name)
        if cf.patients.iat[i, ci] == cf.patients.iat[j, ci]:
            continue
        swap(cf, name, i, j)
        li, lj = cf.lesion_patient == i, cf.lesion_patient == j
        cj = mat.index[name]
        vi, vj = mat.values[li, cj][0], mat.values[lj, cj][0]
        mat.values[li, cj] = vj
        mat.values[lj, cj] = vi
        l0, inf = loss_now()
        pl2 = (
            plausibility(d, cf) if name in in_pairs else pl
        )  # the other pairs' columns did not move
        l2 = total(l0, pl2)
        if l2 <= loss or rng.uniform() < math.exp(-(l2 - loss) / temp):
            loss, pl = l2, pl2
            if l2 < best[0] and set(inf["final"]) == set(tg.final):
                sep = sep_now(inf["final"])
                gated += sep > SEP_MAX
                if sep <= SEP_MAX:
                    best = (l2, cf.patients.copy(), inf, pl2, l0)
            elif l2 < best[0] and set(best[2]["final"]) != set(tg.final):
                best = (l2, cf.patients.copy(), inf, pl2, l0)
        else:  # undo
            swap(cf, name, i, j)
            mat.values[li, cj] = vi
            mat.values[lj, cj] = vj
    cf.patients = best[1]
    info = best[2]
    return {
        "entered": entered,
        "movable": movable,
        "swaps_tried": n_iter,
        "start": start,
        "best_states_refused_for_separation": gated,
        "loss": round(best[0], 4),
        "target_loss": round(best[4], 4),
        "final": list(info["final"]),
        "removed": list(info["removed"]),
        "fusion_auc": None if info["fusion_auc"] is None else round(float(info["fusion_auc"]), 4),
        "final_ors": {t: round(float(o), 4) for t, o in info["ors"].items() if t in info["final"]},
        "plausibility": best[3],
    }


def plausibility_cost(
    d: Design, with_terms: dict[str, Any], without: dict[str, Any]
) -> dict[str, Any]:
    """What the plausibility terms cost in targets: the stage C targets (final model, each final term's adjusted
    OR against its published CI, fusion AUC within ``targets.AUC_TOL``) and the within-outcome correlations, for
    the stage C record kept (``with_terms``) and for stage C run again from the same start with the same random
    stream but without the plausibility terms (``without``). The other targets (LASSO, univariable ORs, Table 2
    p-values) cannot move: a swap leaves them unchanged. The separation shares (bootstrap) are not re-evaluated
    for the run without."""
    tg = c_targets(d, list(d.variables))
    rows = []

    def add(target, published, a, b, met):
        rows.append(
            {
                "target": target,
                "published": published,
                "with": a,
                "without": b,
                "met_with": bool(met(a)),
                "met_without": bool(met(b)),
            }
        )

    add(
        "final_model",
        sorted(tg.final),
        sorted(with_terms["final"]),
        sorted(without["final"]),
        lambda x: set(x) == set(tg.final),
    )
    for t in tg.final:
        est = tg.multi.get(t)
        if est is None:
            continue
        add(
            f"multivariable/{t}/in_ci",
            f"{est.ci.lo.raw}–{est.ci.hi.raw}",
            with_terms["final_ors"].get(t),
            without["final_ors"].get(t),
            lambda x, e=est: x is not None and e.ci.lo.value <= x <= e.ci.hi.value,
        )
    if tg.fusion_auc is not None:
        add(
            "auc/fusion",
            tg.fusion_auc.raw,
            with_terms["fusion_auc"],
            without["fusion_auc"],
            lambda x: x is not None and abs(x - tg.fusion_auc.value) <= AUC_TOL + 1e-12,
        )
    pairs = []
    for a, b in zip(with_terms["plausibility"], without["plausibility"]):
        pairs.append(
            {
                "a": a["a"],
                "b": a["b"],
                "min_spearman_within_outcome": a["min_spearman_within_outcome"],
                "with": a["achieved"],
                "without": b["achieved"],
                "met_with": a["met"],
                "met_without": b["met"],
            }
        )
    return {
        "how": (
            "stage C run again from the same start (the stage B state) with the same random stream, without the "
            "plausibility terms; the targets a swap can move, with and without them"
        ),
        "weight": f"{W_PLAUSIBLE} per 0.1 of within-outcome Spearman correlation short of the minimum",
        "associations": pairs,
        "targets": rows,
        "targets_lost": [r["target"] for r in rows if r["met_without"] and not r["met_with"]],
        "targets_gained": [r["target"] for r in rows if r["met_with"] and not r["met_without"]],
        "target_loss": {"with": with_terms["target_loss"], "without": without["target_loss"]},
    }
