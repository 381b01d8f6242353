"""Design checks: counts stated in different places, patient vs lesion tables, events per
variable, and the minimum sample size for the model the paper fitted."""

from __future__ import annotations

from collections import defaultdict

from nenaudit.audit.findings import Finding, compared
from nenaudit.audit.units import (
    analysis_cohort,
    binary_split,
    counts_for,
    model_groups,
    outcome_counts,
)
from nenaudit.exceptions import NenauditError
from nenaudit.stats.samplesize import riley_sample_size
from nenaudit.study.schema import Study, label_key, table_label

__all__ = [
    "check_stated_counts",
    "check_patient_lesion_feasibility",
    "check_events_per_variable",
    "check_sample_size",
    "check_clustering",
]


def _table_counts(study: Study) -> dict[tuple[str | None, str], list[tuple[int, str]]]:
    """Counts implied by the tables themselves, per (cohort, quantity name)."""
    out: dict[tuple[str | None, str], list[tuple[int, str]]] = defaultdict(list)
    for u in outcome_counts(study):
        unit = u.unit + "s"
        out[(u.cohort, unit)].append((u.total, f"sum over outcome groups ({u.where})"))
        for g, n in u.by_outcome.items():
            out[(u.cohort, f"{unit}_{g}")].append((n, u.where))
    cohort_ids = {c.id for c in study.cohorts}
    for t in (
        study.tables
    ):  # a table whose columns are the cohorts: each column's count, summed over a variable
        if t.cohort is not None or not t.groups or not all(g.id in cohort_ids for g in t.groups):
            continue
        for row in t.rows:
            cells = [[lv.cells.get(g.id) for g in t.groups] for lv in row.levels]
            if len(cells) < 2 or any(
                c is None or getattr(c, "count", None) is None for cs in cells for c in cs
            ):
                continue
            for j, g in enumerate(t.groups):
                out[(g.id, t.unit + "s")].append(
                    (
                        sum(int(cs[j].count) for cs in cells),
                        f"sum of the {row.variable} counts of {t.id}'s {g.label} column",
                    )
                )
            break  # the first categorical row with a count in every cell
    return out


def check_stated_counts(study: Study) -> list[Finding]:
    """Counts of patients, lesions and events stated in different places agree, within each cohort.

    A count is compared only with counts of the same cohort (``cohort`` of a stated count or a
    table; none for a single-cohort spec): the validation cohort's 50 patients never contradict
    the training cohort's 99.
    """
    stated = defaultdict(list)
    spans = []  # counts over several cohorts: (key, cohorts)
    for c in study.stated_counts:
        if c.sum_of_cohorts or c.cohort == "all":
            members = c.sum_of_cohorts or tuple(co.id for co in study.cohorts)
            key = ("+".join(members) if c.sum_of_cohorts else "all", c.quantity)
            stated[key].append((int(c.value.value), c.where))
            if (key, members) not in spans:
                spans.append((key, members))
            continue
        stated[(c.cohort, c.quantity)].append((int(c.value.value), c.where))
    tables = _table_counts(study)
    for (
        key,
        members,
    ) in spans:  # the sum over the member cohorts, from each one's first stated or table count
        parts = [
            (stated.get((m, key[1])) or tables.get((m, key[1])) or [(None, "")])[0] for m in members
        ]
        if all(v is not None for v, _ in parts):
            stated[key].append(
                (
                    sum(v for v, _ in parts),
                    "sum over "
                    + " + ".join(
                        f"{study.cohort_label(m)} ({v}, {w})" for m, (v, w) in zip(members, parts)
                    ),
                )
            )
    cohorts = sorted(
        {k[0] for k in stated} | {k[0] for k in tables}, key=lambda c: (c is not None, c or "")
    )
    for d in study.derived_counts:
        for coh in cohorts:
            parts = [stated.get((coh, q), [(None, "")])[0][0] for q in d["sum_of"]]
            if all(p is not None for p in parts):
                stated[(coh, d["quantity"])].append(
                    (sum(parts), "sum of " + " + ".join(d["sum_of"]))
                )
    out = []
    for key in sorted(
        set(stated) | set(tables), key=lambda k: (k[0] is not None, k[0] or "", k[1])
    ):
        if key not in stated:
            continue
        coh, q = key
        places = stated[key] + tables.get(key, [])
        span = next((m for k, m in spans if k == key), None)
        if len(places) < 2:  # stated once: nothing to compare (a count over cohorts says why)
            if span is not None:
                out.append(
                    Finding(
                        id=f"design.counts:{coh}:{q}",
                        check="design",
                        where=places[0][1],
                        claim=f"number of {q.replace('_', ' ')} over the "
                        + " and ".join(str(study.cohort_label(m)) for m in span),
                        published=places[0][0],
                        recomputed=None,
                        verdict="note",
                        detail="no count of "
                        + q.replace("_", " ")
                        + " is stated for every one of these cohorts, so the "
                        "total cannot be checked against its parts",
                    )
                )
            continue
        values = sorted({v for v, _ in places})
        ok = len(values) == 1
        odd = (
            []
            if ok
            else [
                f"{v} ({w})"
                for v, w in places
                if v != max(values, key=lambda x: sum(vv == x for vv, _ in places))
            ]
        )
        out.append(
            Finding(
                id=f"design.counts:{q}" if coh is None else f"design.counts:{coh}:{q}",
                check="design",
                where="; ".join(w for _, w in places),
                claim=f"number of {q.replace('_', ' ')}"
                + (
                    ""
                    if coh is None
                    else f" in the {study.cohort_label(coh)}"
                    if span is None
                    else " over the " + " and ".join(str(study.cohort_label(m)) for m in span)
                ),
                published=values,
                recomputed=len(places),
                verdict="consistent" if ok else "inconsistent",
                compared=compared(*((f"count {i + 1}", v, w) for i, (v, w) in enumerate(places))),
                detail=(
                    f"{values[0]} in all {len(places)} places"
                    if ok
                    else f"{len(values)} different values in {len(places)} places; odd one(s) out: "
                    + "; ".join(odd)
                ),
            )
        )
    return out


