"""Radiomics checks: the reported feature counts against what pyradiomics extracts, and each
feature name of the signature against pyradiomics' classes and 3-D wavelet decompositions."""

from __future__ import annotations

import math
from typing import Any

from nenaudit.audit.findings import RECOMPUTED, Finding, compared, fmt
from nenaudit.radiomics.catalogue import load_catalogue
from nenaudit.study.schema import MedianIQR, Study

__all__ = [
    "check_feature_counts",
    "check_feature_names",
    "check_list_vs_formula",
    "check_radscore_centering",
]


def _rad(study: Study) -> dict[str, Any]:
    return dict(study.radiomics or {})


def _image_types(rad: dict[str, Any]) -> list[str]:
    it = rad.get("image_types")
    if isinstance(it, dict):
        it = it.get("value")
    return list(it or ["original", "wavelet"])


def check_feature_counts(study: Study) -> list[Finding]:
    """Per-class counts, the wavelet count and the total against a default pyradiomics extraction.

    pyradiomics (van Griethuysen et al., Cancer Res 2017) computes the shape class on the
    original image only; every other enabled class is computed on the original image and on
    each of the 8 level-1 decompositions of the 3-D wavelet filter.
    """
    rad = _rad(study)
    cc = rad.get("class_counts")
    if not cc:
        return []
    cat = load_catalogue()
    types = _image_types(rad)
    expected = cat.expected_counts(types)
    where = cc.get("where", "radiomics.class_counts")
    out = []
    orig = cc.get("original") or {}
    exp_orig = cat.expected_counts("original").by_class
    for cls, n in orig.items():
        e = exp_orig.get(cls)
        out.append(
            Finding(
                id=f"radiomics.class_count:original:{cls}",
                check="radiomics",
                where=where,
                claim=f"{cls} features on the original image",
                published=n,
                recomputed=e,
                verdict="consistent" if e == n else "inconsistent",
                compared=compared(
                    ("printed count", n, where), ("pyradiomics' default count", e, RECOMPUTED)
                ),
                detail=(
                    f"pyradiomics extracts {e} default {cls} features"
                    if e is not None
                    else f"{cls!r} is not a feature class of a default 3-D extraction"
                ),
            )
        )
    missing = sorted(set(exp_orig) - set(orig))
    if orig and missing:
        out.append(
            Finding(
                id="radiomics.class_count:original:missing",
                check="radiomics",
                where=where,
                claim="every default feature class is reported",
                published=sorted(orig),
                recomputed=sorted(exp_orig),
                verdict="note",
                detail=f"classes extracted by default but not reported: {', '.join(missing)}",
            )
        )
    for family in ("wavelet",):
        if family in cc and family in expected.by_image_type:
            n, e = cc[family], expected.by_image_type[family]
            per = len(cat.wavelet_decompositions)
            out.append(
                Finding(
                    id=f"radiomics.class_count:{family}",
                    check="radiomics",
                    where=where,
                    claim=f"{family} features",
                    published=n,
                    recomputed=e,
                    verdict="consistent" if n == e else "inconsistent",
                    compared=compared(
                        ("printed count", n, where), ("pyradiomics' default count", e, RECOMPUTED)
                    ),
                    detail=(
                        f"{per} decompositions x {e // per} non-shape features = {e}"
                        + (
                            ""
                            if n == e
                            else f"; {n} is not a whole number of decompositions"
                            if n % max(e // per, 1)
                            else ""
                        )
                    ),
                )
            )
    stated_total = rad.get("n_features")
    parts = sum(orig.values()) + sum(v for k, v in cc.items() if isinstance(v, int))
    if stated_total is not None:
        total = int(stated_total["value"] if isinstance(stated_total, dict) else stated_total)
        twhere = stated_total.get("where", where) if isinstance(stated_total, dict) else where
        ok = total == expected.total
        out.append(
            Finding(
                id="radiomics.total",
                check="radiomics",
                where=twhere,
                claim=f"{total} features extracted with image types {', '.join(types)}",
                published=total,
                recomputed=expected.total,
                verdict="consistent" if ok else "inconsistent",
                compared=compared(
                    ("printed total", total, twhere),
                    ("pyradiomics' default total", expected.total, RECOMPUTED),
                ),
                detail=f"a default extraction on {', '.join(types)} yields {expected.total} features",
            )
        )
        out.append(
            Finding(
                id="radiomics.total:sum_of_classes",
                check="radiomics",
                where=f"{twhere}; {where}",
                claim="class counts add up to the total",
                published=total,
                recomputed=parts,
                verdict="consistent" if parts == total else "inconsistent",
                compared=compared(
                    ("printed total", total, twhere),
                    ("sum of the printed class counts", parts, RECOMPUTED),
                ),
                detail=f"the reported class counts sum to {parts}",
            )
        )
    return out


def _name_finding(fid: str, where: str, name: str, cat) -> Finding:
    p = cat.parse_published_name(name)
    codes = set(p.problem_codes)
    if p.key is not None and not codes:
        verdict, detail = "consistent", f"pyradiomics key {p.key}"
    elif p.key is not None or codes <= {"ambiguous_class", "feature_case"}:
        verdict = "note"
        detail = "; ".join(x.detail for x in p.problems) + (f" (read as {p.key})" if p.key else "")
    else:
        verdict = "inconsistent"
        detail = "; ".join(x.detail for x in p.problems)
        if p.classes:
            detail += (
                f"; the feature itself exists ({'/'.join(p.classes)}), "
                "the image it was computed on cannot be identified"
            )
    return Finding(
        id=fid,
        check="radiomics",
        where=where,
        claim=f"{name!r} is a feature of the stated extraction",
        published=name,
        recomputed=p.key or list(p.problem_codes),
        verdict=verdict,
        detail=detail,
        compared=compared(
            ("printed name", name, where), ("pyradiomics key parsed from it", p.key, RECOMPUTED)
        ),
    )


def check_feature_names(study: Study) -> list[Finding]:
    """Each name of the Radscore formula and of the text's feature list parsed against the catalogue."""
    rad = _rad(study)
    cat = load_catalogue()
    out = []
    rs = rad.get("radscore") or {}
    for i, term in enumerate(rs.get("terms", [])):
        out.append(
            _name_finding(
                f"radiomics.name:radscore[{i}]", rs.get("where", "radscore"), term["feature"], cat
            )
        )
    listed = rad.get("selected_features_text") or {}
    for i, name in enumerate(listed.get("names", [])):
        out.append(
            _name_finding(f"radiomics.name:text[{i}]", listed.get("where", "text"), name, cat)
        )
    return out


def check_list_vs_formula(study: Study) -> list[Finding]:
    """The features listed in the text and the terms of the formula are the same names."""
    rad = _rad(study)
    rs, listed = rad.get("radscore") or {}, rad.get("selected_features_text") or {}
    if not rs.get("terms") or not listed.get("names"):
        return []
    a = [t["feature"] for t in rs["terms"]]
    b = list(listed["names"])
    only_a = [x for x in a if x not in b]
    only_b = [x for x in b if x not in a]
    ok = not only_a and not only_b and len(a) == len(b)
    detail = f"{len(a)} formula terms, {len(b)} listed names"
    if not ok:
        detail += (
            "; spelled differently: "
            + "; ".join(f"formula {x!r}" for x in only_a)
            + ("; " if only_a and only_b else "")
            + "; ".join(f"text {x!r}" for x in only_b)
        )
    return [
        Finding(
            id="radiomics.list_vs_formula",
            check="radiomics",
            where=f"{rs.get('where')}; {listed.get('where')}",
            claim="the listed features are the formula's terms",
            published=b,
            recomputed=a,
            verdict="consistent" if ok else "inconsistent",
            detail=detail,
            compared=compared(
                ("listed names", b, listed.get("where") or "text"),
                ("formula terms", a, rs.get("where") or "formula"),
            ),
        )
    ]


def check_radscore_centering(study: Study) -> list[Finding]:
    """A Radscore without intercept on z-scored features has mean 0 over the standardization sample.

    With every feature standardized to mean 0 on the cohort, any linear combination without an
    intercept averages 0 over that cohort. If at least 75% of each outcome group lies above its
    first quartile, the remaining lesions must average at most minus the weighted sum of those
    quartiles times 3 for the overall mean to be 0; a large required negative tail means the printed
    formula omits an intercept (or the features were standardized elsewhere).
    """
    rad = _rad(study)
    rs = rad.get("radscore") or {}
    if not rs.get("terms") or rs.get("intercept") is not None or not rs.get("summary_row"):
        return []
    tid, _, var = rs["summary_row"].partition("/")
    table = next((t for t in study.tables if t.id == tid), None)
    row = table.row(var) if table is not None else None
    if row is None or row.kind != "median_iqr":
        return [
            Finding(
                id="radiomics.radscore_centering",
                check="radiomics",
                where=rs.get("where", "radscore"),
                claim="the Radscore formula reproduces its summary row",
                published=rs.get("summary_row"),
                recomputed=None,
                verdict="not-reproducible",
                detail="no median [IQR] summary row to compare with",
            )
        ]
    total, upper, kept = 0, 0.0, 0
    parts = []
    for g in table.groups:
        m = row.cells.get(g.id)
        if not isinstance(m, MedianIQR):
            continue
        k = math.ceil(0.75 * g.n)
        upper += k * m.q1.value
        kept += k
        total += g.n
        parts.append(f"{g.label}: n={g.n}, Q1={m.q1.raw}")
    if total == 0:
        return []
    rest = total - kept
    need = -upper / rest if rest else -math.inf
    verdict = "note" if upper > 0 else "consistent"
    return [
        Finding(
            id="radiomics.radscore_centering",
            check="radiomics",
            where=f"{rs.get('where')}; {rs['summary_row']}",
            claim="a Radscore without intercept on z-scored features averages 0",
            published={g: f"{c.median.raw} [{c.q1.raw}, {c.q3.raw}]" for g, c in row.cells.items()},
            recomputed=fmt(need),
            verdict=verdict,
            compared=compared(
                (
                    "printed first quartiles",
                    [c.q1.raw for c in row.cells.values()],
                    rs["summary_row"],
                ),
                ("mean the lowest quarter would need", need, RECOMPUTED),
            ),
            detail=(
                f"the formula has no intercept ({'; '.join(parts)}): for a mean of 0 the lowest {rest} of {total} "
                f"lesions would have to average <= {need:.2f}; the printed formula most likely omits the LASSO "
                "intercept, so Radscore values cannot be recomputed from it"
            ),
        )
    ]


CHECKS = (
    check_feature_counts,
    check_feature_names,
    check_list_vs_formula,
    check_radscore_centering,
)
