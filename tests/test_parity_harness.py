"""The parity harness (parity/harness.py): every registered step against real R, and proof
that it can fail (a perturbed Python value, a value missing on one side).

Data sets are generated here (seeded); reference values come from R at run time.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from nenaudit.exceptions import NenauditError
from nenaudit.parity import harness
from nenaudit.parity.harness import REGISTRY, Statistic, compare, register, steps


def make_frame(seed=1, n=131):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(2, 3, size=n),
            "c": rng.integers(0, 2, n).astype(float),
            "g": rng.integers(0, 3, n).astype(float),
            "score": np.round(rng.normal(size=n), 1),  # ties for the rank test
        }
    )
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + d["a"] - 0.2 * d["c"])))).astype(float)
    return d


CASES = {
    "chisq": dict(row="c", col="g"),
    "chisq_no_yates": dict(row="c", col="y", correct=False),
    "fisher": dict(row="c", col="y"),
    "fisher_rxc": dict(row="g", col="y"),
    "wilcox": dict(value="score", group="c"),
    "ttest": dict(value="b", group="c"),
    "ttest_student": dict(value="b", group="c", equal_var=True),
    "glm": dict(outcome="y", predictors="a,b,c"),
    "confint": dict(outcome="y", predictors=["a", "c"]),
    "firth": dict(outcome="y", predictors="a,b"),
    "stepwise": dict(outcome="y", predictors="a,b,c,g", threshold=0.1),
    "stepwise_forced": dict(outcome="y", predictors="a,b,c,g", forced="g"),
    "icc": dict(columns="a,b"),
}


def test_every_step_the_brief_names_is_registered():
    assert set(steps()) >= {
        "chisq",
        "fisher",
        "wilcox",
        "ttest",
        "glm",
        "confint",
        "firth",
        "stepwise",
        "icc",
    }
    for s in REGISTRY.values():
        assert s.statistics and s.script.endswith(".R")
        for stat in s.statistics:
            assert stat.why, (s.name, stat.name)  # every tolerance says where it comes from


@pytest.mark.parity
@pytest.mark.parametrize("case", list(CASES))
def test_registered_steps_pass_against_r(R, case):
    step = case.split("_")[0]
    t = compare(step, make_frame(), **CASES[case])
    frame = t.to_frame()
    assert list(frame.columns) == [
        "statistic",
        "python",
        "r",
        "abs_diff",
        "rel_diff",
        "tolerance",
        "pass",
    ]
    assert len(frame) >= (1 if case == "fisher_rxc" else 3)  # r x c Fisher reports only p
    # the harness's contract (issue 3) is what is checked here; the per-module tests check
    # the much tighter rounding-level agreement on their own data sets
    assert t.all_pass, frame[~frame["pass"]].to_string()
    # numeric rows: finite differences, within the tolerance they report
    num = [r for r in t.rows if not r.exact and math.isfinite(r.abs_diff)]
    assert num and all(r.abs_diff <= r.tolerance for r in num)
    json.dumps(t.to_dict())  # --json is built from it


@pytest.mark.parity
def test_pair_input_and_numeric_table_input(R):
    rng = np.random.default_rng(4)
    t = compare("wilcox", (rng.normal(size=7), rng.normal(0.5, 1, size=9)))
    assert t.all_pass
    assert any(r.statistic == "method" and "exact" in r.python for r in t.rows)
    t = compare("fisher", np.array([[10, 14], [17, 90]]))
    assert t.all_pass and {r.statistic for r in t.rows} >= {"p", "odds_ratio", "conf_int_lower"}
    t = compare("icc", rng.normal(size=(12, 3)) + rng.normal(size=(12, 1)), alpha=0.1)
    assert t.all_pass and len(t.rows) == 7 * 6


@pytest.mark.parity
def test_perturbed_python_value_fails(R):
    base = REGISTRY["icc"]
    first = base.statistics[0]
    bumped = dataclasses.replace(
        first, python=lambda res: {k: v + 1e-4 for k, v in first.python(res).items()}
    )
    register(
        dataclasses.replace(base, name="icc_perturbed", statistics=(bumped,) + base.statistics[1:])
    )
    try:
        t = compare("icc_perturbed", make_frame(), columns="a,b")
    finally:
        del REGISTRY["icc_perturbed"]
    assert not t.all_pass
    failed = {r.statistic for r in t.failures}
    assert failed == {f"icc[{f}]" for f in ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")}
    for r in t.failures:
        assert r.abs_diff == pytest.approx(1e-4, rel=1e-6) and r.abs_diff > r.tolerance
    assert not t.to_frame()["pass"].all()


def test_row_rules_without_r():
    stat = Statistic("x", lambda p: p, lambda r: r, rtol=1e-6, atol=0.0, why="test")
    rows = harness._rows(stat, {"a": 1.0, "b": 2.0}, {"a": 1.0 + 1e-7, "c": 3.0})
    by = {r.statistic: r for r in rows}
    assert by["x[a]"].passed  # 1e-7 <= 1e-6 * |r|
    assert not by["x[b]"].passed and not by["x[c]"].passed  # missing on one side
    assert harness._rows(stat, float("nan"), float("nan"))[0].passed
    assert harness._rows(stat, math.inf, math.inf)[0].passed
    assert not harness._rows(stat, math.inf, 1.0)[0].passed
    assert not harness._rows(stat, 0.0, 1e-300)[0].passed  # relative rule with atol = 0
    assert harness._rows(stat, None, None) == []  # not applicable on both sides
    ex = Statistic("sel", lambda p: p, lambda r: r, exact=True, why="test")
    assert harness._rows(ex, ("a", "b"), ("a", "b"))[0].passed
    assert not harness._rows(ex, ("a",), ("a", "b"))[0].passed
    empty = harness.ParityTable(step="none")
    assert not empty.all_pass  # nothing compared is not a pass


@pytest.mark.parametrize(
    "step, data, opts, match",
    [
        ("nonesuch", None, {}, "unknown parity step"),
        ("glm", make_frame(), {"outcome": "y", "bogus": 1}, "no option 'bogus'"),
        ("glm", make_frame(), {"predictors": "a"}, "outcome="),
        ("glm", make_frame(), {"outcome": "y", "predictors": "a,zz"}, "no column 'zz'"),
        ("wilcox", make_frame(), {"value": "a", "group": "g"}, "3 levels"),
        ("chisq", make_frame(), {"row": "c"}, "both row= and col="),
        (
            "stepwise",
            make_frame(),
            {"outcome": "y", "predictors": "a,b", "forced": "c"},
            "forced term 'c'",
        ),
        ("icc", np.zeros((5, 1)), {}, "subjects x raters"),
        ("chisq", [[1, 2], [3, 4]], {"correct": "maybe"}, "true or false"),
    ],
)
def test_bad_requests_refused(step, data, opts, match):
    with pytest.raises(NenauditError, match=match):
        compare(step, data, **opts)


# ---------------------------------------------------------------------------------------
# CLI verb
# ---------------------------------------------------------------------------------------


@pytest.mark.parity
def test_cli_parity_verb(R, tmp_path, capsys):
    from nenaudit.cli import main

    path = tmp_path / "d.csv"
    make_frame(3, n=60).to_csv(path, index=False)
    assert main(["parity", "icc", str(path), "-o", "columns=a,b", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["all_pass"] is True and out["step"] == "icc" and len(out["rows"]) == 42
    assert (
        main(
            [
                "parity",
                "stepwise",
                str(path),
                "-o",
                "outcome=y",
                "-o",
                "predictors=a,b,c",
                "-o",
                "threshold=0.2",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "selected" in text and "all pass" in text
    assert main(["parity", "glm", str(path), "-o", "outcome=nope"]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
    assert main(["parity", "glm", str(path), "-o", "outcome"]) == 2
    assert main(["parity", "list"]) == 0
    assert "icc" in capsys.readouterr().out


def test_starting_r_leaves_no_ld_library_path_for_children(R):
    # rpy2's R start-up sets LD_LIBRARY_PATH to R's lib dirs; inherited by a child, it made a
    # pyenv Python load the system libpython (see rbridge.r). The bridge restores it.
    import os
    import subprocess
    import sys

    R.r()  # started
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('LD_LIBRARY_PATH', ''))"],
        capture_output=True,
        text=True,
    )
    assert "/usr/lib/R/lib" not in child.stdout
    assert "/usr/lib/R/lib" not in os.environ.get("LD_LIBRARY_PATH", "")
