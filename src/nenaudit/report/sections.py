"""Build the report's :class:`~nenaudit.report.document.Document` from a pipeline run and the study spec.

Each ``_section_*`` function makes one section; :func:`build_document` puts them in the order
of :data:`nenaudit.report.document.SECTIONS`. Published values are read from the spec only.
"""

from __future__ import annotations

from typing import Any

from nenaudit.audit.findings import VERDICTS
from nenaudit.report.audit_report import folded_consistent
from nenaudit.report.document import (
    DIFFERENT,
    EQUAL,
    INSIDE,
    NA,
    OUTCOME_CODE,
    SECTIONS,
    Document,
    Figure,
    Para,
    Section,
    Table,
    cell,
    cells_for,
    comparison,
    continuous_mark,
    continuous_text,
    fmt,
    fmt_p,
    group_code,
    like,
    mark_all,
    mark_count,
    mark_estimate,
    mark_value,
    nan,
    p_like,
    paper,
    reproduced_auc,
    selected_features,
    spec_table,
    test_text,
)

__all__ = ["mark_with_ci", "build_document"]


def _dec(printed, default: int = 3) -> int:
    return printed.decimals if printed is not None and printed.decimals is not None else default


SEPARATION_NOTE = (
    1 / 20
)  # share of separated resamples above which the report explains what leaving them out does


def mark_with_ci(printed, x, printed_ci, ci) -> str:
    """The estimate's mark, and 'equal' only when the printed CI bounds are equal too (else 'inside CI')."""
    mk = mark_estimate(printed, x, printed_ci, ci)
    if mk == EQUAL and printed_ci is not None and ci is not None:
        bounds = mark_all(EQUAL, mark_value(printed_ci.lo, ci[0]), mark_value(printed_ci.hi, ci[1]))
        mk = EQUAL if bounds == EQUAL else INSIDE
    return mk


def _or_text(printed_est, est, ci, printed_ci=None) -> str:
    d = _dec(printed_est)
    lo = _dec(printed_ci.lo, d) if printed_ci is not None else d
    hi = _dec(printed_ci.hi, d) if printed_ci is not None else d
    return f"{fmt(est, d)} ({fmt(ci[0], lo)}–{fmt(ci[1], hi)})"


