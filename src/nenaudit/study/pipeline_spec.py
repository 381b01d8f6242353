"""The ``pipeline`` section of a study spec (spec_version 2): what the paper did, step by step, as data.

The JSON Schema (``spec.schema.json``, property ``pipeline``) fixes the keys and words; this module
checks the values the schema cannot (thresholds in (0, 1], cohort ids, events below units, model ids
that exist in ``spec.auc``) and builds the frozen :class:`PipelineSpec` the noise twin
(:mod:`nenaudit.simulate.twin`) and the audit read. Every error is one line naming the field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nenaudit.exceptions import SpecError

__all__ = [
    "PipelineSpec",
    "SampleSpec",
    "SelectionStep",
    "ReportedModel",
    "parse_pipeline",
    "CLAIMED_VALIDATIONS",
]

CLAIMED_VALIDATIONS = (
    "none",
    "split",
    "cross-validation",
    "bootstrap-fixed",
    "bootstrap-refit",
    "external",
)


@dataclass(frozen=True)
class SampleSpec:
    """One analysed cohort: its role, units (lesions/nodules/patients), events and clustering."""

    cohort: str | None
    role: str  # development | validation | external
    units: int
    events: int
    patients: int | None
    max_units_per_patient: int | None
    where: str


@dataclass(frozen=True)
class SelectionStep:
    """One feature-selection step (univariable test, LASSO, mRMR, ...)."""

    method: str
    test: str | None
    threshold: float | None
    folds: int | None
    lam: str | None
    k: int | None
    selected: int | None
    where: str


@dataclass(frozen=True)
class ReportedModel:
    """A model whose AUC the paper reports (a ``spec.auc`` model id) and what it contains."""

    model: str
    contains: str  # score | clinical | score+clinical


@dataclass(frozen=True)
class PipelineSpec:
    """The paper's procedure as data (see the module docstring); ``raw`` is the section as written."""

    where: str
    samples: tuple[SampleSpec, ...]
    n_features: (
        int | None
    )  # None: not printed (the twin then uses the shipped extraction's count, and says so)
    icc_threshold: float | None
    icc_form: str | None
    observers: int | None
    repeats: int | None
    resegmented: int | None
    normalization: str
    redundancy_method: str | None
    redundancy_threshold: float | None
    selection: tuple[SelectionStep, ...]
    clinical_candidates: tuple[str, ...] | None
    screen_threshold: float | None
    multivariable: str | None
    criterion: str | None
    stay_threshold: float | None
    models: tuple[ReportedModel, ...]
    claimed_validation: str
    validation_resamples: int | None
    raw: Mapping[str, Any]

    @property
    def development(self) -> SampleSpec:
        return next(s for s in self.samples if s.role == "development")

    def step(self, method: str) -> SelectionStep | None:
        return next((s for s in self.selection if s.method == method), None)


def _p(v: Any, path: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 < v <= 1.0:
        raise SpecError(f"{path}: expected a p value or cut-off in (0, 1], got {v!r}")
    return float(v)


def parse_pipeline(
    raw: Mapping[str, Any], cohorts: Mapping[str, str], auc_models: set[str]
) -> PipelineSpec:
    """Check the values of a schema-valid ``pipeline`` section and build a :class:`PipelineSpec`.

    ``cohorts``: the spec's cohort ids; ``auc_models``: the model ids of ``spec.auc``.
    """
    p = "spec.pipeline"
    samples = []
    for i, s in enumerate(raw["sample"]):
        sp = f"{p}.sample[{i}]"
        c = s.get("cohort")
        if c is not None and c not in cohorts:
            raise SpecError(
                f"{sp}.cohort: {c!r} is not a cohort of the spec (cohorts: "
                f"{', '.join(sorted(cohorts)) or 'none'}); list it in spec.cohorts"
            )
        if s["events"] >= s["units"]:
            raise SpecError(
                f"{sp}.events: {s['events']} events of {s['units']} units leaves no non-event; "
                "events counts the units with the outcome coded 1"
            )
        pts, mx = s.get("patients"), s.get("max_units_per_patient")
        if pts is not None and pts > s["units"]:
            raise SpecError(
                f"{sp}.patients: {pts} patients but {s['units']} units; every patient has a unit"
            )
        if pts is not None and mx is not None and pts * mx < s["units"]:
            raise SpecError(
                f"{sp}.max_units_per_patient: {pts} patients x {mx} < {s['units']} units"
            )
        samples.append(SampleSpec(c, s["role"], s["units"], s["events"], pts, mx, s["where"]))
    if sum(s.role == "development" for s in samples) != 1:
        raise SpecError(
            f"{p}.sample: exactly one cohort must have role 'development' (the one the models are fitted on)"
        )
    rel = raw.get("reliability") or {}
    red = raw.get("redundancy") or {}
    steps = []
    for i, st in enumerate(raw["selection"]):
        sp = f"{p}.selection[{i}]"
        steps.append(
            SelectionStep(
                st["method"],
                st.get("test"),
                _p(st.get("threshold"), f"{sp}.threshold"),
                st.get("folds"),
                st.get("lambda"),
                st.get("k"),
                st.get("selected"),
                st["where"],
            )
        )
    clin = raw.get("clinical") or {}
    models = []
    for i, m in enumerate(raw["models"]):
        if m["model"] not in auc_models:
            raise SpecError(
                f"{p}.models[{i}].model: {m['model']!r} is not a model of spec.auc "
                f"({', '.join(sorted(auc_models)) or 'none'}); name the model whose AUC the paper prints"
            )
        models.append(ReportedModel(m["model"], m["contains"]))
    val = raw["validation"]
    return PipelineSpec(
        where=raw["where"],
        samples=tuple(samples),
        n_features=raw["features"].get("count"),
        icc_threshold=_p(rel.get("threshold"), f"{p}.reliability.threshold") if rel else None,
        icc_form=rel.get("icc"),
        observers=rel.get("observers"),
        repeats=rel.get("repeats"),
        resegmented=rel.get("resegmented"),
        normalization=(raw.get("normalization") or {}).get("method", "unspecified"),
        redundancy_method=red.get("method"),
        redundancy_threshold=_p(red.get("threshold"), f"{p}.redundancy.threshold"),
        selection=tuple(steps),
        clinical_candidates=tuple(clin["candidates"]) if "candidates" in clin else None,
        screen_threshold=_p(clin.get("screen_threshold"), f"{p}.clinical.screen_threshold"),
        multivariable=clin.get("multivariable"),
        criterion=clin.get("criterion"),
        stay_threshold=_p(clin.get("stay_threshold"), f"{p}.clinical.stay_threshold"),
        models=tuple(models),
        claimed_validation=val["claimed"],
        validation_resamples=val.get("resamples"),
        raw=raw,
    )
