"""Cohort verbs on real-looking cohorts (issue 10, items 10 and 11; --study; the fold seed): bad values
refused with their column and line, manifests without ``variables`` (types inferred and printed),
malformed manifests in one line, the study spec and the fold seed reaching what they should."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.builders import embedded_raw
from nenaudit.cohort import default_cohort_path, load_cohort
from nenaudit.exceptions import DataError


def one_line_error(p, *needles, notes=False):
    """Exit 2, no traceback, one error line naming every needle; with ``notes`` the lines that print the
    inferred column types may precede it."""
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr)
    lines = p.stderr.strip().splitlines()
    if notes:
        assert "inferred column types" in lines[0], p.stderr
        lines = [x for x in lines[1:] if not x.startswith("nenaudit:   ")]
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture
def copy(tmp_path):
    dst = tmp_path / "cohort"
    shutil.copytree(default_cohort_path(), dst)
    return dst


def set_cell(cohort, column, row, value, file="lesions.csv"):
    """Put ``value`` (a raw CSV token) in ``column`` of data row ``row`` (0-based) of ``file``;
    returns the file line."""
    path = cohort / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)
    return row + 2


def edit_manifest(cohort, fn):
    path = cohort / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    fn(m)
    path.write_text(json.dumps(m), encoding="utf-8")


# --- item 10: validate refuses bad values as reproduce does ----------------------------------------


@pytest.mark.parametrize(
    "column, value, needle",
    [
        ("Ki67", "NA", "missing value"),
        ("Radscore", "inf", "infinite"),
        ("Radscore", "-Inf", "infinite"),
        ("Radscore", "abc", "'abc'"),
    ],
)
@pytest.mark.parametrize("scheme", ["published", "harrell"])
def test_validate_bad_value_is_one_line_with_column_and_line(copy, column, value, needle, scheme):
    line = set_cell(copy, column, 40, value)
    p = nenaudit("validate", copy, "--scheme", scheme, "--boot", "3")
    one_line_error(p, f"column {column!r}", f"line {line}", needle)


def test_reproduce_and_validate_pipeline_refuse_a_missing_candidate(copy, tmp_path):
    line = set_cell(copy, "Grade", 7, "NA")
    for argv in (
        ["reproduce", copy, "--boot", "2", "--quiet", "--out", tmp_path / "r"],
        ["validate", copy, "--scheme", "pipeline", "--boot", "2"],
    ):
        one_line_error(nenaudit(*argv), "column 'Grade'", f"line {line}", "missing value")


def test_validate_published_on_a_separating_or_singular_model_is_one_line_as_harrell(copy):
    path = copy / "lesions.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["Separator"] = df["outcome"]  # outcome 1 <-> Separator 1: complete separation
    df["Ki67 copy"] = df["Ki67"]  # collinear with Ki67: singular
    df.to_csv(path, index=False)
    edit_manifest(
        copy,
        lambda m: m["variables"].update(
            {
                "Separator": {"kind": "continuous", "levels": None},
                "Ki67 copy": {"kind": "continuous", "levels": None},
            }
        ),
    )
    # complete separation: glm.fit does not converge (and warns about fitted probabilities 0 or 1), as in R
    for preds, reason in (("Separator", "non_convergence"), ("Ki67,Ki67 copy", "singular")):
        lines = []
        for scheme in ("published", "harrell"):
            p = nenaudit("validate", copy, "--scheme", scheme, "--boot", "3", "--predictors", preds)
            lines.append(one_line_error(p, "fails on the full data", reason))
        # the same failure, said the same way by both schemes
        assert (
            lines[0].split("fails on the full data")[1][:25]
            == lines[1].split("fails on the full data")[1][:25]
        )


def test_reproduce_with_fewer_events_than_folds_is_one_line(copy, tmp_path):
    p = pd.read_csv(copy / "patients.csv", dtype={"patient_id": str})
    l_ = pd.read_csv(copy / "lesions.csv", dtype={"patient_id": str}, keep_default_na=False)
    cum = p["n_lesions"].cumsum()
    events = set(p.loc[cum <= 6, "patient_id"])  # 6 lesions with outcome 1, fewer than 10 folds
    p["outcome"] = p["patient_id"].isin(events).astype(int)
    l_["outcome"] = l_["patient_id"].isin(events).astype(int)
    p.to_csv(copy / "patients.csv", index=False)
    l_.to_csv(copy / "lesions.csv", index=False)
    out = tmp_path / "r"
    one_line_error(
        nenaudit("reproduce", copy, "--boot", "2", "--quiet", "--out", out),
        "fewer than the 10 folds",
    )
    assert not out.exists()


@pytest.mark.parametrize("preds", ["lesion_id", "patient_id", "Ki67,outcome"])
def test_identifier_or_outcome_as_predictor_is_refused(preds):
    one_line_error(
        nenaudit("validate", "--scheme", "published", "--predictors", preds), "cannot be a"
    )


# --- item 11: manifests ----------------------------------------------------------------------------


@pytest.fixture
def no_variables(copy):
    """A user's real cohort: the default cohort with the manifest's ``variables`` deleted."""
    edit_manifest(copy, lambda m: m.pop("variables"))
    return copy


def test_types_are_inferred_without_variables(no_variables):
    c = load_cohort(no_variables)
    assert c.notes and "describes no 'variables'" in c.notes[0]
    # text columns: categorical, levels sorted (R's factor() default), code 0 = first
    assert c.levels("Number of hepatic metastases") == sorted(
        set(c.lesions["Number of hepatic metastases"])
    )
    assert c.levels("Extrahepatic metastasis") == ["No", "Yes"]
    coded = c.coded_lesions()
    assert (
        coded["Extrahepatic metastasis"] == (c.lesions["Extrahepatic metastasis"] == "Yes")
    ).all()
    assert c.levels("Ki67") is None and c.levels("Grade") is None  # numbers stay numbers
    assert any(n.strip().startswith("Ki67: numeric") for n in c.notes)
    # the default cohort's manifest describes every column: nothing inferred, nothing printed
    assert load_cohort().notes == ()


@pytest.mark.parametrize(
    "argv",
    [
        ["select"],
        ["validate", "--scheme", "published", "--boot", "5"],
        ["validate", "--scheme", "harrell", "--boot", "3"],
    ],
)
def test_cohort_verbs_run_without_variables_and_print_the_inference(no_variables, argv):
    p = nenaudit(argv[0], no_variables, *argv[1:])
    assert p.returncode == 0, p.stderr
    assert "inferred column types" in p.stderr
    assert (
        "Number of hepatic metastases: categorical, levels Diffuse metastasis < Multiple metastases < "
        "Oligometastasis" in p.stderr
    )
    assert "could not convert" not in p.stderr + p.stdout


def test_reproduce_runs_without_variables(no_variables, tmp_path):
    out = tmp_path / "r"
    p = nenaudit(
        "reproduce", no_variables, "--boot", "2", "--quiet", "--no-crosscheck", "--out", out
    )
    assert p.returncode == 0, p.stderr
    assert "inferred column types" in p.stderr and (out / "report.md").is_file()


def test_bad_values_in_an_inferred_cohort_are_refused_with_column_and_line(no_variables):
    line = set_cell(no_variables, "Ki67", 12, "abc")
    one_line_error(
        nenaudit("validate", no_variables, "--scheme", "published"),
        "column 'Ki67'",
        f"line {line}",
        "'abc'",
        "--na abc",
    )
    set_cell(no_variables, "Ki67", 12, "NA")
    one_line_error(
        nenaudit("validate", no_variables, "--scheme", "published"),
        "column 'Ki67'",
        f"line {line}",
        "missing value",
        notes=True,
    )


@pytest.mark.parametrize(
    "case, needle",
    [
        ("list", "'variables' must be an object"),
        ("levels_string", ".levels must be a list"),
        ("levels_number", "is not a label"),
        ("not_utf8", "not UTF-8"),
    ],
)
def test_malformed_manifests_are_one_line(copy, case, needle):
    if case == "list":
        edit_manifest(copy, lambda m: m.update(variables=list(m["variables"])))
    elif case == "levels_string":
        edit_manifest(copy, lambda m: m["variables"]["Surgery"].update(levels="No, Yes"))
    elif case == "levels_number":
        edit_manifest(copy, lambda m: m["variables"]["Surgery"].update(levels=[None, "Yes"]))
    else:
        (copy / "manifest.json").write_bytes(
            '{"notes": "Universit\u00e4t"}'.encode("latin-1")
        )  # not UTF-8
    with pytest.raises(DataError, match=needle) as exc:
        load_cohort(copy)
    assert "\n" not in str(exc.value)
    one_line_error(nenaudit("validate", copy, "--scheme", "published"), needle)


def test_a_null_variable_is_inferred(copy):
    edit_manifest(copy, lambda m: m["variables"].update({"Surgery": None}))
    c = load_cohort(copy)
    assert c.levels("Surgery") == ["No", "Yes"]
    assert "does not describe 1 column" in c.notes[0] and c.notes[1].strip().startswith(
        "Surgery: categorical"
    )
    p = nenaudit(
        "validate", copy, "--scheme", "published", "--boot", "3", "--predictors", "Surgery,Ki67"
    )
    assert p.returncode == 0 and "Surgery: categorical" in p.stderr, p.stderr


# --- --study reaches every verb that takes it ------------------------------------------------------


def _spec(tmp_path, final=None, drop_rows=()):
    raw = embedded_raw()
    reg = raw["regression"]
    if final is not None:
        reg["final_model"]["variables"] = final
    reg["rows"] = [r for r in reg["rows"] if r["variable"] not in drop_rows]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_validate_uses_the_final_model_of_study(tmp_path):
    spec = _spec(tmp_path, final=["Radscore", "Ki67"])
    default = json.loads(
        nenaudit("validate", "--scheme", "published", "--boot", "3", "--json").stdout
    )
    p = nenaudit("validate", "--scheme", "published", "--boot", "3", "--json", "--study", spec)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["variables"] == ["Radscore", "Ki67"] != default["variables"]


def test_pipeline_candidates_come_from_study(tmp_path):
    from nenaudit.pipeline import PipelineConfig, build_design
    from nenaudit.study.schema import load

    cohort = load_cohort()
    spec = load(_spec(tmp_path, drop_rows=("Grade", "GGT")))
    _, _, _, proc_default = build_design(cohort, PipelineConfig())
    _, _, _, proc = build_design(cohort, PipelineConfig(), spec)
    assert {"Grade", "GGT"} <= set(proc_default.candidates)
    assert set(proc.candidates) == set(proc_default.candidates) - {"Grade", "GGT"}


def test_reproduce_and_validate_pass_study_on(tmp_path, monkeypatch):
    """The CLI hands the loaded --study to the pipeline (reproduce) and to build_design (validate pipeline)."""
    import nenaudit.pipeline as pl
    from nenaudit.cli import main

    spec = _spec(tmp_path, drop_rows=("Grade",))
    seen = {}

    class Stop(Exception):
        pass

    def fake_run(cohort, cfg, *, progress=None, study=None):
        seen["reproduce"] = (study, cfg)
        raise Stop

    real_build = pl.build_design

    def fake_build(cohort, cfg=None, study=None):
        seen["validate"] = real_build(cohort, cfg, study)[3]
        raise Stop

    monkeypatch.setattr(pl, "run_pipeline", fake_run)
    monkeypatch.setattr(pl, "build_design", fake_build)
    with pytest.raises(Stop):
        main(["reproduce", "--study", str(spec), "--out", str(tmp_path / "r"), "--fold-seed", "7"])
    study, cfg = seen["reproduce"]
    assert "Grade" not in [r.variable for r in study.regression.rows]
    assert cfg.selection.seed == 7
    with pytest.raises(Stop):
        main(["validate", "--scheme", "pipeline", "--study", str(spec), "--fold-seed", "5"])
    proc = seen["validate"]
    assert "Grade" not in proc.candidates and proc.config.selection.seed == 5


# --- the fold seed ---------------------------------------------------------------------------------


def test_fold_seed_defaults_keep_the_committed_behaviour():
    from nenaudit.cli import build_parser
    from nenaudit.pipeline import PipelineConfig

    parser = build_parser()
    default_fold_seed = PipelineConfig().selection.seed
    for argv in (["reproduce"], ["validate", "--scheme", "pipeline"], ["select"]):
        assert parser.parse_args(argv).fold_seed == default_fold_seed


def test_select_fold_seed_draws_the_folds():
    one = json.loads(nenaudit("select", "--json").stdout)
    same = json.loads(nenaudit("select", "--json", "--fold-seed", "1").stdout)
    other = json.loads(nenaudit("select", "--json", "--fold-seed", "2").stdout)
    assert one["fold_seed"] == one["config"]["seed"] == 1 and other["config"]["seed"] == 2
    assert one["radscore"] == same["radscore"] and one["lambda_1se"] == same["lambda_1se"]
    # other folds, another CV curve: here lambda.min happens to agree, lambda.1se does not
    assert other["lambda_1se"] != one["lambda_1se"]
    help_text = nenaudit("reproduce", "--help").stdout
    assert "--fold-seed" in help_text and "LASSO-CV folds" in help_text
