"""Arithmetic checks: percentages against counts, categories against group sizes, GRIM."""

from __future__ import annotations

import math

import numpy as np

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.stats.consistency import DENOMINATORS, grim, percent_of, percent_table
from nenaudit.study.schema import MedianRange, Printed, Row, Study, Table, label_key

__all__ = [
    "check_percentages",
    "check_category_sums",
    "check_typesetting",
    "check_grim",
    "check_text_values",
    "check_quartile_order",
]


_DEN_WORDS = {
    "column": "the group size (column percentages)",
    "row": "the row total across groups (row percentages)",
    "total": "the table total (percentages of all patients)",
}


def _cell_percents(t: Table, row: Row, how: str) -> dict[tuple[str, str], tuple[float, int]]:
    """``(level, group) -> (percent, denominator)`` for the cells of a categorical row under one reading;
    a printed ``n/N`` keeps its own N whatever the reading."""
    m = np.array([[lv.cells[g.id].count for g in t.groups] for lv in row.levels], dtype=float)
    sizes = [g.n for g in t.groups]
    pct = percent_table(m, how, column_sizes=sizes)
    dens = {
        "column": lambda i, j: sizes[j],
        "row": lambda i, j: int(m[i].sum()),
        "total": lambda i, j: sum(sizes),
    }[how]
    out = {}
    for i, lv in enumerate(row.levels):
        for j, g in enumerate(t.groups):
            cell = lv.cells[g.id]
            if cell.denominator is not None:
                out[(lv.level, g.id)] = (
                    percent_of(cell.count, cell.denominator) if cell.denominator else math.nan,
                    cell.denominator,
                )
            else:
                out[(lv.level, g.id)] = (float(pct[i, j]), dens(i, j))
    return out


def _misses(t: Table, rows: list[Row], how: str) -> int:
    n = 0
    for row in rows:
        got = _cell_percents(t, row, how)
        for lv in row.levels:
            for g in t.groups:
                pr = lv.cells[g.id].percent
                if pr is not None and not (
                    math.isfinite(got[(lv.level, g.id)][0]) and pr.agrees(got[(lv.level, g.id)][0])
                ):
                    n += 1
    return n


def check_percentages(study: Study) -> list[Finding]:
    """Every printed percentage against its count and denominator, at the printed precision.

    The denominator is the table's (or the row's) ``percent_of``: the group size (column, the
    default), the row's total across groups (row) or the table total; a printed ``n/N`` always
    uses its N. When the printed percentages of the rows that follow the table's reading miss
    under it, the other readings are tried: if one explains more cells, the table is read that
    way and ONE note says so; only the cells misrounded under the reading used are flagged.
    Count-only cells have nothing to check.
    """
    out = []
    for t in study.tables:
        cat_rows = [r for r in t.rows if r.kind == "categorical"]
        inherit = [r for r in cat_rows if r.percent_of is None]
        how_table = t.percent_of
        n_cells = sum(
            lv.cells[g.id].percent is not None for r in inherit for lv in r.levels for g in t.groups
        )
        miss = {how_table: _misses(t, inherit, how_table)} if inherit else {}
        if miss and miss[how_table]:
            for alt in DENOMINATORS:
                if alt != how_table:
                    miss[alt] = _misses(t, inherit, alt)
            best = min(miss, key=lambda k: (miss[k], k != how_table, DENOMINATORS.index(k)))
            if best != how_table:
                also = [k for k in miss if k not in (best, how_table) and miss[k] == miss[best]]
                out.append(
                    Finding(
                        id=f"arith.percent_of:{t.id}",
                        check="arithmetic",
                        where=t.label,
                        claim=f"the printed percentages of {t.label} divide by {_DEN_WORDS[how_table].split(' (')[0]}"
                        + ("" if t.percent_of != "column" else " (the default reading)"),
                        published=how_table,
                        recomputed={k: n_cells - v for k, v in miss.items()},
                        verdict="note",
                        detail=(
                            f"{n_cells - miss[best]} of {n_cells} printed percentages agree with {_DEN_WORDS[best]}, "
                            f"{n_cells - miss[how_table]} with {_DEN_WORDS[how_table]}: "
                            f"the paper prints {best} percentages"
                            + (f" (the {', '.join(also)} reading fits as well)" if also else "")
                            + f"; the cells are checked as {best} percentages"
                            + (
                                f" and {miss[best]} of them are misrounded"
                                if miss[best]
                                else ", and all agree"
                            )
                            + f' (write "percent_of": "{best}" on the table to say so)'
                        ),
                    )
                )
                how_table = best
        for row in cat_rows:
            how = row.percent_of or how_table
            got = _cell_percents(t, row, how)
            for lv in row.levels:
                for g in t.groups:
                    cell = lv.cells[g.id]
                    if cell.percent is None:
                        continue
                    pct, den = got[(lv.level, g.id)]
                    if not den:
                        continue
                    ok = cell.percent.agrees(pct)
                    kind = (
                        ""
                        if cell.denominator is not None or how == "column"
                        else f" ({how} percentage)"
                    )
                    where = t.where(row, lv, g)
                    out.append(
                        Finding(
                            id=f"arith.percent:{t.id}:{row.variable}:{lv.level}:{g.id}",
                            check="arithmetic",
                            where=where,
                            claim=f"{cell.count} of {den} is {cell.percent.raw}%{kind}",
                            published=cell.percent.raw,
                            recomputed=round(pct, 6),
                            verdict="consistent" if ok else "inconsistent",
                            detail=(
                                f"100 x {cell.count}/{den} = {pct:.4f}"
                                + (
                                    ""
                                    if ok
                                    else f"; printed {cell.percent.raw} is outside its rounding interval "
                                    f"±{cell.percent.half_unit:g}"
                                )
                            ),
                            compared=compared(
                                ("printed percentage", cell.percent.raw, where),
                                (f"100 x {cell.count}/{den}", pct, RECOMPUTED),
                            ),
                        )
                    )
    return out


