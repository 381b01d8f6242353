"""Distribution over seeds of what synthetic cohorts give back (achieved vs published).

Usage: ``.venv/bin/python benchmarks/synth_seeds.py [--first 1] [--n 40] [--out synthetic/seed_distribution.json]``

Seeds ``first .. first + n - 1`` (a plain range, no seed is chosen or dropped); each cohort is
generated exactly as ``nenaudit synth --seed N`` does, and its manifest's achieved values are
collected. The output JSON holds, per quantity, the published value, quantiles over the seeds and
the per-seed values, so the default cohort's numbers can be read against the spread the generator
produces. Also records the generation time per cohort (median, this machine; not a claim).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np


def collect(seed: int) -> dict[str, float | None]:
    from nenaudit.synth import generate

    c = generate(None, seed)
    m = c.manifest
    a = m["achieved"]
    row: dict[str, float | None] = {
        "counts_reproduced": a["counts_reproduced"],
        "counts_published": a["counts_published"],
        "allocation_total_deviation": m["allocation"]["total_deviation"],
        "continuous_misses": len(m["continuous_misses"]),
        "summaries_within_rounding": sum(bool(s["ok"]) for s in a["summaries"]),
        "summaries_published": len(a["summaries"]),
    }
    for p in a["p_values"]:
        row[f"p/{p['table']}/{p['variable']}"] = p["achieved"]
    reg = a["regression"]
    for u in reg["univariable"]:
        row[f"OR univariable/{u['variable']}"] = u["or"]
    for u in reg["multivariable"]:
        row[f"OR multivariable/{u['variable']}"] = u["or"]
    for x in reg["auc"]:
        row[f"AUC/{x['model']}"] = x["achieved"]
    r = a.get("radiomics") or {}
    for k in ("n_icc_pass", "n_after_spearman", "signature_after_filters", "published_formula_correlation"):
        row[f"radiomics/{k}"] = r.get(k)
    f = a.get("refit") or {}  # the paper's pipeline re-run on the raw features (synth.evaluate.refit)
    row["refit/ok"] = 1.0 if f.get("ok") else 0.0
    for k in ("n_selected", "signature_selected", "lambda_min", "radscore_auc", "fusion_auc"):
        row[f"refit/{k}"] = f.get(k)
    row["refit/n_final_terms"] = len(f["final_terms"]) if f.get("ok") else None
    row["_final_terms"] = " + ".join(f["final_terms"]) if f.get("ok") else f"failed: {f.get('failure')}"
    return row


def published_values() -> dict[str, str]:
    from nenaudit.study.schema import load

    s = load(None)
    out = {}
    for t in s.tables:
        for r in t.rows:
            if r.p is not None:
                out[f"p/{t.id}/{r.variable}"] = r.p.raw
    for r in s.regression.rows:
        if r.univariable:
            out[f"OR univariable/{r.variable}"] = r.univariable.raw
        if r.multivariable:
            out[f"OR multivariable/{r.variable}"] = r.multivariable.raw
    for a in s.auc:
        if a.kind == "apparent":
            out[f"AUC/{a.model}"] = a.estimate.raw
    out["radiomics/n_after_spearman"] = str(s.radiomics["n_after_filters"]["value"])
    out["refit/n_selected"] = str(len(s.radiomics["radscore"]["terms"]))
    out["refit/radscore_auc"] = next(a.estimate.raw for a in s.auc if (a.model, a.kind) == ("radscore", "apparent"))
    out["refit/fusion_auc"] = next(a.estimate.raw for a in s.auc if (a.model, a.kind) == ("fusion", "apparent"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--out", default="synthetic/seed_distribution.json")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rows, times = [], []
    for seed in range(args.first, args.first + args.n):
        t0 = time.perf_counter()
        rows.append(collect(seed))
        times.append(time.perf_counter() - t0)
    pub = published_values()
    terms = [r.pop("_final_terms") for r in rows]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    dist = {}
    for k in keys:
        vals = np.array([np.nan if r.get(k) is None else float(r[k]) for r in rows])
        ok = vals[np.isfinite(vals)]
        q = np.quantile(ok, [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]) if ok.size else [None] * 7
        dist[k] = {
            "published": pub.get(k),
            "quantiles": dict(zip(("min", "q05", "q25", "median", "q75", "q95", "max"),
                                  [None if v is None else float(f"{v:.4g}") for v in q])),
            "values": [None if not np.isfinite(v) else float(f"{v:.4g}") for v in vals],
        }
    from nenaudit import __version__
    from nenaudit.synth import realize

    out = {
        "what": "achieved values of synthetic feng2025 cohorts over a plain range of seeds (see benchmarks/synth_seeds.py)",
        "nenaudit_version": __version__,
        "generator_version": realize.GENERATOR_VERSION,
        "seeds": [args.first, args.first + args.n - 1],
        "median_seconds_per_cohort": float(f"{np.median(times):.3g}"),
        "quantities": dist,
        "refit_final_terms": {t: terms.count(t) for t in sorted(set(terms), key=lambda t: -terms.count(t))},
        "refit_final_terms_per_seed": terms,
    }
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.n} seeds, median {np.median(times):.2f} s per cohort -> {args.out}")
    for k, v in dist.items():
        qq = v["quantiles"]
        print(f"{k:60s} published {v['published'] or '-':>22s}  median {qq['median']}  [{qq['q05']}, {qq['q95']}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
