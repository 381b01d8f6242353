"""Recognisers for tables: groups and their n, p columns, row kinds, levels under a variable, cohorts,
regression tables (univariable/multivariable, estimate with CI, p, reference rows), significance marks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nenaudit.draft.cells import (
    ESTIMATE_CI,
    NUM,
    cell_kind,
    group_n,
    is_empty,
    is_p,
    is_reference,
    plain_count,
)
from nenaudit.draft.document import RawTable

__all__ = ["Drafted", "interpret_table", "clean_label", "slug", "cohort_id", "COHORT_WORDS"]

COHORT_WORDS = re.compile(
    r"(?i)\b(training|train|development|derivation|discovery|primary|internal(?:\s+validation)?|"
    r"external(?:\s+validation)?|validation|test(?:ing)?|independent)\s*(?:set|cohort|group|dataset|"
    r"sample)s?\b"
)
_REG_WORDS = re.compile(
    r"(?i)\b(OR|HR|RR|aOR|aHR|odds|hazard|regression|β|beta|coefficient|univariate|univariable|"
    r"multivariate|multivariable)\b|β"
)
_PCOL = re.compile(r"(?i)^\s*(p|p[\s-]*values?|sig\.?|significance|p\s*\(.*\))\s*[*a-z]?\s*$")
_HEADER_CUE = re.compile(
    r"(?i)\b(OR|HR|RR|CI|P|values?|univariate|univariable|multivariate|multivariable|analysis|"
    r"characteristics?|variables?|factors?|odds|hazard|β)\b|95\s*%|\bn\s*="
)
# a percentage (prevalence, proportion) with its confidence interval: '% (95%CI)' over the columns
_PREVALENCE_CI = re.compile(
    r"(?i)%\s*[(\[]\s*95\s*%?\s*CI\b|\bprevalence\b.*\bCI\b|\bproportion\b.*\bCI\b"
)
_RATIO_WORDS = re.compile(r"(?i)\b(OR|HR|RR|PR|aOR|aHR|odds|hazard|ratio|β|beta|coefficient)\b|β")
_UNI = re.compile(r"(?i)univariate|univariable|crude|unadjusted|single[- ]factor")
_MULTI = re.compile(r"(?i)multivariate|multivariable|adjusted|multi[- ]factor")
_LESION = re.compile(r"(?i)\b(lesions?|nodules?|tumou?rs?|metastas[ie]s|masses|nodes?)\b")
_PATIENT = re.compile(r"(?i)\b(patients?|participants?|subjects?|cases?|women|men|children)\b")


@dataclass
class Drafted:
    """What the recognisers drafted from one table, plus what to confirm."""

    tables: list[dict] = field(default_factory=list)
    regression: dict | list[dict] | None = (
        None  # a list when the table holds several models side by side
    )
    review: list[dict] = field(default_factory=list)
    aucs: list[dict] = field(
        default_factory=list
    )  # cohort as a label ('_cohort_label'), mapped to an id later
    diagnostics: list[dict] = field(default_factory=list)


def cohort_id(label: str) -> str | None:
    """A cohort's id from the paper's own word: ``Validation set`` -> ``validation``, ``train cohort`` ->
    ``training``."""
    m = COHORT_WORDS.search(label)
    if not m:
        return None
    word = m.group(1).lower().split()[0]
    return {"train": "training", "testing": "test"}.get(word, word)


def slug(text: str) -> str:
    """Lower-case letters and digits joined by underscores: an id made from a label."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s or "group"


_MARKS = re.compile(r"(\s*\^\s*[a-z0-9*]+|\s*[¹²³⁴⁵⁶⁷⁸⁹⁰ᵃᵇᶜᵈᵉ]+|\s*[*†‡§¶#]+)$")
_DESCRIPTOR = re.compile(
    r"(?i)\s*[\[(]\s*(median|mean|n\b(?!\s*[=:]\s*\d)|no\.|number|%|iqr|sd|range|x̄)[^\[\]]*[\])]\s*$"
)
_TRAIL = re.compile(r"(?i),\s*(n\s*\(%\)|n|%|no\.\s*\(%\)|median.*|mean.*)$")
_UNIT = re.compile(
    r"(?i)^\s*(\S*/\S*|%|years?|yrs?|mm|cm|ml|mL|kg|g|mg|days?|months?|ng/ml|u/l|iu/l|points?)\s*$"
)


def clean_label(label: str) -> str:
    """A variable's name without footnote marks, statistic descriptors (``[median (IQR)]``, ``, n (%)``) and a unit
    after a comma (``CRP, mg/L``); units in parentheses stay (``Weight (kg)``)."""
    s = label.strip()
    for _ in range(3):
        s2 = _MARKS.sub("", s)
        s2 = _DESCRIPTOR.sub("", s2)
        s2 = _TRAIL.sub("", s2).strip()
        if "," in s2 and _UNIT.match(s2.rsplit(",", 1)[1]):
            s2 = s2.rsplit(",", 1)[0].strip()
        if s2 == s:
            break
        s = s2
    return s.strip() or label.strip()


def _pad(rows: list[list[str]]) -> list[list[str]]:
    n = max((len(r) for r in rows), default=0)
    return [list(r) + [""] * (n - len(r)) for r in rows]


def _is_value(cell: str) -> bool:
    c = cell.strip()
    return bool(cell_kind(c)) or is_p(c) or bool(ESTIMATE_CI.search(c)) or is_reference(c)


def _header_count(raw: RawTable, rows: list[list[str]]) -> int:
    if raw.header_rows is not None and raw.header_rows < len(rows):
        return raw.header_rows
    for i, r in enumerate(rows):
        if any(_is_value(c) for c in r[1:]) and not any(group_n(c) for c in r[1:]):
            while (
                i > 0
                and sum(1 for c in rows[i - 1] if c.strip()) == 1
                and not group_n(rows[i - 1][0])
                and not _PCOL.match(rows[i - 1][0])
                and not _HEADER_CUE.search(" ".join(rows[i - 1]))
            ):
                i -= 1  # a lone label just above the data is a variable heading, not a header row
            return i
    return 0


