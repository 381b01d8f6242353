"""What a simulation found: quantiles of every replicate metric, shares above the printed AUCs, figure.

The printed values are read from the study spec (:func:`nenaudit.pipeline.published_values`: the
apparent AUC of the Radscore and of the fusion model, Feng 2025: 0.852 and 0.928), never typed in.
A cohort "reaches" a printed AUC when its apparent AUC is at least the printed value. Every outcome is
counted by status: where the LASSO-CV selected nothing (``empty_selection``) there is no Radscore and
the final model is the clinical one (its AUC is the fusion model's); where the full-data final model
separated or did not converge it is kept as R's glm keeps it; where a validation scheme refused the
full data there are no numbers. A metric's quantiles are over the cohorts that have it; the shares
are given over all finished cohorts (a cohort without the metric reaches nothing) and over those
that have it. Quantiles are R's type 7 (:func:`nenaudit.stats.quantile.quantile7`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from nenaudit.io import dumps_json
from nenaudit.outputs import write_atomic
from nenaudit.pipeline import published_values
from nenaudit.simulate.replicate import METRICS, STATUSES
from nenaudit.stats.quantile import quantile7

__all__ = ["QUANTILES", "printed_aucs", "summarize", "quantile_table", "write_summary", "figure"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SUMMARY_NAME = "summary.json"
FIGURE_NAME = "simulation.png"


def printed_aucs(study) -> dict[str, float | None]:
    """The study's printed apparent AUCs: ``{"radscore": 0.852, "fusion": 0.928}`` for Feng 2025 (None if
    not printed)."""
    auc = published_values(study)["auc"]

    def num(key):
        v = auc.get(key)
        try:
            return None if v is None else float(str(v).strip())
        except ValueError:
            return None

    if getattr(study, "pipeline", None) is None:
        return {"radscore": num("radscore:apparent"), "fusion": num("fusion:apparent")}
    return _printed_by_role(study)


def _printed_by_role(study) -> dict[str, float | None]:
    """A spec with a pipeline section: the printed AUC of its score model and of its score + clinical model, on
    the development cohort (``radscore``, ``fusion``) and on its validation or external cohort
    (``radscore_validation``, ``fusion_validation``): the first AUC printed there, as printed."""
    p = study.pipeline
    dev = p.development.cohort
    val = next((s for s in p.samples if s.role != "development"), None)
    keys = {"score": "radscore", "score+clinical": "fusion"}
    out: dict[str, float | None] = {"radscore": None, "fusion": None}
    if val is not None:
        out.update({"radscore_validation": None, "fusion_validation": None})
    for m in p.models:
        key = keys.get(m.contains)
        if key is None:
            continue
        for a in study.auc:
            if a.model != m.model or a.kind not in (
                "apparent",
                "training",
                "validation",
                "test",
                "external",
                "reported",
            ):
                continue
            if a.cohort == dev and a.kind in ("apparent", "training") and out[key] is None:
                out[key] = a.estimate.value
            elif (
                val is not None
                and (a.cohort == val.cohort and a.cohort is not None)
                and out[f"{key}_validation"] is None
            ):
                out[f"{key}_validation"] = a.estimate.value
            elif a.cohort is None and a.kind not in ("apparent", "training") and val is not None:
                # printed without its cohort: set against both the apparent and the independent-cohort AUCs
                out[key] = a.estimate.value if out[key] is None else out[key]
                if out[f"{key}_validation"] is None:
                    out[f"{key}_validation"] = a.estimate.value
    return out


def _ok_values(rows, name) -> np.ndarray:
    vals = [r["metrics"].get(name) for r in rows]
    return np.array([v for v in vals if v is not None], dtype=float)


def _describe(x: np.ndarray) -> dict[str, Any]:
    if x.size == 0:
        return {"n": 0, "mean": None, **{f"q{round(100 * p):02d}": None for p in QUANTILES}}
    q = quantile7(x, list(QUANTILES))
    return {
        "n": int(x.size),
        "mean": float(np.mean(x)),
        **{f"q{round(100 * p):02d}": float(v) for p, v in zip(QUANTILES, q)},
    }


def _shares(rows, printed) -> dict[str, Any]:
    n_all = len(rows)
    out = {}
    for key, metric in (
        ("radscore", "auc_radscore"),
        ("fusion", "auc_fusion"),
        ("radscore_validation", "auc_validation_radscore"),
        ("fusion_validation", "auc_validation_fusion"),
    ):
        p = printed.get(key)
        if p is None:
            continue
        vals = _ok_values(rows, metric)
        n_ok = int(vals.size)
        hit = int(np.sum(vals >= p))
        out[key] = {
            "printed": p,
            "metric": metric,
            "reaching": hit,
            "of_finished": n_all,
            "of_with_model": n_ok,
            "share_of_finished": hit / n_all if n_all else None,
            "share_of_with_model": hit / n_ok if n_ok else None,
        }
    return out


def summarize(rows: list[dict], spec, printed: dict[str, float | None]) -> dict[str, Any]:
    """The summary of the stored rows (a complete run, or the part of it that is done)."""
    scales = {}
    for s in spec.scales:
        rs = [r for r in rows if r["scale"] == s]
        n_les = [r["details"].get("n_lesions") for r in rs if r["details"].get("n_lesions")]
        scales[str(s)] = {
            "scale": s,
            "n_lesions": int(np.median(n_les)) if n_les else None,
            "finished": len(rs),
            "planned": spec.cohorts,
            "status": {k: sum(r["status"] == k for r in rs) for k in STATUSES},
            "radscore_in_final": sum(bool(r["details"].get("radscore_in_final")) for r in rs),
            "metrics": {m: _describe(_ok_values(rs, m)) for m in METRICS},
            "shares": _shares(rs, printed),
        }
    return {
        "format": "nenaudit simulation summary 1",
        "mode": spec.mode,
        "spec": spec.to_dict(),
        "complete": len(rows) == spec.n_replicates,
        "finished": len(rows),
        "planned": spec.n_replicates,
        "printed": printed,
        "reaching_means": "apparent AUC >= the printed value",
        "quantiles": list(QUANTILES),
        "metric_descriptions": METRICS,
        "scales": scales,
    }


def quantile_table(summary: dict[str, Any], metrics=None) -> str:
    """A plain-text table: one line per (scale, metric) with n, mean and the quantiles."""
    metrics = metrics or list(METRICS)
    qs = [f"q{round(100 * p):02d}" for p in summary["quantiles"]]
    rows = []
    multi = len(summary["scales"]) > 1
    for s in summary["scales"].values():
        for m in metrics:
            d = s["metrics"][m]
            rows.append(
                ([f"x{s['scale']} ({s['n_lesions']})"] if multi else [])
                + [m, d["n"], d["mean"]]
                + [d[q] for q in qs]
            )
    head = (
        (["scale (lesions)"] if multi else [])
        + ["metric", "n", "mean"]
        + ["5%", "25%", "median", "75%", "95%"]
    )
    return tabulate(rows, headers=head, floatfmt=".3f", missingval="-")


def write_summary(summary: dict[str, Any], out: Path) -> Path:
    """``summary.json`` in ``out``: strict JSON (no NaN or infinity), written atomically."""
    p = Path(out) / SUMMARY_NAME
    write_atomic(p, dumps_json(summary, indent=1) + "\n")
    return p


def figure(rows: list[dict], summary: dict[str, Any], out: Path) -> Path:
    """Histograms of the apparent and corrected AUCs with the printed values marked (n-sweep: AUCs against n)."""
    # matplotlib (pyplot ~0.8 s) only for the figure: replicate workers import this package too
    import matplotlib  # noqa: PLC0415 - heavy, figure only

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 - heavy, figure only
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - heavy, figure only

    from nenaudit.report.figures import save  # noqa: PLC0415 - imports matplotlib.pyplot

    printed = summary["printed"]
    scales = list(summary["scales"].values())
    panels = (
        ("auc_radscore", "Radscore, apparent AUC", printed.get("radscore")),
        ("auc_fusion", "fusion model, apparent AUC", printed.get("fusion")),
        ("auc_pipeline", "fusion, whole-pipeline corrected AUC", printed.get("fusion")),
        ("n_lasso", "features selected by LASSO-CV", None),
    )
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    what = {"null": "null cohorts", "family": "faithful cohorts", "n-sweep": "null cohorts"}[
        summary["mode"]
    ]
    if len(scales) == 1:
        rs = rows
        for ax, (m, title, mark) in zip(axes.ravel(), panels):
            x = np.array(
                [r["metrics"][m] for r in rs if r["metrics"].get(m) is not None], dtype=float
            )
            if x.size:
                if m == "n_lasso":
                    bins = np.arange(x.min() - 0.5, x.max() + 1.5)
                else:  # AUCs on a common 0.01 grid, the printed value inside the axis
                    lo = min(0.5, float(np.floor(x.min() * 100) / 100))
                    bins = np.arange(lo, 1.0 + 1e-9, 0.01)
                    ax.set_xlim(lo, 1.0)
                ax.hist(x, bins=bins, color="0.6", edgecolor="white")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            if mark is not None:
                ax.axvline(mark, color="firebrick", lw=2, label=f"printed {mark:g}")
                ax.legend(frameon=False)
            ax.set_title(title, fontsize=10)
            ax.set_ylabel("cohorts")
        s = scales[0]
        fig.suptitle(
            f"{summary['mode']} ({summary['spec']['signal']}): {s['finished']} {what}; "
            f"{s['status']['empty_selection']} with an empty LASSO selection (clinical final model)",
            fontsize=11,
        )
    else:
        n = [s["n_lesions"] or s["scale"] for s in scales]
        for ax, (m, title, mark) in zip(axes.ravel(), panels):
            med = [s["metrics"][m]["q50"] for s in scales]
            lo = [s["metrics"][m]["q05"] for s in scales]
            hi = [s["metrics"][m]["q95"] for s in scales]
            ok = [i for i, v in enumerate(med) if v is not None]
            if ok:
                ax.plot([n[i] for i in ok], [med[i] for i in ok], "o-", color="0.2", label="median")
                ax.fill_between(
                    [n[i] for i in ok],
                    [lo[i] for i in ok],
                    [hi[i] for i in ok],
                    color="0.8",
                    label="5%-95%",
                )
            if mark is not None:
                ax.axhline(mark, color="firebrick", lw=2, label=f"printed {mark:g}")
            ax.set_xscale("log")
            ax.set_xlabel("lesions")
            ax.set_title(title, fontsize=10)
            ax.legend(frameon=False, fontsize=8)
        factors = ", ".join(f"x{s['scale']}" for s in scales)
        fig.suptitle(
            f"n-sweep ({summary['spec']['signal']}): the same design at {factors} the sample size",
            fontsize=11,
        )
    fig.tight_layout()
    return save(fig, Path(out) / FIGURE_NAME)
