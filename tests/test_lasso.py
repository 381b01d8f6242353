"""LASSO path and cv.glmnet (stats/lasso.py) against R's glmnet 4.1-6, run in the test.

Reference values come from reference_r/lasso.R through rpy2 on data generated here; nothing
is typed in. Data shapes follow the study: 131 lesions, a 27/104 outcome, 60 features (after
the filters) and 851 (all features), with pyradiomics-like mixed scales. Without R, glmnet's own
Fortran lognet (python-glmnet, tests/glmnet_oracle.py) is the independent oracle of the solver.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnet_oracle import fortran_path
from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.selection import radscore_from_published
from nenaudit.stats._lognet import lognet_path
from nenaudit.stats.lasso import (
    RadscoreFormula,
    apply_radscore,
    cv_lasso,
    lasso_path,
    make_foldid,
    radscore_formula,
)


def make_data(p: int, seed: int, n: int = 131, n_events: int = 27):
    """Correlated features on mixed scales; outcome 1 = 'ineffective' (104), 0 = 27."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n_events), np.ones(n - n_events)]
    rng.shuffle(y)
    latent = rng.standard_normal((n, 5))
    load = rng.normal(0, 0.8, (5, p))
    X = latent @ load + rng.standard_normal((n, p))
    k = min(8, p)
    X[:, :k] += np.outer(y - y.mean(), rng.uniform(-1.2, 1.2, k))
    X = X * rng.lognormal(0, 2, p) + rng.normal(0, 10, p)  # radiomics-like scales
    foldid = rng.permutation(np.resize(np.arange(1, 11), n))
    return X, y, foldid


def r_cv(R, X, y, foldid, measure="deviance", thresh=1e-7):
    R.source("lasso.R")
    return R.to_py(
        R.call(
            "ref_cv_lasso", R.matrix(X), R.fvec(y), R.ivec(foldid), measure=measure, thresh=thresh
        )
    )


