"""The noise twin from the spec alone (simulate/twin.py), `simulate null --study` on a spec without a lesion
table, and `audit --noise-twin` (audit/noise_twin.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nenaudit.simulate.twin import _source, twin_cohort, twin_config
from nenaudit.study.schema import load, validate

BMC = "tests/specs/bmccancer2020_spn_radiomic.json"


def _spec(**sample):
    raw = json.loads(json.dumps(load().raw))
    raw["pipeline"]["sample"][0].update(sample)
    return raw


def test_the_twin_has_the_stated_design_and_the_same_bytes_for_the_same_seed():
    study = load()
    a = twin_cohort(study, np.random.default_rng(3))
    b = twin_cohort(study, np.random.default_rng(3))
    p = study.pipeline.development
    les = a.lesions
    assert len(les) == p.units and int(les["outcome"].sum()) == p.events
    assert les["patient_id"].nunique() == p.patients
    assert les.groupby("patient_id").size().max() <= p.max_units_per_patient
    assert (
        les.groupby("patient_id")["outcome"].nunique().max() == 1
    )  # a unit's outcome is its patient's
    assert a.features.shape == (p.units, study.pipeline.n_features)
    reread = a.observers.groupby(["observer", "repeat"]).size()
    assert list(reread) == [study.pipeline.resegmented] * 2
    # clinical candidates from the tables' margins: a categorical row keeps its printed levels
    levels = [lv.level for lv in study.table("table2").row("Extrahepatic metastasis").levels]
    assert set(les["Extrahepatic metastasis"]) <= set(levels)
    for x, y in ((a.features, b.features), (a.observers, b.observers), (a.lesions, b.lesions)):
        assert x.equals(y)


def test_the_features_keep_the_shipped_extractions_correlations():
    n = 3000
    study = validate(_spec(units=n, events=2000, patients=n, max_units_per_patient=1))
    raw = json.loads(json.dumps(study.raw))
    raw["pipeline"]["features"]["count"] = 30
    study = validate(raw)
    c = twin_cohort(study, np.random.default_rng(5))
    feats, m, s, Z, _ = _source()
    cols = [feats.index(f) for f in c.feature_names]
    src = np.corrcoef(Z[:, cols], rowvar=False)
    twin = np.corrcoef(c.features.to_numpy(), rowvar=False)
    # a Gaussian combination of the source rows has the source's covariance exactly in expectation; the twin's
    # sample correlation errs by at most (1 - r^2) / sqrt(n) per SE, 5 SE over 435 pairs
    assert np.max(np.abs(twin - src)) < 5 / np.sqrt(n)


def test_more_features_than_the_source_are_independent_copies():
    raw = json.loads(json.dumps(load().raw))
    raw["pipeline"]["features"]["count"] = len(_source()[0]) + 49
    c = twin_cohort(validate(raw), np.random.default_rng(1))
    assert len(c.feature_names) == len(_source()[0]) + 49
    assert sum(n.endswith("~2") for n in c.feature_names) == 49


def test_the_declared_steps_set_the_pipeline():
    study = load()
    cfg = twin_config(
        study, __import__("nenaudit.pipeline", fromlist=["PipelineConfig"]).PipelineConfig()
    )
    assert (cfg.selection.icc_threshold, cfg.selection.spearman_cutoff, cfg.selection.nfolds) == (
        0.75,
        0.9,
        10,
    )
    assert (cfg.entry, cfg.stay) == (0.05, 0.05)
    bmc = twin_config(load(BMC), cfg)
    assert (bmc.entry, bmc.stay) == (1.0, 1.0) and bmc.candidates == ("CT sign 1", "CT sign 2")


def test_simulate_null_on_a_spec_without_cohort_files_local_and_dask_agree(tmp_path):
    from clirun import nenaudit

    args = [
        "simulate",
        "null",
        "--study",
        BMC,
        "--cohorts",
        "2",
        "--boot",
        "2",
        "--max-features",
        "30",
        "--seed",
        "3",
        "--quiet",
        "--json",
    ]
    a = nenaudit(*args, "--out", tmp_path / "local")
    b = nenaudit(*args, "--out", tmp_path / "dask", "--backend", "dask", "--jobs", "2")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    sa, sb = json.loads(a.stdout), json.loads(b.stdout)
    assert sa["spec"]["twin"] is True and sa["scales"] == sb["scales"]
    assert sa["printed"] == {
        "radscore": 0.853,
        "fusion": 0.857,
        "radscore_validation": 0.853,
        "fusion_validation": 0.857,
    }  # printed without a cohort: set against both
    m = sa["scales"]["1"]["metrics"]
    assert (
        m["auc_fusion"]["n"]
        + sa["scales"]["1"]["status"]["error"]
        + sa["scales"]["1"]["status"]["empty_model"]
        == 2
    )
    assert m["auc_validation_fusion"]["n"] == m["auc_fusion"]["n"]


def test_audit_without_the_option_says_how_to_run_the_noise_twin():
    from clirun import nenaudit

    p = nenaudit("audit", "--json")
    hint = [f for f in json.loads(p.stdout) if f["check"] == "noise_twin"]
    assert (
        len(hint) == 1 and "--noise-twin 200" in hint[0]["detail"] and hint[0]["verdict"] == "note"
    )


def test_audit_noise_twin_percentiles_are_the_twins_ecdf(tmp_path):
    from nenaudit.audit.noise_twin import noise_twin_findings
    from nenaudit.simulate.store import Store

    study = load()
    out = tmp_path / "twin"
    fs = noise_twin_findings(study, 3, boot=2, max_features=40, out=out)
    with Store(out, create=False) as s:
        rows = list(s.rows())
    by = {f.id: f for f in fs}
    for key, printed in (("fusion", 0.928), ("radscore", 0.852)):
        vals = [
            r["metrics"]["auc_" + key] for r in rows if r["metrics"].get("auc_" + key) is not None
        ]
        f = by.get(f"noise_twin:{key}")
        if not vals:
            assert f.verdict == "not-reproducible"
            continue
        assert f.recomputed["percentile"] == pytest.approx(
            100 * np.mean(np.array(vals) <= printed), abs=1e-12
        )
        assert f.recomputed["reaching"] == sum(v >= printed for v in vals)
    opt = sorted(
        r["metrics"]["optimism_pipeline"]
        for r in rows
        if r["metrics"].get("optimism_pipeline") is not None
    )
    val = [f for f in fs if f.id.startswith("noise_twin:validated:")]
    assert val and all(
        f.recomputed["expected_optimism"] == pytest.approx(float(np.median(opt)), abs=1e-15)
        for f in val
    )
    # the embedded paper's 'validated' 0.928 equals its apparent AUC: compatible only if the optimism is ~0
    assert all((f.verdict == "consistent") == (np.quantile(opt, 0.05) <= 0.0005) for f in val)