def check_patient_lesion_feasibility(study: Study) -> list[Finding]:
    """Patient-level counts against lesion-level counts under the stated maximum lesions per patient.

    A patient characteristic is shared by all of that patient's lesions, so a category with
    ``n`` patients has between ``n`` and ``max * n`` lesions, and vice versa.
    """
    kmax = study.fact("max_lesions_per_patient")
    if kmax is None:
        return []
    where_max = study.design["max_lesions_per_patient"].where
    pt = [t for t in study.tables if t.unit == "patient"]
    ls = [t for t in study.tables if t.unit == "lesion"]
    out = []
    for tp in pt:
        for tl in ls:
            if tp.cohort != tl.cohort:  # different patients: nothing to compare
                continue
            for row in tp.rows:
                rl = tl.row(row.variable)
                if row.kind != "categorical" or rl is None or rl.kind != "categorical":
                    continue
                for lv in row.levels:
                    key = label_key(lv.level)
                    lvl = next((x for x in rl.levels if label_key(x.level) == key), None)
                    if lvl is None:
                        continue
                    n = sum(c.count for c in lv.cells.values())
                    m = sum(c.count for c in lvl.cells.values())
                    ok = n <= m <= kmax * n
                    out.append(
                        Finding(
                            id=f"design.patient_lesion:{row.variable}:{lv.level}"
                            + ("" if tp.cohort is None else f":{tp.cohort}"),
                            check="design",
                            where=f"{tp.where(row, lv)} vs {tl.where(rl, lvl)}",
                            claim=f"{n} patients carry {m} lesions (at most {kmax} per patient: {where_max})",
                            published={"patients": n, "lesions": m},
                            recomputed={"feasible_lesions": [n, kmax * n]},
                            verdict="consistent" if ok else "inconsistent",
                            compared=compared(
                                ("patients", n, tp.where(row, lv)),
                                ("lesions", m, tl.where(rl, lvl)),
                                ("maximum lesions per patient", kmax, where_max),
                            ),
                            detail=(
                                f"{n} <= {m} <= {kmax * n}"
                                if ok
                                else f"{m} lesions cannot come from {n} patients with at most {kmax} lesions each "
                                f"(feasible {n}..{kmax * n}); "
                                "unless the variable is recorded per lesion, one table is wrong"
                            ),
                        )
                    )
    for coh in sorted(
        {u.cohort for u in outcome_counts(study)}, key=lambda c: (c is not None, c or "")
    ):
        out.extend(_outcome_feasibility(study, coh, kmax))
    return out


