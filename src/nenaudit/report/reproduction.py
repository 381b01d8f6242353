"""The reproduction report: a pipeline run set against the published numbers, with figures.

:func:`write_report` writes into one directory ``report.html`` (one self-contained page: figures
embedded, no network), ``report.md`` (the same document, readable on GitHub or in any Markdown
viewer), ``results.json`` (every number) and the figures as PNG. It writes into a staging
directory inside the output directory and moves the files into place at the end
(:mod:`nenaudit.outputs`), so a report that looks complete is complete, and no file nenaudit did
not write is replaced.
"""

from __future__ import annotations

import contextlib
import html
import math
import multiprocessing
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from tabulate import tabulate

from nenaudit.io import STABLE_DIGITS, dumps_json
from nenaudit.outputs import output_dir
from nenaudit.report import figures
from nenaudit.report.document import (
    MARK_LEGEND,
    MARK_SYMBOL,
    Cell,
    Document,
    Figure,
    Folded,
    Para,
    Table,
)
from nenaudit.report.html import render_html
from nenaudit.report.sections import build_document
from nenaudit.stats.workers import worker_pool

__all__ = ["render_markdown", "figure_files", "provenance_items", "write_report"]


def _md_cell(c) -> str:
    t = c.text + (f" {MARK_SYMBOL[c.mark]}" if c.mark else "") if isinstance(c, Cell) else str(c)
    return t.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    rows = []
    for i, row in enumerate(t.rows):
        kind = t.row_kinds[i] if i < len(t.row_kinds) else ""
        cells = [_md_cell(c) for c in row]
        if kind == "level":
            cells[0] = "&nbsp;&nbsp;" + cells[0]
        elif kind == "variable":
            cells[0] = f"**{cells[0]}**"
        rows.append(cells)
    return f"**{t.caption}**\n\n" + tabulate(rows, headers=t.columns, tablefmt="github")


def render_markdown(doc: Document, figure_files: dict[str, str]) -> str:
    """``report.md``: the same document as the HTML page, images linked as files next to it."""
    parts = [f"# {doc.title}", doc.subtitle]
    for s in doc.sections:
        parts.append(f"## {s.title}")
        for b in s.blocks:
            if isinstance(
                b, Folded
            ):  # GitHub renders <details> in Markdown; the blank lines keep the table Markdown
                parts.append(
                    f"<details><summary>{html.escape(b.summary)}</summary>\n\n"
                    + "\n\n".join(
                        _md_table(t) if isinstance(t, Table) else t.text for t in b.blocks
                    )
                    + "\n\n</details>"
                )
            elif isinstance(b, Table):
                parts.append(_md_table(b))
            elif isinstance(b, Para):
                parts.append(("> " if b.kind == "warning" else "") + b.text)
            elif isinstance(b, Figure):
                f = figure_files.get(b.key)
                parts.append(
                    f"![{b.alt}]({Path(f).name})\n\n{b.caption}"
                    if f
                    else f"Figure not drawn: {b.alt}."
                )
        if s.id == "summary":
            parts.append(MARK_LEGEND)
    return "\n\n".join(parts) + "\n"


def _draw_dca(res, path: Path) -> Path:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.0, 4.3))
    figures.plot_dca(res, ax=a1)
    figures.plot_dca(res, ax=a2, standardized=True)
    a2.set_title("Standardized net benefit")
    return figures.save(fig, path)


def _draw_lasso(res, path: Path) -> Path:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.0, 4.3))
    figures.plot_lasso_cv(res, ax=a1)
    figures.plot_lasso_path(res, ax=a2)
    return figures.save(fig, path)


def _draw_instability(res, path: Path) -> Path:
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(16.5, 5.3))
    figures.plot_prediction_instability(res, ax=a1)
    figures.plot_calibration_instability(res, ax=a2)
    figures.plot_dca_instability(res, ax=a3)
    return figures.save(fig, path)


def figure_tasks(res, study) -> dict[str, tuple[str, Any]]:
    """The report's figures in their order: ``{key: (file name, draw(path) -> path)}``."""
    tasks: dict[str, tuple[str, Any]] = {}
    if res.arrays.get("roc"):
        tasks["roc"] = ("roc.png", lambda p: figures.save(figures.plot_roc(res), p))
    tasks["calibration"] = (
        "calibration.png",
        lambda p: figures.save(figures.plot_calibration(res), p),
    )
    tasks["dca"] = ("dca.png", lambda p: _draw_dca(res, p))
    if res.nomogram is not None and res.final_terms:
        tasks["nomogram"] = ("nomogram.png", lambda p: figures.save(figures.plot_nomogram(res), p))
    if res.arrays.get("lasso") is not None:
        tasks["lasso"] = ("lasso_cv.png", lambda p: _draw_lasso(res, p))
    if res.arrays.get("instability") is not None:
        tasks["instability"] = ("instability.png", lambda p: _draw_instability(res, p))
    boot = next((a for a in study.auc if a.model == "fusion" and a.kind == "apparent"), None)
    published = boot.estimate.value if boot else None
    tasks["validation"] = (
        "validation.png",
        lambda p: figures.save(figures.plot_validation(res, published=published), p),
    )
    return tasks


