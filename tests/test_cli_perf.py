"""End-to-end: the performance verbs ``nenaudit auc``, ``nenaudit dca`` and ``nenaudit validate``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import special

from clirun import nenaudit
from nenaudit.io import STABLE_DIGITS


def run(*args):
    return nenaudit(*args)


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 131
    x = rng.normal(size=n)
    y = (rng.random(n) < special.expit(1.3 + 1.4 * x)).astype(int)
    d = pd.DataFrame(
        {
            "y": y,
            "score": np.round(x, 2),
            "other": np.round(x + rng.normal(size=n), 2),
            "prob": special.expit(1.2 + 1.3 * x),
        }
    )
    p = tmp_path_factory.mktemp("perf") / "data.csv"
    d.to_csv(p, index=False)
    return p, d


@pytest.mark.parity
def test_auc_json_matches_proc(R, csv):
    path, d = csv
    p = run("auc", str(path), "--outcome", "y", "--score", "score", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert {"auc", "ci", "method", "n_pos", "n_neg", "youden"} <= set(out)
    assert {"threshold", "sensitivity", "specificity"} <= set(out["youden"])
    R.source("discrimination.R")
    ref = R.to_py(R.call("disc_roc", R.fvec(d.y), R.fvec(d.score)))
    yd = R.to_py(R.call("disc_youden", R.fvec(d.y), R.fvec(d.score)))
    # the JSON carries full doubles: the stats-level tolerances apply (AUC 1e-12, DeLong CI 1e-8)
    assert out["auc"] == pytest.approx(ref["auc"], abs=1e-12)
    np.testing.assert_allclose(
        out["ci"], [ref["ci"][0], ref["ci"][2]], atol=1e-8
    )  # pROC: lower, auc, upper
    assert out["method"] == "delong"
    assert (out["n_pos"], out["n_neg"]) == (int(d.y.sum()), int((1 - d.y).sum()))
    thr = yd["threshold"] if isinstance(yd["threshold"], float) else yd["threshold"][0]
    assert out["youden"]["threshold"] == pytest.approx(thr, abs=1e-12)


def test_auc_bootstrap_and_compare(csv):
    path, _ = csv
    p = run(
        "auc",
        str(path),
        "--outcome",
        "y",
        "--score",
        "score",
        "--ci",
        "bootstrap",
        "--boot",
        "300",
        "--seed",
        "5",
        "--compare",
        "other",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["method"] == "bootstrap" and out["n_boot"] == 300 and out["seed"] == 5
    assert out["ci"][0] <= out["auc"] <= out["ci"][1]
    assert out["compare"]["score2"] == "other" and 0 <= out["compare"]["p"] <= 1
    again = json.loads(
        run(
            "auc",
            str(path),
            "--outcome",
            "y",
            "--score",
            "score",
            "--ci",
            "bootstrap",
            "--boot",
            "300",
            "--seed",
            "5",
            "--json",
        ).stdout
    )
    assert again["ci"] == out["ci"]  # same seed, same resamples
    text = run("auc", str(path), "--outcome", "y", "--score", "score")
    assert text.returncode == 0 and text.stdout.startswith("AUC ")


@pytest.mark.parity
def test_dca_json_matches_base_r(R, csv):
    path, d = csv
    p = run(
        "dca",
        str(path),
        "--outcome",
        "y",
        "--prob",
        "prob",
        "--thresholds",
        "0.05:0.95:0.05",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    rows = out["net_benefit"]
    assert all({"threshold", "model", "all", "none"} <= set(r) for r in rows)
    R.source("dca.R")
    t = R.to_py(R.call("dca_seq", 0.05, 0.95, 0.05))
    ref = R.to_py(R.call("dca_base", R.fvec(d.y), R.fvec(d.prob), R.fvec(t)))
    # JSON round-trips doubles exactly (repr): the 1e-12 net-benefit parity holds through the CLI
    np.testing.assert_allclose([r["threshold"] for r in rows], ref["threshold"], rtol=0, atol=0)
    np.testing.assert_allclose([r["model"] for r in rows], ref["model"], atol=1e-12)
    np.testing.assert_allclose([r["all"] for r in rows], ref["all"], atol=1e-12)
    assert all(r["none"] == 0 for r in rows)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["auc", "{p}", "--outcome", "y", "--score", "nope"], "no column 'nope'"),
        (["auc", "{p}", "--outcome", "score", "--score", "y"], "must be coded 0/1"),
        (["auc", "{nan}", "--outcome", "y", "--score", "score"], "missing value (NaN)"),
        (
            [
                "auc",
                "{p}",
                "--outcome",
                "y",
                "--score",
                "score",
                "--ci",
                "bootstrap",
                "--boot",
                "0",
            ],
            "--boot",
        ),
        (["dca", "{p}", "--outcome", "y", "--prob", "score"], "not a probability in [0, 1]"),
        (
            ["dca", "{p}", "--outcome", "y", "--prob", "prob", "--thresholds", "0.5:0.1:0.1"],
            "invalid",
        ),
        (
            ["dca", "{p}", "--outcome", "y", "--prob", "prob", "--thresholds", "0.1:1:0.1"],
            "outside [0, 1)",
        ),
        (
            ["dca", "{p}", "--outcome", "y", "--prob", "prob", "--thresholds", "0.1-0.5"],
            "START:STOP:STEP",
        ),
        (["dca", "{missing}", "--outcome", "y", "--prob", "prob"], "no such file"),
    ],
)
def test_bad_input_is_one_line_exit_2(csv, tmp_path, args, needle):
    path, d = csv
    bad = d.copy()
    bad.loc[4, "score"] = np.nan
    nan_path = tmp_path / "nan.csv"
    bad.to_csv(nan_path, index=False)
    argv = [a.format(p=path, nan=nan_path, missing=tmp_path / "absent.csv") for a in args]
    p = run(*argv)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:")
    assert needle in lines[0]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    out = tmp_path_factory.mktemp("cohort") / "c"
    p = run(
        "synth", "--out", str(out), "--budget", "20,2,20,4"
    )  # small searches: seconds, not minutes
    if p.returncode != 0:
        pytest.fail(f"nenaudit synth failed: {p.stderr}")
    return out


@pytest.mark.parametrize("scheme", ["published", "harrell", "pipeline", "cluster", "632plus"])
def test_validate_schemes_on_a_synthetic_cohort(cohort, scheme):
    p = run("validate", str(cohort), "--scheme", scheme, "--boot", "30", "--seed", "4", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    res = out["result"]
    assert out["scheme"] == scheme and res["n_boot"] == 30
    assert res["n_ok"] + sum(res["failures"].values()) == 30  # every resample accounted for
    if scheme in ("harrell", "pipeline", "cluster"):
        c = next(i for i in res["indexes"] if i["name"] == "C")
        # --json writes each value to STABLE_DIGITS significant digits (values below 1: each within half a unit of
        # the 10th decimal), so the identity holds to three such half units
        half = 0.5 * 10.0**-STABLE_DIGITS
        assert c["corrected"] == pytest.approx(c["apparent"] - c["optimism"], abs=3 * half)
    if scheme == "cluster":
        assert res["n_groups"] == out["n_patients"]
    if scheme == "pipeline":
        assert "LASSO-CV" in out["note"] and "Radscore" in out["variables"]


def test_validate_pipeline_clinical_only(cohort):
    p = run(
        "validate",
        str(cohort),
        "--scheme",
        "pipeline",
        "--clinical-only",
        "--boot",
        "10",
        "--seed",
        "4",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert "not re-run" in out["note"] and out["result"]["n_boot"] == 10


def test_validate_same_result_with_two_jobs(cohort):
    a = json.loads(
        run(
            "validate", str(cohort), "--scheme", "harrell", "--boot", "24", "--seed", "9", "--json"
        ).stdout
    )
    b = json.loads(
        run(
            "validate",
            str(cohort),
            "--scheme",
            "harrell",
            "--boot",
            "24",
            "--seed",
            "9",
            "--jobs",
            "2",
            "--json",
        ).stdout
    )
    a["result"].pop("jobs"), b["result"].pop("jobs")
    assert a["result"] == b["result"]


def test_validate_bad_input_exit_2(cohort, tmp_path):
    p = run("validate", str(cohort), "--scheme", "harrell", "--predictors", "Radscore,Nope")
    assert p.returncode == 2 and "no column 'Nope'" in p.stderr
    p = run("validate", str(tmp_path / "none"), "--scheme", "harrell")
    assert p.returncode == 2 and "no such cohort directory" in p.stderr
