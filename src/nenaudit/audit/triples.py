"""Consistency of every printed (estimate, CI, p) triple and of significance marks and claims."""

from __future__ import annotations

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.stats.consistency import implied_p_from_ratio_ci, ratio_ci_shape
from nenaudit.study.schema import Printed, Study

__all__ = [
    "p_side",
    "check_malformed_p",
    "check_ci_vs_p",
    "check_implied_p",
    "check_marks",
    "check_significance_claims",
]


def _prefix(study: Study, reg) -> str:
    """Finding-id prefix of a regression table: none for the first (the ids of a one-table spec), its id for others."""
    return "" if reg is study.regression else f"{reg.id}:"


def _triples(study: Study):
    for reg in study.regressions:
        pre = _prefix(study, reg)
        for rr in reg.rows:
            for label, col, t in rr.estimates():
                yield pre + label, col, t


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
            out.append(
                Finding(
                    f"p.impossible:{var}:{col}",
                    "estimate-CI-p triples",
                    t.where,
                    f"p = {t.p.raw}",
                    t.p.raw,
                    None,
                    "inconsistent",
                    "a p-value lies in [0, 1]; this one cannot be a p-value",
                )
            )
        elif t.p.malformed:
            out.append(
                Finding(
                    f"p.malformed:{var}:{col}",
                    "estimate-CI-p triples",
                    t.where,
                    f"p = {t.p.raw}",
                    t.p.raw,
                    None,
                    "inconsistent",
                    "the printed p-value is not a number (a typesetting error)",
                )
            )
        elif t.p.value == 0 and t.p.comparator == "=":
            out.append(
                Finding(
                    f"p.zero:{var}:{col}",
                    "estimate-CI-p triples",
                    t.where,
                    f"p = {t.p.raw}",
                    t.p.raw,
                    None,
                    "inconsistent",
                    "a p-value cannot be 0; it should be printed as an upper bound such as <0.001",
                )
            )
    for t in study.tables:
        for row in t.rows:
            if row.p is not None and row.p.impossible:
                out.append(
                    Finding(
                        f"p.impossible:{t.id}:{row.variable}",
                        "estimate-CI-p triples",
                        t.where(row, column="p"),
                        f"p = {row.p.raw}",
                        row.p.raw,
                        None,
                        "inconsistent",
                        "a p-value lies in [0, 1]; this one cannot be a p-value",
                    )
                )
            elif row.p is not None and row.p.malformed:
                out.append(
                    Finding(
                        f"p.malformed:{t.id}:{row.variable}",
                        "estimate-CI-p triples",
                        t.where(row, column="p"),
                        f"p = {row.p.raw}",
                        row.p.raw,
                        None,
                        "inconsistent",
                        "the printed p-value is not a number",
                    )
                )
            elif row.p is not None and row.p.value == 0 and row.p.comparator == "=":
                out.append(
                    Finding(
                        f"p.zero:{t.id}:{row.variable}",
                        "estimate-CI-p triples",
                        t.where(row, column="p"),
                        f"p = {row.p.raw}",
                        row.p.raw,
                        None,
                        "inconsistent",
                        "a p-value cannot be 0; it should be printed as an upper bound such as <0.001",
                    )
                )
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
            verdict, why = (
                "note",
                f"p = {t.p.raw} cannot be placed on either side of {alpha} at its printed precision",
            )
        elif excludes == (side == "below"):
            verdict, why = "consistent", "CI and p agree on significance"
        else:
            verdict = "inconsistent"
            why = f"the CI {'excludes' if excludes else 'includes'} 1 but p is {side} {alpha}" + (
                "; a profile-likelihood CI reported next to a Wald p can do this, which means the table mixes "
                "two methods"
                if excludes
                else ""
            )
        out.append(
            Finding(
                id=f"triple.ci_vs_p:{var}:{col}",
                check="estimate-CI-p triples",
                where=t.where,
                claim=f"OR {t.raw} with p = {t.p.raw}",
                published={"ci": [t.ci.lo.raw, t.ci.hi.raw], "p": t.p.raw},
                recomputed={"ci_excludes_1": excludes, "p_side": side},
                verdict=verdict,
                detail=why,
                compared=compared(
                    ("printed p", t.p.raw, t.where),
                    (
                        f"p {'below' if excludes else 'above'} {alpha} implied by the CI {t.ci.lo.raw}-{t.ci.hi.raw}",
                        [t.ci.lo.value, t.ci.hi.value],
                        RECOMPUTED,
                    ),
                ),
            )
        )
    return out


