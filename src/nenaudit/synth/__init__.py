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
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nenaudit import __version__
from nenaudit.cohort import FILES, Cohort, load_cohort
from nenaudit.exceptions import ConvergenceWarning, FitFailure, NenauditError
from nenaudit.io import dumps_json
from nenaudit.outputs import output_dir
from nenaudit.pipeline import PipelineConfig, build_design, run_pipeline
from nenaudit.radiomics.catalogue import load_catalogue
from nenaudit.stats.discrimination import roc_auc
from nenaudit.stats.logistic import fit_logistic
from nenaudit.stats.quantile import quantile7
from nenaudit.study.schema import Study, label_key, load
from nenaudit.synth import allocation, evaluate
from nenaudit.synth import faithful as fa
from nenaudit.synth import features as feat
from nenaudit.synth import realize as _rz
from nenaudit.synth import targets as tgt
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

__all__ = [
    "DEFAULT_SEED",
    "SyntheticCohort",
    "generate",
    "regenerate",
    "signature_keys",
    "write_cohort",
]

DEFAULT_SEED = 20250611
FILE_ORDER = ("patients.csv", "lesions.csv", "features.csv", "observers.csv", "manifest.json")


@dataclass(frozen=True)
class SyntheticCohort:
    """A generated cohort in memory: each file's text as it is written, and the manifest."""

    files: dict[str, str]  # file name -> text, as written
    manifest: dict[str, Any]


def signature_keys(study: Study) -> tuple[dict[str, float], list[dict[str, str]]]:
    """Published Radscore terms -> {pyradiomics key: coefficient}; invalid names get a documented stand-in."""
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
            raise NenauditError(
                f"radscore term {name!r} is not a pyradiomics feature and has no stand-in; "
                "add one to nenaudit.synth.realize.STAND_INS"
            )
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


