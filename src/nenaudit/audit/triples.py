"""Consistency of every printed (estimate, CI, p) triple and of significance marks and claims."""

from __future__ import annotations

from nenaudit.audit.findings import Finding
from nenaudit.stats.consistency import implied_p_from_ratio_ci
from nenaudit.study.schema import EstimateCI, Printed, Study

__all__ = ["p_side", "check_malformed_p", "check_ci_vs_p", "check_implied_p", "check_marks",
    "check_significance_claims"]


def _triples(study: Study):
    reg = study.regression
    if reg is None:
        return
    for rr in reg.rows:
        yield from rr.estimates()


def _alpha(study: Study) -> float:
    return float(study.fact("alpha", 0.05))


def p_side(p: Printed, alpha: float) -> str:
    """'below' / 'above' alpha for every value in p's rounding interval, else 'straddles'."""
    if p.comparator == "<":
        return "below" if p.value <= alpha else "straddles"
    lo, hi = p.value - p.half_unit, p.value + p.half_unit
    if hi < alpha:
        return "below"
    if lo >= alpha:
        return "above"
    return "straddles"


def check_malformed_p(study: Study) -> list[Finding]:
    """p-values that are not numbers, impossible (below 0, above 1, ``>1.000``), or printed as exactly 0."""
    out = []
    for var, col, t in _triples(study):
        if t.p is None:
            continue
        if t.p.impossible:
            out.append(Finding(f"p.impossible:{var}:{col}", "estimate-CI-p triples", t.where, f"p = {t.p.raw}",
                               t.p.raw, None, "inconsistent", "a p-value lies in [0, 1]; this one cannot be a p-value"))
        elif t.p.malformed:
            out.append(Finding(f"p.malformed:{var}:{col}", "estimate-CI-p triples", t.where, f"p = {t.p.raw}",
                               t.p.raw, None, "inconsistent", "the printed p-value is not a number (a typesetting error)"))
        elif t.p.value == 0 and t.p.comparator == "=":
            out.append(Finding(f"p.zero:{var}:{col}", "estimate-CI-p triples", t.where, f"p = {t.p.raw}",
                               t.p.raw, None, "inconsistent",
                               "a p-value cannot be 0; it should be printed as an upper bound such as <0.001"))
    for t in study.tables:
        for row in t.rows:
            if row.p is not None and row.p.impossible:
                out.append(Finding(f"p.impossible:{t.id}:{row.variable}", "estimate-CI-p triples",
                                   t.where(row, column="p"), f"p = {row.p.raw}", row.p.raw, None, "inconsistent",
                                   "a p-value lies in [0, 1]; this one cannot be a p-value"))
            elif row.p is not None and row.p.malformed:
                out.append(Finding(f"p.malformed:{t.id}:{row.variable}", "estimate-CI-p triples",
                                   t.where(row, column="p"), f"p = {row.p.raw}", row.p.raw, None, "inconsistent",
                                   "the printed p-value is not a number"))
            elif row.p is not None and row.p.value == 0 and row.p.comparator == "=":
                out.append(Finding(f"p.zero:{t.id}:{row.variable}", "estimate-CI-p triples",
                                   t.where(row, column="p"), f"p = {row.p.raw}", row.p.raw, None, "inconsistent",
                                   "a p-value cannot be 0; it should be printed as an upper bound such as <0.001"))
    return out


def check_ci_vs_p(study: Study) -> list[Finding]:
    """A 95% CI of a ratio excludes 1 exactly when p < alpha (same method assumed)."""
    out, alpha = [], _alpha(study)
    for var, col, t in _triples(study):
        if t.p is None or t.p.value is None or t.p.impossible:
            continue
        excludes = t.ci.lo.value > 1 or t.ci.hi.value < 1
        side = p_side(t.p, alpha)
        if side == "straddles":
            verdict, why = "note", f"p = {t.p.raw} cannot be placed on either side of {alpha} at its printed precision"
        elif excludes == (side == "below"):
            verdict, why = "consistent", "CI and p agree on significance"
        else:
            verdict = "inconsistent"
            why = (f"the CI {'excludes' if excludes else 'includes'} 1 but p is {side} {alpha}"
                   + ("; a profile-likelihood CI reported next to a Wald p can do this, which means the table mixes "
                      "two methods" if excludes else ""))
        out.append(Finding(
            id=f"triple.ci_vs_p:{var}:{col}", check="estimate-CI-p triples", where=t.where,
            claim=f"OR {t.raw} with p = {t.p.raw}",
            published={"ci": [t.ci.lo.raw, t.ci.hi.raw], "p": t.p.raw},
            recomputed={"ci_excludes_1": excludes, "p_side": side}, verdict=verdict, detail=why,
        ))
    return out


