"""Spec version 2 and the checks it feeds: cohorts, new cell formats, named tests, G and trend tests,
impossible p-values, t tests and ANOVA from summaries, ORs against a reference level, repeated values,
diagnostic accuracy, calibration; two real papers (tests/specs/) audited against what R says.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from clirun import nenaudit
from nenaudit.audit import categorical
from nenaudit.audit.run import all_checks, run_audit
from nenaudit.exceptions import SpecError
from nenaudit.study.schema import MedianIQR, MedianRange, json_schema, load, validate

SPECS = Path(__file__).resolve().parent / "specs"
PET = SPECS / "pmc7907291_pet_grade.json"  # two cohorts (training + validation), Table 2
TONGUE = (
    SPECS / "bmccancer2021_tongue_mri.json"
)  # Table 3 ORs against reference levels, abstract repeats


def by_id(findings, fid):
    hits = [f for f in findings if f.id == fid]
    assert len(hits) == 1, (
        fid,
        [f.id for f in findings if f.id.startswith(fid.split(":")[0])][:20],
    )
    return hits[0]


def raw_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def formats_spec() -> dict:
    """A constructed v2 spec with every cell format, three groups, named tests, levels, diagnostics, calibration."""
    return {
        "spec_version": 2,
        "study": {"id": "formats", "citation": "constructed for tests"},
        "cohorts": [{"id": "dev", "label": "development cohort"}],
        "tables": [
            {
                "id": "t1",
                "cohort": "dev",
                "title": "Table 1 Three groups",
                "unit": "patient",
                "groups": [
                    {"id": "a", "label": "A", "n": 20},
                    {"id": "b", "label": "B", "n": 25},
                    {"id": "c", "label": "C", "n": 30},
                ],
                "rows": [
                    {
                        "variable": "Smoker",
                        "kind": "categorical",
                        "levels": [
                            {
                                "level": "Yes",
                                "cells": {"a": "5/18 (27.8)", "b": "10/25 (40.0%)", "c": "12"},
                            },
                            {
                                "level": "No",
                                "cells": {"a": "13/18 (72.2)", "b": "15/25 (60.0%)", "c": "18"},
                            },
                        ],
                    },
                    {
                        "variable": "Score",
                        "kind": "mean_sd",
                        "cells": {"a": "10.2 (2.1)", "b": "11.5 ± 2.8", "c": "13.1 (3.5)"},
                    },
                    {
                        "variable": "CRP",
                        "kind": "median_iqr",
                        "cells": {
                            "a": "4.6 (2.7–10.2)",
                            "b": "5.0 [3.1, 9.9]",
                            "c": "6.1 (3.0, 12.0)",
                        },
                    },
                    {
                        "variable": "Stay (days)",
                        "kind": "median_range",
                        "cells": {"a": "7 (2–30)", "b": "8 (3–41)", "c": "9 (1–60)"},
                    },
                ],
            }
        ],
        "diagnostic_accuracy": [
            {
                "model": "score",
                "cohort": "dev",
                "where": "Table 4",
                "sensitivity": "93.8",
                "specificity": "87.5",
                "ppv": "83.3",
                "npv": "95.5",
                "accuracy": "90.0",
                "counts": {"tp": 15, "fp": 3, "fn": 1, "tn": 21},
            }
        ],
        "calibration": [
            {
                "model": "score",
                "cohort": "dev",
                "where": "Results",
                "hosmer_lemeshow": {"chisq": "7.32", "df": 8, "p": "0.503"},
                "slope": "0.91",
                "brier": "0.160",
            }
        ],
    }


# ------------------------------------------------------------------ (a) cohorts
def test_two_cohort_paper_audits_with_no_finding_that_mixes_the_cohorts():
    s = load(PET)
    assert [c.id for c in s.cohorts] == ["training", "validation"]
    fs = run_audit(s)
    counts = [f for f in fs if f.id.startswith("design.counts")]
    assert {f.id for f in counts} == {
        "design.counts:training:patients_grade1",
        "design.counts:training:patients_grade23",
        "design.counts:validation:patients_grade1",
        "design.counts:validation:patients_grade23",
    }
    assert all(f.verdict == "consistent" for f in counts), [f.detail for f in counts]
    for f in fs:  # no finding names both cohorts
        text = f"{f.where} {f.claim} {f.detail}"
        assert not ("training set" in text and "validation set" in text), f.id


def test_the_same_paper_without_cohorts_reports_the_false_contradiction():
    # negative control: the pooled (version 1) reading compares 29 with 13 grade-1 patients
    raw = raw_of(PET)
    raw["spec_version"] = 1
    raw.pop("cohorts")
    for t in raw["tables"]:
        t.pop("cohort")
    for c in raw["stated_counts"]:
        c.pop("cohort")
    f = by_id(run_audit(validate(raw)), "design.counts:patients_grade1")
    assert f.verdict == "inconsistent" and f.published == [13, 29]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.tuples(st.integers(1, 200), st.integers(1, 200)), min_size=2, max_size=3))
def test_a_cohort_set_never_triggers_a_cross_cohort_count_finding(sizes):
    cohorts = [f"c{i}" for i in range(len(sizes))]
    raw = {
        "spec_version": 2,
        "study": {"id": "h", "citation": "h"},
        "cohorts": [{"id": c, "label": f"cohort {c}"} for c in cohorts],
        "tables": [],
        "stated_counts": [],
    }
    for c, (e, ne) in zip(cohorts, sizes):
        raw["tables"].append(
            {
                "id": f"t_{c}",
                "cohort": c,
                "title": "Table 1",
                "unit": "patient",
                "groups": [
                    {"id": "e", "label": "E", "n": e, "outcome_group": "event"},
                    {"id": "n", "label": "N", "n": ne, "outcome_group": "none"},
                ],
                "rows": [],
            }
        )
        raw["stated_counts"] += [
            {"quantity": "patients", "value": str(e + ne), "where": "abstract", "cohort": c},
            {"quantity": "patients_event", "value": str(e), "where": "text", "cohort": c},
        ]
    raw["auc"] = [
        {
            "model": "m",
            "kind": "apparent",
            "estimate": "0.700",
            "ci": "0.600-0.800",
            "where": "x",
            "cohort": c,
        }
        for c in cohorts
    ]
    fs = run_audit(validate(raw))
    design = [f for f in fs if f.check == "design"]
    assert design and all(f.verdict != "inconsistent" for f in design), [
        f.detail for f in design if f.verdict != "consistent"
    ]
    for c, (e, ne) in zip(cohorts, sizes):
        assert by_id(fs, f"design.counts:{c}:patients").published == [e + ne]


# ------------------------------------------------------------------ (b) checks
@pytest.mark.parity
def test_g_test_p_values_are_identified_as_such(R):
    # printed p-values that are R's G-test p (base-R reference), on tables where Pearson differs at 3 decimals
    R.source("summary_tests.R")
    tables = [
        np.array([[12, 20], [5, 25]]),
        np.array([[3, 9], [10, 11]]),
        np.array([[8, 2, 5], [6, 9, 12]]),
    ]
    rows = []
    for i, m in enumerate(tables):
        p = R.to_py(R.call("ref_g_test", R.matrix(m)))["p"]
        n = m.sum(axis=0)
        rows.append(
            {
                "variable": f"V{i}",
                "kind": "categorical",
                "p": f"{p:.3f}",
                "levels": [
                    {
                        "level": f"L{j}",
                        "cells": {
                            g: f"{m[j, k]} ({100 * m[j, k] / n[k]:.1f})" for k, g in enumerate("ab")
                        },
                    }
                    for j in range(m.shape[0])
                ],
            }
            if m.shape[1] == 2
            else None
        )
    # the 2 x 3 table: levels are its columns, groups its rows
    m = tables[2].T
    p = R.to_py(R.call("ref_g_test", R.matrix(m)))["p"]
    n = m.sum(axis=0)
    rows[2] = {
        "variable": "V2",
        "kind": "categorical",
        "p": f"{p:.3f}",
        "levels": [
            {
                "level": f"L{j}",
                "cells": {g: f"{m[j, k]} ({100 * m[j, k] / n[k]:.1f})" for k, g in enumerate("ab")},
            }
            for j in range(m.shape[0])
        ],
    }
    raw = {
        "spec_version": 2,
        "study": {"id": "g", "citation": "constructed"},
        "methods_tests": {"categorical": {"value": ["chi-square"], "where": "methods"}},
        "tables": [
            {
                "id": "t",
                "title": "Table 2",
                "unit": "patient",
                "groups": [
                    {"id": "a", "label": "A", "n": int(n[0])},
                    {"id": "b", "label": "B", "n": int(n[1])},
                ],
                "rows": rows,
            }
        ],
    }
    # the tables of rows 0-1 have other group sizes: one table each
    raw["tables"] = []
    for i, mm in enumerate([tables[0], tables[1], m]):
        nn = mm.sum(axis=0)
        r = rows[i]
        raw["tables"].append(
            {
                "id": f"t{i}",
                "title": f"Table {i + 1}",
                "unit": "patient",
                "groups": [
                    {"id": "a", "label": "A", "n": int(nn[0])},
                    {"id": "b", "label": "B", "n": int(nn[1])},
                ],
                "rows": [r],
            }
        )
    fs = run_audit(validate(raw))
    rule = by_id(fs, "test.categorical.rule")
    assert "likelihood-ratio (G) chi-square for all" in rule.recomputed
    assert (
        "chi-square, no correction" not in rule.recomputed
        and "chi-square (Yates for 2x2)" not in rule.recomputed
    )
    assert (
        rule.verdict == "note"
        and "likelihood-ratio (G)" in rule.detail
        and "not Pearson" in rule.detail
    )
    for i in range(3):
        assert (
            "likelihood-ratio (G)"
            in by_id(fs, f"test.categorical:t{i}:V{i}").detail.split("(smallest")[0]
        )


@pytest.mark.parametrize("printed", [">1.000", "1.2", "-0.01", "≥1"])
def test_impossible_p_is_flagged_in_tables_and_regression(printed):
    raw = formats_spec()
    raw["tables"][0]["rows"][0]["p"] = printed
    raw["regression"] = {
        "id": "r",
        "title": "Table 3",
        "unit": "patient",
        "rows": [
            {"variable": "Smoker", "univariable": {"estimate_ci": "1.50 (0.80–2.80)", "p": printed}}
        ],
    }
    fs = run_audit(validate(raw))
    assert by_id(fs, "p.impossible:t1:Smoker").verdict == "inconsistent"
    assert by_id(fs, "p.impossible:Smoker:univariable").verdict == "inconsistent"
    assert by_id(fs, "test.categorical:t1:Smoker").verdict == "inconsistent"
    assert "impossible" in by_id(fs, "test.categorical:t1:Smoker").detail


@pytest.mark.parity
@pytest.mark.parametrize("named", [None, "t-test", "welch-t-test"])
def test_t_test_p_from_mean_sd_is_recomputed(R, named):
    # printed p = R's t.test on data constructed to have the printed summaries (Welch's here)
    R.source("summary_tests.R")
    m1, s1, n1, m2, s2, n2 = 1.0, 0.1, 5, 3.0, 2.5, 40
    welch = R.to_py(R.call("ref_t_summary", m1, s1, n1, m2, s2, n2, False))["p"]
    student = R.to_py(R.call("ref_t_summary", m1, s1, n1, m2, s2, n2, True))["p"]
    assert f"{welch:.3f}" != f"{student:.3f}"
    raw = {
        "spec_version": 2,
        "study": {"id": "t", "citation": "c"},
        "tables": [
            {
                "id": "t",
                "title": "Table 1",
                "unit": "patient",
                "groups": [{"id": "a", "label": "A", "n": n1}, {"id": "b", "label": "B", "n": n2}],
                "rows": [
                    {
                        "variable": "X",
                        "kind": "mean_sd",
                        "p": f"{welch:.3f}",
                        "cells": {"a": f"{m1:.1f} ± {s1:.1f}", "b": f"{m2:.1f} ({s2:.1f})"},
                    }
                ],
            }
        ],
    }
    if named:
        raw["tables"][0]["rows"][0]["test"] = named
    f = by_id(run_audit(validate(raw)), "test.continuous:t:X")
    if named == "t-test":
        assert f.verdict == "inconsistent" and f.recomputed["t-test"]["p"] == pytest.approx(
            student, rel=1e-9
        )
    else:
        assert f.verdict == "consistent" and "Welch's t" in f.detail
        assert f.recomputed["welch-t-test"]["p"] == pytest.approx(welch, rel=1e-9)


@pytest.mark.parity
def test_one_way_anova_from_three_groups_is_recomputed(R):
    R.source("summary_tests.R")
    raw = formats_spec()
    r = R.to_py(
        R.call(
            "ref_oneway_summary",
            R.fvec([10.2, 11.5, 13.1]),
            R.fvec([2.1, 2.8, 3.5]),
            R.fvec([20, 25, 30]),
            True,
        )
    )
    raw["tables"][0]["rows"][1]["p"] = f"{r['p']:.3f}"
    f = by_id(run_audit(validate(raw)), "test.continuous:t1:Score")
    assert f.verdict == "consistent" and "one-way ANOVA" in f.detail
    assert f.recomputed["anova"]["p"] == pytest.approx(r["p"], rel=1e-9)


def test_auc_ci_without_counts_is_not_reproducible_with_the_reason():
    f = by_id(run_audit(load(TONGUE)), "auc.ci:nomogram:validation:0")
    assert f.verdict == "not-reproducible"
    assert "no outcome counts" in f.detail and "validation cohort" in f.detail


def test_rank_test_row_and_t_test_named_on_medians_say_why():
    raw = formats_spec()
    raw["tables"][0]["rows"][2].update({"p": "0.300", "test": "kruskal-wallis"})
    raw["tables"][0]["rows"][3].update({"p": "0.300", "test": "anova"})
    fs = run_audit(validate(raw))
    assert "rank test needs the data" in by_id(fs, "test.continuous:t1:CRP").detail
    g = by_id(fs, "test.continuous:t1:Stay (days)")
    assert g.verdict == "not-reproducible" and "medians and ranges, not means and SDs" in g.detail


# ------------------------------------------------------------------ (c) formats and loading
def test_every_new_format_loads_as_what_it_is():
    s = validate(formats_spec())
    t = s.table("t1")
    smk = t.row("Smoker").levels[0].cells
    assert (smk["a"].count, smk["a"].denominator, smk["a"].percent.raw) == (5, 18, "27.8")
    assert (smk["c"].count, smk["c"].denominator, smk["c"].percent) == (12, None, None)
    score = t.row("Score").cells
    assert (score["a"].mean.value, score["a"].sd.value, score["b"].sd.value) == (10.2, 2.1, 2.8)
    crp = t.row("CRP").cells["a"]
    assert isinstance(crp, MedianIQR) and (crp.q1.value, crp.q3.value) == (2.7, 10.2)
    stay = t.row("Stay (days)").cells["a"]
    assert isinstance(stay, MedianRange) and (stay.lo.value, stay.hi.value) == (
        2,
        30,
    )  # never read as quartiles
    fs = run_audit(s)
    assert by_id(fs, "arith.range:t1:Stay (days):a").verdict == "consistent"
    assert not [f for f in fs if f.id.startswith("arith.quartiles:t1:Stay")]
    # n/N (%): the percentage is of N, and the category sum is checked against N (2 missing of 20)
    assert by_id(fs, "arith.percent:t1:Smoker:Yes:a").verdict == "consistent"
    sa = by_id(fs, "arith.sum:t1:Smoker:a")
    assert (
        sa.verdict == "consistent"
        and sa.published == 18
        and "less 2 with the value missing" in sa.claim
    )
    assert not [
        f for f in fs if f.id.startswith("arith.percent:t1:Smoker:Yes:c")
    ]  # a count alone: nothing to check


@pytest.mark.parity
def test_diagnostic_accuracy_and_calibration_recomputed(R):
    R.source("summary_tests.R")
    fs = run_audit(validate(formats_spec()))
    d = by_id(fs, "diagnostic:score:0")
    ref = R.to_py(R.call("ref_accuracy", 15, 3, 1, 21))  # caret::confusionMatrix
    assert d.verdict == "consistent"
    for k in ("sensitivity", "specificity", "ppv", "npv", "accuracy"):
        assert d.recomputed[k] == pytest.approx(ref[k], rel=1e-14)
    hl = by_id(fs, "calibration.hl:score:0")
    p = R.to_py(R.r()("function() pchisq(7.32, 8, lower.tail = FALSE)")())
    assert hl.recomputed["p"] == pytest.approx(p, rel=1e-12) and hl.verdict == "consistent"
    assert by_id(fs, "calibration.slope:score:0").verdict == "not-reproducible"


def test_diagnostic_feasibility_without_counts_is_grim_for_proportions():
    raw = formats_spec()
    d = raw["diagnostic_accuracy"][0]
    d.pop("counts")
    for k in ("ppv", "npv", "accuracy"):
        d.pop(k)
    d.update({"n_positive": 16, "n_negative": 24})
    f = by_id(run_audit(validate(raw)), "diagnostic:score:0")
    assert f.verdict == "consistent" and f.recomputed["feasible_counts"][0] == {
        "tp": 15,
        "fn": 1,
        "tn": 21,
        "fp": 3,
    }
    d["n_negative"] = 25  # 87.5% of 25 is no k/25
    f = by_id(run_audit(validate(raw)), "diagnostic:score:0")
    assert f.verdict == "inconsistent" and "specificity 87.5 is no k/n" in f.detail


def test_version_1_files_still_load_and_refuse_version_2_fields_by_name():
    raw = json.loads(json.dumps(load().raw))
    raw["spec_version"] = 1
    with pytest.raises(
        SpecError
    ) as exc:  # the embedded spec's pipeline section is a version-2 field
        validate(raw)
    assert str(exc.value).startswith("spec.pipeline: this field needs spec_version 2")
    del raw["pipeline"]
    assert validate(raw).version == 1
    raw["tables"][0]["cohort"] = "training"
    with pytest.raises(SpecError) as exc:
        validate(raw)
    assert str(exc.value).startswith("spec.tables[0].cohort: this field needs spec_version 2")


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda r: r["tables"][0].__setitem__("cohort", "test"), "spec.tables[0].cohort"),
        (
            lambda r: r["tables"][0]["rows"][0].__setitem__("test", "z-test"),
            "spec.tables[0].rows[0].test",
        ),
        (
            lambda r: r["tables"][0]["rows"][0]["levels"][0]["cells"].__setitem__(
                "a", "19/18 (27.8)"
            ),
            "spec.tables[0].rows[0].levels[0].cells.a",
        ),
        (
            lambda r: r["tables"][0]["rows"][1]["cells"].__setitem__("a", "10.2 [2.1]"),
            "spec.tables[0].rows[1].cells.a",
        ),
        (
            lambda r: r["diagnostic_accuracy"][0].__setitem__("scale", "ratio"),
            "spec.diagnostic_accuracy[0].scale",
        ),
        (
            lambda r: r["diagnostic_accuracy"][0].__setitem__("sensitivity", "193.8"),
            "spec.diagnostic_accuracy[0].sensitivity",
        ),
        (
            lambda r: r["calibration"][0]["hosmer_lemeshow"].__setitem__("df", 0),
            "spec.calibration[0].hosmer_lemeshow.df",
        ),
        (
            lambda r: r.__setitem__(
                "regression",
                {
                    "id": "r",
                    "title": "T3",
                    "unit": "patient",
                    "rows": [
                        {
                            "variable": "Smoker",
                            "levels": [
                                {"level": "Yes", "univariable": {"estimate_ci": "2.0 (1.0–4.0)"}}
                            ],
                        }
                    ],
                },
            ),
            "spec.regression.rows[0].levels",
        ),
        (
            lambda r: r["tables"][0]["rows"][0].__setitem__("kind", "median"),
            "spec.tables[0].rows[0].kind",
        ),
        (lambda r: r.pop("study"), "spec.study"),
    ],
)
def test_a_malformed_v2_spec_is_one_line_naming_the_field(mutate, path):
    raw = formats_spec()
    mutate(raw)
    with pytest.raises(SpecError) as exc:
        validate(raw)
    msg = str(exc.value)
    assert msg.startswith(path) and "\n" not in msg, msg


# ------------------------------------------------------------------ (d) schema and template
def test_published_schema_is_valid_and_accepts_every_shipped_spec():
    import jsonschema

    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for raw in (load().raw, raw_of(PET), raw_of(TONGUE), formats_spec()):
        assert not list(v.iter_errors(raw))


def test_schema_error_names_the_path_and_what_to_write():
    raw = formats_spec()
    raw["tables"][0]["rows"][0]["kind"] = "proportion"
    with pytest.raises(SpecError) as exc:
        validate(raw)
    msg = str(exc.value)
    assert msg.startswith("spec.tables[0].rows[0].kind: 'proportion' is not one of 'categorical'")
    assert "what goes here:" in msg and "median (min–max)" in msg


def test_spec_template_writes_a_skeleton_that_loads_and_audits_clean(tmp_path):
    out = tmp_path / "new.json"
    r = nenaudit("spec-template", out)
    assert r.returncode == 0 and out.exists(), r.stderr
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert raw["spec_version"] == 2 and "_help" in raw and "_help" in raw["tables"][0]["rows"][0]
    fs = run_audit(load(out))
    assert fs and not [f.id for f in fs if f.verdict == "inconsistent"]
    before = out.read_text(encoding="utf-8")
    out.write_text(before + " ", encoding="utf-8")  # the user edited it
    r = nenaudit("spec-template", out)
    assert r.returncode == 2 and "exists" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == before + " "


def test_every_check_produces_findings_on_some_shipped_spec():
    from groups_spec import groups_spec

    studies = [
        load(),
        load(PET),
        load(TONGUE),
        validate(formats_spec()),
        load_template(),
        validate(groups_spec()),
    ]
    silent = [fn.__name__ for fn in all_checks() if not any(fn(s) for s in studies)]
    assert not silent, silent


def load_template():
    from nenaudit.commands.spec_template import TEMPLATE

    return validate(copy.deepcopy(TEMPLATE))


# ------------------------------------------------------------------ ORs against a reference level
def _z():
    return stats.norm.ppf(0.975)


def _near_boundary(x: float, decimals: int) -> bool:
    """True when x is within 1e-4 relative of a rounding boundary at ``decimals`` places (glm's stop rule)."""
    scaled = x * 10**decimals
    return abs(scaled - math.floor(scaled) - 0.5) < 1e-4 * max(scaled, 1.0)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    cells=st.integers(2, 4).flatmap(
        lambda k: st.lists(
            st.tuples(st.integers(2, 40), st.integers(2, 40)), min_size=k, max_size=k
        )
    ),
    data=st.data(),
)
def test_any_k_by_2_table_with_a_reference_level_recomputes_its_own_ors(cells, data):
    """Printed ORs, Wald CIs and Wald p are the closed forms (cross-product ratio, Woolf 1955) at 3 decimals;
    the audit's glm with treatment contrasts must reproduce every one."""
    k = len(cells)
    ref = data.draw(st.integers(0, k - 1))
    levels = [f"L{i}" for i in range(k)]
    ev, ne = [c[0] for c in cells], [c[1] for c in cells]
    reg_levels = []
    for i in range(k):
        if i == ref:
            reg_levels.append({"level": levels[i], "reference": True})
            continue
        orr = ev[i] * ne[ref] / (ne[i] * ev[ref])
        se = math.sqrt(1 / ev[i] + 1 / ne[i] + 1 / ev[ref] + 1 / ne[ref])
        lo, hi = orr * math.exp(-_z() * se), orr * math.exp(_z() * se)
        p = 2 * stats.norm.sf(abs(math.log(orr)) / se)
        assume(not any(_near_boundary(x, 3) for x in (orr, lo, hi, p)))
        reg_levels.append(
            {
                "level": levels[i],
                "univariable": {
                    "estimate_ci": f"{orr:.3f} ({lo:.3f}–{hi:.3f})",
                    "p": f"{p:.3f}" if p >= 0.001 else "<0.001",
                },
            }
        )
    ne_tot, ev_tot = sum(ne), sum(ev)
    raw = {
        "spec_version": 2,
        "study": {"id": "k", "citation": "c"},
        "tables": [
            {
                "id": "t",
                "title": "Table 1",
                "unit": "patient",
                "groups": [
                    {"id": "e", "label": "Event", "n": ev_tot, "outcome_group": "event"},
                    {"id": "n", "label": "No event", "n": ne_tot, "outcome_group": "none"},
                ],
                "rows": [
                    {
                        "variable": "X",
                        "kind": "categorical",
                        "levels": [
                            {"level": levels[i], "cells": {"e": str(ev[i]), "n": str(ne[i])}}
                            for i in range(k)
                        ],
                    }
                ],
            }
        ],
        "regression": {
            "id": "r",
            "title": "Table 2",
            "unit": "patient",
            "counts_table": "t",
            "rows": [{"variable": "X", "levels": reg_levels}],
        },
    }
    fs = run_audit(validate(raw))
    for i in range(k):
        if i == ref:
            continue
        f = by_id(fs, f"logit.univariable:X: {levels[i]}")
        assert f.verdict == "consistent", f.detail
        # the printed CI is reproduced by a Wald interval: R's confint.default, or the same at the exact optimum
        # (where glm's default stop is ~1e-4 away from it, e.g. cells (19, 2), (37, 7): 2.9433 vs Woolf's 2.9436)
        assert "Wald (confint.default)" in f.detail or "Wald at the exact MLE (Woolf)" in f.detail