def generate(
    study: Study | None = None,
    seed: int = DEFAULT_SEED,
    *,
    with_features: bool = True,
    evaluate_results: bool = True,
    faithful: bool = True,
    progress=None,
    budget: dict[str, int] | None = None,
) -> SyntheticCohort:
    """A synthetic cohort for ``study`` (default: the embedded feng2025 spec); see the module docstring.

    ``faithful`` runs stages A, B and C (:mod:`nenaudit.synth.faithful`); ``budget`` overrides their
    sizes (``{"a": moves per variable, "b": feature draws, "c": swaps, "boot": resamples per validation
    scheme of the evaluation, "retries": stage C runs again, from the stage B state with a new random stream,
    when the evaluation misses a target that stage C can move}``, recorded in the manifest; of the attempts,
    a faithful one is kept, else the one with the fewest targets missed, the first of equals);
    ``progress`` takes one-line messages."""
    say = progress or (lambda msg: None)
    if study is None:
        study = load(None)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise NenauditError(f"seed = {seed!r}; give a non-negative integer")
    bud = {
        "a": fa.A_ITER,
        "b": fa.K_DRAWS,
        "c": fa.C_ITER,
        "boot": EVAL_BOOT,
        "retries": fa.C_RETRIES,
    } | dict(budget or {})
    d = design_of(study)
    say("allocation: counts of the published tables (integer program)")
    alloc = allocation.solve(problem_of(d))
    ss = np.random.SeedSequence(int(seed))
    s_clin, s_feat, s_a, s_c = ss.spawn(4)
    say("realization: patients, lesions, continuous values on the published quantiles")
    clin = _rz.realize(d, alloc, np.random.default_rng(s_clin))
    int_cols = [n for n, v in d.variables.items() if v.get("integer_valued")]
    faithful = bool(faithful and with_features and study.regression is not None)
    stages: dict[str, Any] = {}
    cf = _frame(d, clin.patients, clin.lesions)
    if faithful:
        say(
            f"stage A: univariable statistics of the patient variables ({bud['a']} moves per variable at most)"
        )
        stages["a"] = fa.stage_a(d, cf, np.random.default_rng(s_a), n_iter=bud["a"])

    def texts() -> dict[str, str]:
        pats = integerize(cf.patients, int_cols)
        les = clin.lesions.copy()
        for name, v in d.variables.items():
            if "patient" in v["unit"]:
                les[name] = pats[name].to_numpy()[cf.lesion_patient]
        return {
            "patients.csv": to_csv_text(pats),
            "lesions.csv": to_csv_text(integerize(les, int_cols)),
        }

    files = texts()
    rad_info: dict[str, Any] = {}
    c_seeds: list = []
    if with_features:
        if faithful:
            say(
                f"stage B: feature matrices scored by the re-fitted LASSO ({bud['b']} draws at most)"
            )
            feats, radscore, stages["b"] = _stage_b(
                study, d, files, s_feat, rad_info, bud["b"], say
            )
            files.update(feats)
            pre_c = cf.patients.copy()
            # attempt 0 draws from s_c; a retry (only when the evaluation misses a target) from a child of it
            c_seeds = [s_c] + list(s_c.spawn(bud["retries"]))
        else:
            files.update(
                _features(
                    study, d, _read(files["lesions.csv"]), np.random.default_rng(s_feat), rad_info
                )
            )

    def manifest_now() -> dict[str, Any]:
        return {
            "format": "nenaudit synthetic cohort",
            "generator": "nenaudit.synth",
            "generator_version": GENERATOR_VERSION,
            "nenaudit_version": __version__,
            "study": {"id": study.id, "source": _study_source(study), "sha256": study.sha256},
            "seed": int(seed),
            "faithful_search": (
                {
                    "stages": "A, B, C (nenaudit.synth.faithful); C again (budget retries) when the "
                    "evaluation misses a target that C can move",
                    "budget": bud,
                }
                if faithful
                else None
            ),
            "float_format": FLOAT_FORMAT,
            "files": {
                name: {"sha256": _sha(text), "bytes": len(text.encode("utf-8"))}
                for name, text in files.items()
            },
            "outcome": {
                "column": "outcome",
                "event": d.event,
                "coding": {"1": d.event, "0": next((o for o in d.outcomes if o != d.event), None)},
            },
            "conventions": [
                "a lesion's outcome is its patient's response",
                "variables of the patient table are patient characteristics carried by all of the patient's lesions",
                "variables only in the lesion table are lesion-specific",
                "categorical variables are stored as printed levels; codes 0..k-1 follow 'levels'",
                (
                    f"copula correlation within outcome cells: {_rz.COPULA_RHO} between the final-model patient "
                    f"variables, {_rz.COPULA_RHO_LESION} between them and the lesion-level ones (starting point of "
                    "stages A and C)"
                ),
                (
                    "the Radscore column of lesions.csv is the planted score the features were built from; the "
                    "pipeline never reads it (it re-fits the LASSO), and every achieved model output below is the "
                    "pipeline's, on the re-fitted Radscore"
                ),
            ],
            "max_lesions_per_patient": d.max_lesions,
            "variables": {
                n: {"unit": sorted(v["unit"]), "kind": v["kind"], "levels": v["levels"]}
                for n, v in d.variables.items()
            },
            "allocation": {
                "feasible": alloc.feasible,
                "total_deviation": alloc.total_deviation,
                "deviations": [x.to_dict() for x in alloc.deviations],
                "structural": list(alloc.structural),
                "patients_by_outcome_and_lesions": {f"{r}/{k}": n for (r, k), n in alloc.n.items()},
            },
            "continuous_misses": clin.continuous_misses,
            "notes": clin.notes,
            "non_targets": _non_targets(study, alloc),
            "stages": stages,
            "radiomics": rad_info,
        }

    tried = []  # (required targets missed, attempt, files, stage C record, achieved)
    for attempt, sc in enumerate(c_seeds or [None]):
        if sc is not None:
            cf.patients = pre_c.copy()
            say(
                f"stage C{f' (retry {attempt})' if attempt else ''}: swaps within (outcome, lesions) cells "
                f"against the backward-Wald path ({bud['c']} swaps)"
            )
            stages["c"] = {
                "attempt": attempt,
                **fa.stage_c(d, cf, radscore, np.random.default_rng(sc), n_iter=bud["c"]),
            }
            files.update(texts())
        manifest = manifest_now()
        if not evaluate_results:
            break
        manifest["achieved"] = achieved(study, d, files)
        if with_features:
            say(f"evaluation: the paper's pipeline on the files as written (--boot {bud['boot']})")
            manifest["achieved"]["pipeline"], manifest["achieved"]["unprinted"] = _evaluate(
                study, files, manifest, bud["boot"]
            )
        pipe = manifest["achieved"].get("pipeline") or {}
        missed = pipe.get("missed", [])
        tried.append(
            (
                not pipe.get("faithful"),
                len(missed),
                attempt,
                dict(files),
                stages.get("c"),
                manifest["achieved"],
                missed,
            )
        )
        if sc is None or pipe.get("faithful"):
            break
        if not any(m.startswith(fa.C_MOVES) for m in missed):
            break  # what was missed is fixed before stage C: another stage C cannot change it
        if attempt + 1 < len(c_seeds):
            say(
                f"  attempt {attempt}: missed {', '.join(missed)}; stage C again from the stage B state"
            )
    # a faithful attempt, else the one with the fewest required targets missed (first of equals)
    if len(tried) > 1:
        *_, attempt, kept, rec, ach, _ = min(tried, key=lambda t: t[:3])
        files.clear()
        files.update(kept)
        stages["c"] = rec
        manifest = manifest_now()
        manifest["achieved"] = ach
    if c_seeds:
        stages["c_attempts"] = [
            {"attempt": t[2], "faithful": not t[0], "missed": t[6]} for t in tried
        ] or None
        chosen = stages["c"]["attempt"]
        say(
            "plausibility cost: stage C again without the plausibility terms (same start, same random stream)"
        )
        cf0 = fa.ClinicalFrame(pre_c.copy(), cf.lesion_patient, cf.y, cf.k, cf.pout)
        without = fa.stage_c(
            d,
            cf0,
            radscore,
            np.random.default_rng(c_seeds[chosen]),
            n_iter=bud["c"],
            plausible=False,
        )
        manifest["plausibility"] = fa.plausibility_cost(d, stages["c"], without)
    text = dumps_json(_jsonable(manifest), indent=1, ensure_ascii=False) + "\n"
    files["manifest.json"] = text
    return SyntheticCohort({k: files[k] for k in FILE_ORDER if k in files}, json.loads(text))


