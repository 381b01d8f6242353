"""End-to-end: `nenaudit lasso` on CSV files (against R's cv.glmnet) and `nenaudit select` on a cohort."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.cli import main


def run(*args):
    return nenaudit(*args, warnings="error")


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    rng = np.random.default_rng(2025)
    n, p = 131, 12
    y = np.r_[np.zeros(27), np.ones(104)].astype(int)
    rng.shuffle(y)
    X = rng.standard_normal((n, p))
    X[:, :3] += np.outer(y - y.mean(), [1.0, -0.8, 0.6])
    df = pd.DataFrame(X.round(6), columns=[f"feat_{j}" for j in range(p)])
    df.insert(0, "lesion", [f"L{i}" for i in range(n)])
    df["y"] = y
    df["fold"] = rng.permutation(np.resize(np.arange(1, 11), n))
    path = tmp_path_factory.mktemp("lasso") / "data.csv"
    df.to_csv(path, index=False)
    return path, df


@pytest.mark.parity
def test_lasso_json_matches_cv_glmnet(R, data_csv):
    path, df = data_csv
    out = run("lasso", str(path), "--outcome", "y", "--foldid", "fold", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    feats = [c for c in df.columns if c.startswith("feat_")]
    assert got["ignored_columns"] == ["lesion"]  # the non-numeric id column is listed, not used
    assert list(got["coefficients_min"]) == ["(Intercept)", *feats]  # zeros included
    R.source("lasso.R")
    ref = R.to_py(
        R.call(
            "ref_cv_lasso",
            R.matrix(df[feats].to_numpy(float)),
            R.fvec(df["y"].to_numpy(float)),
            R.ivec(df["fold"].to_numpy()),
        )
    )
    # same solver and arithmetic as tests/test_lasso.py (measured ~1e-15); JSON keeps full precision
    assert got["lambda_min"] == pytest.approx(ref["lambda_min"], rel=1e-12)
    assert got["lambda_1se"] == pytest.approx(ref["lambda_1se"], rel=1e-12)
    np.testing.assert_allclose(
        list(got["coefficients_min"].values()), ref["coef_min"], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        list(got["coefficients_1se"].values()), ref["coef_1se"], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose([r["mean"] for r in got["cv"]], ref["cvm"], rtol=1e-10)
    np.testing.assert_allclose([r["se"] for r in got["cv"]], ref["cvsd"], rtol=1e-8)
    np.testing.assert_allclose([r["lambda"] for r in got["cv"]], ref["lambda"], rtol=1e-12)
    assert [r["nonzero"] for r in got["cv"]] == [int(v) for v in ref["nzero"]]


def test_lasso_text_and_seeded_folds(data_csv, capsys):
    path, _ = data_csv
    args = [
        "lasso",
        str(path),
        "--outcome",
        "y",
        "--features",
        "feat_0,feat_1,feat_2,feat_3",
        "--folds",
        "5",
        "--seed",
        "7",
        "--measure",
        "auc",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "lambda.min" in text and "measure: auc" in text and "5 random folds, seed 7" in text
    assert main([*args, "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == a  # same seed, same numbers
    assert len(a["coefficients_min"]) == 5


@pytest.mark.parametrize(
    "edit,extra,message",
    [
        (None, ["--outcome", "nope"], "no column 'nope'"),
        (
            lambda d: d.assign(feat_5=np.where(np.arange(len(d)) == 6, np.nan, d["feat_5"])),
            [],
            "line 8: missing value",
        ),
        (lambda d: d.assign(feat_2=1.5), [], "'feat_2' is constant"),
        (
            lambda d: d.assign(y=np.where(np.arange(len(d)) == 0, 2, d["y"])),
            [],
            "must be coded 0/1",
        ),
        (
            lambda d: d.assign(y=np.r_[np.zeros(4, int), np.ones(len(d) - 4, int)]),
            [],
            "only 4 observations have outcome 0, fewer than the 10 folds",
        ),
        (
            None,
            ["--foldid", "fold", "--folds", "5"],
            "either the fold column or the number of folds",
        ),
        (
            lambda d: d.assign(fold=np.where(d["fold"] == 4, 3, d["fold"])),
            ["--foldid", "fold"],
            "fold 4 is empty",
        ),
        (None, ["--features", "feat_0,y"], "'y' is the outcome"),
        (None, ["--features", "feat_0,feat_0"], "named twice"),
    ],
)
def test_lasso_bad_input_exits_2(data_csv, tmp_path, edit, extra, message):
    path, df = data_csv
    if edit is not None:
        path = tmp_path / "bad.csv"
        edit(df.copy()).to_csv(path, index=False)
    args = (
        ["lasso", str(path), "--outcome", "y", *extra]
        if "--outcome" not in extra
        else ["lasso", str(path), *extra]
    )
    if "--foldid" not in extra and "--features" not in extra:
        args += ["--features", ",".join(f"feat_{j}" for j in range(12))]
    out = run(*args)
    assert out.returncode == 2, out.stdout
    assert out.stderr.startswith("nenaudit: error:") and message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_lasso_duplicate_column_names(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("y,a,a,b\n" + "\n".join(f"{i % 2},{i},{i * 2},{i % 3}" for i in range(40)) + "\n")
    out = run("lasso", str(p), "--outcome", "y")
    assert out.returncode == 2 and "duplicate column name 'a'" in out.stderr


def _cohort_dir() -> Path | None:
    from nenaudit.cohort import default_cohort_path
    from nenaudit.exceptions import DataError

    try:
        return default_cohort_path()
    except DataError:  # no committed cohort in this checkout
        return None


def test_select_on_the_synthetic_cohort():
    cohort = _cohort_dir()
    if cohort is None:
        pytest.skip("no synthetic cohort committed")
    out = run("select", str(cohort), "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    from nenaudit.cohort import load_cohort

    c = load_cohort(cohort)
    removed = (
        set(rep["removed_nonfinite"])
        | set(rep["removed_constant"])
        | set(rep["removed_icc"])
        | set(rep["removed_correlation"])
    )
    assert rep["n_input"] == len(c.feature_names)
    assert rep["n_after_filters"] == rep["n_input"] - len(
        removed
    )  # every feature accounted for once
    assert (
        set(rep["selected"]) == set(rep["radscore"]["coefficients"])
        and not set(rep["selected"]) & removed
    )
    assert set(rep["icc_designs"]) == {"intra", "inter"}
    text = run("select", str(cohort))
    assert text.returncode == 0 and "Radscore =" in text.stdout


def test_select_missing_cohort_exits_2(tmp_path):
    out = run("select", str(tmp_path / "nothing"))
    assert out.returncode == 2 and "no such cohort directory" in out.stderr