# ------------------------------------------------------------------------------ summary
def _summary(res, study, findings, crosscheck) -> Section:
    s = Section("summary", "Summary")
    rows = []
    rad = study.radiomics or {}
    terms = (rad.get("radscore") or {}).get("terms") or []
    sel = selected_features(res)
    if terms:
        n_pub = len(terms)
        rows.append(
            [
                "radiomics features selected by the LASSO",
                paper(str(n_pub)),
                cell(str(len(sel)), EQUAL if len(sel) == n_pub else DIFFERENT),
            ]
        )
    for a in _auc_entries(study):
        r = reproduced_auc(res, a.model) if a.kind == "apparent" else None
        label = f"AUC, {a.model} ({a.kind})"
        pub = a.estimate.raw + (f" ({a.ci.lo.raw}–{a.ci.hi.raw})" if a.ci else "")
        if a.kind == "bootstrap":
            b = res.validation["published"]
            txt = f"{like(a.estimate, b.mean)} ({like(a.estimate, b.ci_lower)}–{like(a.estimate, b.ci_upper)})"
            rows.append(
                [
                    label + " [scheme (a)]",
                    paper(pub),
                    cell(txt, mark_with_ci(a.estimate, b.mean, a.ci, (b.ci_lower, b.ci_upper))),
                ]
            )
        elif r is None:
            rows.append([label, paper(pub), cell("not fitted in this run", NA)])
        else:
            rows.append(
                [
                    label,
                    paper(pub),
                    cell(
                        _or_text(a.estimate, r["auc"], r["ci"], a.ci),
                        mark_with_ci(a.estimate, r["auc"], a.ci, r["ci"]),
                    ),
                ]
            )
    reg = study.regression
    if reg is not None and reg.final_model:
        same = [t.casefold() for t in reg.final_model] == [t.casefold() for t in res.final_terms]
        rows.append(
            [
                "final model",
                paper(", ".join(reg.final_model)),
                cell(", ".join(res.final_terms) or "(none)", EQUAL if same else DIFFERENT),
            ]
        )
    v = res.validation
    honest = "; ".join(
        f"{lab} {fmt(v[k].index('C').corrected)}"
        for k, lab in (
            ("harrell", "Harrell"),
            ("pipeline", "whole pipeline"),
            ("cluster", "by patient"),
        )
    )
    rows.append(
        [
            "optimism-corrected AUC of the fusion model (the paper reports none)",
            paper(None),
            cell(honest),
        ]
    )
    s.blocks.append(
        Table(
            "summary-table",
            "What the paper printed and what this run gives",
            ["quantity", "paper", "this run"],
            rows,
        )
    )
    if findings is not None:
        n = {vd: sum(f.verdict == vd for f in findings) for vd in VERDICTS}
        s.blocks.append(
            Para(
                f"Audit of the published numbers: {len(findings)} findings: "
                + ", ".join(f"{n[vd]} {vd}" for vd in VERDICTS)
                + " (section 2)."
            )
        )
    if not sel:
        s.blocks.append(
            Para(
                "The LASSO selected no radiomics feature at lambda.min on this cohort: there is no "
                "Radscore, and every Radscore-dependent result below is absent or says so.",
                "warning",
            )
        )
    if crosscheck is None:
        s.blocks.append(
            Para("Parity with R: not checked in this run (see the Parity section).", "note")
        )
    else:
        bad = sum(not r["pass"] for r in crosscheck["rows"])
        s.blocks.append(
            Para(
                f"Parity with R: {len(crosscheck['rows'])} statistics of every pipeline step computed in "
                f"Python and in R; {bad} outside tolerance.",
                "warning" if bad else "",
            )
        )
    s.blocks.append(
        Para(
            f"{res.n_lesions} lesions of {res.n_patients} patients on cohort {res.cohort}; "
            f"{res.n_events} lesions with outcome 1 (ineffective).",
            "note",
        )
    )
    return s


def _auc_entries(study):
    """One spec AUC entry per (model, kind): the first printed, with a CI if any printing has one."""
    seen = {}
    for a in study.auc:
        k = (a.model, a.kind)
        if k not in seen or (seen[k].ci is None and a.ci is not None):
            seen[k] = a
    return list(seen.values())


# ------------------------------------------------------------------------------ audit
def _audit(findings) -> Section:
    s = Section("audit", "Audit of the published numbers")
    if findings is None:
        s.blocks.append(Para("The audit was not run.", "note"))
        return s
    for vd in ("inconsistent", "not-reproducible", "note"):
        rows = [[f.check, f.where, f.claim, f.detail] for f in findings if f.verdict == vd]
        if rows:
            s.blocks.append(
                Table(
                    f"audit-{vd}",
                    f"{vd} ({len(rows)})",
                    ["check", "where", "claim", "detail"],
                    rows,
                )
            )
    s.blocks.extend(folded_consistent(findings))
    return s


