"""Figures render from stats results and are written atomically."""

from __future__ import annotations

import numpy as np
import pytest

from nenaudit.report import figures
from nenaudit.stats.discrimination import ci_auc, roc_curve
from nenaudit.stats.nomogram import nomogram


@pytest.fixture()
def scored():
    rng = np.random.default_rng(3)
    y = np.r_[np.ones(27, int), np.zeros(104, int)]
    return y, rng.normal(size=131) + 1.2 * y, rng.normal(size=131) + 0.5 * y


def test_roc_figure_draws_each_curve_with_its_auc(tmp_path, scored):
    y, s1, s2 = scored
    curves = {"fusion": roc_curve(y, s1), "radscore": roc_curve(y, s2)}
    ax = figures.roc_figure(curves, {"fusion": ci_auc(y, s1)})
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith(f"fusion: AUC {curves['fusion'].auc:.3f} (")
    assert texts[1] == f"radscore: AUC {curves['radscore'].auc:.3f}"
    out = figures.save(ax, tmp_path / "fig" / "roc.png")
    assert out.stat().st_size > 1000 and not list(tmp_path.glob("fig/*.part*"))


def test_nomogram_figure_places_ticks_at_points(tmp_path):
    nom = nomogram(
        {"radscore": 1.2, "ki67": 0.03},
        -2.0,
        {"radscore": np.arange(-2, 6.0), "ki67": np.arange(0, 70, 10.0)},
    )
    ax = figures.nomogram_figure(nom)
    labels = [t.get_text() for t in ax.texts]
    assert {"Points", "radscore", "ki67", "Total points", "Risk"} <= set(labels)
    out = figures.save(ax, tmp_path / "nomogram.svg")
    assert out.read_text().lstrip().startswith("<?xml")


def test_dca_calibration_and_lasso_path_render(tmp_path):
    t = np.linspace(0.01, 0.99, 50)
    ax = figures.dca_figure(
        t,
        {
            "model": 0.5 - 0.4 * t,
            "treat all": 0.79 - t / (1 - t) * 0.21,
            "treat none": np.zeros_like(t),
        },
    )
    assert len(ax.lines) == 3
    figures.save(ax, tmp_path / "dca.png")
    p = np.linspace(0.05, 0.95, 20)
    ax = figures.calibration_figure(p, np.clip(p + 0.05, 0, 1), corrected=p)
    assert len(ax.lines) == 3
    lam = np.exp(np.linspace(-1, -6, 30))
    ax = figures.lasso_path_figure(
        lam, 1 + (np.log(lam) + 3.5) ** 2 / 20, np.full(30, 0.05), lam[12], lam[8]
    )
    figures.save(ax, tmp_path / "lasso.pdf")
    assert (tmp_path / "lasso.pdf").stat().st_size > 1000


def _rows_of_labels(ax):
    """Visible tick labels grouped by axis row (same y), with their rendered extents."""
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    rows = {}
    for t in ax.texts:
        if t.get_visible() and t.get_ha() == "center":  # tick labels (axis names are right-aligned)
            rows.setdefault(round(t.get_position()[1], 6), []).append(t.get_window_extent(r))
    return rows


@pytest.mark.parametrize("beta", [8.0, 0.8])
def test_nomogram_tick_labels_never_overlap(beta):
    """A steep model crowds the probability axis into a few points (the old figure printed '0.05 0.5'
    on top of each other); every visible label on every row is clear of its neighbours, the end ticks
    are labelled, and a crowded axis hides labels rather than overlapping them."""
    axes = {
        "radscore": np.arange(-2.0, 6.0),
        "ki67": np.arange(0.0, 101.0, 10.0),
        "grade": np.arange(0.0, 4.0),
    }
    nom = nomogram({"radscore": beta, "ki67": 0.04, "grade": 1.8}, -12.0, axes)
    ax = figures.nomogram_figure(nom)
    rows = _rows_of_labels(ax)
    assert len(rows) == 6  # points, three predictors, total points, risk
    for y, boxes in rows.items():
        boxes = sorted(boxes, key=lambda b: b.x0)
        for a, b in zip(boxes, boxes[1:]):
            assert a.x1 + 2 <= b.x0, (y, a, b)  # at least 2 px of air between labels
    risk = [t for t in ax.texts if t.get_position()[1] == min(rows) and t.get_ha() == "center"]
    shown = [t.get_text() for t in risk if t.get_visible()]
    assert len(shown) >= 2 and shown[0] == risk[0].get_text() and shown[-1] == risk[-1].get_text()
    if beta == 8.0:
        assert len(shown) < len(risk)  # crowded: some labels hidden, their ticks kept


def test_report_figures_draw_a_pipeline_result(tmp_path):
    from nenaudit.cohort import load_cohort
    from nenaudit.pipeline import PipelineConfig, run_pipeline

    res = run_pipeline(load_cohort(), PipelineConfig(n_boot=4, seed=2, figure_extras=True))
    ax = figures.plot_roc(res)
    assert len(ax.collections) == 2  # one confidence band per curve
    assert any("Youden" in t.get_text() for t in ax.get_legend().get_texts())
    ax = figures.plot_calibration(res)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(s.startswith("bias-corrected") for s in labels) and any("slope" in s for s in labels)
    ax = figures.plot_dca(res)
    assert ax.get_ylim()[1] == pytest.approx(res.dca.prevalence * 1.03) and ax.get_ylim()[0] < 0
    ax = figures.plot_dca(res, standardized=True)
    assert ax.get_ylabel() == "standardized net benefit"
    assert figures.plot_lasso_path(res).get_lines()
    ax = figures.plot_validation(res, published=0.5)
    assert len(ax.get_yticklabels()) == 5
    for f in (figures.plot_nomogram, figures.plot_lasso_cv):
        figures.save(f(res), tmp_path / "x.png")
    inst = res.arrays["instability"]
    ax = figures.plot_prediction_instability(res)
    assert (
        len(ax.collections[0].get_offsets()) == inst.predictions.size
    )  # one point per model and lesion
    assert any(t.get_text().startswith("MAPE") for t in ax.get_legend().get_texts())
    ax = figures.plot_calibration_instability(res)
    assert (
        len(ax.get_lines()) == 2 + inst.n_boot + 1
    )  # ideal, one curve per bootstrap model, the developed model, legend
    ax = figures.plot_dca_instability(res)
    assert sum(1 for ln in ax.get_lines() if ln.get_color() == "grey") == inst.n_boot
