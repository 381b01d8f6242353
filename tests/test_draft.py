"""nenaudit draft: a spec from the paper's own text (issue 23).

Gold standards are hand-written specs (src/nenaudit/study/feng2025.json for the embedded paper,
tests/specs/<id>.json for tests/papers/<id>/); every fixture under tests/papers/*/ is found by glob.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nenaudit.draft import draft_document, draft_paper
from nenaudit.draft.compare import compare
from nenaudit.draft.readers import read_html, read_jats, read_text
from nenaudit.study.schema import load, validate

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ROOT / "tests" / "papers"
EMBEDDED = ROOT / "src" / "nenaudit" / "study" / "feng2025.json"


def _gold(paper_dir: Path) -> Path | None:
    if paper_dir.name == "feng2025":
        return EMBEDDED
    p = ROOT / "tests" / "specs" / f"{paper_dir.name}.json"
    if p.is_file():
        return p
    near = [
        q
        for q in (ROOT / "tests" / "specs").glob(f"{paper_dir.name}_*.json")
        if not q.name.endswith(".r.json")
    ]
    return near[0] if len(near) == 1 else None


def _sources():
    return sorted(p for d in PAPERS.glob("*/") for p in d.glob("source.*"))


FIXTURES = [p for p in _sources() if _gold(p.parent) is not None]


def _report(diffs) -> str:
    return "\n".join(f"  {k}: spec {g!r}, draft {d!r}" for k, g, d in diffs)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "nenaudit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_embedded_paper_agrees_with_the_hand_written_spec():
    """>= 95% of table cells, regression rows, AUCs with CIs and stated counts drafted as the gold spec has them."""
    draft = draft_paper(PAPERS / "feng2025" / "source.txt")
    same, total, diffs = compare(json.loads(EMBEDDED.read_text(encoding="utf-8")), draft)
    assert total > 100
    assert same / total >= 0.95, f"{same}/{total} identical; differences:\n{_report(diffs)}"


def test_audit_of_the_draft_finds_the_hand_written_specs_inconsistencies():
    from nenaudit.audit.run import run_audit

    gold = {f.id for f in run_audit(load()) if f.verdict == "inconsistent"}
    spec = draft_paper(PAPERS / "feng2025" / "source.txt")
    got = {f.id for f in run_audit(validate(spec, "draft")) if f.verdict == "inconsistent"}
    assert len(gold) == 11
    assert len(gold & got) >= 10, f"missed: {sorted(gold - got)}"


@pytest.mark.parametrize(
    "source", [p for p in FIXTURES if p.parent.name != "feng2025"], ids=lambda p: p.parent.name
)
def test_other_fixtures_drafted_identically(source):
    """Each other real paper: >= 90% of its gold spec's items drafted identically."""
    gold = json.loads(
        _gold(source.parent).read_text(encoding="utf-8")
    )  # a newer schema's keys are fine here
    same, total, diffs = compare(gold, draft_paper(source))
    assert total > 0
    assert same / total >= 0.90, (
        f"{source.parent.name}: {same}/{total} identical; differences:\n{_report(diffs)}"
    )


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _printed_numbers(spec) -> set[str]:
    """Numbers in the draft's printed strings (cells, p, estimates, CIs, counts, labels); not in the drafter's own
    notes and locators (_review, _drafted, ids, 'where')."""
    out: set[str] = set()

    def walk(x, key=""):
        if key in ("_review", "_drafted", "study", "where", "id", "counts_table", "summary_row"):
            return
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif isinstance(x, str):
            out.update(_NUMBER.findall(x))

    walk(spec)
    return out


def _input_numbers(text: str) -> set[str]:
    """Numbers as printed, and counts printed with thousands separators as digits (``37,801`` is drafted
    ``37801``: the spec's counts are digits only)."""
    return set(_NUMBER.findall(text)) | {
        m.replace(",", "") for m in re.findall(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])", text)
    }