def _ci_methods(study: Study) -> dict:
    """Each triple's (label, column) -> its regression table's stated ``ci_method`` (None when not stated)."""
    out = {}
    for reg in study.regressions:
        pre = _prefix(study, reg)
        for rr in reg.rows:
            for label, col, _ in rr.estimates():
                out[(pre + label, col)] = reg.ci_method
    return out


def _shape_finding(var: str, col: str, t, rec: dict, method: str | None) -> Finding:
    """A ratio printed with its CI and no usable p: is the ratio the log-centre of the CI (Wald) over the rounding?"""
    e, lo, hi = t.estimate, t.ci.lo, t.ci.hi
    sh = ratio_ci_shape(
        e.value, lo.value, hi.value, half_units=(e.half_unit, lo.half_unit, hi.half_unit)
    )
    rec = {
        **rec,
        "log_centre_range": list(sh.centre_range),
        "min_count": sh.min_count,
        "lr_asymmetry_bound": sh.lr_asymmetry_bound,
    }
    centre = (
        f"exp of the log-centre of ({lo.raw}; {hi.raw}) is "
        f"{sh.centre_range[0]:.4f}-{sh.centre_range[1]:.4f} over the rounding"
    )
    if sh.wald_fits:
        verdict, why = (
            "consistent",
            f"{centre}, which meets the printed OR {e.raw}: a Wald CI on the log scale",
        )
    elif method == "wald":
        verdict, why = (
            "inconsistent",
            (
                f"{centre}, not the printed OR {e.raw}; the spec states Wald CIs, which are "
                "centred on log(OR): a misprint in the OR or a bound"
            ),
        )
    elif sh.rounds_to_zero:
        verdict, why = (
            "note",
            (
                f"{centre}, not the printed OR {e.raw}; the {_ZERO[sh.rounds_to_zero]} rounds to zero, so the CI's "
                "width bounds no cell count and a likelihood-ratio CI can be that asymmetric (the spec's ci_method "
                "does not say the CIs are Wald)"
            ),
        )
    elif not sh.lr_fits:
        verdict, why = (
            "inconsistent",
            (
                f"{centre}, not the printed OR {e.raw}; its width (log SE {rec['se_log_max']:.3g}) means at least "
                f"{sh.min_count:.0f} events in the smallest cell, and a likelihood-ratio CI with that many is at most "
                f"{sh.lr_asymmetry_bound:.2f}:1 asymmetric on the log scale (upper/lower log half-widths "
                f"{rec['log_asymmetry']:.2f}): a misprint in the OR or a bound"
            ),
        )
    else:
        verdict, why = (
            "note",
            (
                f"{centre}, not the printed OR {e.raw}; the asymmetry (upper/lower log half-widths "
                f"{rec['log_asymmetry']:.2f}) is within what a likelihood-ratio CI with {sh.min_count:.0f}+ events can "
                "show (the spec's ci_method does not say the CIs are Wald)"
            ),
        )
    return Finding(
        f"triple.implied_p:{var}:{col}",
        "estimate-CI-p triples",
        t.where,
        f"OR {t.raw}",
        t.raw,
        rec,
        verdict,
        why + (f"; printed p unusable ({t.p.raw})" if t.p is not None else ""),
        compared=compared(
            ("printed OR", e.raw, t.where),
            ("log-centre of the printed CI", list(sh.centre_range), RECOMPUTED),
        ),
    )


_ZERO = {"lower": "lower bound", "estimate": "estimate"}


def _implied_p_finding(var, col, t, rec: dict, **kw) -> Finding:
    """The finding of :func:`check_implied_p` for the triple ``t`` (row ``var``, column ``col``): the
    printed p against ``rec``, what the CI implies; ``kw`` the verdict, detail and comparison."""
    return Finding(
        id=f"triple.implied_p:{var}:{col}",
        check="estimate-CI-p triples",
        where=t.where,
        claim=f"OR {t.raw}, p = {t.p.raw}",
        published=t.p.raw,
        recomputed=rec,
        **kw,
    )


