"""From a study spec to a synthetic cohort: allocation, realization, continuous values, features.

Conventions (each recorded in the manifest):

* The outcome groups are the lesion table's groups with an ``outcome_group``; the event (coded 1 in
  ``outcome``) is the last of them (feng2025: ineffective = SD + PD). A lesion's outcome is its patient's.
* A variable that appears in the patient table is a patient characteristic: all of a patient's
  lesions carry the patient's value (this includes the diameter of the hepatic metastasis, which the
  paper tabulates per patient and per lesion; under the reading "a patient's diameter is that of its
  largest lesion" the >5 cm infeasibility is the same, because a >5 cm lesion makes its patient >5 cm).
  A variable that appears only in the lesion table is lesion-specific (Radscore).
* Categorical levels are stored as printed; their order in the spec defines codes 0..k-1.
* Within an (outcome group, number of lesions) cell, the levels of the patient characteristics are
  assigned to patients through a Gaussian copula: the patient's latent score for a variable orders the
  patients, and the lowest scores get the first levels. The latent scores of the Table 3 final-model
  variables are correlated by ``COPULA_RHO`` (see :data:`COPULA_RHO`); all others are independent.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.stats.twosample import mann_whitney
from nenaudit.study.schema import Study, Table, label_key
from nenaudit.synth import allocation as al
from nenaudit.synth import continuous as ct

__all__ = [
    "Design",
    "design_of",
    "problem_of",
    "Clinical",
    "realize",
    "to_csv_text",
    "integerize",
    "slug",
]


GENERATOR_VERSION = (
    "4"  # 4: stage C retried when the evaluation misses a target it can move; plausibility cost
)
FLOAT_FORMAT = "%.6g"

# Domain bounds of named clinical variables (Ki67 is a percentage of tumour cells; adults' ages).
KNOWN_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "ki67": (0.0, 100.0),
    "age": (18.0, 100.0),
}

# Published names that are not valid pyradiomics features, and the documented stand-in used for them.
STAND_INS: dict[str, tuple[str, str]] = {
    "WaveletH_LLHH_RunVariance": (
        "wavelet-LHH_glrlm_RunVariance",
        (
            "'LLHH' is not a 3-D wavelet decomposition and 'WaveletH' no image-type prefix; RunVariance is a glrlm "
            "feature, so a wavelet glrlm RunVariance (LHH, one of the 8 decompositions, arbitrary choice) stands in"
        ),
    ),
}

# Latent correlation, within each (outcome, number of lesions) cell, between the copula scores of the
# patient-level variables of the published final (fusion) model (feng2025: Ki67, number of hepatic
# metastases, extrahepatic metastasis), and (COPULA_RHO_LESION) between them and its lesion-level
# variable (Radscore; both lesions of a patient share the patient's score, plus jitter).
# Conditionally independent predictors (0, 0) give a fusion AUC near 0.90 and multivariable ORs near
# the univariable ones; the paper's multivariable ORs are larger than its univariable ones, which a
# negative within-group dependence produces. The values were set once from medians over the 16
# calibration seeds 100-115 (not per seed; the reported distribution uses seeds 1-60). Medians of
# fusion AUC and multivariable ORs (Radscore, Ki67, diameter, number, extrahepatic; published 0.928 and
# 8.808, 1.035, 4.050, 3.795, 10.57):
#   block "multivariable" (also diameter), (-0.3, -0.1): 0.928; 14.2, 1.042, 10.3, 4.4, 10.4
#   block "final", (-0.3, -0.1): 0.931; 13.6, 1.036, 5.8, 2.9, 14.1   <- used (smaller total log-OR error)
#   block "final", (-0.4, -0.1): 0.941; 17.0, 1.038, 5.0, 3.8, 17.3
#   block "multivariable", (0, 0): 0.902; 11.5, 1.018, 5.4, 1.4, 6.8
# The distribution over 60 seeds is in synthetic/seed_distribution.json (benchmarks/synth_seeds.py).
COPULA_RHO = -0.3
COPULA_BLOCK = (
    "final"  # "final": the final model's variables; "multivariable": every multivariable row
)
COPULA_RHO_LESION = -0.1


@dataclass
class Design:
    """What the spec says about the cohort to build (derived once, reused by realization and evaluation)."""

    study: Study
    patient_table: Table | None
    lesion_table: Table
    outcomes: tuple[str, ...]
    event: str
    outcome_labels: dict[
        str, str
    ]  # outcome group -> printed level of the patient table's outcome row
    max_lesions: int
    variables: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # name -> {unit, kind, levels, rows}


def design_of(study: Study) -> Design:
    """The design a synthetic cohort must meet, read from the study spec (its first lesion table with
    outcome groups, its patient table, the outcome groups)."""
    lesion_tables = [
        t for t in study.tables if t.unit == "lesion" and any(g.outcome_group for g in t.groups)
    ]
    if not lesion_tables:
        raise NenauditError(
            f"{study.source}: synth needs a lesion-level table with outcome groups "
            "(groups with 'outcome_group'); the spec has none"
        )
    lt = lesion_tables[0]
    pts = [t for t in study.tables if t.unit == "patient"]
    pt = pts[0] if pts else None
    outcomes = tuple(g.outcome_group for g in lt.groups if g.outcome_group)
    labels = {o: o for o in outcomes}
    if pt is not None:
        for r in pt.rows:
            if r.outcome:
                for lv in r.levels:
                    if lv.outcome_group:
                        labels[lv.outcome_group] = lv.level
    kmax = study.fact("max_lesions_per_patient")
    d = Design(study, pt, lt, outcomes, outcomes[-1], labels, int(kmax) if kmax is not None else 2)
    for t in ([pt] if pt else []) + [lt]:
        for r in t.rows:
            if r.outcome:
                continue
            key = label_key(r.variable)
            name = next((n for n in d.variables if label_key(n) == key), r.variable)
            v = d.variables.setdefault(
                name, {"unit": set(), "kind": None, "levels": None, "rows": []}
            )
            v["unit"].add(t.unit)
            v["rows"].append((t, r))
            kind = "categorical" if r.kind == "categorical" else "continuous"
            v["kind"] = v["kind"] or kind
            if kind == "categorical" and v["levels"] is None:
                v["levels"] = [lv.level for lv in r.levels]
            v["integer_valued"] = v.get("integer_valued", False) or r.integer_valued
    return d


def outcomes_of(table: Table, gid: str, outcomes: tuple[str, ...]) -> tuple[str, ...]:
    """The outcome groups a column ``gid`` of ``table`` counts: its own outcome group, or all of them."""
    g = table.group(gid)
    return (g.outcome_group,) if g.outcome_group in outcomes else outcomes


def _level_index(levels: list[str], printed: str) -> str:
    for lv in levels:
        if label_key(lv) == label_key(printed) and lv.replace(" ", "") == printed.replace(" ", ""):
            return lv
    for lv in levels:
        if lv == printed:
            return lv
    raise KeyError(printed)


def problem_of(d: Design) -> al.AllocationProblem:
    """The allocation MILP of a design (see :mod:`nenaudit.synth.allocation`)."""
    lt, pt = d.lesion_table, d.patient_table
    lesions = {g.outcome_group: g.n for g in lt.groups if g.outcome_group}
    pby: dict[str, int] = {}
    n_pat = None
    if pt is not None:
        n_pat = sum(g.n for g in pt.groups if not g.outcome_group) or sum(g.n for g in pt.groups)
        for r in pt.rows:
            if r.outcome:
                for lv in r.levels:
                    if lv.outcome_group in d.outcomes:
                        pby[lv.outcome_group] = pby.get(lv.outcome_group, 0) + sum(
                            c.count for c in lv.cells.values()
                        )
    variables, targets = [], []
    for name, v in d.variables.items():
        if v["kind"] != "categorical":
            continue
        shared = "patient" in v["unit"]
        variables.append(al.CategoricalVar(name, tuple(v["levels"]), shared))
        for t, r in v["rows"]:
            for lv in r.levels:
                level = _level_index(v["levels"], lv.level)
                for gid, cell in lv.cells.items():
                    targets.append(
                        al.CountTarget(
                            t.id,
                            t.unit,
                            name,
                            level,
                            gid,
                            outcomes_of(t, gid, d.outcomes),
                            float(cell.count),
                        )
                    )
    # soft targets from a published univariable OR for patient-only categorical variables
    reg = d.study.regression
    if reg is not None and pt is not None:
        for row in reg.rows:
            key = label_key(row.variable)
            v = next((vv for n, vv in d.variables.items() if label_key(n) == key), None)
            if (
                v is None
                or v["kind"] != "categorical"
                or v["unit"] != {"patient"}
                or row.univariable is None
                or row.univariable.estimate.value is None
                or row.univariable.estimate.value <= 0
            ):
                continue
            name = next(n for n in d.variables if label_key(n) == label_key(row.variable))
            t, r = v["rows"][0]
            counts = [sum(c.count for c in lv.cells.values()) for lv in r.levels]
            if min(counts) < 0 or sum(counts) == 0:
                continue
            exp = al.or_targets(
                v["levels"], counts, lesions, d.event, math.log(row.univariable.estimate.value)
            )
            for (o, lv), cnt in exp.items():
                targets.append(
                    al.CountTarget(
                        "derived:" + reg.id, "lesion", name, lv, o, (o,), cnt, derived=True
                    )
                )
    return al.AllocationProblem(
        d.outcomes, d.max_lesions, n_pat, pby, lesions, tuple(variables), tuple(targets)
    )


# --------------------------------------------------------------------- realization
@dataclass
class Clinical:
    """The realised clinical tables (patients, lesions), the allocation behind them, misses and notes."""

    patients: pd.DataFrame
    lesions: pd.DataFrame
    allocation: al.Allocation
    continuous_misses: list[dict]
    notes: list[str]


def _bounds(name: str, cells: list) -> tuple[float | None, float | None]:
    for k, b in KNOWN_BOUNDS.items():
        if label_key(name) == k:
            return b
    lows = []
    for c in cells:
        lows.append(c.q1.value if hasattr(c, "q1") else c.mean.value - 3 * c.sd.value)
    return (0.0, None) if all(x is not None and x > 0 for x in lows) else (None, None)


def _summary_triplet(cell) -> tuple[float, float, float]:
    if hasattr(cell, "q1"):
        return cell.q1.value, cell.median.value, cell.q3.value
    return (
        cell.mean.value - ct.Z75 * cell.sd.value,
        cell.mean.value,
        cell.mean.value + ct.Z75 * cell.sd.value,
    )


def realize(d: Design, alloc: al.Allocation, rng: np.random.Generator) -> Clinical:
    """Patients and lesions from an allocation: levels into cells, continuous values matched to the tables."""
    R, K = d.outcomes, d.max_lesions
    cells = [(r, k) for r in R for k in range(1, K + 1) for _ in range(alloc.n[(r, k)])]
    order = rng.permutation(len(cells))
    cells = [cells[i] for i in order]
    npat = len(cells)
    width = max(3, len(str(npat)))
    pid = [f"P{i + 1:0{width}d}" for i in range(npat)]
    out_r = np.array([c[0] for c in cells])
    out_k = np.array([c[1] for c in cells])
    pat = pd.DataFrame(
        {"patient_id": pid, "n_lesions": out_k, "outcome": (out_r == d.event).astype(int)}
    )
    if d.patient_table is not None:
        pat["Response"] = [d.outcome_labels[r] for r in out_r]
    notes: list[str] = []
    misses: list[dict] = []

    # latent copula scores (patients x variables)
    names = list(d.variables)
    reg = d.study.regression
    multi = {
        label_key(r.variable) for r in (reg.rows if reg else ()) if r.multivariable is not None
    }
    if COPULA_BLOCK == "final" and reg is not None and reg.final_model:
        multi = {label_key(v) for v in reg.final_model}
    lesion_only = {label_key(n) for n, v in d.variables.items() if v["unit"] == {"lesion"}}
    corr = np.eye(len(names))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ka, kb = label_key(a), label_key(b)
            if i == j or ka not in multi or kb not in multi:
                continue
            corr[i, j] = (
                COPULA_RHO_LESION if (ka in lesion_only or kb in lesion_only) else COPULA_RHO
            )
    while True:  # shrink the off-diagonal towards 0 until positive definite (many model variables)
        try:
            chol = np.linalg.cholesky(corr)
            break
        except np.linalg.LinAlgError:
            corr = 0.5 * corr + 0.5 * np.eye(len(names))
            notes.append("copula correlation shrunk by half to keep it positive definite")
    latent = rng.standard_normal((npat, len(names))) @ chol.T

    lesion_rows = []
    for i in range(npat):
        for j in range(out_k[i]):
            lesion_rows.append((f"{pid[i]}-L{j + 1}", pid[i], int(pat["outcome"][i]), i))
    les = pd.DataFrame(lesion_rows, columns=["lesion_id", "patient_id", "outcome", "_p"])
    les_r = out_r[les["_p"].to_numpy()]

    for vi, (name, v) in enumerate(d.variables.items()):
        shared = "patient" in v["unit"]
        if v["kind"] == "categorical":
            if shared:
                vals = np.empty(npat, dtype=object)
                for r in R:
                    for k in range(1, K + 1):
                        members = np.flatnonzero((out_r == r) & (out_k == k))
                        members = members[np.argsort(latent[members, vi], kind="stable")]
                        seq = [lv for lv in v["levels"] for _ in range(alloc.x[name][(r, lv, k)])]
                        vals[members] = seq
                pat[name] = vals
            else:
                vals = np.empty(len(les), dtype=object)
                for r in R:
                    members = rng.permutation(np.flatnonzero(les_r == r))
                    seq = [lv for lv in v["levels"] for _ in range(alloc.y[name][(r, lv)])]
                    vals[members] = seq
                les[name] = vals
            continue
        # continuous
        vals, miss, note = _continuous(
            d, name, v, rng, latent[:, vi], out_r, out_k, les_r, les["_p"].to_numpy()
        )
        misses += miss
        notes += note
        if shared:
            pat[name] = vals
        else:
            les[name] = vals

    # lesions inherit the patient characteristics
    for name, v in d.variables.items():
        if "patient" in v["unit"]:
            les[name] = pat[name].to_numpy()[les["_p"].to_numpy()]
    lt_order = [r.variable for r in d.lesion_table.rows if not r.outcome]
    lt_names = [next(n for n in d.variables if label_key(n) == label_key(x)) for x in lt_order]
    extra = [n for n, v in d.variables.items() if n not in lt_names]
    les = les[["lesion_id", "patient_id", "outcome"] + lt_names + extra]
    pcols = ["patient_id", "n_lesions", "outcome"] + (["Response"] if "Response" in pat else [])
    pcols += [n for n, v in d.variables.items() if "patient" in v["unit"]]
    return Clinical(pat[pcols], les.reset_index(drop=True), alloc, misses, notes)


N_ATTEMPTS = 40


def _continuous(
    d: Design,
    name: str,
    v: dict,
    rng: np.random.Generator,
    latent: np.ndarray,
    out_r: np.ndarray,
    out_k: np.ndarray,
    les_r: np.ndarray,
    les_p: np.ndarray,
) -> tuple[np.ndarray, list, list]:
    """Values of one continuous variable matched to every published summary of it.

    Up to ``N_ATTEMPTS`` candidate orders are tried (the copula score plus a jitter of SD 0.3 from the
    second attempt on); the candidate kept is the one with the smallest miss beyond the printed
    rounding, then the one whose lesion-table Mann-Whitney p-value is closest to the published one
    (on the log scale; zero inside the printed rounding). The choice is part of the generator, made
    the same way for every seed.
    """
    R = d.outcomes
    shared = "patient" in v["unit"]
    pub = [(t, r, gid, cell) for t, r in v["rows"] for gid, cell in r.cells.items()]
    bounds = _bounds(name, [c for *_, c in pub])
    grp = out_r if shared else les_r
    n = grp.size
    lat = latent if shared else latent[les_p]
    targets = []
    for t, _row, gid, cell in pub:
        inside = np.isin(grp, outcomes_of(t, gid, R))
        w = (
            np.where(inside, out_k if t.unit == "lesion" else 1, 0)
            if shared
            else inside.astype(int)
        )
        label = f"{t.id}/{name}/{gid}"
        if hasattr(cell, "q1"):
            for prob, pr in ((0.25, cell.q1), (0.5, cell.median), (0.75, cell.q3)):
                targets.append(
                    ct.SampleTarget(
                        f"{label}/q{int(prob * 100)}", w, "q", prob, pr.value, pr.half_unit
                    )
                )
        else:
            targets.append(
                ct.SampleTarget(
                    f"{label}/mean", w, "mean", None, cell.mean.value, cell.mean.half_unit
                )
            )
    if (
        len(pub) == 1
        and shared
        and not hasattr(pub[0][3], "q1")
        and pub[0][0].unit == "patient"
        and len(outcomes_of(pub[0][0], pub[0][2], R)) == len(R)
    ):
        cell = pub[0][3]
        if v.get("integer_valued"):
            vals, miss = ct.integer_mean_sd(
                rng,
                n,
                cell.mean.value,
                cell.sd.value,
                cell.mean.half_unit,
                cell.sd.half_unit,
                bounds,
            )
        else:
            z = rng.standard_normal(n)
            vals, miss = cell.mean.value + cell.sd.value * (z - z.mean()) / z.std(ddof=1), []
        order = np.argsort(lat, kind="stable")
        out = np.empty(n)
        out[order] = np.sort(vals)
        return out, [dict(m, variable=name) for m in miss], []
    prow = next(
        (
            row
            for t, row, gid, cell in pub
            if t.unit == "lesion" and row.p is not None and row.p.value is not None
        ),
        None,
    )
    best = None
    for attempt in range(N_ATTEMPTS):
        score = lat + (0.3 * (1 + attempt / 4) * rng.standard_normal(n) if attempt else 0.0)
        v0 = np.empty(n)
        for r in R:
            members = np.flatnonzero(grp == r)
            q1, m, q3 = _summary_triplet(_most_specific(pub, r, d))
            v0[members[np.argsort(score[members], kind="stable")]] = np.sort(
                ct.draw(rng, members.size, q1, m, q3, bounds)
            )
        vals, miss = ct.match_targets(v0, targets, bounds)
        total_miss = sum(abs(m.get("miss_beyond_rounding") or 0.0) for m in miss)
        pdist = 0.0
        if prow is not None and len(R) == 2:
            lv = vals[les_p] if shared else vals
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p = mann_whitney(lv[les_r == R[0]], lv[les_r == R[1]]).p
            pdist = (
                0.0
                if prow.p.agrees(p)
                else abs(np.log(max(p, 1e-300)) - np.log(max(prow.p.value, 1e-300)))
            )
        key = (round(total_miss, 9), pdist)
        if best is None or key < best[0]:
            best = (key, vals, miss)
        if key == (0.0, 0.0):
            break
    notes = []
    if any(not hasattr(c, "q1") for *_, c in pub):
        notes.append(f"{name}: means matched, SDs not (several samples share the values)")
    return best[1], [dict(m, variable=name) for m in best[2]], notes


def _most_specific(pub, r, d: Design):
    """The published summary closest to outcome group r: lesion table's group r, else a group holding r."""
    best = None
    for t, _row, gid, cell in pub:
        outs = outcomes_of(t, gid, d.outcomes)
        score = (len(outs) == 1 and outs[0] == r, t.unit == "lesion")
        if r in outs and (best is None or score > best[0]):
            best = (score, cell)
    return best[1]


# --------------------------------------------------------------------- CSV text
def to_csv_text(df: pd.DataFrame) -> str:
    """A frame as CSV text, as the synthetic cohort's files are written (fixed float format, LF line ends)."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return buf.getvalue()


def integerize(df: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy of ``df`` with ``columns`` as integers."""
    out = df.copy()
    for c in columns:
        if c in out and np.all(np.equal(np.mod(out[c].to_numpy(dtype=float), 1), 0)):
            out[c] = out[c].astype(np.int64)
    return out


def slug(text: str) -> str:
    """``text`` with every run of non-alphanumeric characters replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