def figure_files(res, study, out: Path, keys=None) -> dict[str, Path]:
    """Draw the report's figures (those of ``keys``, default all) into ``out`` as PNG; returns ``{key: path}``."""
    return {
        k: draw(out / name)
        for k, (name, draw) in figure_tasks(res, study).items()
        if keys is None or k in keys
    }


def provenance_items(
    argv: Sequence[str] | None = None, r_version: str | None = None
) -> dict[str, str]:
    """Package versions, Python, R (when it ran), the command line."""
    out = {}
    for pkg in ("nenaudit", "numpy", "scipy", "pandas", "matplotlib", "numba", "rpy2"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    out["python"] = platform.python_version()
    out["R"] = r_version or "not used in this run"
    out["command line"] = " ".join(argv if argv is not None else sys.argv)
    return out


REPORT_FILES = (
    "report.html",
    "report.md",
    "results.json",
    "roc.png",
    "calibration.png",
    "dca.png",
    "nomogram.png",
    "lasso_cv.png",
    "validation.png",
    "instability.png",
)


CALIBRATION_DECIMALS = (
    12  # results.json: decimal places of the apparent calibration intercepts (see below)
)


def _settle_calibration(data: dict) -> None:
    """The final model's apparent calibration-in-the-large and calibration intercept are 0 in exact arithmetic
    (an ML fit with an intercept, evaluated on its own data); computed, they are IRLS's residue (~1e-9), whose
    digits after the first few are the CPU's last bits. results.json writes them to
    :data:`CALIBRATION_DECIMALS` decimal places (the other floats: 10 significant digits)."""
    fit = (data.get("calibration") or {}).get("fit")
    if isinstance(fit, dict):
        for k in ("citl", "intercept"):
            v = fit.get(k)
            if isinstance(v, float) and math.isfinite(v):
                fit[k] = round(v, CALIBRATION_DECIMALS)


def write_report(
    res,
    study,
    out_dir,
    audit_summary: str | None = None,
    *,
    findings=None,
    crosscheck: dict | None = None,
    crosscheck_why_not: str | None = None,
    argv: Sequence[str] | None = None,
    force: bool = False,
) -> Path:
    """Write ``report.html`` (self-contained), ``report.md``, ``results.json`` and the figures into
    ``out_dir``. ``findings``: the audit's; ``crosscheck``: the crosscheck table as a dict
    (:func:`nenaudit.parity.crosscheck.run_crosscheck`), or None with the reason in
    ``crosscheck_why_not``.

    ``out_dir`` is a path or a :class:`nenaudit.outputs.OutputDir` checked before the run: the files
    are staged and moved into place together; no file that nenaudit did not write is replaced.
    """
    d = output_dir(out_dir, verb="reproduce", names=REPORT_FILES, force=force)
    with d.writing() as tmp, _figures_beside(res, study, tmp) as drawn:
        # the figures are drawn in a worker meanwhile (drawn); results.json does not need them
        data = res.to_dict()
        data.pop("arrays", None)
        if crosscheck is not None:
            data["crosscheck"] = crosscheck
        _settle_calibration(data)
        # 10 significant digits: the same bytes on any CPU (nenaudit.io.stable_float)
        (tmp / "results.json").write_text(
            dumps_json(data, default=_default, digits=STABLE_DIGITS), encoding="utf-8"
        )
        files = drawn()  # the worker's figures, then this process's
        files = {
            k: files[k] if k in files else draw(tmp / name)
            for k, (name, draw) in figure_tasks(res, study).items()
        }
        prov = provenance_items(argv, (crosscheck or {}).get("r_version"))
        doc = build_document(
            res,
            study,
            findings=findings,
            crosscheck=crosscheck,
            crosscheck_why_not=crosscheck_why_not,
            provenance=prov,
            figure_keys=tuple(files),
        )
        (tmp / "report.html").write_text(render_html(doc, files), encoding="utf-8")
        (tmp / "report.md").write_text(
            render_markdown(doc, {k: str(v) for k, v in files.items()}), encoding="utf-8"
        )
    return d.path


_FIGURE_JOB: tuple | None = None  # (res, study, out) for the figure worker, inherited through fork
# drawn by the worker: the slowest figures (about 1.5 of the 2.6 s of all of them at 1000 resamples, AMD EPYC);
# this process writes results.json (about 1.2 s) and draws the others meanwhile
_WORKER_FIGURES = ("instability", "lasso", "dca")


def _draw_in_worker() -> dict[str, str]:
    res, study, out = _FIGURE_JOB
    return {k: str(v) for k, v in figure_files(res, study, out, _WORKER_FIGURES).items()}


@contextlib.contextmanager
def _figures_beside(res, study, out: Path):
    """Draw the slowest figures (``_WORKER_FIGURES``) into ``out`` in one forked worker (it dies with
    this process, :func:`nenaudit.stats.workers.worker_pool`) while the caller writes results.json and
    draws the others; yields the callable that waits for the worker's ``{key: path}``. The worker is a
    fork of this process, matplotlib's state included: the same bytes as drawn here. Where fork is
    missing the callable gives ``{}`` and the caller draws every figure."""
    global _FIGURE_JOB
    if "fork" not in multiprocessing.get_all_start_methods():
        yield dict
        return
    _FIGURE_JOB = (res, study, out)
    try:
        with worker_pool(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_draw_in_worker)
            yield lambda: {k: Path(v) for k, v in future.result().items()}
    finally:
        _FIGURE_JOB = None


def _default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)
