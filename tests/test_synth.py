"""Synthetic cohorts: published counts given back by stats.table1.summarize, minimal reported
deviations for infeasible specs, byte-for-byte reproducibility, the CLI.

Reference values are the published numbers of the study spec (feng2025.json, transcribed from
Feng et al. 2025, doi:10.3389/fonc.2025.1628054) and, for made-up specs, the counts of a cohort
built by the test itself.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nenaudit.builders import cohort_spec
from nenaudit.cli import main
from nenaudit.cohort import default_cohort_path, load_cohort
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.table1 import summarize
from nenaudit.study.schema import label_key, load, validate
from nenaudit.synth import generate, regenerate, write_cohort
from nenaudit.synth.allocation import (
    AllocationProblem,
    CategoricalVar,
    CountTarget,
    solve,
)


@pytest.fixture(scope="module")
def study():
    return load(None)


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


def _deviating(manifest) -> set[tuple[str, str, str, str]]:
    return {
        (d["table"], label_key(d["variable"]), d["level"], d["group"])
        for d in manifest["allocation"]["deviations"]
    }


def _group_labels(df, event="ineffective", other="effective"):
    return df.assign(_g=np.where(df["outcome"] == 1, event, other))


# --------------------------------------------------------------------- default cohort
def test_default_cohort_gives_back_every_published_count(study, cohort):
    """summarize() on the committed cohort reproduces every Table 1/2 count the allocation does not
    report as infeasible (published counts: the spec)."""
    skip = _deviating(cohort.manifest)
    checked = 0
    for t in study.tables:
        df = _group_labels(cohort.patients if t.unit == "patient" else cohort.lesions)
        rows = [r for r in t.rows if r.kind == "categorical" and not r.outcome]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comp = {
                v.variable: v
                for v in summarize(df, "_g", vars=[r.variable for r in rows]).variables
            }
        for r in rows:
            for lv in r.levels:
                for gid, cell in lv.cells.items():
                    grp = t.group(gid)
                    groups = (
                        [grp.outcome_group] if grp.outcome_group else ["effective", "ineffective"]
                    )
                    got = sum(
                        c.count
                        for c in comp[r.variable].cells
                        if c.level == lv.level and c.group in groups
                    )
                    if (t.id, label_key(r.variable), lv.level, gid) in skip:
                        assert got != cell.count  # a reported deviation is a real one
                        continue
                    assert got == cell.count, (t.id, r.variable, lv.level, gid)
                    checked += 1
    assert checked == 58  # 60 published categorical cells minus the 2 reported as infeasible
    # patients per outcome (Table 1 Response) and lesions per outcome (Table 2 headers)
    assert (cohort.patients["outcome"] == 0).sum() == 16 and (
        cohort.patients["outcome"] == 1
    ).sum() == 60
    assert (cohort.lesions["outcome"] == 0).sum() == 27 and (
        cohort.lesions["outcome"] == 1
    ).sum() == 104
    assert cohort.patients["n_lesions"].between(1, study.fact("max_lesions_per_patient")).all()


def test_default_cohort_infeasibility_is_reported_with_minimal_deviation(cohort):
    """Table 1: 3 patients > 5 cm; Table 2: 7 lesions > 5 cm; at most 2 lesions per patient (2.3).
    7 > 2 x 3, so one count must move by at least 1 and, the row totals being fixed, another cell of
    the same row by the opposite amount: the smallest total deviation is 2."""
    a = cohort.manifest["allocation"]
    assert not a["feasible"]
    assert a["total_deviation"] == 2
    assert {d["variable"] for d in a["deviations"]} == {"Diameter of the hepatic metastasis"}
    assert sum(d["deviation"] for d in a["deviations"]) == 0


def test_default_cohort_continuous_summaries_within_printed_rounding(study, cohort):
    """Every published median [Q1, Q3] / mean ± SD is met within its printed rounding (R type-7
    quantiles), except misses the manifest reports."""
    missed = {m["target"] for m in cohort.manifest["continuous_misses"]}
    for t in study.tables:
        df = _group_labels(cohort.patients if t.unit == "patient" else cohort.lesions)
        for r in t.rows:
            if r.kind == "categorical":
                continue
            for gid, cell in r.cells.items():
                grp = t.group(gid)
                x = (
                    df.loc[df["_g"] == grp.outcome_group, r.variable]
                    if grp.outcome_group
                    else df[r.variable]
                )
                x = x.to_numpy(float)
                if r.kind == "median_iqr":
                    q = quantile7(x, [0.25, 0.5, 0.75])
                    for name, pr, v in (
                        ("q25", cell.q1, q[0]),
                        ("q50", cell.median, q[1]),
                        ("q75", cell.q3, q[2]),
                    ):
                        if f"{t.id}/{r.variable}/{gid}/{name}" not in missed:
                            assert pr.agrees(v), (t.id, r.variable, gid, name, v)
                else:
                    assert cell.mean.agrees(x.mean()) and cell.sd.agrees(x.std(ddof=1)), (
                        r.variable,
                        x.mean(),
                    )


def test_default_cohort_radscore_formula_and_features(study, cohort):
    """851 pyradiomics-named columns; each published Radscore feature correlates with the lesions' Radscore
    exactly as designed (the manifest's signature_load, in the direction of its published coefficient), and
    the manifest's achieved formula correlation is the one the files give."""
    from nenaudit.radiomics.catalogue import load_catalogue

    assert list(cohort.features.columns) == list(
        load_catalogue().feature_keys(("original", "wavelet"))
    )
    rad = cohort.manifest["radiomics"]
    assert rad["stand_ins"][0]["published"] == "WaveletH_LLHH_RunVariance"
    keys = [s["key"] for s in rad["signature"]]
    coefs = np.array([s["coefficient"] for s in rad["signature"]])
    target = cohort.lesions["Radscore"].to_numpy(float)
    f = cohort.features[keys]
    r = np.array([np.corrcoef(f[k].to_numpy(float), target)[0, 1] for k in keys])
    # features and Radscore are written with 6 significant digits: correlations are exact to about 1e-5
    np.testing.assert_allclose(r, rad["signature_load"] * np.sign(coefs), atol=1e-4)
    z = (f - f.mean()) / f.std(ddof=1)
    score = z.to_numpy() @ coefs
    got = cohort.manifest["achieved"]["radiomics"]["published_formula_correlation"]
    # the manifest stores 6 significant digits
    assert got == pytest.approx(np.corrcoef(score, target)[0, 1], abs=1e-6)
    subset = cohort.observers
    assert len(subset) == 2 * study.fact("resegmented_lesions")
    assert set(map(tuple, subset[["observer", "repeat"]].drop_duplicates().to_numpy())) == {
        (1, 2),
        (2, 1),
    }


@pytest.mark.slow
def test_default_cohort_regenerates_byte_for_byte(cohort):
    """The committed cohort, generated again from its manifest (seed, budget, spec hash), byte for byte.
    Slow (the full search and the --boot 50 evaluation: about 4 minutes on one core); the same code path
    at a small budget is checked quickly by test_same_seed_same_bytes_different_seed_different."""
    path = default_cohort_path()
    again = regenerate(path / "manifest.json")
    for name, text in again.files.items():
        assert (path / name).read_bytes() == text.encode("utf-8"), name


SMALL = {
    "a": 40,
    "b": 2,
    "c": 60,
    "boot": 4,
}  # stages A, B, C at a small budget: the same code path, seconds not minutes


def test_same_seed_same_bytes_different_seed_different(study):
    a = generate(study, 7, budget=SMALL, evaluate_results=False)
    b = generate(study, 7, budget=SMALL, evaluate_results=False)
    assert a.files == b.files
    from nenaudit.synth import faithful

    assert a.manifest["faithful_search"]["budget"] == {**SMALL, "retries": faithful.C_RETRIES}
    c = generate(study, 8, with_features=False)
    assert c.files["lesions.csv"] != a.files["lesions.csv"]


# --------------------------------------------------------------------- made-up specs
# made-up specs: nenaudit.builders.cohort_spec (Table 1 and Table 2 counted from a made-up cohort)
@st.composite
def small_cohorts(draw):
    kmax = draw(st.integers(1, 3))
    n = draw(st.integers(4, 14))
    k = np.array(draw(st.lists(st.integers(1, kmax), min_size=n, max_size=n)))
    resp = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    resp[0], resp[1] = 0, 1  # both outcome groups present
    nvar = draw(st.integers(1, 3))
    levels = [
        np.array(draw(st.lists(st.integers(0, draw(st.integers(1, 3))), min_size=n, max_size=n)))
        for _ in range(nvar)
    ]
    seed = draw(st.integers(0, 2**31 - 1))
    return k, resp, levels, kmax, seed


def _counts_back(c, spec) -> tuple[int, int]:
    m = c.manifest["achieved"]
    return m["counts_reproduced"], m["counts_published"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cohorts())
def test_feasible_made_up_specs_are_reproduced_exactly(case):
    k, resp, levels, kmax, seed = case
    spec = validate(cohort_spec(k, resp, levels, kmax))
    c = generate(spec, seed, with_features=False)
    assert c.manifest["allocation"]["feasible"]
    got, published = _counts_back(c, spec)
    assert got == published  # every count cell, group size and outcome count
    les = pd.read_csv(__import__("io").StringIO(c.files["lesions.csv"]))
    assert les.groupby("patient_id").size().max() <= kmax


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cohorts(), st.integers(1, 6))
def test_infeasible_made_up_specs_report_a_minimal_deviation(case, amount):
    """Moving lesions in Table 2 from level 0 to level 1 of V0 makes the spec differ from a feasible one by
    2 x (lesions moved) in L1; the allocation's reported deviation is at most that (the original cohort is
    a candidate), and positive when the move breaks the bound lesions <= max x patients."""
    k, resp, levels, kmax, seed = case
    lv = levels[0].copy()
    lv[lv > 1] = 1  # V0 has two levels, so level 1 exists
    levels = [lv] + levels[1:]
    g = 1
    raw = cohort_spec(k, resp, levels, kmax, bump=(0, 0, 1, amount, g))
    moved = min(amount, int(k[(lv == 0) & (resp == g)].sum()))
    spec = validate(raw)
    c = generate(spec, seed, with_features=False)
    a = c.manifest["allocation"]
    assert a["total_deviation"] <= 2 * moved
    patients_l1 = int((lv == 1).sum())
    lesions_l1 = int(k[(lv == 1)].sum()) + moved
    if lesions_l1 > kmax * patients_l1:
        assert not a["feasible"] and a["total_deviation"] > 0
    if a["feasible"]:
        got, published = _counts_back(c, spec)
        assert got == published
    else:  # counts not reported as deviating are given back
        got, published = _counts_back(c, spec)
        assert published - got == len(a["deviations"])