def quiet_cv(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        return cv_lasso(*args, **kw)


# --------------------------------------------------------------------------- parity


CASES = [
    (60, "deviance", 1e-7),
    (60, "auc", 1e-7),
    (60, "deviance", 1e-14),
    (851, "deviance", 1e-7),
    (851, "auc", 1e-7),
    (851, "deviance", 1e-14),
]


@pytest.mark.parity
@pytest.mark.parametrize("p,measure,thresh", CASES)
def test_cv_glmnet_parity(R, p, measure, thresh):
    X, y, foldid = make_data(p, seed=p)
    r = r_cv(R, X, y, foldid, measure, thresh)
    check_against_r(quiet_cv(X, y, foldid=foldid, measure=measure, thresh=thresh), r, measure)


def check_against_r(py, r, measure):
    lam = np.asarray(r["lambda"], float)
    assert py.lambdas.shape == lam.shape
    # lambdas: same Fortran grid; fix.lam's exp/log may differ by an ulp
    np.testing.assert_allclose(py.lambdas, lam, rtol=1e-12)
    # CV curves: same fits; differences come only from summation order (R sums in long
    # double, BLAS vs R's matprod for the held-out predictions): measured <= 3e-14
    np.testing.assert_allclose(py.cvm, r["cvm"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(py.cvsd, r["cvsd"], rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(py.nonzero, np.asarray(r["nzero"], int))
    assert py.lambda_min == pytest.approx(r["lambda_min"], rel=1e-12)
    assert py.lambda_1se == pytest.approx(r["lambda_1se"], rel=1e-12)
    for which, key in (("min", "coef_min"), ("1se", "coef_1se")):
        coef = np.array(list(py.coefficients(which).values()))
        ref = np.asarray(r[key], float)
        # the issue asks for 1e-4; the same solver reaches ~1e-15 (measured), 1e-9 leaves room
        # for libm/BLAS differences between machines
        np.testing.assert_allclose(coef, ref, rtol=0, atol=1e-9 * max(1.0, np.abs(ref).max()))
        np.testing.assert_array_equal(coef != 0, ref != 0)  # identical non-zero sets
    assert py.measure == measure


@pytest.mark.parity
@pytest.mark.parametrize("p", [60, 851])
def test_path_parity(R, p):
    X, y, _ = make_data(p, seed=p + 1)
    R.source("lasso.R")
    r = R.to_py(R.call("ref_lasso_path", R.matrix(X), R.fvec(y)))
    # R's p x L matrix arrives column-major: one row per lambda after reshaping
    beta = np.asarray(r["beta"], float).reshape(len(r["lambda"]), p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        path = lasso_path(X, y)
    np.testing.assert_allclose(path.lambdas, r["lambda"], rtol=1e-12)  # ulp of fix.lam
    # same algorithm, same iterations (npasses): rounding-level differences, measured <= 1e-13
    np.testing.assert_allclose(path.intercept, r["a0"], rtol=1e-10, atol=1e-12)
    assert beta.shape == path.coef.shape
    np.testing.assert_allclose(path.coef, beta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.dev_ratio, r["dev_ratio"], rtol=1e-10, atol=1e-14)
    assert path.nulldev == pytest.approx(r["nulldev"], rel=1e-12)
    assert path.npasses == int(r["npasses"])  # the same iterations, not only the same optimum


@pytest.mark.parity
def test_user_lambda_grid_parity(R):
    X, y, _ = make_data(30, seed=12)
    grid = np.geomspace(0.2, 0.002, 25)
    R.source("lasso.R")
    r = R.to_py(R.call("ref_lasso_path", R.matrix(X), R.fvec(y), **{"lambda": R.fvec(grid)}))
    beta = np.asarray(r["beta"], float).reshape(len(grid), 30)
    path = lasso_path(X, y, lambdas=grid[::-1])  # any order; glmnet sorts decreasing
    np.testing.assert_array_equal(path.lambdas, r["lambda"])  # the user's values, unchanged
    np.testing.assert_allclose(path.coef, beta, rtol=1e-10, atol=1e-12)  # same algorithm
    np.testing.assert_allclose(path.intercept, r["a0"], rtol=1e-10, atol=1e-12)


@pytest.mark.parity
def test_auc_fold_with_one_class_is_left_out_as_in_r(R):
    X, y, foldid = make_data(20, seed=7)
    foldid = foldid.copy()
    foldid[(y == 0) & (foldid == 3)] = 4  # fold 3 has no event of class 0
    with pytest.warns(StatisticalWarning, match="holds one outcome class"):
        py = cv_lasso(X, y, foldid=foldid, measure="auc")
    assert any(w.startswith("fold 3 holds one outcome class") for w in py.warnings)
    r = r_cv(R, X, y, foldid, "auc")
    np.testing.assert_allclose(py.cvm, r["cvm"], rtol=1e-10)  # same fits, summation order
    np.testing.assert_allclose(py.cvsd, r["cvsd"], rtol=1e-8)
    assert py.lambda_min == pytest.approx(r["lambda_min"], rel=1e-12)


@pytest.mark.parity
def test_kernel_follows_r_on_separated_data_with_a_user_grid(R):
    """Complete separation and a user grid down to 1e-12: R 4.1 (glmnetpp) fits every lambda, while
    glmnet's Fortran (the oracle) stops when the working weights vanish. The kernel checks in R's order
    and gives R's path, pass count included; the Fortran's shorter path is a prefix of it."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(float)
    grid = np.geomspace(0.3, 1e-12, 40)
    R.source("lasso.R")
    r = R.to_py(R.call("ref_lasso_path", R.matrix(X), R.fvec(y), **{"lambda": R.fvec(grid)}))
    beta = np.asarray(r["beta"], float).reshape(len(r["lambda"]), 3)
    path = lasso_path(X, y, lambdas=grid)
    assert path.lambdas.size == len(r["lambda"]) and path.npasses == int(r["npasses"])
    np.testing.assert_allclose(path.coef, beta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.intercept, r["a0"], rtol=1e-10, atol=1e-12)
    fortran = fortran_path(X, y, lambdas=grid)
    m = fortran["lambdas"].size
    assert m < path.lambdas.size  # the difference this test is about
    np.testing.assert_allclose(fortran["coef"], path.coef[:m], rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(12, 90),
    p=st.integers(2, 120),
    prevalence=st.floats(0.15, 0.85),
    signal=st.floats(0.0, 3.0),
    binary=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_kernel_makes_the_passes_of_glmnets_fortran(n, p, prevalence, signal, binary, seed):
    """On any design (n below or above p, weak to separating signal, 0/1 features that are constant in
    some training folds), the kernel and glmnet's own Fortran lognet (the oracle) make the same number
    of passes on the same lambdas and reach the same coefficients to rounding: on the whole data (a
    default grid) and on every training fold of a 3-fold split (the fits of cv_lasso)."""
    rng = np.random.default_rng(seed)
    n1 = min(max(int(round(prevalence * n)), 3), n - 3)
    y = np.r_[np.ones(n1), np.zeros(n - n1)]
    rng.shuffle(y)
    X = rng.standard_normal((n, p))
    X[:, 0] += signal * (y - y.mean())
    if binary:
        X[:, 1] = (rng.random(n) < 0.1).astype(float)
        if np.ptp(X[:, 1]) == 0:
            X[0, 1] = 1.0 - X[0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = lasso_path(X, y)
    b = fortran_path(X, y)
    assert a.npasses == b["npasses"] and a.lambdas.size == b["lambdas"].size
    np.testing.assert_allclose(a.lambdas, b["lambdas"], rtol=1e-12)
    scale = max(1.0, np.abs(b["coef"]).max())
    np.testing.assert_allclose(a.coef, b["coef"], rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(
        a.intercept, b["intercept"], rtol=0, atol=1e-9 * max(1.0, np.abs(b["intercept"]).max())
    )
    solver = [w for w in a.warnings if "dangerous ground" not in w]  # not R's small-class warning
    assert (b["jerr"] != 0) == bool(solver)  # a solver code in one is a warning of the other
    foldid = make_foldid(n, 3, seed=seed)
    for f in (
        1,
        2,
        3,
    ):  # training folds, where a 0/1 feature may be constant (glmnet leaves it out)
        train = foldid != f
        xf, yf = X[train], y[train]
        if min(yf.sum(), (1 - yf).sum()) < 2:
            continue  # glmnet refuses a class of <= 1 (cv_lasso checks it before the fits)
        flmin = 0.01 if xf.shape[0] < p else 1e-4
        lam, a0, coef, _, nulldev, npasses, jerr = lognet_path(
            np.ascontiguousarray(xf.T),
            yf,
            flmin=flmin,
            ulam=None,
            nlam=100,
            thresh=1e-7,
            maxit=100_000,
        )
        o = fortran_path(xf, yf)
        assert (npasses, lam.size, jerr) == (o["npasses"], o["lambdas"].size, o["jerr"])
        np.testing.assert_allclose(lam[1:], o["lambdas"][1:], rtol=1e-12)  # lam[0] before fix.lam
        scale = max(1.0, np.abs(o["coef"]).max())
        np.testing.assert_allclose(coef, o["coef"], rtol=0, atol=1e-9 * scale)
        np.testing.assert_allclose(
            a0, o["intercept"], rtol=0, atol=1e-9 * max(1.0, np.abs(o["intercept"]).max())
        )
        assert nulldev == pytest.approx(o["nulldev"], rel=1e-12)


@pytest.mark.parametrize("p", [60, 851])
def test_kernel_agrees_with_glmnets_fortran_on_the_study_shapes(p):
    """The study's shapes against the oracle (no R needed): the same passes and lambdas, the
    coefficients to rounding, on glmnet's default grid and on a user grid."""
    X, y, _ = make_data(p, seed=p + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        path = lasso_path(X, y)
    o = fortran_path(X, y)
    assert path.npasses == o["npasses"]
    np.testing.assert_allclose(path.lambdas, o["lambdas"], rtol=1e-12)  # ulp of fix.lam
    np.testing.assert_allclose(path.coef, o["coef"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.intercept, o["intercept"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.dev_ratio, o["dev_ratio"], rtol=1e-10, atol=1e-14)
    grid = np.geomspace(path.lambdas[1], path.lambdas[-1], 30)
    user, o = lasso_path(X, y, lambdas=grid), fortran_path(X, y, lambdas=grid)
    np.testing.assert_array_equal(user.lambdas, o["lambdas"])
    np.testing.assert_allclose(user.coef, o["coef"], rtol=1e-10, atol=1e-12)
    assert user.npasses == o["npasses"]


# --------------------------------------------------------------------------- behaviour


def test_threads_do_not_change_numbers():
    X, y, foldid = make_data(60, seed=3)
    a = quiet_cv(X, y, foldid=foldid, n_jobs=1)
    b = quiet_cv(X, y, foldid=foldid, n_jobs=2)
    np.testing.assert_array_equal(a.cvm, b.cvm)
    np.testing.assert_array_equal(a.cvsd, b.cvsd)
    np.testing.assert_array_equal(a.path.coef, b.path.coef)


def test_solver_warnings_are_recorded():
    """A non-fatal solver code (R: 'Convergence for 3th lambda value not reached') is kept, at the
    lambda where glmnet's Fortran (the oracle) stops too."""
    X, y, foldid = make_data(20, seed=4)
    with pytest.warns(StatisticalWarning, match="not reached after maxit=5"):
        path = lasso_path(X, y, maxit=5)
    jerr = fortran_path(X, y, maxit=5)["jerr"]
    assert jerr < 0 and any(
        w.startswith(f"glmnet: convergence for {-jerr}th lambda value not reached")
        for w in path.warnings
    ), (jerr, path.warnings)
    assert path.lambdas.size >= 1


def test_seeded_folds_reproducible_and_balanced():
    f1, f2 = make_foldid(131, 10, seed=42), make_foldid(131, 10, seed=42)
    np.testing.assert_array_equal(f1, f2)
    counts = np.bincount(f1)[1:]
    assert counts.size == 10 and counts.max() - counts.min() <= 1
    X, y, _ = make_data(30, seed=5)
    a = quiet_cv(X, y, nfolds=10, seed=42)
    np.testing.assert_array_equal(a.foldid, f1)


def test_radscore_is_the_linear_predictor_at_lambda_min():
    X, y, foldid = make_data(60, seed=11)
    names = [f"f{j}" for j in range(60)]
    cv = quiet_cv(pd.DataFrame(X, columns=names), y, foldid=foldid)
    formula = radscore_formula(cv, "min")
    assert set(formula.coefficients) == set(cv.selected("min"))
    table = pd.DataFrame(X, columns=names)
    np.testing.assert_allclose(
        formula.apply(table), cv.path.link(X)[:, cv.index_min], rtol=1e-12, atol=1e-12
    )
    without = formula.apply(table, include_intercept=False)
    np.testing.assert_allclose(formula.apply(table) - without, formula.intercept, rtol=1e-12)


def test_apply_published_formula():
    # the Feng et al. 2025 formula (section 3.2), transcribed as strings, on a made-up table
    terms = {"Original_RootMeanSquared": "-0.429", "Original_Correlation": "1.054"}
    table = pd.DataFrame(
        {"Original_RootMeanSquared": [1.0, -1.0], "Original_Correlation": [0.5, 2.0], "x": [0, 0]}
    )
    got = apply_radscore(terms, table, include_intercept=False)
    np.testing.assert_allclose(got, [-0.429 * 1.0 + 1.054 * 0.5, -0.429 * -1.0 + 1.054 * 2.0])
    with pytest.raises(NenauditError, match="no intercept"):
        apply_radscore(terms, table)
    with pytest.raises(
        NenauditError, match="'Wavelet_LLH_Imc1' of the Radscore formula is not a column"
    ):
        apply_radscore({"Wavelet_LLH_Imc1": 0.96}, table, include_intercept=False)
    with pytest.raises(NenauditError, match="not a number"):
        apply_radscore({"x": "0.00s0"}, table, include_intercept=False)
    f = RadscoreFormula(coefficients={"x": 1.0}, intercept=2.0)
    np.testing.assert_allclose(f.apply(table), [2.0, 2.0])


def test_published_formula_resolves_names_to_pyradiomics_keys():
    from nenaudit.study.schema import load

    rs = load().radiomics["radscore"]  # Feng et al. 2025, section 3.2, as transcribed in the spec
    f = radscore_from_published(rs["terms"], source=rs["where"])
    assert len(f.coefficients) == 9 and f.intercept is None
    assert f.coefficients["wavelet-LLH_glcm_Imc1"] == 0.960
    assert f.coefficients["original_firstorder_RootMeanSquared"] == -0.429
    assert f.unresolved == ("WaveletH_LLHH_RunVariance",)  # a 4-letter 3-D wavelet does not exist
    table = pd.DataFrame({k: [0.5, -1.0] for k in f.coefficients if k not in f.unresolved})
    with pytest.raises(
        NenauditError, match="'WaveletH_LLHH_RunVariance' of the Radscore formula is not a column"
    ):
        f.apply(table, include_intercept=False)
    resolved = RadscoreFormula({k: v for k, v in f.coefficients.items() if k not in f.unresolved})
    expected = sum(v * table[k] for k, v in resolved.coefficients.items())
    np.testing.assert_allclose(resolved.apply(table, include_intercept=False), expected, rtol=1e-15)


def test_summary_json_shape():
    X, y, foldid = make_data(12, seed=2)
    cv = quiet_cv(X, y, foldid=foldid)
    s = cv.summary()
    assert list(s["coefficients_min"])[0] == "(Intercept)"
    assert len(s["coefficients_min"]) == 13  # intercept + every feature, zeros included
    assert {"lambda", "mean", "se", "nonzero"} == set(s["cv"][0])
    assert len(s["cv"]) == cv.lambdas.size
    assert cv.lambda_1se >= cv.lambda_min


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda X, y: (np.where(np.arange(X.shape[0])[:, None] == 4, np.nan, X), y), "row 5: NaN"),
        (
            lambda X, y: (np.where(np.arange(X.shape[0])[:, None] == 2, np.inf, X), y),
            "row 3: infinite",
        ),
        (lambda X, y: (np.column_stack([X, np.full(X.shape[0], 3.0)]), y), "constant feature"),
        (lambda X, y: (X, np.r_[y[:-1], 2.0]), "coded 0/1"),
        (lambda X, y: (X[:, :1], y), "at least 2 feature columns"),
        (
            lambda X, y: (X, np.r_[np.zeros(5), np.ones(X.shape[0] - 5)]),
            "only 5 observations have outcome 0",
        ),
    ],
)
def test_bad_input_is_refused(mutate, match):
    X, y, _ = make_data(6, seed=1)
    X2, y2 = mutate(X, y)
    with pytest.raises(NenauditError, match=match):
        cv_lasso(X2, y2, nfolds=10, seed=1)


def test_duplicate_names_and_bad_foldid():
    X, y, foldid = make_data(4, seed=1)
    with pytest.raises(NenauditError, match="'a' appears twice"):
        cv_lasso(pd.DataFrame(X, columns=["a", "b", "a", "c"]), y, foldid=foldid)
    with pytest.raises(NenauditError, match="fold 3 is empty"):
        cv_lasso(X, y, foldid=np.where(foldid == 3, 2, foldid))
    with pytest.raises(NenauditError, match="at least 3"):
        cv_lasso(X, y, foldid=np.resize([1, 2], y.size))
    with pytest.raises(NenauditError, match="measure"):
        cv_lasso(X, y, foldid=foldid, measure="mse")


def test_small_folds_switch_auc_to_deviance_with_warning():
    X, y, _ = make_data(5, seed=9, n=60, n_events=25)
    with pytest.warns(StatisticalWarning, match="changed to type.measure='deviance'"):
        cv = cv_lasso(X, y, nfolds=10, seed=1, measure="auc")
    assert cv.measure == "deviance"


# --------------------------------------------------------------------------- properties


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0), j=st.integers(0, 5))
def test_feature_scale_equivariance(seed, scale, j):
    """glmnet standardizes internally: rescaling a feature rescales its coefficient only."""
    X, y, foldid = make_data(6, seed=seed, n=80, n_events=30)
    a = quiet_cv(X, y, foldid=foldid, n_jobs=1)
    X2 = X.copy()
    X2[:, j] *= scale
    b = quiet_cv(X2, y, foldid=foldid, n_jobs=1)
    assert a.lambdas.shape == b.lambdas.shape
    # the standardized problem is the same up to rounding of the scaling: tolerances at the
    # level of the solver's own convergence threshold (1e-7) are not needed, 1e-6 relative is loose
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-9)
    np.testing.assert_allclose(a.cvm, b.cvm, rtol=1e-6)
    np.testing.assert_allclose(a.path.coef[:, j], b.path.coef[:, j] * scale, rtol=1e-5, atol=1e-8)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 1000))
