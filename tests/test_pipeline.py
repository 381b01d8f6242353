"""The paper's pipeline end to end: against plain R on the default cohort, and its invariants."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.cohort import load_cohort
from nenaudit.pipeline import (
    RADSCORE,
    PaperProcedure,
    PipelineConfig,
    observer_readings,
    run_pipeline,
)
from nenaudit.stats.discrimination import roc_auc
from nenaudit.stats.features import icc_filter
from nenaudit.stats.logistic import fit_logistic


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


@pytest.fixture(scope="module")
def result(cohort):
    return run_pipeline(cohort, PipelineConfig(n_boot=12, seed=5))


def _fitted(cohort, cfg=None):
    cfg = cfg or PipelineConfig()
    icc = icc_filter(
        observer_readings(cohort),
        threshold=cfg.selection.icc_threshold,
        form=cfg.selection.icc_form,
    )
    from nenaudit.pipeline import _candidates

    cands = _candidates(cfg, cohort)
    clinical = [c for c in cands if c != RADSCORE]
    coded = cohort.coded_lesions()
    X = pd.concat(
        [
            coded[clinical].reset_index(drop=True).astype(float),
            cohort.features[cohort.feature_names].reset_index(drop=True).astype(float),
        ],
        axis=1,
    )
    proc = PaperProcedure(tuple(cohort.feature_names), cands, cfg, icc.icc)
    return proc(X, cohort.outcome.astype(float)), X, icc, clinical


def test_pipeline_matches_plain_r(R, cohort):
    model, X, icc, clinical = _fitted(cohort)
    cands = [u.name for u in model.clinical.univariable]
    sel = model.selection
    y = cohort.outcome.astype(float)
    feats = X[list(icc.kept)]
    foldid = np.asarray(sel.lasso.foldid)
    foldid = foldid + 1 if foldid.min() == 0 else foldid
    R.source("pipeline.R")
    rclin = R.r()["data.frame"](**{c: R.fvec(X[c]) for c in clinical}, check_names=False)
    ref = R.to_py(
        R.call(
            "pipeline_ref",
            R.matrix(feats.to_numpy()),
            rclin,
            R.fvec(y),
            R.ivec(foldid),
            names=R.svec(list(icc.kept)),
            candidates=R.svec(cands),
        )
    )
    assert list(sel.correlation.kept) == list(
        ref["kept"]
    )  # same Spearman/findCorrelation survivors, same order
    # the solver makes glmnet's passes (stats/_lognet.py); the CV logic is cv.glmnet's: agreement to rounding
    assert sel.lasso.lambda_min == pytest.approx(ref["lambda_min"], rel=1e-10)
    assert list(sel.selected) == list(ref["selected"])
    rad = model.radscore(X[list(cohort.feature_names)])
    # glmnet's default thresh = 1e-7 is shared, so the coefficients are the same iterates (not the optimum)
    np.testing.assert_allclose(rad, ref["radscore"], rtol=1e-8, atol=1e-10)
    make_names = {re.sub(r"[^0-9A-Za-z_.]", ".", c): c for c in [*clinical, RADSCORE]}
    assert list(model.terms) == [make_names[t] for t in np.atleast_1d(ref["terms"])]
    # glm fit on the same Radscore column: IRLS agreement, limited by the Radscore's 1e-8 above
    np.testing.assert_allclose(model.coef, ref["coef"], rtol=1e-6)
    assert roc_auc(y, rad, "<").auc == pytest.approx(ref["auc_radscore"], abs=1e-12)
    lp = model.predict_lp(X)
    assert roc_auc(y, lp, "<").auc == pytest.approx(ref["auc_fusion"], abs=1e-12)


def test_result_numbers_are_the_stats_functions(cohort, result):
    y = cohort.outcome.astype(float)
    lp, rad = result.arrays["lp"], result.arrays["radscore"]
    assert result.auc["fusion model"]["auc"] == roc_auc(y, lp, "<").auc
    assert result.auc["Radscore"]["auc"] == roc_auc(y, rad, "<").auc
    d = pd.DataFrame(
        {
            t: (rad if t == RADSCORE else cohort.coded_lesions()[t].to_numpy(float))
            for t in result.final_terms
        }
    )
    fit = fit_logistic(d.to_numpy(), y, names=list(result.final_terms))
    for j, t in enumerate(result.final_terms, start=1):
        assert result.multivariable[t]["or"] == pytest.approx(np.exp(fit.coef[j]), rel=1e-12)
        assert result.multivariable[t]["ci"] == pytest.approx(
            np.exp(fit.ci_profile[j]).tolist(), rel=1e-12
        )
    assert result.n_lesions == 131 and result.n_patients == cohort.patients.shape[0]
    for key, v in result.validation.items():
        assert v.n_boot == 12 and v.n_ok + sum(v.failures.values()) == v.n_boot, key


def test_same_seed_same_numbers_whatever_the_workers(cohort):
    a = run_pipeline(cohort, PipelineConfig(n_boot=6, seed=9, jobs=1))
    b = run_pipeline(cohort, PipelineConfig(n_boot=6, seed=9, jobs=2))
    for key in a.validation:
        da, db = a.validation[key].to_dict(), b.validation[key].to_dict()
        da.pop("jobs", None), db.pop("jobs", None)  # the only field allowed to differ
        assert json.dumps(da, sort_keys=True) == json.dumps(db, sort_keys=True), key


def run_cli(*args):
    return nenaudit(*args)


def test_reproduce_writes_a_complete_report(tmp_path):
    out = tmp_path / "results"
    p = run_cli("reproduce", "--boot", "4", "--out", str(out), "--quiet", "--no-crosscheck")
    assert p.returncode == 0, p.stderr
    assert {
        "report.html",
        "report.md",
        "results.json",
        "roc.png",
        "calibration.png",
        "dca.png",
        "nomogram.png",
        "lasso_cv.png",
    } <= {f.name for f in out.iterdir()}
    assert not (tmp_path / "results.part").exists()
    md = (out / "report.md").read_text()
    for section in (
        "## Radiomics selection",
        "## Table 2",
        "## Table 3",
        "## Discrimination",
        "## Validation",
        "## Calibration",
        "## Decision curve",
        "## Nomogram",
        "## Parity with R",
    ):
        assert section in md
    assert (
        "--no-crosscheck was given" in (out / "report.html").read_text()
    )  # says why parity is not there
    data = json.loads((out / "results.json").read_text())
    assert set(data["validation"]) == {"published", "harrell", "cluster", "pipeline"}
    assert "report:" in p.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--boot", "0"], "--boot"),
        (["--jobs", "0"], "--jobs"),
        (["/nonexistent/cohort"], "/nonexistent/cohort"),
    ],
)
def test_reproduce_bad_input_exit_2(tmp_path, args, needle):
    p = run_cli("reproduce", *args, "--out", str(tmp_path / "r"), "--quiet")
    assert p.returncode == 2 and needle in p.stderr and len(p.stderr.strip().splitlines()) == 1, (
        p.stderr
    )
    assert not (tmp_path / "r").exists()


def test_keep_separated_keeps_and_counts_them(cohort):
    drop = run_pipeline(cohort, PipelineConfig(n_boot=15, seed=2))
    keep = run_pipeline(cohort, PipelineConfig(n_boot=15, seed=2, keep_separated=True))
    for key in ("harrell", "cluster", "pipeline"):
        d, k = drop.validation[key], keep.validation[key]
        assert k.failures["separation"] == 0 and d.kept_separated == 0
        # every resample that separated is either left out (drop) or kept and counted (keep)
        assert k.n_ok + sum(k.failures.values()) == 15 == d.n_ok + sum(d.failures.values())
        assert (
            k.kept_separated == d.failures["separation"]
            and k.n_ok == d.n_ok + d.failures["separation"]
        ), key


def test_tied_hosmer_lemeshow_cut_points_are_a_reported_outcome():
    """A final model with three distinct predictions (null simulation replicate 42 of the acceptance run had one):
    hoslem.test would stop on tied cut points; the pipeline keeps every other calibration statistic, sets the test
    to None and says why in a warning, instead of failing the run."""
    from nenaudit.exceptions import NenauditError, StatisticalWarning
    from nenaudit.pipeline import apparent_calibration
    from nenaudit.stats.calibration import calibration_fit, hosmer_lemeshow

    rng = np.random.default_rng(4)
    lp = rng.choice([-1.5, 0.2, 1.1], size=131, p=[0.2, 0.5, 0.3])
    y = (rng.random(131) < 1 / (1 + np.exp(-lp))).astype(float)
    with pytest.raises(NenauditError, match="tied cut points"):
        hosmer_lemeshow(y, 1 / (1 + np.exp(-lp)))
    with pytest.warns(
        StatisticalWarning, match="Hosmer-Lemeshow test not computed: the 10 risk groups have tied"
    ):
        cal = apparent_calibration(y, lp)
    assert cal["hosmer_lemeshow"] is None
    assert cal["fit"] == calibration_fit(y, lp=lp)
    assert np.isfinite(cal["errors"].ici)
    # a model with many distinct predictions still gets the test
    lp2 = rng.normal(0, 1, 131)
    assert apparent_calibration(y, lp2)["hosmer_lemeshow"].g == 10
