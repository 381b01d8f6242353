"""Arithmetic checks: percentages against counts, categories against group sizes, GRIM."""

from __future__ import annotations

from nenaudit.audit.findings import Finding
from nenaudit.stats.consistency import grim, percent_of
from nenaudit.study.schema import Study, _key

__all__ = ["check_percentages", "check_category_sums", "check_grim", "check_text_values",
    "check_quartile_order"]


def check_percentages(study: Study) -> list[Finding]:
    """Every printed percentage against its count and the group size, at the printed precision."""
    out = []
    for t in study.tables:
        for row in t.rows:
            for lv in row.levels:
                for g in t.groups:
                    cell = lv.cells[g.id]
                    pct = percent_of(cell.count, g.n)
                    ok = cell.percent.agrees(pct)
                    out.append(Finding(
                        id=f"arith.percent:{t.id}:{row.variable}:{lv.level}:{g.id}",
                        check="arithmetic",
                        where=t.where(row, lv, g),
                        claim=f"{cell.count} of {g.n} is {cell.percent.raw}%",
                        published=cell.percent.raw,
                        recomputed=round(pct, 6),
                        verdict="consistent" if ok else "inconsistent",
                        detail=(f"100 x {cell.count}/{g.n} = {pct:.4f}"
                                + ("" if ok else f"; printed {cell.percent.raw} is outside its rounding interval "
                                   f"±{cell.percent.half_unit:g}")),
                    ))
    return out


def check_category_sums(study: Study) -> list[Finding]:
    """The categories of each categorical variable sum to the group size."""
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.kind != "categorical":
                continue
            for g in t.groups:
                total = sum(lv.cells[g.id].count for lv in row.levels)
                pct_total = sum(lv.cells[g.id].percent.value for lv in row.levels)
                ok = total == g.n
                out.append(Finding(
                    id=f"arith.sum:{t.id}:{row.variable}:{g.id}",
                    check="arithmetic",
                    where=t.where(row, None, g),
                    claim=f"the {len(row.levels)} categories of {row.variable} make up the group of {g.n}",
                    published=g.n,
                    recomputed=total,
                    verdict="consistent" if ok else "inconsistent",
                    detail=f"counts sum to {total} (percentages to {pct_total:.2f})"
                    + ("" if ok else f"; {g.n - total:+d} {t.unit}s unaccounted for"),
                ))
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
                    out.append(Finding(
                        id=f"arith.grim:{t.id}:{row.variable}:{g.id}",
                        check="arithmetic",
                        where=t.where(row, None, g),
                        claim=f"a mean of {m.raw} from {g.n} integer values",
                        published=m.raw,
                        recomputed=None,
                        verdict="note",
                        detail=(f"GRIM skipped: with n = {g.n} >= 10^{m.decimals} every mean printed to "
                                f"{m.decimals} decimal(s) is attainable; GRIM can only detect an impossible mean "
                                "when n < 10^decimals (Brown & Heathers 2017, e.g. n < 100 for two decimals)"),
                    ))
                    continue
                out.append(Finding(
                    id=f"arith.grim:{t.id}:{row.variable}:{g.id}",
                    check="arithmetic",
                    where=t.where(row, None, g),
                    claim=f"a mean of {m.raw} from {g.n} integer values",
                    published=m.raw,
                    recomputed=list(res.nearest_means),
                    verdict="consistent" if res.consistent else "inconsistent",
                    detail=("GRIM: totals " + ", ".join(str(x) for x in res.nearest_totals)
                            + f" / {g.n} round to {m.raw}" if res.consistent else
                            f"GRIM: no integer total divided by {g.n} rounds to {m.raw}; nearest means "
                            + ", ".join(f"{x:.{m.decimals + 2}f}" for x in res.nearest_means)),
                ))
    return out


def _cell_value(study: Study, ref: str) -> tuple[float, str]:
    """Resolve ``table/variable/level/group/field`` or ``table/variable/group/field``."""
    parts = ref.split("/")
    t = study.table(parts[0])
    row = t.row(parts[1])
    if row is None:
        raise KeyError(ref)
    if row.kind == "categorical":
        lv = next(level for level in row.levels if _key(level.level) == _key(parts[2]))
        cell = lv.cells[parts[3]]
        fieldname = parts[4]
        val = cell.count if fieldname == "count" else cell.percent.value
        return float(val), t.where(row, lv, t.group(parts[3]))
    cell = row.cells[parts[2]]
    return float(getattr(cell, parts[3]).value), t.where(row, None, t.group(parts[2]))


def check_text_values(study: Study) -> list[Finding]:
    """Numbers repeated in the text against the table cell they repeat."""
    out = []
    for i, tv in enumerate(study.text_values):
        try:
            val, cell_where = _cell_value(study, tv.cell)
        except (KeyError, StopIteration):
            out.append(Finding(f"arith.text:{i}", "arithmetic", tv.where, tv.quote, tv.printed.raw, None,
                               "not-reproducible", f"the cell {tv.cell!r} is not in the tables"))
            continue
        ok = tv.printed.agrees(val)
        out.append(Finding(
            id=f"arith.text:{i}:{tv.cell}",
            check="arithmetic",
            where=tv.where,
            claim=tv.quote,
            published=tv.printed.raw,
            recomputed=val,
            verdict="consistent" if ok else "inconsistent",
            detail=f"{cell_where} prints {val:g}; the text's {tv.printed.raw} "
            + ("is that value at the text's precision" if ok else "does not round from it"),
        ))
    return out


def check_quartile_order(study: Study) -> list[Finding]:
    """Median [Q1, Q3] cells must satisfy Q1 <= median <= Q3."""
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.kind != "median_iqr":
                continue
            for g in t.groups:
                c = row.cells[g.id]
                ok = c.q1.value <= c.median.value <= c.q3.value
                out.append(Finding(
                    id=f"arith.quartiles:{t.id}:{row.variable}:{g.id}",
                    check="arithmetic",
                    where=t.where(row, None, g),
                    claim=f"median {c.median.raw} lies within its quartiles [{c.q1.raw}, {c.q3.raw}]",
                    published=f"{c.median.raw} [{c.q1.raw}, {c.q3.raw}]",
                    recomputed=ok,
                    verdict="consistent" if ok else "inconsistent",
                    detail="Q1 <= median <= Q3" if ok else "the median lies outside its own IQR",
                ))
    return out


CHECKS = [check_percentages, check_category_sums, check_grim, check_text_values, check_quartile_order]