# ------------------------------------------------------------------------------ tables 1 and 2
def _group_table(res, study, tid: str, gc, title: str) -> Section:
    s = Section(tid, title)
    t = spec_table(study, tid)
    if t is None:
        s.blocks.append(Para(f"The study spec has no {tid}.", "note"))
        return s
    total = tid == "table1" and len(t.groups) == 1
    comp = res.table1_total if total else gc
    groups = t.groups
    codes = {g.id: ("total" if total else group_code(t, g)) for g in groups}
    header = [
        [("Characteristic", 1)]
        + [(g.label, 2) for g in groups]
        + [("Statistic", 1), ("Test (this run)", 1), ("p", 2)]
    ]
    n_run = {"total": res.n_patients, "0": res.n_lesions - res.n_events, "1": res.n_events}
    if tid == "table1" and not total:
        n_run = {}  # patient groups by outcome: the cells show their counts
    run_label = {
        g.id: f"this run (n = {n_run[codes[g.id]]})" if n_run.get(codes[g.id]) else "this run"
        for g in groups
    }
    sub = (
        [("", 1)]
        + [x for g in groups for x in (("paper", 1), (run_label[g.id], 1))]
        + [("", 1), ("", 1), ("paper", 1), ("this run", 1)]
    )
    header.append(sub)
    cols = (
        ["characteristic"]
        + [f"{g.label}: {w}" for g in groups for w in ("paper", run_label[g.id])]
        + ["statistic", "test (this run)", "p: paper", "p: this run"]
    )
    rows, kinds = [], []
    tested = gc  # the test is always the by-outcome comparison
    for row in t.rows:
        vc = comparison(comp, "outcome" if row.outcome else row.variable)
        vt = None if row.outcome else comparison(tested, row.variable)
        pub_p = row.p
        p_cells = [
            paper(pub_p.raw if pub_p else None),
            cell(
                p_like(pub_p, vt.p) if vt is not None and vt.p is not None else "-",
                mark_value(pub_p, vt.p) if (pub_p and vt is not None) else (NA if pub_p else None),
            ),
        ]
        if vc is None and not row.outcome:
            rows.append(
                [row.variable]
                + [cell("not in this cohort", NA) for _ in range(2 * len(groups))]
                + [_stat_name(row.kind), "-"]
                + p_cells
            )
            kinds.append("variable")
            continue
        if row.kind == "categorical":
            rows.append(
                [row.variable] + [""] * (2 * len(groups)) + ["n (%)", test_text(vt)] + p_cells
            )
            kinds.append("variable")
            for lv in row.levels:
                r = [lv.level]
                for g in groups:
                    pc = lv.cells[g.id]
                    level = (
                        next(
                            (
                                code
                                for code, name in _outcome_levels().items()
                                if name == lv.outcome_group
                            ),
                            None,
                        )
                        if row.outcome
                        else lv.level
                    )
                    c = cells_for(vc, codes[g.id], level) if codes[g.id] else None
                    d = pc.percent.decimals if pc.percent.decimals is not None else 1
                    txt = "-" if c is None else f"{c.count} ({fmt(c.percent, d)})"
                    r += [
                        paper(f"{pc.count} ({pc.percent.raw})"),
                        cell(txt, mark_count(pc, c.count if c else None, c.percent if c else None)),
                    ]
                rows.append(r + ["", "", "", ""])
                kinds.append("level")
        else:
            r = [row.variable]
            for g in groups:
                pc = row.cells[g.id]
                c = cells_for(vc, codes[g.id]) if codes[g.id] else None
                txt, vals = continuous_text(row.kind, c, pc)
                r += [
                    paper(_printed_cell(row.kind, pc)),
                    cell(txt, continuous_mark(row.kind, pc, vals)),
                ]
            rows.append(r + [_stat_name(row.kind), test_text(vt)] + p_cells)
            kinds.append("variable")
    s.blocks.append(Table(f"{tid}-table", t.title, cols, rows, header, kinds))
    notes = []
    if total:
        notes.append(
            "The paper's Table 1 has one column (all patients) and no test; 'Test (this run)' and its p "
            "compare the outcome groups of this run."
        )
    notes.append(
        "Reproduced cells are printed in the paper's statistic at its precision; the test is the one "
        f"this run's rule chose ({gc.rule.describe()})."
    )
    s.blocks.append(Para(" ".join(notes), "note"))
    return s


def _outcome_levels():
    return OUTCOME_CODE


def _stat_name(kind: str) -> str:
    return {"mean_sd": "mean ± SD", "median_iqr": "median [Q1, Q3]", "categorical": "n (%)"}[kind]


def _printed_cell(kind, pc) -> str:
    if kind == "mean_sd":
        return f"{pc.mean.raw} ± {pc.sd.raw}"
    return f"{pc.median.raw} [{pc.q1.raw}, {pc.q3.raw}]"


