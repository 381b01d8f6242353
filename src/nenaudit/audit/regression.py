"""Univariable logistic regression recomputed from the counts of a comparison table."""

from __future__ import annotations

import math

import numpy as np

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.exceptions import NenauditError
from nenaudit.stats.categorical_or import treatment_contrast_ors
from nenaudit.stats.logistic import fit_logistic
from nenaudit.study.schema import (
    CountPct,
    EstimateCI,
    Group,
    Level,
    RegressionRow,
    Row,
    Study,
    Table,
    label_key,
    table_label,
)

__all__ = [
    "expand_counts",
    "level_ors",
    "check_univariable_logistic",
    "check_multivariable_reproducible",
]


def expand_counts(table: Table, row: Row, event_group: str) -> tuple[np.ndarray, np.ndarray]:
    """Individual-level (score, outcome) rows from a levels x groups count table.

    Levels are scored 1..k in printed order (or by the row's ``scores``); the outcome is
    1 in ``event_group`` and 0 in the other groups.
    """
    scores = row.scores or tuple(float(i + 1) for i in range(len(row.levels)))
    x, y = [], []
    for s, lv in zip(scores, row.levels):
        for g in table.groups:
            c = lv.cells[g.id].count
            x.extend([s] * c)
            y.extend([1.0 if g.id == event_group else 0.0] * c)
    return np.asarray(x), np.asarray(y)


def _fit(table: Table, row: Row, event: str):
    x, y = expand_counts(table, row, event)
    fit = fit_logistic(x.reshape(-1, 1), y, names=[row.variable])
    return fit


def _agree_ci(pub: EstimateCI, ci: np.ndarray) -> bool:
    lo, hi = np.exp(ci)
    return pub.ci.lo.agrees(float(lo)) and pub.ci.hi.agrees(float(hi))


def _near_miss(pub: EstimateCI, ci: dict[str, np.ndarray]) -> str:
    """Describe how far the closest CI method is from the printed bounds, in units of the last printed place."""

    def units(printed, x):
        return (x - printed.value) / (10.0 ** -(printed.decimals or 0))

    best, best_err, best_txt = None, np.inf, ""
    for name, v in ci.items():
        lo, hi = (float(t) for t in np.exp(v))
        ulo, uhi = units(pub.ci.lo, lo), units(pub.ci.hi, hi)
        err = max(abs(ulo), abs(uhi))
        if err < best_err:
            bits = []
            for label, printed, x, u in (
                ("lower", pub.ci.lo, lo, ulo),
                ("upper", pub.ci.hi, hi, uhi),
            ):
                if printed.agrees(x):
                    continue
                if not math.isfinite(x):
                    bits.append(
                        f"{label} bound is {x:g} (the counts separate the outcome) against printed {printed.raw}"
                    )
                    continue
                trunc = math.floor(abs(x) * 10 ** (printed.decimals or 0)) / 10 ** (
                    printed.decimals or 0
                )
                bits.append(
                    f"{label} bound {x:.6g} is {u:+.2f} units of the last place from printed {printed.raw}"
                    + (
                        " (truncation, not rounding, would print it)"
                        if abs(trunc - printed.value) < 1e-12
                        else ""
                    )
                )
            best, best_err, best_txt = name, err, "; ".join(bits)
    return f"closest is {best}: {best_txt}"


def _level_map(rr: RegressionRow, row: Row):
    """Regression levels -> count levels (by label); None when a level has no counts."""
    by_key = {label_key(lv.level): lv for lv in row.levels}
    names = [rr.reference] + [lv.level for lv in rr.levels]
    if any(label_key(n) not in by_key for n in names):
        return None
    return [by_key[label_key(n)] for n in names]


def level_ors(table: Table, row: Row, rr: RegressionRow, event: str):
    """Treatment-contrast ORs of the regression row's levels against its reference, from the counts."""
    lvs = _level_map(rr, row)
    ev = [lv.cells[event].count for lv in lvs]
    ne = [sum(lv.cells[g.id].count for g in table.groups if g.id != event) for lv in lvs]
    return treatment_contrast_ors([lv.level for lv in lvs], ev, ne, lvs[0].level)


def _ors_for(table: Table, item, event: str) -> list[tuple[EstimateCI, float]]:
    kind, pub, row, rr = item
    if kind == "ordinal":
        return [(pub, float(np.exp(_fit(table, row, event).coef[1])))]
    try:
        res = level_ors(table, row, rr, event)
    except NenauditError:
        return []
    return [
        (lv.univariable, r.odds_ratio)
        for lv, r in zip(rr.levels, res)
        if lv.univariable is not None
    ]


