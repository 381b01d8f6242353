"""Synthetic cohorts that reproduce a study's published tables (``nenaudit synth``).

:func:`generate` builds, from a study spec and a seed, the five files of a cohort directory
(see :mod:`nenaudit.cohort`): patients.csv, lesions.csv, features.csv, observers.csv and
manifest.json. The steps:

1. :mod:`~nenaudit.synth.allocation`: one integer program gives the number of patients per
   (outcome group, number of lesions) and the level counts of every categorical variable, so that
   every published count of the patient and lesion tables is reproduced exactly where the numbers
   allow it, and with the smallest total deviation (reported) where they do not.
2. :mod:`~nenaudit.synth.realize`: patients and lesions are realized from it; continuous variables
   are matched to the published median [Q1, Q3] / mean ± SD by :mod:`~nenaudit.synth.continuous`.
3. :mod:`~nenaudit.synth.features`: the radiomics matrix, whose published Radscore features carry the
   lesions' Radscore, plus the observer re-readings of the re-segmented subset.
4. :mod:`~nenaudit.synth.evaluate`: the stats module is run on the files as written, and the
   achieved-vs-published summary goes into the manifest.

Randomness comes from ``numpy.random.SeedSequence(seed)`` spawned into independent streams
(clinical, features); the same seed and spec give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.io import dumps_json
from nenaudit.study.schema import Study, _key
from nenaudit.synth import allocation, evaluate
from nenaudit.synth import features as feat
from nenaudit.synth import realize as _rz
from nenaudit.synth.realize import (
    FLOAT_FORMAT,
    GENERATOR_VERSION,
    STAND_INS,
    Design,
    design_of,
    integerize,
    problem_of,
    to_csv_text,
)

__all__ = ["DEFAULT_SEED", "SyntheticCohort", "generate", "regenerate", "signature_keys", "write_cohort"]

DEFAULT_SEED = 20250611
FILE_ORDER = ("patients.csv", "lesions.csv", "features.csv", "observers.csv", "manifest.json")


@dataclass(frozen=True)
class SyntheticCohort:
    files: dict[str, str]  # file name -> text, as written
    manifest: dict[str, Any]


def signature_keys(study: Study) -> tuple[dict[str, float], list[dict[str, str]]]:
    """Published Radscore terms -> {pyradiomics key: coefficient}; invalid names get a documented stand-in."""
    from nenaudit.radiomics.catalogue import load_catalogue

    cat = load_catalogue()
    rs = (study.radiomics or {}).get("radscore") or {}
    out: dict[str, float] = {}
    notes = []
    for term in rs.get("terms", []):
        name, coef = term["feature"], float(term["coefficient"])
        parsed = cat.parse_published_name(name)
        if parsed.ok and parsed.key:
            key = parsed.key
        elif name in STAND_INS:
            key, why = STAND_INS[name]
            notes.append({"published": name, "stand_in": key, "why": why})
        else:
            raise NenauditError(f"radscore term {name!r} is not a pyradiomics feature and has no stand-in; "
                                "add one to nenaudit.synth.realize.STAND_INS")
        if key in out:
            raise NenauditError(f"radscore terms map twice onto {key!r}; check the spec's names")
        out[key] = coef
    return out, notes


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(text: str, categorical=()) -> pd.DataFrame:
    """Read a CSV text back; categorical columns as strings (levels such as grade "1" stay labels)."""
    head = text.split("\n", 1)[0].split(",")
    return pd.read_csv(io.StringIO(text), dtype={c: str for c in categorical if c in head})


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return float(f"{float(x):.6g}")  # non-finite: dumps_json writes null + a "nonfinite" note
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, set):
        return sorted(x)
    return x


def _study_source(study: Study) -> str:
    return study.source if study.source.startswith("embedded:") else os.path.abspath(study.source)


def generate(study: Study | None = None, seed: int = DEFAULT_SEED, *, with_features: bool = True,
             evaluate_results: bool = True) -> SyntheticCohort:
    """A synthetic cohort for ``study`` (default: the embedded feng2025 spec); see the module docstring."""
    from nenaudit import __version__
    from nenaudit.study.schema import load

    if study is None:
        study = load(None)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise NenauditError(f"seed = {seed!r}; give a non-negative integer")
    d = design_of(study)
    alloc = allocation.solve(problem_of(d))
    ss = np.random.SeedSequence(int(seed))
    s_clin, s_feat = ss.spawn(2)
    clin = _rz.realize(d, alloc, np.random.default_rng(s_clin))
    int_cols = [n for n, v in d.variables.items() if v.get("integer_valued")]
    patients = integerize(clin.patients, int_cols)
    lesions = integerize(clin.lesions, int_cols)
    files = {"patients.csv": to_csv_text(patients), "lesions.csv": to_csv_text(lesions)}
    rad_info: dict[str, Any] = {}
    if with_features:
        files.update(_features(study, d, _read(files["lesions.csv"]), np.random.default_rng(s_feat), rad_info))
    manifest: dict[str, Any] = {
        "format": "nenaudit synthetic cohort",
        "generator": "nenaudit.synth",
        "generator_version": GENERATOR_VERSION,
        "nenaudit_version": __version__,
        "study": {"id": study.id, "source": _study_source(study), "sha256": study.sha256},
        "seed": int(seed),
        "float_format": FLOAT_FORMAT,
        "files": {name: {"sha256": _sha(text), "bytes": len(text.encode("utf-8"))} for name, text in files.items()},
        "outcome": {"column": "outcome", "event": d.event, "coding": {"1": d.event,
                    "0": next((o for o in d.outcomes if o != d.event), None)}},
        "conventions": [
            "a lesion's outcome is its patient's response",
            "variables of the patient table are patient characteristics carried by all of the patient's lesions",
            "variables only in the lesion table are lesion-specific",
            "categorical variables are stored as printed levels; codes 0..k-1 follow 'levels'",
            (f"copula correlation within outcome cells: {_rz.COPULA_RHO} between the final-model patient "
             f"variables, {_rz.COPULA_RHO_LESION} between them and the lesion-level ones"),
        ],
        "max_lesions_per_patient": d.max_lesions,
        "variables": {n: {"unit": sorted(v["unit"]), "kind": v["kind"], "levels": v["levels"]}
                      for n, v in d.variables.items()},
        "allocation": {
            "feasible": alloc.feasible,
            "total_deviation": alloc.total_deviation,
            "deviations": [x.to_dict() for x in alloc.deviations],
            "structural": list(alloc.structural),
            "patients_by_outcome_and_lesions": {f"{r}/{k}": n for (r, k), n in alloc.n.items()},
        },
        "continuous_misses": clin.continuous_misses,
        "notes": clin.notes + ([
            "radiomics: the published Radscore formula does not hold exactly on the features (see "
            "radiomics.radscore_formula); the signature features instead carry the Radscore column with a "
            "designed correlation (radiomics.signature_load), so that re-running the paper's pipeline on the "
            "raw features (achieved.refit) selects about as many features with about the published AUCs "
            "(distribution over seeds: synthetic/seed_distribution.json)"] if rad_info.get("signature_load") else []),
        "radiomics": rad_info,
    }
    if evaluate_results:
        manifest["achieved"] = achieved(study, d, files)
        if with_features:
            manifest["achieved"]["refit"] = _refit(files, manifest)
    text = dumps_json(_jsonable(manifest), indent=1) + "\n"
    files["manifest.json"] = text
    return SyntheticCohort({k: files[k] for k in FILE_ORDER if k in files}, json.loads(text))


def _features(study: Study, d: Design, lesions: pd.DataFrame, rng: np.random.Generator, info: dict) -> dict[str, str]:
    from nenaudit.radiomics.catalogue import load_catalogue

    rad = study.radiomics or {}
    types = tuple((rad.get("image_types") or {}).get("value") or ("original", "wavelet"))
    keys = load_catalogue().feature_keys(types)
    sig, stand_ins = signature_keys(study)
    rs_var = next((n for n in d.variables if _key(n) == "radscore"), None)
    n = len(lesions)
    if rs_var is not None and sig:
        radscore = lesions[rs_var].to_numpy(float)
    else:  # no published Radscore: a standard-normal latent score separated by outcome
        radscore = rng.standard_normal(n) + lesions["outcome"].to_numpy(float)
        sig = {}
    m = int(study.fact("resegmented_lesions", min(n, 46)))
    subset = np.sort(rng.choice(n, size=min(m, n), replace=False))
    n_keep = int((rad.get("n_after_filters") or {}).get("value") or 60)
    block = feat.build(rng, keys, sig, radscore, subset, n_keep)
    lid = lesions["lesion_id"].astype(str).to_numpy()
    fdf = pd.DataFrame(block.first, columns=list(keys))
    fdf.insert(0, "lesion_id", lid)
    o1 = pd.DataFrame(block.obs1_rep2, columns=list(keys))
    o1.insert(0, "repeat", 2)
    o1.insert(0, "observer", 1)
    o1.insert(0, "lesion_id", lid[subset])
    o2 = pd.DataFrame(block.obs2_rep1, columns=list(keys))
    o2.insert(0, "repeat", 1)
    o2.insert(0, "observer", 2)
    o2.insert(0, "lesion_id", lid[subset])
    info.update({
        "feature_keys": "catalogue order of nenaudit.radiomics.catalogue.feature_keys(" + repr(types) + ")",
        "n_features": len(keys),
        "signature": [{"key": k, "coefficient": c} for k, c in sig.items()],
        "stand_ins": stand_ins,
        "radscore_column": rs_var,
        "signature_load": feat.SIGNATURE_LOAD if sig else None,
        "signature_design": ("z(feature) = signature_load * sign(coefficient) * z(Radscore) + sqrt(1 - signature_load^2) "
                             "* noise, z = (x - mean) / sd (sd with n - 1, over all lesions, R's scale()); every "
                             "signature feature correlates exactly signature_load with the Radscore column"),
        "radscore_formula": ("the printed formula sum(coefficient * z(feature)) is a score correlated with the "
                             "Radscore column (achieved.radiomics.published_formula_correlation), not equal to it: "
                             "exactness forces weak, cancelling features that the re-fitted LASSO-CV does not "
                             "find (generator version 1; see nenaudit.synth.features). The Radscore column itself "
                             "is matched to the published summaries"),
        "resegmented_lesions": int(subset.size),
        "designed_reliable_features": int(block.reliable.sum()),
        "designed_kept_after_filters": block.n_clusters_reliable,
        "target_kept_after_filters": n_keep,
    })
    return {"features.csv": to_csv_text(fdf), "observers.csv": to_csv_text(pd.concat([o1, o2], ignore_index=True))}


def achieved(study: Study, d: Design, files: dict[str, str]) -> dict[str, Any]:
    """Achieved-vs-published summary, computed by the stats module on the files' text."""
    cats = [n for n, v in d.variables.items() if v["kind"] == "categorical"]
    patients = _read(files["patients.csv"], cats)
    lesions = _read(files["lesions.csv"], cats)
    coded = lesions.copy()
    for name, v in d.variables.items():
        if v["levels"] and name in coded:
            coded[name] = coded[name].map({lv: i for i, lv in enumerate(v["levels"])})
    cells = evaluate.table_cells(d, patients, lesions)
    counts = [c for c in cells if c["level"] not in ("q1", "median", "q3", "mean", "sd", "p")]
    out: dict[str, Any] = {
        "counts_reproduced": sum(bool(c["ok"]) for c in counts),
        "counts_published": len(counts),
        "counts_missed": [c for c in counts if not c["ok"]],
        "summaries": [c for c in cells if c["level"] in ("q1", "median", "q3", "mean", "sd")],
        "p_values": [c for c in cells if c["level"] == "p"],
        "regression": evaluate.regression(d, lesions, coded),
    }
    if "features.csv" in files:
        f = _read(files["features.csv"]).set_index("lesion_id")
        o = _read(files["observers.csv"])
        rs, _ = signature_keys(study)
        out["radiomics"] = evaluate.radiomics(f, o, float(study.fact("icc_threshold", 0.75)),
                                              float(study.fact("spearman_threshold", 0.9)), tuple(rs))
        rs_var = next((n for n in d.variables if _key(n) == "radscore"), None)
        if rs and rs_var:
            z = (f[list(rs)] - f[list(rs)].mean()) / f[list(rs)].std(ddof=1)
            score = z.to_numpy() @ np.array(list(rs.values()))
            target = lesions[rs_var].to_numpy(float)
            out["radiomics"]["published_formula_correlation"] = float(np.corrcoef(score, target)[0, 1])
            out["radiomics"]["signature_correlations"] = {
                k: float(np.corrcoef(f[k].to_numpy(float), target)[0, 1]) for k in rs}
    return out


