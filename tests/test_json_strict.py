"""Every verb's ``--json`` is strict JSON: no NaN or Infinity, which ``JSON.parse`` and R's jsonlite refuse.

Inputs are chosen to provoke non-finite numbers where a verb can produce them (a Youden optimum
at -Inf/Inf, an odds-ratio CI unbounded under separation); the convention is ``null`` plus a
``"nonfinite"`` entry ``{path, value, why}`` (nenaudit.io.dumps_json, README "JSON output").
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.io import dumps_json


def strict_loads(text: str):
    def reject(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=reject)


def run_json(*args, cwd=None):
    p = nenaudit(*args, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return strict_loads(p.stdout)


@pytest.fixture(scope="module")
def sep_csv(tmp_path_factory):
    """y separated by x (glm's OR CI is unbounded); z is noise; p a probability."""
    x = np.arange(40.0)
    y = (x >= 20).astype(int)
    z = np.random.default_rng(1).normal(size=40)
    d = pd.DataFrame(
        {
            "y": y,
            "x": x,
            "z": np.round(z, 3),
            "g": np.where(z > 0, "a", "b"),
            "p": np.clip(x / 40, 0.01, 0.99),
            "f1": np.round(z * 2 + y, 3),
            "f2": np.round(-z + y, 3),
        }
    )
    path = tmp_path_factory.mktemp("json") / "sep.csv"
    d.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def cohort():
    from nenaudit.cohort import default_cohort_path

    return default_cohort_path()


def test_dumps_json_convention():
    text = dumps_json(
        {"a": {"t": -math.inf}, "b": [1.0, math.nan, np.float64(math.inf)], "c": np.int64(3)},
        why={"a.t": "the cut is below every score"},
    )
    out = strict_loads(text)
    assert out["a"]["t"] is None and out["b"] == [1.0, None, None] and out["c"] == 3
    assert out["nonfinite"] == [
        {"path": "a.t", "value": "-Inf", "why": "the cut is below every score"},
        {
            "path": "b[1]",
            "value": "NaN",
            "why": "not a number: undefined (e.g. 0/0) or not computed",
        },
        {"path": "b[2]", "value": "Inf", "why": "infinite (JSON has no infinity)"},
    ]
    # a top-level list: each element carries the notes of its own subtree (paths from the document root)
    assert strict_loads(dumps_json([{"x": math.inf}, {"x": 1}])) == [
        {
            "x": None,
            "nonfinite": [
                {"path": "[0].x", "value": "Inf", "why": "infinite (JSON has no infinity)"}
            ],
        },
        {"x": 1},
    ]


def test_auc_youden_at_infinity_is_null_with_a_note(sep_csv):
    out = run_json("auc", sep_csv, "--outcome", "y", "--score", "x", "--direction", ">", "--json")
    assert out["youden"]["threshold"] is None
    notes = {n["path"]: n for n in out["nonfinite"]}
    assert (
        notes["youden.threshold"]["value"] in ("Inf", "-Inf")
        and "pROC" in notes["youden.threshold"]["why"]
    )
    assert len(out["youden"]["ties"]) == 2  # -Inf and Inf both reach J = 0


def test_logit_or_ci_under_separation_is_null_with_a_note(sep_csv):
    out = run_json("logit", sep_csv, "--outcome", "y", "--predictors", "x", "--json")
    assert out["coefficients"]["x"]["or_ci"][1] is None
    assert any(
        n["path"] == "coefficients.x.or_ci[1]" and n["value"] == "Inf" for n in out["nonfinite"]
    )


@pytest.mark.parametrize(
    "verb",
    [
        "audit",
        "compare",
        "lasso",
        "auc-bootstrap",
        "dca",
        "select",
        "validate",
        "reproduce",
        "synth",
        "parity-list",
    ],
)
def test_every_verb_json_is_strict(verb, sep_csv, cohort, tmp_path):
    args = {
        "audit": ["audit", "--json"],
        "compare": ["compare", sep_csv, "--group", "y", "--json"],
        "lasso": [
            "lasso",
            sep_csv,
            "--outcome",
            "y",
            "--features",
            "z,f1,f2",
            "--folds",
            "3",
            "--seed",
            "2",
            "--json",
        ],
        "auc-bootstrap": [
            "auc",
            sep_csv,
            "--outcome",
            "y",
            "--score",
            "x",
            "--ci",
            "bootstrap",
            "--boot",
            "50",
            "--json",
        ],
        "dca": ["dca", sep_csv, "--outcome", "y", "--prob", "p", "--json"],
        "select": ["select", cohort, "--json"],
        "validate": ["validate", cohort, "--scheme", "harrell", "--boot", "4", "--json"],
        "reproduce": [
            "reproduce",
            cohort,
            "--boot",
            "3",
            "--boot-pipeline",
            "2",
            "--quiet",
            "--out",
            tmp_path / "rep",
            "--json",
        ],
        # a small search budget: the JSON is the same shape at any budget (the default one is the 4-minute
        # regeneration of tests/test_synth.py, run there)
        "synth": ["synth", "--out", tmp_path / "syn", "--budget", "20,2,20,4", "--json"],
        "parity-list": ["parity", "list", "--json"],
    }[verb]
    out = run_json(*args)
    assert out
    if verb == "reproduce":  # the file is strict too
        strict_loads((tmp_path / "rep" / "results.json").read_text(encoding="utf-8"))
    if verb == "synth":
        strict_loads((tmp_path / "syn" / "manifest.json").read_text(encoding="utf-8"))
    if (
        verb == "auc-bootstrap"
    ):  # AUC = 1: pROC's warning; 50 resamples: too few for a percentile CI
        assert any("always 1-1" in w for w in out["warnings"]) and any(
            "only 50" in w for w in out["warnings"]
        )


def test_audit_json_file_is_strict(tmp_path):
    p = nenaudit("audit", "--json", tmp_path / "a.json")
    assert p.returncode == 0, p.stderr
    assert isinstance(strict_loads((tmp_path / "a.json").read_text(encoding="utf-8")), list)


@pytest.mark.parity
def test_parity_json_is_strict_under_separation(R, sep_csv):
    out = run_json("parity", "confint", sep_csv, "-o", "outcome=y", "-o", "predictors=x", "--json")
    assert out


def test_phantom_and_extract_json_are_strict(tmp_path, cohort):
    pytest.importorskip("radiomics")
    small = tmp_path / "c"
    small.mkdir()
    pd.read_csv(cohort / "lesions.csv").head(2).to_csv(small / "lesions.csv", index=False)
    run_json("phantom", "--cohort", small, "--out", tmp_path / "ph", "--json")
    strict_loads((tmp_path / "ph" / "manifest.json").read_text(encoding="utf-8"))
    run_json(
        "extract",
        "--images",
        tmp_path / "ph" / "images",
        "--masks",
        tmp_path / "ph" / "masks",
        "--out",
        tmp_path / "f.csv",
        "--json",
    )


@pytest.mark.parity
def test_jsonlite_reads_a_result_with_nonfinite_values(R, sep_csv):
    p = nenaudit("auc", sep_csv, "--outcome", "y", "--score", "x", "--direction", ">", "--json")
    assert p.returncode == 0, p.stderr
    out = strict_loads(p.stdout)
    R.source("json_read.R")
    got = R.to_py(R.call("json_read_auc", R.svec([p.stdout])))
    assert got["auc"] == pytest.approx(out["auc"], abs=1e-15)
    assert got["threshold_is_null"] is True
    assert got["paths"] == [n["path"] for n in out["nonfinite"]]
    # jsonlite reads the strings "Inf", "-Inf", "NaN" of a column back as R's numbers (its own convention)
    want = [float(n["value"]) for n in out["nonfinite"]]
    assert len(got["values"]) == len(want) and all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got["values"], want)
    )