def _outcome_feasibility(study: Study, coh: str | None, kmax: int) -> list[Finding]:
    out = []
    sfx = "" if coh is None else f":{coh}"
    units = {u.unit: u for u in counts_for(study, coh)}
    if "patient" in units and "lesion" in units:
        p, l = units["patient"], units["lesion"]
        for g in sorted(set(p.by_outcome) & set(l.by_outcome)):
            n, m = p.by_outcome[g], l.by_outcome[g]
            ok = n <= m <= kmax * n
            out.append(
                Finding(
                    id=f"design.patient_lesion:outcome:{g}{sfx}",
                    check="design",
                    where=f"{p.where} vs {l.where}",
                    claim=f"{n} {g} patients carry {m} {g} lesions",
                    published={"patients": n, "lesions": m},
                    recomputed={"feasible_lesions": [n, kmax * n]},
                    verdict="consistent" if ok else "inconsistent",
                    compared=compared(("patients", n, p.where), ("lesions", m, l.where)),
                    detail=(
                        f"feasible if every lesion of a patient shares the patient's response "
                        f"({n} <= {m} <= {kmax * n})"
                        if ok
                        else f"infeasible: {n} patients give {n}..{kmax * n} lesions"
                    ),
                )
            )
        n, m = p.total, l.total
        ok = n <= m <= kmax * n
        two = m - n
        out.append(
            Finding(
                id=f"design.patient_lesion:total{sfx}",
                check="design",
                where=f"{p.where} vs {l.where}",
                claim=f"{n} patients, {m} lesions, at most {kmax} per patient",
                published={"patients": n, "lesions": m},
                recomputed={"patients_with_2": two if kmax == 2 else None},
                verdict="consistent" if ok else "inconsistent",
                compared=compared(("patients", n, p.where), ("lesions", m, l.where)),
                detail=(
                    f"feasible; with at most 2 per patient, {two} patients contribute 2 lesions and {n - two} one"
                    if ok and kmax == 2
                    else ("feasible" if ok else "infeasible")
                ),
            )
        )
    return out


def _candidates(study: Study) -> dict[str, tuple[int, str]]:
    out = {}
    # the candidates: the univariable table when the spec has several, else the (first) regression table; a
    # polytomous row counts once whatever the number of outcome levels it is printed for
    reg = next((r for r in study.regressions if r.kind == "univariable"), study.regression)
    if reg is not None:
        df = sum(
            max(1, len(rr.levels)) for rr in reg.rows
        )  # a k-level row printed against a reference: k - 1 df
        out[
            "clinical candidates (regression table rows, 1 df each)"
            if df == len(reg.rows)
            else "clinical candidates (regression table, one df per printed estimate)"
        ] = (df, table_label(reg.title, reg.id))
        fm = next((r for r in study.regressions if r.final_model), None)
        if fm is not None:
            out["final model predictors"] = (len(fm.final_model), fm.final_model_where)
    rad = study.radiomics or {}
    if rad.get("n_after_filters"):
        out["radiomics features entering LASSO"] = (
            int(rad["n_after_filters"]["value"]),
            rad["n_after_filters"]["where"],
        )
    if rad.get("n_features"):
        out["radiomics features extracted"] = (
            int(rad["n_features"]["value"]),
            rad["n_features"]["where"],
        )
    return out


def _analysis_counts(study: Study):
    """Outcome counts of the development cohort (:func:`analysis_cohort`), in the analysis unit."""
    unit = study.fact("analysis_unit", "lesion")
    mine = counts_for(study, analysis_cohort(study))
    for u in mine:
        if u.unit == unit:
            return u
    return mine[0] if mine else None


def _events(study: Study, u) -> tuple[int, int, str] | str:
    """``(events, non-events, label)`` of the development cohort's counts for the model, or why not."""
    ev, ref, owner = model_groups(study)
    split = binary_split(u, ev, ref, owner)
    if isinstance(split, str):
        return split
    label = (
        f"{'+'.join(ev)} vs {'+'.join(ref or [g for g in u.by_outcome if g not in ev])}"
        if ev
        else "smaller outcome group"
    )
    return split[0], split[1], label


def _multinomial(study: Study, u) -> tuple[str, int] | None:
    """The smallest outcome category ``(group, count)`` when the model the design statements describe (the first
    regression table, as in :func:`model_groups`) is a polytomous (multinomial) table whose outcome levels and
    reference outcome are the counts' outcome groups, else None. Its count limits a multinomial model as the events
    do a binary one (de Jong VMT et al., Stat Med 2019;38:1601-19, doi:10.1002/sim.8063)."""
    reg = study.regression
    if reg is None or not reg.outcome_levels or reg.reference_outcome is None or reg.event_groups:
        return None
    cats = (*reg.outcome_levels, reg.reference_outcome)
    if set(cats) != set(u.by_outcome):
        return None
    g = min(cats, key=lambda c: (u.by_outcome[c], c))
    return g, int(u.by_outcome[g])


def _unpaired(fid: str, where: str, what: str, why: str) -> Finding:
    return Finding(
        id=fid,
        check="design",
        where=where,
        claim=what,
        published=None,
        recomputed=None,
        verdict="not-reproducible",
        detail=why,
    )