def check_implied_p(study: Study) -> list[Finding]:
    """The p-value each CI implies under a Wald assumption, against the printed p; without a p, the CI's shape."""
    out, alpha = [], _alpha(study)
    methods = _ci_methods(study)
    for var, col, t in _triples(study):
        e, lo, hi = t.estimate, t.ci.lo, t.ci.hi
        ip = implied_p_from_ratio_ci(
            e.value, lo.value, hi.value, half_units=(e.half_unit, lo.half_unit, hi.half_unit)
        )
        shape = (
            "symmetric on the log scale (Wald-type)"
            if abs(ip.log_asymmetry - 1) < 0.1
            else f"asymmetric on the log scale (upper/lower log half-widths {ip.log_asymmetry:.2f}: "
            "profile-likelihood type)"
        )
        rec = {
            "p_wald_from_ci": ip.p_symmetric,
            "p_near_side": ip.p_near_side,
            "range": [ip.p_min, ip.p_max],
            "log_asymmetry": ip.log_asymmetry,
        }
        if ip.rounds_to_zero == "lower":
            shape = f"lower bound {lo.raw} rounds to zero: p from the upper half of the CI"
        if t.p is None or t.p.value is None or t.p.impossible:
            rec["se_log_max"] = ip.se_log
            out.append(_shape_finding(var, col, t, rec, methods.get((var, col))))
            continue
        if ip.rounds_to_zero == "estimate":
            out.append(
                _implied_p_finding(
                    var,
                    col,
                    t,
                    rec,
                    verdict="note",
                    detail=f"the printed OR {e.raw} rounds to zero: its log, and so the p a CI implies, "
                    "is not known from the printed numbers; not checked",
                )
            )
            continue
        p_lo = t.p.value - t.p.half_unit if t.p.comparator == "=" else 0.0
        p_hi = t.p.value + t.p.half_unit
        overlap = p_lo <= ip.p_max and ip.p_min <= p_hi
        implied_side = (
            "below" if ip.p_max < alpha else ("above" if ip.p_min >= alpha else "straddles")
        )
        side = p_side(t.p, alpha)
        if overlap:
            verdict, why = "consistent", "the printed p lies within the range the CI implies"
        elif "straddles" not in (side, implied_side) and side != implied_side:
            verdict, why = (
                "inconsistent",
                f"the CI implies p {implied_side} {alpha}, the printed p is {side}",
            )
        else:
            verdict, why = (
                "note",
                "same side of the threshold, different value: the p and the CI come from different methods",
            )
        out.append(
            _implied_p_finding(
                var,
                col,
                t,
                rec,
                verdict=verdict,
                compared=compared(
                    ("printed p", t.p.raw, t.where),
                    ("p implied by the CI", [ip.p_min, ip.p_max], RECOMPUTED),
                ),
                detail=f"{why}; implied p {ip.p_min:.3g}-{ip.p_max:.3g} "
                f"(Wald from the CI width {ip.p_symmetric:.3g}); CI {shape}",
            )
        )
    return out


def check_marks(study: Study) -> list[Finding]:
    """Significance marks against the stated threshold, in every column that uses marks."""
    out = []
    for reg in study.regressions:
        out.extend(_marks(reg, _prefix(study, reg)))
    return out


def _marks(reg, pre: str) -> list[Finding]:
    out = []
    for col in ("univariable", "multivariable"):
        cells = [
            (pre + rr.variable, getattr(rr, col)) for rr in reg.rows if getattr(rr, col) is not None
        ]
        marked = [c for c in cells if c[1].p is not None and reg.mark in c[1].p.mark]
        if not marked:
            continue
        for var, t in cells:
            if t.p is None:
                continue
            has = reg.mark in t.p.mark
            if t.p.value is None or t.p.impossible:
                out.append(
                    Finding(
                        f"triple.mark:{var}:{col}",
                        "estimate-CI-p triples",
                        t.where,
                        f"p = {t.p.raw} {'marked' if has else 'unmarked'}",
                        t.p.raw,
                        None,
                        "note",
                        "the p-value is malformed; the mark cannot be checked",
                    )
                )
                continue
            side = p_side(t.p, reg.mark_threshold)
            if side == "straddles":
                verdict = "note" if has else "consistent"
                why = (
                    f"marked as p < {reg.mark_threshold}, but p = {t.p.raw} is not below "
                    f"{reg.mark_threshold} as printed (its rounding interval straddles the threshold)"
                    if has
                    else "unmarked; p not shown below the threshold"
                )
            elif has == (side == "below"):
                verdict, why = "consistent", "mark agrees with the threshold"
            else:
                verdict = "inconsistent"
                why = f"p = {t.p.raw} is {side} {reg.mark_threshold} but is {'marked' if has else 'not marked'}"
            out.append(
                Finding(
                    f"triple.mark:{var}:{col}",
                    "estimate-CI-p triples",
                    t.where,
                    f"p = {t.p.raw} {'with' if has else 'without'} '{reg.mark}' ({reg.mark_where})",
                    t.p.raw,
                    side,
                    verdict,
                    why,
                    compared(
                        ("printed p", t.p.raw, t.where),
                        (
                            "the mark's threshold",
                            reg.mark_threshold,
                            reg.mark_where or "table footnote",
                        ),
                    ),
                )
            )
    return out


