"""Optimism forensics: each printed AUC against what the paper's own procedure finds in noise.

``nenaudit audit --noise-twin N`` runs the study's noise twin (:mod:`nenaudit.simulate.twin`: ``N``
cohorts of the design the spec's ``pipeline`` section states, no signal, the declared pipeline re-run
on each) and adds, per printed AUC of a model the pipeline section names:

* the printed value's percentile among the twins' AUCs (the apparent AUC for a development-cohort or
  bootstrap figure, the AUC on an independent null cohort of the validation size for a validation
  figure), and the share of twins reaching it;
* the expected optimism of this design's procedure: the median, over the twins, of the whole-pipeline
  bootstrap optimism of the AUC (every data-driven step re-run in each resample; Steyerberg 2019, ch. 17);
* for a printed "validated" (bootstrap) AUC: whether it is compatible with an optimism-corrected
  estimate, i.e. the printed apparent AUC minus an optimism in the twins' 5-95% range. A validated AUC
  above ``apparent - 5th percentile of the optimism`` is not what an optimism correction of this
  procedure gives (verdict inconsistent); the fixed model's mean over resamples is (Feng 2025's scheme).

The optimism is that of the procedure on noise; with real signal it is usually smaller, so the
compatibility bound is generous to the paper. Without ``--noise-twin`` :func:`noise_twin_hint` says how
to run it.

References
----------
Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer; 2019, ch. 17. doi:10.1007/978-3-030-16399-0
Chalkidou A, O'Doherty MJ, Marsden PK. PLoS One 2015;10:e0124165. doi:10.1371/journal.pone.0124165
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from nenaudit.audit.findings import Finding
from nenaudit.simulate import SimulationSpec, run_simulation
from nenaudit.simulate.store import Store
from nenaudit.simulate.summary import printed_aucs
from nenaudit.simulate.twin import can_twin, unsupported_steps
from nenaudit.stats.quantile import quantile7

__all__ = ["noise_twin_findings", "noise_twin_hint", "DEFAULT_TWIN_BOOT"]

DEFAULT_TWIN_BOOT = (
    10  # whole-pipeline resamples per twin: the optimism's median over N twins needs few
)


def noise_twin_hint(study) -> Finding:
    """The note of an audit run without ``--noise-twin``: how to run it (or why it cannot run)."""
    has = getattr(study, "pipeline", None) is not None
    detail = (
        "run `nenaudit audit --noise-twin 200` (about 5-10 minutes on 2 cores) to set each printed AUC "
        "against the apparent AUCs the paper's own pipeline reaches on 200 null cohorts of its design, "
        "with the design's expected optimism"
        if has
        else "the spec has no 'pipeline' section (spec_version 2): add one (README, 'Writing a spec') to run "
        "`nenaudit audit --noise-twin 200`"
    )
    return Finding(
        "noise_twin:hint",
        "noise_twin",
        "spec.pipeline",
        "the printed AUCs against the design's noise",
        None,
        None,
        "note",
        detail,
    )


def _sorted_ok(rows, metric):
    return np.sort(
        np.array(
            [r["metrics"][metric] for r in rows if r["metrics"].get(metric) is not None],
            dtype=float,
        )
    )


def _percentile(vals: np.ndarray, x: float) -> float:
    """The share of ``vals`` at or below ``x`` (the empirical CDF, R's ``ecdf(vals)(x)``), in percent."""
    return 100.0 * float(np.searchsorted(vals, x, side="right")) / vals.size


def noise_twin_findings(
    study,
    n: int,
    *,
    study_path=None,
    boot: int = DEFAULT_TWIN_BOOT,
    seed: int = 20250611,
    jobs: int = 1,
    backend: str = "local",
    out=None,
    quiet: bool = True,
    max_features: int | None = None,
) -> list[Finding]:
    """Run ``n`` noise twins of ``study`` and return the forensic findings (see the module docstring).

    ``study_path`` is the spec's file (None: the embedded study); ``out`` keeps the simulation store (a
    temporary folder otherwise). The numbers depend on ``seed`` only, not on ``jobs`` or ``backend``.
    """
    if not can_twin(study):
        return [noise_twin_hint(study)]
    spec = SimulationSpec(
        mode="null",
        cohorts=int(n),
        boot=int(boot),
        seed=int(seed),
        signal="none",
        study=None if study_path is None else str(study_path),
        study_sha256=study.sha256,
        twin=True,
        max_features=max_features,
    )
    with tempfile.TemporaryDirectory(prefix="nenaudit-audit-twin-") as tmp:
        folder = Path(out) if out is not None else Path(tmp) / "twin"
        run_simulation(
            spec,
            folder,
            backend=backend,
            jobs=jobs,
            quiet=quiet,
            command=f"nenaudit audit --noise-twin {n}",
        )
        with Store(folder, create=False) as s:
            rows = list(s.rows())
    status = {}
    for r in rows:
        status[r["status"]] = status.get(r["status"], 0) + 1
    opt = _sorted_ok(rows, "optimism_pipeline")
    o05, o50, o95 = (
        (float(v) for v in quantile7(opt, [0.05, 0.5, 0.95])) if opt.size else (np.nan,) * 3
    )
    caveat = unsupported_steps(study)
    tail = (
        f" Twins: {len(rows)} ({', '.join(f'{k} {v}' for k, v in sorted(status.items()))}), {boot} whole-pipeline "
        f"resamples each, seed {seed}."
        + (f" Not re-run by the twin: {'; '.join(caveat)}." if caveat else "")
    )
    printed = printed_aucs(study)
    names = {"radscore": "score", "fusion": "score + clinical model"}
    models = {m.contains: m.model for m in study.pipeline.models}
    out_f: list[Finding] = []
    for key, value in printed.items():
        if value is None:
            continue
        base = key.replace("_validation", "")
        metric = "auc_validation_" + base if key.endswith("_validation") else "auc_" + base
        vals = _sorted_ok(rows, metric)
        model = models.get("score" if base == "radscore" else "score+clinical", base)
        where = next((a.where for a in study.auc if a.model == model), "spec.auc")
        what = (
            "AUC on an independent null cohort of the validation size"
            if key.endswith("_validation")
            else "apparent AUC"
        )
        if vals.size == 0:
            out_f.append(
                Finding(
                    f"noise_twin:{key}",
                    "noise_twin",
                    where,
                    f"AUC {value:g} of the {names[base]}",
                    value,
                    None,
                    "not-reproducible",
                    f"no twin produced a {names[base]} ({what}) to compare with." + tail,
                )
            )
            continue
        q50, q95 = (float(v) for v in quantile7(vals, [0.5, 0.95]))
        pct = _percentile(vals, value)
        reach = int(np.sum(vals >= value))
        rec = {
            "percentile": pct,
            "twins": int(vals.size),
            "reaching": reach,
            "median": q50,
            "q95": q95,
            "expected_optimism": o50,
            "optimism_q05": o05,
            "optimism_q95": o95,
        }
        detail = (
            f"the printed {value:g} is at the {pct:.1f}th percentile of the {what} the declared pipeline "
            f"reaches on {vals.size} null cohorts of this design (median {q50:.3f}, 95th percentile {q95:.3f}; "
            f"{reach} reach it); expected optimism of the procedure (whole-pipeline bootstrap, median over the "
            f"twins) {o50:.3f} (5-95%: {o05:.3f}-{o95:.3f})."
        )
        out_f.append(
            Finding(
                f"noise_twin:{key}",
                "noise_twin",
                where,
                f"AUC {value:g} of the {names[base]}",
                value,
                rec,
                "note",
                detail + tail,
            )
        )
    # a printed "validated" (bootstrap) AUC against an optimism-corrected one
    for a in study.auc:
        if a.kind != "bootstrap" or not opt.size:
            continue
        app = next(
            (
                b
                for b in study.auc
                if b.model == a.model and b.kind == "apparent" and b.cohort == a.cohort
            ),
            None,
        )
        if app is None:
            continue
        lo, mid, hi = app.estimate.value - o95, app.estimate.value - o50, app.estimate.value - o05
        ok = a.estimate.value <= hi + app.estimate.half_unit
        rec = {
            "apparent": app.estimate.value,
            "corrected": mid,
            "corrected_range": [lo, hi],
            "expected_optimism": o50,
        }
        detail = (
            f"an optimism-corrected AUC of this procedure would be about {app.estimate.value:g} - {o50:.3f} = "
            f"{mid:.3f} (range {lo:.3f}-{hi:.3f} over the twins' 5-95% optimism); the printed "
            f"{a.estimate.raw} is "
            + ("within" if ok else "above")
            + " that range"
            + (
                ""
                if ok
                else ": it is not an optimism-corrected estimate (the fixed model's mean over "
                "resamples is close to the apparent AUC; see the 'bootstrap' finding)"
            )
            + "."
            + tail
        )
        out_f.append(
            Finding(
                f"noise_twin:validated:{a.model}:{a.where}",
                "noise_twin",
                a.where,
                f"validated AUC {a.estimate.raw} of {a.model}",
                a.estimate.raw,
                rec,
                "consistent" if ok else "inconsistent",
                detail,
            )
        )
    return out_f