def _absent(spec, text: str) -> set[str]:
    """Drafted numbers the input does not print: neither as a number of its own nor inside a run of digits
    (pages that run cells together print '59 ± 1059 ± 9')."""
    return {x for x in _printed_numbers(spec) - _input_numbers(text) if x not in text}


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.parent.name)
def test_every_drafted_number_occurs_in_the_input(source):
    spec = draft_paper(source)
    missing = _absent(spec, source.read_text(encoding="utf-8"))
    assert not missing, f"numbers in the draft that the paper does not print: {sorted(missing)}"


_cell = st.tuples(st.integers(0, 500), st.integers(0, 9999)).map(
    lambda t: f"{t[0]} ({t[1] / 100:.2f})"
)
_spread = st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999)).map(
    lambda t: f"{t[0] / 10:.1f} [{t[1] / 10:.1f}, {t[2] / 10:.1f}]"
)
_pval = st.integers(1, 999).map(lambda v: f"0.{v:03d}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n1=st.integers(1, 999),
    n2=st.integers(1, 999),
    levels=st.lists(st.tuples(_cell, _cell), min_size=2, max_size=4),
    spread=st.tuples(_spread, _spread, _pval),
    p=_pval,
    sep=st.sampled_from(["\t", " | ", "   "]),
)
def test_property_drafted_numbers_come_from_the_input(n1, n2, levels, spread, p, sep):
    lines = [
        "Some words about 12 patients.",
        "",
        "Table 1 Characteristics by group.",
        "",
        sep.join(["Variable", f"Group A (n = {n1})", f"Group B (n = {n2})", "P value"]),
        sep.join(["Category", "", "", p]) if sep == "\t" else sep.join(["Category", "-", "-", p]),
    ]
    lines += [
        sep.join([f"Level {i}", a, b, "-" if sep != "\t" else ""])
        for i, (a, b) in enumerate(levels)
    ]
    lines += [
        sep.join(["Marker", spread[0], spread[1], spread[2]]),
        "",
        "Data are n (%) or median [IQR].",
        "",
    ]
    text = "\n".join(lines)
    spec = draft_document(read_text(text), "prop", "<generated>")
    validate(spec, "prop")
    assert _printed_numbers(spec) <= _input_numbers(text)
    assert spec["tables"], spec["_review"]


HTML = b"""<!doctype html><html><head><title>A made-up study</title></head><body>
<h2>Results</h2><p>We enrolled 80 patients; the model reached an AUC of 0.81 (95% CI 0.70-0.90).</p>
<div class="table-wrap"><div class="caption"><b>Table 1</b> Baseline by response</div>
<table><thead><tr><th>Variable</th><th>Responders (n = 30)</th><th>Non-responders (n = 50)</th><th>P</th></tr></thead>
<tbody><tr><td>Colour</td><td></td><td></td><td>0.041</td></tr>
<tr><td>Blue<sup>a</sup></td><td>10 (33.3)</td><td>30 (60.0)</td><td></td></tr>
<tr><td>Green</td><td>20 (66.7)</td><td>20 (40.0)</td><td></td></tr>
<tr><td>Height, cm</td><td>171.2 &#177; 8.1</td><td>169.0 &#177; 7.7</td><td>0.210</td></tr></tbody></table>
<div class="table-foot">Data are n (%) or mean &#177; SD.</div></div></body></html>"""

JATS = b"""<?xml version="1.0" encoding="UTF-8"?><article><front><article-meta><title-group>
<article-title>A made-up study</article-title></title-group><abstract><sec><title>Results</title>
<p>Of 80 patients, the AUC was 0.81 (95% CI 0.70-0.90).</p></sec></abstract></article-meta></front><body>
<table-wrap id="t1"><label>Table 1</label><caption><title>Baseline by response</title></caption><table>
<thead><tr><th>Variable</th><th>Responders (n = 30)</th><th>Non-responders (n = 50)</th><th>P</th></tr></thead>
<tbody><tr><td>Colour<xref ref-type="table-fn" rid="fn1">*</xref></td><td/><td/><td>0.041</td></tr><tr><td>Blue</td><td>10 (33.3)</td><td>30 (60.0)</td><td/></tr>
<tr><td>Green</td><td>20 (66.7)</td><td>20 (40.0)</td><td/></tr>
<tr><td>Height, cm</td><td>171.2 &#177; 8.1</td><td>169.0 &#177; 7.7</td><td>0.210</td></tr></tbody></table>
<table-wrap-foot><fn><p>Data are n (%) or mean &#177; SD.</p></fn></table-wrap-foot></table-wrap></body></article>"""


