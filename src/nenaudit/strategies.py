"""Hypothesis strategies for the objects clinical prediction-model code is tested with.

Needs hypothesis (``pip install 'nenaudit[strategies]'``). Each strategy draws small objects whose
properties are controlled by construction, so a property test states what must hold for *any* of them:

* :func:`contingency_tables`: r x c count tables with non-zero margins and a controlled smallest
  expected count (the chi-square / Fisher regime);
* :func:`binary_datasets`: predictor matrix and 0/1 outcome with a given prevalence, effect sizes and
  separation (none, quasi-complete, complete);
* :func:`scored_outcomes`: outcome/score pairs with ties (AUC, ROC, DeLong);
* :func:`study_specs`: study specs that the audit finds consistent, and :func:`inconsistent_specs`,
  the same with one inconsistency of a named kind planted (:data:`PLANTS`) and the id of the finding
  that must flag it;
* :func:`cohort_specs` and :func:`cohorts`: small made-up cohorts, their spec and the synthetic cohort
  :func:`nenaudit.synth.generate` builds to match it.

Randomness inside a strategy (the predictor values of :func:`binary_datasets`) comes from a
``numpy.random.Generator`` seeded by a drawn integer, so a failing example replays exactly.

Example: your own AUC function against nenaudit's (pROC's ``auc``), on any scores with ties::

    from hypothesis import given
    import nenaudit as na
    from nenaudit.strategies import scored_outcomes

    @given(scored_outcomes(distinct=(1, 5)))
    def test_my_auc_agrees_with_nenaudit(data):
        y, score = data
        assert abs(my_auc(y, score) - na.roc_auc(y, score, direction="<").auc) < 1e-12
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - exercised in a subprocess by tests/test_strategies.py
    raise ImportError(
        "nenaudit.strategies needs hypothesis, which is not installed: "
        "pip install 'nenaudit[strategies]' (or pip install hypothesis)"
    ) from None

from nenaudit.builders import PLANTS, cohort_spec, consistent_spec, plant
from nenaudit.study.schema import validate
from nenaudit.synth import generate

__all__ = [
    "contingency_tables",
    "expected_counts",
    "BinaryData",
    "binary_datasets",
    "SEPARATION",
    "scored_outcomes",
    "study_specs",
    "inconsistent_specs",
    "PLANTS",
    "cohort_specs",
    "SpecCohort",
    "cohorts",
]

SEPARATION = ("none", "quasi", "complete", "any")
"""What :func:`binary_datasets` can guarantee about separation (``any``: not controlled)."""


def _range(value, name: str) -> tuple:
    lo, hi = (value, value) if not isinstance(value, (tuple, list)) else value
    if lo > hi:
        raise ValueError(f"{name}: the range ({lo}, {hi}) is empty")
    return lo, hi


def expected_counts(table) -> np.ndarray:
    """Expected counts under independence, ``outer(row sums, column sums) / total`` (``chisq.test``'s
    ``$expected``)."""
    m = np.asarray(table, dtype=float)
    return np.outer(m.sum(axis=1), m.sum(axis=0)) / m.sum()


def contingency_tables(
    rows=(2, 3),
    cols=(2, 3),
    *,
    min_expected: float = 0.0,
    max_min_expected: float | None = None,
    max_count: int = 40,
    empty_rows: bool = False,
):
    """r x c tables of counts (``numpy`` int arrays) with every row and column sum > 0 and the
    smallest expected count (:func:`expected_counts`) in ``[min_expected, max_min_expected]``.

    ``empty_rows=True`` also allows rows that are all zero (as a printed table with an empty level),
    keeping at least two non-empty rows; the expected counts are then those of the non-empty rows.

    ``rows``/``cols``: a size or a ``(lo, hi)`` range. ``min_expected=5`` gives tables where every
    rule picks the chi-square test; ``max_min_expected=5`` (below 5) tables where Fisher's rule
    applies. Cells are at most ``max_count`` (raised to what ``min_expected`` needs).
    """
    r_lo, r_hi = _range(rows, "rows")
    c_lo, c_hi = _range(cols, "cols")
    if r_lo < 1 or c_lo < 1:
        raise ValueError("contingency_tables: a table has at least one row and one column")
    lo = int(math.ceil(min_expected)) if min_expected > 0 else 0
    hi = max(int(max_count), 3 * lo, 1)
    if max_min_expected is not None:
        if max_min_expected < min_expected:
            raise ValueError("contingency_tables: max_min_expected < min_expected")
        hi = min(hi, max(int(4 * max_min_expected), lo + 1, 2))

    def ok(m: np.ndarray) -> bool:
        if empty_rows:
            m = m[m.sum(axis=1) > 0]
            if m.shape[0] < min(2, r_lo):
                return False
        if (m.sum(axis=0) == 0).any() or (m.sum(axis=1) == 0).any():
            return False
        e = float(expected_counts(m).min())
        return e >= min_expected and (max_min_expected is None or e <= max_min_expected)

    @st.composite
    def draw_table(draw):
        r = draw(st.integers(r_lo, r_hi))
        c = draw(st.integers(c_lo, c_hi))
        cells = draw(
            st.lists(
                st.integers(lo if max_min_expected is None else 0, hi),
                min_size=r * c,
                max_size=r * c,
            )
        )
        return np.array(cells, dtype=np.int64).reshape(r, c)

    return draw_table().filter(ok)


@dataclass(frozen=True)
class BinaryData:
    """A drawn data set: ``X`` (n x p floats), ``y`` (0/1 ints), the log odds ratios per unit of each
    column used to draw the events (``coef``), and what is guaranteed about ``separation``."""

    X: np.ndarray
    y: np.ndarray
    coef: np.ndarray
    separation: str

    @property
    def prevalence(self) -> float:
        """The share of events, ``mean(y)``."""
        return float(self.y.mean())


@st.composite
def binary_datasets(
    draw,
    n=(20, 120),
    n_predictors=(1, 3),
    prevalence=(0.2, 0.8),
    effect=(-1.5, 1.5),
    separation: str = "none",
):
    """Predictors and a binary outcome: :class:`BinaryData`.

    ``X`` is standard normal (n x p); the number of events is ``round(n * prevalence)`` exactly (kept
    at least p + 1 of each class). Events are drawn without replacement with weights ``exp(X @ coef)``
    (Plackett-Luce), ``coef`` drawn from ``effect``: a positive coefficient makes events likelier at
    high values of its column, as a log odds ratio per SD does.

    ``separation``:

    * ``"none"``: no complete or quasi-complete separation, so glm's ML estimate exists: p + 1 events
      have a non-event twin with the same predictors (affinely independent points with both outcomes
      leave no separating hyperplane, Albert & Anderson 1984);
    * ``"complete"``: the events are the ``k`` largest values of column 0 (a direction separates them);
    * ``"quasi"``: as complete, then the lowest event and the highest non-event share one row of
      predictors at the boundary: only quasi-complete separation (R's glm warns "fitted probabilities
      numerically 0 or 1 occurred", estimates diverge along column 0);
    * ``"any"``: not controlled.
    """
    if separation not in SEPARATION:
        raise ValueError(
            f"binary_datasets: separation must be one of {SEPARATION}, got {separation!r}"
        )
    p = draw(st.integers(*_range(n_predictors, "n_predictors")))
    n_lo, n_hi = _range(n, "n")
    n_ = draw(st.integers(max(n_lo, 2 * (p + 1) + 2), max(n_hi, 2 * (p + 1) + 2)))
    prev = draw(st.floats(*_range(prevalence, "prevalence"), allow_nan=False))
    k = int(min(max(round(n_ * prev), p + 1), n_ - p - 1))
    coef = np.array(
        draw(
            st.lists(
                st.floats(*_range(effect, "effect"), allow_nan=False, allow_infinity=False),
                min_size=p,
                max_size=p,
            )
        ),
        dtype=float,
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n_, p))
    y = np.zeros(n_, dtype=int)
    if separation in ("complete", "quasi"):
        order = np.argsort(-X[:, 0], kind="stable")
        y[order[:k]] = 1
        if separation == "quasi":
            low_event, high_non = order[k - 1], order[k]
            X[high_non] = X[low_event]
    else:
        gumbel = -np.log(-np.log(rng.uniform(size=n_)))
        y[np.argsort(-(X @ coef + gumbel), kind="stable")[:k]] = 1
        if separation == "none":
            ev, ne = np.flatnonzero(y == 1)[: p + 1], np.flatnonzero(y == 0)[: p + 1]
            X[ne] = X[ev]
    return BinaryData(X, y, coef, separation)


@st.composite
def scored_outcomes(draw, n=(4, 60), min_each: int = 2, distinct=(1, 6), prevalence=(0.1, 0.9)):
    """``(y, score)``: a 0/1 outcome with at least ``min_each`` of each class and float scores.

    ``distinct = (lo, hi)``: the scores take between lo and hi distinct values, so there are ties
    within and between the classes (``(1, 1)``: every score tied); ``distinct=None``: continuous scores
    (ties only by chance). Order is shuffled.
    """
    n_lo, n_hi = _range(n, "n")
    n_ = draw(st.integers(max(n_lo, 2 * min_each), max(n_hi, 2 * min_each)))
    prev = draw(st.floats(*_range(prevalence, "prevalence"), allow_nan=False))
    k = int(min(max(round(n_ * prev), min_each), n_ - min_each))
    y = np.r_[np.ones(k, dtype=int), np.zeros(n_ - k, dtype=int)]
    if distinct is None:
        elem = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
    else:
        d = draw(st.integers(*_range(distinct, "distinct")))
        values = draw(
            st.lists(
                st.floats(-10, 10, allow_nan=False, allow_subnormal=False),
                min_size=d,
                max_size=d,
                unique=True,
            )
        )
        elem = st.sampled_from(values)
    s = np.array(draw(st.lists(elem, min_size=n_, max_size=n_)), dtype=float)
    perm = np.array(draw(st.permutations(range(n_))))
    return y[perm], s[perm]


def _composition(total: int, parts: int):
    """Non-negative integers summing to ``total`` (``parts`` of them)."""
    return st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1).map(
        lambda cuts: np.diff(np.r_[0, sorted(cuts), total]).astype(int)
    )


@st.composite
def study_specs(
    draw, group_size=(5, 60), categorical=(1, 3), levels=(2, 4), means=(0, 2), ratios=(0, 2)
):
    """Raw study specs (``dict``) consistent by construction (:func:`nenaudit.builders.consistent_spec`):
    one two-group table with ``categorical`` count rows of ``levels`` levels each, ``means`` rows of
    integer data (GRIM-consistent means ± SD) and a regression table of ``ratios`` Wald OR/CI/p rows.
    ``nenaudit.audit.run.run_audit(validate(spec))`` has no inconsistent finding. Group sizes below 100
    keep GRIM applicable."""
    n = [draw(st.integers(*_range(group_size, "group_size"))) for _ in range(2)]
    tables = []
    for _ in range(draw(st.integers(*_range(categorical, "categorical")))):
        L = draw(st.integers(*_range(levels, "levels")))
        cols = [draw(_composition(n[j], L)) for j in range(2)]
        m = np.column_stack(cols)
        nz = np.flatnonzero(m.sum(axis=1))
        if nz.size < 2:  # the audit tests tables with at least two non-empty levels: move one count
            m[nz[0], 0] -= 1
            m[(nz[0] + 1) % L, 0] += 1
        tables.append(m)
    mean_rows = []
    for _ in range(draw(st.integers(*_range(means, "means")))):
        top = draw(st.integers(1, 20))
        mean_rows.append(
            tuple(draw(st.lists(st.integers(0, top), min_size=size, max_size=size)) for size in n)
        )
    ratio_rows = []
    for _ in range(draw(st.integers(*_range(ratios, "ratios")))):
        se = draw(st.floats(0.1, 1.0, allow_nan=False))
        ratio_rows.append((draw(st.floats(-6 * se, 6 * se, allow_nan=False)), se))
    return consistent_spec(tables, mean_rows, ratio_rows)


@st.composite
def inconsistent_specs(draw, kinds: Sequence[str] = PLANTS, **spec_options):
    """``(spec, kind, finding_id)``: a :func:`study_specs` spec with one inconsistency of a kind drawn from
    ``kinds`` planted by :func:`nenaudit.builders.plant`; the audit's finding ``finding_id`` must say
    ``inconsistent``. ``spec_options`` go to :func:`study_specs` (the rows a kind needs are always drawn)."""
    kind = draw(st.sampled_from(list(kinds)))
    opts = dict(spec_options)
    opts.setdefault("group_size", (5, 60))
    need = {"grim": ("means", (1, 2)), "ci_vs_p": ("ratios", (1, 2))}
    if kind in need:
        key, default = need[kind]
        lo, hi = _range(opts.get(key, default), key)
        opts[key] = (max(1, lo), max(1, hi))
    spec = draw(study_specs(**opts))
    out, fid = plant(spec, kind)
    return out, kind, fid


@st.composite
def cohort_specs(draw, patients=(4, 14), max_lesions=(1, 3), variables=(1, 3), levels=(2, 4)):
    """Raw specs (``dict``) of a made-up cohort (:func:`nenaudit.builders.cohort_spec`): Table 1 counts
    ``patients`` patients, Table 2 their lesions (1..``max_lesions`` each) by outcome, over ``variables``
    categorical variables; both outcomes occur. Every such spec is feasible: the cohort it was counted from
    meets it."""
    kmax = draw(st.integers(*_range(max_lesions, "max_lesions")))
    n = draw(st.integers(*_range(patients, "patients")))
    k = np.array(draw(st.lists(st.integers(1, kmax), min_size=n, max_size=n)))
    resp = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    resp[0], resp[1] = 0, 1
    lv = []
    for _ in range(draw(st.integers(*_range(variables, "variables")))):
        top = draw(st.integers(_range(levels, "levels")[0] - 1, _range(levels, "levels")[1] - 1))
        lv.append(np.array(draw(st.lists(st.integers(0, top), min_size=n, max_size=n))))
    return cohort_spec(k, resp, lv, kmax)


@dataclass(frozen=True)
class SpecCohort:
    """A made-up spec (raw ``dict``) and the synthetic cohort generated to match it
    (:class:`nenaudit.synth.SyntheticCohort`: the files' text and the manifest)."""

    spec: dict
    cohort: object
    seed: int


@st.composite
def cohorts(draw, specs=None):
    """:class:`SpecCohort`: a spec drawn from ``specs`` (default :func:`cohort_specs`) and the cohort
    :func:`nenaudit.synth.generate` makes for it (clinical tables only, ``with_features=False``; a drawn
    seed). Its manifest's ``achieved.counts_reproduced`` equals ``counts_published`` for a feasible spec."""
    raw = draw(specs if specs is not None else cohort_specs())
    seed = draw(st.integers(0, 2**31 - 1))
    return SpecCohort(
        raw, generate(validate(raw, "strategies.cohorts"), seed, with_features=False), seed
    )
