"""The noise twin of a study's design, from its spec alone (no cohort files, no lesion-level table needed).

A twin cohort has the design the spec's ``pipeline.sample`` states (units, patients, at most
``max_units_per_patient`` units a patient, events) and no signal anywhere:

* **outcome**: drawn per patient (a patient's units share it), the exact number of event units reached
  by moving single units between patients within the per-patient maximum;
* **clinical candidates** (``pipeline.clinical.candidates``, else the regression table's
  univariable rows): drawn independently of the outcome from the margins the spec's tables print
  (the first table row of that name; the groups' cells pooled): a categorical row's level counts,
  ``mean ± SD`` as a normal, ``median [Q1, Q3]`` as a normal of that median and IQR / 1.349, ``median
  (min–max)`` as a normal of that median and range / 4 clipped to the range; a candidate no table
  prints is a standard normal (said in the cohort's notes);
* **radiomics features**: the correlation and observer-agreement structure of the extraction the
  project ships (``synthetic/default``: 851 pyradiomics features of 131 lesions, 46 of them read
  again by observer 1 and by observer 2). Each twin unit's feature vector is a random Gaussian
  combination of the standardized source lesions, ``x = m + s * Z^T w / sqrt(n_src - 1)`` with
  ``w ~ N(0, I)``, so its covariance is the source's sample covariance (every between-feature
  correlation kept, no duplicated rows); a re-segmented unit combines the 46 re-read source lesions
  with one ``w`` for all three readings, so the within-lesion differences between readings, hence the
  ICCs, keep their source structure. A spec with more features than the source gets independent
  copies of the source block (``name~2``, ...); with fewer, a random subset of the columns. The
  marginals become normal: the Spearman filter sees the source's Pearson correlations.

References: Chalkidou A, O'Doherty MJ, Marsden PK. False discovery rates in PET and CT studies
with texture features: a systematic review. PLoS One 2015;10:e0124165.
doi:10.1371/journal.pone.0124165
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from nenaudit.cohort import load_cohort
from nenaudit.exceptions import NenauditError
from nenaudit.study.schema import label_key

__all__ = ["twin_cohort", "twin_config", "twin_candidates", "unsupported_steps", "can_twin"]

SUPPORTED_SELECTION = ("lasso",)
# no redundancy filter declared: caret's findCorrelation needs a cutoff below 1; this one removes only features
# that are (numerically) copies of another, which the twin's Gaussian combinations never make
NO_FILTER = 1.0 - 1e-9


def can_twin(study) -> bool:
    """Whether ``study`` has what a twin needs: a pipeline section with a development sample."""
    return getattr(study, "pipeline", None) is not None


def _need(study):
    if not can_twin(study):
        raise NenauditError(
            f"{study.source}: the noise twin needs a 'pipeline' section (spec_version 2) with the "
            "sample sizes and the steps; see 'Writing a spec' in the README"
        )
    return study.pipeline


def twin_candidates(study) -> tuple[str, ...]:
    """The clinical candidates of the twin's pipeline (the spec's, else its regression's univariable rows)."""
    p = _need(study)
    if p.clinical_candidates is not None:
        return tuple(p.clinical_candidates)
    reg = study.regression
    return (
        tuple(
            r.variable
            for r in reg.rows
            if r.univariable is not None
            and r.variable.lower() not in ("radscore", "rad-score", "rad score", "radiomics score")
        )
        if reg
        else ()
    )


def unsupported_steps(study) -> list[str]:
    """The declared steps the twin does not re-run (so its optimism is a lower bound), one phrase each."""
    p = _need(study)
    out = [
        f"selection step '{s.method}'"
        + (f" ({s.test} p < {s.threshold:g})" if s.test and s.threshold else "")
        for s in p.selection
        if s.method not in SUPPORTED_SELECTION
    ]
    if p.step("lasso") is None:
        out.append(
            "no LASSO step declared: the twin still runs the LASSO-CV (10 folds, lambda.min)"
        )
    if p.criterion in ("aic", "bic", "lr"):
        out.append(f"multivariable criterion '{p.criterion}': the twin eliminates by Wald p")
    if p.redundancy_method == "pearson":
        out.append("Pearson redundancy filter: the twin filters by Spearman correlation")
    return out


def twin_config(study, base):
    """``base`` (a :class:`~nenaudit.pipeline.PipelineConfig`) with the spec's declared thresholds and folds: no
    reliability or redundancy step declared, no such filter; no univariable screen threshold, no screen;
    ``multivariable: enter``, every candidate kept; otherwise backward elimination by Wald p at the stated (or
    0.05) threshold."""
    p = _need(study)
    sel = base.selection
    lasso = p.step("lasso")
    sel = replace(
        sel,
        icc_threshold=p.icc_threshold if p.icc_threshold is not None else 0.0,
        spearman_cutoff=p.redundancy_threshold if p.redundancy_threshold is not None else NO_FILTER,
        nfolds=(lasso.folds if lasso and lasso.folds else 10),
        which="1se" if lasso and lasso.lam == "1se" else "min",
    )
    enter = p.multivariable == "enter"  # every candidate in the model: no screen, no elimination
    return replace(
        base,
        selection=sel,
        candidates=twin_candidates(study),
        entry=1.0 if enter or p.screen_threshold is None else p.screen_threshold,
        stay=1.0 if enter else (p.stay_threshold or 0.05),
    )