@pytest.mark.parametrize(
    "reader,data", [(read_html, HTML), (read_jats, JATS)], ids=["html", "jats"]
)
def test_markup_readers(reader, data):
    spec = draft_document(reader(data), "made_up", "<inline>")
    validate(spec, "markup")
    (t,) = spec["tables"]
    assert [g["n"] for g in t["groups"]] == [30, 50]
    rows = {r["variable"]: r for r in t["rows"]}
    assert rows["Colour"]["p"] == "0.041"
    assert [lv["cells"] for lv in rows["Colour"]["levels"]][0] == {
        "responders": "10 (33.3)",
        "non_responders": "30 (60.0)",
    }
    assert [lv["level"] for lv in rows["Colour"]["levels"]] == [
        "Blue",
        "Green",
    ]  # footnote marks left out
    assert rows["Height"]["kind"] == "mean_sd" and rows["Height"]["p"] == "0.210"
    assert [(a["estimate"], a["ci"]) for a in spec["auc"]] == [("0.81", "0.70-0.90")]


@pytest.mark.parametrize(
    "name,content",
    [
        ("empty.txt", b""),
        ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("junk.txt", bytes(range(256)) * 40),
        ("blank.txt", b"   \n\n  \n"),
    ],
)
def test_malformed_input_one_line_exit_2(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content)
    r = _cli("draft", f)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("nenaudit: error: ")


def test_huge_file_one_line_exit_2(tmp_path):
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    r = _cli("draft", f)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "MB" in r.stderr


def test_no_table_gives_empty_tables_and_a_review_entry(tmp_path):
    f = tmp_path / "prose.txt"
    f.write_text(
        "Methods\n\nWe studied 40 patients. Nothing is tabulated here.\n", encoding="utf-8"
    )
    r = _cli("draft", f)
    assert r.returncode == 0, r.stderr
    spec = json.loads(r.stdout)
    assert spec["tables"] == [] and any("no table" in x["what"] for x in spec["_review"])


def test_draft_out_check_and_audit_paper(tmp_path):
    src = PAPERS / "feng2025" / "source.txt"
    out = tmp_path / "spec.json"
    r = _cli("draft", src, "--out", out)
    assert r.returncode == 0 and out.is_file() and "drafted" in r.stdout
    validate(json.loads(out.read_text(encoding="utf-8")), str(out))
    r = _cli("draft", "--check", EMBEDDED, src)
    assert r.returncode == 0 and "items identical" in r.stdout and "missing from draft" in r.stdout
    r = _cli("audit", src)
    assert r.returncode == 0, r.stderr
    assert "The spec was drafted from the paper" in r.stdout and "rests on it:" in r.stdout


def _distinctive_labels() -> set[str]:
    labels: set[str] = set()
    for src in FIXTURES:
        gold = json.loads(_gold(src.parent).read_text(encoding="utf-8"))
        for t in gold.get("tables") or []:
            for r in t["rows"]:
                labels.add(r["variable"])
                labels.update(lv["level"] for lv in r.get("levels", []))
            labels.update(g["label"] for g in t["groups"])
        regs = gold.get("regression") or []
        for reg in regs if isinstance(regs, list) else [regs]:
            for r in reg["rows"]:
                labels.add(r["variable"])
                labels.update(lv["level"] for lv in r.get("levels", []))
    # distinctive: several words, digits or signs, or one word of more than six letters ('Yes', 'Male', 'Lower' and
    # 'Grade' are everyday words a docstring may use)
    return {
        x for x in labels if len(x) >= 4 and not x.isdigit() and (not x.isalpha() or len(x) > 6)
    }


