"""Diagnostic accuracy at a cut-off and calibration statistics, as printed (spec version 2)."""

from __future__ import annotations

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.audit.units import binary_split, counts_for
from nenaudit.exceptions import NenauditError
from nenaudit.stats.diagnostic import (
    MAX_SEARCH_N,
    accuracy_measures,
    feasible_confusions,
    proportion_grim,
)
from nenaudit.stats.summary_tests import chisq_p
from nenaudit.study.schema import Diagnostic, Study

__all__ = ["check_diagnostic_accuracy", "check_calibration"]

CHECK = "diagnostic accuracy and calibration"
LABEL = {
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "accuracy": "accuracy",
    "ppv": "PPV",
    "npv": "NPV",
}


def _fmt(d: Diagnostic) -> str:
    unit = "%" if d.scale == 100 else ""
    return ", ".join(f"{LABEL[m]} {p.raw}{unit}" for m, p in d.measures.items())


def _splits(study: Study, d: Diagnostic) -> tuple[list[tuple[int, int]], str]:
    """Candidate (positives, negatives): the entry's own, else its cohort's outcome counts (either group positive)."""
    if d.n_positive is not None and d.n_negative is not None:
        return [(d.n_positive, d.n_negative)], "the spec's n_positive/n_negative"
    units = counts_for(study, d.cohort)
    if units:
        u = units[0]
        split = binary_split(
            u, d.event_groups, d.reference_groups, "this diagnostic_accuracy entry"
        )
        if isinstance(split, str):
            return [], split
        a, b = split
        if d.event_groups:
            return [
                (a, b)
            ], f"outcome counts of {u.where} ({a} positive, {b} negative {u.unit}s as named)"
        where = (
            f"outcome counts of {u.where} ({a} and {b} {u.unit}s; either group taken as positive)"
        )
        return ([(a, b), (b, a)] if a != b else [(a, b)]), where
    return [], ""


def _smallest_denominators(
    value: float, decimals: int, scale: float, upto: int = 500, k: int = 4
) -> list[str]:
    out = []
    for n in range(1, upto + 1):
        hits = proportion_grim(value, decimals, n, scale)
        if hits:
            out.append(f"{hits[0]}/{n}")
            if len(out) >= k:
                break
    return out