EVAL_BOOT = 50  # resamples per validation scheme of the manifest's evaluation (= `nenaudit reproduce --boot 50`)


def _frame(d: Design, patients: pd.DataFrame, lesions: pd.DataFrame) -> fa.ClinicalFrame:
    row = {p: i for i, p in enumerate(patients["patient_id"])}
    other = next((o for o in d.outcomes if o != d.event), d.event)
    return fa.ClinicalFrame(
        patients.copy(),
        lesions["patient_id"].map(row).to_numpy(),
        lesions["outcome"].to_numpy(float),
        patients["n_lesions"].to_numpy(),
        np.where(patients["outcome"].to_numpy() == 1, d.event, other),
    )


def _non_targets(study: Study, alloc) -> list[dict[str, str]]:
    """Published numbers the generator does not try to reproduce, with the reason."""
    out = []
    rs = (study.radiomics or {}).get("radscore") or {}
    if rs.get("terms"):
        out.append(
            {
                "what": "the printed Radscore coefficients",
                "why": (
                    "they are the LASSO fit on the paper's data; the pipeline re-fits the LASSO on the "
                    "synthetic features, so the targets are its outputs (feature count, names, AUC, ORs). "
                    + (
                        "The printed formula has no intercept, and without one it cannot give the printed "
                        "Radscore medians (see `nenaudit audit`)"
                        if rs.get("intercept") is None
                        else ""
                    )
                ),
            }
        )
    for x in alloc.deviations:
        out.append(
            {
                "what": f"{x.table} / {x.variable} / {x.level} / {x.group}: {x.published}",
                "why": (
                    f"infeasible together with the other published counts (at most "
                    f"{study.fact('max_lesions_per_patient')} lesions per patient); the smallest total "
                    f"deviation gives {x.allocated} (allocation.deviations)"
                ),
            }
        )
    return out


def _memory_cohort(files: dict[str, str], manifest: dict[str, Any], frames=None):
    """The cohort as :func:`nenaudit.cohort.load_cohort` would read it from ``files``; with ``frames`` (the
    unrounded (features, observers) frames of :func:`_feature_frames`), their CSV text is not written and read
    back: the values are rounded as the CSV stores them (:func:`nenaudit.synth.faithful.round6`, the same
    doubles read_csv parses from the text) and laid out as read_csv lays them out (one float block)."""
    cats = [n for n, v in manifest["variables"].items() if v["kind"] == "categorical"]
    if frames is None:
        f = _read(files["features.csv"]).set_index("lesion_id")
        o = _read(files["observers.csv"])
    else:
        f, o = (_as_read(x) for x in frames)
        f = f.set_index("lesion_id")
    return Cohort(
        _read(files["patients.csv"], cats),
        _read(files["lesions.csv"], cats),
        f,
        o,
        manifest,
        Path("<memory>"),
        variables=manifest["variables"],
    )