def check_category_sums(study: Study) -> list[Finding]:
    """The categories of each categorical variable sum to the group size."""
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.kind != "categorical":
                continue
            for g in t.groups:
                cells = [lv.cells[g.id] for lv in row.levels]
                total = sum(c.count for c in cells)
                dens = {c.denominator for c in cells if c.denominator is not None}
                target = (
                    dens.pop()
                    if len(dens) == 1 and all(c.denominator is not None for c in cells)
                    else g.n
                )
                pcts = [c.percent.value for c in cells if c.percent is not None]
                ok = total == target
                missing = g.n - target
                out.append(
                    Finding(
                        id=f"arith.sum:{t.id}:{row.variable}:{g.id}",
                        check="arithmetic",
                        where=t.where(row, None, g),
                        claim=f"the {len(row.levels)} categories of {row.variable} make up the group of {g.n}"
                        + (
                            f" less {missing} with the value missing (n/N cells)" if missing else ""
                        ),
                        published=target,
                        recomputed=total,
                        verdict="consistent" if ok else "inconsistent",
                        compared=compared(
                            (
                                "group size" if target == g.n else "printed N of the n/N cells",
                                target,
                                f"{t.label}, {g.label} header",
                            ),
                            ("sum of the category counts", total, RECOMPUTED),
                        ),
                        detail=f"counts sum to {total}"
                        + (f" (percentages to {sum(pcts):.2f})" if len(pcts) == len(cells) else "")
                        + ("" if ok else f"; {target - total:+d} {t.unit}s unaccounted for"),
                    )
                )
    return out


def check_grim(study: Study) -> list[Finding]:
    """GRIM for every mean of integer-valued data (rows flagged ``integer_valued``) and text means."""
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.kind != "mean_sd" or not row.integer_valued:
                continue
            for g in t.groups:
                m = row.cells[g.id].mean
                res = grim(m.value, m.decimals, g.n)
                if not res.applicable:
                    out.append(
                        Finding(
                            id=f"arith.grim:{t.id}:{row.variable}:{g.id}",
                            check="arithmetic",
                            where=t.where(row, None, g),
                            claim=f"a mean of {m.raw} from {g.n} integer values",
                            published=m.raw,
                            recomputed=None,
                            verdict="note",
                            detail=(
                                f"GRIM skipped: with n = {g.n} >= 10^{m.decimals} every mean printed to "
                                f"{m.decimals} decimal(s) is attainable; GRIM can only detect an impossible mean "
                                "when n < 10^decimals (Brown & Heathers 2017, e.g. n < 100 for two decimals)"
                            ),
                        )
                    )
                    continue
                out.append(
                    Finding(
                        id=f"arith.grim:{t.id}:{row.variable}:{g.id}",
                        check="arithmetic",
                        where=t.where(row, None, g),
                        claim=f"a mean of {m.raw} from {g.n} integer values",
                        published=m.raw,
                        recomputed=list(res.nearest_means),
                        verdict="consistent" if res.consistent else "inconsistent",
                        compared=compared(
                            ("printed mean", m.raw, t.where(row, None, g)),
                            (
                                "means attainable with n = " + str(g.n),
                                list(res.nearest_means),
                                RECOMPUTED,
                            ),
                        ),
                        detail=(
                            "GRIM: totals "
                            + ", ".join(str(x) for x in res.nearest_totals)
                            + f" / {g.n} round to {m.raw}"
                            if res.consistent
                            else f"GRIM: no integer total divided by {g.n} rounds to {m.raw}; nearest means "
                            + ", ".join(f"{x:.{m.decimals + 2}f}" for x in res.nearest_means)
                        ),
                    )
                )
    return out