def test_no_fixture_label_in_the_drafter_code():
    """Built for the format: no row label, group label, table number or paper name of a fixture in the code."""
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in list((ROOT / "src" / "nenaudit" / "draft").glob("*.py"))
        + [ROOT / "src/nenaudit/commands/draft.py"]
    )
    vocabulary = (
        (ROOT / "src" / "nenaudit" / "study" / "spec.schema.json")
        .read_text(encoding="utf-8")
        .lower()
    )
    labels = {
        x for x in _distinctive_labels() if x.lower() not in vocabulary
    }  # the format's own words may appear
    assert len(labels) > 50
    hits = sorted(
        x for x in labels if re.search(r"(?<![A-Za-z])" + re.escape(x) + r"(?![A-Za-z])", code)
    )
    assert not hits, f"fixture labels in the drafter: {hits}"
    assert not re.search(r"(?i)\btable\s+\d", code), "a table number in the drafter"
    names = {p.parent.name for p in _sources()} | {"surufatinib", "feng"}
    assert not [n for n in names if n.lower() in code.lower()]


_TOKENS = st.sampled_from(
    [
        "Table 1",
        "Table 2 Continued",
        "TABLE 3",
        "|",
        "\t",
        "  ",
        " ",
        "\n",
        "\n\n",
        "(n = 12)",
        "N = 40",
        "p",
        "P value",
        "OR (95% CI)",
        "Reference",
        "Ref.",
        "12 (30.0)",
        "5/9 (55.6)",
        "3.4 ± 1.2",
        "2.1 [1.0, 3.3]",
        "4.5 (1.2–9.9)",
        "0.031",
        "<0.001",
        "0.00x*",
        "–",
        "*p < 0.05",
        "univariable",
        "multivariate",
        "training cohort",
        "validation set",
        "AUC",
        "0.81",
        "(95% CI 0.70-0.90)",
        "patients",
        "lesions",
        "were",
        "Radscore =",
        "× Original_X",
        "-0.4",
        "sensitivity 80%",
        "ten-fold",
        "Male",
        "Yes",
        "No",
        "Age",
        ")",
        "(",
        "[",
        "]",
        "±",
        "=",
        "%",
        "<td>",
        "</tr>",
        "\x0c",
        "é",
        "≤",
        "≥",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=120))
def test_fuzzed_text_never_crashes(tokens):
    """Any mixture of table-ish and prose-ish tokens drafts to a spec that validates (or names what it dropped)."""
    spec = draft_document(read_text("".join(tokens)), "fuzz", "<fuzz>")
    validate(spec, "fuzz")
    json.dumps(spec, allow_nan=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "",
                    "12 (30.0)",
                    "0.04",
                    "Reference",
                    "2.0 (1.1-3.5)",
                    "Blue",
                    "(n = 9)",
                    "3.4 ± 1.2",
                    "P",
                ]
            ),
            min_size=1,
            max_size=6,
        ),
        max_size=12,
    )
)
def test_fuzzed_html_tables_never_crash(grid):
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in grid)
    html = f"<html><body><p>Table 1 Something</p><table>{cells}</table></body></html>".encode()
    spec = draft_document(read_html(html), "fuzz", "<fuzz>")
    validate(spec, "fuzz")


PIPE_SEPARATE_CI = """Table 4.
Risk factors for the outcome
| Univariable analysis | Multivariable analysis | |||||
|---|---|---|---|---|---|---|
| Odds ratio | 95% CI | p value | Odds ratio | 95% CI | p value | |
| Colour | ||||||
| Blue | Reference | |||||
| Green | 1.32 | 1.05~1.65 | 0.017 | 1.4 | 1.03~1.89 | 0.031 |
| Red | 17.59 | 14.38~21.52 | <0.001 | 13.42 | 10.85~16.61 | <0.001 |
"""

SPACED_REFERENCE = """Table 4.

Logistic regression of the outcome.

Factors Univariate analysis Multivariate analysis
OR 95%CI P OR 95%CI P
Colour
 Blue Reference Reference
 Green 0.73 0.67-0.79 <0.001 0.64 0.58-0.70 <0.001
 Red 1.05 0.94-1.18 0.354 1.06 0.94-1.19 0.373
"""