def _as_read(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as ``_read(to_csv_text(df))`` gives it back, without the text: the float columns rounded to the
    CSV's ``%.6g`` and stored as one block; the other columns as read_csv reads them."""
    num = [c for c in df.columns if df[c].dtype.kind == "f"]
    meta = [c for c in df.columns if c not in num]
    head = _read(to_csv_text(df[meta]))
    vals = fa.round6(df[num].to_numpy(float).ravel()).reshape(len(df), len(num))
    block = pd.DataFrame(np.ascontiguousarray(vals.T).T, columns=num)
    out = pd.concat([head, block], axis=1)
    return out[list(df.columns)]


def _stage_b(study: Study, d: Design, files: dict[str, str], s_feat, info: dict, k_draws: int, say):
    """Stage B: ``k_draws`` feature matrices, each scored by the pipeline's selection (PaperProcedure on the
    values as written); returns the best one's files, its re-fitted Radscore and the record."""
    lesions = _read(files["lesions.csv"])
    y = lesions["outcome"].to_numpy()
    sig, _ = signature_keys(study)
    tg = feat_targets(study, d)
    manifest = {
        "variables": {n: {"kind": v["kind"], "levels": v["levels"]} for n, v in d.variables.items()}
    }
    best = None
    log = []
    for b, child in enumerate(s_feat.spawn(k_draws)):
        loc: dict[str, Any] = {}
        fr = _feature_frames(study, d, lesions, np.random.default_rng(child), loc, groups=y)
        coh = _memory_cohort(files, manifest, fr)
        X, yy, _, proc = build_design(coh, PipelineConfig(n_boot=1))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = proc(X, yy)
            except FitFailure as exc:
                log.append({"draw": b, "failure": str(exc)})
                continue
        # a LASSO that does not converge on the full data stops the pipeline's validation: not a candidate
        bad = next(
            (str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)), None
        )
        if bad is not None:
            log.append({"draw": b, "failure": f"non_convergence: {bad}"})
            say(f"  draw {b + 1}: the LASSO did not converge ({bad[:60]}...)")
            continue
        rs = m.radscore(X)
        sel = list(m.selection.selected)
        auc = roc_auc(yy, rs, direction="<").auc
        score, parts = feat_score(tg, sel, set(sig), rs, yy, auc)
        log.append({"draw": b, "score": round(score, 4), **parts})
        say(
            f"  draw {b + 1}: {len(sel)} features selected, Radscore AUC {auc:.3f}, score {score:.3f}"
        )
        if best is None or score < best[0]:
            best = (score, fr, rs, loc, b)
        if parts["perfect"]:
            break
    if best is None:
        raise NenauditError(
            f"stage B: none of the {k_draws} feature draws gave a LASSO fit that selects a feature "
            "and converges; raise the budget of stage B (synth --budget A,B,C)"
        )
    info.update(best[3])
    info["stage_b_draw"] = best[4]
    return _feature_texts(best[1]), best[2], {"draws": log, "chosen": best[4]}


def feat_targets(study: Study, d: Design) -> dict[str, Any]:
    """Stage B's targets from the spec: feature count, Radscore AUC, univariable OR and Table 2 quartiles."""
    rs = (study.radiomics or {}).get("radscore") or {}
    auc = next(
        (a.estimate for a in study.auc if a.model == "radscore" and a.kind == "apparent"), None
    )
    reg = study.regression
    uni = next(
        (r.univariable for r in (reg.rows if reg else ()) if label_key(r.variable) == "radscore"),
        None,
    )
    cells = {}
    for t in study.tables:
        if t.unit != "lesion":
            continue
        row = next(
            (r for r in t.rows if label_key(r.variable) == "radscore" and r.kind == "median_iqr"),
            None,
        )
        if row is not None:
            for g in t.groups:
                if g.outcome_group in d.outcomes:
                    cells[1 if g.outcome_group == d.event else 0] = row.cells[g.id]
    return {"n": len(rs.get("terms") or []), "auc": auc, "uni": uni, "quartiles": cells}


