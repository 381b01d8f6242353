"""End-to-end: `nenaudit compare` and `nenaudit logit` on CSV files, against R and on bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.parity.rbridge import fvec, matrix, svec


def run(*args):
    return nenaudit(*args, warnings="error")


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    rng = np.random.default_rng(20251)
    n = 120
    age = rng.normal(60, 10, n).round(0)
    ki67 = rng.gamma(2.0, 5.0, n).round(1)
    grade = rng.integers(1, 4, n)
    mets = rng.integers(0, 2, n)
    lp = -6 + 0.05 * age + 0.08 * ki67 + 0.4 * grade + 0.9 * mets
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-lp))).astype(int)
    df = pd.DataFrame(
        {
            "y": y,
            "age": age,
            "ki67": ki67,
            "grade": grade,
            "mets": mets,
            "noise": rng.normal(size=n).round(3),
            "sex": rng.choice(["F", "M"], n),
        }
    )
    p = tmp_path_factory.mktemp("cli") / "data.csv"
    df.to_csv(p, index=False)
    return p, df


def test_logit_json_matches_r_glm_and_confint(R, data_csv):
    path, df = data_csv
    preds = ["age", "ki67", "grade", "mets"]
    out = run("logit", str(path), "--outcome", "y", "--predictors", ",".join(preds), "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert set(got) >= {"coefficients", "selected", "steps", "warnings"}
    R.source("logistic.R")
    ref = R.to_py(
        R.call("logit_fit", matrix(df[preds].to_numpy(float)), fvec(df["y"]), svec(preds))
    )
    assert list(got["coefficients"]) == ref["names"] == ["(Intercept)", *preds]
    k = len(ref["names"])
    lo, hi = ref["ci_profile"][:k], ref["ci_profile"][k:]
    for j, name in enumerate(ref["names"]):
        c = got["coefficients"][name]
        # full-precision R values: the IRLS fit is the same algorithm, so agreement is to rounding
        assert c["estimate"] == pytest.approx(ref["coef"][j], rel=1e-6)
        assert c["se"] == pytest.approx(ref["se"][j], rel=1e-6)
        assert c["p"] == pytest.approx(ref["p"][j], rel=1e-4, abs=1e-6)
        # profile bounds: MASS's spline-interpolated profile is reproduced step by step (issue 3: 1e-4)
        assert c["ci"] == pytest.approx([lo[j], hi[j]], abs=1e-4)
        assert c["or"] == pytest.approx(np.exp(ref["coef"][j]), rel=1e-6)
        assert c["or_ci"] == pytest.approx(np.exp([lo[j], hi[j]]), rel=1e-4)


def test_logit_wald_ci_and_backward_match_r(R, data_csv):
    path, df = data_csv
    preds = ["age", "ki67", "grade", "mets", "noise"]
    out = run(
        "logit",
        str(path),
        "--outcome",
        "y",
        "--predictors",
        ",".join(preds),
        "--ci",
        "wald",
        "--backward-wald",
        "0.05",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    R.source("stepwise.R")
    R.r().assign("d", R.r()["data.frame"](**{c: fvec(df[c]) for c in ["y", *preds]}))
    steps = R.to_py(R.call("stepwise_backward", R.r()["d"], "y", svec(preds), threshold=0.05))
    removed_r = [s["removed"] for s in steps if isinstance(s["removed"], str)]
    assert [s["removed"] for s in got["steps"] if s["removed"]] == removed_r
    last = steps[-1]
    assert got["selected"] == [t for t in preds if t not in removed_r]
    for j, name in enumerate(last["names"]):
        c = got["coefficients"][name]
        assert c["estimate"] == pytest.approx(last["coef"][j], rel=1e-6)
        z = 1.959963984540054  # qnorm(0.975), as confint.default
        assert c["ci"] == pytest.approx(
            [last["coef"][j] - z * last["se"][j], last["coef"][j] + z * last["se"][j]], rel=1e-6
        )


def test_compare_p_values_match_r(R, data_csv):
    path, df = data_csv
    out = run(
        "compare",
        str(path),
        "--group",
        "y",
        "--vars",
        "sex,mets,grade,ki67",
        "--categorical",
        "grade",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    got = {v["variable"]: v for v in json.loads(out.stdout)["variables"]}
    R.source("compare.R")
    for var in ("sex", "mets", "grade"):
        m = pd.crosstab(df[var], df["y"]).to_numpy(float)
        test = got[var]["test"]
        if test == "fisher":
            ref = R.to_py(R.call("ref_fisher", matrix(m)))
        else:
            ref = R.to_py(R.call("ref_chisq", matrix(m), correct=test == "chisq_yates"))
        assert got[var]["p"] == pytest.approx(ref["p"], rel=1e-6), (
            var
        )  # chisq/fisher are exact or closed form
    x, yv = df.loc[df.y == 0, "ki67"], df.loc[df.y == 1, "ki67"]
    assert got["ki67"]["test"] in ("mann-whitney", "welch")
    if got["ki67"]["test"] == "mann-whitney":
        ref = R.to_py(R.call("ref_wilcox", fvec(x), fvec(yv)))
        assert got["ki67"]["p"] == pytest.approx(ref["p"], rel=1e-4, abs=1e-6)


def test_compare_text_output(data_csv):
    path, _ = data_csv
    out = run("compare", str(path), "--group", "y", "--vars", "sex,mets,age")
    assert out.returncode == 0, out.stderr
    assert "treated as categorical" in out.stdout and "mets" in out.stdout
    assert "rule:" in out.stdout


@pytest.mark.parametrize(
    "mutate, args, needle",
    [
        (None, ["logit", "--outcome", "y", "--predictors", "age,nope"], "'nope'"),
        (lambda d: d.assign(y=d.y + 1), ["logit", "--outcome", "y", "--predictors", "age"], "0/1"),
        (
            lambda d: d.assign(age=d.age.where(d.index != 7)),
            ["logit", "--outcome", "y", "--predictors", "age"],
            "line 9",
        ),
        (
            lambda d: d.assign(noise=1.0),
            ["logit", "--outcome", "y", "--predictors", "age,noise"],
            "constant",
        ),
        (
            lambda d: d.assign(y=1),
            ["logit", "--outcome", "y", "--predictors", "age"],
            "only the value 1",
        ),
        (None, ["compare", "--group", "nope"], "'nope'"),
        (lambda d: d.assign(g="a"), ["compare", "--group", "g", "--vars", "age"], "at least 2"),
        (
            lambda d: d.assign(age=d.age.where(d.y == 1)),
            ["compare", "--group", "y", "--vars", "age"],
            "no values in group",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, data_csv, mutate, args, needle):
    _, df = data_csv
    d = mutate(df.copy()) if mutate else df
    p = tmp_path / "bad.csv"
    d.to_csv(p, index=False)
    out = run(args[0], str(p), *args[1:])
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:"), out.stderr
    assert "Traceback" not in out.stderr
    assert needle in lines[0], lines[0]


def test_missing_file_is_one_line_exit_2(tmp_path):
    out = run("logit", str(tmp_path / "none.csv"), "--outcome", "y", "--predictors", "a")
    assert (
        out.returncode == 2
        and "no such file" in out.stderr
        and len(out.stderr.strip().splitlines()) == 1
    )
