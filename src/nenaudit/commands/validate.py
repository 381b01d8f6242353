"""``nenaudit validate``: bootstrap internal validation of the lesion-level model of a cohort.

Schemes (see :mod:`nenaudit.stats.validation`): ``published`` (the fixed model's AUC on each
resample), ``harrell`` (refit the final formula), ``pipeline`` (re-run the variable selection
in every resample), ``cluster`` (resample patients with all their lesions), ``632plus``.

The final formula defaults to the study spec's ``final_model`` (Feng 2025: Radscore, Ki67, number
of hepatic metastases, extrahepatic metastasis); the pipeline's candidates default to the
variables of Table 3's univariable column. The ``pipeline`` scheme re-runs the paper's whole
model building in every resample (:class:`nenaudit.pipeline.PaperProcedure`: z-score, Spearman
filter, LASSO-CV, Radscore, univariable screen, backward Wald; the outcome-free ICC filter is
applied with the ICCs of the reliability subset); ``--clinical-only`` re-runs only the clinical
selection with the cohort's Radscore column taken as given.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from nenaudit import options
from nenaudit.io import STABLE_DIGITS, dumps_json

__all__ = ["run", "register"]


ORDER = 44

SCHEMES = ("published", "harrell", "pipeline", "cluster", "632plus")
PIPELINE_NOTE = (
    "pipeline = z-score, Spearman filter, LASSO-CV, Radscore, univariable screen (p < entry) and backward "
    "Wald (p > stay) re-run in every resample; the ICC filter (outcome-free) uses the ICCs of the "
    "reliability subset"
)
CLINICAL_NOTE = (
    "pipeline --clinical-only = univariable screen (p < entry) + backward Wald (p > stay) re-run in every "
    "resample; the cohort's Radscore column is taken as given (the LASSO chain is not re-run)"
)


def _columns(cohort, names, what):
    """``names`` as a float frame of the coded lesion columns; an unknown column, an identifier, the outcome
    or a missing/infinite/non-numeric value is refused with its column and line."""
    from nenaudit.exceptions import DataError

    cols = list(cohort.lesions.columns)
    missing = [n for n in names if n not in cols]
    if missing:
        shown = ", ".join(c for c in cols if c not in ("lesion_id", "patient_id", "outcome"))
        raise DataError(
            f"{cohort.path}/lesions.csv: no column {missing[0]!r} for the {what} (columns are: {shown}); "
            f"name them with --predictors/--candidates"
        )
    return cohort.numeric_lesions(names, what)


def _study_defaults(study):
    reg = study.regression
    if reg is None:
        return [], []
    cands = [r.variable for r in reg.rows if r.univariable is not None]
    return list(reg.final_model), cands


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import sys

    from tabulate import tabulate

    from nenaudit.cohort import load_cohort
    from nenaudit.commands import na_tokens
    from nenaudit.exceptions import NenauditError
    from nenaudit.io import split_names
    from nenaudit.pipeline import fit_whole_cohort
    from nenaudit.stats import validation as v
    from nenaudit.study.schema import load

    if args.boot < 1:
        raise NenauditError(f"--boot must be a positive number of resamples, got {args.boot}")
    from nenaudit.stats.workers import check_memory

    check_memory(
        "--boot", args.boot, 131 * 8 * 4, f"{args.boot} resamples per scheme (row indices of each)"
    )
    study = load(args.study)
    cohort = load_cohort(args.cohort, na=na_tokens(args))
    for line in cohort.notes:
        print(f"nenaudit: {line}", file=sys.stderr)
    final, cands = _study_defaults(study)
    predictors = split_names(args.predictors) or final
    if not predictors:
        raise NenauditError(
            "no final model in the study spec: name the predictors with --predictors A,B,C"
        )
    d = cohort.coded_lesions()
    y = cohort.outcome
    note = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.scheme == "pipeline" and not args.clinical_only:
            from dataclasses import replace

            from nenaudit.pipeline import PipelineConfig, build_design

            cfg = PipelineConfig(
                entry=args.entry,
                stay=args.stay,
                jobs=args.jobs,
                keep_separated=args.keep_separated,
                candidates=tuple(split_names(args.candidates)) if args.candidates else None,
            )
            cfg = replace(cfg, selection=replace(cfg.selection, seed=args.fold_seed))
            if args.jobs > 1:  # worker processes run cv_lasso single-threaded; same numbers
                cfg = replace(cfg, selection=replace(cfg.selection, n_jobs=1))
            X, y, _, proc = build_design(cohort, cfg, study)
            res = v.pipeline_optimism(X, y, proc, n_boot=args.boot, seed=args.seed, jobs=args.jobs)
            note = PIPELINE_NOTE
            used = list(proc.candidates)
        elif args.scheme == "pipeline":
            X = _columns(cohort, split_names(args.candidates) or cands, "pipeline candidates")
            candidates = list(X.columns)
            proc = v.ScreenBackwardProcedure(
                tuple(candidates), args.entry, args.stay, args.keep_separated
            )
            res = v.pipeline_optimism(X, y, proc, n_boot=args.boot, seed=args.seed, jobs=args.jobs)
            note = CLINICAL_NOTE
            used = candidates
        else:
            X = _columns(cohort, predictors, "final model")
            used = list(X.columns)
            proc = v.LogisticProcedure(tuple(used), keep_separated=args.keep_separated)
            if args.scheme == "published":
                lp = fit_whole_cohort(proc, X, y, cohort.path).predict_lp(X)
                res = v.published_bootstrap(y, lp, n_boot=args.boot, seed=args.seed)
            elif args.scheme == "harrell":
                res = v.harrell_optimism(
                    X, y, procedure=proc, n_boot=args.boot, seed=args.seed, jobs=args.jobs
                )
            elif args.scheme == "cluster":
                res = v.cluster_optimism(
                    X,
                    y,
                    d["patient_id"].to_numpy(),
                    proc,
                    n_boot=args.boot,
                    seed=args.seed,
                    jobs=args.jobs,
                )
            else:
                res = v.bootstrap_632plus(
                    X, y, proc, n_boot=args.boot, seed=args.seed, jobs=args.jobs
                )
        instab = None
        if (
            args.scheme == "pipeline"
        ):  # Riley & Collins' instability of the procedure the resamples refitted
            from dataclasses import replace as _replace

            from nenaudit.pipeline import instability_of, youden_risk_threshold

            full = _replace(proc, full_data=True) if hasattr(proc, "full_data") else proc
            model = fit_whole_cohort(full, X, y, cohort.path)
            lp = model.predict_lp(X)
            inst = instability_of(
                res, y, 1.0 / (1.0 + np.exp(-lp)), model, youden_risk_threshold(y, lp)
            )
            instab = None if inst is None else inst.summary()
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    folds = (
        f"LASSO-CV folds drawn with --fold-seed {args.fold_seed} (whole cohort and every resample)"
        if args.scheme == "pipeline" and not args.clinical_only
        else None
    )
    out = {
        "scheme": args.scheme,
        "cohort": str(cohort.path),
        "variables": used,
        "seed": args.seed,
        "fold_seed": args.fold_seed if folds else None,
        "inferred_types": list(cohort.notes[1:]),
        "n_lesions": int(y.size),
        "n_patients": int(d["patient_id"].nunique()),
        "result": res.to_dict(),
        "note": note,
        "warnings": msgs,
    }
    if args.scheme == "pipeline":
        out["instability"] = instab
    if args.json:
        print(
            dumps_json(out, digits=STABLE_DIGITS)
        )  # same bytes on any CPU (nenaudit.io.stable_float)
        return 0
    print(
        f"{args.scheme} bootstrap, {res.n_boot} resamples (seed {args.seed}), {y.size} lesions / "
        f"{out['n_patients']} patients; variables: {', '.join(used)}"
        + (f"; {folds}" if folds else "")
    )
    if args.scheme == "published":
        print(
            f"AUC apparent {res.apparent:.4f}; bootstrap mean {res.mean:.4f} "
            f"({100 * res.level:g}% percentile interval {res.ci_lower:.4f}-{res.ci_upper:.4f}); {res.note}"
        )
    elif args.scheme == "632plus":
        rows = [
            [e.name, e.apparent, e.oob, e.estimate_632, e.estimate_632plus, e.optimism, e.weight]
            for e in (res.auc, res.brier)
        ]
        print(
            tabulate(
                rows,
                headers=["index", "apparent", "out-of-bag", ".632", ".632+", "optimism", "weight"],
                floatfmt=".4f",
            )
        )
    else:
        rows = [
            [i.name, i.apparent, i.training, i.test, i.optimism, i.corrected, i.n]
            for i in res.indexes
        ]
        print(
            tabulate(
                rows,
                headers=["index", "apparent", "training", "test", "optimism", "corrected", "n"],
                floatfmt=".4f",
            )
        )
    failed = {k: n for k, n in res.failures.items() if n}
    kept = getattr(res, "kept_separated", 0)
    print(
        f"usable resamples: {res.n_ok} of {res.n_boot}"
        + (f"; failed: {failed}" if failed else "")
        + (f"; {kept} kept although their final fit separated" if kept else "")
    )
    if instab:
        print(
            f"instability (Riley & Collins 2023): MAPE {instab['mape']:.4f} (max {instab['mape_max']:.4f}); "
            f"classification instability index {instab['cii']:.4f} at risk {instab['threshold']:.3f} (Youden)"
        )
        for kind, sf in instab["selection"].items():
            freq = ", ".join(f"{n} {sf['frequency'][n]:.2f}" for n in sf["original"])
            print(f"selection frequency of the developed model's {kind}: {freq or 'none selected'}")
    if note:
        print(f"note: {note}")
    for m in msgs:
        print(f"warning: {m}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "validate", help="bootstrap validation: published, harrell, pipeline, cluster, 632plus"
    )
    a.add_argument(
        "cohort",
        metavar="COHORT_DIR",
        nargs="?",
        default=None,
        help="cohort directory (default: the committed synthetic cohort)",
    )
    a.add_argument("--scheme", choices=SCHEMES, required=True)
    a.add_argument(
        "--boot", type=int, default=200, metavar="N", help="bootstrap resamples (default 200)"
    )
    a.add_argument(
        "--seed",
        type=options.seed,
        default=1,
        metavar="N",
        help="seed of the resample indices (default 1); it does not draw the LASSO folds",
    )
    a.add_argument(
        "--fold-seed",
        type=options.seed,
        default=1,
        metavar="N",
        help="pipeline scheme: seed of the 10 LASSO-CV folds, drawn on the whole cohort and afresh with "
        "the same seed in every resample (default 1, as select --fold-seed)",
    )
    a.add_argument(
        "--study",
        metavar="PATH",
        default=None,
        help="study spec whose final model and Table 3 candidates are the defaults (default: feng2025)",
    )
    a.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="worker processes; results do not depend on it",
    )
    a.add_argument(
        "--predictors",
        metavar="A,B,C",
        default=None,
        help="final model's lesion columns (default: the study spec's final model)",
    )
    a.add_argument(
        "--candidates",
        metavar="A,B,C",
        default=None,
        help="pipeline candidates (default: Table 3's univariable variables)",
    )
    a.add_argument(
        "--keep-separated",
        action="store_true",
        help="keep resamples whose final model separates (glm's estimates), counted as kept_separated",
    )
    a.add_argument(
        "--clinical-only",
        action="store_true",
        help="pipeline scheme: re-run only the clinical selection, the cohort's Radscore taken as given",
    )
    a.add_argument(
        "--entry",
        type=options.float_range(0.0, 1.0, "a p threshold", lo_open=True),
        default=0.05,
        help="pipeline univariable entry p (default 0.05)",
    )
    a.add_argument(
        "--stay",
        type=options.float_range(0.0, 1.0, "a p threshold", lo_open=True),
        default=0.05,
        help="pipeline backward stay p (default 0.05)",
    )
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    from nenaudit.commands import add_na_option

    add_na_option(a)
    a.set_defaults(func=run)
