"""Riley & Collins' instability measures (stats/instability.py) against base R (reference_r/instability.R),
from the same matrix of bootstrap predictions; and the pipeline's instability whatever the workers."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from nenaudit.exceptions import NenauditError
from nenaudit.pipeline import instability_of
from nenaudit.stats.calibration import calibrate_grid
from nenaudit.stats.dca import threshold_grid
from nenaudit.stats.instability import pipeline_instability, selection_frequency
from nenaudit.stats.validation import ScreenBackwardProcedure, pipeline_optimism


def _data(seed, n=120, k=10):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, k)), columns=[f"x{j}" for j in range(k)])
    y = (rng.random(n) < special.expit(-0.4 + 0.9 * X["x0"] - 0.6 * X["x1"])).astype(float)
    return X, y


def _bootstrap(seed, jobs=1, n_boot=30):
    X, y = _data(seed)
    proc = ScreenBackwardProcedure(tuple(X.columns), entry=0.2, stay=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = pipeline_optimism(X, y, proc, n_boot=n_boot, seed=seed, jobs=jobs)
    model = proc(X, y)
    prob = special.expit(model.predict_lp(X))
    return X, y, boot, model, prob


def _r_matrix(flat, shape):
    return np.array([np.nan if v is None else v for v in flat], dtype=float).reshape(
        shape, order="F"
    )


@pytest.mark.parity
@pytest.mark.parametrize("seed,t", [(1, 0.5), (2, 0.3), (3, 0.62)])
def test_every_statistic_matches_base_r_from_the_same_bootstrap_predictions(R, seed, t):
    R.source("dca.R")
    R.source("instability.R")
    X, y, boot, model, prob = _bootstrap(seed)
    P = boot.predictions
    assert P.shape == (boot.n_ok, y.size)
    tg = threshold_grid(0.01, 0.99, 0.01)
    res = instability_of(boot, y, prob, model, threshold=t, dca_thresholds=tg)
    grid = calibrate_grid(prob)
    ref = R.to_py(
        R.call(
            "instability_base", R.fvec(y), R.fvec(prob), R.matrix(P), t, R.fvec(grid), R.fvec(tg)
        )
    )
    # the same sums, quantiles, lowess and approx in the same order: 1e-12 (the tolerance)
    tol = dict(rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.mape_individual, ref["mape_i"], **tol)
    assert res.mape == pytest.approx(ref["mape"], abs=1e-12)
    np.testing.assert_allclose(res.lower, ref["lower"], **tol)
    np.testing.assert_allclose(res.upper, ref["upper"], **tol)
    np.testing.assert_allclose(res.cii_individual, ref["cii_i"], **tol)
    assert res.cii == pytest.approx(ref["cii"], abs=1e-12)
    np.testing.assert_allclose(
        res.calibration_original, _r_matrix(ref["cal_orig"], grid.shape), **tol
    )
    np.testing.assert_allclose(
        res.calibration_curves, _r_matrix(ref["curves"], (P.shape[0], grid.size)), **tol
    )
    assert res.calibration_mad == pytest.approx(ref["cal_mad"], abs=1e-12)
    np.testing.assert_allclose(res.net_benefit_original, ref["nb0"], **tol)
    np.testing.assert_allclose(res.net_benefit, _r_matrix(ref["nb"], (P.shape[0], tg.size)), **tol)
    np.testing.assert_allclose(res.net_benefit_lower, ref["nb_lower"], **tol)
    np.testing.assert_allclose(res.net_benefit_upper, ref["nb_upper"], **tol)
    # selection frequencies of the final model's predictors, over the same selected sets
    sf = res.selection["predictors"]
    sets = [s["predictors"] for s in boot.selected]
    rsets = R.r()["list"](*[R.svec(s) for s in sets])
    ref_f = R.to_py(R.call("selection_base", rsets, R.svec(sf.names)))
    np.testing.assert_allclose(sf.frequency, np.atleast_1d(ref_f), rtol=0, atol=1e-12)
    assert sf.original == tuple(model.names) and sf.n == boot.n_ok


def test_a_perfectly_stable_procedure_has_no_instability():
    X, y = _data(4)
    p = special.expit(0.8 * X["x0"].to_numpy())
    P = np.tile(p, (7, 1))
    res = pipeline_instability(y, p, P, threshold=0.4)
    assert res.mape == 0.0 and res.cii == 0.0 and res.calibration_mad == 0.0
    np.testing.assert_array_equal(res.net_benefit, np.tile(res.net_benefit_original, (7, 1)))
    sf = selection_frequency([("a", "b")] * 5, ("a", "b"))
    assert sf.mean_original == 1.0 and sf.n_distinct_sets == 1


def test_mape_and_cii_grow_with_the_spread_of_the_bootstrap_models():
    X, y = _data(5)
    p = special.expit(X["x0"].to_numpy())
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(25, y.size))
    small = pipeline_instability(y, p, special.expit(special.logit(p) + 0.1 * noise), threshold=0.5)
    large = pipeline_instability(y, p, special.expit(special.logit(p) + 1.0 * noise), threshold=0.5)
    assert small.mape < large.mape and small.cii < large.cii


def test_bad_inputs_are_refused_with_what_to_do():
    X, y = _data(6)
    p = special.expit(X["x0"].to_numpy())
    with pytest.raises(NenauditError, match="B x 120"):
        pipeline_instability(y, p, np.ones((3, 7)) * 0.5)
    with pytest.raises(NenauditError, match="plogis"):
        pipeline_instability(y, p, np.tile(special.logit(p), (3, 1)))
    with pytest.raises(NenauditError, match="strictly between"):
        pipeline_instability(y, p, np.tile(p, (3, 1)), threshold=1.0)
    with pytest.raises(NenauditError, match="no usable resample"):
        selection_frequency([])


def test_same_seed_same_numbers_with_one_and_two_workers():
    _, y, b1, m1, p1 = _bootstrap(7, jobs=1, n_boot=16)
    _, _, b2, m2, p2 = _bootstrap(7, jobs=2, n_boot=16)
    assert b1.predictions.tobytes() == b2.predictions.tobytes() and b1.selected == b2.selected
    s1 = instability_of(b1, y, p1, m1, 0.5).summary()
    s2 = instability_of(b2, y, p2, m2, 0.5).summary()
    assert json.dumps(s1, sort_keys=True) == json.dumps(s2, sort_keys=True)


def test_the_pipeline_reports_its_instability_identically_with_one_and_two_workers():
    from nenaudit.cohort import load_cohort
    from nenaudit.io import dumps_json
    from nenaudit.pipeline import PipelineConfig, run_pipeline

    cohort = load_cohort()
    a = run_pipeline(cohort, PipelineConfig(n_boot=4, seed=3, jobs=1))
    b = run_pipeline(cohort, PipelineConfig(n_boot=4, seed=3, jobs=2))
    ia, ib = a.instability, b.instability
    assert ia is not None and ia["n_boot"] == a.validation["pipeline"].n_ok
    assert dumps_json(ia) == dumps_json(ib)  # strict JSON, byte for byte
    assert (
        a.arrays["instability"].net_benefit.tobytes()
        == b.arrays["instability"].net_benefit.tobytes()
    )
    feats = ia["selection"]["features"]
    assert feats["original"] == list(a.selection["radscore"]["coefficients"])
    assert set(feats["original"]) <= set(feats["frequency"])
    # the threshold is the risk at Youden's cut point of the final model
    from nenaudit.pipeline import youden_risk_threshold

    assert ia["threshold"] == youden_risk_threshold(a.arrays["y"], a.arrays["lp"])


def test_validate_pipeline_reports_the_instability_whatever_the_workers():
    from clirun import nenaudit

    runs = [
        nenaudit(
            "validate",
            "--scheme",
            "pipeline",
            "--clinical-only",
            "--boot",
            "10",
            "--seed",
            "4",
            "--jobs",
            j,
            "--json",
        )
        for j in (1, 2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    a, b = (json.loads(r.stdout) for r in runs)
    assert (
        a["instability"] == b["instability"] and a["instability"]["n_boot"] == a["result"]["n_ok"]
    )
    assert set(a["instability"]["selection"]["predictors"]["original"]) <= set(a["variables"])
    text = nenaudit(
        "validate", "--scheme", "pipeline", "--clinical-only", "--boot", "10", "--seed", "4"
    )
    assert f"MAPE {a['instability']['mape']:.4f}" in text.stdout


def test_a_constant_developed_model_is_a_reported_outcome_not_a_crash():
    X, y = _data(8)
    p = np.full(y.size, y.mean())
    P = np.vstack([p, special.expit(X["x0"].to_numpy())])
    res = pipeline_instability(y, p, P, threshold=0.5)
    assert np.isnan(res.calibration_mad) and any("constant" in n for n in res.notes)
    assert res.mape == pytest.approx(np.abs(P - p).mean(), abs=1e-15)