# ------------------------------------------------------------------------------ table 3
def _regression(res, study) -> Section:
    s = Section("table3", "Table 3: logistic regression")
    reg = study.regression
    header = [
        [
            ("Variable", 1),
            ("Univariable OR (95% CI)", 2),
            ("p", 2),
            ("Multivariable OR (95% CI)", 2),
            ("p", 2),
        ],
        [("", 1)] + [("paper", 1), ("this run", 1)] * 4,
    ]
    cols = [
        "variable",
        "univariable OR: paper",
        "this run",
        "p: paper",
        "p: this run",
        "multivariable OR: paper",
        "this run",
        "p: paper",
        "p: this run",
    ]
    rows = []
    names = [r.variable for r in reg.rows] if reg else []
    names += [n for n in res.univariable if n.casefold() not in {x.casefold() for x in names}]
    by_key = {r.variable.casefold(): r for r in (reg.rows if reg else ())}
    for name in names:
        pr = by_key.get(name.casefold())
        u = next((v for k, v in res.univariable.items() if k.casefold() == name.casefold()), None)
        m = next((v for k, v in res.multivariable.items() if k.casefold() == name.casefold()), None)
        row = [name]
        for est, got, missing in (
            (pr.univariable if pr else None, u, "not fitted"),
            (pr.multivariable if pr else None, m, "not in the final model"),
        ):
            if est is None:
                row += [paper(None)]
            else:
                row += [
                    paper(
                        est.raw.split(" (")[0] + f" ({est.ci.lo.raw}–{est.ci.hi.raw})"
                        if est.ci
                        else est.raw
                    )
                ]
            if got is None:
                row += [cell(missing if est is not None else "-", NA if est is not None else None)]
            else:
                pe = est.estimate if est else None
                mk = mark_with_ci(pe, got["or"], est.ci, got["ci"]) if est else None
                row += [cell(_or_text(pe, got["or"], got["ci"], est.ci if est else None), mk)]
            pp = est.p if est else None
            row += [
                paper(pp.raw if pp else None),
                cell(
                    p_like(pp, got["p"]) if got else "-",
                    mark_value(pp, got["p"]) if (got and pp) else (NA if pp else None),
                    "the printed p is malformed" if pp is not None and pp.malformed else "",
                ),
            ]
        rows.append(row)
    s.blocks.append(
        Table("table3-table", reg.title if reg else "Logistic regression", cols, rows, header)
    )
    if reg is not None and reg.final_model:
        s.blocks.append(
            Para(
                f"Final model in the paper ({reg.final_model_where}): {', '.join(reg.final_model)}. "
                f"This run (univariable p < {res.config.entry:g}, then backward Wald elimination of "
                f"p > {res.config.stay:g}): {', '.join(res.final_terms) or '(none)'}. ORs per unit of "
                "the coded variable, profile-likelihood 95% CIs (R's confint)."
            )
        )
    return s