@pytest.mark.parametrize(
    "text", [PIPE_SEPARATE_CI, SPACED_REFERENCE], ids=["pipe-separate-ci", "spaced-reference"]
)
def test_regression_tables_with_separate_ci_columns_and_reference_rows(text):
    spec = draft_document(read_text(text), "reg", "<inline>")
    validate(spec, "reg")
    (row,) = spec["regression"]["rows"]
    assert row["variable"] == "Colour"
    ref, green, red = row["levels"]
    assert ref == {"level": "Blue", "reference": True}
    nums = [
        x
        for lv in (green, red)
        for col in ("univariable", "multivariable")
        for x in re.findall(r"[\d.]+", lv[col]["estimate_ci"] + " " + lv[col]["p"])
    ]
    assert all(n in text for n in nums) and len(nums) == 16
    assert green["univariable"]["p"] in ("0.017", "<0.001")


PERFORMANCE = """Table 5 Performance of the models in the training and validation cohorts

Model\tTraining cohort\t\tValidation cohort\t
\tAUC (95% CI)\tSensitivity\tAUC (95% CI)\tSensitivity
Model A\t0.712 (0.650–0.774)\t68.2%\t0.701 (0.610–0.792)\t64.0%
Model B\t0.851 (0.806–0.896)\t80.1%\t0.823 (0.746–0.900)\t77.5%
"""


def test_performance_table_gives_aucs_and_accuracies_per_cohort():
    spec = draft_document(read_text(PERFORMANCE), "perf", "<inline>")
    validate(spec, "perf")
    got = {(a["model"], a["cohort"]): (a["estimate"], a["ci"]) for a in spec["auc"]}
    assert got == {
        ("Model A", "training"): ("0.712", "0.650–0.774"),
        ("Model A", "validation"): ("0.701", "0.610–0.792"),
        ("Model B", "training"): ("0.851", "0.806–0.896"),
        ("Model B", "validation"): ("0.823", "0.746–0.900"),
    }
    sens = {(d["model"], d["cohort"]): d["sensitivity"] for d in spec["diagnostic_accuracy"]}
    assert sens == {
        ("Model A", "training"): "68.2",
        ("Model A", "validation"): "64.0",
        ("Model B", "training"): "80.1",
        ("Model B", "validation"): "77.5",
    }
    assert {a["kind"] for a in spec["auc"] if a["cohort"] == "validation"} == {"validation"}


def test_text_repeating_a_regression_row_is_checked_against_it():
    """A number the abstract repeats from the regression table becomes a text value; a mismatch is a finding."""
    from nenaudit.audit.run import run_audit

    text = (
        "Abstract\n\nResults: In the multivariate analysis, colour (OR 2.50, 95% CI 1.10–5.70, P = 0.030) "
        "was retained.\n\n" + PIPE_SEPARATE_CI
    )
    spec = draft_document(read_text(text), "tv", "<inline>")
    cells = {v["cell"]: v["printed"] for v in spec.get("text_values", [])}
    assert (
        cells == {}
    )  # 2.50 is not a printed estimate of the table and the row has two levels: no guess
    text = text.replace(
        "colour (OR 2.50, 95% CI 1.10–5.70, P = 0.030)",
        "colour (OR 1.4, 95% CI 1.03–1.89, P = 0.013)",
    )
    spec = draft_document(read_text(text), "tv", "<inline>")
    cells = {v["cell"]: v["printed"] for v in spec["text_values"]}
    assert cells == {
        "table4/Colour/Green/multivariable/estimate": "1.4",
        "table4/Colour/Green/multivariable/lo": "1.03",
        "table4/Colour/Green/multivariable/hi": "1.89",
        "table4/Colour/Green/multivariable/p": "0.013",
    }
    bad = [
        f
        for f in run_audit(validate(spec, "tv"))
        if f.verdict == "inconsistent" and f.id.startswith("arith.text")
    ]
    assert [(f.id, f.published, f.recomputed) for f in bad] == [
        ("arith.text:3:table4/Colour/Green/multivariable/p", "0.013", 0.031)
    ]  # the table prints 0.031


