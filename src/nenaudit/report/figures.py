"""Figures a reviewer would rather look at than read: ROC, calibration, decision curves,
nomogram, LASSO path.

Every function draws already-computed results from :mod:`nenaudit.stats` (it computes
nothing itself), takes ``ax=None`` and returns the axes; :func:`save` writes a figure
atomically. The backend is Agg, so figures render on a machine without a display.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from nenaudit.outputs import check_file

__all__ = [
    "roc_figure",
    "nomogram_figure",
    "calibration_figure",
    "dca_figure",
    "lasso_path_figure",
    "save",
    "plot_roc",
    "plot_calibration",
    "plot_dca",
    "plot_nomogram",
    "plot_lasso_cv",
    "plot_lasso_path",
    "plot_validation",
    "hide_overlapping",
    "RMS_PROBS",
    "prediction_instability_figure",
    "calibration_instability_figure",
    "plot_prediction_instability",
    "plot_calibration_instability",
    "plot_dca_instability",
]


def _ax(ax, size=(5.0, 5.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def save(ax_or_fig, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Save the figure holding ``ax_or_fig`` to ``path`` (PNG/SVG/PDF by suffix), atomically."""
    fig = (
        ax_or_fig.figure
        if hasattr(ax_or_fig, "figure") and not hasattr(ax_or_fig, "savefig")
        else ax_or_fig
    )
    p = Path(path)
    try:
        check_file(p, "figure").write_with(
            lambda tmp: fig.savefig(tmp, dpi=dpi, bbox_inches="tight"), suffix=p.suffix
        )
    finally:
        plt.close(fig)
    return p


def roc_figure(
    curves: Mapping[str, object],
    cis: Mapping[str, object] | None = None,
    ax=None,
    title: str | None = "ROC curves",
):
    """ROC curves (``stats.discrimination.roc_curve`` results), labelled with AUC and CI.

    ``cis`` maps the same labels to ``stats.discrimination.ci_auc`` results or ``(lower, upper)``
    pairs (optional).
    """
    ax = _ax(ax)
    for label, cur in curves.items():
        x, y = 1.0 - np.asarray(cur.specificities), np.asarray(cur.sensitivities)
        order = np.lexsort((y, x))
        text = f"{label}: AUC {cur.auc:.3f}"
        if cis and label in cis:
            ci = cis[label]
            lo, hi = (ci.lower, ci.upper) if hasattr(ci, "lower") else ci
            text += f" ({lo:.3f}-{hi:.3f})"
        ax.step(x[order], y[order], where="post", label=text)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1)
    ax.set(
        xlim=(0, 1), ylim=(0, 1.01), xlabel="1 - specificity", ylabel="sensitivity", aspect="equal"
    )
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return ax


# fmt: off
# (one line of ticks: tests/test_report.py exempts exactly this line from its published-number grep)
RMS_PROBS = (  # rms::nomogram's probability ticks
    0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
)
# fmt: on


def hide_overlapping(ax, rows: Mapping[float, list]) -> None:
    """Hide tick labels that would overlap on the same axis row (kept: the first, the last, then
    left to right any label clear of the previous shown one), measured with the figure's renderer."""
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    for texts in rows.values():
        if not texts:
            continue
        texts = sorted(texts, key=lambda t: t.get_position()[0])
        raw = [t.get_window_extent(r) for t in texts]
        # each label keeps a gap of about one character to its neighbours
        pad = [0.5 * b.width / max(len(t.get_text()), 1) for b, t in zip(raw, texts)]
        boxes = [(b.x0 - p, b.x1 + p) for b, p in zip(raw, pad)]
        shown = [0]
        last = len(texts) - 1
        for i in range(1, len(texts)):
            if boxes[i][0] >= boxes[shown[-1]][1] and (i == last or boxes[i][1] <= boxes[last][0]):
                shown.append(i)
        if last not in shown:
            while shown and boxes[shown[-1]][1] > boxes[last][0]:
                shown.pop()
            shown.append(last)
        for i, t in enumerate(texts):
            t.set_visible(i in shown)


