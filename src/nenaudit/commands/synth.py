"""``nenaudit synth``: a synthetic cohort that reproduces a study's published tables."""

from __future__ import annotations

import argparse
import sys
import time

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 20


def _summary(m: dict) -> dict:
    a = m.get("achieved", {})
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
        "faithful": (a.get("pipeline") or {}).get("faithful"),
        "missed_targets": (a.get("pipeline") or {}).get("missed", []),
        "targets": [
            {k: t[k] for k in ("target", "published", "achieved", "tolerance", "met", "required")}
            for t in (a.get("pipeline") or {}).get("targets", [])
        ],
        "unprinted": a.get("unprinted", {}),
        "radiomics": {
            k: v
            for k, v in (a.get("radiomics") or {}).items()
            if k in ("n_icc_pass", "n_after_spearman", "n_features", "n_resegmented")
        },
    }


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.exceptions import NenauditError
    from nenaudit.study.schema import load
    from nenaudit.synth import DEFAULT_SEED, generate, write_cohort

    study = load(args.study)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    budget = None
    if args.budget is not None:
        parts = args.budget.split(",")
        if (
            len(parts) not in (3, 4, 5)
            or not all(p.strip().isdigit() for p in parts)
            or not all(int(p) > 0 for p in parts[:4])
        ):
            raise NenauditError(
                f"--budget {args.budget!r}: give three to five integers A,B,C[,BOOT[,RETRIES]] "
                "(stage A moves per variable, stage B feature draws, stage C swaps, resamples of "
                "the evaluation, all positive; stage C retries when a target is missed, 0 or more), "
                "e.g. 4000,24,2500,50,1"
            )
        budget = dict(zip(("a", "b", "c", "boot", "retries"), (int(p) for p in parts)))
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - t0:6.1f} s] {msg}", file=sys.stderr, flush=True)

    from nenaudit.cohort import FILES
    from nenaudit.outputs import Outputs

    with Outputs() as outs:  # checked (and marked) before the generation
        target = outs.dir(
            args.out, verb="synth", names=FILES, force=args.force, inputs=(args.study,)
        )
        cohort = generate(study, seed, progress=say, budget=budget)
        out = write_cohort(cohort, target)
    s = _summary(cohort.manifest)
    s["out"] = str(out)
    s["files"] = {k: v["bytes"] for k, v in cohort.manifest["files"].items()}
    if args.json:
        print(dumps_json(s, indent=1, ensure_ascii=False))
        return 0
    print(f"synthetic cohort of {s['study']} (seed {seed}) written to {out}")
    print(f"published counts reproduced: {s['counts_reproduced']} of {s['counts_published']}")
    for d in s["deviations"]:
        print(
            f"  infeasible: {d['table']}, {d['variable']}, {d['level']}, {d['group']}: published {d['published']}, "
            f"allocated {d['allocated']}"
        )
    for x in s["structural"]:
        print(f"  infeasible: {x}")
    for m in s["continuous_misses"]:
        print(
            f"  continuous summary missed: {m['target']} published {m['published']}, off by "
            f"{m.get('miss_beyond_rounding')} beyond the printed rounding"
        )
    if s["faithful"] is not None:
        req = [t for t in s["targets"] if t["required"]]
        print(
            f"the paper's pipeline on this cohort: {sum(t['met'] for t in req)} of {len(req)} required model "
            "targets met; "
            + (
                "faithful (every required target group met)"
                if s["faithful"]
                else "NOT faithful: missed " + ", ".join(s["missed_targets"])
            )
        )
        for t in s["targets"]:
            if t["target"].startswith(("auc/", "lasso/n_selected", "final_model")):
                print(
                    f"  {t['target']}: {t['achieved']} (published {t['published']}, {t['tolerance']})"
                )
        pipe = (s["unprinted"] or {}).get("pipeline")
        if pipe:
            print(
                f"  whole-pipeline optimism-corrected AUC {pipe['corrected_auc']} (optimism {pipe['optimism']})"
            )
    if s["radiomics"]:
        r = s["radiomics"]
        print(
            f"features: {r['n_features']}; ICC filter keeps {r['n_icc_pass']}, Spearman filter keeps "
            f"{r['n_after_spearman']} ({r['n_resegmented']} re-segmented lesions)"
        )
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "synth", help="generate a synthetic cohort that reproduces the published tables"
    )
    a.add_argument(
        "--study",
        metavar="PATH",
        default=None,
        help="study spec JSON (default: the embedded feng2025)",
    )
    a.add_argument(
        "--seed",
        metavar="N",
        type=options.seed,
        default=None,
        help="random seed (default: 20250611)",
    )
    a.add_argument(
        "--out",
        metavar="DIR",
        default="cohort",
        help="output directory (default: ./cohort); the files are staged and moved into place; an "
        "existing non-empty directory not made by nenaudit is refused unless --force",
    )
    a.add_argument(
        "--force",
        action="store_true",
        help="write into an existing directory that nenaudit did not make (its files are kept)",
    )
    a.add_argument(
        "--budget",
        metavar="A,B,C[,BOOT[,RETRIES]]",
        default=None,
        help="sizes of the searches: stage A moves per variable, stage B feature draws, stage C swaps, "
        "resamples per validation scheme of the evaluation, and stage C retries when the evaluation "
        "misses a target that stage C can move (default 4000,24,2500,50,1; smaller is faster and "
        "may miss targets)",
    )
    a.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    a.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    a.set_defaults(func=run)
