"""Every step of the paper's pipeline in Python and in R, on one cohort: ``nenaudit crosscheck``.

:func:`run_crosscheck` runs the pipeline (:func:`nenaudit.pipeline.run_pipeline`, with a small
number of resamples) and then hands R, step by step, the *same inputs* Python used at that step,
so that a difference shows where it arises instead of propagating:

===================  ==========================================================  =======================
step                 R                                                           Python
===================  ==========================================================  =======================
ICC filter           psych::ICC (``icc.R: icc_many``) on the observer readings    stats.icc / features
z-score              ``scale()`` (``features.R: ref_scale``)                      stats.features.zscore
Spearman filter      ``caret::findCorrelation(cor(Z, "spearman"))``               correlation_filter
cv.glmnet            ``cv.glmnet(binomial, foldid)`` with Python's foldid          stats.lasso.cv_lasso
Radscore             ``coef(cv, "lambda.min")`` applied to R's z-scores           RadscoreFormula
Table 1 / Table 2    chisq.test / fisher.test / wilcox.test / t.test by the rule  stats.table1.summarize
glm + confint        ``glm(binomial)``, ``confint`` (profile)                     stats.logistic
backward Wald        ``stepwise.R: stepwise_uni_backward``                        stats.stepwise
AUC + DeLong         ``pROC::roc``, ``ci.auc(method = "delong")``                 stats.discrimination
calibration          glm on logit(p), Hosmer-Lemeshow, lowess ICI                 stats.calibration
net benefit          dcurves' formula (``dca.R: dca_base``)                       stats.dca
nomogram             ``rms::nomogram`` on ``lrm``                                 stats.nomogram
bootstrap schemes    base-R loops on the same resample indices                    stats.validation
===================  ==========================================================  =======================

A vector statistic is one row: the element with the largest difference relative to its
tolerance is shown, ``n`` says how many elements were compared, and the row passes only when
every element does. A row passes when ``|python - r| <= atol + rtol * |r|`` (``numpy.isclose``'s
rule, as :mod:`nenaudit.parity.harness`); name sets and test choices must be identical.
Tolerances are the project's parity contract (:mod:`nenaudit.parity.harness`: coefficients
1e-6 relative, p-values 1e-6 absolute + 1e-4 relative, profile bounds 1e-4) or tighter where
both sides do the same arithmetic.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nenaudit.exceptions import NenauditError
from nenaudit.parity import rbridge as R
from nenaudit.parity.registry import ParityRow
from nenaudit.pipeline import (
    RADSCORE,
    PaperProcedure,
    PipelineConfig,
    build_design,
    observer_readings,
    run_pipeline,
)
from nenaudit.stats import validation as val
from nenaudit.stats.lasso import make_foldid

# Values from R are always copied (np.array, never np.asarray): a float vector from rpy2 can be
# viewed in place, and R may free its memory once the R object is collected.
from nenaudit.stats.result import Result, plain

__all__ = ["CrossRow", "Crosscheck", "run_crosscheck", "compare_values", "TOL"]

#: (rtol, atol) per kind of statistic
TOL = {
    "icc": (1e-6, 1e-12),
    "arith": (1e-10, 1e-12),  # the same closed-form arithmetic on both sides
    "lambda": (1e-10, 0.0),
    "coef": (1e-6, 1e-12),
    "cv": (1e-6, 1e-12),
    "radscore": (1e-8, 1e-10),
    "p": (1e-4, 1e-6),
    "profile": (1e-4, 1e-8),
    "auc": (0.0, 1e-12),
    "lowess": (1e-8, 1e-10),
    "boot": (0.0, 1e-8),
    "pipeline_boot": (0.0, 1e-6),
    "lrm": (1e-6, 1e-8),  # rms refits with lrm.fit (looser convergence than glm's IRLS)
}


@dataclass(frozen=True)
class CrossRow(ParityRow):
    """A :class:`~nenaudit.parity.registry.ParityRow` of one crosscheck ``step``; ``n`` elements were
    compared and the worst is shown (``python``, ``r``, the differences are that element's)."""

    step: str = ""
    n: int = 1

    def to_dict(self) -> dict:
        """The row as JSON-ready plain Python. A non-finite number stays a float: the writer
        (:func:`nenaudit.io.dumps_json`) turns it into ``null`` with a ``nonfinite`` note, the one convention."""
        return {
            "step": self.step,
            "statistic": self.statistic,
            "python": plain(self.python),
            "r": plain(self.r),
            "abs_diff": plain(self.abs_diff),
            "rel_diff": plain(self.rel_diff),
            "tolerance": plain(self.tolerance),
            "n": self.n,
            "exact": self.exact,
            "pass": self.passed,
        }


@dataclass(frozen=True)
class Crosscheck(Result):
    """The crosscheck of a cohort: one CrossRow per statistic, the R version and the run's seed and timing."""

    cohort: str
    n_boot: int
    seed: int
    rows: tuple[CrossRow, ...]
    r_version: str
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def all_pass(self) -> bool:
        return bool(self.rows) and all(r.passed for r in self.rows)

    def steps(self) -> list[str]:
        return list(dict.fromkeys(r.step for r in self.rows))

    def to_dict(self) -> dict:
        return {
            "cohort": self.cohort,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "r_version": self.r_version,
            "seconds": self.seconds,
            "all_pass": self.all_pass,
            "notes": list(self.notes),
            "rows": [r.to_dict() for r in self.rows],
        }


# ------------------------------------------------------------------------------ comparison
def compare_values(
    step: str, statistic: str, py, rv, kind: str, labels: Sequence[str] | None = None
) -> CrossRow:
    """One row: scalars as they are; arrays element by element, the worst element shown."""
    rtol, atol = TOL[kind]
    a = np.atleast_1d(np.array(py, dtype=float)).ravel()
    b = np.atleast_1d(np.array(rv if rv is not None else np.nan, dtype=float)).ravel()
    if a.size != b.size:
        return CrossRow(
            f"{statistic} (length {a.size} vs {b.size})",
            a.size,
            b.size,
            math.inf,
            math.inf,
            0.0,
            rtol,
            atol,
            False,
            step=step,
            n=max(a.size, b.size),
        )
    tol = atol + rtol * np.abs(b)
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & (a == b)
    with np.errstate(invalid="ignore"):
        d = np.where(both_nan | same_inf, 0.0, np.abs(a - b))
    d = np.where(np.isnan(d), np.inf, d)
    with np.errstate(invalid="ignore"):
        ok = (d <= tol) | both_nan | same_inf
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(d == 0, 0.0, d / np.abs(b))
        score = np.where(d == 0, 0.0, d / np.where(tol > 0, tol, np.finfo(float).tiny))
    j = int(np.argmax(score)) if a.size else 0
    label = statistic if a.size == 1 else f"{statistic} [{labels[j] if labels is not None else j}]"
    return CrossRow(
        label,
        float(a[j]),
        float(b[j]),
        float(d[j]),
        float(rel[j]),
        float(tol[j]),
        rtol,
        atol,
        bool(ok.all()),
        step=step,
        n=int(a.size),
    )


def compare_exact(step: str, statistic: str, py, rv) -> CrossRow:
    ok = py == rv

    def show(v):
        return ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v

    return CrossRow(
        statistic,
        show(py),
        show(rv),
        0.0 if ok else math.inf,
        0.0 if ok else math.inf,
        0.0,
        0.0,
        0.0,
        bool(ok),
        exact=True,
        step=step,
        n=len(py) if isinstance(py, (list, tuple)) else 1,
    )


def safe_name(c: str) -> str:
    """R's make.names for the names used here (spaces and signs become dots)."""
    return re.sub(r"[^0-9A-Za-z_.]", ".", c)


# ------------------------------------------------------------------------------ the run
STEPS = (
    "ICC filter",
    "z-score",
    "Spearman filter",
    "cv.glmnet",
    "Radscore",
    "Table 1",
    "Table 2",
    "univariable glm",
    "multivariable glm",
    "backward Wald",
    "AUC + DeLong",
    "calibration",
    "net benefit",
    "nomogram",
    "bootstrap (a) as published",
    "bootstrap (b) Harrell",
    "bootstrap (d) by patient",
    "bootstrap (c) whole pipeline",
)


def run_crosscheck(
    cohort,
    *,
    n_boot: int = 20,
    seed: int = 20250611,
    config=None,
    progress: Callable[[str], None] | None = None,
    perturb: Callable[[str, str, Any], Any] | None = None,
    steps: Sequence[str] | None = None,
) -> Crosscheck:
    """Run every pipeline step in Python and R on ``cohort`` (a loaded cohort) and compare.

    ``n_boot`` resamples per bootstrap scheme (shared indices on both sides). ``perturb`` (for
    tests) is called as ``perturb(step, statistic, python_value)`` and returns the value to
    compare, so a test can show that a changed Python number fails its row. ``steps`` (names of
    :data:`STEPS`) limits the run to those steps; default all.
    """

    t0 = time.perf_counter()
    say = progress or (lambda m: None)
    chosen = set(STEPS if steps is None else steps)
    unknown = sorted(chosen - set(STEPS))
    if unknown:
        raise NenauditError(f"crosscheck: no step {unknown[0]!r}; steps are: {', '.join(STEPS)}")

    def want(*names):
        return bool(chosen.intersection(names))

    # the pipeline's own whole-pipeline scheme is not compared (scheme (c) below keeps separated fits as R does)
    cfg = replace(config or PipelineConfig(), n_boot=n_boot, n_boot_pipeline=1, seed=seed, jobs=1)
    rows: list[CrossRow] = []
    notes: list[str] = []
    pert = perturb or (lambda step, stat, v: v)

    def num(step, stat, py, rv, kind, labels=None):
        if step in chosen:
            rows.append(compare_values(step, stat, pert(step, stat, py), rv, kind, labels))

    def exact(step, stat, py, rv):
        if step in chosen:
            rows.append(compare_exact(step, stat, pert(step, stat, py), rv))

    say(f"Python: the pipeline with {n_boot} resamples per scheme")
    res = run_pipeline(cohort, cfg)
    X, y, groups, proc = build_design(cohort, cfg)
    model = replace(proc, full_data=True)(X, y)  # the reported fit, as run_pipeline makes it
    sel = model.selection
    scfg = cfg.selection
    for s in (
        "icc.R",
        "features.R",
        "lasso.R",
        "compare.R",
        "logistic.R",
        "stepwise.R",
        "discrimination.R",
        "calibration.R",
        "dca.R",
        "nomogram.R",
        "validation.R",
    ):
        R.source(s)
    r_version = str(R.r()("R.version.string")[0])

    # ---- ICC
    if want("ICC filter"):
        say("R: ICC filter (psych::ICC)")
        readings = observer_readings(cohort)
        if readings and proc.icc_values is not None:
            r_icc_all = {}
            for design, (a, b) in readings.items():
                names = list(a.columns)
                arr = np.stack([a.to_numpy(float), b.to_numpy(float)], axis=1)  # n x k x p
                out = R.to_py(
                    R.call("icc_many", R.fvec(arr.ravel(order="F")), arr.shape[0], 2, arr.shape[2])
                )
                r_icc = np.array(out["icc"], dtype=float).reshape(arr.shape[2], 6)[
                    :, 1
                ]  # psych order: ICC2 second
                py_icc = np.array([proc.icc_values[design][n] for n in names], dtype=float)
                num("ICC filter", f"ICC(2,1) {design}-observer", py_icc, r_icc, "icc", names)
                r_icc_all[design] = dict(zip(names, r_icc))
            r_kept = [
                n
                for n in cohort.feature_names
                if all(d.get(n, -np.inf) >= scfg.icc_threshold for d in r_icc_all.values())
            ]
            py_kept = list(sel.icc.kept) if sel.icc is not None else list(cohort.feature_names)
            exact(
                "ICC filter",
                f"features kept (ICC >= {scfg.icc_threshold:g})",
                py_kept,
                [n for n in r_kept if n in set(sel.screen.kept)],
            )
        else:
            notes.append("no observer readings: the ICC filter was not run on either side")

    # ---- z-score
    say("R: z-score, Spearman filter, cv.glmnet, Radscore")
    zn = list(sel.zscore.names)
    F = X[zn].to_numpy(dtype=float)
    sc = R.to_py(R.call("ref_scale", R.matrix(F)))
    num("z-score", "mean", sel.zscore.mean, sc["center"], "arith", zn)
    num("z-score", "sd", sel.zscore.sd, sc["scale"], "arith", zn)
    Zr = np.array(sc["z"], dtype=float).reshape(F.shape, order="F")

    # ---- Spearman
    sp = R.to_py(R.call("ref_spearman_filter", R.matrix(Zr), cutoff=scfg.spearman_cutoff))
    drop = set(int(i) - 1 for i in np.atleast_1d(sp["drop"] if sp["drop"] is not None else []))
    r_kept_sp = [n for j, n in enumerate(zn) if j not in drop]
    exact(
        "Spearman filter",
        f"features kept (|rho| <= {scfg.spearman_cutoff:g})",
        list(sel.correlation.kept),
        r_kept_sp,
    )

    # ---- cv.glmnet with the same foldid
    kept = list(sel.correlation.kept)
    cols = [zn.index(n) for n in kept]
    foldid = np.array(sel.lasso.foldid)
    foldid = foldid + 1 if foldid.min() == 0 else foldid
    cv = R.to_py(
        R.call(
            "ref_cv_lasso", R.matrix(Zr[:, cols]), R.fvec(y), R.ivec(foldid), measure=scfg.measure
        )
    )
    las = sel.lasso
    num("cv.glmnet", "lambda sequence", las.lambdas, cv["lambda"], "lambda")
    num("cv.glmnet", "cvm (CV deviance)", las.cvm, cv["cvm"], "cv")
    num("cv.glmnet", "cvsd", las.cvsd, cv["cvsd"], "cv")
    num("cv.glmnet", "lambda.min", las.lambda_min, cv["lambda_min"], "lambda")
    num("cv.glmnet", "lambda.1se", las.lambda_1se, cv["lambda_1se"], "lambda")
    coef_min = np.array(cv["coef_min"], dtype=float)
    r_sel = [n for n, b in zip(kept, coef_min[1:]) if b != 0]
    exact("cv.glmnet", f"features selected at lambda.{scfg.which}", list(sel.selected), r_sel)

    # ---- Radscore
    if sel.selected:
        py_coef = [sel.radscore.coefficients.get(n, 0.0) for n in kept]
        num(
            "Radscore",
            "LASSO coefficients at lambda.min",
            [sel.radscore.intercept, *py_coef],
            coef_min,
            "coef",
            ["(Intercept)", *kept],
        )
        r_rad = coef_min[0] + Zr[:, cols] @ coef_min[1:]
        num("Radscore", "Radscore of each lesion", model.radscore(X), r_rad, "radscore")
    else:
        notes.append("the LASSO selected no feature: no Radscore to compare")

    design = model.design(X)
    # ---- Table 1 / Table 2
    say("R: Table 1/2 tests, glm + confint, backward Wald")
    lesions = cohort.lesions.copy()
    lesions[RADSCORE] = design[RADSCORE].to_numpy() if RADSCORE in design else np.nan
    for tname, tab, frame in (
        ("Table 1", res.table1, cohort.patients),
        ("Table 2", res.table2, lesions),
    ):
        for v in tab.variables:
            if v.test is None:
                continue
            g = frame["outcome"].to_numpy(dtype=float)
            if v.kind == "categorical":
                ok = frame[v.variable].notna().to_numpy()
                xv = R.svec([str(s) for s in frame[v.variable][ok]])
                ref = R.to_py(R.call("ref_table1", xv, R.fvec(g[ok]), True))
            else:
                xs = frame[v.variable].to_numpy(dtype=float)
                ref = R.to_py(R.call("ref_table1", R.fvec(xs), R.fvec(g), False))
            exact(tname, f"{v.variable}: test chosen", v.test, ref["test"])
            num(tname, f"{v.variable}: p ({v.test})", v.p, ref["p"], "p")

    # ---- glm + confint
    for c, u in res.univariable.items():
        ref = R.to_py(
            R.call(
                "logit_fit",
                R.matrix(design[[c]].to_numpy(dtype=float)),
                R.fvec(y),
                R.svec([safe_name(c)]),
            )
        )
        num("univariable glm", f"{c}: coefficient", u["coef"], ref["coef"][1], "coef")
        num("univariable glm", f"{c}: SE", u["se"], ref["se"][1], "coef")
        num("univariable glm", f"{c}: Wald p", u["p"], ref["p"][1], "p")
        ci = np.array(ref["ci_profile"], dtype=float)
        num(
            "univariable glm",
            f"{c}: profile 95% CI of the OR",
            np.log(u["ci"]),
            [ci[1], ci[3]],
            "profile",
        )
    terms = list(res.final_terms)
    if terms:
        ref = R.to_py(
            R.call(
                "logit_fit",
                R.matrix(design[terms].to_numpy(dtype=float)),
                R.fvec(y),
                R.svec([safe_name(t) for t in terms]),
            )
        )
        k = len(terms) + 1
        ci = np.array(ref["ci_profile"], dtype=float)
        py_coef = [res.multivariable[t]["coef"] for t in terms]
        num("multivariable glm", "coefficients", py_coef, ref["coef"][1:], "coef", terms)
        num(
            "multivariable glm",
            "SE",
            [res.multivariable[t]["se"] for t in terms],
            ref["se"][1:],
            "coef",
            terms,
        )
        num(
            "multivariable glm",
            "Wald p",
            [res.multivariable[t]["p"] for t in terms],
            ref["p"][1:],
            "p",
            terms,
        )
        num(
            "multivariable glm",
            "profile 95% CI (log OR)",
            np.log([res.multivariable[t]["ci"] for t in terms]).T.ravel(),
            np.r_[ci[1:k], ci[k + 1 :]],
            "profile",
            [f"{t} {s}" for s in ("lower", "upper") for t in terms],
        )

    # ---- backward Wald
    cands = [u.name for u in model.clinical.univariable]
    d = design[cands].copy()
    rd = R.call(
        "data.frame",
        **{safe_name(c): R.fvec(d[c].to_numpy(dtype=float)) for c in cands},
        y=R.fvec(y),
    )
    sw = R.to_py(
        R.call(
            "stepwise_uni_backward",
            rd,
            "y",
            R.svec([safe_name(c) for c in cands]),
            cfg.entry,
            cfg.stay,
        )
    )
    uni_p = [u["p"] for u in sw["univariable"]] if isinstance(sw["univariable"], list) else []
    num(
        "backward Wald",
        "univariable screen p",
        [u.p for u in model.clinical.univariable],
        uni_p,
        "p",
        cands,
    )
    last = sw["backward"][-1] if isinstance(sw["backward"], list) else sw["backward"]
    back = {safe_name(c): c for c in cands}
    r_terms = (
        [back.get(t, t) for t in np.atleast_1d(last["terms"])]
        if last and last.get("terms") is not None
        else []
    )
    exact("backward Wald", "final model terms", list(model.terms), r_terms)

    # ---- AUC + DeLong
    say("R: AUC + DeLong, calibration, net benefit, nomogram")
    scores = {"Radscore": res.arrays["radscore"], "fusion model": res.arrays["lp"]}
    for label, a in res.auc.items():
        ref = R.to_py(R.call("disc_roc", R.fvec(y), R.fvec(scores[label]), direction="<"))
        num("AUC + DeLong", f"{label}: AUC", a["auc"], ref["auc"], "auc")
        num(
            "AUC + DeLong",
            f"{label}: DeLong 95% CI",
            a["ci"],
            [ref["ci"][0], ref["ci"][2]],
            "coef",
            ["lower", "upper"],
        )

    # ---- calibration
    prob = res.arrays["prob"]
    cal = res.calibration
    cf = R.to_py(R.call("cal_fit", R.fvec(y), R.fvec(prob)))
    num(
        "calibration",
        "intercept, slope (logistic recalibration)",
        [cal["fit"].intercept, cal["fit"].slope],
        [cf["intercept"], cf["slope"]],
        "coef",
        ["intercept", "slope"],
    )
    num("calibration", "Brier score", cal["fit"].brier, cf["brier"], "arith")
    hl = R.to_py(R.call("cal_hoslem", R.fvec(y), R.fvec(prob), cal["hosmer_lemeshow"].g))
    num(
        "calibration",
        "Hosmer-Lemeshow chi2",
        cal["hosmer_lemeshow"].statistic,
        hl["statistic"],
        "coef",
    )
    num("calibration", "Hosmer-Lemeshow p", cal["hosmer_lemeshow"].p_value, hl["p_value"], "p")
    er = R.to_py(R.call("cal_errors", R.fvec(y), R.fvec(prob)))
    e = cal["errors"]
    num(
        "calibration",
        "ICI, E50, E90, Emax",
        [e.ici, e.e50, e.e90, e.emax],
        [er["ici"], er["e50"], er["e90"], er["emax"]],
        "lowess",
        ["ICI", "E50", "E90", "Emax"],
    )
    cc = R.to_py(R.call("cal_curve", R.fvec(y), R.fvec(prob)))
    num(
        "calibration",
        "apparent curve (lowess) at rms's grid",
        cal["curve"].observed,
        cc["observed"],
        "lowess",
    )

    # ---- net benefit
    dca = res.dca
    ref = R.to_py(R.call("dca_base", R.fvec(y), R.fvec(prob), R.fvec(dca.thresholds)))
    t_lab = [f"t={t:.2f}" for t in dca.thresholds]
    num("net benefit", "fusion model", dca.model, ref["model"], "arith", t_lab)
    num("net benefit", "treat all", dca.treat_all, ref["all"], "arith", t_lab)
    num(
        "net benefit",
        "standardized net benefit",
        dca.standardized_model,
        ref["standardized_model"],
        "arith",
        t_lab,
    )

    # ---- nomogram
    if terms:
        nom = res.nomogram
        rdf = R.call(
            "data.frame",
            **{safe_name(t): R.fvec(design[t].to_numpy(dtype=float)) for t in terms},
            y=R.fvec(y),
        )
        axes = R.r()["list"](**{safe_name(v.name): R.fvec(v.values) for v in nom.variables})
        probs = [0.1, 0.5, 0.9]
        nr = R.to_py(
            R.call(
                "nomogram_points",
                rdf,
                R.svec([safe_name(t) for t in terms]),
                axes,
                probs=R.fvec(probs),
            )
        )
        pts = nr["points"] if isinstance(nr["points"], list) else [nr["points"]]
        for v, rp in zip(nom.variables, pts):
            num("nomogram", f"{v.name}: points", v.points, rp, "lrm", [f"{x:g}" for x in v.values])
        num("nomogram", "points per unit of linear predictor", nom.scale, nr["sc"], "lrm")
        num(
            "nomogram",
            "intercept at zero points (rms: Intercept)",
            nom.intercept_adjusted,
            nr["intercept"],
            "lrm",
        )
        # rms places fun.at by linear interpolation over a grid of the linear predictor (approx(fu, xseq, fat) in
        # rms's nomogram), an approximation; the closed form on rms's own sc and Intercept is compared instead
        r_pos = (np.array(R.call("qlogis", R.fvec(probs)), dtype=float) - nr["intercept"]) * nr[
            "sc"
        ]
        num(
            "nomogram",
            "total points at risk 0.1, 0.5, 0.9",
            nom.points_at_probability(probs),
            r_pos,
            "lrm",
            [f"{p:g}" for p in probs],
        )

    # ---- bootstrap schemes on shared indices
    if want(
        "bootstrap (a) as published",
        "bootstrap (b) Harrell",
        "bootstrap (d) by patient",
        "bootstrap (c) whole pipeline",
    ):
        say(f"R: bootstrap schemes on the same {n_boot} resamples")
        n = y.size
        idx = val.resample_indices(n, n_boot, seed)
        fixed = res.validation["published"]
        ref = R.to_py(
            R.call("val_published", R.fvec(y), R.fvec(res.arrays["lp"]), R.matrix(idx + 1))
        )
        num(
            "bootstrap (a) as published",
            "mean AUC of the fixed model",
            fixed.mean,
            ref["mean"],
            "boot",
        )
        num(
            "bootstrap (a) as published",
            "percentile interval",
            [fixed.ci_lower, fixed.ci_upper],
            [ref["ci"][0], ref["ci"][2]],
            "boot",
            ["lower", "upper"],
        )
        rterms = [safe_name(t) for t in terms]
        if terms:
            rdf = R.call(
                "data.frame",
                **{safe_name(t): R.fvec(design[t].to_numpy(dtype=float)) for t in terms},
                y=R.fvec(y),
            )
            h = res.validation["harrell"]
            ref = R.to_py(
                R.call(
                    "val_optimism",
                    rdf,
                    "y",
                    R.svec(rterms),
                    R.matrix(idx + 1),
                    keep_separated=cfg.keep_separated,
                )
            )
            _scheme_rows(num, "bootstrap (b) Harrell", h, ref)
            levels = np.unique(groups)
            codes = np.searchsorted(levels, groups)
            gidx = val.cluster_indices(levels.size, n_boot, seed)
            ref = R.to_py(
                R.call("val_cluster", rdf, "y", R.svec(rterms), R.ivec(codes), R.matrix(gidx + 1))
            )
            _scheme_rows(num, "bootstrap (d) by patient", res.validation["cluster"], ref)
        # (c): the whole pipeline in each resample; R's loop keeps a separated final fit, so Python does too
        clinical = [c for c in proc.candidates if c != RADSCORE]
        keep_proc = PaperProcedure(
            proc.features,
            proc.candidates,
            replace(cfg, keep_separated=True, selection=replace(scfg, n_jobs=1)),
            proc.icc_values,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipe = val.pipeline_optimism(X, y, keep_proc, indices=idx)
        Fk = X[list(sel.icc.kept) if sel.icc is not None else list(proc.features)].to_numpy(
            dtype=float
        )
        Fk = Fk[:, np.isfinite(Fk).all(axis=0)]
        dcl = R.call(
            "data.frame",
            **{safe_name(c): R.fvec(X[c].to_numpy(dtype=float)) for c in clinical},
            y=R.fvec(y),
        )
        boot_fold = np.array(val_foldid(n, scfg))
        rm = np.array(
            R.call(
                "val_paper_pipeline",
                dcl,
                R.matrix(Fk),
                "y",
                R.svec([safe_name(c) for c in clinical]),
                R.matrix(idx + 1),
                R.ivec(boot_fold),
                scfg.spearman_cutoff,
                cfg.entry,
                cfg.stay,
            ),
            dtype=float,
        )
        if rm.ndim == 1:
            rm = rm.reshape(n_boot, 10, order="F")
        ok = ~np.isnan(rm[:, 0])
        r_opt = rm[ok, :5].mean(axis=0) - rm[ok, 5:].mean(axis=0)
        names5 = ["C", "Dxy", "Intercept", "Slope", "Brier"]
        exact("bootstrap (c) whole pipeline", "usable resamples", pipe.n_ok, int(ok.sum()))
        num(
            "bootstrap (c) whole pipeline",
            "optimism of C, Dxy, intercept, slope, Brier",
            [pipe.index(k).optimism for k in names5],
            r_opt,
            "pipeline_boot",
            names5,
        )
    return Crosscheck(
        str(cohort.path),
        n_boot,
        seed,
        tuple(rows),
        r_version,
        time.perf_counter() - t0,
        tuple(notes),
    )


def val_foldid(n: int, scfg) -> np.ndarray:
    """The 1-based foldid every resample of the whole-pipeline scheme uses (cv_lasso's, from the config's seed)."""
    f = np.array(make_foldid(n, scfg.nfolds, scfg.seed))
    return f + 1 if f.min() == 0 else f


def _scheme_rows(num, step: str, py, ref) -> None:
    names = list(ref["names"])
    for fld in ("apparent", "optimism", "corrected"):
        num(
            step,
            f"{fld} C, Dxy, intercept, slope, Brier",
            [getattr(py.index(k), fld) for k in names],
            ref[fld],
            "boot",
            names,
        )