_SIDE_BY_SIDE = """<html><head><meta charset="utf-8"></head><body>
<h2>Methods</h2><p>We studied 12,480 participants of a national survey and their outcomes.</p>
<table><caption>Table 1 Sample and prevalence of the outcomes</caption>
<thead><tr><th rowspan="2"></th><th>Sample</th><th>Outcome one</th><th>Outcome two</th></tr>
<tr><th>N</th><th>% (95%CI)</th><th></th></tr></thead>
<tbody><tr><td>All</td><td>12,480</td><td>7.2 (6.3;8.2)</td><td>23.4 (21.7;25.1)</td></tr>
<tr><td>Colour (n = 12,480)</td><td></td><td></td><td></td></tr>
<tr><td>Blue</td><td>5,227</td><td>5.1 (4.1;6.5)</td><td>17.3 (15.5;19.2)</td></tr>
<tr><td>Green</td><td>4,253</td><td>8.6 (7.5;9.8)</td><td>28.9 (26.8;31.2)</td></tr>
<tr><td>Red</td><td>3,000</td><td>8.7 (6.9;10.9)</td><td>29.2 (25.2;33.5)</td></tr></tbody></table>
<table><caption>Table 2 Crude and adjusted odds ratios by outcome</caption>
<thead><tr><th rowspan="2"></th><th colspan="2">Outcome one</th><th colspan="2">Outcome two</th></tr>
<tr><th>Crude OR</th><th>Adjusted OR</th><th>Crude OR</th><th>Adjusted OR</th></tr></thead>
<tbody><tr><td>Colour</td><td></td><td></td><td></td><td></td></tr>
<tr><td>Blue</td><td>1.00</td><td>1.00</td><td>1.00</td><td></td></tr>
<tr><td>Green</td><td>1.73 (1.30;2.29)</td><td>1.54 (1.13;2.10)</td><td>1.95 (1.69;2.25)</td><td>1.92 (1.66;2.23)</td></tr>
<tr><td>Red</td><td>1.75 (1.25;2.45)</td><td>1.54 (1.10;2.16)</td><td>1.97 (1.57;2.48)</td><td>1.96 (1.56;2.45)</td></tr>
</tbody></table></body></html>"""


def test_side_by_side_models_thousands_separators_and_prevalence_columns():
    """Real markup: one regression per spanning header (a list), 'OR (lo;hi)' with semicolons and no p column (p null),
    a bare 1.00 (or a blank) as the reference; counts printed '12,480' drafted as digits, group size from the 'All' row,
    and percentages with their CI left out of the groups."""
    spec = draft_document(read_html(_SIDE_BY_SIDE.encode()), "sbs", "<inline>")
    validate(spec, "sbs")
    (t,) = spec["tables"]
    assert [(g["n"]) for g in t["groups"]] == [12480]
    (row,) = t["rows"]
    assert row["variable"] == "Colour (n = 12,480)" and row["p"] is None
    assert [lv["cells"][t["groups"][0]["id"]] for lv in row["levels"]] == ["5227", "4253", "3000"]
    one, two = spec["regression"]
    assert "Outcome one" in one["title"] and "Outcome two" in two["title"]
    for reg, (crude, adjusted) in (
        (one, ("1.73 (1.30;2.29)", "1.54 (1.13;2.10)")),
        (two, ("1.95 (1.69;2.25)", "1.92 (1.66;2.23)")),
    ):
        ref, green, _red = reg["rows"][0]["levels"]
        assert ref == {"level": "Blue", "reference": True}
        assert green["univariable"] == {"estimate_ci": crude, "p": None}
        assert green["multivariable"] == {"estimate_ci": adjusted, "p": None}
    assert any(c["value"] == "12480" for c in spec["stated_counts"])
    assert not _absent(spec, _SIDE_BY_SIDE)


def test_one_regression_table_stays_one_object():
    spec = draft_document(read_text(PIPE_SEPARATE_CI), "reg", "<inline>")
    assert isinstance(spec["regression"], dict)


_STATISTIC = """<html><head><meta charset="utf-8"></head><body>
<table><caption>Table 1 Characteristics of the patients</caption>
<thead><tr><th>Characteristic</th><th>Responders (n = 30)</th><th>Non-responders (n = 40)</th><th>χ<sup>2</sup></th>
<th>P</th></tr></thead>
<tbody><tr><td>Sex</td><td></td><td></td><td>0.70 (1)</td><td>0.403</td></tr>
<tr><td>Male</td><td>12 (40.0)</td><td>20 (50.0)</td><td></td><td></td></tr>
<tr><td>Female</td><td>18 (60.0)</td><td>20 (50.0)</td><td></td><td></td></tr>
<tr><td>Smoking</td><td></td><td></td><td>1.94</td><td>0.164</td></tr>
<tr><td>Yes</td><td>10 (33.3)</td><td>20 (50.0)</td><td></td><td></td></tr>
<tr><td>No</td><td>20 (66.7)</td><td>20 (50.0)</td><td></td><td></td></tr></tbody></table></body></html>"""