def interpret_table(raw: RawTable, ctx: dict) -> Drafted:
    """Draft one printed table: a descriptive table (one per cohort block) or the regression table."""
    out = Drafted()
    for note in raw.notes:
        out.review.append({"item": raw.label, "what": "cells split by the drafter", "why": note})
    rows = _pad([[c.replace("\u00a0", " ").strip() for c in r] for r in raw.rows])
    if not rows or len(rows[0]) < 2:
        out.review.append(
            {"item": raw.label, "what": "not drafted", "why": "fewer than two columns were read"}
        )
        return out
    h = _header_count(raw, rows)
    head, body = rows[:h], rows[h:]
    header_text = " ".join(" ".join(r) for r in head)
    est_rows = sum(1 for r in body if any(ESTIMATE_CI.search(c) for c in r[1:]))
    desc_rows = sum(1 for r in body if any(cell_kind(c) in ("count", "mean_sd") for c in r[1:]))
    prevalence = bool(_PREVALENCE_CI.search(header_text)) and not _RATIO_WORDS.search(header_text)
    regression_like = not prevalence and (
        est_rows >= max(2, desc_rows)
        and (_REG_WORDS.search(header_text + " " + raw.caption) or "CI" in header_text)
    )
    separate_ci = (
        not regression_like
        and re.search(r"(?i)\b(OR|HR|odds ratio|hazard ratio|β|beta)\b", header_text)
        and re.search(r"(?i)95\s*%?\s*CI|confidence", header_text)
    )
    perf = re.search(
        r"(?i)\b(AUC|AUROC|C[- ]index|C[- ]statistic|sensitivity|specificity)\b", header_text
    )
    if (
        perf
        and not desc_rows
        and not re.search(r"(?i)\b(OR|HR|RR|odds|hazard|β|beta|coefficient)\b", header_text)
    ):
        _performance(raw, head, body, out)
        return out
    if regression_like or separate_ci:
        spans = _column_spans(head, len(rows[0]))
        if spans:  # one model per spanning header (an outcome, a cohort): a regression table each
            regs = []
            for k, (label, cols) in enumerate(spans):
                sub_head = [[r[0]] + [r[j] for j in cols] for r in head]
                sub_body = [[r[0]] + [r[j] for j in cols] for r in body]
                sub = RawTable(
                    raw.label,
                    f"{raw.label} — {label}",
                    sub_head + sub_body,
                    raw.footnotes,
                    len(sub_head),
                )
                reg = _regression(
                    sub,
                    sub_head,
                    sub_body,
                    " ".join(" ".join(r) for r in sub_head),
                    out.review,
                    raw.caption,
                )
                if reg is not None:
                    reg["id"] = f"{reg['id']}_{k + 1}"
                    reg["where"] = f"{raw.label}, columns under {label!r}"
                    cid = cohort_id(label)
                    if cid:
                        reg["_cohort_label"] = label
                    regs.append(reg)
            out.regression = regs or None
            return out
        out.regression = _regression(raw, head, body, header_text, out.review)
        return out
    if (
        re.search(r"(?i)\b(AUC|AUROC|C[- ]index|sensitivity|specificity)\b", header_text)
        and not desc_rows
    ):
        _performance(raw, head, body, out)
        return out
    if (
        len(rows[0]) == 3
        and _COUNT_HEAD.search(" ".join(r[1] for r in head))
        and _PERCENT_HEAD.search(" ".join(r[2] for r in head))
    ):
        _count_percent(raw, head, body, out)
        return out
    _descriptive(raw, head, body, header_text, ctx, out, prevalence)
    return out


# ----------------------------------------------------------------------------- one count and one percent column
_COUNT_HEAD = re.compile(
    r"(?i)^\s*(?:n|no\.?|number(?: of \w+)?|count|frequency|sample size\s*\(\s*n\s*\)|sample size)\s*$"
)
_PERCENT_HEAD = re.compile(
    r"(?i)^\s*(?:%|percent(?:age)?\s*(?:\(\s*%\s*\))?|proportion\s*\(\s*%\s*\))\s*$"
)
_PAIR = re.compile(r"^\s*(" + NUM + r")\s*/\s*(" + NUM + r")\s*$")
_GROUPISH = re.compile(r"(?i)\b(groups?|patients?|cases|subjects|participants|controls?)\b")


def _same_group(a: str, b: str) -> bool:
    """Two labels of one group: ``Treated patients`` and ``Treated group`` (the words besides group, patients, cases,
    subjects, participants and controls agree)."""
    ka = re.sub(r"[^a-z0-9 ]", " ", _GROUPISH.sub(" ", a.lower())).split()
    kb = re.sub(r"[^a-z0-9 ]", " ", _GROUPISH.sub(" ", b.lower())).split()
    if not ka and not kb:
        return _GROUPISH.search(a) is not None and a.lower().rstrip("s") == b.lower().rstrip("s")
    return ka == kb


