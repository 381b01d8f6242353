"""The targets of a faithful cohort, read from the study spec, and their evaluation on a pipeline result.

A *faithful* cohort is one on which the paper's own pipeline (:func:`nenaudit.pipeline.run_pipeline`:
filters, LASSO-CV re-fitted on the raw features, Radscore, univariable screen, backward Wald
elimination, validation) gives back the published model outputs. Every target comes from the spec:

* ``lasso/n_selected``: the number of published Radscore terms (exact);
* ``lasso/names``: the published feature names that resolve to pyradiomics keys, all selected
  (informational: a stand-in replaces a name that does not resolve);
* ``final_model``: the published final (fusion) model's variables, as a set (exact);
* ``auc/<model>``: the published apparent AUCs, within :data:`AUC_TOL`;
* ``univariable/<var>/in_ci`` and ``/printed``: the OR inside the published CI, and equal to the
  printed OR at its printed precision (the Radscore's printed OR is on the paper's Radscore scale,
  so only its CI counts);
* ``multivariable/<var>/in_ci``: each final-model term's adjusted OR inside its published CI;
* ``table/<table>/<var>/p``: the lesion table's p-values within printed rounding;
* ``separation/<scheme>``: the share of bootstrap resamples whose final fit separates, below
  :data:`SEPARATION_MAX` (unprinted; a faithful cohort must not be one the validation cannot use).

A cohort is faithful when every group meets its requirement: all targets of a group, or all but
:data:`ALLOWED_MISSES` of them. Informational targets (``required: False``) are reported, not required.
"""

from __future__ import annotations

import math
from typing import Any

from nenaudit.study.schema import Study, label_key

__all__ = ["evaluate", "unprinted"]


AUC_TOL = 0.015
SEPARATION_MAX = {"harrell": 0.10, "cluster": 0.10, "pipeline": 0.20}
# groups where a number of misses is allowed (the allocation cannot hit every printed value at once)
ALLOWED_MISSES = {"univariable_in_ci": 1, "univariable_printed": 1, "table_p": 1}
RADSCORE = "Radscore"


def _r(x, digits: int = 6):
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else float(f"{x:.{digits}g}")


def _find(names, variable: str) -> str | None:
    return next((n for n in names if label_key(n) == label_key(variable)), None)


