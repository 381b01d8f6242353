"""Reading user CSV files as R's read.csv does (issue 10, items 3, 5, 7, 9): missing-value tokens,
numeric columns with a stray token, identifier columns, unreadable files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit import io as nio
from nenaudit.exceptions import DataError
from nenaudit.io import read_csv


def one_line_error(p, *needles):
    """Exit 2, one line on stderr, no traceback, every needle in it."""
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


# --- item 5: R's read.csv missing-value convention -------------------------------------------------


@pytest.fixture(scope="module")
def survey_csv(R, tmp_path_factory):
    """MASS::survey's Sex and Exer, written by R's write.csv (Exer has the level "None")."""
    path = tmp_path_factory.mktemp("survey") / "survey.csv"
    R.r()(f'write.csv(MASS::survey[, c("Sex", "Exer")], "{path.as_posix()}", row.names = FALSE)')
    return path


@pytest.mark.parity
def test_compare_keeps_the_none_level_as_r_does(R, survey_csv):
    ref = R.to_py(
        R.r()(
            "with(MASS::survey, {t <- table(Exer, Sex); ct <- suppressWarnings(chisq.test(t)); "
            "list(p = ct$p.value, stat = unname(ct$statistic), dim = dim(t), levels = rownames(t), "
            "counts = as.vector(t))})"
        )
    )
    assert ref["dim"] == [3, 2] and "None" in ref["levels"]
    p = nenaudit("compare", survey_csv, "--group", "Sex", "--json")
    assert p.returncode == 0, p.stderr
    v = json.loads(p.stdout)["variables"][0]
    levels = list(dict.fromkeys(c["level"] for c in v["cells"]))
    groups = list(dict.fromkeys(c["group"] for c in v["cells"]))
    assert sorted(levels) == sorted(ref["levels"]) and len(groups) == 2  # the 3 x 2 table
    counts = {(c["level"], c["group"]): c["count"] for c in v["cells"]}
    r_counts = {
        (lv, g): ref["counts"][j * 3 + i]
        for j, g in enumerate(["Female", "Male"])
        for i, lv in enumerate(ref["levels"])
    }  # R's table is column-major
    assert counts == r_counts
    assert v["test"] == "chisq"
    assert v["p"] == pytest.approx(ref["p"], rel=1e-12)  # same formula, full precision
    assert v["statistic"] == pytest.approx(ref["stat"], rel=1e-12)
    # the one student without a Sex is dropped, and that is said on stderr
    assert "column 'Sex': 1 of 237 rows missing" in p.stderr and "left out" in p.stderr


def test_only_na_and_empty_are_missing_by_default(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("a,b,c\nNone,1,x\nNULL,NA,y\nN/A,,nan\nnan,4,z\n", encoding="utf-8")
    df = read_csv(f)
    assert df["a"].tolist() == ["None", "NULL", "N/A", "nan"]  # text, none of it missing
    assert df["b"].isna().tolist() == [False, True, True, False]
    assert df["c"].tolist() == ["x", "y", "nan", "z"]
    extra = read_csv(f, na=["None", "NULL"])
    assert extra["a"].isna().tolist() == [True, True, False, False]


def test_na_option_adds_tokens_and_says_what_was_dropped(tmp_path):
    f = tmp_path / "d.csv"
    rows = ["g,x"] + [
        f"{i % 2},{v}" for i, v in enumerate(["-99", "1.5", "2.5", "3", "-99", "4", "5", "6"])
    ]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    p = nenaudit("compare", f, "--group", "g", "--na", "-99", "--json")
    assert p.returncode == 0, p.stderr
    v = json.loads(p.stdout)["variables"][0]
    assert v["kind"] == "continuous" and sum(c["n"] for c in v["cells"]) == 6
    assert "column 'x': 2 of 8 rows missing (lines 2, 6)" in p.stderr


# --- item 3: a numeric column with a stray token -----------------------------------------------------


@pytest.mark.parametrize("token", [".", "None", "?"])
def test_numeric_column_with_a_stray_token_is_refused(tmp_path, token):
    rng = np.random.default_rng(3)
    x = [f"{v:.3f}" for v in rng.normal(size=1000)]
    x[417] = token
    f = tmp_path / "d.csv"
    pd.DataFrame({"g": np.arange(1000) % 2, "x": x}).to_csv(f, index=False)
    p = nenaudit("compare", f, "--group", "g")
    line = one_line_error(
        p, f"{token!r} is not a number", "line 419", f"use --na {token}", "column 'x'"
    )
    assert "fisher" not in line.lower()
    ok = nenaudit("compare", f, "--group", "g", "--na", token, "--json")
    assert ok.returncode == 0, ok.stderr
    v = json.loads(ok.stdout)["variables"][0]
    assert v["kind"] == "continuous" and v["test"] in ("welch", "mann-whitney")
    assert "column 'x': 1 of 1000 rows missing (lines 419)" in ok.stderr


def test_a_real_text_column_is_not_refused(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("g,stage\n0,1\n1,2\n0,IIIa\n1,IIIb\n0,1\n1,2\n", encoding="utf-8")
    assert read_csv(f)["stage"].tolist() == [
        "1",
        "2",
        "IIIa",
        "IIIb",
        "1",
        "2",
    ]  # 67% numbers: text, as R


def test_categorical_option_exempts_a_column(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text(
        "g,grade\n" + "".join(f"{i % 2},{1 + i % 3}\n" for i in range(30)) + "0,x\n",
        encoding="utf-8",
    )
    one_line_error(nenaudit("compare", f, "--group", "g"), "'x' is not a number", "use --na x")
    p = nenaudit("compare", f, "--group", "g", "--categorical", "grade", "--json")
    assert p.returncode == 0, p.stderr
    v = json.loads(p.stdout)["variables"][0]
    assert v["kind"] == "categorical" and {c["level"] for c in v["cells"]} == {"1", "2", "3", "x"}


# --- item 7: identifier columns ---------------------------------------------------------------------


def test_compare_leaves_identifier_columns_out(tmp_path):
    n = 40
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "lesion_id": [f"L{i:03d}" for i in range(n)],
            "patient_id": [f"P{i // 2}" for i in range(n)],
            "record": [f"r-{i}" for i in range(n)],
            "row": np.arange(1, n + 1),
            "outcome": np.arange(n) % 2,
            "size": rng.normal(size=n).round(4),
            "site": rng.choice(["liver", "lung"], size=n),
        }
    )
    f = tmp_path / "lesions.csv"
    df.to_csv(f, index=False)
    p = nenaudit("compare", f, "--group", "outcome", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [v["variable"] for v in out["variables"]] == [
        "size",
        "site",
    ]  # size is unique per row: kept
    left = {d["column"]: d["reason"] for d in out["identifier_columns_left_out"]}
    assert set(left) == {"lesion_id", "patient_id", "record", "row"}
    assert (
        "*_id" in left["lesion_id"]
        and "every row" in left["record"]
        and "consecutive" in left["row"]
    )
    text = nenaudit("compare", f, "--group", "outcome")
    assert (
        text.returncode == 0
        and "left out as identifiers" in text.stdout
        and "lesion_id" in text.stdout
    )
    assert "lesion_id:" not in text.stdout  # not tabulated
    # named explicitly, a column is compared
    explicit = nenaudit("compare", f, "--group", "outcome", "--vars", "size,patient_id", "--json")
    assert [v["variable"] for v in json.loads(explicit.stdout)["variables"]] == [
        "size",
        "patient_id",
    ]


def test_identifier_rule_on_r_row_names(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text(
        '"","g","x"\n"1",0,1.5\n"2",1,2.5\n', encoding="utf-8"
    )  # R's write.csv(row.names = TRUE)
    df = read_csv(f)
    assert nio.identifier_columns(df, df.columns) == {"Unnamed: 0": "unnamed column (row names)"}


# --- item 9: unreadable input files, every verb -----------------------------------------------------

CSV_VERBS = [
    ("compare", ["--group", "g"]),
    ("auc", ["--outcome", "y", "--score", "s"]),
    ("logit", ["--outcome", "y", "--predictors", "s"]),
    ("dca", ["--outcome", "y", "--prob", "s"]),
    ("lasso", ["--outcome", "y"]),
]


@pytest.mark.parametrize("verb, opts", CSV_VERBS, ids=[v for v, _ in CSV_VERBS])
def test_a_directory_given_as_a_csv_is_one_line(tmp_path, verb, opts):
    d = tmp_path / "data.csv"
    d.mkdir()
    one_line_error(nenaudit(verb, d, *opts), str(d), "is a directory")


def test_a_directory_given_as_a_study_spec_is_one_line(tmp_path):
    d = tmp_path / "spec.json"
    d.mkdir()
    for verb in (
        ["audit"],
        ["synth", "--out", str(tmp_path / "o")],
        ["reproduce", "--out", str(tmp_path / "r")],
        ["validate", "--scheme", "published"],
    ):
        one_line_error(nenaudit(*verb, "--study", d), str(d))


def test_a_directory_given_as_a_cohort_file_is_one_line(tmp_path):
    import shutil

    from nenaudit.cohort import default_cohort_path

    for name in ("lesions.csv", "manifest.json"):
        c = tmp_path / name.replace(".", "_")
        shutil.copytree(default_cohort_path(), c)
        (c / name).unlink()
        (c / name).mkdir()
        for verb in (["select"], ["validate", "--scheme", "published"]):
            one_line_error(nenaudit(*verb, c), name)


def _deny(monkeypatch, target):
    """Make opening ``target`` raise PermissionError (tests run as root, where chmod 000 does not)."""
    import builtins
    import io as _io
    import pathlib

    real_open = builtins.open

    def guarded(file, *a, **k):
        if str(file) == str(target):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(_io, "open", guarded)
    real_read_text = pathlib.Path.read_text
    monkeypatch.setattr(
        pathlib.Path,
        "read_text",
        lambda self, *a, **k: (
            guarded(self) if str(self) == str(target) else real_read_text(self, *a, **k)
        ),
    )


def test_permission_denied_is_one_line_in_read_csv_and_cli(tmp_path, monkeypatch, capsys):
    from nenaudit.cli import main

    f = tmp_path / "d.csv"
    f.write_text("g,y,s\n0,0,1\n1,1,2\n", encoding="utf-8")
    _deny(monkeypatch, f)
    with pytest.raises(DataError, match="cannot be read .*Permission denied"):
        read_csv(f)
    for verb, opts in CSV_VERBS:
        assert main([verb, str(f), *opts]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Permission denied" in err[0] and str(f) in err[0], (verb, err)


def test_permission_denied_on_a_spec_or_manifest_is_one_line(tmp_path, monkeypatch, capsys):
    import shutil

    from nenaudit.builders import embedded_raw
    from nenaudit.cli import main
    from nenaudit.cohort import default_cohort_path

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(embedded_raw()), encoding="utf-8")
    c = tmp_path / "c"
    shutil.copytree(default_cohort_path(), c)
    for target, argv in (
        (spec, ["audit", "--study", str(spec)]),
        (c / "manifest.json", ["select", str(c)]),
    ):
        monkeypatch.undo()
        _deny(monkeypatch, target)
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Permission denied" in err[0], (argv, err)


def test_a_directory_as_input_in_parity_and_phantom_is_one_line(R, tmp_path):
    d = tmp_path / "data.csv"
    d.mkdir()
    one_line_error(nenaudit("parity", "chisq", d), str(d), "is a directory")
    cohort = tmp_path / "cohort"
    (cohort / "lesions.csv").mkdir(parents=True)
    one_line_error(
        nenaudit("phantom", "--cohort", cohort, "--out", tmp_path / "ph"),
        "lesions.csv",
        "is a directory",
    )
    assert not (tmp_path / "ph").exists()


def test_an_oserror_naming_a_file_is_one_line_in_the_cli(monkeypatch, capsys):
    """The fallback for a file no check named (e.g. opened inside a library): one line, exit 2."""
    import nenaudit.commands.audit as audit_cmd
    from nenaudit.cli import main

    def boom(args):
        raise PermissionError(13, "Permission denied", "/some/where/file.yaml")

    monkeypatch.setattr(
        audit_cmd, "run", boom
    )  # main() builds its parser afresh: the patched run is used
    assert main(["audit"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "nenaudit: error: /some/where/file.yaml: Permission denied; check the path and its permissions"
    ]
