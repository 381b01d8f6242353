"""The cohorts a simulation runs the paper's pipeline on.

* :func:`synthetic_cohort`: a synthetic cohort of the study's design (:func:`nenaudit.synth.generate`),
  its files handed over in memory and read by :func:`nenaudit.cohort.cohort_from_texts`, so that it
  passes the same checks as a user's cohort.
* :func:`merge_cohorts`: several cohorts as one (ids prefixed by the block): the design scaled to
  k times the sample size with the same prevalence, each block with its own re-segmented subset.
* :func:`null_cohort`: the radiomics features made pure noise with respect to the outcome, by
  permuting whole lesions' feature vectors (the first reading together with that lesion's observer
  re-readings) across the lesions. The marginal distributions, the correlation between features and
  the observer agreement (ICC) structure are exactly those of the cohort; only the link between a
  lesion's features and its outcome (and its clinical variables) is broken. With ``signal="none"``
  the outcome is also permuted across patients of the same number of lesions, so that the clinical
  variables carry no signal either while the patient and lesion event counts stay as they were.
* :func:`keep_features`: a random subset of the feature columns (quick runs, tests, benchmarks).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from nenaudit.cohort import cohort_from_texts
from nenaudit.exceptions import NenauditError
from nenaudit.synth import generate

__all__ = ["SIGNALS", "synthetic_cohort", "merge_cohorts", "null_cohort", "keep_features"]

SIGNALS = ("clinical-only", "none", "faithful")


def synthetic_cohort(study, seed: int, *, faithful: bool):
    """A loaded synthetic cohort of ``study`` generated with ``seed`` (no achieved-vs-published evaluation).

    ``faithful=False`` asks the generator for its quick mode (the features are permuted away
    afterwards in a null simulation, so their fit to the published values is moot). The generated
    files are handed over in memory and checked as a cohort directory is
    (:func:`nenaudit.cohort.cohort_from_texts`); the cohort is named ``synthetic-seed-<seed>``.
    """
    syn = generate(study, int(seed), evaluate_results=False, faithful=faithful)
    return cohort_from_texts(syn.files, Path(f"synthetic-seed-{int(seed)}"))


def merge_cohorts(cohorts):
    """One cohort holding every lesion and patient of ``cohorts`` (ids prefixed ``B1-``, ``B2-``, ...)."""
    if len(cohorts) == 1:
        return cohorts[0]
    first = cohorts[0]
    pats, les, feats, obs = [], [], [], []
    for j, c in enumerate(cohorts, start=1):
        if c.feature_names != first.feature_names:
            raise NenauditError(
                f"cohort block {j}: feature columns differ from block 1; blocks must share them"
            )
        pre = f"B{j}-"
        p = c.patients.copy()
        p["patient_id"] = pre + p["patient_id"].astype(str)
        lz = c.lesions.copy()
        lz["patient_id"] = pre + lz["patient_id"].astype(str)
        lz["lesion_id"] = pre + lz["lesion_id"].astype(str)
        f = c.features.copy()
        f.index = pre + f.index.astype(str)
        o = c.observers.copy()
        o["lesion_id"] = pre + o["lesion_id"].astype(str)
        pats.append(p), les.append(lz), feats.append(f), obs.append(o)
    return replace(
        first,
        patients=pd.concat(pats, ignore_index=True),
        lesions=pd.concat(les, ignore_index=True),
        features=pd.concat(feats),
        observers=pd.concat(obs, ignore_index=True),
        path=Path(f"{first.path}+{len(cohorts) - 1}-more"),
    )


def null_cohort(cohort, rng: np.random.Generator, signal: str):
    """``cohort`` with its features permuted across lesions (and, for ``signal="none"``, its outcome across
    patients)."""
    if signal not in ("clinical-only", "none"):
        raise NenauditError(f"null signal {signal!r}: choose clinical-only or none")
    lesion_ids = cohort.lesions["lesion_id"].astype(str).to_numpy()
    perm = rng.permutation(lesion_ids.size)
    # lesion k receives the feature vector (and the re-readings) of lesion perm[k]
    features = pd.DataFrame(
        cohort.features.to_numpy()[perm],
        index=cohort.features.index.copy(),
        columns=cohort.features.columns,
    )
    new_id = dict(zip(lesion_ids[perm], lesion_ids))
    obs = cohort.observers.copy()
    obs["lesion_id"] = obs["lesion_id"].astype(str).map(new_id)
    obs = obs.sort_values(["observer", "repeat", "lesion_id"], kind="stable").reset_index(drop=True)
    patients, lesions = cohort.patients, cohort.lesions
    if signal == "none":
        patients = patients.copy()
        n_les = (
            lesions.groupby("patient_id")
            .size()
            .reindex(patients["patient_id"].astype(str))
            .to_numpy()
        )
        cols = [c for c in ("outcome", "Response") if c in patients.columns]
        for k in np.unique(n_les):  # patients with the same number of lesions swap outcomes
            rows = np.flatnonzero(n_les == k)
            src = rows[rng.permutation(rows.size)]
            for c in cols:
                patients.iloc[rows, patients.columns.get_loc(c)] = patients[c].to_numpy()[src]
        lesions = lesions.copy()
        out = dict(zip(patients["patient_id"].astype(str), patients["outcome"].astype(int)))
        lesions["outcome"] = lesions["patient_id"].astype(str).map(out).astype(int)
    return replace(cohort, patients=patients, lesions=lesions, features=features, observers=obs)


def keep_features(cohort, n: int, rng: np.random.Generator):
    """``cohort`` with ``n`` of its feature columns, drawn at random (catalogue order kept)."""
    names = cohort.feature_names
    if n >= len(names):
        return cohort
    keep = [names[j] for j in np.sort(rng.choice(len(names), size=n, replace=False))]
    head = [c for c in cohort.observers.columns if c in ("lesion_id", "observer", "repeat")]
    return replace(cohort, features=cohort.features[keep], observers=cohort.observers[head + keep])