_REG_FIELDS = ("estimate", "lo", "hi", "p")


def _cell_value(study: Study, ref: str) -> tuple[float, str, Printed | None]:
    """Resolve a text value's twin: its value, where it is printed and (if a printed value) its Printed.

    ``table/variable/level/group/count|percent``, ``table/variable/group/mean|sd|median|q1|q3|lo|hi``,
    ``regression/variable[/level]/univariable|multivariable/estimate|lo|hi|p``, ``auc/index/estimate|lo|hi``.
    """
    parts = ref.split("/")
    reg = next((r for r in study.regressions if r.id == parts[0]), study.regression)
    if parts[0] == "auc":
        a = study.auc[int(parts[1])]
        pr = {
            "estimate": a.estimate,
            "lo": a.ci.lo if a.ci else None,
            "hi": a.ci.hi if a.ci else None,
        }[parts[2]]
        if pr is None:
            raise KeyError(ref)
        return float(pr.value), a.where, pr
    if reg is not None and parts[0] in (reg.id, "regression"):
        rr = next(r for r in reg.rows if label_key(r.variable) == label_key(parts[1]))
        if len(parts) == 5:
            host = next(lv for lv in rr.levels if label_key(lv.level) == label_key(parts[2]))
            col, fieldname = parts[3], parts[4]
        else:
            host, col, fieldname = rr, parts[2], parts[3]
        est = getattr(host, col)
        if est is None or fieldname not in _REG_FIELDS:
            raise KeyError(ref)
        pr = {
            "estimate": est.estimate,
            "lo": est.ci.lo if est.ci else None,
            "hi": est.ci.hi if est.ci else None,
            "p": est.p,
        }[fieldname]
        if pr is None or pr.value is None:
            raise KeyError(ref)
        return float(pr.value), est.where, pr
    t = study.table(parts[0])
    row = t.row(parts[1])
    if row is None:
        raise KeyError(ref)
    if row.kind == "categorical":
        lv = next(level for level in row.levels if label_key(level.level) == label_key(parts[2]))
        cell = lv.cells[parts[3]]
        fieldname = parts[4]
        if fieldname == "count":
            return float(cell.count), t.where(row, lv, t.group(parts[3])), None
        if cell.percent is None:
            raise KeyError(ref)
        return float(cell.percent.value), t.where(row, lv, t.group(parts[3])), cell.percent
    cell = row.cells[parts[2]]
    pr = getattr(cell, parts[3])
    return float(pr.value), t.where(row, None, t.group(parts[2])), pr


def check_text_values(study: Study) -> list[Finding]:
    """Numbers repeated in the abstract or text against the table cell, regression row or AUC they repeat.

    The two agree when the text's number rounds from the table's, or the table's from the
    text's (whichever is printed to fewer places); a p printed as ``<0.001`` agrees with any
    twin below 0.001.
    """
    out = []
    for i, tv in enumerate(study.text_values):
        try:
            val, cell_where, twin = _cell_value(study, tv.cell)
        except (KeyError, StopIteration, IndexError, ValueError, AttributeError):
            out.append(
                Finding(
                    f"arith.text:{i}",
                    "arithmetic",
                    tv.where,
                    tv.quote,
                    tv.printed.raw,
                    None,
                    "not-reproducible",
                    f"the cell {tv.cell!r} is not in the tables",
                )
            )
            continue
        ok = tv.printed.agrees(val) or (
            twin is not None
            and twin.comparator == "="
            and tv.printed.comparator == "="
            and twin.agrees(tv.printed.value)
        )
        if twin is not None and twin.comparator == "<" and tv.printed.comparator == "<":
            ok = tv.printed.value == twin.value
        shown = twin.raw if twin is not None else f"{val:g}"
        out.append(
            Finding(
                id=f"arith.text:{i}:{tv.cell}",
                check="arithmetic",
                where=tv.where,
                claim=tv.quote,
                published=tv.printed.raw,
                recomputed=val,
                verdict="consistent" if ok else "inconsistent",
                compared=compared(
                    ("the text's number", tv.printed.raw, tv.where), ("its twin", shown, cell_where)
                ),
                detail=f"{cell_where} prints {shown}; the text's {tv.printed.raw} "
                + ("is that value at the text's precision" if ok else "does not round from it"),
            )
        )
    return out


