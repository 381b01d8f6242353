"""``nenaudit crosscheck``: every pipeline step in Python and in R on the default cohort, one table,
exit 0/1/2, JUnit XML; a perturbed Python value is caught."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET

import pytest

from clirun import nenaudit
from nenaudit.parity.crosscheck import STEPS, compare_values


def test_compare_values_shows_the_worst_element_and_fails_on_any():
    row = compare_values("s", "v", [1.0, 2.0, 3.0 + 1e-3], [1.0, 2.0, 3.0], "coef", ["a", "b", "c"])
    assert not row.passed and row.statistic == "v [c]" and row.n == 3
    assert row.abs_diff == pytest.approx(1e-3) and row.tolerance == pytest.approx(1e-12 + 3e-6)
    ok = compare_values("s", "v", [1.0, float("nan")], [1.0 + 1e-9, float("nan")], "coef")
    assert ok.passed  # both NaN agree; 1e-9 is inside 1e-6 relative
    assert not compare_values(
        "s", "v", [1.0], [float("nan")], "coef"
    ).passed  # missing on one side fails


@pytest.mark.parity
@pytest.mark.slow
def test_crosscheck_on_the_default_cohort_every_step_within_tolerance(R, tmp_path):
    junit = tmp_path / "crosscheck.xml"
    p = nenaudit("crosscheck", "--json", "--junit", junit)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    data = json.loads(p.stdout)  # strict JSON on stdout; progress went to stderr
    rows = data["rows"]
    assert data["all_pass"] and all(r["pass"] for r in rows)
    assert [s for s in STEPS if s not in {r["step"] for r in rows}] == []  # every step compared
    assert len(rows) >= 150 and data["r_version"].startswith("R version")
    suite = ET.parse(junit).getroot()
    cases = suite.findall(".//testcase")
    assert len(cases) == len(rows) and not suite.findall(".//failure")
    print(
        f"crosscheck: {len(rows)} rows in {data['seconds']:.0f} s; largest relative difference per step: "
        + "; ".join(
            f"{s}: {max((r['rel_diff'] or 0.0) for r in rows if r['step'] == s and not r['exact']):.2g}"
            for s in STEPS
            if any(not r["exact"] for r in rows if r["step"] == s)
        )
    )


@pytest.mark.parity
def test_a_perturbed_python_value_gives_exit_1_and_a_failing_junit_case(R, tmp_path, capsys):
    from nenaudit.commands.crosscheck import execute

    junit = tmp_path / "cc.xml"
    args = argparse.Namespace(
        cohort=None, boot=2, seed=1, steps="AUC + DeLong", junit=str(junit), json=False, quiet=True
    )

    def perturb(
        step, stat, value
    ):  # one Python AUC moved by 1e-6: far inside print precision, outside 1e-12
        return value + 1e-6 if stat == "fusion model: AUC" else value

    assert execute(args, perturb=perturb) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 OUTSIDE tolerance" in out
    failures = ET.parse(junit).getroot().findall(".//testcase/failure/..")
    assert [c.get("name") for c in failures] == ["fusion model: AUC"]
    assert failures[0].get("classname") == "crosscheck.AUC + DeLong"
    # unperturbed, the same run passes and the JUnit file (ours) is replaced
    assert execute(args) == 0 and not ET.parse(junit).getroot().findall(".//failure")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--steps", "nope"], "nope"),
        (["--boot", "1"], "--boot"),
        (["/nonexistent/cohort"], "/nonexistent/cohort"),
    ],
)
def test_bad_input_exit_2_one_line(args, needle):
    p = nenaudit("crosscheck", *args, "--quiet")
    assert p.returncode == 2 and needle in p.stderr and len(p.stderr.strip().splitlines()) == 1, (
        p.stderr
    )


def test_junit_never_overwrites_a_file_it_did_not_write(tmp_path):
    mine = tmp_path / "results.xml"
    mine.write_text("<testsuites name='other tool'/>")
    p = nenaudit("crosscheck", "--steps", "AUC + DeLong", "--junit", mine, "--quiet")
    assert p.returncode == 2 and "not written by nenaudit" in p.stderr
    assert mine.read_text() == "<testsuites name='other tool'/>"


def test_reproduce_runs_its_crosscheck_with_the_fold_seed(monkeypatch):
    """The crosscheck inside ``reproduce`` refits the LASSO with the folds of --fold-seed, as the report's pipeline."""
    from nenaudit.commands.reproduce import crosscheck_for_report
    from nenaudit.parity import crosscheck, rbridge

    seen = {}

    class Done:
        def to_dict(self):
            return {"rows": []}

    def fake(cohort, *, seed, config=None, progress=None, **kw):
        seen["seed"], seen["config"] = seed, config
        return Done()

    monkeypatch.setattr(rbridge, "r_available", lambda: True)
    monkeypatch.setattr(crosscheck, "run_crosscheck", fake)
    args = argparse.Namespace(no_crosscheck=False, seed=5, fold_seed=7)
    assert crosscheck_for_report(None, args, lambda m: None) == ({"rows": []}, None)
    assert seen["seed"] == 5 and seen["config"].selection.seed == 7


def test_a_crosscheck_row_is_a_parity_row_and_its_json_follows_dumps_json():
    """CrossRow extends ParityRow; an infinite difference is null plus a ``nonfinite`` note (no "Infinity" string)."""
    from nenaudit.io import dumps_json
    from nenaudit.parity.crosscheck import CrossRow, compare_exact
    from nenaudit.parity.registry import ParityRow, rows_text

    row = compare_exact("backward Wald", "terms", ["a", "b"], ["a"])
    assert (
        isinstance(row, CrossRow) and isinstance(row, ParityRow) and not row.passed and row.n == 2
    )
    d = row.to_dict()
    assert list(d) == [
        "step",
        "statistic",
        "python",
        "r",
        "abs_diff",
        "rel_diff",
        "tolerance",
        "n",
        "exact",
        "pass",
    ]
    text = dumps_json({"rows": [d]})
    data = json.loads(text)
    assert "Infinity" not in text and data["rows"][0]["abs_diff"] is None
    assert {e["path"] for e in data["nonfinite"]} >= {"rows[0].abs_diff", "rows[0].rel_diff"}
    # one text table for `nenaudit parity` (no step column) and `nenaudit crosscheck` (step column)
    head = rows_text([row]).splitlines()[0].split()
    plain_row = ParityRow("x", 1.0, 1.0, 0.0, 0.0, 1e-6, 1e-6, 0.0, True)
    assert head[0] == "step" and rows_text([plain_row]).splitlines()[0].split()[0] == "statistic"
