"""The reproduction report as data: sections of paragraphs, tables and figures.

:func:`build_document` turns a :class:`nenaudit.pipeline.PipelineResult`, the study spec, the
audit findings and (optionally) the crosscheck table into one :class:`Document`;
``report.html`` (:mod:`nenaudit.report.html`) and ``report.md``
(:mod:`nenaudit.report.reproduction`) are two renderings of the same document, so they
cannot disagree.

Every published value comes from the study spec (:mod:`nenaudit.study.schema`); this module
holds no published number. A reproduced value is printed at the precision of the published
one it stands beside, with a mark:

- ``equal``: it rounds to the printed value at the printed precision
  (:meth:`nenaudit.study.schema.Printed.agrees`);
- ``inside CI``: not equal, but the reproduced estimate lies inside the published 95% CI, or
  the published estimate inside the reproduced one;
- ``different``: neither;
- ``n/a``: nothing to compare (the paper printed nothing there, or printed it malformed).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Cell",
    "Table",
    "Figure",
    "Para",
    "Folded",
    "Section",
    "Document",
    "like",
    "label_key",
    "mark_estimate",
    "mark_all",
    "group_code",
    "comparison",
    "continuous_text",
    "reproduced_auc",
]


EQUAL, INSIDE, DIFFERENT, NA = "equal", "inside CI", "different", "n/a"
MARKS = (EQUAL, INSIDE, DIFFERENT, NA)
MARK_SYMBOL = {EQUAL: "✓", INSIDE: "◐", DIFFERENT: "✗", NA: "·"}
MARK_LEGEND = (
    "✓ equal at the printed precision; ◐ not all equal at the printed precision, but the estimate lies "
    "inside the other's 95% CI; ✗ different; · no comparison possible (printed malformed, or nothing "
    "reproduced)"
)

# the cohort format's outcome coding (nenaudit.cohort): 0 = effective (CR + PR), 1 = ineffective (SD + PD)
OUTCOME_CODE = {"0": "effective", "1": "ineffective"}

#: the section ids and titles, in page order (the browser test checks every heading)
SECTIONS = (
    ("summary", "Summary"),
    ("audit", "Audit of the published numbers"),
    ("table1", "Table 1: patients"),
    ("table2", "Table 2: lesions by outcome"),
    ("table3", "Table 3: logistic regression"),
    ("selection", "Radiomics selection"),
    ("discrimination", "Discrimination"),
    ("validation", "Validation"),
    ("instability", "Instability of the whole pipeline"),
    ("calibration", "Calibration"),
    ("decision", "Decision curve"),
    ("nomogram", "Nomogram"),
    ("lasso", "LASSO"),
    ("parity", "Parity with R"),
    ("warnings", "Warnings"),
    ("provenance", "Provenance"),
)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional comparison mark and a tooltip."""

    text: str
    mark: str | None = None
    title: str = ""


@dataclass
class Table:
    """``header``: rows of ``(text, colspan)``; ``columns``: flat column names (Markdown);
    ``rows``: cells (str or :class:`Cell`); ``row_kinds``: "variable" / "level" / "" per row."""

    id: str
    caption: str
    columns: list[str]
    rows: list[list[Any]]
    header: list[list[tuple[str, int]]] | None = None
    row_kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Figure:
    """A figure of the report: its key in ``figures.FIGURES`` (the PNG beside the report), alt text and caption."""

    key: str  # figures.FIGURES key; the file is <key>.png next to the report
    alt: str
    caption: str


@dataclass(frozen=True)
class Para:
    """A paragraph of the report; ``kind`` ``note`` or ``warning`` styles it."""

    text: str
    kind: str = ""  # "" | "note" | "warning"


@dataclass(frozen=True)
class Folded:
    """Blocks shown folded under a one-line summary (HTML ``<details>``, no script; Markdown the same tags)."""

    summary: str
    blocks: tuple = ()


@dataclass
class Section:
    """A section of the report: an id (the HTML anchor), a title and its blocks (Para, Table, Figure)."""

    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    """The whole report as data, rendered to Markdown and to HTML by :mod:`nenaudit.report.reproduction`."""

    title: str
    subtitle: str
    sections: list[Section]

    def section(self, sid: str) -> Section:
        for s in self.sections:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def marks(self) -> dict[str, int]:
        """How many cells carry each mark (for the summary and the tests)."""
        out = {m: 0 for m in MARKS}
        for s in self.sections:
            for b in s.blocks:
                if isinstance(b, Table):
                    for row in b.rows:
                        for c in row:
                            if isinstance(c, Cell) and c.mark:
                                out[c.mark] += 1
        return out


# ------------------------------------------------------------------------------- formatting
def nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt(x: Any, d: int = 3) -> str:
    if nan(x):
        return "-"
    return f"{x:.{d}f}"


def fmt_p(p: Any, d: int = 3) -> str:
    if nan(p):
        return "-"
    floor = 10.0 ** (-d)
    return f"<{floor:.{d}f}" if p < floor else f"{p:.{d}f}"


def decimals(printed, default: int = 3) -> int:
    return default if printed is None or printed.decimals is None else printed.decimals