# ------------------------------------------------------------------------------ selection funnel
def _selection(res, study) -> Section:
    s = Section("selection", "Radiomics selection")
    sel = res.selection
    rad = study.radiomics or {}
    cfg = res.config.selection
    n_feat = (rad.get("n_features") or {}).get("value")
    n_after = (rad.get("n_after_filters") or {}).get("value")
    terms = (rad.get("radscore") or {}).get("terms") or []
    n_icc = (
        sel["n_input"]
        - len(sel["removed_nonfinite"])
        - len(sel["removed_constant"])
        - len(sel["removed_icc"])
    )

    def cmp(pub, got):
        return cell(str(got), None if pub is None else (EQUAL if pub == got else DIFFERENT))

    rows = [
        [
            "features extracted",
            paper(None if n_feat is None else str(n_feat)),
            cmp(n_feat, sel["n_input"]),
        ],
        [
            "after removing non-finite / constant features",
            paper(None),
            cell(
                str(sel["n_input"] - len(sel["removed_nonfinite"]) - len(sel["removed_constant"]))
            ),
        ],
        [f"after the ICC filter (ICC < {cfg.icc_threshold:g} out)", paper(None), cell(str(n_icc))],
        [
            f"after the Spearman filter (|rho| > {cfg.spearman_cutoff:g} out)",
            paper(None if n_after is None else str(n_after)),
            cmp(n_after, sel["n_after_filters"]),
        ],
        [
            f"selected by the LASSO at lambda.{sel['which']}",
            paper(str(len(terms)) if terms else None),
            cmp(len(terms) if terms else None, len(sel["selected"])),
        ],
    ]
    s.blocks.append(Table("funnel", "Selection funnel", ["step", "paper", "this run"], rows))
    s.blocks.append(
        Para(f"lambda.min = {sel['lambda_min']:.5g}, lambda.1se = {sel['lambda_1se']:.5g}.")
    )
    rs = sel.get("radscore") or {}
    coefs = rs.get("coefficients") or {}
    if not coefs:
        s.blocks.append(
            Para(
                "The LASSO selected no feature at lambda.min: the Radscore is empty on this cohort.",
                "warning",
            )
        )
        return s
    rrows = [[name, f"{c:+.4f}"] for name, c in coefs.items()]
    s.blocks.append(
        Table(
            "radscore",
            f"Radscore of this run = {rs.get('intercept', 0.0):+.4f} + the terms below "
            "(z-scored features, pyradiomics names)",
            ["feature", "coefficient"],
            rrows,
        )
    )
    if terms:
        prs = rad.get("radscore") or {}
        s.blocks.append(
            Table(
                "radscore-paper",
                f"Radscore as printed ({prs.get('where', 'the paper')}; no intercept)",
                ["feature (the paper's name)", "coefficient"],
                [[t["feature"], paper(t["coefficient"])] for t in terms],
            )
        )
    return s


# ------------------------------------------------------------------------------ discrimination, validation, calibration
def _discrimination(res, study) -> Section:
    s = Section("discrimination", "Discrimination")
    rows = []
    pub = {a.model: a for a in _auc_entries(study) if a.kind == "apparent"}
    for label, a in res.auc.items():
        key = next((m for m in pub if reproduced_auc(res, m) is a), None)
        pa = pub.get(key) if key else None
        rows.append(
            [
                label,
                f"{fmt(a['auc'])} ({fmt(a['ci'][0])}–{fmt(a['ci'][1])})",
                paper(
                    f"{pa.estimate.raw} ({pa.ci.lo.raw}–{pa.ci.hi.raw})"
                    if pa and pa.ci
                    else (pa.estimate.raw if pa else None)
                ),
                cell("", mark_with_ci(pa.estimate, a["auc"], pa.ci, a["ci"]) if pa else NA),
            ]
        )
    s.blocks.append(
        Table(
            "auc",
            "AUC with DeLong 95% CI (pROC::ci.auc)",
            ["score", "this run", "paper", "mark"],
            rows,
        )
    )
    s.blocks.append(
        Figure(
            "roc",
            "ROC curves",
            "ROC curves with DeLong 95% confidence bands of the sensitivity "
            "(bootstrap) and the Youden point.",
        )
    )
    return s