def test_allocation_reports_impossible_group_sizes_without_crashing():
    """Lesion groups larger than max x patients: the patient counts give way (reported), no crash."""
    prob = AllocationProblem(
        ("e", "i"),
        1,
        3,
        {"e": 1, "i": 2},
        {"e": 2, "i": 2},
        (CategoricalVar("X", ("a", "b"), True),),
        (CountTarget("t1", "patient", "X", "a", "total", ("e", "i"), 3.0),),
    )
    res = solve(prob)
    assert res.structural and not res.feasible


# --------------------------------------------------------------------- CLI
def test_cli_synth_writes_atomically_and_reports(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["synth", "--seed", "3", "--out", str(out), "--json", "--budget", "20,2,20,4"]) == 0
    cap = capsys.readouterr()
    s = json.loads(cap.out)
    assert "stage B" in cap.err and "stage C" in cap.err  # progress on stderr
    # every required target is listed with published / achieved / met, and the misses are named
    assert s["targets"] and all(
        {"target", "published", "achieved", "tolerance", "met"} <= set(t) for t in s["targets"]
    )
    assert set(s["missed_targets"]) <= {t["target"] for t in s["targets"] if not t["met"]}
    assert s["seed"] == 3 and s["counts_reproduced"] == s["counts_published"] - len(s["deviations"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]  # no temporary directory left behind
    c = load_cohort(out)
    assert c.features.shape == (131, 851)
    # replaces the directory as a whole
    assert (
        main(["synth", "--seed", "3", "--out", str(out), "--budget", "20,2,20,4", "--quiet"]) == 0
    )
    cap = capsys.readouterr()
    assert (
        "published counts reproduced" in cap.out
        and "required model targets met" in cap.out
        and cap.err == ""
    )


def test_cli_synth_bad_seed_is_one_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:  # refused by the option parser (nenaudit.options.seed)
        main(["synth", "--seed", "-1", "--out", str(tmp_path / "x")])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nenaudit: error:") and "seed" in err and "\n" not in err
    assert not (tmp_path / "x").exists()


def test_write_cohort_refuses_a_file_in_the_way(tmp_path):
    from nenaudit.exceptions import NenauditError

    (tmp_path / "f").write_text("x")
    with pytest.raises(NenauditError, match="not a directory"):
        write_cohort(generate(None, 1, with_features=False, evaluate_results=False), tmp_path / "f")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_default_cohort_filters_keep_the_designed_features(study, cohort):
    """ICC (ICC2 >= 0.75, intra and inter) then Spearman (|rho| > 0.9, caret's rule) keep one feature per
    designed reliable cluster (the paper's 60, 3.2), the 9 Radscore features among them."""
    from nenaudit.stats.features import icc_filter, spearman_filter

    obs = cohort.observers
    cols = cohort.feature_names
    o12 = obs[(obs["observer"] == 1) & (obs["repeat"] == 2)].set_index("lesion_id")[cols]
    o21 = obs[(obs["observer"] == 2) & (obs["repeat"] == 1)].set_index("lesion_id")[cols]
    icc = icc_filter(
        {
            "intra": (cohort.features.loc[o12.index], o12),
            "inter": (cohort.features.loc[o21.index], o21),
        },
        threshold=study.fact("icc_threshold"),
    )
    kept = spearman_filter(
        cohort.features[list(icc.kept)], cutoff=study.fact("spearman_threshold")
    ).kept
    rad = cohort.manifest["radiomics"]
    assert (
        len(kept)
        == rad["designed_kept_after_filters"]
        == study.radiomics["n_after_filters"]["value"]
    )
    assert {s["key"] for s in rad["signature"]} <= set(kept)