def nomogram_figure(
    nom,
    probs: Sequence[float] = RMS_PROBS,
    ax=None,
    labels: Mapping[str, str] | None = None,
    risk_label: str = "Risk",
    value_labels: Mapping[str, Mapping[float, str]] | None = None,
):
    """Draw a :class:`nenaudit.stats.nomogram.Nomogram` in ``rms::nomogram``'s layout.

    Rows from the top: Points (0..maxscale), one axis per predictor (tick labels at its axis
    values, placed at their points), Total points, and the risk axis (``probs`` placed at
    their total points; ticks outside the total-points range are left out, as rms does).
    ``value_labels`` names the codes of categorical predictors (``{"Sex": {0: "Male", 1: "Female"}}``).
    Tick labels that would overlap on a row are hidden (their ticks stay), measured with the
    renderer (:func:`hide_overlapping`), so nothing on the page overlaps.
    """
    names = [v.name for v in nom.variables]
    rows = len(names) + 3
    ax = _ax(ax, size=(9.0, 0.62 * rows + 0.8))
    labels = dict(labels or {})
    max_total = float(sum(np.ptp(v.points) for v in nom.variables))
    tscale = (
        nom.maxscale / max_total if max_total > 0 else 1.0
    )  # total points drawn on the same width
    value_labels = dict(value_labels or {})
    ticktexts: dict[float, list] = {}

    def axis_row(y, pos, ticklabels, name):
        pos = np.asarray(pos, dtype=float)
        ax.plot([pos.min(), pos.max()], [y, y], color="black", lw=1)
        ticktexts[y] = []
        for x, t in sorted(zip(pos, ticklabels)):
            ax.plot([x, x], [y, y + 0.12], color="black", lw=1)
            ticktexts[y].append(ax.text(x, y + 0.18, t, ha="center", va="bottom", fontsize=7.5))
        ax.text(-4, y, name, ha="right", va="center", fontsize=9)

    y = rows - 1
    ticks = np.linspace(0, nom.maxscale, 11)
    axis_row(y, ticks, [f"{t:g}" for t in ticks], "Points")
    for v in nom.variables:
        y -= 1
        names_ = value_labels.get(v.name, {})
        axis_row(
            y,
            v.points,
            [str(names_.get(x, f"{x:.4g}")) for x in v.values],
            labels.get(v.name, v.name),
        )
    y -= 1
    tt = np.linspace(0, max_total, 9)
    axis_row(y, tt * tscale, [f"{t:.0f}" for t in tt], "Total points")
    y -= 1
    pp = nom.points_at_probability(probs)
    keep = (pp >= 0) & (pp <= max_total)
    if keep.any():
        axis_row(y, pp[keep] * tscale, [f"{p:g}" for p in np.asarray(probs)[keep]], risk_label)
    ax.set_xlim(-38, nom.maxscale + 5)
    ax.set_ylim(-0.5, rows)
    ax.axis("off")
    hide_overlapping(ax, ticktexts)
    return ax


def calibration_figure(
    predicted: Sequence[float],
    observed: Sequence[float],
    ax=None,
    corrected: Sequence[float] | None = None,
    label: str = "apparent",
    title: str | None = "Calibration",
):
    """A calibration curve: ``observed`` proportion against ``predicted`` probability.

    ``predicted`` / ``observed`` (and the optional bias-``corrected`` observed values) come
    from :mod:`nenaudit.stats.calibration`; the diagonal is the ideal.
    """
    ax = _ax(ax)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1, label="ideal")
    order = np.argsort(predicted)
    ax.plot(np.asarray(predicted)[order], np.asarray(observed)[order], label=label)
    if corrected is not None:
        ax.plot(
            np.asarray(predicted)[order],
            np.asarray(corrected)[order],
            ls="--",
            label="bias-corrected",
        )
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="predicted probability",
        ylabel="observed proportion",
        aspect="equal",
    )
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def dca_figure(
    thresholds: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    ax=None,
    title: str | None = "Decision curves",
    ylim: tuple[float, float] | None = None,
):
    """Net benefit against threshold probability for each curve (model(s), treat all, treat none)."""
    ax = _ax(ax, size=(6.0, 4.5))
    t = np.asarray(thresholds, dtype=float)
    top = 0.0
    for label, nb in curves.items():
        nb = np.asarray(nb, dtype=float)
        style = {"ls": ":"} if label.lower() in ("treat none", "none") else {}
        ax.plot(t, nb, label=label, **style)
        top = max(top, float(np.nanmax(nb)))
    ax.set(xlabel="threshold probability", ylabel="net benefit")
    ax.set_ylim(ylim if ylim else (-top / 20 - 1e-3, top * 1.03 + 1e-3))
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def lasso_path_figure(
    lambdas: Sequence[float],
    cv_mean: Sequence[float],
    cv_se: Sequence[float],
    lambda_min: float,
    lambda_1se: float,
    ax=None,
    measure: str = "binomial deviance",
):
    """cv.glmnet's plot: CV error with +/- 1 SE bars against log(lambda), lines at lambda.min and lambda.1se."""
    ax = _ax(ax, size=(6.0, 4.5))
    ll = np.log(np.asarray(lambdas, dtype=float))
    m, s = np.asarray(cv_mean, dtype=float), np.asarray(cv_se, dtype=float)
    ax.errorbar(ll, m, yerr=s, fmt="o", ms=3, color="firebrick", ecolor="grey", elinewidth=0.8)
    for lam, name in ((lambda_min, "lambda.min"), (lambda_1se, "lambda.1se")):
        ax.axvline(np.log(lam), ls="--", color="black", lw=0.8)
        ax.text(np.log(lam), ax.get_ylim()[1], name, rotation=90, va="top", ha="right", fontsize=7)
    ax.set(xlabel="log(lambda)", ylabel=measure)
    return ax


