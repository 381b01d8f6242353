"""The reproduction report: published values only from the study spec, tables laid out as the paper's,
marks that say what agrees, one self-contained HTML page, the same document as Markdown."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from nenaudit.cohort import load_cohort
from nenaudit.pipeline import PipelineConfig, run_pipeline
from nenaudit.report.document import (
    DIFFERENT,
    EQUAL,
    INSIDE,
    MARK_LEGEND,
    NA,
    SECTIONS,
    fmt,
    mark_count,
    mark_estimate,
    mark_value,
)
from nenaudit.report.html import render_html
from nenaudit.report.reproduction import write_report
from nenaudit.report.sections import build_document
from nenaudit.study.schema import load, parse_estimate_ci, parse_number

REPORT_SRC = Path(__file__).resolve().parents[1] / "src" / "nenaudit" / "report"
NUM = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def published_tokens(study) -> set[str]:
    """Every number the paper printed in its results, as printed: the tables' cells and p-values, Table 3,
    the AUCs, the radiomics counts and Radscore coefficients, the stated counts and text values. Integers
    below 100 are left out (they cannot be told from ordinary code constants such as 2 groups or 10 folds);
    every decimal and every larger count is in."""
    raw = study.raw
    texts: list[str] = []

    def walk(x):
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            texts.append(str(x))
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in (
                    "where",
                    "quote",
                    "label",
                    "title",
                    "variable",
                    "level",
                    "feature",
                    "names",
                    "significance_mark",
                ):  # the '*p < 0.05' footnote is a convention, not a result
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for key in ("tables", "regression", "auc", "stated_counts", "text_values"):
        walk(raw.get(key))
    rad = raw.get("radiomics") or {}
    walk(
        {
            k: v
            for k, v in rad.items()
            if k in ("n_features", "n_after_filters", "class_counts", "radscore")
        }
    )
    out = set()
    for t in texts:
        for tok in NUM.findall(t):
            if "." in tok or int(tok) >= 100:
                out.add(tok)
    return out


def test_no_published_number_is_a_literal_in_report_code():
    tokens = published_tokens(load())
    # the set is the paper's: it holds the values the old report typed in (851 features, AUC 0.928, OR 7.273)
    assert {"851", "0.928", "7.273", "0.852", "37.04"} <= tokens and len(tokens) > 150
    hits = []
    for f in sorted(REPORT_SRC.rglob("*.py")):
        text = f.read_text(encoding="utf-8")
        # the rms::nomogram probability ticks (figures.RMS_PROBS), not published values: the lines
        # of that one assignment, found in the syntax tree (whatever the formatter's layout)
        ticks = {
            i
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Assign)
            and any(getattr(t, "id", None) == "RMS_PROBS" for t in node.targets)
            for i in range(node.lineno, node.end_lineno + 1)
        }
        assert (f.name == "figures.py") == bool(ticks), f.name
        for i, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if i in ticks:
                continue
            for tok in NUM.findall(code):
                if tok in tokens:
                    hits.append(f"{f.name}:{i}: {tok}: {line.strip()}")
    assert not hits, "published numbers typed into report code:\n" + "\n".join(hits)


def test_the_grep_finds_a_planted_published_number(tmp_path):
    tokens = published_tokens(load())
    planted = 'rows = [["features extracted", n, "851 (3.2)"]]'
    assert [t for t in NUM.findall(planted) if t in tokens] == ["851"]


@pytest.mark.parametrize(
    "printed, value, ci, expected",
    [
        ("0.928", 0.92849, None, EQUAL),  # rounds to the printed value
        ("0.928", 0.9286, None, DIFFERENT),
        ("0.928", 0.95, "0.885–0.971", INSIDE),  # inside the published CI
        ("0.928", 0.99, "0.885–0.971", DIFFERENT),
    ],
)
def test_estimate_marks(printed, value, ci, expected):
    p = parse_number(printed)
    pci = parse_estimate_ci(f"{printed} ({ci})", "t")[1] if ci else None
    assert mark_estimate(p, value, pci) == expected


def test_estimate_inside_the_reproduced_ci_and_value_marks():
    p = parse_number("7.273")
    assert mark_estimate(p, 16.07, None, (6.27, 58.5)) == INSIDE
    assert mark_estimate(p, 16.07, None, (9.0, 58.5)) == DIFFERENT
    assert mark_value(parse_number("0.010"), 0.0104) == EQUAL
    assert mark_value(None, 0.01) == NA


def test_count_marks_from_the_spec():
    cell = load().table("table2").row("NSE").levels[0].cells["effective"]  # 10 (37.04)
    assert mark_count(cell, cell.count, 100 * cell.count / 27) == EQUAL
    assert mark_count(cell, cell.count + 1, 100 * (cell.count + 1) / 27) == DIFFERENT


@pytest.fixture(scope="module")
def result():
    return run_pipeline(load_cohort(), PipelineConfig(n_boot=8, seed=3, figure_extras=True))


@pytest.fixture(scope="module")
def report_dir(result, tmp_path_factory):
    from nenaudit.audit.run import run_audit

    study = load()
    out = tmp_path_factory.mktemp("rep") / "report"
    return write_report(
        result,
        study,
        out,
        findings=run_audit(study),
        crosscheck_why_not="not requested in this test",
    )


def test_report_html_is_one_self_contained_page(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for sid, title in SECTIONS:
        assert f'<section id="{sid}"><h2>{title}</h2>' in html
    srcs = re.findall(r'\s(?:src|href)="([^"]*)"', html)
    assert srcs and all(s.startswith(("data:image/png;base64,", "#")) for s in srcs), set(
        s[:30] for s in srcs
    )
    assert (
        "<script" not in html
        and "<link" not in html
        and "url(" not in html
        and "@import" not in html
    )
    pngs = sorted(p.name for p in report_dir.glob("*.png"))
    assert pngs == [
        "calibration.png",
        "dca.png",
        "instability.png",
        "lasso_cv.png",
        "nomogram.png",
        "roc.png",
        "validation.png",
    ]
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == len(
        pngs
    )  # each figure embedded once
    assert "not requested in this test" in html  # the parity section says why it is empty


def test_table2_has_a_row_per_level_with_n_pct_in_each_group(report_dir, result):
    study = load()
    t2 = study.table("table2")
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    table = html[html.index('<table id="table2-table">') :]
    table = table[: table.index("</table>")]
    level_rows = re.findall(r'<tr class="level">(.*?)</tr>', table)
    assert len(level_rows) == sum(len(r.levels) for r in t2.rows if r.kind == "categorical")
    for lv_row in level_rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", lv_row)
        # label, then paper and this run for each outcome group: "n (pct)" and a mark
        assert all(re.match(r"\d+ \(\d+\.\d+\)", re.sub("<.*?>", "", c)) for c in cells[1:5]), cells
    nse = t2.row("NSE").levels[0]
    first = re.sub("<.*?>", "|", level_rows[0])
    assert f"{nse.cells['effective'].count} ({nse.cells['effective'].percent.raw})" in first


def test_every_published_model_output_stands_beside_the_reproduced_one(report_dir):
    study = load()
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for r in study.regression.rows:
        for e in (r.univariable, r.multivariable):
            if e is not None:
                assert f"{e.estimate.raw} ({e.ci.lo.raw}–{e.ci.hi.raw})" in md and e.p.raw in md, (
                    r.variable
                )
    for a in study.auc:
        assert a.estimate.raw in md and (a.ci is None or f"{a.ci.lo.raw}–{a.ci.hi.raw}" in md)
    for row in study.table("table2").rows:
        assert row.p.raw in md
    assert ", ".join(study.regression.final_model) in md
    assert str(len(study.radiomics["radscore"]["terms"])) in md


def test_markdown_and_html_are_the_same_document(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for _, title in SECTIONS:
        assert f"## {title}" in md
    n_marks_md = sum(md.replace(MARK_LEGEND, "").count(s) for s in "✓◐✗")
    n_marks_html = len(re.findall(r'<span class="mark m-(?!n-a)', html))
    assert n_marks_md == n_marks_html > 50
    assert json.loads((report_dir / "results.json").read_text())["final_terms"]


def test_an_empty_lasso_selection_renders_and_says_so(result, tmp_path):
    sel = dict(result.selection, selected=[], radscore={"intercept": 0.0, "coefficients": {}})
    auc = {k: v for k, v in result.auc.items() if k != "Radscore"}
    arrays = dict(
        result.arrays,
        roc={k: v for k, v in result.arrays["roc"].items() if k != "Radscore"},
        roc_band={},
        youden={},
        lasso=None,
    )
    empty = dataclasses.replace(result, selection=sel, auc=auc, arrays=arrays)
    doc = build_document(empty, load(), crosscheck_why_not="not requested")
    html = render_html(doc, {})
    assert "selected no radiomics feature" in html and "selected no feature" in html
    assert (
        "not fitted in this run" in html
    )  # the published Radscore AUC has nothing beside it, and says so
    # and the whole report, figures included, is written (no LASSO figure to draw, and it says so)
    out = write_report(
        dataclasses.replace(empty, nomogram=None, final_terms=()), load(), tmp_path / "r"
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "No LASSO fit to draw" in page and "Figure not drawn: nomogram" in page


# ------------------------------------------------------------------------------ in a real browser
SCREENSHOT = Path(__file__).resolve().parents[1] / "results" / "report-check" / "first-screen.png"


def test_report_opens_offline_in_a_headless_browser(report_dir):
    """Chromium loads report.html from file:// with the network off: every image decodes, every section
    heading is there, nothing outside the file is requested; the first screen is saved for people to see."""
    from browser import probe, screenshot

    seen = probe(report_dir / "report.html")
    assert len(seen["imgs"]) == len(list(report_dir.glob("*.png"))) == 7
    assert all(i["decoded"] and i["w"] > 100 and i["h"] > 100 for i in seen["imgs"]), seen["imgs"]
    assert seen["heads"] == [title for _, title in SECTIONS]
    assert all(r.startswith(("data:", "#")) for r in seen["refs"]), seen["refs"]
    assert not [u for u in seen["requested"] if not u.startswith(("data:", "file:"))], seen[
        "requested"
    ]
    assert seen["sheets"] == [None]  # the one inline style sheet
    shot = screenshot(report_dir / "report.html", report_dir / "first-screen.png")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(shot.read_bytes())


def test_the_browser_probe_sees_remote_requests_and_broken_images(tmp_path):
    """The probe can fail: a page asking for a remote image and holding a broken one is caught."""
    from browser import probe

    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><body><h2>x</h2><img src="http://example.invalid/a.png">'
        '<img src="data:image/png;base64,AAAA"></body></html>',
        encoding="utf-8",
    )
    seen = probe(page)
    assert [i["decoded"] for i in seen["imgs"]] == [False, False]
    assert any(u.startswith("http://example.invalid") for u in seen["requested"] + seen["refs"])


def test_reproduce_says_plainly_when_r_is_not_there(monkeypatch):
    from nenaudit.commands.reproduce import crosscheck_for_report
    from nenaudit.parity import rbridge

    real_which = rbridge.shutil.which
    monkeypatch.setattr(
        rbridge.shutil,
        "which",
        lambda name, *a, **k: None if name == "Rscript" else real_which(name, *a, **k),
    )
    args = argparse.Namespace(no_crosscheck=False, seed=1, fold_seed=1)
    table, why = crosscheck_for_report(None, args, lambda m: None)
    assert table is None and why.startswith("R is not installed")
    doc = build_document_for(why)
    assert f"Not checked against R in this run: {why}" in doc


def build_document_for(why):
    from nenaudit.report.sections import _parity

    return " ".join(b.text for b in _parity(None, why).blocks)


@pytest.mark.parity
def test_the_report_carries_the_crosscheck_table(R, result, tmp_path):
    from nenaudit.parity.crosscheck import run_crosscheck

    cc = run_crosscheck(load_cohort(), n_boot=2, steps=["AUC + DeLong", "net benefit"]).to_dict()
    out = write_report(result, load(), tmp_path / "r", crosscheck=cc)
    html = (out / "report.html").read_text(encoding="utf-8")
    table = html[html.index('<table id="parity-table">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == len(cc["rows"]) + 1 and "fusion model: AUC" in table
    assert (
        cc["r_version"] in html
        and json.loads((out / "results.json").read_text())["crosscheck"]["all_pass"]
    )


def test_an_equal_estimate_with_a_different_ci_is_not_marked_equal():
    from nenaudit.report.sections import mark_with_ci

    a = next(x for x in load().auc if x.ci is not None)  # 0.928 (0.885–0.971)
    v = a.estimate.value
    assert mark_with_ci(a.estimate, v, a.ci, (a.ci.lo.value, a.ci.hi.value)) == EQUAL
    assert mark_with_ci(a.estimate, v, a.ci, (a.ci.lo.value - 0.01, a.ci.hi.value)) == INSIDE


def test_results_json_holds_the_instability_numbers_of_the_report(report_dir, result):
    data = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    inst = data["instability"]
    # results.json writes floats to STABLE_DIGITS significant digits (the same bytes on any CPU): io.stable_float
    from nenaudit.io import stable_float

    assert inst["mape"] == stable_float(result.arrays["instability"].mape)
    assert inst["cii"] == stable_float(result.arrays["instability"].cii)
    feats = inst["selection"]["features"]
    assert list(feats["frequency"])[: len(feats["original"])] == feats["original"]
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    assert f"| {fmt(inst['mape'])} (" in md and "instability.png" in md
