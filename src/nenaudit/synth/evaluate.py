"""Achieved against published: what a synthetic cohort gives back when the stats module is run on it.

Every number here is computed by :mod:`nenaudit.stats` (``compare.summarize``, ``compare.quantile7``,
``logistic.fit_logistic``, ``discrimination.roc_auc``, ``features.icc_filter`` and
``features.spearman_filter``), on the cohort as written (values rounded to the CSV precision).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import FitFailure
from nenaudit.pipeline import PipelineConfig, build_design
from nenaudit.stats.discrimination import roc_auc
from nenaudit.stats.features import icc_filter, spearman_filter
from nenaudit.stats.logistic import fit_logistic
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.table1 import summarize
from nenaudit.study.schema import label_key
from nenaudit.synth.realize import Design, outcomes_of

__all__ = ["table_cells", "regression", "radiomics", "refit"]


ICC_FORM = (
    "ICC2"  # two-way random effects, absolute agreement, single rater (Shrout & Fleiss ICC(2,1))
)


def _r(x: float | None, digits: int = 6) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(f"{x:.{digits}g}")


def _name(d: Design, variable: str) -> str:
    return next(n for n in d.variables if label_key(n) == label_key(variable))


def table_cells(d: Design, patients: pd.DataFrame, lesions: pd.DataFrame) -> list[dict[str, Any]]:
    """Every published cell of the patient and lesion tables with the achieved value (``summarize``)."""
    out = []
    for t in ([d.patient_table] if d.patient_table else []) + [d.lesion_table]:
        df = patients if t.unit == "patient" else lesions
        other = [o for o in d.outcomes if o != d.event]
        data = df.assign(_group=df["outcome"].map({1: d.event, 0: other[0] if other else "other"}))
        for r in t.rows:  # the outcome row of the patient table: patients per outcome group
            if r.outcome:
                for lv in r.levels:
                    if lv.outcome_group in d.outcomes:
                        for gid, cell in lv.cells.items():
                            outs = outcomes_of(t, gid, d.outcomes)
                            got = int(
                                (
                                    (data["_group"] == lv.outcome_group) & data["_group"].isin(outs)
                                ).sum()
                            )
                            out.append(
                                {
                                    "table": t.id,
                                    "variable": r.variable,
                                    "level": lv.level,
                                    "group": gid,
                                    "published": cell.count,
                                    "achieved": got,
                                    "ok": got == cell.count,
                                }
                            )
        for g in t.groups:  # group sizes (n in the header)
            got = int(data["_group"].isin(outcomes_of(t, g.id, d.outcomes)).sum())
            out.append(
                {
                    "table": t.id,
                    "variable": "n",
                    "level": "n",
                    "group": g.id,
                    "published": g.n,
                    "achieved": got,
                    "ok": got == g.n,
                }
            )
        rows = [r for r in t.rows if not r.outcome]
        names = [_name(d, r.variable) for r in rows]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comp = {v.variable: v for v in summarize(data, "_group", vars=names).variables}
        for r, name in zip(rows, names):
            vc = comp[name]
            for gid in [g.id for g in t.groups]:
                outs = outcomes_of(t, gid, d.outcomes)
                if r.kind == "categorical":
                    for lv in r.levels:
                        got = sum(
                            c.count for c in vc.cells if c.level == lv.level and c.group in outs
                        )
                        pub = lv.cells[gid].count
                        out.append(
                            {
                                "table": t.id,
                                "variable": r.variable,
                                "level": lv.level,
                                "group": gid,
                                "published": pub,
                                "achieved": int(got),
                                "ok": int(got) == pub,
                            }
                        )
                    continue
                cell = r.cells[gid]
                vals = pd.to_numeric(data.loc[data["_group"].isin(outs), name]).to_numpy(float)
                if hasattr(cell, "q1"):
                    q = quantile7(vals, [0.25, 0.5, 0.75])
                    for stat, pr, x in (
                        ("q1", cell.q1, q[0]),
                        ("median", cell.median, q[1]),
                        ("q3", cell.q3, q[2]),
                    ):
                        out.append(
                            {
                                "table": t.id,
                                "variable": r.variable,
                                "level": stat,
                                "group": gid,
                                "published": pr.raw,
                                "achieved": _r(float(x)),
                                "ok": pr.agrees(float(x)),
                            }
                        )
                else:
                    for stat, pr, x in (
                        ("mean", cell.mean, vals.mean()),
                        ("sd", cell.sd, vals.std(ddof=1)),
                    ):
                        out.append(
                            {
                                "table": t.id,
                                "variable": r.variable,
                                "level": stat,
                                "group": gid,
                                "published": pr.raw,
                                "achieved": _r(float(x)),
                                "ok": pr.agrees(float(x)),
                            }
                        )
            if r.p is not None:
                out.append(
                    {
                        "table": t.id,
                        "variable": r.variable,
                        "level": "p",
                        "group": vc.test,
                        "published": r.p.raw,
                        "achieved": _r(vc.p, 4),
                        "ok": r.p.agrees(vc.p)
                        if r.p.value is not None and vc.p is not None
                        else None,
                    }
                )
    return out


def regression(d: Design, cohort_lesions: pd.DataFrame, coded: pd.DataFrame) -> dict[str, Any]:
    """Univariable ORs of every Table 3 row, the multivariable model, the final (fusion) model and AUCs."""
    reg = d.study.regression
    y = coded["outcome"].to_numpy(float)
    res: dict[str, Any] = {"univariable": [], "multivariable": [], "fusion": None, "auc": []}
    if reg is None:
        return res

    def fit(names):
        X = coded[[_name(d, n) for n in names]].to_numpy(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit_logistic(X, y, names=list(names))

    def rows_of(f, names, pubs):
        out = []
        ors, ci = f.odds_ratio, f.or_ci_profile
        for i, n in enumerate(names, start=1):
            pub = pubs[n]
            out.append(
                {
                    "variable": n,
                    "published": pub.raw if pub else None,
                    "or": _r(ors[i], 4),
                    "ci": [_r(ci[i, 0], 4), _r(ci[i, 1], 4)],
                    "p": _r(f.p[i], 3),
                    "log_or_diff": _r(float(np.log(ors[i]) - np.log(pub.estimate.value)), 3)
                    if pub and pub.estimate.value
                    else None,
                }
            )
        return out

    for row in reg.rows:
        key = label_key(row.variable)
        if row.univariable is None or not any(label_key(n) == key for n in d.variables):
            continue
        res["univariable"] += rows_of(
            fit([row.variable]), [row.variable], {row.variable: row.univariable}
        )
    multi = [r.variable for r in reg.rows if r.multivariable is not None]
    if multi:
        res["multivariable"] = rows_of(
            fit(multi),
            multi,
            {r.variable: r.multivariable for r in reg.rows if r.multivariable is not None},
        )
    final = list(reg.final_model)
    pub_auc = {(a.model, a.kind): a for a in d.study.auc}
    rad = next((n for n in d.variables if label_key(n) == "radscore"), None)
    if rad is not None:
        a = roc_auc(y, cohort_lesions[rad].to_numpy(float))
        p = pub_auc.get(("radscore", "apparent"))
        res["auc"].append(
            {
                "model": "radscore",
                "published": p.estimate.raw if p else None,
                "achieved": _r(a.auc, 4),
            }
        )
    if final:
        f = fit(final)
        res["fusion"] = {
            "variables": final,
            "coefficients": rows_of(f, final, {n: None for n in final}),
        }
        a = roc_auc(y, f.fitted)
        p = pub_auc.get(("fusion", "apparent"))
        res["auc"].append(
            {
                "model": "fusion",
                "published": p.estimate.raw if p else None,
                "achieved": _r(a.auc, 4),
            }
        )
    return res


def radiomics(
    features: pd.DataFrame,
    observers: pd.DataFrame,
    icc_threshold: float,
    rho_threshold: float,
    signature: tuple[str, ...] = (),
) -> dict[str, Any]:
    """How many features pass the ICC filter (intra and inter, ``stats.features.icc_filter``) and then the
    Spearman redundancy filter (``stats.features.spearman_filter``, caret's findCorrelation rule)."""
    cols = list(features.columns)
    o12 = observers[(observers["observer"] == 1) & (observers["repeat"] == 2)].set_index(
        "lesion_id"
    )[cols]
    o21 = observers[(observers["observer"] == 2) & (observers["repeat"] == 1)].set_index(
        "lesion_id"
    )[cols]
    readings = {
        "intra": (features.loc[o12.index, cols], o12),
        "inter": (features.loc[o21.index, cols], o21),
    }
    icc = icc_filter(readings, threshold=icc_threshold, form=ICC_FORM)
    kept = list(icc.kept)
    corr = spearman_filter(features[kept], cutoff=rho_threshold) if len(kept) > 1 else None
    survivors = set(corr.kept) if corr is not None else set(kept)
    intra = np.array(list(icc.icc["intra"].values()))
    inter = np.array(list(icc.icc["inter"].values()))
    return {
        "icc_form": ICC_FORM,
        "n_resegmented": len(o12),
        "n_features": len(cols),
        "n_icc_pass": len(kept),
        "n_after_spearman": len(survivors),
        "signature_after_filters": sum(k in survivors for k in signature),
        "spearman_rule": "stats.features.spearman_filter (caret::findCorrelation on Spearman correlations)",
        "icc_intra_median": _r(float(np.median(intra)), 4),
        "icc_inter_median": _r(float(np.median(inter)), 4),
    }


def refit(cohort) -> dict[str, Any]:
    """The paper's pipeline re-run on the cohort's raw features (``nenaudit.pipeline.build_design`` and
    ``PaperProcedure``: ICC and Spearman filters, LASSO-CV at lambda.min, Radscore, univariable screen and
    backward Wald elimination) with apparent AUCs (``stats.discrimination.roc_auc``); a failure of the
    procedure (no feature selected, separation in the final model) is reported, not raised."""
    X, y, _, proc = build_design(cohort, PipelineConfig(n_boot=1))
    sig = {s["key"] for s in (cohort.manifest.get("radiomics") or {}).get("signature", [])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = proc(X, y)
        except FitFailure as exc:  # recorded, as the bootstrap counts it
            return {"ok": False, "failure": str(exc)}
    sel = list(m.selection.selected)
    return {
        "ok": True,
        "n_after_filters": len(m.selection.correlation.kept),
        "n_selected": len(sel),
        "signature_selected": sum(k in sig for k in sel),
        "selected": sel,
        "lambda_min": _r(float(m.selection.lasso.lambda_min)),
        "radscore_auc": _r(roc_auc(y, m.radscore(X)).auc, 4),
        "fusion_auc": _r(roc_auc(y, m.predict_lp(X)).auc, 4),
        "final_terms": list(m.terms),
    }
