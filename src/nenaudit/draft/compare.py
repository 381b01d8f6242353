"""Compare a hand-written spec with a draft, item by item: table cells and p-values, regression estimates,
AUCs, accuracies and stated counts (``nenaudit draft --check``, and the drafter's own tests)."""

from __future__ import annotations

import re
from collections import Counter

from nenaudit.study.schema import label_key, table_label

__all__ = ["items", "compare", "Difference"]


def _norm(v) -> str:
    return re.sub(r"\s+", " ", str(v)).strip()


def _table_key(t: dict) -> str:
    return f"{table_label(t.get('title', ''), t.get('id', '')).lower().rstrip('.:')}|{t.get('cohort') or ''}"


def items(spec: dict) -> dict[str, str]:
    """Every comparable printed item of a spec, keyed by where it is: ``table n|/colour/blue/n=40`` -> ``12 (30.0)``.

    Groups are keyed by their size n (by position when two share an n): ids and the order of columns differ
    between writers; labels by :func:`label_key`."""
    out: dict[str, str] = {}
    for t in spec.get("tables") or []:
        tk = _table_key(t)
        for r in t.get("rows", []):
            rk = f"{tk}/{label_key(r['variable'])}"
            if "p" in r:
                out[f"{rk}/p"] = _norm(r["p"])
            groups = t.get("groups", [])
            ns = [g.get("n") for g in groups]
            by_n = len(set(ns)) == len(ns)  # a group is known by its size (writers name and order groups differently)
            gids = [g["id"] for g in groups]
            tags = [f"n={g.get('n')}" if by_n else f"#{k}" for k, g in enumerate(groups)]
            if r.get("kind") == "categorical":
                for lv in r.get("levels", []):
                    for tag, g in zip(tags, gids):
                        if g in lv.get("cells", {}):
                            out[f"{rk}/{label_key(lv['level'])}/{tag}"] = _norm(lv["cells"][g])
            else:
                for tag, g in zip(tags, gids):
                    if g in r.get("cells", {}):
                        out[f"{rk}/{tag}"] = _norm(r["cells"][g])
    reg = spec.get("regression")
    for reg in (reg if isinstance(reg, list) else [reg] if reg else []):
        for r in reg.get("rows", []):
            rk = f"regression/{label_key(r['variable'])}"
            parts = [(rk, r)] + [(f"{rk}/{label_key(lv['level'])}", lv) for lv in r.get("levels", [])]
            for key, x in parts:
                if x.get("reference"):
                    out[f"{key}/reference"] = "reference"
                for col in ("univariable", "multivariable"):
                    if isinstance(x.get(col), dict):
                        out[f"{key}/{col}"] = _norm(x[col].get("estimate_ci", "")) + " p=" + _norm(x[col].get("p", "-"))
    for kind, rows, fields in (("auc", spec.get("auc") or [], ("estimate", "ci")),
                               ("accuracy", spec.get("diagnostic_accuracy") or [], ("sensitivity", "specificity")),
                               ("count", spec.get("stated_counts") or [], ("quantity", "value", "cohort"))):
        seen: Counter = Counter()
        for a in rows:
            val = tuple(_norm(a.get(f) or "") if f != "quantity" else _quantity(a.get(f) or "") for f in fields)
            if kind == "auc":
                val = (val[0], re.sub(r"\s*(–|—|-|to)\s*", "–", val[1]))
            seen[val] += 1
            out[f"{kind}/{'/'.join(val)}#{seen[val]}"] = "present"
    return out


_SYNONYMS = ((r"^(nodules?|tumou?rs?|metastases|masses|lesions?|nodes?)", "lesions"),
             (r"^(participants?|subjects?|cases|individuals|patients?)", "patients"))


def _quantity(q: str) -> str:
    """A count's kind, writer-independent: its unit (``nodules`` and ``lesions`` are one) and whether it counts a
    group (``lesions_malignant``, ``patients_n1``: writers name groups differently) or all of a cohort."""
    s = q.lower()
    for rx, unit in _SYNONYMS:
        s = re.sub(rx, unit, s)
    unit, _, group = s.partition("_")
    return re.sub(r"[^a-z0-9]", "", unit) + ("-group" if group else "")


class Difference(tuple):
    """(key, hand-written value or None, drafted value or None)."""


def compare(gold: dict, draft: dict) -> tuple[int, int, list[tuple[str, str | None, str | None]]]:
    """``(same, total, differences)``: how many of the gold spec's items the draft has identically, of how many,
    and every difference in both directions."""
    g, d = items(gold), items(draft)
    same = sum(1 for k, v in g.items() if d.get(k) == v)
    diffs = [(k, v, d.get(k)) for k, v in g.items() if d.get(k) != v]
    diffs += [(k, None, v) for k, v in d.items() if k not in g]
    return same, len(g), diffs