def _count_percent(raw: RawTable, head, body, out: Drafted) -> None:
    """A table of one count column and one percent column ('Sample size (N)' | 'Percentage (%)'): rows before the
    first heading that name groups with their sizes (and an 'All' row that sums them); a block whose levels are those
    groups (a summary per group); a block whose heading names two groups 'A/ B' with 'a/b' pairs in both columns;
    other blocks describe the one group whose size their counts sum to (or the group of the block before)."""
    blocks: list[tuple[str, list[tuple[str, str, str]]]] = [("", [])]
    for r in body:
        label, a, b = r[0].strip(), r[1].strip(), r[2].strip()
        if not label:
            continue
        if is_empty(a) and is_empty(b) and not a and not b:
            blocks.append((label, []))
        else:
            blocks[-1][1].append((label, a, b))
    lead = blocks[0][1]
    total = None
    if (
        lead
        and re.match(r"(?i)\s*(all|total|overall)\b", lead[-1][0])
        and cell_kind(lead[-1][1]) == "integer"
    ):
        total = (lead[-1][0], int(lead[-1][1]))
        lead = lead[:-1]
    groups = [(lab, int(a)) for lab, a, _ in lead if cell_kind(a) == "integer"]
    if len(groups) < 2 or (total and sum(n for _, n in groups) != total[1]):
        out.review.append(
            {
                "item": raw.label,
                "what": "not drafted",
                "why": "a count and a percent column, but no rows that name the groups with their sizes",
            }
        )
        return
    used: set = set()
    gdefs = [{"id": _group_id(lab, used), "label": lab, "n": n} for lab, n in groups]
    tid = re.sub(r"[^a-z0-9]+", "", raw.label.lower())
    foot = " ".join(raw.footnotes)
    fp = {
        m.group(2).strip().lower(): m.group(1)
        for m in re.finditer(
            r"(?i)\bP\s*[=<]\s*(0?\.\d+)\s+for\s+([a-z][a-z -]*?)(?=[;,.]|$)", foot
        )
    }

    def p_of(label: str):
        name = clean_label(label).lower()
        return next((v for k, v in fp.items() if re.match(re.escape(k) + r"\b", name)), None)

    def table(suffix, gs, rows, why):
        t = {
            "id": tid + suffix,
            "title": raw.caption or raw.label,
            "where": raw.label,
            "unit": "patient",
            "groups": gs,
            "rows": rows,
        }
        if foot:
            t["footnote"] = foot
        out.tables.append(t)
        out.review.append(
            {
                "item": f"{raw.label} ({', '.join(g['label'] for g in gs)})",
                "what": "rows read by group",
                "why": why,
            }
        )

    all_id = "all"
    table(
        "",
        [
            {
                "id": all_id,
                "label": total[0] if total else "All",
                "n": total[1] if total else sum(n for _, n in groups),
            }
        ],
        [
            {
                "variable": clean_label(head[-1][0]) if head and head[-1][0].strip() else "Group",
                "kind": "categorical",
                "p": None,
                "levels": [{"level": lab, "cells": {all_id: f"{a} ({b})"}} for lab, a, b in lead],
                "where": f"{raw.label}, the rows naming the groups",
            }
        ],
        "the rows before the first heading name the groups and their sizes; printed as a count and a percent",
    )
    both, single = [], {}
    current = None
    for heading, levels in blocks[1:]:
        if not levels:
            continue
        var = clean_label(heading)
        gmatch = [
            next((g for g in gdefs if _same_group(g["label"], lab)), None) for lab, _, _ in levels
        ]
        named = re.search(r"\(([^()]*/[^()]*)\)\s*$", heading)
        if all(gmatch) and len({g["id"] for g in gmatch}) == len(gdefs):  # one summary per group
            cells = {g["id"]: a for g, (_, a, _) in zip(gmatch, levels)}
            kind = {cell_kind(c) for c in cells.values()}
            if kind <= {"mean_sd"}:
                both.append(
                    {
                        "variable": var,
                        "kind": "mean_sd",
                        "p": p_of(heading),
                        "cells": cells,
                        "where": f"{raw.label}, {var}",
                    }
                )
            continue
        if named:
            parts = [x.strip() for x in named.group(1).split("/")]
            order = [next((g for g in gdefs if _same_group(g["label"], x)), None) for x in parts]
            var = clean_label(heading[: named.start()])
            pairs = [(lab, _PAIR.match(a), _PAIR.match(b)) for lab, a, b in levels]
            if all(order) and len(order) == 2 and all(x and y for _, x, y in pairs):
                both.append(
                    {
                        "variable": var,
                        "kind": "categorical",
                        "p": p_of(var),
                        "levels": [
                            {
                                "level": lab,
                                "cells": {
                                    order[k]["id"]: f"{x.group(k + 1)} ({y.group(k + 1)})"
                                    for k in range(2)
                                },
                            }
                            for lab, x, y in pairs
                        ],
                        "where": f"{raw.label}, {var}",
                    }
                )
                continue
        counts = [a for _, a, _ in levels]
        if not all(cell_kind(c) == "integer" for c in counts):
            continue
        tot = sum(int(c) for c in counts)
        g = next((g for g in gdefs if g["n"] == tot), current)
        if g is None:
            continue
        current = g
        single.setdefault(g["id"], []).append(
            {
                "variable": var,
                "kind": "categorical",
                "p": p_of(heading),
                "levels": [
                    {"level": lab, "cells": {g["id"]: f"{a} ({b})"}} for lab, a, b in levels
                ],
                "where": f"{raw.label}, {var}",
            }
        )
    if both:
        table(
            "_groups",
            [dict(g) for g in gdefs],
            both,
            "blocks whose levels are the groups, or 'a/b' pairs under a heading naming two groups",
        )
    for gid, rows in single.items():
        g = next(x for x in gdefs if x["id"] == gid)
        table(
            f"_{gid}",
            [dict(g)],
            rows,
            f"the counts of these blocks sum to {g['n']}, the size of {g['label']!r} "
            "(a block whose counts sum to no group's size is read with the group of the block before)",
        )


# ----------------------------------------------------------------------------- descriptive tables
def _column_roles(head, body) -> tuple[list[int], list[int]]:
    """Group columns and p columns, from the values under them (web pages shift header cells), else the header."""
    ncol = len(body[0]) if body else 0
    groups, pcols = [], []
    full = [r for r in body if all(not is_empty(c) for c in r[1:])]
    full = full or [
        r
        for r in body
        if sum(not is_empty(c) for c in r[1:])
        == max((sum(not is_empty(c) for c in x[1:]) for x in body), default=0)
    ]
    for j in range(1, ncol):
        htxt = " ".join(r[j] for r in head).strip()
        vals = [r[j] for r in full if not is_empty(r[j])]
        compound = sum(
            1
            for v in vals
            if cell_kind(v) in ("count", "mean_sd", "spread", "mean_paren", "integer", "number")
        )
        plike = sum(1 for v in vals if is_p(v))
        if vals:
            if (
                plike == len(vals)
                and any("." in v or "<" in v for v in vals)
                and (
                    _PCOL.match(htxt)
                    or not all(
                        cell_kind(v) in ("count", "mean_sd", "spread", "mean_paren") for v in vals
                    )
                )
            ):
                pcols.append(j)
            elif compound:
                groups.append(j)
        elif any(not is_empty(r[j]) for r in body):
            if _PCOL.match(htxt):
                pcols.append(j)
            elif group_n(htxt):
                groups.append(j)
    return groups, pcols


def _group_labels(head, gcols) -> list[str]:
    by_col = []
    for j in gcols:  # a cohort name in a row with fewer cells than groups spans several groups: not a group's label
        parts = [
            r[j]
            for r in head
            if r[j]
            and not (
                COHORT_WORDS.fullmatch(r[j].strip())
                and sum(1 for c in r[1:] if c.strip()) < len(gcols)
            )
        ]
        by_col.append(" ".join(parts).strip())
    if all(group_n(x) for x in by_col):
        return by_col
    for (
        r
    ) in head:  # the header row with one '(n = N)' label per group column (the others span cohorts)
        row_n = [c for c in r if group_n(c)]
        if len(row_n) == len(gcols):
            return row_n
    with_n = [c for r in head for c in r if group_n(c)]
    if len(with_n) == len(gcols):
        return with_n
    return [x or f"column {k + 1}" for k, x in enumerate(by_col)]