def _event_group(study: Study, table: Table, linked: list) -> tuple[str, dict[str, int]]:
    """The group whose coding as event (=1) reproduces the most printed ORs."""
    hits = {}
    for g in table.groups:
        hits[g.id] = sum(
            pub.estimate.agrees(orr) for item in linked for pub, orr in _ors_for(table, item, g.id)
        )
    best = max(table.groups, key=lambda g: hits[g.id]).id
    return best, hits


def _collapsed(
    table: Table, events: tuple[str, ...], refs: tuple[str, ...]
) -> tuple[Table | None, str]:
    """The counts table as two groups, the named event groups against the reference groups (the others
    when none are named; groups in neither are left out), or None and why it cannot be formed."""
    if not events:
        return None, (
            f"{table.label} has {len(table.groups)} groups; name the event with event_groups (and "
            "reference_groups) on the regression table"
        )
    tagged = {g.outcome_group: g for g in table.groups if g.outcome_group}
    missing = [x for x in (*events, *refs) if x not in tagged]
    if missing:
        return None, (
            f"{table.label} has no column with outcome_group {', '.join(map(repr, missing))}; tag its groups "
            "with outcome_group"
        )
    refs = refs or tuple(x for x in tagged if x not in events)
    sides = {"event": [tagged[x] for x in events], "reference": [tagged[x] for x in refs]}
    groups = tuple(
        Group(k, " + ".join(g.label for g in gs), sum(g.n for g in gs), None)
        for k, gs in sides.items()
    )
    rows = []
    for row in table.rows:
        if row.kind != "categorical":
            rows.append(Row(row.variable, row.kind, None))
            continue
        levels = tuple(
            Level(
                lv.level,
                {
                    k: CountPct(sum(lv.cells[g.id].count for g in gs), None)
                    for k, gs in sides.items()
                },
            )
            for lv in row.levels
        )
        rows.append(Row(row.variable, row.kind, None, levels, scores=row.scores))
    return Table(
        table.id, table.title, table.unit, groups, tuple(rows), table.cohort, table.cohort_label
    ), ""