def evaluate(study: Study, res, signature_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every target with published value, achieved value, tolerance and whether it is met, from a
    :class:`nenaudit.pipeline.PipelineResult`; ``faithful`` is True when every group meets its requirement."""
    rows: list[dict[str, Any]] = []

    def add(tid, group, published, achieved, tolerance, met, required=True):
        rows.append(
            {
                "target": tid,
                "group": group,
                "published": published,
                "achieved": achieved,
                "tolerance": tolerance,
                "met": bool(met),
                "required": required,
            }
        )

    rad = study.radiomics or {}
    terms = ((rad.get("radscore") or {}).get("terms")) or []
    selected = list(res.selection["selected"])
    if terms:
        add(
            "lasso/n_selected",
            "lasso",
            len(terms),
            len(selected),
            "exact",
            len(selected) == len(terms),
        )
    if signature_keys:
        got = sum(k in selected for k in signature_keys)
        add(
            "lasso/names",
            "lasso_names",
            len(signature_keys),
            got,
            "published names among the selected",
            got == len(signature_keys),
            required=False,
        )
    reg = study.regression
    if reg is not None and reg.final_model:
        pub = sorted(reg.final_model)
        got = sorted(res.final_terms)
        add(
            "final_model",
            "final_model",
            pub,
            got,
            "same set",
            {label_key(x) for x in pub} == {label_key(x) for x in got},
        )
    auc_names = {"radscore": RADSCORE, "fusion": "fusion model"}
    seen = set()
    for a in study.auc:
        if (
            a.kind != "apparent"
            or a.model in seen
            or a.model not in auc_names
            or a.estimate.value is None
        ):
            continue
        seen.add(a.model)
        got = res.auc.get(auc_names[a.model], {}).get("auc")
        add(
            f"auc/{a.model}",
            "auc",
            a.estimate.raw,
            _r(got, 4),
            f"±{AUC_TOL}",
            got is not None and abs(got - a.estimate.value) <= AUC_TOL + 1e-12,
        )
    if reg is not None:
        for row in reg.rows:
            u = row.univariable
            name = _find(res.univariable, row.variable)
            if u is None or name is None:
                continue
            got = res.univariable[name]
            o = got["or"]
            if u.ci is not None and u.ci.lo.value is not None:
                add(
                    f"univariable/{row.variable}/in_ci",
                    "univariable_in_ci",
                    f"{u.ci.lo.raw}–{u.ci.hi.raw}",
                    _r(o, 4),
                    "inside the published CI",
                    u.ci.lo.value <= o <= u.ci.hi.value,
                )
            if label_key(row.variable) != label_key(RADSCORE) and u.estimate.value is not None:
                add(
                    f"univariable/{row.variable}/printed",
                    "univariable_printed",
                    u.estimate.raw,
                    _r(o, 4),
                    f"±{u.estimate.half_unit:g}",
                    u.estimate.agrees(o),
                )
            if u.p is not None and u.p.value is not None and not u.p.malformed:
                add(
                    f"univariable/{row.variable}/p",
                    "univariable_p",
                    u.p.raw,
                    _r(got["p"], 4),
                    f"±{u.p.half_unit:g}",
                    u.p.agrees(got["p"]),
                    required=False,
                )
        for row in reg.rows:
            mv = row.multivariable
            name = _find(res.multivariable, row.variable)
            if mv is None or mv.ci is None or name is None:
                continue
            o = res.multivariable[name]["or"]
            add(
                f"multivariable/{row.variable}/in_ci",
                "multivariable_in_ci",
                f"{mv.ci.lo.raw}–{mv.ci.hi.raw}",
                _r(o, 4),
                "inside the published CI",
                mv.ci.lo.value <= o <= mv.ci.hi.value,
            )
            add(
                f"multivariable/{row.variable}/printed",
                "multivariable_printed",
                mv.estimate.raw,
                _r(o, 4),
                f"±{mv.estimate.half_unit:g}",
                mv.estimate.agrees(o),
                required=False,
            )
    # lesion table p-values as the pipeline computes them (Table 2 with the re-fitted Radscore)
    comp = {v.variable: v for v in res.table2.variables}
    for t in study.tables:
        if t.unit != "lesion":
            continue
        for row in t.rows:
            if row.p is None or row.p.value is None or row.outcome:
                continue
            name = _find(comp, row.variable)
            if name is None:
                continue
            p = comp[name].p
            add(
                f"table/{t.id}/{row.variable}/p",
                "table_p",
                row.p.raw,
                _r(p, 4),
                "printed rounding",
                p is not None and row.p.agrees(p),
            )
    for scheme, mx in SEPARATION_MAX.items():
        v = res.validation.get(scheme)
        if v is None:
            continue
        sep = int(v.failures.get("separation", 0)) + int(getattr(v, "kept_separated", 0) or 0)
        add(
            f"separation/{scheme}",
            "separation",
            None,
            f"{sep}/{v.n_boot}",
            f"< {mx:.0%} of resamples",
            sep < mx * v.n_boot,
        )
    groups: dict[str, list[dict]] = {}
    for r in rows:
        if r["required"]:
            groups.setdefault(r["group"], []).append(r)
    summary = {}
    for g, rs in groups.items():
        missed = [r["target"] for r in rs if not r["met"]]
        allowed = ALLOWED_MISSES.get(g, 0)
        summary[g] = {
            "met": len(rs) - len(missed),
            "of": len(rs),
            "allowed_misses": allowed,
            "ok": len(missed) <= allowed,
            "missed": missed,
        }
    return {
        "faithful": all(s["ok"] for s in summary.values()),
        "groups": summary,
        "targets": rows,
        "missed": [r["target"] for r in rows if r["required"] and not r["met"]],
    }


def unprinted(res) -> dict[str, Any]:
    """The numbers the paper does not print and the tool exists to show: optimism and corrected AUC per
    validation scheme, separated resamples, calibration slope (corrected), from a pipeline result."""
    out: dict[str, Any] = {}
    for scheme, v in res.validation.items():
        if scheme == "published":
            out[scheme] = {
                "mean_auc": _r(v.mean, 4),
                "n_ok": v.n_ok,
                "n_boot": v.n_boot,
                "failures": dict(v.failures),
            }
            continue
        c = v.index("C")
        s = v.index("Slope")
        out[scheme] = {
            "apparent_auc": _r(c.apparent, 4),
            "optimism": _r(c.optimism, 4),
            "corrected_auc": _r(c.corrected, 4),
            "corrected_slope": _r(s.corrected, 4),
            "n_ok": v.n_ok,
            "n_boot": v.n_boot,
            "failures": dict(v.failures),
            "kept_separated": int(getattr(v, "kept_separated", 0) or 0),
        }
    return out