# ------------------------------------------------------------------------------------------
# The report's figures: plot_x(result, ax=None) -> ax, drawing a PipelineResult (no computation)
# ------------------------------------------------------------------------------------------
def plot_roc(res, ax=None):
    """ROC curves of the Radscore and the fusion model, their bootstrap 95% bands of the sensitivity
    (``stats.discrimination.sensitivity_band``, as pROC's ``ci.se``), the Youden point of each and
    the AUC with its DeLong CI in the legend."""
    ax = roc_figure(
        res.arrays["roc"],
        {k: tuple(v["ci"]) for k, v in res.auc.items()},
        ax=ax,
        title="ROC curves",
    )
    colours = {line.get_label().split(":")[0]: line.get_color() for line in ax.get_lines()}
    for label, band in (res.arrays.get("roc_band") or {}).items():
        ax.fill_between(
            1.0 - np.asarray(band.specificities),
            band.lower,
            band.upper,
            color=colours.get(label, "grey"),
            alpha=0.15,
            lw=0,
            label=f"{label}: {100 * band.level:.0f}% band",
        )
    for label, yd in (res.arrays.get("youden") or {}).items():
        ax.plot(
            [1.0 - yd.specificity],
            [yd.sensitivity],
            "o",
            ms=6,
            mfc="white",
            color=colours.get(label, "black"),
            label=f"{label}: Youden point (Se {yd.sensitivity:.2f}, Sp {yd.specificity:.2f})",
        )
    ax.legend(loc="lower right", fontsize="x-small")
    return ax


def plot_calibration(res, ax=None):
    """Apparent and bias-corrected calibration curves (``stats.calibration.calibrate_bootstrap``, as
    ``rms::calibrate``), the ideal line, a histogram of the predicted risks along the bottom and the
    apparent intercept, slope and ICI in the legend."""
    cal = res.calibration
    boot = cal.get("bootstrap")
    ax = _ax(ax, size=(5.5, 5.5))
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1, label="ideal")
    if boot is not None:
        ax.plot(boot.predicted, boot.apparent, color="tab:blue", label="apparent (lowess)")
        ax.plot(
            boot.predicted,
            boot.corrected,
            color="tab:red",
            ls="--",
            label=f"bias-corrected (B = {boot.n_ok}/{boot.n_boot})",
        )
    else:
        cur = cal["curve"]
        ax.plot(cur.predicted, cur.observed, color="tab:blue", label="apparent (lowess)")
    prob = res.arrays.get("prob")
    if prob is not None:
        ax2 = ax.twinx()
        ax2.hist(prob, bins=50, range=(0, 1), color="grey", alpha=0.5)
        ax2.set_ylim(0, ax2.get_ylim()[1] * 6)  # the histogram fills the bottom sixth
        ax2.set_yticks([])
    fit, err = cal["fit"], cal["errors"]
    ax.plot(
        [],
        [],
        " ",
        label=f"intercept {fit.intercept:.2f}, slope {fit.slope:.2f}, ICI {err.ici:.3f}",
    )
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted probability", ylabel="observed proportion")
    ax.set_title("Calibration")
    ax.legend(loc="upper left", fontsize="x-small")
    return ax