def _validation(res, study) -> Section:
    s = Section("validation", "Validation")
    v = res.validation
    a = v["published"]
    rows = [
        [
            "(a) as published: fixed model, AUC on resamples",
            fmt(a.apparent),
            fmt(a.mean),
            "-",
            "-",
            f"{a.n_ok}/{a.n_boot}",
        ]
    ]
    labels = {
        "harrell": "(b) Harrell: final formula refitted",
        "pipeline": "(c) whole pipeline re-run",
        "cluster": "(d) patients resampled (final formula)",
    }
    for key in ("harrell", "pipeline", "cluster"):
        r = v[key]
        c = r.index("C")
        rows.append(
            [
                labels[key],
                fmt(c.apparent),
                fmt(c.training),
                fmt(c.optimism),
                fmt(c.corrected),
                f"{r.n_ok}/{r.n_boot}",
            ]
        )
    s.blocks.append(
        Table(
            "validation-table",
            f"AUC by validation scheme ({res.config.n_boot} resamples each, seed "
            f"{res.config.seed})",
            [
                "scheme",
                "apparent AUC",
                "bootstrap mean",
                "optimism",
                "corrected AUC",
                "usable resamples",
            ],
            rows,
        )
    )
    fails = {k: {r: n for r, n in x.failures.items() if n} for k, x in v.items()}
    fail_txt = "; ".join(f"{k}: {f}" for k, f in fails.items() if f) or "none"
    boot = next((e for e in _auc_entries(study) if e.kind == "bootstrap"), None)
    txt = (
        "Scheme (a) is what the paper calls a bootstrap-verified AUC"
        + (f" ({boot.estimate.raw})" if boot else "")
        + ": it measures the precision of a fixed score, not the optimism of building it. Failed resamples "
        f"(counted, left out of the averages): {fail_txt}."
    )
    kept = {k: x.kept_separated for k, x in v.items() if getattr(x, "kept_separated", 0)}
    sep = max((x.failures.get("separation", 0) / x.n_boot for x in v.values()), default=0.0)
    if kept:
        txt += (
            " Resamples whose final model separated were kept with glm's estimates (--keep-separated): "
            + "; ".join(f"{k}: {n}" for k, n in kept.items())
            + "."
        )
    elif sep > SEPARATION_NOTE:
        txt += (
            f" Up to {100 * sep:.0f}% of the resamples of a scheme failed with separation; those are the most "
            "overfitted fits, so leaving them out (as rms does) makes the optimism look smaller than it is; "
            "`nenaudit reproduce --keep-separated` keeps them."
        )
    s.blocks.append(Para(txt))
    s.blocks.append(
        Figure(
            "validation",
            "AUC by validation scheme",
            "AUC by scheme: the apparent AUC, the paper's "
            "scheme (a) with its percentile interval, and the optimism-corrected AUC of schemes (b)-(d) "
            "with +/- 1 Monte Carlo SE of the optimism; the published AUC as a line.",
        )
    )
    return s


def _instability(res, study) -> Section:
    s = Section("instability", "Instability of the whole pipeline")
    inst = res.instability
    if not inst:
        s.blocks.append(
            Para("No usable whole-pipeline resample: no instability to report.", "warning")
        )
        return s
    q = inst["mape_quantiles"]
    rows = [
        ["bootstrap models (whole pipeline refitted)", str(inst["n_boot"])],
        [
            "MAPE, mean over lesions (median; 90th percentile; max)",
            f"{fmt(inst['mape'])} ({fmt(q['q50'])}; {fmt(q['q90'])}; {fmt(inst['mape_max'])})",
        ],
        [
            f"classification instability index at risk {fmt(inst['threshold'])} (Youden's cut point)"
            if res.config.instability_threshold is None
            else f"classification instability index at risk {fmt(inst['threshold'])}",
            fmt(inst["cii"]),
        ],
        [
            "calibration instability: mean |bootstrap curve - developed curve|",
            fmt(inst["calibration_mad"]),
        ],
    ]
    sel = inst.get("selection") or {}
    for kind, label in (
        ("features", "Radscore features"),
        ("predictors", "final-model predictors"),
    ):
        k = sel.get(kind)
        if k:
            rows.append(
                [
                    f"{label}: mean selection frequency of the developed model's; distinct sets; mean size",
                    f"{fmt(k['mean_original'])}; {k['n_distinct_sets']}; {fmt(k['mean_size'], 1)}",
                ]
            )
    s.blocks.append(
        Table(
            "instability-table",
            "Riley & Collins (2023) instability measures",
            ["quantity", "value"],
            rows,
        )
    )
    for kind, label in (("features", "Radscore feature"), ("predictors", "final-model predictor")):
        k = sel.get(kind)
        if k and k["original"]:
            freq = k["frequency"]
            s.blocks.append(
                Table(
                    f"instability-{kind}",
                    f"How often each {label} of the developed model was selected "
                    f"across {k['n']} resamples",
                    [label, "selection frequency"],
                    [[n, fmt(freq[n])] for n in k["original"]],
                )
            )
    s.blocks.append(
        Para(
            "Each bootstrap resample re-ran the whole procedure (filters, LASSO-CV, Radscore, screening, "
            "backward elimination); its model then predicted the original lesions. MAPE is each lesion's "
            "mean absolute difference between the bootstrap models' risks and the developed model's; the "
            "classification instability index is the share of bootstrap models classifying a lesion "
            "differently at the threshold (Riley RD, Collins GS. Biom J 2023;65:e2200302)."
        )
    )
    s.blocks.append(
        Figure(
            "instability",
            "prediction and calibration instability plots",
            "Left: each bootstrap model's risk for each lesion against the developed model's, with the "
            "2.5% and 97.5% quantiles per lesion. Right: each bootstrap model's lowess calibration "
            "curve on the original data, and the developed model's. Third: each bootstrap model's net "
            "benefit on the original data (decision-curve instability), the developed model's and "
            "treat all.",
        )
    )
    return s