def check_univariable_logistic(study: Study) -> list[Finding]:
    """Every univariable OR of the regression table: recomputed from counts where it can be."""
    reg = study.regression
    if reg is None:
        return []
    out: list[Finding] = []
    table = study.table(reg.counts_table) if reg.counts_table else None
    if table is not None and (reg.event_groups or len(table.groups) > 2):
        table, why = _collapsed(table, reg.event_groups, reg.reference_groups)
        # more than two outcome groups and no event groups: never pair groups unnamed
        if table is None:
            return [
                Finding(
                    id=f"logit.univariable:{label}",
                    check="univariable logistic",
                    where=t.where,
                    claim=f"OR {t.raw}, p = {t.p.raw if t.p else '-'}",
                    published=t.raw,
                    recomputed=None,
                    verdict="not-reproducible",
                    detail=f"cannot be recomputed from the counts: {why}",
                )
                for rr in reg.rows
                for label, col, t in rr.estimates()
                if col == "univariable"
            ]
    linked = []
    for rr in reg.rows:
        if rr.levels:
            if not any(lv.univariable for lv in rr.levels):
                continue
            row = table.row(rr.variable) if table is not None else None
            if row is None or row.kind != "categorical" or _level_map(rr, row) is None:
                why = (
                    f"{rr.variable} has no counts in {reg.counts_table or 'any table'}"
                    if row is None or row.kind != "categorical"
                    else f"the levels {[rr.reference] + [lv.level for lv in rr.levels]} are not all levels of "
                    f"{table.where(row)} ({[lv.level for lv in row.levels]})"
                )
                for lv in rr.levels:
                    if lv.univariable is not None:
                        out.append(
                            Finding(
                                id=f"logit.univariable:{rr.variable}: {lv.level}",
                                check="univariable logistic",
                                where=lv.univariable.where,
                                claim=f"OR {lv.univariable.raw} vs {rr.reference}",
                                published=lv.univariable.raw,
                                recomputed=None,
                                verdict="not-reproducible",
                                detail=f"cannot be recomputed from the paper: {why}",
                            )
                        )
                continue
            linked.append(("levels", None, row, rr))
            continue
        if rr.univariable is None:
            continue
        row = table.row(rr.variable) if table is not None else None
        if row is None or row.kind != "categorical":
            why = (
                "it is continuous: the OR per unit needs the individual values"
                if row is not None
                else f"{rr.variable} has no counts in {reg.counts_table or 'any table'}"
            )
            out.append(
                Finding(
                    id=f"logit.univariable:{rr.variable}",
                    check="univariable logistic",
                    where=rr.univariable.where,
                    claim=f"OR {rr.univariable.raw}, p = {rr.univariable.p.raw if rr.univariable.p else '-'}",
                    published=rr.univariable.raw,
                    recomputed=None,
                    verdict="not-reproducible",
                    detail=f"cannot be recomputed from the paper: {why}",
                )
            )
            continue
        linked.append(("ordinal", rr.univariable, row, rr))
    if not linked:
        return out
    n_linked = sum(len(_ors_for(table, item, table.groups[0].id)) or 1 for item in linked)
    event, hits = _event_group(study, table, linked)
    labels = {g.id: g.label for g in table.groups}
    if reg.event_groups:  # the spec names the event: no guessing
        event = "event"
    out.append(
        Finding(
            id="logit.event_coding",
            check="univariable logistic",
            where=table_label(reg.title, reg.id),
            claim="the outcome coded 1 in the regression table",
            published=None,
            recomputed=event,
            verdict="note",
            detail=(
                (
                    f"the spec names '{labels[event]}' as the event (1); "
                    if reg.event_groups
                    else f"ORs reproduce with '{labels[event]}' as the event (1); "
                )
                + "ORs matched per event choice: "
                + ", ".join(f"{labels[g]}: {h}/{n_linked}" for g, h in hits.items())
                + (
                    ""
                    if reg.event_groups
                    else ". The paper does not say which outcome the ORs describe."
                )
            ),
        )
    )
    for kind, pub, row, rr in linked:
        if kind == "levels":
            out.extend(_level_findings(table, row, rr, event))
            continue
        fit = _fit(table, row, event)
        b = fit.coef[1]
        orr = float(np.exp(b))
        ci = {
            "profile likelihood (R confint)": fit.ci_profile[1],
            "Wald (confint.default)": fit.ci_wald[1],
            "profile likelihood (exact roots)": fit.ci_profile_exact[1],
        }
        levels = len(row.levels)
        coding = "binary" if levels == 2 else f"ordinal 1..{levels}"
        verdict, detail = _or_verdict(pub, orr, ci, float(fit.p[1]), fit.warnings, "")
        out.append(
            Finding(
                id=f"logit.univariable:{row.variable}",
                check="univariable logistic",
                where=pub.where,
                claim=f"OR {pub.raw}, p = {pub.p.raw if pub.p else '-'} ({coding} coding, from {table.id} counts)",
                published={
                    "or": pub.estimate.raw,
                    "ci": [pub.ci.lo.raw, pub.ci.hi.raw],
                    "p": pub.p.raw if pub.p else None,
                },
                recomputed={
                    "or": orr,
                    "ci_profile": np.exp(ci["profile likelihood (R confint)"]).tolist(),
                    "ci_wald": np.exp(ci["Wald (confint.default)"]).tolist(),
                    "p_wald": float(fit.p[1]),
                },
                verdict=verdict,
                detail=detail,
                compared=_or_compared(pub, orr, ci, float(fit.p[1])),
            )
        )
    return out


def _or_compared(pub, odds_ratio: float, ci: dict, p_wald: float):
    return compared(
        (
            "printed OR, CI and p",
            [pub.estimate.raw, pub.ci.lo.raw, pub.ci.hi.raw, pub.p.raw if pub.p else None],
            pub.where,
        ),
        (
            "OR, CIs and Wald p refitted from the counts",
            [odds_ratio, {k: np.exp(v).tolist() for k, v in ci.items()}, p_wald],
            RECOMPUTED,
        ),
    )


def _or_verdict(
    pub, odds_ratio: float, ci: dict, p_wald: float, warnings, how: str
) -> tuple[str, str]:
    """The verdict and detail of one univariable OR: estimate, which CI method reproduces the CI, Wald p."""
    ci_ok = [k for k, v in ci.items() if _agree_ci(pub, v)]
    or_ok = pub.estimate.agrees(odds_ratio)
    p_ok = pub.p is not None and pub.p.agrees(p_wald)
    parts = [f"OR {'matches' if or_ok else 'differs'}: {odds_ratio:.5g}{how}"]
    parts.append(
        "CI reproduced by " + ", ".join(ci_ok)
        if ci_ok
        else "no CI method reproduces the printed CI; " + _near_miss(pub, ci)
    )
    parts.append(
        f"Wald p {p_wald:.4g} {'matches' if p_ok else 'differs from'} printed {pub.p.raw if pub.p else '-'}"
    )
    if warnings:
        parts.append("fit warnings: " + "; ".join(warnings))
    return ("consistent" if (or_ok and ci_ok and p_ok) else "inconsistent"), "; ".join(parts)


