"""Feature filters (stats/features.py) against R: cor(method = "spearman"), caret::findCorrelation,
scale(); the ICC filter's rule; the whole selection chain.

Reference values come from reference_r/features.R through rpy2 on data generated here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.selection import SelectionConfig, select_features
from nenaudit.stats.features import (
    find_correlation,
    fit_zscore,
    icc_filter,
    icc_filter_from_values,
    screen_features,
    spearman_filter,
    spearman_matrix,
)


def clustered(p: int, seed: int, n: int = 131, ties: bool = False) -> np.ndarray:
    """Features in clusters (many |rho| > 0.9 pairs), skewed, on mixed scales, as radiomics."""
    rng = np.random.default_rng(seed)
    k = max(3, p // 6)
    base = rng.standard_normal((n, k))
    X = base[:, rng.integers(0, k, p)] + rng.standard_normal((n, p)) * rng.uniform(0.05, 1.0, p)
    X = np.exp(X) * rng.lognormal(0, 2, p)
    if ties:
        X = np.round(X / X.std(axis=0) * 3)  # few distinct values: many tied ranks
        X[:, np.ptp(X, axis=0) == 0] += np.arange(n)[:, None]
    return X


def r_filter(R, X, exact=None):
    R.source("features.R")
    kw = {} if exact is None else {"exact": exact}
    r = R.to_py(R.call("ref_spearman_filter", R.matrix(X), **kw))
    drop = [] if r["drop"] is None else [int(v) - 1 for v in np.atleast_1d(r["drop"])]
    return np.asarray(r["cor"], float).reshape(X.shape[1], X.shape[1]), drop


# --------------------------------------------------------------------------- parity


@pytest.mark.parity
@pytest.mark.parametrize(
    "p,exact,ties",
    [
        (60, None, False),  # caret default below 100 columns: exact algorithm
        (851, None, False),  # 100 columns or more: fast algorithm
        (60, False, False),
        (150, True, False),
        (40, None, True),  # tied values: average ranks
        (120, None, True),
    ],
)
def test_spearman_and_find_correlation_parity(R, p, exact, ties):
    X = clustered(p, seed=p + int(ties), ties=ties)
    C_r, drop_r = r_filter(R, X, exact)
    # Pearson correlation of ranks: same arithmetic up to summation order (measured 2e-16)
    np.testing.assert_allclose(spearman_matrix(X), C_r, rtol=0, atol=1e-13)
    names = [f"f{j}" for j in range(p)]
    res = spearman_filter(pd.DataFrame(X, columns=names), exact=exact)
    assert [names.index(n) for n in res.dropped] == drop_r  # same set, in caret's order
    assert len(drop_r) > 0
    assert res.exact == (p < 100 if exact is None else exact)


@pytest.mark.parity
def test_find_correlation_on_r_matrix(R):
    """Given R's own correlation matrix, both algorithms drop exactly caret's columns."""
    X = clustered(90, seed=5)
    C_r, _ = r_filter(R, X)
    for exact in (True, False):
        ref = R.to_py(R.call("ref_find_correlation", R.matrix(C_r), exact=exact))
        assert find_correlation(C_r, 0.9, exact=exact) == [int(v) - 1 for v in np.atleast_1d(ref)]


@pytest.mark.parity
def test_zscore_matches_r_scale(R):
    X = clustered(20, seed=3)
    R.source("features.R")
    r = R.to_py(R.call("ref_scale", R.matrix(X)))
    z = fit_zscore(X)
    np.testing.assert_allclose(z.mean, r["center"], rtol=1e-13)  # mean: summation order only
    np.testing.assert_allclose(z.sd, r["scale"], rtol=1e-12)  # sample SD (n - 1), as scale()
    np.testing.assert_allclose(
        z.transform(X), np.asarray(r["z"]).reshape(20, X.shape[0]).T, rtol=1e-11, atol=1e-13
    )


# --------------------------------------------------------------------------- z-score


def test_zscore_reuses_training_parameters_on_new_rows():
    X = clustered(6, seed=1)
    train, test = X[:100], X[100:]
    names = [f"f{j}" for j in range(6)]
    z = fit_zscore(pd.DataFrame(train, columns=names))
    zt = z.transform(pd.DataFrame(test[:, ::-1], columns=names[::-1]))  # matched by name
    np.testing.assert_allclose(
        zt.to_numpy(), (test - train.mean(0)) / train.std(0, ddof=1), rtol=1e-12
    )
    pop = fit_zscore(train, ddof=0)
    np.testing.assert_allclose(pop.sd, train.std(0), rtol=1e-12)
    with pytest.raises(NenauditError, match="'f2' was fitted but is not a column"):
        z.transform(pd.DataFrame(test[:, :2], columns=names[:2]))
    with pytest.raises(NenauditError, match="constant"):
        fit_zscore(np.column_stack([train, np.ones(100)]))
    with pytest.raises(NenauditError, match="row 4: NaN"):
        fit_zscore(np.where(np.arange(100)[:, None] == 3, np.nan, train))


# --------------------------------------------------------------------------- screens and ICC


def test_screen_lists_nonfinite_and_constant_features():
    X = pd.DataFrame(
        {"a": [1.0, 2, 3], "b": [1.0, np.nan, 3], "c": [5.0, 5, 5], "d": [1.0, np.inf, 0]}
    )
    s = screen_features(X)
    assert s.kept == ("a",) and s.nonfinite == ("b", "d") and s.constant == ("c",)


def test_icc_filter_rule():
    names = ["a", "b", "c", "d"]
    res = icc_filter_from_values(
        names,
        {"intra": [0.9, 0.74, 0.8, np.nan], "inter": {"a": 0.76, "b": 0.95, "c": 0.7, "d": 0.9}},
    )
    assert res.kept == ("a",)
    assert res.dropped == ("b", "c", "d")
    assert "intra ICC2 = 0.740 < 0.75" in res.reasons["b"]
    assert "inter ICC2 = 0.700" in res.reasons["c"]
    assert "undefined" in res.reasons["d"]
    with pytest.raises(NenauditError, match="3 intra ICC values for 4 features"):
        icc_filter_from_values(names, {"intra": [1, 1, 1]})


def test_icc_filter_from_readings_uses_stats_icc():
    from nenaudit.stats.icc import ICC_FORMS, icc_two_readings

    rng = np.random.default_rng(4)
    n = 30
    truth = rng.normal(size=(n, 3))
    first = pd.DataFrame(truth, columns=["good", "noisy", "ok"])
    noise = rng.normal(size=(n, 3)) * np.array([0.05, 3.0, 0.3])
    second = first + noise
    res = icc_filter({"intra": (first, second)}, form="ICC3")
    ref = icc_two_readings(first, second).icc[:, ICC_FORMS.index("ICC3")]
    np.testing.assert_array_equal(np.array([res.icc["intra"][n] for n in first.columns]), ref)
    assert "noisy" in res.dropped and "good" in res.kept
    with pytest.raises(NenauditError, match="ICC form"):
        icc_filter({"intra": (first, second)}, form="ICC(2,1)")


# --------------------------------------------------------------------------- chain


def test_select_chain_records_each_step():
    rng = np.random.default_rng(8)
    n = 131
    y = np.r_[np.zeros(27), np.ones(104)]
    rng.shuffle(y)
    X = clustered(80, seed=8)
    X[:, :5] *= np.exp(0.8 * (y - y.mean()))[:, None]
    names = [f"f{j}" for j in range(80)]
    df = pd.DataFrame(X, columns=names)
    df["nanfeat"] = np.where(np.arange(n) == 3, np.nan, 1.0 + np.arange(n))
    df["const"] = 2.0
    second = df[names] * np.exp(rng.normal(0, 0.05, (n, 80)))
    second.iloc[:, 10] = rng.permutation(second.iloc[:, 10].to_numpy())  # f10 irreproducible
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        sel = select_features(
            df,
            y,
            readings={"intra": (df, second.assign(nanfeat=df["nanfeat"], const=2.0))},
            config=SelectionConfig(seed=3),
        )
    rep = sel.to_dict()
    assert rep["removed_nonfinite"] == ["nanfeat"] and rep["removed_constant"] == ["const"]
    assert "f10" in rep["removed_icc"]
    kept_after_icc = [c for c in names if c not in rep["removed_icc"]]
    again = spearman_filter(fit_zscore(df[kept_after_icc]).transform(df[kept_after_icc]))
    assert list(again.dropped) == rep["removed_correlation"]
    assert rep["n_after_filters"] == len(kept_after_icc) - len(again.dropped)
    assert list(sel.selected) == sel.lasso.selected("min") == list(sel.radscore.coefficients)
    Z = sel.zscore.transform(df)[list(sel.correlation.kept)]  # new rows: the training mean/SD
    np.testing.assert_allclose(
        sel.radscore.apply(Z),
        sel.lasso.path.link(Z.to_numpy())[:, sel.lasso.index_min],
        rtol=1e-12,
        atol=1e-12,
    )


# --------------------------------------------------------------------------- bad input


def test_filter_bad_input():
    X = clustered(5, seed=1)
    with pytest.raises(NenauditError, match="'a' appears twice"):
        spearman_filter(pd.DataFrame(X, columns=["a", "b", "a", "c", "d"]))
    with pytest.raises(NenauditError, match="constant"):
        spearman_filter(np.column_stack([X, np.zeros(len(X))]))
    with pytest.raises(NenauditError, match="infinite"):
        spearman_filter(np.where(np.arange(len(X))[:, None] == 0, np.inf, X))
    with pytest.raises(NenauditError, match="cutoff"):
        spearman_filter(X, cutoff=1.5)
    with pytest.raises(NenauditError, match="not symmetric"):
        find_correlation(np.triu(np.ones((3, 3))))


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(3, 40),
    exact=st.sampled_from([None, True, False]),
    cutoff=st.floats(0.5, 0.95),
)
def test_no_kept_pair_above_cutoff(seed, p, exact, cutoff):
    X = clustered(p, seed=seed, n=40)
    res = spearman_filter(X, cutoff=cutoff, exact=exact)
    kept = [int(n[1:]) - 1 for n in res.kept]
    C = np.abs(spearman_matrix(X[:, kept]))
    np.fill_diagonal(C, 0)
    assert not (cutoff < C).any()
    assert len(res.kept) + len(res.dropped) == p and len(set(res.dropped)) == len(res.dropped)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(3, 30))
def test_monotone_transforms_do_not_change_the_spearman_filter(seed, p):
    """Ranks are invariant to increasing transforms, so the dropped set is too."""
    X = clustered(p, seed=seed, n=50)
    Y = np.log(X) * 3.0 + 7.0
    assert spearman_filter(X).dropped == spearman_filter(Y).dropped


@pytest.mark.parity
def test_chain_after_icc_matches_r(R):
    """z-score -> Spearman/findCorrelation -> cv.glmnet -> lambda.min coefficients, as in R."""
    rng = np.random.default_rng(31)
    n = 131
    y = np.r_[np.zeros(27), np.ones(104)]
    rng.shuffle(y)
    X = clustered(150, seed=31)
    X[:, :6] *= np.exp(0.7 * (y - y.mean()))[:, None]
    names = [f"f{j}" for j in range(150)]
    df = pd.DataFrame(X, columns=names)
    foldid = rng.permutation(np.resize(np.arange(1, 11), n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        sel = select_features(df, y, foldid=foldid)
    R.source("features.R")
    rx = R.r()["matrix"](
        R.fvec(X.ravel(order="F")), nrow=n, dimnames=R.r()["list"](R.r()("NULL"), R.svec(names))
    )
    ref = R.to_py(R.call("ref_chain", rx, R.fvec(y), R.ivec(foldid)))
    assert [names.index(c) for c in sel.correlation.dropped] == [int(v) - 1 for v in ref["drop"]]
    assert list(sel.correlation.kept) == list(ref["kept"])
    assert sel.lasso.lambda_min == pytest.approx(ref["lambda_min"], rel=1e-12)  # same grid value
    coefs = sel.lasso.coefficients("min")
    assert list(coefs) == list(ref["coef_names"])
    # z-scores agree to ~1e-15 and the same solver runs: measured ~1e-14
    np.testing.assert_allclose(list(coefs.values()), ref["coef"], rtol=0, atol=1e-9)