def _place(row: list[str], gcols: list[int], pcols: list[int]) -> tuple[list[str], list[str]]:
    """The group cells and p cells of a row: by position when they fit, else by type in order (rows whose
    empty cells were dropped, as some web pages print them)."""
    gv = [row[j] for j in gcols]
    pv = [row[j] for j in pcols]
    ok = ("count", "mean_sd", "spread", "mean_paren", "integer") + (() if pcols else ("number",))
    fits = all(is_empty(v) or cell_kind(v) in ok for v in gv) and all(
        is_empty(v) or is_p(v) for v in pv
    )
    if fits:
        return gv, pv
    vals = [c for c in row[1:] if not is_empty(c)]
    plike = [
        c
        for c in vals
        if is_p(c) and cell_kind(c) not in ("count", "mean_sd", "spread") and ("." in c or "<" in c)
    ]
    other = [c for c in vals if c not in plike]
    if len(plike) > len(pcols):
        other, plike = vals[: len(gcols)], vals[len(gcols) :]
    return (other + [""] * len(gcols))[: len(gcols)], (plike + [""] * len(pcols))[: len(pcols)]


def _row_kind(cells: list[str], label: str, foot: str) -> str | None:
    kinds = {cell_kind(c) for c in cells if not is_empty(c)}
    if not kinds:
        return None
    if kinds <= {"count", "integer"}:
        return "count"
    if kinds <= {"mean_sd"} or (kinds <= {"mean_paren"} and True):
        return "mean_sd"
    if kinds <= {"spread"}:
        ctx = f"{label} {foot}".lower()
        if re.search(r"min|range", label.lower()) or (
            re.search(r"median \(range\)|\brange\b|min", ctx)
            and not re.search(r"iqr|quartile|interquartile", label.lower() + " " + ctx)
        ):
            return "median_range"
        return "median_iqr"
    if kinds <= {"count", "mean_paren"}:
        return "count"
    return "mixed"


_STATCOL = re.compile(
    r"(?i)^\s*(χ\s*[2²]|chi[- ]?squared?|x\s*2|x²|t|f|z)(?:[\s-]*(?:values?|statistics?|tests?))?"
    r"\s*(?:[(\[]\s*df\s*[)\]])?\s*$"
)
_DFCOL = re.compile(r"(?i)^\s*(df|d\.f\.|degrees? of freedom)\s*$")
_STAT_CELL = re.compile(
    r"^\s*(" + NUM + r")\s*(?:[(\[]\s*(\d+(?:\.\d+)?)\s*(?:[,;]\s*(\d+(?:\.\d+)?))?\s*[)\]])?\s*$"
)


def _statistic(name_cell: str, cell: str, df_cell: str) -> tuple[dict | None, str | None]:
    """A printed test statistic ``{name, value, df...}`` from its column's header and its cell (``12.3 (2)``: value and
    df) or a df column; (None, why) when the df it needs is not printed."""
    m, c = _STATCOL.match(name_cell), _STAT_CELL.match(cell.strip().rstrip("*†‡§"))
    if not m or not c:
        return None, None
    w = m.group(1).lower()
    name = "chi2" if w[0] in "χcx" else {"t": "t", "f": "F", "z": "z"}[w]
    dfs = [x for x in (c.group(2), c.group(3)) if x] or (
        [df_cell.strip()] if re.fullmatch(r"\d+(?:\.\d+)?", df_cell.strip()) else []
    )
    need = {"chi2": ("df",), "t": ("df",), "F": ("df1", "df2"), "z": ()}[name]
    if len(dfs) != len(need):
        return None, f"a printed {name} of {c.group(1)} without its degrees of freedom"
    return {"name": name, "value": c.group(1), **dict(zip(need, dfs))}, None


