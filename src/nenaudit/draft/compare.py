"""Compare a hand-written spec with a draft, item by item: table cells and p-values, regression estimates,
AUCs, accuracies and stated counts (``nenaudit draft --check``, and the drafter's own tests)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from nenaudit.study.schema import label_key, table_label

__all__ = ["items", "compare", "Difference"]


def _norm(v) -> str:
    return re.sub(r"\s+", " ", str(v)).strip()


def _table_name(t: dict) -> str:
    """``Table N`` from the title, else from an id that starts with it (``table1_sample``), else the title."""
    name = table_label(t.get("title", ""), t.get("id", ""))
    if not re.match(r"(?i)table\s", name):
        m = re.match(r"(?i)table_?(\d+[a-z]?)(?:_|$)", t.get("id", ""))
        if m:
            name = f"Table {m.group(1)}"
    return name.lower().rstrip(".:")


def _table_key(t: dict, cohort) -> str:
    return f"{_table_name(t)}|{cohort(t.get('cohort'))}"


def _cohort_key(single: bool):
    """A cohort as compared: its id, or nothing when the hand-written spec declares at most one cohort (a single
    cohort's id is the writer's name for the whole study, not a distinction the paper prints)."""
    return lambda c: "" if single or not c else c


def items(spec: dict, single_cohort: bool | None = None) -> dict[str, str]:
    """Every comparable printed item of a spec, keyed by where it is: ``table n|/colour/blue/n=40`` -> ``12 (30.0)``.

    Groups are keyed by their size n (by position when two share an n): ids and the order of columns differ
    between writers; labels by :func:`label_key`."""
    out: dict[str, str] = {}
    if single_cohort is None:
        single_cohort = len(spec.get("cohorts") or []) <= 1
    cohort = _cohort_key(single_cohort)
    for t in spec.get("tables") or []:
        tk = _table_key(t, cohort)
        for r in t.get("rows", []):
            rk = f"{tk}/{label_key(r['variable'])}"
            if "p" in r:
                out[f"{rk}/p"] = _norm(r["p"])
            groups = t.get("groups", [])
            ns = [g.get("n") for g in groups]
            by_n = len(set(ns)) == len(
                ns
            )  # a group is known by its size (writers name and order groups differently)
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
    regs = spec.get("regression")
    regs = regs if isinstance(regs, list) else [regs] if regs else []
    for k, reg in enumerate(regs):  # several models: each known by its place in the paper's order
        for r in reg.get("rows", []):
            rk = f"regression{f'[{k + 1}]' if len(regs) > 1 else ''}/{label_key(r['variable'])}"
            parts = [(rk, r)] + [
                (f"{rk}/{label_key(lv['level'])}", lv) for lv in r.get("levels", [])
            ]
            for key, x in parts:
                if x.get("reference"):
                    out[f"{key}/reference"] = "reference"
                for col in ("univariable", "multivariable"):
                    if isinstance(x.get(col), dict):
                        out[f"{key}/{col}"] = (
                            _norm(x[col].get("estimate_ci", ""))
                            + " p="
                            + _norm(x[col].get("p", "-"))
                        )
    for kind, rows, fields in (
        ("auc", spec.get("auc") or [], ("estimate", "ci")),
        ("accuracy", spec.get("diagnostic_accuracy") or [], ("sensitivity", "specificity")),
        ("count", spec.get("stated_counts") or [], ("quantity", "value", "cohort")),
    ):
        seen: Counter = Counter()
        for a in rows:
            val = tuple(
                _quantity(a.get(f) or "")
                if f == "quantity"
                else cohort(a.get(f))
                if f == "cohort"
                else _norm(a.get(f) or "")
                for f in fields
            )
            if kind == "auc":
                val = (val[0], re.sub(r"\s*(–|—|-|to)\s*", "–", val[1]))
            seen[val] += 1
            out[f"{kind}/{'/'.join(val)}#{seen[val]}"] = "present"
    return out


_SYNONYMS = (
    (r"^(nodules?|tumou?rs?|metastases|masses|lesions?|nodes?)", "lesions"),
    (
        r"^(participants?|subjects?|cases|individuals|patients?|children|child|women|men)",
        "patients",
    ),
)


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
    single = len(gold.get("cohorts") or []) <= 1
    g = items(gold, single)
    d = items(draft, single) if single else _best_cohort_naming(g, draft)
    same = sum(1 for k, v in g.items() if d.get(k) == v)
    diffs = [(k, v, d.get(k)) for k, v in g.items() if d.get(k) != v]
    diffs += [(k, None, v) for k, v in d.items() if k not in g]
    return same, len(g), diffs


_COHORT_FIELDS = (
    "tables",
    "auc",
    "stated_counts",
    "diagnostic_accuracy",
    "calibration",
    "regression",
)


def _cohorts_used(spec: dict) -> list:
    seen = []
    for f in _COHORT_FIELDS:
        xs = spec.get(f) or []
        for x in xs if isinstance(xs, list) else [xs]:
            if isinstance(x, dict) and x.get("cohort") not in seen:
                seen.append(x.get("cohort"))
    return seen


def _renamed(spec: dict, mapping: dict) -> dict:
    out = dict(spec)
    for f in _COHORT_FIELDS:
        xs = spec.get(f)
        if isinstance(xs, list):
            out[f] = [
                dict(x, cohort=mapping.get(x.get("cohort"))) if isinstance(x, dict) else x
                for x in xs
            ]
        elif isinstance(xs, dict):
            out[f] = dict(xs, cohort=mapping.get(xs.get("cohort")))
    return out


def _best_cohort_naming(gold_items: dict, draft: dict, limit: int = 4096) -> dict:
    """The draft's items under the naming of its cohorts that agrees best with the hand-written spec.

    Cohort ids are the writer's names (``training``, ``primary``, ``pilot``), as group ids are: each cohort
    the draft uses (or its items without a cohort) is mapped to one of the hand-written spec's cohort ids,
    or left without one, whichever makes the most items identical. The search is exhaustive while the
    number of namings stays under ``limit``; beyond it, the draft's own ids are kept."""
    gold_ids = sorted({k.split("|", 1)[1].split("/", 1)[0] for k in gold_items if "|" in k} - {""})
    gold_ids += [c for c in _gold_count_cohorts(gold_items) if c not in gold_ids]
    used = _cohorts_used(draft)
    choices = [None] + gold_ids
    best, best_same = items(draft, False), -1
    if not used or len(choices) ** len(used) > limit:
        return best
    for combo in itertools.product(choices, repeat=len(used)):
        d = items(_renamed(draft, dict(zip(used, combo))), False)
        same = sum(1 for k, v in gold_items.items() if d.get(k) == v)
        if same > best_same:
            best, best_same = d, same
    return best


def _gold_count_cohorts(gold_items: dict) -> list:
    """Cohort ids that the hand-written spec's stated counts name (the last field of a count item)."""
    out = []
    for k in gold_items:
        if k.startswith("count/"):
            c = k[len("count/") :].rsplit("#", 1)[0].split("/")[-1]
            if c and c not in out:
                out.append(c)
    return out