def check_implied_p(study: Study) -> list[Finding]:
    """The p-value each CI implies under a Wald assumption, against the printed p."""
    out, alpha = [], _alpha(study)
    for var, col, t in _triples(study):
        e, lo, hi = t.estimate, t.ci.lo, t.ci.hi
        ip = implied_p_from_ratio_ci(e.value, lo.value, hi.value, half_units=(e.half_unit, lo.half_unit, hi.half_unit))
        shape = ("symmetric on the log scale (Wald-type)" if abs(ip.log_asymmetry - 1) < 0.1
                 else f"asymmetric on the log scale (upper/lower log half-widths {ip.log_asymmetry:.2f}: profile-likelihood type)")
        rec = {"p_wald_from_ci": ip.p_symmetric, "p_near_side": ip.p_near_side, "range": [ip.p_min, ip.p_max],
               "log_asymmetry": ip.log_asymmetry}
        if t.p is None or t.p.value is None or t.p.impossible:
            out.append(Finding(f"triple.implied_p:{var}:{col}", "estimate-CI-p triples", t.where,
                               f"OR {t.raw}", t.raw, rec, "note",
                               f"printed p is unusable ({t.p.raw if t.p else 'none'}); the CI implies p ~ {ip.p_symmetric:.3g}; CI {shape}"))
            continue
        p_lo = t.p.value - t.p.half_unit if t.p.comparator == "=" else 0.0
        p_hi = t.p.value + t.p.half_unit
        overlap = p_lo <= ip.p_max and ip.p_min <= p_hi
        implied_side = "below" if ip.p_max < alpha else ("above" if ip.p_min >= alpha else "straddles")
        side = p_side(t.p, alpha)
        if overlap:
            verdict, why = "consistent", "the printed p lies within the range the CI implies"
        elif "straddles" not in (side, implied_side) and side != implied_side:
            verdict, why = "inconsistent", f"the CI implies p {implied_side} {alpha}, the printed p is {side}"
        else:
            verdict, why = "note", "same side of the threshold, different value: the p and the CI come from different methods"
        out.append(Finding(
            id=f"triple.implied_p:{var}:{col}", check="estimate-CI-p triples", where=t.where,
            claim=f"OR {t.raw}, p = {t.p.raw}", published=t.p.raw, recomputed=rec, verdict=verdict,
            detail=f"{why}; implied p {ip.p_min:.3g}-{ip.p_max:.3g} (Wald from the CI width {ip.p_symmetric:.3g}); CI {shape}",
        ))
    return out


def check_marks(study: Study) -> list[Finding]:
    """Significance marks against the stated threshold, in every column that uses marks."""
    reg = study.regression
    if reg is None:
        return []
    out = []
    for col in ("univariable", "multivariable"):
        cells = [(rr.variable, getattr(rr, col)) for rr in reg.rows if getattr(rr, col) is not None]
        marked = [c for c in cells if c[1].p is not None and reg.mark in c[1].p.mark]
        if not marked:
            continue
        for var, t in cells:
            if t.p is None:
                continue
            has = reg.mark in t.p.mark
            if t.p.value is None or t.p.impossible:
                out.append(Finding(f"triple.mark:{var}:{col}", "estimate-CI-p triples", t.where,
                                   f"p = {t.p.raw} {'marked' if has else 'unmarked'}", t.p.raw, None, "note",
                                   "the p-value is malformed; the mark cannot be checked"))
                continue
            side = p_side(t.p, reg.mark_threshold)
            if side == "straddles":
                verdict = "note" if has else "consistent"
                why = (f"marked as p < {reg.mark_threshold}, but p = {t.p.raw} is not below {reg.mark_threshold} as printed "
                       "(its rounding interval straddles the threshold)" if has else "unmarked; p not shown below the threshold")
            elif has == (side == "below"):
                verdict, why = "consistent", "mark agrees with the threshold"
            else:
                verdict = "inconsistent"
                why = f"p = {t.p.raw} is {side} {reg.mark_threshold} but is {'marked' if has else 'not marked'}"
            out.append(Finding(f"triple.mark:{var}:{col}", "estimate-CI-p triples", t.where,
                               f"p = {t.p.raw} {'with' if has else 'without'} '{reg.mark}' ({reg.mark_where})",
                               t.p.raw, side, verdict, why))
    return out


def check_significance_claims(study: Study) -> list[Finding]:
    """Statements in the text that variables differ (or not) against the printed p-values."""
    out, alpha = [], _alpha(study)
    seen: dict[str, int] = {}
    for c in study.claims:
        for var in c.variables:
            p = None
            if c.table == (study.regression.id if study.regression else None):
                rr = next((r for r in study.regression.rows if r.variable.lower() == var.lower()), None)
                col = c.column or "univariable"
                if rr is not None and rr.levels:  # one printed level against the reference: its p
                    ests = [getattr(lv, col) for lv in rr.levels if getattr(lv, col) is not None]
                    t: EstimateCI | None = ests[0] if len(ests) == 1 else None
                else:
                    t = getattr(rr, col) if rr else None
                p = t.p if t is not None else None
            else:
                row = study.table(c.table).row(var)
                p = row.p if row is not None else None
            fid = f"claim.significance:{c.table}:{var}"
            seen[fid] = seen.get(fid, 0) + 1
            if seen[fid] > 1:  # the same variable claimed again elsewhere in the text
                fid += f"#{seen[fid]}"
            if p is None or p.value is None or p.impossible:
                out.append(Finding(fid, "estimate-CI-p triples", c.where, f"{var}: {c.claim}", p.raw if p else None,
                                   None, "not-reproducible", "no usable printed p-value for this variable"))
                continue
            side = p_side(p, alpha)
            want = "below" if c.claim == "significant" else "above"
            if side == "straddles":
                verdict = "note" if c.claim == "significant" else "consistent"
                why = f"p = {p.raw} is not below {alpha} as printed (rounding interval straddles {alpha})"
            else:
                verdict = "consistent" if side == want else "inconsistent"
                why = f"p = {p.raw} is {side} {alpha}"
            out.append(Finding(fid, "estimate-CI-p triples", c.where, f"{var} {c.claim} ({c.quote[:60]}...)",
                               p.raw, side, verdict, why))
    return out


CHECKS = [check_malformed_p, check_ci_vs_p, check_implied_p, check_marks, check_significance_claims]