def _calibration(res) -> Section:
    s = Section("calibration", "Calibration")
    c = res.calibration
    fit, hl, err = c["fit"], c["hosmer_lemeshow"], c["errors"]
    rows = [
        ["calibration intercept / slope (apparent)", f"{fmt(fit.intercept)} / {fmt(fit.slope)}"],
        ["Brier score", fmt(fit.brier)],
        [
            f"Hosmer-Lemeshow ({hl.g} groups)",
            f"chi2 = {fmt(hl.statistic, 2)}, df = {hl.df}, p = {fmt_p(hl.p_value)}",
        ]
        if hl is not None
        else [
            "Hosmer-Lemeshow",
            "not computed: the risk groups have tied cut points (see warnings)",
        ],
        ["ICI / E50 / E90", f"{fmt(err.ici)} / {fmt(err.e50)} / {fmt(err.e90)}"],
    ]
    h = res.validation["harrell"]
    rows.append(["optimism-corrected slope (Harrell)", fmt(h.index("Slope").corrected)])
    boot = c.get("bootstrap")
    if boot is not None:
        rows.append(
            [
                f"bias-corrected curve (rms::calibrate, {boot.n_ok}/{boot.n_boot} resamples): mean |error| / 0.9 "
                "quantile",
                f"{fmt(boot.mean_abs_error)} / {fmt(boot.error_90)}",
            ]
        )
    s.blocks.append(
        Table("calibration-table", "Calibration of the fusion model", ["quantity", "value"], rows)
    )
    s.blocks.append(
        Figure(
            "calibration",
            "calibration curves",
            "Apparent and bias-corrected (Harrell bootstrap, as "
            "rms::calibrate) calibration curves, ideal line, and the distribution of predicted risks.",
        )
    )
    return s


def _decision() -> Section:
    s = Section("decision", "Decision curve")
    s.blocks.append(
        Figure(
            "dca",
            "decision curves",
            "Net benefit of the fusion model, treat all and treat none "
            "(dcurves conventions), and the standardized net benefit.",
        )
    )
    return s


def _nomogram(res) -> Section:
    s = Section("nomogram", "Nomogram")
    s.blocks.append(
        Figure(
            "nomogram",
            "nomogram",
            "Nomogram of the final model in rms::nomogram conventions: "
            f"points axis, one axis per predictor ({', '.join(res.final_terms)}), total points and "
            "the predicted probability of an ineffective response.",
        )
    )
    return s


def _lasso(res, figure_keys) -> Section:
    s = Section("lasso", "LASSO")
    if "lasso" in figure_keys:
        s.blocks.append(
            Figure(
                "lasso",
                "LASSO cross-validation and coefficient path",
                "cv.glmnet's curve (binomial "
                "deviance +/- 1 SE by log(lambda), lambda.min and lambda.1se) and the coefficient path.",
            )
        )
    else:
        s.blocks.append(Para("No LASSO fit to draw.", "note"))
    if not selected_features(res):
        s.blocks.append(
            Para("The LASSO selected no feature at lambda.min on this cohort.", "warning")
        )
    return s


