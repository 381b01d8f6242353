"""stats.compare against R (chisq.test, fisher.test, ...) through rpy2, plus invariance properties.

No expected number is typed in: every reference value is computed by R inside the test
(reference_r/compare.R). Tolerances are stated next to each comparison.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.stats.compare import CHISQ_SMALL_EXPECTED, chisq_test, fisher_test

# p-values: both sides sum/integrate the same quantities in a different order (and R's FEXACT
# merges path values with its own hashing), so agreement is to accumulated rounding, ~1e-13;
# 1e-10 relative is the contract.
P_RTOL = 1e-10
# statistics and expected counts are a handful of float operations on both sides
STAT_RTOL = 1e-12

TABLES = [
    [[10, 14], [17, 90]],  # Table 2 NSE (2 x 2)
    [[3, 1], [1, 3]],  # tiny 2 x 2
    [[0, 5], [4, 0]],  # 2 x 2 at the support's edge (OR = 0)
    [[7, 0], [3, 6]],  # 2 x 2, OR = Inf
    [[12, 12], [12, 12]],  # 2 x 2 with O == E (Yates vanishes)
    [[24, 3, 0], [62, 35, 7]],  # 2 x 3 with a zero cell
    [[3, 16, 4, 4], [10, 36, 9, 49]],  # 2 x 4, n = 131
    [[12, 5, 9], [7, 11, 6], [10, 8, 13]],  # 3 x 3
    [[2, 3, 4], [3, 0, 1], [5, 2, 2]],  # 3 x 3 with tied table probabilities
    [[1, 2, 3, 4], [4, 3, 2, 1], [2, 2, 2, 2]],  # 3 x 4
]


def _warnings_list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


@pytest.fixture(scope="module")
def Rc(R):
    R.source("compare.R")
    return R


@pytest.mark.parity
@pytest.mark.parametrize("table", TABLES, ids=lambda t: "x".join(map(str, np.shape(t))) + f"-n{np.sum(t)}")
@pytest.mark.parametrize("correct", [True, False])
def test_chisq_matches_r(Rc, table, correct):
    m = np.array(table)
    ref = Rc.to_py(Rc.r()["ref_chisq"](Rc.matrix(m), correct=correct))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = chisq_test(m, correct=correct)
    assert res.method == ref["method"]
    assert res.df == ref["df"]
    assert res.statistic == pytest.approx(ref["statistic"], rel=STAT_RTOL, abs=1e-14)
    assert res.p == pytest.approx(ref["p"], rel=P_RTOL)
    # R's expected is column-major
    np.testing.assert_allclose(res.expected.ravel(order="F"), ref["expected"], rtol=STAT_RTOL)
    assert list(res.warnings) == _warnings_list(ref["warnings"])


@pytest.mark.parity
@pytest.mark.parametrize("table", TABLES, ids=lambda t: "x".join(map(str, np.shape(t))) + f"-n{np.sum(t)}")
def test_fisher_matches_r(Rc, table):
    m = np.array(table)
    ref = Rc.to_py(Rc.r()["ref_fisher"](Rc.matrix(m)))
    res = fisher_test(m)
    assert res.method == ref["method"]
    assert res.p == pytest.approx(ref["p"], rel=P_RTOL)
    assert math.isnan(res.statistic) and res.df is None
    if m.shape == (2, 2):
        # The odds ratio and CI are uniroot() results (tol 1.2e-4); we rerun the same Brent
        # iteration, so the iterates coincide and only the last bits of mnhyper/pnhyper differ.
        assert res.odds_ratio == pytest.approx(ref["odds_ratio"], rel=1e-9)
        assert res.conf_int[0] == pytest.approx(ref["conf_int"][0], rel=1e-9)
        assert res.conf_int[1] == pytest.approx(ref["conf_int"][1], rel=1e-9)
    else:
        assert res.odds_ratio is None and res.conf_int is None


@pytest.mark.parity
def test_fisher_random_tables_match_r(Rc):
    """Seeded sweep over 2x2 ... 4x4 tables with many zero cells and small n."""
    rng = np.random.default_rng(20250101)
    for _ in range(60):
        nr, nc = rng.integers(2, 5, size=2)
        n = int(rng.integers(2, 40))
        m = rng.multinomial(n, rng.dirichlet(np.ones(nr * nc))).reshape(nr, nc)
        ref = Rc.to_py(Rc.r()["ref_fisher"](Rc.matrix(m)))
        assert fisher_test(m).p == pytest.approx(ref["p"], rel=P_RTOL), m.tolist()


@pytest.mark.parity
def test_fisher_larger_tables_match_r(Rc):
    """The sizes the audit needs: 2 x 4 with n = 131 and 3 x 3 with n ~ 100 (and a 3 x 4)."""
    rng = np.random.default_rng(7)
    for shape, n in [((2, 4), 131), ((3, 3), 100), ((3, 3), 110), ((3, 4), 90), ((2, 4), 300)]:
        m = rng.multinomial(n, np.ones(shape[0] * shape[1]) / (shape[0] * shape[1])).reshape(shape)
        ref = Rc.to_py(Rc.r()["ref_fisher"](Rc.matrix(m)))
        assert fisher_test(m).p == pytest.approx(ref["p"], rel=P_RTOL), m.tolist()


def test_chisq_small_expected_warns():
    with pytest.warns(StatisticalWarning, match="Chi-squared approximation may be incorrect"):
        res = chisq_test(np.array([[24, 3, 0], [62, 35, 7]]))
    assert res.warnings == (CHISQ_SMALL_EXPECTED,)


def test_chisq_yates_only_for_2x2():
    m = np.array([[24, 3, 1], [62, 35, 7]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        assert chisq_test(m, correct=True).statistic == chisq_test(m, correct=False).statistic


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ([[1, 2, 3]], "at least 2 rows"),
        ([[1, -2], [3, 4]], "negative"),
        ([[1, 2.5], [3, 4]], "not an integer"),
        ([[1, np.nan], [3, 4]], "NaN"),
        ([[0, 0], [0, 0]], "positive"),
        ([1, 2, 3, 4], "2-d"),
    ],
)
def test_bad_tables_refused(bad, fragment):
    for fn in (chisq_test, fisher_test):
        with pytest.raises(NenauditError, match=fragment):
            fn(np.array(bad, dtype=float))


def test_chisq_refuses_empty_margin():
    with pytest.raises(NenauditError, match="row 1 .* sums to 0"):
        chisq_test(np.array([[3, 4], [0, 0], [2, 5]]))


def test_fisher_to_dict_is_plain():
    d = fisher_test(np.array([[10, 14], [17, 90]])).to_dict()
    assert d["statistic"] is None and isinstance(d["odds_ratio"], float) and isinstance(d["expected"], list)


# ---- properties -------------------------------------------------------------------------

small_tables = st.integers(2, 3).flatmap(
    lambda r: st.integers(2, 4).flatmap(lambda c: arrays(np.int64, (r, c), elements=st.integers(0, 8)))
).filter(lambda a: a.sum() > 0)

# Reordering the table changes only the summation order: agreement to rounding.
INV_RTOL = 1e-9


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(small_tables, st.randoms(use_true_random=False))
def test_fisher_invariant_under_transpose_and_permutation(m, rnd):
    p = fisher_test(m).p
    assert 0.0 <= p <= 1.0
    rows = list(range(m.shape[0]))
    cols = list(range(m.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    assert fisher_test(m.T).p == pytest.approx(p, rel=INV_RTOL, abs=1e-15)
    assert fisher_test(m[rows][:, cols]).p == pytest.approx(p, rel=INV_RTOL, abs=1e-15)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(small_tables, st.randoms(use_true_random=False), st.booleans())
def test_chisq_invariant_under_transpose_and_permutation(m, rnd, correct):
    if (m.sum(axis=0) == 0).any() or (m.sum(axis=1) == 0).any():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = chisq_test(m, correct=correct)
        rows = list(range(m.shape[0]))
        cols = list(range(m.shape[1]))
        rnd.shuffle(rows)
        rnd.shuffle(cols)
        for other in (chisq_test(m.T, correct=correct), chisq_test(m[rows][:, cols], correct=correct)):
            assert other.statistic == pytest.approx(res.statistic, rel=INV_RTOL, abs=1e-12)
            assert other.p == pytest.approx(res.p, rel=INV_RTOL, abs=1e-15)
    assert 0.0 <= res.p <= 1.0
    assert res.statistic >= 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(small_tables)
def test_fisher_p_at_least_observed_table_probability(m):
    """The observed table is always in the two-sided tail, so p >= its own null probability."""
    from scipy.special import gammaln

    rows, cols, n = m.sum(axis=1), m.sum(axis=0), m.sum()
    logp = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1) - gammaln(m + 1).sum()
    # the observed probability is recomputed here in another order: rounding only
    assert fisher_test(m).p >= math.exp(logp) * (1 - 1e-9)
