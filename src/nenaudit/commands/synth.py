"""``nenaudit synth``: a synthetic cohort that reproduces a study's published tables."""

from __future__ import annotations

import argparse

from nenaudit import options
from nenaudit.io import dumps_json

ORDER = 20


def _summary(m: dict) -> dict:
    a = m.get("achieved", {})
    reg = a.get("regression", {})
    return {
        "out": m.get("_out"),
        "study": m["study"]["id"],
        "seed": m["seed"],
        "counts_reproduced": a.get("counts_reproduced"),
        "counts_published": a.get("counts_published"),
        "allocation_feasible": m["allocation"]["feasible"],
        "deviations": m["allocation"]["deviations"],
        "structural": m["allocation"]["structural"],
        "continuous_misses": m.get("continuous_misses", []),
        "auc": reg.get("auc", []),
        "radiomics": {k: v for k, v in (a.get("radiomics") or {}).items()
                      if k in ("n_icc_pass", "n_after_spearman", "n_features", "n_resegmented")},
    }


def run(args: argparse.Namespace) -> int:
    from nenaudit.study.schema import load
    from nenaudit.synth import DEFAULT_SEED, generate, write_cohort

    study = load(args.study)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    cohort = generate(study, seed)
    out = write_cohort(cohort, args.out)
    s = _summary(cohort.manifest)
    s["out"] = str(out)
    s["files"] = {k: v["bytes"] for k, v in cohort.manifest["files"].items()}
    if args.json:
        print(dumps_json(s, indent=1))
        return 0
    print(f"synthetic cohort of {s['study']} (seed {seed}) written to {out}")
    print(f"published counts reproduced: {s['counts_reproduced']} of {s['counts_published']}")
    for d in s["deviations"]:
        print(f"  infeasible: {d['table']}, {d['variable']}, {d['level']}, {d['group']}: published {d['published']}, "
              f"allocated {d['allocated']}")
    for x in s["structural"]:
        print(f"  infeasible: {x}")
    for m in s["continuous_misses"]:
        print(f"  continuous summary missed: {m['target']} published {m['published']}, off by "
              f"{m.get('miss_beyond_rounding')} beyond the printed rounding")
    for a in s["auc"]:
        print(f"AUC {a['model']}: {a['achieved']} (published {a['published']})")
    if s["radiomics"]:
        r = s["radiomics"]
        print(f"features: {r['n_features']}; ICC filter keeps {r['n_icc_pass']}, Spearman filter keeps "
              f"{r['n_after_spearman']} ({r['n_resegmented']} re-segmented lesions)")
    return 0


def register(sub) -> None:
    a = sub.add_parser("synth", help="generate a synthetic cohort that reproduces the published tables")
    a.add_argument("--study", metavar="PATH", default=None, help="study spec JSON (default: the embedded feng2025)")
    a.add_argument("--seed", metavar="N", type=options.seed, default=None, help="random seed (default: 20250611)")
    a.add_argument("--out", metavar="DIR", default="cohort",
                   help="output directory, written to a temporary sibling and renamed into place, replacing an "
                        "existing one as a whole (default: ./cohort)")
    a.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    a.set_defaults(func=run)