def check_diagnostic_accuracy(study: Study) -> list[Finding]:
    """Sensitivity, specificity, accuracy, PPV and NPV at a cut-off.

    With the four counts they are recomputed; with the numbers of positives and negatives
    (given, or the cohort's outcome counts) every (TP, TN) is searched for one that gives all
    printed values at once (GRIM for proportions, jointly); without either the finding is
    not-reproducible and names the smallest denominators each printed proportion allows.
    """
    out = []
    for i, d in enumerate(study.diagnostics):
        fid = f"diagnostic:{d.model}:{i}"
        coh = "" if d.cohort is None else f" in the {study.cohort_label(d.cohort)}"
        claim = f"{d.model}{coh}" + (f" at cut-off {d.cutoff}" if d.cutoff else "") + f": {_fmt(d)}"
        published = {m: p.raw for m, p in d.measures.items()}
        if d.counts is not None:
            am = accuracy_measures(**d.counts)
            rec = {m: getattr(am, m) for m in d.measures}
            bad = [
                m for m, p in d.measures.items() if rec[m] is None or not p.agrees(d.scale * rec[m])
            ]
            out.append(
                Finding(
                    fid,
                    CHECK,
                    d.where,
                    claim,
                    published,
                    rec,
                    "inconsistent" if bad else "consistent",
                    compared=compared(
                        ("printed measures", published, d.where),
                        (
                            "measures from TP, FP, FN, TN",
                            {m: d.scale * v if v is not None else None for m, v in rec.items()},
                            RECOMPUTED,
                        ),
                    ),
                    detail=(
                        "recomputed from TP {tp}, FP {fp}, FN {fn}, TN {tn}: ".format(**d.counts)
                        + ", ".join(
                            f"{LABEL[m]} {d.scale * rec[m]:.4g}"
                            if rec[m] is not None
                            else f"{LABEL[m]} undefined"
                            for m in d.measures
                        )
                        + (
                            ""
                            if not bad
                            else "; "
                            + ", ".join(LABEL[m] for m in bad)
                            + " do(es) not round to the printed value"
                        )
                    ),
                )
            )
            continue
        splits, source = _splits(study, d)
        printed = {m: (p.value, p.decimals or 0) for m, p in d.measures.items()}
        if not splits and source:  # more than two outcome groups and none named
            out.append(
                Finding(fid, CHECK, d.where, claim, published, None, "not-reproducible", source)
            )
            continue
        if not splits:
            denoms = "; ".join(
                f"{LABEL[m]} {p.raw} needs k/n such as "
                f"{', '.join(_smallest_denominators(p.value, p.decimals or 0, d.scale))}"
                for m, p in d.measures.items()
            )
            out.append(
                Finding(
                    fid,
                    CHECK,
                    d.where,
                    claim,
                    published,
                    None,
                    "not-reproducible",
                    "the spec gives neither the counts (TP, FP, FN, TN) nor the numbers of positives and negatives"
                    + (f" of the {study.cohort_label(d.cohort)}" if d.cohort else "")
                    + f"; feasibility alone: {denoms}",
                )
            )
            continue
        huge = [(a, b) for a, b in splits if max(a, b) > MAX_SEARCH_N]
        if huge:  # a count beyond what the search handles in time: this row is not judged, the audit goes on
            out.append(
                Finding(
                    fid,
                    CHECK,
                    d.where,
                    claim,
                    published,
                    None,
                    "not-reproducible",
                    f"{huge[0][0]} positives / {huge[0][1]} negatives ({source}): "
                    f"beyond the {MAX_SEARCH_N:,} the search "
                    "for the confusion matrix handles in reasonable time; "
                    "give the four counts (TP, FP, FN, TN) instead",
                )
            )
            continue
        sols = []
        for npos, nneg in splits:
            try:
                sols += feasible_confusions(printed, n_pos=npos, n_neg=nneg, scale=d.scale, limit=5)
            except NenauditError:  # pragma: no cover - splits always give both numbers
                continue
        tried = " or ".join(f"{a} positives / {b} negatives" for a, b in splits)
        if sols:
            s0 = sols[0]
            verdict, why = (
                "consistent",
                (
                    f"attainable with {tried} ({source}), e.g. TP {s0['tp']}, FN {s0['fn']}, "
                    f"TN {s0['tn']}, FP {s0['fp']}"
                ),
            )
        else:
            per = []
            for m, p in d.measures.items():
                ok_any = any(
                    proportion_grim(p.value, p.decimals or 0, den, d.scale)
                    for den in _denominators(m, splits)
                )
                if not ok_any:
                    per.append(f"{LABEL[m]} {p.raw} is no k/n for its denominator")
            verdict = "inconsistent"
            why = f"no 2 x 2 table with {tried} ({source}) gives all printed values" + (
                "; " + "; ".join(per) if per else "; each is attainable alone, not all together"
            )
        out.append(
            Finding(
                fid,
                CHECK,
                d.where,
                claim,
                published,
                {"feasible_counts": sols},
                verdict,
                why,
                compared(
                    ("printed measures", published, d.where),
                    (
                        f"a 2 x 2 table with {tried} giving them all",
                        sols[0] if sols else None,
                        RECOMPUTED,
                    ),
                ),
            )
        )
    return out


def _denominators(measure: str, splits) -> list[int]:
    """Possible denominators of one measure: positives (sensitivity), negatives (specificity), total (accuracy)."""
    out = []
    for npos, nneg in splits:
        if measure == "sensitivity":
            out.append(npos)
        elif measure == "specificity":
            out.append(nneg)
        elif measure == "accuracy":
            out.append(npos + nneg)
        else:  # PPV/NPV: any number of test positives/negatives up to the total
            out.extend(range(1, npos + nneg + 1))
    return [x for x in out if x > 0]