# ------------------------------------------------------------------------------ parity, warnings, provenance
def _parity(crosscheck, why_not: str | None) -> Section:
    s = Section("parity", "Parity with R")
    if crosscheck is None:
        s.blocks.append(
            Para(
                "Not checked against R in this run: " + (why_not or "R was not available") + ". "
                "Run `nenaudit crosscheck` where R and rpy2 are installed.",
                "warning",
            )
        )
        return s
    rows = [
        [
            r["step"],
            r["statistic"],
            _num(r["python"]),
            _num(r["r"]),
            _num(r["abs_diff"]),
            _num(r["tolerance"]),
            cell("pass" if r["pass"] else "FAIL", EQUAL if r["pass"] else DIFFERENT),
        ]
        for r in crosscheck["rows"]
    ]
    bad = sum(not r["pass"] for r in crosscheck["rows"])
    s.blocks.append(
        Para(
            f"`nenaudit crosscheck` ran every step of the pipeline in Python and in R "
            f"({crosscheck.get('r_version', 'R')}) on this cohort: {len(rows)} statistics, {bad} outside "
            f"tolerance, in {crosscheck.get('seconds', float('nan')):.0f} s."
        )
    )
    s.blocks.append(
        Table(
            "parity-table",
            "Python vs R, step by step",
            ["step", "statistic", "Python", "R", "|difference|", "tolerance", "pass"],
            rows,
        )
    )
    return s


def _num(x: Any) -> str:
    if isinstance(
        x, str
    ):  # name lists of the exact rows: shortened (the full lists are in results.json)
        return x if len(x) <= 60 else x[:57] + "…"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (list, tuple)):
        return ", ".join(map(str, x))
    if nan(x):
        return "NA"
    try:
        return f"{float(x):.10g}"
    except (TypeError, ValueError):
        return str(x)


def _warnings(res) -> Section:
    s = Section("warnings", "Warnings")
    if res.warnings:
        s.blocks.append(
            Table(
                "warnings-table",
                f"{len(res.warnings)} warnings of the run",
                ["warning"],
                [[w] for w in res.warnings],
            )
        )
    else:
        s.blocks.append(Para("No warnings."))
    return s


def _provenance(res, study, provenance: dict) -> Section:
    s = Section("provenance", "Provenance")
    rows = [
        ["cohort", res.cohort],
        ["study spec", f"{study.source} (sha256 {study.sha256})"],
        ["seed", f"{res.config.seed} (the bootstrap resamples of every scheme)"],
        [
            "fold seed",
            f"{res.config.selection.seed} (the {res.config.selection.nfolds} LASSO-CV folds, on the whole "
            "cohort and afresh in every resample of the whole-pipeline scheme)",
        ],
        ["resamples per scheme", str(res.config.n_boot)],
    ]
    rows += [[k, str(v)] for k, v in provenance.items()]
    s.blocks.append(Table("provenance-table", "How this report was made", ["item", "value"], rows))
    return s


def build_document(
    res,
    study,
    *,
    findings=None,
    crosscheck: dict | None = None,
    crosscheck_why_not: str | None = None,
    provenance: dict | None = None,
    figure_keys=(),
) -> Document:
    """The whole report as a :class:`Document` (sections in :data:`SECTIONS` order)."""
    secs = [
        _summary(res, study, findings, crosscheck),
        _audit(findings),
        _group_table(res, study, "table1", res.table1, "Table 1: patients"),
        _group_table(res, study, "table2", res.table2, "Table 2: lesions by outcome"),
        _regression(res, study),
        _selection(res, study),
        _discrimination(res, study),
        _validation(res, study),
        _instability(res, study),
        _calibration(res),
        _decision(),
        _nomogram(res),
        _lasso(res, figure_keys),
        _parity(crosscheck, crosscheck_why_not),
        _warnings(res),
        _provenance(res, study, provenance or {}),
    ]
    assert [x.id for x in secs] == [i for i, _ in SECTIONS]
    title = f"Reproduction of {study.id} on {res.cohort}"
    sub = study.citation
    return Document(title, sub, secs)