# ------------------------------------------------------------------ (e) the two real papers
@pytest.mark.parity
def test_pet_paper_tests_match_r(R):
    """PMC7907291 Table 2: the printed categorical p-values are R's chisq.test(correct = FALSE) in 5 of 6 rows
    (checked by hand in R: 0.9357, 0.0899, 0.6506 training; 0.7638, 0.2639 validation); the validation
    'Localization of tumor' p = 0.107 is reproduced by none (R: Pearson 0.4297, Yates 0.6450, Fisher 0.5219,
    G 0.4245); age p 0.096 and 0.485 are Student's t (R t.test var.equal = TRUE on constructed data: 0.09656, 0.4856),
    within the rounding of the printed means and SDs, not Welch's (0.0861, 0.4946)."""
    R.source("summary_tests.R")
    R.source("audit.R")
    s = load(PET)
    fs = run_audit(s)
    for t in s.tables:
        for row in t.rows:
            if row.kind == "categorical":
                m = categorical.counts_matrix(t, row)
                r = R.to_py(R.call("audit_table_tests", R.matrix(m)))
                f = by_id(fs, f"test.categorical:{t.id}:{row.variable}")
                assert f.recomputed["chisq"] == pytest.approx(r["chisq"], rel=1e-10)
                assert f.recomputed["fisher"] == pytest.approx(r["fisher"], rel=1e-10)
                assert f.recomputed["g"] == pytest.approx(
                    R.to_py(R.call("ref_g_test", R.matrix(m)))["p"], rel=1e-10
                )
                bad = (t.cohort, row.variable) == ("validation", "Localization of tumor")
                assert f.verdict == ("inconsistent" if bad else "consistent"), f.detail
                if not bad:
                    assert "Pearson chi-square" in f.detail.split("(smallest")[0]
    rule = by_id(fs, "test.categorical.rule")
    assert (
        rule.recomputed[0] == "chi-square, no correction"
        and "No test reproduces 1 of the 6" in rule.detail
    )
    for tid, summ in (
        ("table2_training", (57.45, 9.69, 29, 61.30, 10.66, 70)),
        ("table2_validation", (61.08, 9.33, 13, 63.16, 9.13, 37)),
    ):
        f = by_id(fs, f"test.continuous:{tid}:Age (years)")
        student = R.to_py(R.call("ref_t_summary", *map(float, summ), True))["p"]
        assert f.recomputed["t-test"]["p"] == pytest.approx(student, rel=1e-9)
        assert f.verdict == "consistent" and f.detail.startswith("reproduced by Student's t:")