def plot_dca(res, ax=None, standardized: bool = False):
    """Decision curves in ``dcurves`` conventions: net benefit (or, with ``standardized``, the standardized
    net benefit) of the fusion model, treat all and treat none; the y axis runs from a little below 0
    to the prevalence (the most any strategy can reach), the x axis over the computed thresholds."""
    d = res.dca
    ax = _ax(ax, size=(6.5, 4.5))
    if standardized:
        curves = {
            "fusion model": d.standardized_model,
            "treat all": d.standardized_all,
            "treat none": np.zeros_like(np.asarray(d.thresholds, dtype=float)),
        }
        top, ylabel = 1.0, "standardized net benefit"
    else:
        curves = {"fusion model": d.model, "treat all": d.treat_all, "treat none": d.treat_none}
        top, ylabel = float(d.prevalence), "net benefit"
    styles = {
        "fusion model": {"color": "tab:blue", "lw": 1.8},
        "treat all": {"color": "tab:grey"},
        "treat none": {"color": "black", "ls": ":"},
    }
    for label, nb in curves.items():
        ax.plot(d.thresholds, nb, label=label, **styles[label])
    ax.set_ylim(-top / 20, top * 1.03)
    ax.set_xlim(float(np.min(d.thresholds)), float(np.max(d.thresholds)))
    ax.set(xlabel="threshold probability", ylabel=ylabel, title="Decision curves")
    ax.legend(fontsize="small")
    return ax


def plot_nomogram(res, ax=None):
    """The final model's nomogram (:func:`nomogram_figure`), categorical axes labelled by their levels."""
    return nomogram_figure(
        res.nomogram,
        value_labels=res.arrays.get("value_labels"),
        ax=ax,
        risk_label="Risk of ineffective response",
    )


def plot_lasso_cv(res, ax=None):
    """cv.glmnet's plot: CV deviance +/- 1 SE by log(lambda), lambda.min and lambda.1se, the number of
    non-zero coefficients along the top."""
    lasso = res.arrays["lasso"]
    ax = lasso_path_figure(
        lasso.lambdas, lasso.cvm, lasso.cvsd, lasso.lambda_min, lasso.lambda_1se, ax=ax
    )
    top = ax.secondary_xaxis("top")
    ll = np.log(np.asarray(lasso.lambdas, dtype=float))
    pick = np.linspace(0, ll.size - 1, min(8, ll.size)).astype(int)
    top.set_xticks(ll[pick])
    top.set_xticklabels([str(int(n)) for n in np.asarray(lasso.nonzero)[pick]], fontsize=7)
    ax.set_title("LASSO 10-fold CV", fontsize=10, pad=18)
    return ax


def plot_lasso_path(res, ax=None):
    """glmnet's coefficient path: each feature's coefficient by log(lambda), lambda.min marked."""
    lasso = res.arrays["lasso"]
    path = lasso.path
    ax = _ax(ax, size=(6.0, 4.5))
    ll = np.log(np.asarray(path.lambdas, dtype=float))
    coef = np.asarray(path.coef, dtype=float)
    ax.plot(ll, coef, lw=0.8)
    ax.axvline(np.log(lasso.lambda_min), ls="--", color="black", lw=0.8)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(
        xlabel="log(lambda)",
        ylabel="coefficient (z-scored features)",
        title="LASSO coefficient path",
    )
    return ax


def plot_validation(res, ax=None, published: float | None = None):
    """AUC by validation scheme: apparent (DeLong CI), the paper's scheme (a) (percentile interval), and
    the optimism-corrected AUC of Harrell's scheme, the whole pipeline and patients resampled (+/- 1
    Monte Carlo SE of the optimism); ``published`` (the paper's AUC) as a dashed line."""
    v = res.validation
    ax = _ax(ax, size=(6.5, 3.8))
    fus = res.auc.get("fusion model")
    a = v["published"]
    rows = []
    if fus is not None:
        rows.append(("apparent", fus["auc"], fus["auc"] - fus["ci"][0], fus["ci"][1] - fus["auc"]))
    rows.append(("(a) as published", a.mean, a.mean - a.ci_lower, a.ci_upper - a.mean))
    for key, lab in (
        ("harrell", "(b) Harrell"),
        ("pipeline", "(c) whole pipeline"),
        ("cluster", "(d) by patient"),
    ):
        c = v[key].index("C")
        rows.append((lab, c.corrected, c.optimism_mc_se, c.optimism_mc_se))
    ys = np.arange(len(rows))[::-1]
    for yy, (_lab, x, lo, hi) in zip(ys, rows):
        ax.errorbar(
            [x],
            [yy],
            xerr=[[lo], [hi]],
            fmt="o",
            color="tab:blue" if yy < ys[1] else "tab:grey",
            capsize=3,
        )
        ax.text(x, yy + 0.18, f"{x:.3f}", ha="center", fontsize=7)
    if published is not None:
        ax.axvline(published, ls="--", color="firebrick", lw=1, label=f"paper: {published:g}")
        ax.legend(loc="lower left", fontsize="small")
    ax.set_yticks(ys, [r[0] for r in rows])
    ax.set(xlabel="AUC of the fusion model", title="AUC by validation scheme")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    return ax


