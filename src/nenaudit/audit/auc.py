"""AUCs and their CIs against what the numbers of positives and negatives allow."""

from __future__ import annotations

from collections import defaultdict

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.audit.units import binary_split, counts_for
from nenaudit.stats.discrimination import (
    auc_ci_from_se,
    binormal_delong_se,
    hanley_mcneil_se,
    wald_ci_bound_ranges,
)
from nenaudit.study.schema import Study

# Half-widths that differ by no more than the two bounds' rounding are "symmetric".

__all__ = ["check_auc_ci", "check_auc_repeats", "check_auc_cohorts"]


def check_auc_ci(study: Study) -> list[Finding]:
    """Each printed AUC CI: symmetric (Wald/DeLong-type) or not, and its width against
    Hanley-McNeil and binormal-DeLong predictions for every analysis unit's counts.

    Only the counts of the AUC's own cohort are used. Without them the width of a symmetric CI
    cannot be judged: the finding is not-reproducible and says which counts are missing.
    """
    out = []
    for i, a in enumerate(study.auc):
        if a.ci is None:
            continue
        units = counts_for(study, a.cohort)
        est, lo, hi = a.estimate.value, a.ci.lo.value, a.ci.hi.value
        below, above = est - lo, hi - est
        tol = a.ci.lo.half_unit + a.ci.hi.half_unit + a.estimate.half_unit
        symmetric = abs(below - above) <= tol + 1e-12
        preds, unpaired = {}, []
        given = [("stated", (a.event_n, a.control_n))] if a.event_n is not None else []
        for unit, split in given or [
            (u.unit, binary_split(u, a.event_groups, a.reference_groups, f"spec.auc[{i}]"))
            for u in units
        ]:
            if isinstance(split, str):
                unpaired.append(split)
                continue
            n_pos, n_neg = split
            for name, fn in (
                ("Hanley-McNeil", hanley_mcneil_se),
                ("binormal DeLong", binormal_delong_se),
            ):
                se = fn(est, n_pos, n_neg)
                ci = auc_ci_from_se(est, se)
                preds[
                    f"{name}, {unit}" + ("" if unit == "stated" else "s") + f" ({n_pos} vs {n_neg})"
                ] = (float(ci[0]), float(ci[1]))
        printed_w = hi - lo
        ratios = {k: printed_w / (v[1] - v[0]) for k, v in preds.items()}
        exact = [k for k, v in preds.items() if a.ci.lo.agrees(v[0]) and a.ci.hi.agrees(v[1])]
        best = min(ratios, key=lambda k: abs(ratios[k] - 1)) if ratios else None
        se_ci = None
        # the printed SE: the CI is AUC -+ z SE over the rounding of AUC and SE
        if a.se is not None:
            lo_rng, hi_rng = wald_ci_bound_ranges(
                est, a.se.value, a.estimate.half_unit, a.se.half_unit
            )
            se_ci = auc_ci_from_se(est, a.se.value)
            fits = all(
                r[0] <= b.value + b.half_unit + 1e-12 and b.value - b.half_unit <= r[1] + 1e-12
                for r, b in ((lo_rng, a.ci.lo), (hi_rng, a.ci.hi))
            )
        if se_ci is not None:
            verdict = "consistent" if fits else "inconsistent"
            why = (
                f"{'equals' if fits else 'is not'} the printed AUC -+ 1.96 x the printed SE {a.se.raw} "
                f"({se_ci[0]:.4f}-{se_ci[1]:.4f}) over their rounding: a Wald-type CI"
            )
        elif not symmetric:
            verdict = "note"
            why = (
                f"asymmetric about the estimate (-{below:.3f}/+{above:.3f}): not a DeLong or Wald CI; "
                "a bootstrap percentile CI (pROC ci.auc method = 'bootstrap') would give this shape"
            )
        elif exact:
            verdict, why = "consistent", "reproduced by " + "; ".join(exact)
        elif best is not None and 0.5 <= ratios[best] <= 2:
            verdict = "note"
            why = (
                f"symmetric (±{below:.3f}), a Wald-type CI; its width is {ratios[best]:.2f} x the width predicted "
                f"by {best} (DeLong's variance depends on the score distributions, which the paper does not give)"
            )
        elif best is None and unpaired:
            verdict = "not-reproducible"
            why = f"symmetric (±{below:.3f}), but " + "; ".join(unpaired)
        elif best is None:
            verdict = "not-reproducible"
            coh = (
                f"the {study.cohort_label(a.cohort)}"
                if a.cohort
                else "the cohort this AUC describes"
            )
            why = (
                f"symmetric (±{below:.3f}), but the spec gives no outcome counts (events and non-events) for {coh}, "
                "which a predicted CI width needs; add the table whose groups are the outcome groups"
                + (f' with "cohort": "{a.cohort}"' if a.cohort else "")
            )
        else:
            verdict = "inconsistent"
            why = f"symmetric but {ratios[best]:.2f} x the nearest predicted width ({best})"
        out.append(
            Finding(
                id=f"auc.ci:{a.model}:{a.kind}:{i}",
                check="AUC confidence intervals",
                where=a.where,
                claim=f"{a.model} AUC ({a.kind}{'' if a.cohort is None else ', ' + str(study.cohort_label(a.cohort))}) "
                f"{a.estimate.raw} (95% CI {a.ci.lo.raw}-{a.ci.hi.raw})",
                published=[a.estimate.raw, a.ci.lo.raw, a.ci.hi.raw],
                recomputed={
                    "half_widths": [below, above],
                    "predicted_ci": preds,
                    "width_ratio": ratios,
                },
                verdict=verdict,
                detail=why,
                compared=compared(
                    ("printed CI", [a.ci.lo.raw, a.ci.hi.raw], a.where),
                    (
                        "CI predicted from the outcome counts",
                        [preds[k] for k in exact] or None,
                        RECOMPUTED,
                    ),
                    (
                        f"AUC -+ 1.96 x the printed SE {a.se.raw if a.se else ''}",
                        list(se_ci) if se_ci is not None else None,
                        RECOMPUTED,
                    ),
                ),
            )
        )
    return out


