"""load_cohort: the committed default cohort loads; bad cohort directories are refused in one line."""

from __future__ import annotations

import json
import shutil

import pytest

from nenaudit.cohort import FILES, Cohort, cohort_from_texts, default_cohort_path, load_cohort
from nenaudit.exceptions import DataError


@pytest.fixture(scope="module")
def default():
    return load_cohort()


@pytest.fixture
def copy(tmp_path):
    dst = tmp_path / "c"
    shutil.copytree(default_cohort_path(), dst)
    return dst


def test_default_cohort_loads_with_consistent_tables(default):
    assert isinstance(default, Cohort)
    assert default.path == default_cohort_path()
    assert len(default.patients) == 76 and len(default.lesions) == 131  # Feng et al. 2025, 2.1
    assert list(default.features.index) == list(default.lesions["lesion_id"])
    assert default.features.shape[1] == 851  # 3.2: 851 features per lesion
    assert list(default.observers.columns[3:]) == default.feature_names
    # a lesion's outcome is its patient's; n_lesions counts the patient's lesions
    per = default.lesions.groupby("patient_id").size()
    assert (default.patients.set_index("patient_id")["n_lesions"] == per).all()
    # grade levels stay labels ("1".."4"), and coded_lesions maps them to 0..3 in spec order
    assert set(default.lesions["Grade"]) <= {"1", "2", "3", "4"}
    coded = default.coded_lesions()
    assert sorted(coded["Grade"].unique()) == [0, 1, 2, 3]
    assert default.levels("Extrahepatic metastasis") == ["No", "Yes"]
    assert (
        coded["Extrahepatic metastasis"].sum()
        == (default.lesions["Extrahepatic metastasis"] == "Yes").sum()
    )


def test_env_var_points_to_another_cohort(copy, monkeypatch):
    monkeypatch.setenv("NENAUDIT_COHORT", str(copy))
    assert load_cohort().path == copy


def _edit_csv(path, fn):
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(fn(lines)), encoding="utf-8")


@pytest.mark.parametrize(
    "case, pattern",
    [
        ("missing_file", r"missing observers.csv"),
        ("dup_patient", r"patients.csv: column 'patient_id', line 3: duplicate id"),
        ("orphan", r"lesions.csv: column 'patient_id', line 2: 'P999' is not in patients.csv"),
        ("bad_outcome", r"lesions.csv: column 'outcome', line 2: .*is not 0 or 1"),
        ("outcome_clash", r"lesions.csv: column 'outcome', line 2: lesion .* but its patient has"),
        (
            "feature_text",
            r"features.csv: column 'original_shape_Elongation', line 2: 'abc' is not a (finite )?number",
        ),
        ("observer_columns", r"observers.csv: feature columns differ from features.csv"),
        ("bad_level", r"lesions.csv: column 'Grade', line 2: '7' is not one of the levels"),
        ("bad_manifest", r"manifest.json: not valid JSON"),
        (
            "missing_lesion_feature",
            r"features.csv: lesion .* is in lesions.csv but not features.csv",
        ),
    ],
)
@pytest.mark.parametrize("via", ["directory", "memory"])
def test_bad_cohorts_are_refused_in_one_line(copy, case, pattern, via):
    """The same refusals for a cohort directory and for its files' texts handed over in memory (simulate)."""
    if case == "missing_file":
        (copy / "observers.csv").unlink()
    elif case == "dup_patient":
        _edit_csv(copy / "patients.csv", lambda ls: [ls[0], ls[1], ls[1]] + ls[2:])
    elif case == "orphan":
        _edit_csv(
            copy / "lesions.csv",
            lambda ls: (
                [ls[0], ",".join([ls[1].split(",")[0], "P999"] + ls[1].split(",")[2:])] + ls[2:]
            ),
        )
    elif case in ("bad_outcome", "outcome_clash"):

        def f(ls):
            parts = ls[1].split(",")
            parts[2] = "2" if case == "bad_outcome" else str(1 - int(parts[2]))
            return [ls[0], ",".join(parts)] + ls[2:]

        _edit_csv(copy / "lesions.csv", f)
    elif case == "feature_text":
        _edit_csv(
            copy / "features.csv",
            lambda ls: (
                [ls[0], ",".join(ls[1].split(",")[:1] + ["abc"] + ls[1].split(",")[2:])] + ls[2:]
            ),
        )
    elif case == "observer_columns":
        _edit_csv(
            copy / "observers.csv",
            lambda ls: [ls[0].replace("original_shape_Elongation", "x")] + ls[1:],
        )
    elif case == "bad_level":

        def g(ls):
            head = ls[0].split(",")
            j = head.index("Grade")
            parts = ls[1].split(",")
            parts[j] = "7"
            return [ls[0], ",".join(parts)] + ls[2:]

        _edit_csv(copy / "lesions.csv", g)
    elif case == "bad_manifest":
        (copy / "manifest.json").write_text("{not json", encoding="utf-8")
    elif case == "missing_lesion_feature":
        _edit_csv(copy / "features.csv", lambda ls: [ls[0]] + ls[2:])
    with pytest.raises(DataError, match=pattern) as exc:
        if via == "directory":
            load_cohort(copy)
        else:
            cohort_from_texts({p.name: p.read_text(encoding="utf-8") for p in copy.iterdir()}, copy)
    assert "\n" not in str(exc.value)


def test_a_cohort_in_memory_is_the_cohort_read_from_its_files(default):
    """cohort_from_texts (simulate's synthetic cohorts, no temp folder) gives load_cohort's tables, bit for bit."""
    root = default_cohort_path()
    got = cohort_from_texts({f: (root / f).read_text(encoding="utf-8") for f in FILES}, root)
    for name in ("patients", "lesions", "features", "observers"):
        a, b = getattr(got, name), getattr(default, name)
        assert a.equals(b) and list(a.dtypes) == list(b.dtypes) and a.index.equals(b.index), name
    assert (got.manifest, got.variables, got.notes, got.path) == (
        default.manifest,
        default.variables,
        default.notes,
        default.path,
    )


def test_not_a_directory(tmp_path):
    with pytest.raises(DataError, match="no such cohort directory"):
        load_cohort(tmp_path / "nope")


def test_manifest_variables_are_json(default):
    json.dumps(default.manifest)
    assert default.manifest["outcome"]["coding"] == {"1": "ineffective", "0": "effective"}