def check_events_per_variable(study: Study) -> list[Finding]:
    """Events per candidate variable (EPV) for each set of candidate predictors the paper considered.
    With more than two outcome groups the events are the model's ``event_groups`` (not-reproducible
    without them)."""
    u = _analysis_counts(study)
    if u is None:
        return []
    sp = _events(study, u)
    out = []
    multi = _multinomial(study, u) if isinstance(sp, str) else None
    # a polytomous table names the outcome's categories: the smallest one limits the model
    if multi is not None:
        sp = (
            multi[1],
            u.total - multi[1],
            f"smallest outcome category {multi[0]} of a multinomial model",
        )
    if isinstance(sp, str):
        return [
            _unpaired(f"design.epv:{name}", where, f"events per variable for {k} {name}", sp)
            for name, (k, where) in _candidates(study).items()
        ]
    events, _, label = sp
    for name, (k, where) in _candidates(study).items():
        epv = events / k
        out.append(
            Finding(
                id=f"design.epv:{name}",
                check="design",
                where=where,
                claim=f"{events} events ({label}, {u.unit}s) for {k} {name}",
                published=k,
                recomputed=round(epv, 3),
                verdict="note",
                detail=(
                    f"EPV = {epv:.2f}"
                    + (
                        " (below the rule of thumb of 10; Peduzzi et al. 1996, "
                        "doi:10.1016/S0895-4356(96)00236-3)"
                        if epv < 10
                        else ""
                    )
                ),
            )
        )
    return out


def check_sample_size(study: Study) -> list[Finding]:
    """Minimum sample size of Riley et al. (BMJ 2020) for the paper's model, against the n used."""
    u = _analysis_counts(study)
    if u is None:
        return []
    fusion = [
        a for a in study.auc if a.kind == "apparent" and a.cohort in (None, analysis_cohort(study))
    ]
    if not fusion:
        return []
    c = max(a.estimate.value for a in fusion)
    sp = _events(study, u)
    if isinstance(sp, str) and _multinomial(study, u) is not None:
        sp = (
            "the model is multinomial (a polytomous table); Riley et al.'s criteria are for a binary outcome, and "
            "their multinomial extension (Pate et al., Stat Methods Med Res 2023) is not implemented"
        )
    if isinstance(sp, str):
        return [
            _unpaired(
                f"design.sample_size:{name}", where, f"minimum sample size for {k} {name}", sp
            )
            for name, (k, where) in _candidates(study).items()
            if "extracted" not in name
        ]
    n_ev, n_ref, _ = sp
    n = n_ev + n_ref
    prev = n_ev / n
    out = []
    for name, (k, where) in _candidates(study).items():
        if "extracted" in name:
            continue
        try:
            res = riley_sample_size(prevalence=prev, n_parameters=k, c_statistic=c)
        except NenauditError as exc:  # e.g. a prevalence so small that no C-statistic is attainable
            out.append(
                Finding(
                    id=f"design.sample_size:{name}",
                    check="design",
                    where=where,
                    claim=f"{n} {u.unit}s ({n_ev} events) for a model with {k} parameters ({name})",
                    published=n,
                    recomputed=None,
                    verdict="not-reproducible",
                    detail=f"Riley et al. 2020 minimum sample size cannot be computed from these numbers: {exc}",
                )
            )
            continue
        need = int(res.n_min)
        out.append(
            Finding(
                id=f"design.sample_size:{name}",
                check="design",
                where=where,
                claim=f"{n} {u.unit}s ({n_ev} events) for a model with {k} parameters ({name})",
                published=n,
                recomputed=res.to_dict(),
                verdict="note",
                detail=(
                    f"Riley et al. 2020 (doi:10.1136/bmj.m441) with prevalence {prev:.3f}, C = {c} "
                    f"(R2_CS {res.r2_cs:.3f} by Riley 2021): minimum n = {need} "
                    f"({'met' if n >= need else f'not met: the study has {n / need:.0%} of it'})"
                ),
            )
        )
    return out


def check_clustering(study: Study) -> list[Finding]:
    """Lesions nested in patients analysed as independent observations (development cohort)."""
    units = {u.unit: u for u in counts_for(study, analysis_cohort(study))}
    if not {"patient", "lesion"} <= set(units):
        return []
    p, l = units["patient"], units["lesion"]
    if l.total <= p.total:
        return []
    return [
        Finding(
            id="design.clustering",
            check="design",
            where=f"{l.where}; regression and AUC analyses",
            claim=f"{l.total} lesions from {p.total} patients analysed as independent observations",
            published={"patients": p.total, "lesions": l.total},
            recomputed={"lesions_per_patient": round(l.total / p.total, 3)},
            verdict="note",
            detail=(
                "tests, ORs and AUC CIs at lesion level treat two lesions of one patient as independent, which "
                "understates standard errors when outcomes cluster within patients; a patient-level bootstrap "
                "(nenaudit validate --scheme cluster) or a GEE/mixed model accounts for it"
            ),
        )
    ]


CHECKS = [
    check_stated_counts,
    check_patient_lesion_feasibility,
    check_events_per_variable,
    check_sample_size,
    check_clustering,
]