def _descriptive(
    raw: RawTable, head, body, header_text, ctx, out: Drafted, prevalence: bool = False
) -> None:
    ncol = len(body[0]) if body else 0
    col_head = {j: " ".join(r[j] for r in head).strip() for j in range(1, ncol)}
    scols = [j for j in range(1, ncol) if _STATCOL.match(col_head[j])]
    dcols = [j for j in range(1, ncol) if _DFCOL.match(col_head[j])]
    gcols, pcols = _column_roles(head, body)
    gcols = [
        j for j in gcols if j not in scols and j not in dcols
    ]  # a statistic or df column is no group
    if prevalence:  # percentages with their CIs (survey-weighted, say) cannot be recomputed from counts: not groups
        ci_cols = [
            j
            for j in gcols
            if all(ESTIMATE_CI.fullmatch(r[j].strip()) for r in body if not is_empty(r[j]))
        ]
        if ci_cols and len(ci_cols) < len(gcols):
            gcols = [j for j in gcols if j not in ci_cols]
            out.review.append(
                {
                    "item": raw.label,
                    "what": f"{len(ci_cols)} column(s) of percentages with a CI not drafted",
                    "why": "a percentage printed with its confidence interval is no 'n (%)' cell; only the "
                    "count columns are drafted",
                }
            )
    if not gcols:
        out.review.append(
            {
                "item": raw.label,
                "what": "not drafted",
                "why": "no column of counts or summaries was found",
            }
        )
        return
    labels = _group_labels(head, gcols)
    # cohort blocks: the group columns before each p column (training | p | validation | p)
    blocks: list[tuple[list[int], list[int]]] = []
    if len(pcols) > 1:
        start = 0
        for pc in pcols:
            idx = [k for k, j in enumerate(gcols) if j < pc and k >= start]
            if idx:
                blocks.append((idx, [pcols.index(pc)]))
                start = idx[-1] + 1
        if sum(len(b[0]) for b in blocks) != len(gcols):
            blocks = [(list(range(len(gcols))), list(range(len(pcols))))]
    else:
        blocks = [(list(range(len(gcols))), list(range(len(pcols))))]
    cohort_names = [m.group(0) for m in COHORT_WORDS.finditer(header_text)]
    seen = []
    for c in cohort_names:
        if c.lower() not in [s.lower() for s in seen]:
            seen.append(c)
    cohort_names = seen
    spans = [
        c for r in head for c in r if group_n(c) and COHORT_WORDS.search(c)
    ]  # 'Training set (n = 712)'
    foot = " ".join(raw.footnotes)
    # rows -> variables
    parsed = []  # (label, kind, group cells, p, printed test statistic)
    for r in body:
        label = r[0] or next((c for c in r[1:2] if c and not _is_value(c)), "")
        gv, pv = _place(r, gcols, pcols)
        stat = None
        if len(scols) == 1 and len(pcols) <= 1 and not is_empty(r[scols[0]]):
            stat, why = _statistic(
                col_head[scols[0]], r[scols[0]], r[dcols[0]] if len(dcols) == 1 else ""
            )
            if why:
                out.review.append(
                    {
                        "item": f"{raw.label}, {clean_label(label)}",
                        "what": "test statistic not drafted",
                        "why": why + "; add df by hand",
                    }
                )
        parsed.append((label, _row_kind(gv, label, foot), gv, pv, stat))
    if (
        parsed
        and re.match(r"(?i)\s*(all|total|overall)\b", parsed[0][0])
        and all(cell_kind(c) == "integer" for c in parsed[0][2])
        and not any(group_n(x) for x in labels)
    ):
        totals = [
            plain_count(c) for c in parsed[0][2]
        ]  # the sizes of the groups, printed as the first row
        labels = [f"{lab} ({parsed[0][0].strip()})" for lab in labels]
        ns = dict(zip(labels, totals))
        parsed = parsed[1:]
        out.review.append(
            {
                "item": raw.label,
                "what": f"group sizes from the row {body[0][0]!r}",
                "why": "the header prints no n; the first row prints the whole sample's count",
            }
        )
    else:
        ns = {}
    tid = re.sub(r"[^a-z0-9]+", "", raw.label.lower())
    for b, (gidx, pidx) in enumerate(blocks):
        cohort = None
        if len(blocks) > 1 and len(cohort_names) == len(blocks):
            cohort = cohort_names[b]
        elif len(blocks) == 1:
            capc = [m.group(0) for m in COHORT_WORDS.finditer(raw.caption)]
            kinds = set(
                re.findall(
                    r"(?i)\b(training|validation|test(?:ing)?|development|derivation|external|internal)\b",
                    raw.caption.lower(),
                )
            )
            if len(capc) == 1 and len(kinds) == 1:
                cohort = capc[0]
        table = _one_table(
            raw,
            tid if len(blocks) == 1 else f"{tid}_{cohort_id(cohort or '') or b + 1}",
            parsed,
            gidx,
            pidx,
            [labels[k] for k in gidx],
            cohort,
            ctx,
            out,
            ns,
        )
        if table is not None:
            if len(spans) == len(blocks) and len(blocks) > 1:
                table["_cohort_n"] = spans[b]
            out.tables.append(table)


def _group_id(label: str, used: set) -> str:
    base = re.sub(r"(?i)[(\[]?\s*\bn\s*[=:]\s*[\d,]+\s*[)\]]?", "", label)
    base = re.sub(r"(?i)\b(groups?|patients?|lesions?|nodules?|cases|subjects)\b", "", base).strip(
        " ,;:()[]"
    )
    gid = slug(base) if base else "group"
    k, out = 2, gid
    while out in used:
        out, k = f"{gid}_{k}", k + 1
    used.add(out)
    return out