# ----------------------------------------------------------------------------------- the source extraction
_SOURCE: dict = {}


def _source():
    """The shipped extraction: reading 1 of every lesion, and the three readings of the re-read ones."""
    if "s" not in _SOURCE:
        c = load_cohort()
        feats = list(c.feature_names)
        F = c.features[feats].to_numpy(dtype=float)
        m, s = F.mean(axis=0), F.std(axis=0, ddof=1)
        s[s == 0] = 1.0
        obs = c.observers
        reads = []
        for observer, repeat in ((1, 2), (2, 1)):
            rows = obs[
                (obs["observer"].astype(int) == observer) & (obs["repeat"].astype(int) == repeat)
            ]
            reads.append(rows.set_index("lesion_id").loc[:, feats])
        ids = [i for i in reads[0].index if i in reads[1].index]
        R1 = c.features.loc[ids, feats].to_numpy(dtype=float)
        R = np.stack(
            [R1, reads[0].loc[ids].to_numpy(dtype=float), reads[1].loc[ids].to_numpy(dtype=float)]
        )
        Z = (F - m) / s
        Zr = (R - m) / s
        Zr_c = Zr - Zr[0].mean(
            axis=0
        )  # centred on reading 1's mean: the readings' offsets are kept
        _SOURCE["s"] = (feats, m, s, Z - Z.mean(axis=0), Zr_c)
    return _SOURCE["s"]


def _feature_block(rng, n: int, rel: np.ndarray, names: list[str], cols: np.ndarray, suffix: str):
    feats, m, s, Z, Zr = _source()
    m, s, Z, Zr = m[cols], s[cols], Z[:, cols], Zr[:, :, cols]
    out = np.empty((n, cols.size))
    reads = np.empty((2, int(rel.sum()), cols.size))
    W = rng.standard_normal((n, Z.shape[0]))
    out[:] = m + s * (W @ Z) / np.sqrt(Z.shape[0] - 1)
    for k, i in enumerate(np.flatnonzero(rel)):
        w = rng.standard_normal(Zr.shape[1]) / np.sqrt(Zr.shape[1] - 1)
        three = m + s * np.einsum("j,rjp->rp", w, Zr)
        out[i] = three[0]
        reads[:, k] = three[1:]
    return [f"{names[j]}{suffix}" for j in cols], out, reads