def test_printed_test_statistic_column():
    """A χ² column: the statistic with its printed df on the row; without a printed df a _review entry, no guess."""
    spec = draft_document(read_html(_STATISTIC.encode()), "stat", "<inline>")
    validate(spec, "stat")
    rows = {r["variable"]: r for r in spec["tables"][0]["rows"]}
    assert rows["Sex"]["statistic"] == {"name": "chi2", "value": "0.70", "df": "1"}
    assert "statistic" not in rows["Smoking"]
    assert any(
        x["what"] == "test statistic not drafted" and "1.94" in x["why"] for x in spec["_review"]
    )
    assert {g["id"] for g in spec["tables"][0]["groups"]} == {"responders", "non_responders"}


_COUNT_PERCENT = """<?xml version="1.0"?>
<article><body><sec><title>Results</title><p>Text before the table with enough words in it.
<table-wrap id="t1"><label>Table 1</label><caption><title>Number of patients by feature.</title></caption>
<table><thead><tr><th/><th>Sample size (N)</th><th>Percentage (%)</th></tr></thead>
<tbody><tr><td>Healthy controls</td><td>20</td><td>40</td></tr>
<tr><td>Treated patients</td><td>30</td><td>60</td></tr>
<tr><td>All cases</td><td>50</td><td>100</td></tr>
<tr><td>Weight<xref ref-type="table-fn" rid="fn1">*</xref> (kg)</td><td/><td/></tr>
<tr><td>Healthy controls</td><td>71±9</td><td>N/A</td></tr>
<tr><td>Treated group</td><td>75±8</td><td>N/A</td></tr>
<tr><td>Colour (Healthy controls/ Treated patients)</td><td/><td/></tr>
<tr><td>Blue</td><td>9/12</td><td>45/40</td></tr>
<tr><td>Green</td><td>11/18</td><td>55/60</td></tr>
<tr><td>Stage</td><td/><td/></tr>
<tr><td>Early</td><td>21</td><td>70.0</td></tr>
<tr><td>Late</td><td>9</td><td>30.0</td></tr>
</tbody></table>
<table-wrap-foot><fn id="fn1"><p>P=0.315 for weight; P=0.612 for colour.</p></fn></table-wrap-foot>
</table-wrap></p></sec></body></article>"""


def test_one_count_and_one_percent_column_read_by_group():
    """JATS: groups named by the rows before the first heading, a block of per-group summaries, 'a/b' pairs under a
    heading that names both groups, a block describing the group its counts sum to, p-values from the footnote."""
    spec = draft_document(read_jats(_COUNT_PERCENT.encode()), "cp", "<inline>")
    validate(spec, "cp")
    by = {tuple(g["n"] for g in t["groups"]): t for t in spec["tables"]}
    assert set(by) == {(50,), (20, 30), (30,)}
    ctl, trt = (g["id"] for g in by[(20, 30)]["groups"])
    weight, colour = by[(20, 30)]["rows"]
    assert (weight["kind"], weight["p"], weight["cells"]) == (
        "mean_sd",
        "0.315",
        {ctl: "71±9", trt: "75±8"},
    )
    assert colour["p"] == "0.612" and colour["levels"][1]["cells"] == {
        ctl: "11 (55)",
        trt: "18 (60)",
    }
    (stage,) = by[(30,)]["rows"]
    assert stage["p"] is None and [lv["cells"][trt] for lv in stage["levels"]] == [
        "21 (70.0)",
        "9 (30.0)",
    ]
    assert [lv["cells"]["all"] for lv in by[(50,)]["rows"][0]["levels"]] == ["20 (40)", "30 (60)"]
    assert not _absent(spec, _COUNT_PERCENT)