def check_calibration(study: Study) -> list[Finding]:
    """Hosmer-Lemeshow p against its chi-square and df; Brier score against the no-skill reference.

    The HL p is ``pchisq(chisq, df, lower.tail = FALSE)`` (df = groups - 2; 8 for the usual 10
    groups when the paper does not say). A Brier score above prevalence x (1 - prevalence) is
    worse than predicting the prevalence for everyone. A calibration slope or intercept needs
    the predictions and is recorded as not-reproducible.
    """
    out = []
    for i, c in enumerate(study.calibrations):
        coh = "" if c.cohort is None else f" in the {study.cohort_label(c.cohort)}"
        if (
            c.hl_chisq is not None
            and c.hl_p is not None
            and c.hl_p.value is not None
            and not c.hl_p.impossible
        ):
            df = c.hl_df if c.hl_df is not None else 8
            p = chisq_p(c.hl_chisq.value, df)
            ok = c.hl_p.agrees(p)
            other = [
                k for k in range(1, 21) if k != df and c.hl_p.agrees(chisq_p(c.hl_chisq.value, k))
            ]
            assumed = "" if c.hl_df is not None else " (df not printed: 8 assumed, 10 groups)"
            if ok:
                verdict, why = (
                    "consistent",
                    f"pchisq({c.hl_chisq.raw}, {df}, lower.tail = FALSE) = {p:.4g}{assumed}",
                )
            elif c.hl_df is None and other:
                verdict = "note"
                why = (
                    f"with 8 df the p would be {p:.4g}; "
                    f"the printed p is what {', '.join(map(str, other))} df give{assumed}"
                )
            else:
                verdict = "inconsistent"
                why = f"pchisq({c.hl_chisq.raw}, {df}, lower.tail = FALSE) = {p:.4g}, not {c.hl_p.raw}{assumed}"
            out.append(
                Finding(
                    f"calibration.hl:{c.model}:{i}",
                    CHECK,
                    c.where,
                    f"{c.model}{coh}: Hosmer-Lemeshow chi-square {c.hl_chisq.raw}, p = {c.hl_p.raw}",
                    {"chisq": c.hl_chisq.raw, "p": c.hl_p.raw},
                    {"p": p, "df": df},
                    verdict,
                    why,
                    compared(
                        ("printed p", c.hl_p.raw, c.where),
                        (f"pchisq({c.hl_chisq.raw}, {df}, lower.tail = FALSE)", p, RECOMPUTED),
                    ),
                )
            )
        elif c.hl_p is not None:
            bad = c.hl_p.impossible or c.hl_p.value is None
            out.append(
                Finding(
                    f"calibration.hl:{c.model}:{i}",
                    CHECK,
                    c.where,
                    f"{c.model}{coh}: Hosmer-Lemeshow p = {c.hl_p.raw}",
                    c.hl_p.raw,
                    None,
                    "inconsistent" if bad else "not-reproducible",
                    "the printed p-value is not a p-value"
                    if bad
                    else "no chi-square statistic is printed to recompute it from; a large HL p is absence of "
                    "evidence of miscalibration, not evidence of good calibration",
                )
            )
        if c.brier is not None:
            b = c.brier.value
            units = counts_for(study, c.cohort)
            if not 0 <= b <= 1:
                verdict, why, rec = "inconsistent", "a Brier score lies in [0, 1]", None
            elif units and isinstance(
                split := binary_split(
                    units[0], c.event_groups, c.reference_groups, "this calibration entry"
                ),
                str,
            ):
                verdict, why, rec = (
                    "not-reproducible",
                    "the no-skill Brier reference needs the prevalence: " + split,
                    None,
                )
            elif units:
                u = units[0]
                prev = split[0] / sum(split)
                ref = prev * (1 - prev)
                rec = {"no_skill_brier": ref}
                verdict = "inconsistent" if b > ref + c.brier.half_unit else "consistent"
                why = (
                    f"the no-skill Brier score at prevalence {prev:.3f} ({u.where}) is {ref:.4f}; "
                    + (
                        "the model is worse than predicting the prevalence for everyone"
                        if verdict == "inconsistent"
                        else f"scaled Brier {1 - b / ref:.3f}"
                    )
                )
            else:
                verdict, why, rec = (
                    "not-reproducible",
                    (
                        "no outcome counts for this cohort in the spec: the no-skill "
                        "reference prevalence x (1 - prevalence) is unknown"
                    ),
                    None,
                )
            out.append(
                Finding(
                    f"calibration.brier:{c.model}:{i}",
                    CHECK,
                    c.where,
                    f"{c.model}{coh}: Brier {c.brier.raw}",
                    c.brier.raw,
                    rec,
                    verdict,
                    why,
                    compared(
                        ("printed Brier score", c.brier.raw, c.where),
                        (
                            "no-skill Brier score from the outcome counts",
                            rec.get("no_skill_brier") if rec else None,
                            RECOMPUTED,
                        ),
                    ),
                )
            )
        for name, val in (("slope", c.slope), ("intercept", c.intercept)):
            if val is not None:
                out.append(
                    Finding(
                        f"calibration.{name}:{c.model}:{i}",
                        CHECK,
                        c.where,
                        f"{c.model}{coh}: calibration {name} {val.raw}",
                        val.raw,
                        None,
                        "not-reproducible",
                        f"a calibration {name} needs the predictions and outcomes of each patient",
                    )
                )
    return out


CHECKS = [check_diagnostic_accuracy, check_calibration]