def like(printed, x: Any, default: int = 3) -> str:
    """``x`` at the precision of ``printed``."""
    return fmt(x, decimals(printed, default))


def p_like(printed, p: Any) -> str:
    return fmt_p(p, max(decimals(printed, 3), 3))


def label_key(s: str) -> str:
    """Compare labels across the spec and a cohort: NFKC, case-folded, dashes unified, spaces squeezed."""
    t = unicodedata.normalize("NFKC", str(s)).casefold().replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", t).strip()


# ------------------------------------------------------------------------------- marks
def mark_value(printed, x: Any) -> str:
    if printed is None or printed.value is None or printed.malformed or nan(x):
        return NA
    return EQUAL if printed.agrees(float(x)) else DIFFERENT


def mark_estimate(printed, x: Any, printed_ci=None, ci: Sequence[float] | None = None) -> str:
    """Equal at the printed precision, else inside a 95% CI (either way round), else different."""
    m = mark_value(printed, x)
    if m != DIFFERENT:
        return m
    if (
        printed_ci is not None
        and printed_ci.lo.value is not None
        and printed_ci.hi.value is not None
        and printed_ci.lo.value <= float(x) <= printed_ci.hi.value
    ):
        return INSIDE
    if ci is not None and not nan(ci[0]) and not nan(ci[1]) and ci[0] <= printed.value <= ci[1]:
        return INSIDE
    return DIFFERENT


def mark_all(*marks: str) -> str:
    """A cell of several printed numbers: equal only when all are equal; n/a when all are n/a."""
    ms = [m for m in marks if m != NA]
    if not ms:
        return NA
    if all(m == EQUAL for m in ms):
        return EQUAL
    return (
        DIFFERENT
        if DIFFERENT in ms and INSIDE not in ms
        else (INSIDE if INSIDE in ms else DIFFERENT)
    )


def mark_count(printed_cp, count: Any, pct: Any) -> str:
    if printed_cp is None or count is None:
        return NA
    if count != printed_cp.count:
        return DIFFERENT
    return mark_value(printed_cp.percent, pct) if not nan(pct) else DIFFERENT


def cell(text: str, mark: str | None = None, title: str = "") -> Cell:
    return Cell(text, mark, title)


def paper(text: str | None) -> Cell:
    return Cell(text if text else "-", None, "as printed in the paper" if text else "not printed")


# ------------------------------------------------------------------------------- helpers on the result
def spec_table(study, tid: str):
    return next((t for t in study.tables if t.id == tid), None)


def group_code(table_spec, group) -> str | None:
    """The cohort's outcome code ("0"/"1") of a spec group (by its outcome_group), if any."""
    og = group.outcome_group
    for code, name in OUTCOME_CODE.items():
        if og == name:
            return code
    return None


def comparison(gc, variable: str):
    """The VariableComparison of ``variable`` in a GroupComparison (or a tuple of them)."""
    items = gc.variables if hasattr(gc, "variables") else (gc or ())
    key = label_key(variable)
    return next((v for v in items if label_key(v.variable) == key), None)


def cells_for(vc, group: str, level: str | None = None):
    if vc is None:
        return None
    for c in vc.cells:
        if c.group == group and (
            level is None or (c.level is not None and label_key(c.level) == label_key(level))
        ):
            return c
    return None


def continuous_text(kind: str, c, printed=None) -> tuple[str, Any]:
    """A reproduced continuous cell in the paper's statistic; returns (text, values)."""
    if c is None or c.n == 0:
        return "-", None
    if kind == "mean_sd":
        d = decimals(printed.mean if printed else None, 2)
        return f"{fmt(c.mean, d)} ± {fmt(c.sd, d)}", (c.mean, c.sd)
    d = decimals(printed.median if printed else None, 2)
    return f"{fmt(c.median, d)} [{fmt(c.q1, d)}, {fmt(c.q3, d)}]", (c.median, c.q1, c.q3)


def continuous_mark(kind: str, printed, values) -> str:
    if printed is None or values is None:
        return NA
    if kind == "mean_sd":
        return mark_all(mark_value(printed.mean, values[0]), mark_value(printed.sd, values[1]))
    return mark_all(
        *(mark_value(p, v) for p, v in zip((printed.median, printed.q1, printed.q3), values))
    )


TEST_NAMES = {
    "chisq": "chi-square",
    "chisq_yates": "chi-square (Yates)",
    "fisher": "Fisher's exact",
    "welch": "Welch t",
    "student": "Student t",
    "mann-whitney": "Mann-Whitney U",
}


def test_text(vc) -> str:
    if vc is None or vc.test is None:
        return "-"
    return TEST_NAMES.get(vc.test, vc.test)


def selected_features(res) -> list[str]:
    return list(res.selection.get("selected") or [])


def radscore_auc(res):
    return res.auc.get("Radscore")


AUC_LABELS = {"radscore": "Radscore", "fusion": "fusion model", "clinical": "clinical model"}


def reproduced_auc(res, model: str):
    """The run's AUC entry for a spec AUC model name (``radscore``, ``fusion``, ``clinical``), or None."""
    return res.auc.get(AUC_LABELS.get(model, model))