def _claim_ps(study: Study, c, var: str) -> tuple[list, str]:
    """The printed p-values a claim about ``var`` rests on, and where they are printed: a table row's p, a
    regression estimate's p, or every level's p of a k-level predictor (and every outcome level's of a
    polytomous table)."""
    reg = next((r for r in study.regressions if r.id == c.table), None)
    if reg is None:
        row = study.table(c.table).row(var)
        return ([row.p] if row is not None and row.p is not None else []), study.table(
            c.table
        ).where(row, column="p") if row is not None else c.table
    rr = next((r for r in reg.rows if r.variable.lower() == var.lower()), None)
    if rr is None:
        return [], c.table
    col = c.column or (
        "univariable"
        if reg.kind == "univariable" or any(col == "univariable" for _, col, _ in rr.estimates())
        else "multivariable"
    )
    ests = [
        t
        for label, k, t in rr.estimates()
        if k == col
        and (not c.outcome_levels or any(label.endswith(f" [{ol}]") for ol in c.outcome_levels))
    ]
    return [t.p for t in ests if t.p is not None], (ests[0].where if ests else c.table)


def check_significance_claims(study: Study) -> list[Finding]:
    """Statements in the text that variables differ (or not) against the printed p-values.

    A claim about a k-level predictor (every level printed against a reference) is consistent
    when every level's p supports it, inconsistent when none does, and a note when the levels
    disagree (the overall test the claim rests on is not printed).
    """
    out, alpha = [], _alpha(study)
    a_where = study.design["alpha"].where if "alpha" in study.design else "the conventional 0.05"
    seen: dict[str, int] = {}
    for c in study.claims:
        for var in c.variables:
            ps, p_where = _claim_ps(study, c, var)
            fid = f"claim.significance:{c.table}:{var}"
            seen[fid] = seen.get(fid, 0) + 1
            if seen[fid] > 1:  # the same variable claimed again elsewhere in the text
                fid += f"#{seen[fid]}"
            usable = [p for p in ps if p.value is not None and not p.impossible]
            if not usable or len(usable) < len(ps):
                out.append(
                    Finding(
                        fid,
                        "estimate-CI-p triples",
                        c.where,
                        f"{var}: {c.claim}",
                        ps[0].raw if len(ps) == 1 else ([p.raw for p in ps] or None),
                        None,
                        "not-reproducible",
                        "no usable printed p-value for this variable",
                    )
                )
                continue
            want = "below" if c.claim == "significant" else "above"
            sides = [p_side(p, alpha) for p in usable]
            raw = usable[0].raw if len(usable) == 1 else [p.raw for p in usable]
            cmp = compared(("printed p", raw, p_where), ("alpha", alpha, a_where))
            claim_txt = f"{var} {c.claim} ({c.quote[:60]}...)"
            if len(usable) == 1:
                side, p = sides[0], usable[0]
                if side == "straddles":
                    verdict = "note" if c.claim == "significant" else "consistent"
                    why = f"p = {p.raw} is not below {alpha} as printed (rounding interval straddles {alpha})"
                else:
                    verdict = "consistent" if side == want else "inconsistent"
                    why = f"p = {p.raw} is {side} {alpha}"
                out.append(
                    Finding(
                        fid,
                        "estimate-CI-p triples",
                        c.where,
                        claim_txt,
                        p.raw,
                        side,
                        verdict,
                        why,
                        cmp,
                    )
                )
                continue
            support = [s_ == want or (s_ == "straddles" and want == "above") for s_ in sides]
            verdict = (
                "consistent" if all(support) else ("inconsistent" if not any(support) else "note")
            )
            why = f"{len(usable)} levels, p = {', '.join(p.raw for p in usable)}: " + (
                "every level's p supports the claim"
                if all(support)
                else "no level's p supports it"
                if not any(support)
                else f"{sum(support)} of {len(usable)} levels support it; "
                "the overall test of the predictor is not printed"
            )
            out.append(
                Finding(
                    fid, "estimate-CI-p triples", c.where, claim_txt, raw, sides, verdict, why, cmp
                )
            )
    return out


CHECKS = [check_malformed_p, check_ci_vs_p, check_implied_p, check_marks, check_significance_claims]