def check_auc_repeats(study: Study) -> list[Finding]:
    """The same AUC printed in several places is printed the same way."""
    out = []
    groups = defaultdict(list)
    for a in study.auc:
        groups[(a.model, a.kind, a.cohort)].append(a)
    for (model, kind, coh), entries in groups.items():
        if len(entries) < 2:  # printed once: nothing to compare
            continue
        vals = {
            (a.estimate.value, a.ci.lo.value if a.ci else None, a.ci.hi.value if a.ci else None)
            for a in entries
        }
        est = {v[0] for v in vals}
        cis = {(v[1], v[2]) for v in vals if v[1] is not None}
        ok = len(est) == 1 and len(cis) <= 1
        out.append(
            Finding(
                id=f"auc.repeat:{model}:{kind}" + ("" if coh is None else f":{coh}"),
                check="AUC confidence intervals",
                where="; ".join(a.where for a in entries),
                claim=f"the {kind} AUC of the {model} model"
                + ("" if coh is None else f" in the {study.cohort_label(coh)}")
                + f", printed {len(entries)} time(s)",
                published=sorted({a.estimate.raw for a in entries}),
                recomputed=sorted(cis),
                verdict="consistent" if ok else "inconsistent",
                detail="the same estimate and CI everywhere"
                if ok
                else "printed differently in different places",
                compared=tuple(
                    (
                        "AUC as printed there",
                        f"{a.estimate.raw}" + (f" ({a.ci.lo.raw}-{a.ci.hi.raw})" if a.ci else ""),
                        a.where,
                    )
                    for a in entries
                ),
            )
        )
    return out


def check_auc_cohorts(study: Study) -> list[Finding]:
    """In a spec with cohorts, an AUC without ``cohort`` cannot be matched to its counts: one note each,
    so that it is never silently unchecked."""
    if not study.cohorts:
        return []
    return [
        Finding(
            id=f"auc.cohort:{a.model}:{a.kind}:{i}",
            check="AUC confidence intervals",
            where=a.where,
            claim=f"{a.model} AUC ({a.kind}) {a.estimate.raw} describes one cohort",
            published=a.estimate.raw,
            recomputed=None,
            verdict="note",
            detail=(
                "the spec does not tie this AUC to a cohort (cohorts: "
                + ", ".join(c.id for c in study.cohorts)
                + '), so no cohort\'s outcome counts judge its CI; add "cohort" to spec.auc['
                + str(i)
                + "]"
            ),
        )
        for i, a in enumerate(study.auc)
        if a.cohort is None
    ]


CHECKS = [check_auc_ci, check_auc_repeats, check_auc_cohorts]