def _level_findings(table: Table, row: Row, rr: RegressionRow, event: str) -> list[Finding]:
    """Each non-reference level's OR, CI and p against glm with treatment contrasts on the counts."""
    out = []
    try:
        res = level_ors(table, row, rr, event)
    except NenauditError as exc:
        return [
            Finding(
                f"logit.univariable:{rr.variable}: {lv.level}",
                "univariable logistic",
                lv.univariable.where,
                f"OR {lv.univariable.raw} vs {rr.reference}",
                lv.univariable.raw,
                None,
                "not-reproducible",
                f"cannot be fitted from the counts: {exc}",
            )
            for lv in rr.levels
            if lv.univariable is not None
        ]
    for lv, r in zip(rr.levels, res):
        pub = lv.univariable
        if pub is None:
            continue
        ci = {
            "profile likelihood (R confint)": np.log(r.ci_profile),
            "Wald (confint.default)": np.log(r.ci_wald),
            "profile likelihood (exact roots)": np.log(r.ci_profile_exact),
        }
        if np.all(np.isfinite(r.ci_wald_exact)):
            ci["Wald at the exact MLE (Woolf)"] = np.log(r.ci_wald_exact)
        verdict, detail = _or_verdict(
            pub,
            r.odds_ratio,
            ci,
            r.p_wald,
            r.warnings,
            f" ({lv.level} vs {rr.reference}, glm with treatment contrasts on {table.id} counts)",
        )
        out.append(
            Finding(
                id=f"logit.univariable:{rr.variable}: {lv.level}",
                check="univariable logistic",
                where=pub.where,
                claim=f"OR {pub.raw} for {lv.level} vs {rr.reference}, p = {pub.p.raw if pub.p else '-'}",
                published={
                    "or": pub.estimate.raw,
                    "ci": [pub.ci.lo.raw, pub.ci.hi.raw],
                    "p": pub.p.raw if pub.p else None,
                },
                recomputed={
                    "or": r.odds_ratio,
                    "ci_profile": list(r.ci_profile),
                    "ci_wald": list(r.ci_wald),
                    "p_wald": r.p_wald,
                },
                verdict=verdict,
                detail=detail,
                compared=_or_compared(pub, r.odds_ratio, ci, r.p_wald),
            )
        )
    return out


def check_multivariable_reproducible(study: Study) -> list[Finding]:
    """Multivariable estimates need the joint data: stated as not reproducible from the paper."""
    out = []
    for reg in study.regressions:
        pre = "" if reg is study.regression else f"{reg.id}:"
        poly = f" against {reg.reference_outcome} (multinomial)" if reg.outcome_levels else ""
        for rr in reg.rows:
            for label, col, t in rr.estimates():
                if col == "multivariable":
                    out.append(
                        Finding(
                            id=f"logit.multivariable:{pre}{label}",
                            check="univariable logistic",
                            where=t.where,
                            claim=f"adjusted OR{poly} {t.raw}, p = {t.p.raw if t.p else '-'}",
                            published=t.raw,
                            recomputed=None,
                            verdict="not-reproducible",
                            detail="an adjusted OR needs the joint distribution of the predictors, "
                            "which the paper does not give; its internal consistency is checked by the "
                            "CI/p checks",
                        )
                    )
                elif col == "univariable" and (reg.outcome_levels or reg is not study.regression):
                    out.append(
                        Finding(
                            id=f"logit.univariable:{pre}{label}",
                            check="univariable logistic",
                            where=t.where,
                            claim=f"OR{poly} {t.raw}, p = {t.p.raw if t.p else '-'}",
                            published=t.raw,
                            recomputed=None,
                            verdict="not-reproducible",
                            detail=(
                                "a multinomial OR per outcome level is not refitted from counts by this audit"
                                if reg.outcome_levels
                                else "only the first regression table's univariable ORs are refitted from the counts "
                                "(its counts_table); its internal consistency is checked by the CI/p checks"
                            ),
                        )
                    )
    return out


CHECKS = [check_univariable_logistic, check_multivariable_reproducible]
