"""Can the reported bootstrap figure be an optimism-corrected estimate?"""

from __future__ import annotations

import math

from nenaudit.audit.findings import Finding
from nenaudit.audit.units import binary_split, counts_for
from nenaudit.stats.samplesize import cstat_to_r2cs, heuristic_shrinkage
from nenaudit.study.schema import Study

__all__ = ["check_bootstrap_validation"]


def check_bootstrap_validation(study: Study) -> list[Finding]:
    """Compare each model's 'bootstrap' AUC with its apparent AUC and with what the methods describe.

    Harrell's optimism correction subtracts the mean optimism of refitted models, so the
    corrected AUC is below the apparent one by an amount that grows with the number of
    candidate parameters per event. A bootstrap AUC equal to the apparent AUC is what
    re-evaluating the *fixed* model on resamples gives (its mean is close to the apparent
    AUC): that is a precision estimate, not a validation. The expected size of the
    optimism is gauged by the heuristic shrinkage factor (van Houwelingen & le Cessie
    1990) with the model chi-square implied by the C-statistic (Riley et al. 2021).
    """
    out = []
    by_model: dict[tuple[str, str | None], dict[str, object]] = {}
    for a in study.auc:  # apparent and bootstrap AUCs of one model in one cohort
        by_model.setdefault((a.model, a.cohort), {}).setdefault(a.kind, a)
    desc = study.design.get("bootstrap_summary")
    refits = study.fact("bootstrap_refits_model")
    reg = study.regression
    for (model, coh), kinds in by_model.items():
        if "bootstrap" not in kinds or "apparent" not in kinds:
            continue
        units = {x.unit: x for x in counts_for(study, coh)}
        u = units.get(study.fact("analysis_unit", "lesion")) or (
            next(iter(units.values())) if units else None
        )
        app, boot = kinds["apparent"], kinds["bootstrap"]
        diff = boot.estimate.value - app.estimate.value
        shrink_txt, rec = "", {"difference": diff}
        split = (
            binary_split(u, app.event_groups, app.reference_groups, "this AUC")
            if u is not None
            else None
        )
        if isinstance(split, str):
            shrink_txt = f"; shrinkage not computed: {split}"
        elif split is not None:
            n = u.total
            prev = split[0] / sum(split)
            r2 = cstat_to_r2cs(app.estimate.value, prev)
            lr = -n * math.log(1 - r2)
            for label, df in (
                ("final model", len(reg.final_model) if reg and reg.final_model else None),
                ("candidate clinical parameters", len(reg.rows) if reg else None),
            ):
                if df:
                    s = heuristic_shrinkage(lr, df)
                    rec[f"shrinkage_{label.replace(' ', '_')}"] = s
                    shrink_txt += (
                        f"; heuristic shrinkage {s:.2f} for {df} {label} (LR chi-square ~{lr:.0f})"
                    )
        same = boot.estimate.agrees(app.estimate.value)
        if same:
            verdict = "inconsistent"
            why = (
                "the bootstrap AUC equals the apparent AUC at the printed precision, so it cannot be an "
                "optimism-corrected estimate of a model selected by univariable screening, backward elimination and "
                "LASSO on this many candidates"
            )
        elif diff > 0:
            verdict, why = (
                "inconsistent",
                "an optimism-corrected AUC cannot exceed the apparent AUC",
            )
        else:
            verdict, why = "note", f"the bootstrap AUC is {-diff:.3f} below the apparent one"
        if desc is not None:
            why += f". The methods describe: {desc.value} ({desc.where})"
        if refits is False:
            why += (
                "; no refitting in each resample is described, i.e. the fixed model "
                "was re-evaluated (scheme 'published')"
            )
        out.append(
            Finding(
                id=f"validation.bootstrap:{model}" + ("" if coh is None else f":{coh}"),
                check="validation",
                where=f"{app.where}; {boot.where}",
                claim=f"{model} AUC {app.estimate.raw} 'verified by bootstrap' as {boot.estimate.raw}",
                published={"apparent": app.estimate.raw, "bootstrap": boot.estimate.raw},
                recomputed=rec,
                verdict=verdict,
                detail=why + shrink_txt,
            )
        )
    return out


CHECKS = [check_bootstrap_validation]