def _refit(files: dict[str, str], manifest: dict[str, Any]) -> dict[str, Any]:
    """The paper's pipeline re-run on the files as written (:func:`nenaudit.synth.evaluate.refit`)."""
    import tempfile

    from nenaudit.cohort import load_cohort

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        Path(tmp, "manifest.json").write_text(dumps_json(_jsonable(manifest), indent=None), encoding="utf-8")
        return evaluate.refit(load_cohort(tmp))


def write_cohort(cohort: SyntheticCohort, out: str | os.PathLike) -> Path:
    """Write the files into a temporary sibling directory, then rename it into place (never half-written)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    for name, text in cohort.files.items():
        with open(tmp / name, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    old = None
    if out.exists():
        if not out.is_dir():
            shutil.rmtree(tmp)
            raise NenauditError(f"--out {out}: exists and is not a directory; choose another path")
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old)
    return out


def regenerate(manifest_path: str | os.PathLike) -> SyntheticCohort:
    """Generate again from a manifest's study spec and seed (the spec must have the recorded hash)."""
    from nenaudit.study.schema import load

    m = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    src = m["study"]["source"]
    study = load(None) if src.startswith("embedded:") else load(src)
    if study.sha256 != m["study"]["sha256"]:
        raise NenauditError(f"{manifest_path}: the study spec {src} has changed since this cohort was generated "
                            f"(sha256 {study.sha256[:12]} != {m['study']['sha256'][:12]})")
    return generate(study, int(m["seed"]))