def prediction_instability_figure(inst, ax=None, title: str | None = "Prediction instability"):
    """Riley & Collins' prediction instability plot: each bootstrap model's risk for each patient (grey
    points) against the original model's risk, with each patient's 2.5% and 97.5% bootstrap quantiles
    (a vertical segment at the patient's original risk) and the mean MAPE in the legend. ``inst`` is a
    :class:`nenaudit.stats.instability.Instability`."""
    ax = _ax(ax, size=(5.5, 5.5))
    p = np.asarray(inst.original, dtype=float)
    B = int(inst.n_boot)
    boot = inst.predictions
    if boot is not None:
        ax.scatter(
            np.tile(p, B),
            np.asarray(boot, dtype=float).ravel(),
            s=2,
            color="grey",
            alpha=0.25,
            label=f"bootstrap models (B = {B})",
        )
    ax.plot([0, 1], [0, 1], ls=":", color="black", lw=1)
    ax.vlines(
        p,
        inst.lower,
        inst.upper,
        color="tab:red",
        lw=0.6,
        alpha=0.6,
        label="2.5%-97.5% per patient",
    )
    ax.plot(
        [],
        [],
        " ",
        label=f"MAPE {inst.mape:.3f} (max {inst.mape_max:.3f})"
        + ("" if np.isnan(inst.cii) else f"; CII {inst.cii:.3f} at {inst.threshold:.2f}"),
    )
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="risk from the developed model",
        ylabel="risk from the bootstrap models",
    )
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize="x-small")
    return ax


def calibration_instability_figure(inst, ax=None, title: str | None = "Calibration instability"):
    """Each bootstrap model's smoothed calibration curve on the original data (grey) and the developed
    model's (blue), as Riley & Collins' calibration instability plot."""
    ax = _ax(ax, size=(5.5, 5.5))
    g = np.asarray(inst.calibration_grid, dtype=float)
    ax.plot([0, 1], [0, 1], ls=":", color="black", lw=1, label="ideal")
    curves = np.asarray(inst.calibration_curves, dtype=float)
    for b in range(curves.shape[0]):
        ax.plot(
            g,
            curves[b],
            color="grey",
            lw=0.5,
            alpha=0.35,
            label="bootstrap models" if b == 0 else None,
        )
    ax.plot(g, inst.calibration_original, color="tab:blue", lw=1.5, label="developed model")
    ax.plot([], [], " ", label=f"mean |difference| {inst.calibration_mad:.3f}")
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="predicted probability",
        ylabel="observed proportion (lowess)",
    )
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize="x-small")
    return ax


def plot_prediction_instability(res, ax=None):
    """:func:`prediction_instability_figure` of a pipeline result (``res.arrays["instability"]``)."""
    return prediction_instability_figure(res.arrays["instability"], ax=ax)


def plot_calibration_instability(res, ax=None):
    """:func:`calibration_instability_figure` of a pipeline result."""
    return calibration_instability_figure(res.arrays["instability"], ax=ax)


def plot_dca_instability(res, ax=None):
    """Each bootstrap model's net benefit on the original data (grey), the developed model's, treat all."""
    inst = res.arrays["instability"]
    ax = _ax(ax, size=(6.0, 4.5))
    t = np.asarray(inst.dca_thresholds, dtype=float)
    nb = np.asarray(inst.net_benefit, dtype=float)
    for b in range(nb.shape[0]):
        ax.plot(
            t, nb[b], color="grey", lw=0.5, alpha=0.35, label="bootstrap models" if b == 0 else None
        )
    ax.plot(t, inst.net_benefit_original, color="tab:blue", lw=1.5, label="developed model")
    ax.plot(res.dca.thresholds, res.dca.treat_all, color="tab:orange", lw=1, label="treat all")
    ax.axhline(0, color="black", ls=":", lw=1, label="treat none")
    top = float(np.nanmax(inst.net_benefit_original))
    ax.set_ylim(-top / 10 - 1e-3, max(top, float(res.dca.prevalence)) * 1.05 + 1e-3)
    ax.set(xlabel="threshold probability", ylabel="net benefit", title="Decision-curve instability")
    ax.legend(fontsize="x-small")
    return ax
