"""The Table 1/2 tests (stats.contingency, stats.twosample, stats.table1) against R
(chisq.test, fisher.test, ...) through rpy2, plus invariance properties.

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
from nenaudit.stats.contingency import CHISQ_SMALL_EXPECTED, chisq_test, fisher_test
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.table1 import DEFAULT_RULE, SelectionRule, summarize
from nenaudit.stats.twosample import mann_whitney, shapiro_wilk, t_test

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
@pytest.mark.parametrize(
    "table", TABLES, ids=lambda t: "x".join(map(str, np.shape(t))) + f"-n{np.sum(t)}"
)
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
@pytest.mark.parametrize(
    "table", TABLES, ids=lambda t: "x".join(map(str, np.shape(t))) + f"-n{np.sum(t)}"
)
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
    assert (
        d["statistic"] is None
        and isinstance(d["odds_ratio"], float)
        and isinstance(d["expected"], list)
    )


# ---- properties -------------------------------------------------------------------------

small_tables = (
    st.integers(2, 3)
    .flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: arrays(np.int64, (r, c), elements=st.integers(0, 8))
        )
    )
    .filter(lambda a: a.sum() > 0)
)

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
        for other in (
            chisq_test(m.T, correct=correct),
            chisq_test(m[rows][:, cols], correct=correct),
        ):
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


# ---- two samples of values ----------------------------------------------------------------

# wilcox.test/t.test: the same closed forms evaluated in the same order up to summation;
# rounding only (observed ~1e-15), contract 1e-12 relative.
TWO_SAMPLE_RTOL = 1e-12


def _samples(seed: int, nx: int, ny: int, ties: bool):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, nx)
    y = rng.normal(0.6, 1.3, ny)
    if ties:
        x, y = np.round(x, 1), np.round(y, 1)
    return x, y


SAMPLE_CASES = [
    (1, 5, 7, False),  # exact, tiny
    (2, 20, 30, False),  # exact
    (3, 49, 12, False),  # exact at the n < 50 edge
    (4, 60, 45, False),  # normal approximation (n >= 50)
    (5, 10, 12, True),  # ties -> normal approximation with R's warning
    (6, 30, 30, True),
    (7, 80, 70, True),
]


def _one(v):
    return v[0] if isinstance(v, list) else v


@pytest.mark.parity
@pytest.mark.parametrize("seed,nx,ny,ties", SAMPLE_CASES)
@pytest.mark.parametrize("exact,correct", [(None, True), (None, False), (False, True)])
def test_mann_whitney_matches_r(Rc, seed, nx, ny, ties, exact, correct):
    x, y = _samples(seed, nx, ny, ties)
    rexact = Rc.r()("NULL") if exact is None else exact
    ref = Rc.to_py(Rc.r()["ref_wilcox"](Rc.fvec(x), Rc.fvec(y), exact=rexact, correct=correct))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = mann_whitney(x, y, exact=exact, correct=correct)
    assert res.method == ref["method"]
    assert res.statistic == _one(
        ref["statistic"]
    )  # a rank sum of half-integers: exact in floating point
    assert res.p == pytest.approx(ref["p"], rel=TWO_SAMPLE_RTOL)
    assert list(res.warnings) == _warnings_list(ref["warnings"])


@pytest.mark.parity
@pytest.mark.parametrize("seed,nx,ny,ties", SAMPLE_CASES)
@pytest.mark.parametrize("equal_var", [False, True])
def test_t_test_matches_r(Rc, seed, nx, ny, ties, equal_var):
    x, y = _samples(seed, nx, ny, ties)
    ref = Rc.to_py(Rc.r()["ref_ttest"](Rc.fvec(x), Rc.fvec(y), **{"var.equal": equal_var}))
    res = t_test(x, y, equal_var=equal_var)
    assert res.method == ref["method"]
    for ours, theirs in [
        (res.statistic, ref["statistic"]),
        (res.df, ref["df"]),
        (res.p, ref["p"]),
        (res.stderr, ref["stderr"]),
    ]:
        assert ours == pytest.approx(_one(theirs), rel=TWO_SAMPLE_RTOL)
    np.testing.assert_allclose(res.estimate, ref["estimate"], rtol=TWO_SAMPLE_RTOL)
    np.testing.assert_allclose(res.conf_int, ref["conf_int"], rtol=TWO_SAMPLE_RTOL)


@pytest.mark.parity
@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 11, 12, 13, 20, 50, 131, 500, 2000])
@pytest.mark.parametrize("dist", ["normal", "exponential", "rounded"])
def test_shapiro_matches_r(Rc, n, dist):
    rng = np.random.default_rng(1000 + n)
    x = {
        "normal": rng.normal(10, 2, n),
        "exponential": rng.exponential(3, n),
        "rounded": np.round(rng.normal(10, 2, n)),
    }[dist]
    if np.ptp(x) == 0:
        pytest.skip("constant sample")
    ref = Rc.to_py(Rc.r()["ref_shapiro"](Rc.fvec(x)))
    res = shapiro_wilk(x)
    assert res.method == ref["method"]
    # W: the same sums in a different order (R loops, we vectorise): rounding, ~1e-15
    assert res.statistic == pytest.approx(_one(ref["statistic"]), rel=1e-12)
    # p: W enters through log(1 - W), polynomials and pnorm; our normal scores come from
    # scipy's ndtri, R's from qnorm (both ~1 ulp): observed <= 6e-12 relative, contract 1e-10
    assert res.p == pytest.approx(ref["p"], rel=1e-10)


@pytest.mark.parity
@pytest.mark.parametrize("n", [1, 2, 5, 10, 37, 131])
def test_quantile7_matches_r(Rc, n):
    rng = np.random.default_rng(n)
    probs = np.array([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1, 1 / 3])
    for x in (rng.normal(size=n), np.round(rng.exponential(5, size=n))):
        ref = np.array(
            Rc.to_py(Rc.r()["ref_quantile"](Rc.fvec(x), Rc.fvec(probs))), dtype=float
        ).ravel()
        # one interpolation per value, written as R writes it: equal to the last bit or 1 ulp
        np.testing.assert_allclose(quantile7(x, probs), ref, rtol=1e-15, atol=1e-15)


# ---- summarize ---------------------------------------------------------------------------


def _cohort(seed: int = 11, n: int = 131):
    import pandas as pd

    rng = np.random.default_rng(seed)
    g = rng.choice(["effective", "ineffective"], n, p=[0.3, 0.7])
    return pd.DataFrame(
        {
            "group": g,
            "age": np.round(rng.normal(60, 9, n)),  # normal-ish with ties
            "cea": np.round(rng.lognormal(1.0, 1.0, n), 2),  # skewed
            "tumour_size": rng.normal(40, 8, n),  # normal, no ties
            "sex": rng.choice(["F", "M"], n),
            "grade": rng.choice(
                ["G1", "G2", "G3"], n, p=[0.75, 0.2, 0.05]
            ),  # small expected counts
            "site": rng.choice(["colon", "rectum", "other", "unknown"], n),
            "nse_high": rng.integers(0, 2, n),
        }
    )


@pytest.mark.parity
def test_summarize_matches_r_default_rule(Rc):
    df = _cohort()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = summarize(df, "group", categorical=["nse_high"])
    assert res.groups == ("effective", "ineffective")
    assert [v.variable for v in res.variables] == [c for c in df.columns if c != "group"]
    for v in res.variables:
        is_cat = v.kind == "categorical"
        x = df[v.variable].astype(str) if is_cat else df[v.variable]
        xr = Rc.svec(x) if is_cat else Rc.fvec(x)
        ref = Rc.to_py(Rc.r()["ref_table1"](xr, Rc.svec(df["group"]), is_cat))
        assert v.test == ref["test"], v.variable
        assert v.p == pytest.approx(ref["p"], rel=P_RTOL), v.variable
        if not is_cat:
            assert v.normal == ref["normal"]
            assert v.summary == ("mean ± SD" if ref["normal"] else "median [Q1, Q3]")
            for k in ("mean", "sd", "q1", "median", "q3"):
                # means/SDs/quantiles: a few float operations on both sides
                np.testing.assert_allclose(
                    [getattr(c, k) for c in v.cells], ref[k], rtol=1e-12, err_msg=k
                )


def test_summarize_counts_and_frame():
    df = _cohort()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = summarize(df, "group", vars=["sex", "age"])
    fr = res.to_frame()
    sex = fr[fr.variable == "sex"]
    for g in res.groups:
        sub = sex[sex.group == g]
        assert sub["count"].sum() == (df.group == g).sum()
        assert sub["percent"].sum() == pytest.approx(100.0)  # percentages of one group add up
    assert set(fr.columns) >= {"variable", "level", "group", "n", "display", "test", "p"}
    assert res.to_dict()["rule"]["normality_alpha"] == DEFAULT_RULE.normality_alpha


def test_summarize_rule_is_configurable():
    df = _cohort()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        a = summarize(
            df,
            "group",
            vars=["grade", "sex"],
            rule=SelectionRule(categorical_test="chisq", yates=False),
        )
    assert [v.test for v in a.variables] == ["chisq", "chisq"]
    m = np.array([[((df.sex == s) & (df.group == g)).sum() for g in a.groups] for s in ["F", "M"]])
    assert a.variables[1].p == chisq_test(m, correct=False).p
    with pytest.raises(NenauditError, match="normal_test"):
        SelectionRule(normal_test="anova")


def test_summarize_refuses_bad_input():
    df = _cohort()
    with pytest.raises(NenauditError, match="not in the data"):
        summarize(df, "arm")
    with pytest.raises(NenauditError, match="at least 2"):
        summarize(df.assign(group="A"), "group")


def test_mann_whitney_tie_warning_recorded():
    with pytest.warns(StatisticalWarning, match="cannot compute exact p-value with ties"):
        res = mann_whitney([1, 2, 2, 3], [2, 4, 5])
    assert res.warnings == ("cannot compute exact p-value with ties",)


# ---- properties of the two-sample tests -----------------------------------------------------

samples = st.lists(st.integers(-20, 20), min_size=2, max_size=25).map(
    lambda v: np.array(v, dtype=float)
)
# continuous samples without ties: exact branch
distinct = st.lists(st.integers(-1000, 1000), min_size=3, max_size=20, unique=True).map(
    lambda v: np.array(v, dtype=float) / 7.0
)


@settings(max_examples=150, deadline=None)
@given(samples, samples)
def test_mann_whitney_swap_and_monotone_invariance(x, y):
    if np.ptp(np.concatenate([x, y])) == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        a = mann_whitney(x, y)
        b = mann_whitney(y, x)
        c = mann_whitney(np.exp(x / 10), np.exp(y / 10))  # ranks unchanged by a monotone map
    assert 0.0 <= a.p <= 1.0
    assert a.statistic + b.statistic == len(x) * len(y)  # W_x + W_y = n_x n_y
    assert b.p == pytest.approx(a.p, rel=1e-12)  # symmetric formula; rounding only
    assert c.statistic == a.statistic and c.p == pytest.approx(a.p, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(distinct)
def test_mann_whitney_exact_branch_symmetry(v):
    k = len(v) // 2
    x, y = v[:k], v[k:]
    if k < 1:
        return
    a, b = mann_whitney(x, y), mann_whitney(y, x)
    assert a.exact and b.exact
    assert b.p == pytest.approx(a.p, rel=1e-12)  # the null distribution of W is symmetric


@settings(max_examples=150, deadline=None)
@given(samples, samples, st.booleans(), st.floats(-100, 100), st.floats(0.1, 10))
def test_t_test_swap_and_affine_invariance(x, y, equal_var, shift, scale):
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return
    a = t_test(x, y, equal_var=equal_var)
    b = t_test(y, x, equal_var=equal_var)
    c = t_test(x * scale + shift, y * scale + shift, equal_var=equal_var)
    assert 0.0 <= a.p <= 1.0
    # swapping negates t; an affine map leaves it unchanged (rounding of mean/var only)
    assert b.statistic == pytest.approx(-a.statistic, rel=1e-9, abs=1e-9)
    assert c.statistic == pytest.approx(a.statistic, rel=1e-7, abs=1e-7)
    assert c.p == pytest.approx(a.p, rel=1e-6, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=60),
    st.floats(-50, 50),
    st.floats(0.01, 100),
)
def test_shapiro_location_scale_invariance(v, shift, scale):
    x = np.array(v)
    if np.ptp(x) < 1e-6:
        return
    a = shapiro_wilk(x)
    b = shapiro_wilk(x * scale + shift)
    assert 0.0 <= a.p <= 1.0 and 0.0 < a.statistic <= 1.0 + 1e-12
    # W is a correlation of the range-scaled sample: an affine map changes only rounding
    assert b.statistic == pytest.approx(a.statistic, rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50),
    st.lists(st.floats(0, 1), min_size=1, max_size=8),
)
def test_quantile7_monotone_and_bounded(v, probs):
    x = np.array(v)
    p = np.sort(np.array(probs))
    q = quantile7(x, p)
    assert np.all(np.diff(q) >= -1e-9 * (1 + np.abs(q[:-1])))  # interpolation rounding only
    assert np.all(q >= x.min() - 1e-9 * (1 + abs(x.min()))) and np.all(
        q <= x.max() + 1e-9 * (1 + abs(x.max()))
    )