def test_fold_relabelling_invariance(seed, perm_seed):
    """Renaming the folds (a permutation of 1..K) changes nothing but summation order."""
    X, y, foldid = make_data(5, seed=seed, n=70, n_events=25)
    relabel = np.random.default_rng(perm_seed).permutation(10) + 1
    a = quiet_cv(X, y, foldid=foldid, n_jobs=1)
    b = quiet_cv(X, y, foldid=relabel[foldid - 1], n_jobs=1)
    np.testing.assert_allclose(a.cvm, b.cvm, rtol=1e-12)  # summation order only
    np.testing.assert_allclose(a.cvsd, b.cvsd, rtol=1e-9)
    assert a.index_min == b.index_min or np.isclose(
        a.cvm[a.index_min], a.cvm[b.index_min], rtol=1e-12
    )
    assert a.lambda_1se >= a.lambda_min


@pytest.mark.parity
def test_bootstrap_resamples_pick_r_lambda_min(R):
    """Inside a bootstrap (duplicated rows), lambda.min and the selected set agree with R every time."""
    X, y, foldid = make_data(60, seed=21)
    rng = np.random.default_rng(99)
    for _ in range(8):
        idx = rng.integers(0, y.size, y.size)
        Xb, yb = X[idx], y[idx]
        if min(yb.sum(), (1 - yb).sum()) < 10:
            continue
        py = quiet_cv(Xb, yb, foldid=foldid)
        r = r_cv(R, Xb, yb, foldid)
        assert py.lambda_min == pytest.approx(
            r["lambda_min"], rel=1e-12
        )  # same grid value (fix.lam ulp)
        assert py.lambda_1se == pytest.approx(r["lambda_1se"], rel=1e-12)
        coef = np.array(list(py.coefficients("min").values()))
        np.testing.assert_array_equal(coef != 0, np.asarray(r["coef_min"]) != 0)
        np.testing.assert_allclose(
            coef, r["coef_min"], rtol=0, atol=1e-9
        )  # as in test_cv_glmnet_parity
