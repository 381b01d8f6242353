"""Integer allocation of patients, lesions and categorical levels that reproduces the published counts.

The problem (one mixed-integer linear program, solved by HiGHS through ``scipy.optimize.milp``):

* ``n[r, k]``: patients of outcome group ``r`` with ``k`` lesions (1 <= k <= max lesions per patient);
* for each categorical variable shared by the patient and lesion tables (a patient characteristic
  that all of the patient's lesions carry), ``x[v, r, l, k]``: patients of group ``r`` with ``k``
  lesions at level ``l``; ``sum_l x[v, r, l, k] = n[r, k]``;
* for a categorical variable of the lesion table only, ``y[v, r, l]``: lesions at level ``l``;
* patient-table cell (v, l, g) = ``sum x`` over the groups in g; lesion-table cell =
  ``sum k * x`` (each patient contributes its k lesions); lesion group sizes are hard constraints;
* every published count gets a deviation ``d+ - d-``; the objective is the total absolute
  deviation (lesion-table cells weigh 1.01, patient-table cells 1, so among allocations with the
  same smallest total deviation the one that keeps the lesion table, the analysis table, exact is
  chosen); the number of patients and the outcome split of the patients weigh 1000 and 100;
* soft targets derived from a published univariable odds ratio (variables with patient-table counts
  only) weigh 0.001 per lesion: they shape the split by outcome but never trade against a published count.

A count is reproduced exactly when its deviation is 0; every nonzero deviation is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import LinearConstraint, brentq, milp
from scipy.sparse import lil_matrix

from nenaudit.exceptions import NenauditError

__all__ = [
    "CountTarget",
    "CategoricalVar",
    "AllocationProblem",
    "Deviation",
    "Allocation",
    "solve",
    "or_targets",
]


W_PATIENT_CELL = 1.0
W_LESION_CELL = 1.01
W_RESPONSE = 100.0
W_TOTAL = 1000.0
W_DERIVED = 0.001


@dataclass(frozen=True)
class CountTarget:
    """One published count: ``table`` / ``variable`` / ``level`` / ``group`` (a set of outcome groups)."""

    table: str
    unit: str  # patient | lesion
    variable: str
    level: str
    group: str
    outcomes: tuple[str, ...]
    count: float
    derived: bool = False  # a soft target derived from an OR, not a published count


@dataclass(frozen=True)
class CategoricalVar:
    """A categorical variable to allocate; ``shared``: a patient characteristic every lesion of the patient carries."""

    name: str
    levels: tuple[str, ...]
    shared: bool  # patient characteristic carried by every lesion of the patient


@dataclass(frozen=True)
class AllocationProblem:
    """What the allocation must meet: outcomes, lesions per patient, counts by outcome, variables and count targets."""

    outcomes: tuple[str, ...]  # e.g. ("effective", "ineffective")
    max_lesions: int
    n_patients: int | None
    patients_by_outcome: Mapping[str, int]  # published; may be empty
    lesions_by_outcome: Mapping[str, int]  # hard
    variables: tuple[CategoricalVar, ...]
    targets: tuple[CountTarget, ...]


@dataclass(frozen=True)
class Deviation:
    """One published count the allocation could not meet: where it is printed, published and allocated values."""

    table: str
    variable: str
    level: str
    group: str
    published: int
    allocated: int

    def to_dict(self) -> dict:
        return {
            "table": self.table,
            "variable": self.variable,
            "level": self.level,
            "group": self.group,
            "published": self.published,
            "allocated": self.allocated,
            "deviation": self.allocated - self.published,
        }


@dataclass(frozen=True)
class Allocation:
    """The solution: patients per (outcome, n lesions), level counts per cell, deviations."""

    n: Mapping[tuple[str, int], int]
    x: Mapping[
        str, Mapping[tuple[str, str, int], int]
    ]  # shared vars: (outcome, level, k) -> patients
    y: Mapping[str, Mapping[tuple[str, str], int]]  # lesion-only vars: (outcome, level) -> lesions
    deviations: tuple[Deviation, ...]
    structural: tuple[str, ...] = field(default=())  # deviations of N / patient outcome split

    @property
    def total_deviation(self) -> int:
        return int(sum(abs(d.allocated - d.published) for d in self.deviations))

    @property
    def feasible(self) -> bool:
        return not self.deviations and not self.structural


def solve(problem: AllocationProblem, time_limit: float = 30.0) -> Allocation:
    """Solve the allocation MILP; see the module docstring. Raises NenauditError only if HiGHS fails."""
    R = problem.outcomes
    K = problem.max_lesions
    if K < 1:
        raise NenauditError(f"max_lesions_per_patient = {K}; it must be at least 1")
    ks = range(1, K + 1)
    idx: dict[tuple, int] = {}

    def var(key) -> int:
        if key not in idx:
            idx[key] = len(idx)
        return idx[key]

    for r in R:
        for k in ks:
            var(("n", r, k))
    for v in problem.variables:
        for r in R:
            for lv in v.levels:
                if v.shared:
                    for k in ks:
                        var(("x", v.name, r, lv, k))
                else:
                    var(("y", v.name, r, lv))
    rows: list[tuple[dict[int, float], float, float]] = []  # (coefs, lo, hi)
    cost: dict[int, float] = {}

    def soft(coefs: dict[int, float], target: float, weight: float, tag) -> None:
        dp, dm = var(("d+",) + tag), var(("d-",) + tag)
        c = dict(coefs)
        c[dp] = -1.0
        c[dm] = 1.0
        rows.append((c, target, target))
        cost[dp] = weight
        cost[dm] = weight

    # hard: lesions per outcome group
    for r in R:
        rows.append(
            (
                {idx[("n", r, k)]: float(k) for k in ks},
                problem.lesions_by_outcome[r],
                problem.lesions_by_outcome[r],
            )
        )
    # soft: number of patients, patients per outcome group
    if problem.n_patients is not None:
        soft({idx[("n", r, k)]: 1.0 for r in R for k in ks}, problem.n_patients, W_TOTAL, ("N",))
    for r, p in problem.patients_by_outcome.items():
        soft({idx[("n", r, k)]: 1.0 for k in ks}, p, W_RESPONSE, ("P", r))
    # level counts add up to the cell sizes
    for v in problem.variables:
        for r in R:
            if v.shared:
                for k in ks:
                    c = {idx[("x", v.name, r, lv, k)]: 1.0 for lv in v.levels}
                    c[idx[("n", r, k)]] = -1.0
                    rows.append((c, 0.0, 0.0))
            else:
                rows.append(
                    (
                        {idx[("y", v.name, r, lv)]: 1.0 for lv in v.levels},
                        problem.lesions_by_outcome[r],
                        problem.lesions_by_outcome[r],
                    )
                )
    vmap = {v.name: v for v in problem.variables}
    for i, t in enumerate(problem.targets):
        v = vmap[t.variable]
        c: dict[int, float] = {}
        for r in t.outcomes:
            if v.shared:
                for k in ks:
                    c[idx[("x", v.name, r, t.level, k)]] = 1.0 if t.unit == "patient" else float(k)
            else:
                if t.unit == "patient":
                    raise NenauditError(
                        f"{t.table}: {t.variable!r} is lesion-specific but has a patient-level count"
                    )
                c[idx[("y", v.name, r, t.level)]] = 1.0
        w = W_DERIVED if t.derived else (W_LESION_CELL if t.unit == "lesion" else W_PATIENT_CELL)
        soft(c, t.count, w, ("T", i))

    nv = len(idx)
    A = lil_matrix((len(rows), nv))
    lo = np.empty(len(rows))
    hi = np.empty(len(rows))
    for i, (c, a, b) in enumerate(rows):
        for j, val in c.items():
            A[i, j] = val
        lo[i], hi[i] = a, b
    obj = np.zeros(nv)
    for j, w in cost.items():
        obj[j] = w
    integrality = np.array(
        [
            0 if key[0] in ("d+", "d-") and key[1] == "T" and problem.targets[key[2]].derived else 1
            for key in idx
        ],
        dtype=int,
    )
    res = milp(
        obj,
        constraints=LinearConstraint(A.tocsr(), lo, hi),
        integrality=integrality,
        bounds=(0, np.inf),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    if res.x is None:
        raise NenauditError(
            f"allocation: the integer program found no solution ({res.message}); "
            "check the group sizes of the lesion table"
        )
    sol = np.round(res.x).astype(int)
    val = {key: sol[j] for key, j in idx.items()}
    n = {(r, k): int(val[("n", r, k)]) for r in R for k in ks}
    x: dict[str, dict] = {}
    y: dict[str, dict] = {}
    for v in problem.variables:
        if v.shared:
            x[v.name] = {
                (r, lv, k): int(val[("x", v.name, r, lv, k)])
                for r in R
                for lv in v.levels
                for k in ks
            }
        else:
            y[v.name] = {(r, lv): int(val[("y", v.name, r, lv)]) for r in R for lv in v.levels}
    devs = []
    for i, t in enumerate(problem.targets):
        if t.derived:
            continue
        d = int(val[("d+", "T", i)]) - int(val[("d-", "T", i)])
        if d:
            devs.append(
                Deviation(t.table, t.variable, t.level, t.group, int(t.count), int(t.count) + d)
            )
    structural = []
    if problem.n_patients is not None:
        got = sum(n.values())
        if got != problem.n_patients:
            structural.append(f"patients: published {problem.n_patients}, allocated {got}")
    for r, p in problem.patients_by_outcome.items():
        got = sum(n[(r, k)] for k in ks)
        if got != p:
            structural.append(f"patients in outcome group {r}: published {p}, allocated {got}")
    return Allocation(n, x, y, tuple(devs), tuple(structural))


def or_targets(
    levels: Sequence[str],
    patient_counts: Sequence[int],
    lesions_by_outcome: Mapping[str, int],
    event: str,
    log_or: float,
) -> dict[tuple[str, str], float]:
    """Expected lesion counts per (outcome, level) under a logistic model with slope ``log_or`` per level index.

    The lesions are spread over the levels in the patients' proportions; the intercept is solved so that
    the expected number of ``event`` lesions equals the published one. Used as soft targets for variables
    that have only patient-table counts but a published univariable OR.
    """
    L = sum(lesions_by_outcome.values())
    p = np.asarray(patient_counts, float)
    p = p / p.sum()
    s = np.arange(len(levels), dtype=float)
    m_event = lesions_by_outcome[event]

    def excess(a: float) -> float:
        return float(np.sum(L * p / (1 + np.exp(-(a + log_or * s)))) - m_event)

    a = brentq(excess, -50, 50)
    pr = 1 / (1 + np.exp(-(a + log_or * s)))
    other = [r for r in lesions_by_outcome if r != event]
    out = {}
    for i, lv in enumerate(levels):
        out[(event, lv)] = float(L * p[i] * pr[i])
        if other:
            out[(other[0], lv)] = float(L * p[i] * (1 - pr[i]))
    return out
