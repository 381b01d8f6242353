"""One replicate of a simulation: build its cohort, run the paper's whole pipeline on it, keep the numbers.

A replicate is a pure function of the :class:`SimulationSpec` and its index (:func:`run_replicate`):
the same spec and index give the same row on any machine, process or backend. BLAS runs on one
thread inside a replicate (the parallelism is across replicates), and the LASSO-CV runs its folds
in the calling thread (glmnet's iterations compiled here, agreeing with R's cv.glmnet; see
:mod:`nenaudit.stats.lasso` and :mod:`nenaudit.stats._lognet`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

# pipeline's functions are looked up at the call (pipeline.run_pipeline): tests replace them
from nenaudit import __version__, pipeline
from nenaudit.cohort import load_cohort
from nenaudit.exceptions import FitFailure, NenauditError
from nenaudit.pipeline import PipelineConfig
from nenaudit.selection import SelectionConfig
from nenaudit.simulate.cohorts import keep_features, merge_cohorts, null_cohort, synthetic_cohort
from nenaudit.simulate.seeds import replicate_seeds
from nenaudit.simulate.twin import twin_cohort, twin_config
from nenaudit.stats.discrimination import roc_auc
from nenaudit.study.schema import load

__all__ = ["MODES", "SimulationSpec", "ReplicateInputs", "run_replicate", "METRICS", "STATUSES"]

MODES = ("null", "family", "n-sweep")
STATUSES = ("ok", "empty_selection", "separation", "non_convergence", "empty_model", "error")
# the per-replicate numbers summarised (name -> what it is)
METRICS = {
    "auc_radscore": "apparent AUC of the Radscore",
    "auc_fusion": "apparent AUC of the fusion (final) model",
    "n_after_filters": "features left by the ICC and Spearman filters",
    "n_lasso": "features selected by the LASSO-CV (lambda.min)",
    "final_size": "terms of the final model",
    "auc_published": "scheme (a) as published: the fixed model's mean bootstrap AUC",
    "auc_harrell": "scheme (b) Harrell: optimism-corrected AUC, final formula refitted",
    "auc_pipeline": "scheme (c): optimism-corrected AUC, whole pipeline re-run per resample",
    "auc_cluster": "scheme (d): optimism-corrected AUC, patients resampled",
    "optimism_harrell": "optimism of the AUC, scheme (b)",
    "optimism_pipeline": "optimism of the AUC, scheme (c)",
    "optimism_cluster": "optimism of the AUC, scheme (d)",
    "slope_pipeline": "optimism-corrected calibration slope, scheme (c)",
    "separation_pipeline": "share of scheme (c) resamples whose final model separated (left out)",
    "failed_pipeline": "share of scheme (c) resamples that failed for any reason (left out)",
    "mape_pipeline": "mean absolute prediction error of the scheme (c) bootstrap models (Riley & Collins 2023)",
    "cii_pipeline": "classification instability index at Youden's risk, scheme (c) bootstrap models",
    "selection_stability": "mean selection frequency, across scheme (c) resamples, of the replicate's LASSO features",
    "auc_validation_radscore": "noise twin: the developed Radscore's AUC on an independent cohort of the spec's "
    "validation size (what the paper's split/external validation would have shown)",
    "auc_validation_fusion": "noise twin: the developed fusion model's AUC on that independent cohort",
}


@dataclass(frozen=True)
class SimulationSpec:
    """What a simulation run computes; stored with the run and checked on ``--resume``."""

    mode: str  # null | family | n-sweep
    cohorts: int  # replicates per scale
    boot: int  # resamples per validation scheme
    seed: int = 20250611
    signal: str = (
        "clinical-only"  # null: clinical-only | none; n-sweep also: faithful; family: faithful
    )
    scales: tuple[int, ...] = (1,)
    study: str | None = None  # study spec path; None = the embedded feng2025
    study_sha256: str = ""
    cohort: str | None = (
        None  # null only: permute this fixed cohort instead of fresh synthetic ones
    )
    max_features: int | None = None  # keep this many feature columns (quick runs and tests)
    # the noise twin: cohorts drawn from the spec's pipeline section alone (simulate/twin.py), not synth's design
    twin: bool = False

    @property
    def n_replicates(self) -> int:
        return self.cohorts * len(self.scales)

    def scale_of(self, index: int) -> int:
        return self.scales[index // self.cohorts]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["scales"] = list(self.scales)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SimulationSpec:
        d = dict(d)
        d["scales"] = tuple(d.get("scales") or (1,))
        d.pop(
            "engine", None
        )  # the LASSO engine recorded by stores of format 1 (read by --status only)
        return cls(**d)


_CODE_SUFFIXES = (".py", ".json", ".yaml")


@functools.lru_cache(maxsize=4)
def code_fingerprint(root: str | None = None) -> str:
    """sha256 over nenaudit's own files (its sources and embedded specs), path by path, compiled caches left out.

    Two installations with the same fingerprint compute the same replicate rows; the package version
    alone does not say so (a development checkout keeps its version while its code changes).
    ``root`` is the package folder to hash (default: this installation's).
    """
    base = Path(root) if root is not None else Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    files = sorted(
        p
        for p in base.rglob("*")
        if p.is_file()
        and p.suffix in _CODE_SUFFIXES
        and "__pycache__" not in p.relative_to(base).parts
    )
    for f in files:
        h.update(f.relative_to(base).as_posix().encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def build_id() -> str:
    """What made a row: ``"<version> (code <first 12 hex digits of code_fingerprint()>)"``."""
    return f"{__version__} (code {code_fingerprint()[:12]})"


@dataclass(frozen=True)
class ReplicateInputs:
    """What every replicate of a run reads: the study spec and, for a null run on a fixed ``--cohort``,
    that cohort. Loaded once by the caller (:func:`nenaudit.simulate.run_simulation`, which checks them
    before the run) and passed to each replicate, in this process or sent to a worker with its task."""

    study: Any  # nenaudit.study.schema.Study
    cohort: Any = None  # nenaudit.cohort.Cohort of spec.cohort, or None

    @classmethod
    def load(cls, spec: SimulationSpec) -> ReplicateInputs:
        """The inputs of ``spec``: its study spec (None: the embedded one) and its fixed cohort, if any."""
        return cls(load(spec.study), None if spec.cohort is None else load_cohort(spec.cohort))


def build_cohort(spec: SimulationSpec, index: int, inputs: ReplicateInputs | None = None):
    """The cohort of replicate ``index`` (after nulling and feature sub-sampling), and its seeds.
    ``inputs`` None: loaded here (:meth:`ReplicateInputs.load`)."""
    inputs = inputs if inputs is not None else ReplicateInputs.load(spec)
    scale = spec.scale_of(index)
    seeds = replicate_seeds(spec.seed, index, n_blocks=scale)
    rng = seeds.null_rng()
    null = spec.signal in ("clinical-only", "none")
    if spec.twin:
        if scale != 1 or not null:
            raise NenauditError("the noise twin is a null simulation at the spec's own size")
        return twin_cohort(inputs.study, rng, max_features=spec.max_features), seeds
    if spec.cohort is not None:
        if scale != 1 or not null:
            raise NenauditError(
                "a fixed --cohort is permuted by a null simulation at its own size only"
            )
        cohort = inputs.cohort
    else:
        cohort = merge_cohorts(
            [synthetic_cohort(inputs.study, s, faithful=not null) for s in seeds.cohort]
        )
    if spec.max_features is not None:
        cohort = keep_features(cohort, spec.max_features, rng)
    if null:
        cohort = null_cohort(cohort, rng, spec.signal)
    return cohort, seeds


def _status(exc) -> tuple[str, str]:
    detail = exc.detail or str(exc)
    if exc.reason == "error" and "selected no feature" in detail:
        return "empty_selection", detail
    return exc.reason, detail


def status_of_result(res) -> tuple[str, str]:
    """A finished pipeline's outcome: ``empty_selection`` (the LASSO-CV kept nothing: the final model is the
    clinical one), ``separation`` / ``non_convergence`` (the full-data final model, kept as R's glm), else ``ok``."""
    if not res.selection["selected"]:
        return "empty_selection", "LASSO-CV selected no feature; the final model is clinical only"
    for w in res.warnings:
        if "final model separates" in w:
            return "separation", w
        if "did not converge" in w and "final model" in w:
            return "non_convergence", w
    return "ok", ""


def _status_of_message(msg: str) -> tuple[str, str]:
    """Status of a refused computation: the reason a validation scheme names for its full-data fit, else error."""
    m = re.search(r"fails on the full data \((\w+):", msg)
    if m and m.group(1) in STATUSES:
        return m.group(1), msg
    # no feature and no clinical predictor kept: a constant model
    if "predictions are all equal" in msg:
        return "empty_model", msg
    return "error", msg


def _share(n: int, d: int):
    return None if d == 0 else n / d


def metrics_of(res) -> dict[str, Any]:
    """The numbers a replicate keeps from a :class:`nenaudit.pipeline.PipelineResult`."""
    v = res.validation
    pipe = v["pipeline"]
    out = {
        "auc_radscore": (res.auc.get("Radscore") or {}).get(
            "auc"
        ),  # none after an empty LASSO selection
        "auc_fusion": res.auc["fusion model"]["auc"],
        "n_after_filters": res.selection["n_after_filters"],
        "n_lasso": len(res.selection["selected"]),
        "final_size": len(res.final_terms),
        "auc_published": v["published"].mean,
        "auc_harrell": v["harrell"].index("C").corrected,
        "auc_pipeline": pipe.index("C").corrected,
        "auc_cluster": v["cluster"].index("C").corrected,
        "optimism_harrell": v["harrell"].index("C").optimism,
        "optimism_pipeline": pipe.index("C").optimism,
        "optimism_cluster": v["cluster"].index("C").optimism,
        "slope_pipeline": pipe.index("Slope").corrected,
        "separation_pipeline": _share(pipe.failures.get("separation", 0), pipe.n_boot),
        "failed_pipeline": _share(pipe.n_boot - pipe.n_ok, pipe.n_boot),
        "mape_pipeline": (res.instability or {}).get("mape"),
        "cii_pipeline": (res.instability or {}).get("cii"),
        "selection_stability": (
            (res.instability or {}).get("selection", {}).get("features") or {}
        ).get("mean_original"),
    }
    extra = {
        "final_terms": list(res.final_terms),
        "radscore_in_final": "Radscore" in res.final_terms,
        "n_lesions": res.n_lesions,
        "n_events": res.n_events,
        "failures": {k: dict(v[k].failures) for k in ("harrell", "pipeline", "cluster")},
        "n_ok": {k: v[k].n_ok for k in ("harrell", "pipeline", "cluster")},
        "n_warnings": len(res.warnings),
    }
    return {"metrics": out, "details": extra}


def validation_aucs(spec: SimulationSpec, res, cfg, seeds, study) -> dict[str, Any]:
    """The developed model's AUCs on an independent null cohort of the spec's validation (or external) size."""
    role = next((s.role for s in study.pipeline.samples if s.role != "development"), None)
    model = res.arrays.get("model")
    if role is None or model is None:
        return {}
    vc = twin_cohort(study, seeds.validation_rng(), role=role, max_features=spec.max_features)
    X, y, _, _ = pipeline.build_design(vc, cfg, study)
    out = {"auc_validation_fusion": float(roc_auc(y, model.predict_lp(X), direction="<").auc)}
    if model.selection.selected:
        out["auc_validation_radscore"] = float(roc_auc(y, model.radscore(X), direction="<").auc)
    return out


def run_replicate(
    spec: SimulationSpec, index: int, inputs: ReplicateInputs | None = None
) -> dict[str, Any]:
    """Replicate ``index`` of ``spec`` as one store row (see :mod:`nenaudit.simulate.store`); ``inputs``
    are the run's :class:`ReplicateInputs` (None: loaded here). The row does not depend on who loaded them."""
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        inputs = inputs if inputs is not None else ReplicateInputs.load(spec)
        study = inputs.study
        cohort, seeds = build_cohort(spec, index, inputs)
        cfg = PipelineConfig(
            selection=SelectionConfig(n_jobs=1), n_boot=spec.boot, seed=seeds.pipeline, jobs=1
        )
        status, detail, body = "ok", "", {"metrics": {k: None for k in METRICS}, "details": {}}
        if spec.twin:
            cfg = twin_config(study, cfg)
        try:
            res = pipeline.run_pipeline(
                cohort, cfg, study=study
            )  # --study names the candidates too
            body = metrics_of(res)
            status, detail = status_of_result(res)
            if spec.twin:
                body["metrics"].update(validation_aucs(spec, res, cfg, seeds, study))
        except FitFailure as exc:
            # the pipeline could not build a model on this cohort: a counted outcome
            status, detail = _status(exc)
        except NenauditError as exc:
            # e.g. a validation scheme's full-data fit failed (lasso non-convergence)
            status, detail = _status_of_message(str(exc))
        y = cohort.outcome
        body["details"].setdefault("n_lesions", int(y.size))
        body["details"].setdefault("n_events", int(y.sum()))
    return {
        "idx": int(index),
        "scale": spec.scale_of(index),
        "seed": seeds.label,
        "seeds": {"cohort": list(seeds.cohort), "pipeline": seeds.pipeline},
        "version": build_id(),
        "status": status,
        "detail": detail,
        "metrics": body["metrics"],
        "details": body["details"],
        "seconds": time.perf_counter() - t0,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