def _features(rng, n_units: int, n_features: int, rel: np.ndarray):
    feats = _source()[0]
    p_src = len(feats)
    blocks = -(-n_features // p_src)
    names, values, reads = [], [], []
    for b in range(blocks):
        take = min(p_src, n_features - b * p_src)
        cols = (
            np.arange(p_src)
            if take == p_src
            else np.sort(rng.choice(p_src, size=take, replace=False))
        )
        nm, v, r = _feature_block(rng, n_units, rel, feats, cols, "" if b == 0 else f"~{b + 1}")
        names += nm
        values.append(v)
        reads.append(r)
    return names, np.hstack(values), np.concatenate(reads, axis=2)


# ----------------------------------------------------------------------------------- design and clinical
def _allocate(rng, sample):
    n, e = sample.units, sample.events
    pts = sample.patients or n
    cap = sample.max_units_per_patient or (n - pts + 1)
    if pts * cap < n:
        raise NenauditError(f"pipeline.sample: {pts} patients x {cap} units cannot hold {n} units")
    sizes = np.ones(pts, dtype=int)
    for _ in range(n - pts):  # one extra unit at a time to a patient with room
        room = np.flatnonzero(sizes < cap)
        sizes[room[rng.integers(room.size)]] += 1
    order = rng.permutation(pts)
    y_pat = np.zeros(pts, dtype=int)
    total = 0
    for i in order:
        if total + sizes[i] <= e:
            y_pat[i] = 1
            total += sizes[i]
    # the exact event count with whole patients (a unit's outcome is its patient's): move single units from
    # non-event to event patients (or back) within the per-patient maximum
    while total != e:
        give, take = (y_pat == 0, y_pat == 1) if total < e else (y_pat == 1, y_pat == 0)
        src = np.flatnonzero(give & (sizes > 1))
        dst = np.flatnonzero(take & (sizes < cap))
        if src.size == 0 or dst.size == 0:
            raise NenauditError(
                f"pipeline.sample: no allocation of {n} units to {pts} patients (at most {cap} each) "
                f"gives exactly {e} event units with whole patients"
            )
        sizes[src[rng.integers(src.size)]] -= 1
        sizes[dst[rng.integers(dst.size)]] += 1
        total += 1 if total < e else -1
    return sizes, np.repeat(y_pat, sizes)


def _margin(study, var: str):
    for t in study.tables:
        for r in t.rows:
            if label_key(r.variable) == label_key(var) and not r.outcome:
                return r
    return None


def _clinical(rng, study, var: str, n: int, notes: list):
    r = _margin(study, var)
    if r is None:
        notes.append(f"{var}: no table prints its distribution; drawn as a standard normal")
        return rng.standard_normal(n), None
    if r.kind == "categorical":
        counts = np.array([sum(c.count for c in lv.cells.values()) for lv in r.levels], dtype=float)
        if counts.sum() <= 0:
            counts = np.ones(len(r.levels))
        labels = [lv.level for lv in r.levels]
        idx = rng.choice(len(labels), size=n, p=counts / counts.sum())
        return np.array(labels, dtype=object)[idx], labels
    cells = list(r.cells.values())
    c = cells[0]
    if r.kind == "mean_sd":
        mu, sd = np.mean([x.mean.value for x in cells]), np.mean([x.sd.value for x in cells])
        return rng.normal(mu, max(sd, 1e-9), n), None
    if r.kind == "median_iqr":
        mu = np.mean([x.median.value for x in cells])
        sd = np.mean([(x.q3.value - x.q1.value) / 1.349 for x in cells])
        return rng.normal(mu, max(sd, 1e-9), n), None
    lo, hi = min(x.lo.value for x in cells), max(x.hi.value for x in cells)
    v = rng.normal(c.median.value, max((hi - lo) / 4.0, 1e-9), n)
    return np.clip(v, lo, hi), None


def twin_cohort(
    study, rng: np.random.Generator, role: str = "development", max_features: int | None = None
):
    """One null cohort of ``study``'s ``role`` sample (see the module docstring), loaded as a user's cohort."""
    p = _need(study)
    sample = next((s for s in p.samples if s.role == role), None)
    if sample is None:
        raise NenauditError(f"{study.source}: pipeline.sample has no {role} cohort")
    sizes, y = _allocate(rng, sample)
    n = int(sizes.sum())
    pid = np.repeat([f"T{i + 1:04d}" for i in range(sizes.size)], sizes)
    lid = np.array(
        [f"{q}-L{k}" for q, k in zip(pid, np.concatenate([np.arange(1, s + 1) for s in sizes]))]
    )
    notes: list[str] = []
    lesions = pd.DataFrame({"lesion_id": lid, "patient_id": pid, "outcome": y})
    variables = {}
    for var in twin_candidates(study):
        vals, labels = _clinical(rng, study, var, n, notes)
        lesions[var] = vals
        variables[var] = (
            {"kind": "categorical", "levels": labels}
            if labels
            else {"kind": "continuous", "levels": None}
        )
    n_rel = min(n, p.resegmented or n) if p.icc_threshold is not None else 0
    stub = (
        n_rel == 0
    )  # no reliability step: two stub rows make the files loadable, dropped after loading
    if stub:
        n_rel = min(2, n)
    rel = np.zeros(n, dtype=bool)
    rel[rng.choice(n, size=n_rel, replace=False)] = True
    total = p.n_features
    if total is None:
        total = len(_source()[0])
        notes.append(
            f"the paper does not print its number of features: the twin uses the shipped extraction's {total}"
        )
    n_feat = total if max_features is None else min(total, max_features)
    names, F, reads = _features(rng, n, n_feat, rel)
    features = pd.DataFrame(F, columns=names)
    features.insert(0, "lesion_id", lid)
    obs = []
    rid = lid[rel]
    for k, (observer, repeat) in enumerate(((1, 2), (2, 1))):
        o = pd.DataFrame(reads[k], columns=names)
        o.insert(0, "repeat", repeat)
        o.insert(0, "observer", observer)
        o.insert(0, "lesion_id", rid)
        obs.append(o)
    observers = pd.concat(obs, ignore_index=True)
    y_pat = lesions.groupby("patient_id", sort=False)["outcome"].max()
    patients = pd.DataFrame(
        {"patient_id": y_pat.index, "n_lesions": sizes, "outcome": y_pat.to_numpy()}
    )
    with tempfile.TemporaryDirectory(prefix="nenaudit-twin-") as tmp:
        d = Path(tmp) / "cohort"
        d.mkdir()
        patients.to_csv(d / "patients.csv", index=False)
        lesions.to_csv(d / "lesions.csv", index=False)
        features.to_csv(d / "features.csv", index=False, float_format="%.10g")
        observers.to_csv(d / "observers.csv", index=False, float_format="%.10g")
        (d / "manifest.json").write_text(
            json.dumps(
                {"variables": variables, "generator": "nenaudit noise twin", "notes": notes}
            ),
            encoding="utf-8",
        )
        cohort = load_cohort(d)
    if stub:
        cohort = replace(cohort, observers=cohort.observers.iloc[:0])
    return replace(cohort, path=Path(f"noise-twin-{role}"))