def _one_table(
    raw, tid, parsed, gidx, pidx, labels, cohort, ctx, out: Drafted, ns=None
) -> dict | None:
    used: set = set()
    groups = []
    for lab in labels:
        n = group_n(lab) or (int((ns or {})[lab]) if (ns or {}).get(lab) else None)
        groups.append({"id": _group_id(lab, used), "label": lab, "n": n})
    gids = [g["id"] for g in groups]
    rows: list[dict] = []
    where_t = raw.label + (f" ({cohort})" if cohort else "")
    open_var = None  # (row dict) of a variable whose levels follow
    skipped = []
    for label, kind, gv_all, pv_all, stat in parsed:
        gv = [gv_all[k] for k in gidx]
        pv = [pv_all[k] for k in pidx if k < len(pv_all)]
        p = next((x for x in pv if not is_empty(x)), None)
        clean = clean_label(label)
        if kind is None:  # a variable heading (its p, if any, on this line)
            if not clean:
                continue
            open_var = {
                "variable": clean,
                "kind": "categorical",
                "levels": [],
                "where": f"{where_t}, {clean}",
            }
            if p:
                open_var["p"] = p
            if stat:
                open_var["statistic"] = stat
            rows.append(open_var)
            continue
        if kind == "count":
            if open_var is not None and p and "p" in open_var and len(open_var["levels"]) >= 2:
                # a second p under one heading: a second variable (another grouping of the same characteristic)
                head_name = open_var.get("_heading", open_var["variable"])
                open_var["_split"] = (
                    "first"  # the first grouping: named only by a word its levels share
                )
                open_var = {
                    "variable": head_name,
                    "_heading": head_name,
                    "_split": True,
                    "kind": "categorical",
                    "levels": [],
                    "where": f"{where_t}, {head_name}",
                    "p": p,
                }
                rows.append(open_var)
            if open_var is not None:
                open_var["levels"].append(
                    {
                        "level": label.strip(),
                        "cells": dict(zip(gids, (plain_count(c).strip() for c in gv))),
                    }
                )
                if p and "p" not in open_var:
                    open_var["p"] = p
                if stat and "statistic" not in open_var:
                    open_var["statistic"] = stat
                continue
            skipped.append(clean)
            continue
        open_var = None
        if kind == "mixed":
            skipped.append(clean)
            continue
        row = {
            "variable": clean,
            "kind": kind,
            "cells": dict(zip(gids, (plain_count(c).strip() for c in gv))),
            "where": f"{where_t}, {clean}",
        }
        if p:
            row["p"] = p
        if stat:
            row["statistic"] = stat
        if any(is_empty(c) for c in row["cells"].values()):
            skipped.append(clean)
            continue
        rows.append(row)
    for r in rows:  # a later grouping under one heading is named by its levels: 'Heading (a/b)'
        r.pop("_heading", None)
        split = r.pop("_split", False)
        name = _grouping_name([lv["level"] for lv in r["levels"]]) if split else ""
        if split == "first" and "/" in name:
            continue
        if split:
            r["variable"] = f"{r['variable']} ({name})"
            r["where"] = f"{where_t}, {r['variable']}"
            out.review.append(
                {
                    "item": r["where"],
                    "what": "a second variable under one heading",
                    "why": "a second p-value under the same heading starts another grouping of its levels",
                }
            )
    # keep categorical variables with >= 2 complete levels
    kept = []
    for r in rows:
        if r["kind"] == "categorical":
            lv = [x for x in r["levels"] if all(not is_empty(c) for c in x["cells"].values())]
            if len(lv) < 2:
                if r["levels"] or r.get("p"):
                    skipped.append(r["variable"])
                continue
            r["levels"] = lv
        kept.append(r)
    keys = set()
    rows = []
    for r in kept:
        k = slug(r["variable"])
        if k in keys:
            skipped.append(r["variable"])
            continue
        keys.add(k)
        rows.append(r)
    if not rows:
        out.review.append(
            {
                "item": where_t,
                "what": "not drafted",
                "why": "no row could be read as counts or summaries",
            }
        )
        return None
    if not pidx:  # the table prints no p column: no p (null), not a p the drafter missed
        for r in rows:
            r.setdefault("p", None)
    for (
        g
    ) in groups:  # a group without a printed n: the sum of the first categorical variable's counts
        if g["n"] is None:
            first = next((r for r in rows if r["kind"] == "categorical"), None)
            total = (
                sum(int(re.match(r"\d+", lv["cells"][g["id"]]).group(0)) for lv in first["levels"])
                if first
                else 0
            )
            g["n"] = total or 1
            out.review.append(
                {
                    "item": f"{where_t}, group {g['label']!r}",
                    "what": f"n = {g['n']}",
                    "why": "the header prints no n; assumed the sum of the first categorical variable's counts"
                    if first
                    else "the header prints no n and no counts give it; set the group size",
                }
            )
    total = next(
        (g for g in groups if re.match(r"(?i)\s*(all|total|overall)\b", g["label"]) and g["n"]),
        None,
    )
    others = [g for g in groups if g is not total]
    if (
        total is not None
        and len(others) >= 2
        and all(g["n"] for g in others)
        and total["n"] == sum(g["n"] for g in others)
    ):
        groups = others  # a total column is the sum of the compared groups, not a group of its own
        for r in rows:
            for holder in ([r] if "cells" in r else []) + r.get("levels", []):
                holder.get("cells", {}).pop(total["id"], None)
        out.review.append(
            {
                "item": f"{where_t}, {total['label']!r}",
                "what": "total column left out of the groups",
                "why": f"its n ({total['n']}) is the sum of the other groups'; the test compares those",
            }
        )
        table_total = total
    else:
        table_total = None
    table = {"id": tid, "title": raw.caption or raw.label, "where": where_t}
    if table_total is not None:
        table["_total"] = table_total["label"]
    if cohort:
        table["cohort_label"] = cohort
    table["unit"] = "patient"
    table["groups"] = groups
    foot = " ".join(raw.footnotes)
    if foot:
        table["footnote"] = foot
    table["rows"] = rows
    if skipped:
        out.review.append(
            {
                "item": where_t,
                "what": "rows not drafted: " + ", ".join(dict.fromkeys(skipped)),
                "why": "a count row without a variable heading, an incomplete row or a mixed row",
            }
        )
    _percent_basis(table, out)
    return table


def _grouping_name(levels: list[str]) -> str:
    """What a grouping of levels is about: the last word all its levels share (``Left kidney``, ``Right kidney`` ->
    ``kidney``), else the levels joined (``yes/no``)."""
    words = [lv.strip().lower().split() for lv in levels]
    if len(words) >= 2 and all(len(w) >= 2 for w in words) and len({w[-1] for w in words}) == 1:
        return words[0][-1]
    return "/".join(lv.strip().lower() for lv in levels)


def _percent_basis(table: dict, out: Drafted) -> None:
    """Column percentages (each group's levels sum to 100) or row percentages (each level's groups sum to 100)."""
    col = row = 0
    for r in table["rows"]:
        if r["kind"] != "categorical":
            continue
        pct = {}
        for lv in r["levels"]:
            for gid, c in lv["cells"].items():
                m = re.search(r"\(\s*(" + NUM + r")", c)
                if m:
                    pct.setdefault(gid, []).append(float(m.group(1)))
        if pct and all(abs(sum(v) - 100) < 1.5 for v in pct.values()):
            col += 1
        elif len(table["groups"]) > 1 and all(
            abs(
                sum(
                    float(m.group(1))
                    for c in lv["cells"].values()
                    if (m := re.search(r"\(\s*(" + NUM + r")", c))
                )
                - 100
            )
            < 1.5
            for lv in r["levels"]
        ):
            row += 1
    if row > col:
        table["percent_of"] = "row"
        out.review.append(
            {
                "item": table["where"],
                "what": "percentages read as row percentages",
                "why": f"the percentages of {row} variable(s) sum to 100 across the groups of each level",
            }
        )


# ----------------------------------------------------------------------------- regression tables
def _column_spans(head, ncol: int) -> list[tuple[str, list[int]]]:
    """Spanning header cells over the value columns (a flattened colspan: a label followed by empty cells), when a
    header row has two or more of them, each over two or more columns and a row below names those columns:
    ``[(label, [columns])]``; else []."""
    for i, r in enumerate(head[:-1]):
        starts = [j for j in range(1, ncol) if r[j].strip()]
        if len(starts) < 2:
            continue
        spans = [(r[a].strip(), list(range(a, b))) for a, b in zip(starts, starts[1:] + [ncol])]
        if starts[0] > 1 and any(
            any(x[j].strip() for x in head[i + 1 :]) for j in range(1, starts[0])
        ):
            return []  # columns before the first span that carry their own header: not a split by spans
        if any(_UNI.search(lab) or _MULTI.search(lab) for lab, _ in spans):
            return []  # 'Univariable analysis | Multivariable analysis': the blocks of one model, not several models
        if all(len(cols) >= 2 for _, cols in spans) and all(
            any(x[j].strip() for x in head[i + 1 :]) for _, cols in spans for j in cols
        ):
            return spans
    return []