def check_quartile_order(study: Study) -> list[Finding]:
    """Median [Q1, Q3] cells must satisfy Q1 <= median <= Q3; median (min–max) cells min <= median <= max."""
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.kind not in ("median_iqr", "median_range"):
                continue
            for g in t.groups:
                c = row.cells[g.id]
                if isinstance(c, MedianRange):
                    ok = c.lo.value <= c.median.value <= c.hi.value
                    out.append(
                        Finding(
                            id=f"arith.range:{t.id}:{row.variable}:{g.id}",
                            check="arithmetic",
                            where=t.where(row, None, g),
                            claim=f"median {c.median.raw} lies within its range ({c.lo.raw}-{c.hi.raw})",
                            published=f"{c.median.raw} ({c.lo.raw}-{c.hi.raw})",
                            recomputed=ok,
                            verdict="consistent" if ok else "inconsistent",
                            compared=compared(
                                ("median", c.median.raw, "median"),
                                ("minimum", c.lo.raw, "range"),
                                ("maximum", c.hi.raw, "range"),
                            ),
                            detail="min <= median <= max"
                            if ok
                            else "the median lies outside its own range",
                        )
                    )
                    continue
                ok = c.q1.value <= c.median.value <= c.q3.value
                out.append(
                    Finding(
                        id=f"arith.quartiles:{t.id}:{row.variable}:{g.id}",
                        check="arithmetic",
                        where=t.where(row, None, g),
                        claim=f"median {c.median.raw} lies within its quartiles [{c.q1.raw}, {c.q3.raw}]",
                        published=f"{c.median.raw} [{c.q1.raw}, {c.q3.raw}]",
                        recomputed=ok,
                        verdict="consistent" if ok else "inconsistent",
                        compared=compared(
                            ("median", c.median.raw, "median"),
                            ("Q1", c.q1.raw, "quartiles"),
                            ("Q3", c.q3.raw, "quartiles"),
                        ),
                        detail="Q1 <= median <= Q3"
                        if ok
                        else "the median lies outside its own IQR",
                    )
                )
    return out


def _readings(study: Study):
    """``(id, where, printed text, reading, misprint)`` of every cell or CI that loaded in an unusual form."""
    for t in study.tables:
        for row in t.rows:
            for lv in row.levels:
                for g in t.groups:
                    c = lv.cells[g.id]
                    if c.reading:
                        yield (
                            f"{t.id}:{row.variable}:{lv.level}:{g.id}",
                            t.where(row, lv, g),
                            None,
                            c.reading,
                            c.misprint,
                        )
    for reg in study.regressions:
        for rr in reg.rows:
            for label, col, e in rr.estimates():
                if e.ci is not None and e.ci.reading:
                    yield f"{reg.id}:{label}:{col}", e.where, e.raw, e.ci.reading, e.ci.misprint
    for i, a in enumerate(study.auc):
        if a.ci is not None and a.ci.reading:
            yield (
                f"auc:{i}",
                a.where,
                f"{a.estimate.raw} ({a.ci.lo.raw}-{a.ci.hi.raw})",
                a.ci.reading,
                a.ci.misprint,
            )


def check_typesetting(study: Study) -> list[Finding]:
    """Cells and CIs that load only by reading past a typesetting error (a lost bracket, a number broken
    by a space: inconsistent, the paper prints something that is not a number) or in an unusual but
    readable form (the percent printed before the count: a note stating the reading assumed)."""
    out = []
    for key, where, text, reading, misprint in _readings(study):
        out.append(
            Finding(
                id=f"typesetting:{key}",
                check="arithmetic",
                where=where,
                claim="the number is printed in a readable form",
                published=text or reading,
                recomputed=reading,
                verdict="inconsistent" if misprint else "note",
                detail=("a typesetting error; " if misprint else "an unusual layout; ")
                + reading
                + ("; the audit checks it as read" if misprint else ""),
            )
        )
    return out


CHECKS = [
    check_percentages,
    check_category_sums,
    check_grim,
    check_text_values,
    check_quartile_order,
    check_typesetting,
]