@pytest.mark.parity
def test_tongue_paper_findings_match_r(R):
    """BMC Cancer 2021;21:408: the abstract's paralingual-distance P = 0.005 repeats Table 3's 0.007, and the
    CI 1.981-72.413 implies the table's value (R: 2 * pnorm(-log(11.976) / ((log(72.413) - log(1.981)) /
    (2 * qnorm(0.975)))) = 0.00684); three univariable p printed as 0.000; the univariable p of tumor location
    (0.003) is not the Wald p its CI implies (R: 0.000148)."""
    fs = run_audit(load(TONGUE))
    f = by_id(fs, "arith.text:9:table3/PLD/≤ 5 mm/multivariable/p")
    assert f.verdict == "inconsistent" and "prints 0.007" in f.detail
    implied = R.to_py(
        R.r()("function(e, l, h) 2 * pnorm(-log(e) / ((log(h) - log(l)) / (2 * qnorm(0.975))))")(
            11.976, 1.981, 72.413
        )
    )
    ip = by_id(fs, "triple.implied_p:PLD: ≤ 5 mm:multivariable")
    assert ip.verdict == "consistent" and ip.recomputed["p_wald_from_ci"] == pytest.approx(
        implied, rel=1e-9
    )
    assert round(implied, 4) == 0.0068
    zeros = [f.id for f in fs if f.id.startswith("p.zero:")]
    assert sorted(zeros) == [
        "p.zero:PLD: ≤ 5 mm:univariable",
        "p.zero:Tumor size: T2:univariable",
        "p.zero:rTTT: Significant rTTT:univariable",
    ]
    loc = by_id(fs, "triple.implied_p:Tumor location: Posterior:univariable")
    r_loc = R.to_py(
        R.r()("function(e, l, h) 2 * pnorm(-log(e) / ((log(h) - log(l)) / (2 * qnorm(0.975))))")(
            5.395, 2.259, 12.888
        )
    )
    assert loc.verdict == "note" and loc.recomputed["p_wald_from_ci"] == pytest.approx(
        r_loc, rel=1e-9
    )
    d = by_id(fs, "diagnostic:nomogram:0")
    assert d.verdict == "not-reproducible" and "15/16" in d.detail and "7/8" in d.detail
    assert all(f.verdict == "not-reproducible" for f in fs if f.id.startswith("logit.univariable:"))
