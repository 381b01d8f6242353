"""The reproduction report: a pipeline run set against the published numbers, with figures.

:func:`write_report` writes into one directory ``report.md`` (readable on GitHub or in any
Markdown viewer), ``results.json`` (every number) and the figures as PNG. It writes into a
temporary sibling directory and renames it at the end, so a directory called complete is
complete.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from nenaudit.report import figures


def _f(x: Any, d: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{d}f}"


def _p(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _md(rows, headers) -> str:
    return tabulate(rows, headers=headers, tablefmt="github")


def _published(study) -> dict[str, Any]:
    from nenaudit.pipeline import published_values

    return published_values(study)


def _selection_section(res) -> str:
    s = res.selection
    rows = [["features extracted", s["n_input"], "851 (3.2)"],
            ["removed: non-finite / constant", f"{len(s['removed_nonfinite'])} / {len(s['removed_constant'])}", "-"],
            ["removed by the ICC filter (< 0.75)", len(s["removed_icc"]), "-"],
            ["removed by the Spearman filter (|rho| > 0.9)", len(s["removed_correlation"]), "-"],
            ["left for the LASSO", s["n_after_filters"], "60 (3.2)"],
            [f"selected at lambda.{s['which']}", len(s["selected"]), "9 (3.2)"]]
    rs = s["radscore"]
    terms = "\n".join(f"| {n} | {c:+.4f} |" for n, c in rs["coefficients"].items())
    return (_md(rows, ["step", "this run", "paper"])
            + f"\n\nlambda.min = {s['lambda_min']:.5g}, lambda.1se = {s['lambda_1se']:.5g}. "
            + f"Radscore = {rs['intercept']:+.4f} (intercept) + the terms below, on z-scored features "
              "(the paper prints its formula without an intercept):\n\n| feature | coefficient |\n|---|---|\n" + terms)


def _table2_section(res, study) -> str:
    t2 = study.table("table2") if any(t.id == "table2" for t in study.tables) else None
    rows = []
    for v in res.table2.variables:
        pub_p = "-"
        if t2 is not None:
            r = t2.row(v.variable)
            if r is not None and r.p is not None:
                pub_p = r.p.raw
        if v.kind == "categorical":
            desc = "; ".join(f"{c.group}:{c.level}={c.count}" for c in v.cells)
        elif v.summary == "mean ± SD":
            desc = "; ".join(f"{c.group}: {_f(c.mean, 2)} ± {_f(c.sd, 2)}" for c in v.cells)
        else:
            desc = "; ".join(f"{c.group}: {_f(c.median, 2)} [{_f(c.q1, 2)}, {_f(c.q3, 2)}]" for c in v.cells)
        rows.append([v.variable, desc, v.test or "-", _p(v.p), pub_p])
    return _md(rows, ["variable", "by outcome (0 = effective, 1 = ineffective)", "test", "p", "p (paper)"])


def _regression_section(res, pub) -> str:
    rows = []
    for name, u in res.univariable.items():
        m = res.multivariable.get(name)
        rows.append([name, f"{_f(u['or'])} ({_f(u['ci'][0])}-{_f(u['ci'][1])})", _p(u["p"]),
                     pub["univariable"].get(name, "-"),
                     f"{_f(m['or'])} ({_f(m['ci'][0])}-{_f(m['ci'][1])})" if m else "", _p(m["p"]) if m else "",
                     pub["multivariable"].get(name, "")])
    return _md(rows, ["variable", "OR (95% profile CI)", "p", "paper", "adjusted OR", "p", "paper"])


def _validation_section(res, pub) -> str:
    v = res.validation
    a = v["published"]
    rows = [["(a) as published: fixed model, AUC on resamples", _f(a.apparent), _f(a.mean), "-", "-",
             f"{a.n_ok}/{a.n_boot}"]]
    labels = {"harrell": "(b) Harrell: final formula refitted", "pipeline": "(c) whole pipeline re-run",
              "cluster": "(d) patients resampled (final formula)"}
    for key in ("harrell", "pipeline", "cluster"):
        r = v[key]
        c = r.index("C")
        rows.append([labels[key], _f(c.apparent), _f(c.training), _f(c.optimism), _f(c.corrected),
                     f"{r.n_ok}/{r.n_boot}"])
    fails = {k: {r: n for r, n in x.failures.items() if n} for k, x in v.items()}
    fail_txt = "; ".join(f"{k}: {f}" for k, f in fails.items() if f) or "none"
    sep = max((x.failures.get("separation", 0) / x.n_boot for x in v.values()), default=0.0)
    caveat = ""
    kept = {k: x.kept_separated for k, x in v.items() if getattr(x, "kept_separated", 0)}
    if kept:
        caveat = (" Resamples whose final model separated were kept with glm's estimates (--keep-separated): "
                  + "; ".join(f"{k}: {n}" for k, n in kept.items()) + ".")
    elif sep > 0.05:
        caveat = (f" Up to {100 * sep:.0f}% of the resamples of a scheme failed with separation; those are the "
                  "most overfitted fits, so leaving them out (as rms does with fits that fail) makes the optimism "
                  "look smaller than it is; `nenaudit reproduce --keep-separated` keeps them.")
    boot = next((val for k, val in pub["auc"].items() if k.endswith(":bootstrap")), "-")
    return (_md(rows, ["scheme", "apparent AUC", "bootstrap mean", "optimism", "corrected AUC", "usable"])
            + f"\n\nThe paper reports a bootstrap AUC of {boot}: scheme (a) gives a number of that kind; it "
              "measures precision, not optimism. Failed resamples (counted, left out of the averages): "
            + fail_txt + "." + caveat)


def _calibration_section(res) -> str:
    c = res.calibration
    fit, hl, err = c["fit"], c["hosmer_lemeshow"], c["errors"]
    rows = [["calibration intercept / slope (apparent)", f"{_f(fit.intercept)} / {_f(fit.slope)}"],
            ["Brier score", _f(fit.brier)],
            [f"Hosmer-Lemeshow ({hl.g} groups)", f"chi2 = {_f(hl.statistic, 2)}, df = {hl.df}, p = {_p(hl.p_value)}"],
            ["ICI / E50 / E90", f"{_f(err.ici)} / {_f(err.e50)} / {_f(err.e90)}"]]
    h = res.validation["harrell"]
    rows.append(["optimism-corrected slope (Harrell)", _f(h.index("Slope").corrected)])
    return _md(rows, ["quantity", "value"])


def _figures(res, out: Path) -> dict[str, str]:
    files = {}
    ar = res.arrays
    ax = figures.roc_figure(ar["roc"], {k: tuple(v["ci"]) for k, v in res.auc.items()})
    files["roc"] = figures.save(ax, out / "roc.png").name
    cur = res.calibration["curve"]
    ax = figures.calibration_figure(cur.predicted, cur.observed, label="apparent (lowess)")
    files["calibration"] = figures.save(ax, out / "calibration.png").name
    d = res.dca
    ax = figures.dca_figure(d.thresholds, {"fusion model": d.model, "treat all": d.treat_all,
                                           "treat none": d.treat_none})
    files["dca"] = figures.save(ax, out / "dca.png").name
    ax = figures.nomogram_figure(res.nomogram, value_labels=ar.get("value_labels"))
    files["nomogram"] = figures.save(ax, out / "nomogram.png").name
    lasso = res.arrays.get("lasso")
    if lasso is not None:
        ax = figures.lasso_path_figure(lasso.lambdas, lasso.cvm, lasso.cvsd, lasso.lambda_min, lasso.lambda_1se)
        files["lasso"] = figures.save(ax, out / "lasso_cv.png").name
    return files


def render_markdown(res, study, figure_files: dict[str, str], audit_summary: str | None = None) -> str:
    pub = _published(study)
    auc_rows = []
    for label, a in res.auc.items():
        key = "radscore" if label == "Radscore" else "fusion"
        paper = next((v for k, v in pub["auc"].items() if k.startswith(key) and k.endswith(":apparent")), "-")
        auc_rows.append([label, f"{_f(a['auc'])} ({_f(a['ci'][0])}-{_f(a['ci'][1])})", paper])
    parts = [
        f"# Reproduction of {study.id} on {res.cohort}",
        f"{res.n_lesions} lesions of {res.n_patients} patients, {res.n_events} with outcome 1 (ineffective). "
        f"Validation with {res.config.n_boot} resamples per scheme (seed {res.config.seed}); the paper used 1000.",
    ]
    if audit_summary:
        parts.append(f"Audit of the published numbers: {audit_summary} (see `nenaudit audit`).")
    parts += [
        "## Radiomics selection", _selection_section(res),
        "## Table 2: lesions by outcome", _table2_section(res, study),
        "## Table 3: logistic regression", _regression_section(res, pub),
        f"Final model (univariable p < {res.config.entry:g}, backward Wald p > {res.config.stay:g} removed): "
        + ", ".join(res.final_terms) + ".",
        "## Discrimination", _md(auc_rows, ["score", "AUC (95% DeLong CI)", "paper"]),
        f"![ROC]({figure_files['roc']})",
        "## Validation", _validation_section(res, pub),
        "## Calibration", _calibration_section(res), f"![calibration]({figure_files['calibration']})",
        "## Decision curve", f"![decision curve]({figure_files['dca']})",
        "## Nomogram", f"![nomogram]({figure_files['nomogram']})",
    ]
    if "lasso" in figure_files:
        parts += ["## LASSO cross-validation", f"![LASSO CV]({figure_files['lasso']})"]
    if res.warnings:
        parts += ["## Warnings", "\n".join(f"- {w}" for w in res.warnings)]
    return "\n\n".join(parts) + "\n"


def write_report(res, study, out_dir, audit_summary: str | None = None) -> Path:
    """Write ``report.md``, ``results.json`` and the figures into ``out_dir`` (atomically, as a directory)."""
    out = Path(out_dir)
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    files = _figures(res, tmp)
    (tmp / "report.md").write_text(render_markdown(res, study, files, audit_summary), encoding="utf-8")
    data = res.to_dict()
    data.pop("arrays", None)
    (tmp / "results.json").write_text(json.dumps(data, indent=2, default=_default), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def _default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)
