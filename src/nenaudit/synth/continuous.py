"""Continuous variables that reproduce published summaries (median [Q1, Q3], mean ± SD) exactly.

Quantile-matched construction: starting values are drawn from a two-piece normal (on the log
scale for positive, right-skewed variables) through the published quartiles; the order of the
starting values is then kept and the values are moved as little as possible (linear program,
HiGHS via ``scipy.optimize.linprog``) so that every published R type-7 quantile
(``quantile(x, type = 7)``, Hyndman & Fan 1996, doi:10.1080/00031305.1996.10473566) and mean
of every sample lands on the printed value, or within its printed rounding, or, when even that
is impossible, as close as possible (the miss is returned). With the order fixed, a type-7
quantile of any sample is a fixed linear combination of two values, so all samples that share
the values (a patient table over patients and a lesion table over lesions that inherit their
patient's value) are matched at once.

Integer-valued mean ± SD (e.g. age in years) is matched by integer moves that keep the sum.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix
from scipy.stats import norm

__all__ = [
    "SampleTarget",
    "two_piece_quantile",
    "use_log",
    "draw",
    "match_targets",
    "integer_mean_sd",
]


Z75 = 0.6744897501960817  # qnorm(0.75)


@dataclass(frozen=True)
class SampleTarget:
    """A published summary of one sample: ``members[i]`` times value i (multiplicity), a statistic, a value."""

    label: str
    weights: np.ndarray  # int multiplicity of each value in the sample (0 = not in it)
    stat: str  # "q" (type-7 quantile at prob), "mean"
    prob: float | None
    value: float
    half_unit: float


def two_piece_quantile(p: np.ndarray, q1: float, med: float, q3: float, log: bool) -> np.ndarray:
    """Quantile function of a two-piece normal whose quartiles are (q1, med, q3) (on the log scale if ``log``)."""
    z = norm.ppf(p)
    if log:
        a, m, b = np.log(q1), np.log(med), np.log(q3)
    else:
        a, m, b = q1, med, q3
    lo = max(m - a, 1e-9) / Z75
    hi = max(b - m, 1e-9) / Z75
    out = m + np.where(z < 0, lo * z, hi * z)
    return np.exp(out) if log else out


def use_log(q1: float, med: float, q3: float) -> bool:
    """Log scale for positive variables whose upper quartile gap exceeds 1.3 times the lower one."""
    return q1 > 0 and (q3 - med) > 1.3 * (med - q1)


def draw(
    rng: np.random.Generator,
    n: int,
    q1: float,
    med: float,
    q3: float,
    bounds: tuple[float | None, float | None] = (None, None),
) -> np.ndarray:
    """n draws through the quartiles (stratified uniforms, so the sample quartiles start close)."""
    u = np.clip((rng.permutation(n) + rng.uniform(size=n)) / n, 1e-4, 1 - 1e-4)
    lo, hi = bounds
    if lo is not None and hi is not None and lo < q1 and q3 < hi:
        # bounded (e.g. a percentage): two-piece normal on the logit of the position within the bounds
        def g(x):
            return np.log((x - lo) / (hi - x))

        y = two_piece_quantile(u, g(q1), g(med), g(q3), False)
        return lo + (hi - lo) / (1 + np.exp(-y))
    x = two_piece_quantile(u, q1, med, q3, use_log(q1, med, q3))
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return x


def _type7_coefs(weights: np.ndarray, order: np.ndarray, prob: float) -> dict[int, float]:
    """Coefficients of the values in the type-7 quantile of the weighted sample, values sorted by ``order``."""
    expanded = np.repeat(order, weights[order].astype(int))
    n = expanded.size
    h = (n - 1) * prob
    lo = int(np.floor(h + 4 * np.finfo(float).eps * max(h, 1)))  # R's quantile.default fuzz
    frac = h - lo
    coefs: dict[int, float] = {}
    coefs[int(expanded[lo])] = coefs.get(int(expanded[lo]), 0.0) + (1 - frac)
    if frac > 0 and lo + 1 < n:
        coefs[int(expanded[lo + 1])] = coefs.get(int(expanded[lo + 1]), 0.0) + frac
    return coefs


def match_targets(
    v0: np.ndarray,
    targets: Sequence[SampleTarget],
    bounds: tuple[float | None, float | None] = (None, None),
) -> tuple[np.ndarray, list[dict]]:
    """Move ``v0`` as little as possible (keeping its order) so that every target is hit; return values and misses.

    Costs: a miss beyond the printed rounding 1e6 per unit; a departure from the printed value inside
    its rounding interval 1 at the interval's edge; a move of a value 1 per IQR of the starting values.
    """
    n = v0.size
    order = np.lexsort((np.arange(n), v0))
    scale = max(float(np.subtract(*np.percentile(v0, [75, 25]))), 1e-6)
    # variables: v (n), u+ (n), u- (n), then per target a, b, s+, s-
    nt = len(targets)
    nv = 3 * n + 4 * nt
    c = np.zeros(nv)
    c[n : 3 * n] = 1.0 / scale
    rows: list[tuple[dict[int, float], float, float]] = []
    for i in range(n):  # v - v0 = u+ - u-
        rows.append(({i: 1.0, n + i: -1.0, 2 * n + i: 1.0}, v0[i], v0[i]))
    for a, b in itertools.pairwise(order):  # order kept
        rows.append(({int(b): 1.0, int(a): -1.0}, 0.0, np.inf))
    bnds = [
        (bounds[0] if bounds[0] is not None else None, bounds[1] if bounds[1] is not None else None)
    ] * n
    bnds += [(0, None)] * (2 * n)
    for j, t in enumerate(targets):
        base = 3 * n + 4 * j
        if t.stat == "mean":
            coefs = {
                int(i): float(w) / float(t.weights.sum()) for i, w in enumerate(t.weights) if w
            }
        else:
            coefs = _type7_coefs(t.weights, order, float(t.prob))
        row = dict(coefs)
        row[base] = -1.0  # a: above printed (inside rounding)
        row[base + 1] = 1.0  # b: below printed
        row[base + 2] = -1.0  # s+: beyond rounding, above
        row[base + 3] = 1.0  # s-
        rows.append((row, t.value, t.value))
        hu = 0.999 * t.half_unit
        bnds += [(0, hu), (0, hu), (0, None), (0, None)]
        c[base : base + 2] = 1.0 / max(t.half_unit, 1e-12)  # reaching the rounding edge costs 1
        c[base + 2 : base + 4] = 1e6
    A = lil_matrix((len(rows), nv))
    lo = np.empty(len(rows))
    hi = np.empty(len(rows))
    for i, (row, a, b) in enumerate(rows):
        for k, val in row.items():
            A[i, k] = val
        lo[i], hi[i] = a, b
    eq = lo == hi
    A = A.tocsr()
    res = linprog(
        c,
        A_ub=-A[~eq] if (~eq).any() else None,
        b_ub=-lo[~eq] if (~eq).any() else None,
        A_eq=A[eq],
        b_eq=lo[eq],
        bounds=bnds,
        method="highs",
    )
    if res.x is None:  # bounds contradict the targets: fall back to the starting values
        return v0.copy(), [
            {"target": t.label, "published": t.value, "achieved": None} for t in targets
        ]
    v = res.x[:n]
    misses = []
    for j, t in enumerate(targets):
        base = 3 * n + 4 * j
        s = res.x[base + 2] - res.x[base + 3]
        if abs(s) > 1e-9:
            misses.append(
                {"target": t.label, "published": t.value, "miss_beyond_rounding": float(s)}
            )
    return v, misses


def integer_mean_sd(
    rng: np.random.Generator,
    n: int,
    mean: float,
    sd: float,
    mean_half: float,
    sd_half: float,
    bounds: tuple[float | None, float | None] = (None, None),
    max_steps: int = 20000,
) -> tuple[np.ndarray, list[dict]]:
    """n integers whose mean and SD (n - 1) round to the printed ``mean`` and ``sd``; misses are returned."""
    lo = -np.inf if bounds[0] is None else bounds[0]
    hi = np.inf if bounds[1] is None else bounds[1]
    z = rng.standard_normal(n)
    z = (z - z.mean()) / z.std(ddof=1)
    x = np.clip(np.round(mean + sd * z), lo, hi).astype(np.int64)
    target_sum = round(mean * n)
    step = 0
    while x.sum() != target_sum and step < max_steps:
        i = int(rng.integers(n))
        d = 1 if x.sum() < target_sum else -1
        if lo <= x[i] + d <= hi:
            x[i] += d
        step += 1

    def sd_of(a):
        return float(np.std(a, ddof=1))

    while abs(sd_of(x) - sd) > 0.9 * sd_half and step < max_steps:
        step += 1
        s = sd_of(x)
        srt = np.argsort(x, kind="stable")
        # widen: move a value above the mean up and one below down; narrow: the reverse
        if s < sd:
            i = int(srt[rng.integers(n // 2, n)])
            j = int(srt[rng.integers(0, n // 2)])
        else:
            i = int(srt[rng.integers(0, n // 2)])
            j = int(srt[rng.integers(n // 2, n)])
            if x[i] + 1 > x[j] - 1:
                continue
        trial = x.copy()
        trial[i] += 1
        trial[j] -= 1
        if trial[i] > hi or trial[j] < lo:
            continue
        if abs(sd_of(trial) - sd) < abs(s - sd):
            x = trial
    misses = []
    m_got, s_got = float(x.mean()), sd_of(x)
    if abs(m_got - mean) > mean_half:
        misses.append({"target": "mean", "published": mean, "achieved": m_got})
    if abs(s_got - sd) > sd_half:
        misses.append({"target": "sd", "published": sd, "achieved": s_got})
    return x.astype(float), misses