def _blocks(header_text: str, caption: str, n_est: int) -> list[str]:
    u, m = _UNI.search(header_text), _MULTI.search(header_text)
    if u and m:
        return (
            ["univariable", "multivariable"]
            if u.start() < m.start()
            else ["multivariable", "univariable"]
        )
    if m or (_MULTI.search(caption) and not _UNI.search(caption)):
        return ["multivariable"] * max(n_est, 1)
    if u or (_UNI.search(caption) and not _MULTI.search(caption)):
        return ["univariable"] * max(n_est, 1)
    if _UNI.search(caption) and _MULTI.search(caption):
        return ["univariable", "multivariable"]
    return ["univariable"] * max(n_est, 1)


def _estimates(cells: list[str]) -> tuple[list[dict], bool]:
    """Estimates in a row's value cells, in order: {'estimate_ci', 'p'}; and whether a reference mark is there."""
    found, ref = [], False
    j = 0
    while j < len(cells):
        c = cells[j].strip()
        if is_reference(c) or re.match(r"(?i)^ref(erence)?\b", c) or re.fullmatch(r"1(?:\.0+)?", c):
            ref = True  # 'Reference', 'Ref.', or a bare 1.00 where the other levels print an estimate with its CI
        m = ESTIMATE_CI.search(c)
        est = None
        if m:
            est = c[m.start() : m.end()]
        elif (
            re.fullmatch(NUM, c)
            and j + 1 < len(cells)
            and (
                mm := re.fullmatch(
                    "(" + NUM + r")\s*(?:–|—|-|‐|to|~|,)\s*(" + NUM + ")", cells[j + 1].strip()
                )
            )
        ):
            est = f"{c} ({mm.group(1)}–{mm.group(2)})"  # estimate and CI columns joined; the numbers as printed
            j += 1
        if est is not None:
            p = None
            if j + 1 < len(cells):
                nxt = cells[j + 1].strip()
                if (
                    nxt
                    and not is_empty(nxt)
                    and not ESTIMATE_CI.search(nxt)
                    and not is_reference(nxt)
                ):
                    p = nxt
                    j += 1
            item = {"estimate_ci": est}
            if p is not None:
                item["p"] = p
            found.append(item)
        j += 1
    return found, ref


def _regression(
    raw: RawTable, head, body, header_text, review, caption: str | None = None
) -> dict | None:
    max_est = max((len(_estimates(r[1:])[0]) for r in body), default=0)
    blocks = _blocks(header_text, raw.caption if caption is None else caption, max_est)
    parsed = []  # (label, level or None, estimates, ref)
    for r in body:
        label = r[0].strip()
        rest = r[1:]
        level = None
        if rest and rest[0] and not _is_value(rest[0]) and not re.match(r"(?i)^ref", rest[0]):
            if label:
                level = rest[0].strip()
            else:
                label = rest[0].strip()
            rest = rest[1:]
        ests, ref = _estimates(rest)
        indented = r[0][:1].isspace() if r[0] else False
        parsed.append([label, level, ests, ref, indented])
    # a reference cell that also carries the next level's estimates (a spanned cell flattened into one row)
    for k, item in enumerate(parsed):
        if (
            item[3]
            and item[2]
            and k + 1 < len(parsed)
            and not parsed[k + 1][2]
            and not parsed[k + 1][3]
        ):
            parsed[k + 1][2], item[2] = item[2], []
    rows: list[dict] = []
    current = None
    tname = raw.label
    for label, level, ests, ref, _ind in parsed:
        if not label and not level:
            continue
        if level is not None:  # variable and its first level on one line
            current = {
                "variable": clean_label(label),
                "levels": [],
                "where": f"{tname}, {clean_label(label)}",
            }
            rows.append(current)
            label = level
        if not ests and not ref:
            has_ref = current is not None and any(lv.get("reference") for lv in current["levels"])
            # the level the reference row's estimates belong to
            if has_ref and level is None and _awaiting(current):
                current["levels"].append({"level": label})
                continue
            current = {
                "variable": clean_label(label),
                "levels": [],
                "where": f"{tname}, {clean_label(label)}",
            }
            rows.append(current)
            continue
        entry: dict = {"level": label}
        if ref and not ests:
            entry["reference"] = True
        for b, e in zip(blocks, ests):
            entry.setdefault(b, e)
        if current is not None and (
            level is not None or entry.get("reference") or _awaiting(current) or current["levels"]
        ):
            if not entry.get("reference") and not ests:
                continue
            current["levels"].append(entry)
            continue
        row = {"variable": clean_label(label), "where": f"{tname}, {clean_label(label)}"}
        for b, e in zip(blocks, ests):
            row.setdefault(b, e)
        rows.append(row)
        current = None
    final = []
    for r in rows:
        if "levels" not in r:
            final.append(r)
            continue
        lv = [
            x
            for x in r["levels"]
            if x.get("reference") or "univariable" in x or "multivariable" in x
        ]
        refs = [x for x in lv if x.get("reference")]
        est = [x for x in lv if not x.get("reference")]
        if len(refs) == 1 and est:
            r["levels"] = lv
            final.append(r)
        elif est and not refs and len(est) == 1:
            final.append(
                {
                    "variable": r["variable"]
                    if est[0]["level"] == r["variable"]
                    else f"{r['variable']}: {est[0]['level']}",
                    "where": r["where"],
                    **{k: v for k, v in est[0].items() if k != "level"},
                }
            )
        elif est:
            review.append(
                {
                    "item": r["where"],
                    "what": "levels not drafted",
                    "why": f"{len(refs)} reference rows for {len(est)} estimates; mark one level 'reference' by hand",
                }
            )
    holders = [x for r in final for x in [r] + r.get("levels", [])]
    if not any(
        "p" in x[b]
        for x in holders
        for b in ("univariable", "multivariable")
        if isinstance(x.get(b), dict)
    ):
        for x in holders:  # no p column: the p is not printed (null), not forgotten
            for b in ("univariable", "multivariable"):
                if isinstance(x.get(b), dict):
                    x[b]["p"] = None
    names = set()
    uniq = []
    for r in final:
        k = slug(r["variable"])
        if k in names:
            continue
        names.add(k)
        uniq.append(r)
    if not uniq:
        review.append(
            {
                "item": tname,
                "what": "not drafted",
                "why": "no estimate with a confidence interval was read",
            }
        )
        return None
    text = (header_text + " " + raw.caption + " " + (caption or "")).lower()
    kind = (
        "hazard ratio"
        if re.search(r"\bhr\b|hazard", text)
        else "odds ratio"
        if re.search(r"\bor\b|odds", text)
        else "coefficient"
        if re.search(r"β|beta|coefficient", text)
        else "odds ratio"
    )
    reg = {
        "id": re.sub(r"[^a-z0-9]+", "", tname.lower()),
        "title": raw.caption or tname,
        "where": tname,
        "estimate": kind,
        "rows": uniq,
    }
    used = {
        b for x in holders for b in ("univariable", "multivariable") if isinstance(x.get(b), dict)
    }
    if used == {"univariable"}:
        reg["kind"] = "univariable"
    elif used == {"multivariable"}:
        reg["kind"] = "final" if re.search(r"(?i)\bfinal\b", text) else "multivariable"
    header_n = [c for r in head for c in r if group_n(c)]
    if header_n:  # outcome groups with their n over the estimate columns: stated counts
        reg["_header_n"] = header_n
    if len(set(blocks)) == 1 and max_est > 1:
        review.append(
            {
                "item": tname,
                "what": f"all estimate columns read as {blocks[0]}",
                "why": "the header does not say which columns are univariable and which multivariable",
            }
        )
    mark = _mark(raw.footnotes)
    if mark:
        reg["significance_mark"] = mark
    multi = [
        r["variable"]
        for r in uniq
        if "multivariable" in r or any("multivariable" in x for x in r.get("levels", []))
    ]
    if multi:
        reg["final_model"] = {
            "variables": multi,
            "where": f"{tname}: the rows with a multivariable estimate",
        }
        review.append(
            {
                "item": f"{tname}, final model",
                "what": ", ".join(multi),
                "why": "assumed the final model is every row with a multivariable estimate",
            }
        )
    return reg