def feat_score(
    tg: dict[str, Any], sel: list[str], sig: set[str], rs: np.ndarray, y: np.ndarray, auc: float
) -> tuple[float, dict[str, Any]]:
    """Stage B's score of one draw (0 = every target met; see :mod:`nenaudit.synth.faithful`)."""
    score = 0.0
    n_sig = sum(k in sig for k in sel)
    if tg["n"]:
        score += 2.0 * abs(len(sel) - tg["n"]) + 0.5 * (len(sig) - n_sig)
    if tg["auc"] is not None:
        score += max(0.0, abs(auc - tg["auc"].value) - 0.002) / 0.005
    o = None
    if tg["uni"] is not None and tg["uni"].ci is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = fit_logistic(rs[:, None], y, profile=False)
        o = float(np.exp(f.coef[1]))
        score += fa.ci_loss(o, tg["uni"])
    qmiss = 0.0
    for g, cell in tg["quartiles"].items():
        q = quantile7(rs[y == g], [0.25, 0.5, 0.75])
        for pr, x in zip((cell.q1, cell.median, cell.q3), q):
            qmiss += max(0.0, abs(x - pr.value) - pr.half_unit)
    score = fa.settle(
        score + 0.5 * qmiss / 0.1
    )  # compared between draws: rounded above the CPU's last bits
    perfect = (
        len(sel) == tg["n"]
        and n_sig == len(sig)
        and tg["auc"] is not None
        and abs(auc - tg["auc"].value) <= 0.005
        and o is not None
        and tg["uni"].ci.lo.value <= o <= tg["uni"].ci.hi.value
        and qmiss < 0.3
    )
    return score, {
        "n_selected": len(sel),
        "signature_selected": n_sig,
        "radscore_auc": round(auc, 4),
        "radscore_or": None if o is None else round(o, 4),
        "quartile_miss": round(qmiss, 4),
        "perfect": bool(perfect),
    }


