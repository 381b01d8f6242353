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
    nom = nomogram({"radscore": 1.2, "ki67": 0.03}, -2.0, {"radscore": np.arange(-2, 6.0), "ki67": np.arange(0, 70, 10.0)})
    ax = figures.nomogram_figure(nom)
    labels = [t.get_text() for t in ax.texts]
    assert {"Points", "radscore", "ki67", "Total points", "Risk"} <= set(labels)
    out = figures.save(ax, tmp_path / "nomogram.svg")
    assert out.read_text().lstrip().startswith("<?xml")


def test_dca_calibration_and_lasso_path_render(tmp_path):
    t = np.linspace(0.01, 0.99, 50)
    ax = figures.dca_figure(t, {"model": 0.5 - 0.4 * t, "treat all": 0.79 - t / (1 - t) * 0.21,
                                "treat none": np.zeros_like(t)})
    assert len(ax.lines) == 3
    figures.save(ax, tmp_path / "dca.png")
    p = np.linspace(0.05, 0.95, 20)
    ax = figures.calibration_figure(p, np.clip(p + 0.05, 0, 1), corrected=p)
    assert len(ax.lines) == 3
    lam = np.exp(np.linspace(-1, -6, 30))
    ax = figures.lasso_path_figure(lam, 1 + (np.log(lam) + 3.5) ** 2 / 20, np.full(30, 0.05), lam[12], lam[8])
    figures.save(ax, tmp_path / "lasso.pdf")
    assert (tmp_path / "lasso.pdf").stat().st_size > 1000