def _awaiting(current: dict) -> bool:
    return not current.get("levels") or not any(
        not x.get("reference") and len(x) > 1 for x in current["levels"]
    )


def _mark(footnotes: list[str]) -> dict | None:
    for f in footnotes:
        s = re.sub(r"\*([A-Za-z])\*", r"\1", f)
        m = re.search(r"(^|\s)([*†‡#]+|[a-z])\s*[Pp]\s*(?:-?value)?\s*[<≤]\s*(0?\.\d+)", s)
        if m:
            return {
                "mark": m.group(2),
                "threshold": float(m.group(3)),
                "where": f"footnote: {f.strip()[:80]!r}",
            }
    return None


# ----------------------------------------------------------------------------- model-performance tables
_METRICS = [
    ("auc", r"\bAUC\b|\bAUROC\b|C[- ]?index|C[- ]?statistic|area under"),
    ("sensitivity", r"sensitivity|\bSEN\b"),
    ("specificity", r"specificity|\bSPE\b"),
    ("accuracy", r"accuracy|\bACC\b"),
    ("ppv", r"\bPPV\b|positive predictive"),
    ("npv", r"\bNPV\b|negative predictive"),
]
_VALUE_CI = re.compile(
    r"\s*("
    + NUM
    + r")\s*%?\s*(?:[(\[]\s*(?:95\s*%\s*CI\s*[:,]?\s*)?("
    + NUM
    + r")\s*%?(\s*(?:–|—|-|‐|to|~|,)\s*)("
    + NUM
    + r")\s*%?\s*[)\]])?\s*"
)


def _performance(raw: RawTable, head, body, out: Drafted) -> None:
    """AUCs (with CIs) and accuracies per model and cohort from a table of model performance."""
    ncol = len(body[0]) if body else 0
    metric, col_cohort = {}, {}
    spans = [m.group(0) for r in head for c in r for m in [COHORT_WORDS.search(c)] if m]
    filled = []  # a spanning header cell covers the empty cells to its right (a flattened colspan)
    for r in head:
        row, last = [], ""
        for j, c in enumerate(r):
            last = c if c.strip() else (last if j > 0 else "")
            row.append(last)
        filled.append(row)
    span_cols = []
    for j in range(1, ncol):
        htxt = " ".join(r[j] for r in head)
        ftxt = " ".join(r[j] for r in filled)
        for name, rx in _METRICS:
            if re.search(rx, htxt, flags=re.I):
                metric[j] = name
                break
        m = COHORT_WORDS.search(ftxt)
        if m:
            col_cohort[j] = m.group(0)
        if j in metric:
            span_cols.append(j)
    if spans and not col_cohort and span_cols and len(span_cols) % len(spans) == 0:
        k = len(span_cols) // len(spans)
        col_cohort = {j: spans[i // k] for i, j in enumerate(span_cols)}
    if "auc" not in metric.values():
        out.review.append(
            {
                "item": raw.label,
                "what": "a model-performance table without an AUC column",
                "why": "its accuracies are drafted from the running text only",
            }
        )
        return
    heading_cohort = None
    for r in body:
        label = r[0].strip()
        if not any(r[j].strip() for j in metric):
            m = COHORT_WORDS.search(label)
            heading_cohort = m.group(0) if m else heading_cohort
            continue
        m = COHORT_WORDS.search(label)
        row_cohort = m.group(0) if m else heading_cohort
        model = re.sub(r"\s+", " ", label) or "model"
        diag: dict[str, dict] = {}
        for j, name in metric.items():
            cell = r[j].strip()
            v = _VALUE_CI.fullmatch(cell)
            if not v:
                continue
            cohort = col_cohort.get(j) or row_cohort
            where = f"{raw.label}, {label}, {' '.join(x[j] for x in head).strip()}"
            if name == "auc":
                item = {"model": model, "kind": "apparent", "estimate": v.group(1), "where": where}
                if v.group(2):
                    item["ci"] = v.group(2) + v.group(3) + v.group(4)
                if cohort:
                    item["_cohort_label"] = cohort
                out.aucs.append(item)
            else:
                d = diag.setdefault(
                    cohort or "", {"model": model, "where": f"{raw.label}, {label}"}
                )
                d[name] = v.group(1)
                if cohort:
                    d["_cohort_label"] = cohort
        for d in diag.values():
            vals = [
                float(d[k])
                for k in ("sensitivity", "specificity", "accuracy", "ppv", "npv")
                if k in d
            ]
            if vals and all(x <= 1 for x in vals):
                d["scale"] = "proportion"
            out.diagnostics.append(d)
    out.review.append(
        {
            "item": raw.label,
            "what": "AUCs and accuracies read from a model-performance table",
            "why": "the model is the row label, the cohort the column or row heading that names one",
        }
    )