def _evaluate(
    study: Study, files: dict[str, str], manifest: dict[str, Any], n_boot: int = 50
) -> tuple[dict, dict]:
    """``run_pipeline`` (``--boot n_boot``, the reproduce defaults otherwise) on the files as written:
    every target (:func:`nenaudit.synth.targets.evaluate`) and the unprinted quantities."""
    sig = tuple(s["key"] for s in (manifest.get("radiomics") or {}).get("signature", []))
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        Path(tmp, "manifest.json").write_text(json.dumps(_jsonable(manifest)), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = run_pipeline(load_cohort(tmp), PipelineConfig(n_boot=n_boot))
            except (FitFailure, NenauditError) as exc:
                # the pipeline could not run: a reported outcome
                return {
                    "faithful": False,
                    "failure": str(exc),
                    "missed": ["pipeline"],
                    "targets": [],
                    "groups": {},
                }, {}
    return tgt.evaluate(study, res, sig), tgt.unprinted(res)


def _features(
    study: Study,
    d: Design,
    lesions: pd.DataFrame,
    rng: np.random.Generator,
    info: dict,
    groups: np.ndarray | None = None,
) -> dict[str, str]:
    """features.csv and observers.csv of one draw (:func:`_feature_frames`)."""
    return _feature_texts(_feature_frames(study, d, lesions, rng, info, groups))


def _feature_texts(frames: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, str]:
    return {"features.csv": to_csv_text(frames[0]), "observers.csv": to_csv_text(frames[1])}


def _feature_frames(
    study: Study,
    d: Design,
    lesions: pd.DataFrame,
    rng: np.random.Generator,
    info: dict,
    groups: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first reading (lesion_id + features) and the observer re-readings of one draw, unrounded."""
    rad = study.radiomics or {}
    types = tuple((rad.get("image_types") or {}).get("value") or ("original", "wavelet"))
    keys = load_catalogue().feature_keys(types)
    sig, stand_ins = signature_keys(study)
    rs_var = next((n for n in d.variables if label_key(n) == "radscore"), None)
    n = len(lesions)
    if rs_var is not None and sig:
        radscore = lesions[rs_var].to_numpy(float)
    else:  # no published Radscore: a standard-normal latent score separated by outcome
        radscore = rng.standard_normal(n) + lesions["outcome"].to_numpy(float)
        sig = {}
    m = int(study.fact("resegmented_lesions", min(n, 46)))
    subset = np.sort(rng.choice(n, size=min(m, n), replace=False))
    n_keep = int((rad.get("n_after_filters") or {}).get("value") or 60)
    load = feat.FAITHFUL_LOAD if groups is not None else feat.SIGNATURE_LOAD
    shrink = feat.FAITHFUL_SHRINK if groups is not None else 1.0
    block = feat.build(
        rng, keys, sig, radscore, subset, n_keep, load=load, groups=groups, shrink=shrink
    )
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
    info.update(
        {
            "feature_keys": "catalogue order of nenaudit.radiomics.catalogue.feature_keys("
            + repr(types)
            + ")",
            "n_features": len(keys),
            "signature": [{"key": k, "coefficient": c} for k, c in sig.items()],
            "stand_ins": stand_ins,
            "radscore_column": rs_var,
            "signature_load": load if sig else None,
            "other_features_outcome_shrink": shrink,
            "signature_noise": "orthogonal to the constant and the Radscore within each outcome group"
            if groups is not None
            else "orthogonal to the constant and the Radscore",
            "signature_design": (
                "z(feature) = signature_load * sign(coefficient) * z(Radscore) + sqrt(1 - signature_load^2) "
                "* noise, z = (x - mean) / sd (sd with n - 1, over all lesions, R's scale()); every "
                "signature feature correlates exactly signature_load with the Radscore column"
            ),
            "radscore_formula": (
                "the printed formula sum(coefficient * z(feature)) is a score correlated with the "
                "Radscore column (achieved.radiomics.published_formula_correlation), not equal to it: "
                "exactness forces weak, cancelling features that the re-fitted LASSO-CV does not "
                "find (generator version 1; see nenaudit.synth.features). The Radscore column itself "
                "is matched to the published summaries"
            ),
            "resegmented_lesions": int(subset.size),
            "designed_reliable_features": int(block.reliable.sum()),
            "designed_kept_after_filters": block.n_clusters_reliable,
            "target_kept_after_filters": n_keep,
        }
    )
    return fdf, pd.concat([o1, o2], ignore_index=True)


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
    }
    if "features.csv" in files:
        f = _read(files["features.csv"]).set_index("lesion_id")
        o = _read(files["observers.csv"])
        rs, _ = signature_keys(study)
        out["radiomics"] = evaluate.radiomics(
            f,
            o,
            float(study.fact("icc_threshold", 0.75)),
            float(study.fact("spearman_threshold", 0.9)),
            tuple(rs),
        )
        rs_var = next((n for n in d.variables if label_key(n) == "radscore"), None)
        if rs and rs_var:
            z = (f[list(rs)] - f[list(rs)].mean()) / f[list(rs)].std(ddof=1)
            score = z.to_numpy() @ np.array(list(rs.values()))
            target = lesions[rs_var].to_numpy(float)
            out["radiomics"]["published_formula_correlation"] = float(
                np.corrcoef(score, target)[0, 1]
            )
            out["radiomics"]["signature_correlations"] = {
                k: float(np.corrcoef(f[k].to_numpy(float), target)[0, 1]) for k in rs
            }
    return out


def _refit(files: dict[str, str], manifest: dict[str, Any]) -> dict[str, Any]:
    """The paper's pipeline re-run on the files as written (:func:`nenaudit.synth.evaluate.refit`)."""

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        Path(tmp, "manifest.json").write_text(
            dumps_json(_jsonable(manifest), indent=None), encoding="utf-8"
        )
        return evaluate.refit(load_cohort(tmp))


def write_cohort(cohort: SyntheticCohort, out, force: bool = False) -> Path:
    """Write the files into ``out`` (a path, or a :class:`nenaudit.outputs.OutputDir` checked before the
    generation): staged, then moved into place; nothing that nenaudit did not write is replaced."""
    d = output_dir(out, verb="synth", names=(*FILES, *cohort.files), force=force)
    with d.writing() as tmp:
        for name, text in cohort.files.items():
            with open(tmp / name, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
    return d.path


def regenerate(manifest_path: str | os.PathLike, progress=None) -> SyntheticCohort:
    """Generate again from a manifest's study spec, seed and search budget (the spec must have the recorded
    hash)."""
    m = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    src = m["study"]["source"]
    study = load(None) if src.startswith("embedded:") else load(src)
    if study.sha256 != m["study"]["sha256"]:
        raise NenauditError(
            f"{manifest_path}: the study spec {src} has changed since this cohort was generated "
            f"(sha256 {study.sha256[:12]} != {m['study']['sha256'][:12]})"
        )
    search = m.get("faithful_search")
    return generate(
        study,
        int(m["seed"]),
        faithful=search is not None,
        budget=(search or {}).get("budget"),
        progress=progress,
    )
