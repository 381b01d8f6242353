"""Draft a study spec (version 2) from a paper's own text: ``nenaudit draft PAPER``.

Readers (:mod:`.readers`) turn plain text, HTML or JATS XML into paragraphs and tables; the table
recognisers (:mod:`.tables`) and the running-text recognisers (:mod:`.text`) draft the spec's items,
every number copied as printed, each with ``where``; what was guessed goes into ``_review``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

from nenaudit.draft import text as tx
from nenaudit.draft.cells import group_n
from nenaudit.draft.document import Document
from nenaudit.draft.readers import read_paper
from nenaudit.draft.tables import COHORT_WORDS, cohort_id, interpret_table, slug
from nenaudit.exceptions import SpecError
from nenaudit.study.schema import validate

__all__ = ["draft_paper", "draft_document"]


def draft_paper(path: str | Path) -> dict:
    """Read the paper at ``path`` and draft its spec (a dict that :func:`nenaudit.study.schema.validate` accepts)."""
    doc = read_paper(path)
    data = Path(path).read_bytes()
    spec = draft_document(doc, Path(path).stem, str(path))
    spec["_drafted"]["sha256"] = hashlib.sha256(data).hexdigest()
    return spec


def _cohort_finder(cohorts: dict):
    def find(s: str):
        m = COHORT_WORDS.search(s)
        if not m:
            return None
        label = m.group(0)
        cid = cohort_id(label)  # the paper's own word
        cohorts.setdefault(cid, {"id": cid, "label": label.lower(), "where": ""})
        return cid, ("training" if cid in ("training", "primary") else cid)

    return find


def draft_document(doc: Document, stem: str, source: str) -> dict:
    """Draft the spec of a read paper (``stem`` names it, ``source`` says where it came from); validated."""
    review: list[dict] = []
    cohorts: dict = {}
    cohort_of = _cohort_finder(cohorts)
    paras = doc.paragraphs
    spec: dict = {
        "spec_version": 2,
        "_drafted": {
            "by": "nenaudit draft",
            "source": source,
            "format": doc.kind,
            "note": "drafted by machine: every number is copied as printed; confirm the _review items",
        },
        "study": {"id": slug(stem)[:60] or "paper", "citation": (doc.title or stem)[:300]},
    }
    # tables
    tables, regressions, table_aucs, table_diags = [], [], [], []
    for raw in doc.tables:
        d = interpret_table(raw, {})
        tables.extend(d.tables)
        table_aucs.extend(d.aucs)
        table_diags.extend(d.diagnostics)
        if isinstance(d.regression, list):
            regressions.extend(d.regression)
        elif d.regression is not None:
            regressions.append(d.regression)
        review.extend(d.review)
    if not doc.tables:
        review.append(
            {
                "item": "tables",
                "what": "no table was found",
                "why": "no 'Table N' caption followed by tab-, pipe- or space-aligned lines "
                "(or no <table>/<table-wrap>)",
            }
        )
    for t in tables:
        lab = t.pop("cohort_label", None)
        if lab:
            c = cohort_of(lab)
            if c:
                t["cohort"] = c[0]
                cohorts[c[0]].setdefault("where", "")
                cohorts[c[0]]["where"] = cohorts[c[0]]["where"] or t["where"] + " header"
    # outcome groups: the groups of comparison tables (two or more groups and a p column)
    group_ids: list[str] = []
    outcome: dict = {}
    for t in tables:
        if len(t["groups"]) >= 2 and any(r.get("p") is not None for r in t["rows"]):
            cohort_cols = [g for g in t["groups"] if COHORT_WORDS.search(g["label"])]
            # the table compares cohorts (training vs validation), not outcome groups
            if len(cohort_cols) >= 2:
                for g in cohort_cols:
                    c = cohort_of(g["label"])
                    if c:
                        g["_cohort"] = c[0]
                for g in t["groups"]:
                    if g not in cohort_cols and re.match(
                        r"(?i)\s*(all|total|overall)\b", g["label"]
                    ):
                        g["_cohort"] = "*"  # all cohorts together
                continue
            for g in t["groups"]:
                if re.fullmatch(r"(?i)total|all|overall|all_\w+", g["id"]):
                    continue
                g["outcome_group"] = g["id"]
                outcome.setdefault(
                    g["id"],
                    re.sub(r"\s*[(\[]?\s*\b[nN]\s*=\s*[\d,]+\s*[)\]]?", "", g["label"]).strip(),
                )
                if g["id"] not in group_ids:
                    group_ids.append(g["id"])
    if outcome:
        spec["outcome"] = {
            "description": " vs ".join(outcome.values()),
            "where": "comparison table headers",
            "groups": outcome,
        }
        review.append(
            {
                "item": "outcome",
                "what": "outcome groups: " + ", ".join(outcome),
                "why": "read from the group columns of the comparison table(s); confirm which group is the event",
            }
        )
    words = [w for gid in group_ids for w in [gid.split("_")[0]]]
    aliases = tx.find_group_aliases(
        paras, group_ids
    )  # 'responders (AB + CD)': the group's definition
    for gid, (alias, where) in aliases.items():
        if "outcome" in spec and gid in spec["outcome"]["groups"]:
            spec["outcome"]["groups"][gid] = alias
            spec["outcome"]["where"] = where
    counts = tx.find_counts(paras, list(dict.fromkeys(words)), cohort_of)
    counts += tx.find_alias_counts(paras, {g: a for g, (a, _) in aliases.items()}, cohort_of)
    # remap first-word group names to the group ids
    for c in counts:
        unit, _, g = c["quantity"].partition("_")
        if g:
            full = next((gid for gid in group_ids if gid.split("_")[0] == g), g)
            c["quantity"] = f"{unit}_{full}"
    stated = {(c["quantity"], c["value"]) for c in counts}
    for t in tables:  # the unit: the text's lesion count or patient count the groups sum to
        tot = sum(g["n"] for g in t["groups"] if g.get("outcome_group")) or (
            t["groups"][0]["n"] if len(t["groups"]) == 1 else 0
        )
        les = ("lesions", str(tot)) in stated
        pat = ("patients", str(tot)) in stated
        words_here = (t["title"] + " " + " ".join(g["label"] for g in t["groups"])).lower()
        if les and not pat:
            t["unit"] = "lesion"
            why = f"the group sizes sum to {tot}, the number of lesions the text states"
        elif pat:
            t["unit"] = "patient"
            why = f"the group sizes sum to {tot}, the number of patients the text states"
        elif re.search(r"\b(lesions?|nodules?|tumou?rs|metastases|nodes)\b", words_here):
            t["unit"] = "lesion"
            why = "the caption or header counts lesions"
        else:
            t["unit"] = "patient"
            why = "assumed: no lesion count matches and the caption names no lesions"
        review.append({"item": t["where"], "what": f"unit: {t['unit']}", "why": why})
        total = t.pop("_total", None)
        if total:  # the total column left out of the groups: a stated count of all of them
            counts.append(
                {
                    "quantity": f"{t['unit']}s",
                    "value": str(group_n(total)),
                    "where": f"{t['where']} header: '{total}'",
                    **({"cohort": t["cohort"]} if t.get("cohort") else {}),
                }
            )
        span = t.pop("_cohort_n", None)
        if span:  # the cohort's own n in a spanning header cell
            item = {
                "quantity": f"{t['unit']}s",
                "value": str(group_n(span)),
                "where": f"{t['where']} header: '{span}'",
            }
            if t.get("cohort"):
                item["cohort"] = t["cohort"]
            counts.append(item)
        # a row whose levels are the outcome groups' definitions
        if len(t["groups"]) == 1 and aliases:
            keys = {tx.alias_key(a): g for g, (a, _) in aliases.items()}
            gid0 = t["groups"][0]["id"]
            for r in t["rows"]:
                if r["kind"] == "categorical" and {
                    tx.alias_key(lv["level"]) for lv in r["levels"]
                } == set(keys):
                    r["outcome"] = True
                    for lv in r["levels"]:
                        lv["outcome_group"] = keys[tx.alias_key(lv["level"])]
                        m = re.match(r"\s*(\d+)", lv["cells"][gid0])
                        if m:
                            counts.append(
                                {
                                    "quantity": f"{t['unit']}s_{lv['outcome_group']}",
                                    "value": m.group(1),
                                    "where": f"{t['where']}, {r['variable']}, {lv['level']}",
                                    **({"cohort": t["cohort"]} if t.get("cohort") else {}),
                                }
                            )
                    review.append(
                        {
                            "item": f"{t['where']}, {r['variable']}",
                            "what": "the outcome row",
                            "why": "its levels are the outcome groups as the text defines them",
                        }
                    )
        for g in t["groups"]:  # the header's n as stated counts
            q = f"{t['unit']}s" + (f"_{g['outcome_group']}" if g.get("outcome_group") else "")
            gc = g.pop("_cohort", None)
            # a size the header does not print is not a stated count
            if group_n(g["label"]) is None:
                continue
            if len(t["groups"]) == 1 or g.get("outcome_group") or gc:
                item = {
                    "quantity": q,
                    "value": str(g["n"]),
                    "where": f"{t['where']} header: '{g['label']}'",
                }
                if t.get("cohort") or (gc and gc != "*"):
                    item["cohort"] = t.get("cohort") or gc
                counts.append(item)
    for item in table_aucs + table_diags:
        lab = item.pop("_cohort_label", None)
        c = cohort_of(lab) if lab else None
        if c:
            item["cohort"] = c[0]
            if item in table_aucs and c[1] != "training":
                item["kind"] = "validation"
    aucs = tx.find_aucs(paras, cohort_of) + table_aucs
    for a in aucs:
        why = a.pop("_guess_model", None)
        if why:
            review.append(
                {
                    "item": f"AUC {a['estimate']} ({a['where']})",
                    "what": f"model: {a['model']}",
                    "why": why,
                }
            )
        if a["kind"] != "apparent" or "cohort" in a:
            review.append(
                {
                    "item": f"AUC {a['estimate']} ({a['where']})",
                    "what": f"kind {a['kind']}"
                    + (f", cohort {a['cohort']}" if "cohort" in a else ""),
                    "why": "read from the sentence's words",
                }
            )
    diags = tx.find_diagnostics(paras, cohort_of) + [d for d in table_diags if len(d) > 2]
    tests = tx.find_tests(paras)
    for k, v in tests.items():
        if v.pop("_guess", False):
            review.append(
                {
                    "item": f"methods_tests.{k}",
                    "what": ", ".join(v["value"]),
                    "why": "the sentence does not say clearly which variables the test compared",
                }
            )
    design = tx.find_design(paras)
    rad = tx.find_radiomics(paras)
    # regression: the first regression table (the schema holds one); its counts table by shared variables
    if regressions:
        reg = max(
            regressions,
            key=lambda r: sum(
                1
                for x in r["rows"]
                if "multivariable" in x or any("multivariable" in lv for lv in x.get("levels", []))
            ),
        )
        names = {slug(r["variable"]) for r in reg["rows"]}
        best = max(
            (t for t in tables if any(g.get("outcome_group") for g in t["groups"])),
            key=lambda t: len(names & {slug(r["variable"]) for r in t["rows"]}),
            default=None,
        )
        if best is not None and names & {slug(r["variable"]) for r in best["rows"]}:
            reg["counts_table"] = best["id"]
            outcome_groups = [g["id"] for g in best["groups"] if g.get("outcome_group")]
            if len(outcome_groups) > 2:  # which groups make the event: a guess to confirm
                reg["event_groups"], reg["reference_groups"] = (
                    outcome_groups[1:],
                    outcome_groups[:1],
                )
                review.append(
                    {
                        "item": f"{reg['where']}, event_groups",
                        "what": f"event {', '.join(outcome_groups[1:])} against {outcome_groups[0]}",
                        "why": f"{len(outcome_groups)} outcome groups; assumed the first column is the reference "
                        "and the others together the event",
                    }
                )
            reg["unit"] = best["unit"]
            if best.get("cohort"):
                reg["cohort"] = best["cohort"]
            review.append(
                {
                    "item": reg["where"],
                    "what": f"counts table {best['id']}, unit {best['unit']}",
                    "why": "the comparison table sharing most variables with the regression table",
                }
            )
        else:
            reg["unit"] = next((t["unit"] for t in tables), "patient")
        for lab in reg.pop("_header_n", []):
            gid = re.sub(
                r"[^a-z0-9]+",
                "_",
                re.sub(r"\s*[(\[]?\s*\b[nN]\s*=\s*[\d,]+\s*[)\]]?", "", lab).lower(),
            ).strip("_")
            item = {
                "quantity": f"{reg['unit']}s_{gid or 'group'}",
                "value": str(group_n(lab)),
                "where": f"{reg['where']} header: '{lab}'",
            }
            if reg.get("cohort"):
                item["cohort"] = reg["cohort"]
            counts.append(item)
        for other in regressions:
            other.pop("_header_n", None)
        mark = reg.get("significance_mark")
        if mark:
            mark["where"] = f"{reg['where']} {mark['where']}"
        spec["regression"] = reg
        # every regression table, in the paper's order (one object when there is one)
        if len(regressions) > 1:
            for other in regressions:
                other.setdefault("unit", reg["unit"])
                lab = other.pop("_cohort_label", None)
                c = cohort_of(lab) if lab else None
                if c:
                    other["cohort"] = c[0]
                elif reg.get("cohort") and other is not reg:
                    other["cohort"] = reg["cohort"]
                if len({r["id"] for r in regressions}) < len(regressions):
                    other["id"] = f"{other['id']}_{regressions.index(other) + 1}"
            spec["regression"] = regressions
        if best is not None:
            design.setdefault(
                "analysis_unit",
                {"value": best["unit"], "where": f"{best['where']} (the counts table)"},
            )
    main_reg = regressions and reg
    if main_reg:
        notes = [f for raw in doc.tables for f in raw.footnotes] + [
            p.text for p in paras if "abbreviation" in p.text.lower()
        ]
        values = tx.find_text_values(paras, main_reg, tx.abbreviations(notes))
        if values:
            spec["text_values"] = values
            review.append(
                {
                    "item": "text_values",
                    "what": f"{len(values)} number(s) the text repeats from the regression table",
                    "why": "tied to the row named just before and the column whose estimate the text repeats",
                }
            )
    claims = tx.find_claims(paras, tables, main_reg or None)
    if claims:
        spec["significance_claims"] = claims
        review.append(
            {
                "item": "significance_claims",
                "what": f"{len(claims)} claim(s) of (non-)significance",
                "why": "the variables are the table rows the sentence names; the table the one it names most rows of",
            }
        )
    if cohorts:
        spec["cohorts"] = list(cohorts.values())
    if design:
        spec["design"] = design
    if tests:
        spec["methods_tests"] = tests
    if counts:
        spec["stated_counts"] = counts
    spec["tables"] = tables
    if aucs:
        spec["auc"] = aucs
    if diags:
        spec["diagnostic_accuracy"] = diags
    if rad:
        if "radscore" in rad:
            score = next(
                (
                    f"{t['id']}/{r['variable']}"
                    for t in tables
                    for r in t["rows"]
                    if slug(r["variable"]) in ("radscore", "rad_score", "radiomics_score")
                ),
                None,
            )
            if score:
                rad["radscore"]["summary_row"] = score
        spec["radiomics"] = rad
    spec["_review"] = review
    return _validated(spec)


def _validated(spec: dict) -> dict:
    """Drop what the schema refuses (naming it in _review) so the draft always loads."""
    for _ in range(60):
        try:
            validate(copy.deepcopy(spec), "<draft>")
            return spec
        except SpecError as exc:
            msg = str(exc)
            m = re.match(r"spec\.(\w+)(?:\[(\d+)\])?", msg)
            if not m or m.group(1) not in spec:
                spec["_review"].append(
                    {"item": "spec", "what": "the draft does not validate", "why": msg}
                )
                return spec
            key, idx = m.group(1), m.group(2)
            if key == "regression":
                rm = re.match(r"spec\.regression(?:\[(\d+)\])?\.rows\[(\d+)\]", msg)
                holder = (
                    spec["regression"][int(rm.group(1))]
                    if rm and rm.group(1) is not None
                    else spec["regression"]
                )
                if rm and isinstance(holder, dict) and len(holder["rows"]) > 1:
                    dropped = holder["rows"].pop(int(rm.group(2)))
                    spec["_review"].append(
                        {
                            "item": dropped.get("where", "regression row"),
                            "what": "dropped",
                            "why": msg,
                        }
                    )
                    continue
            if idx is not None and isinstance(spec[key], list):
                dropped = spec[key].pop(int(idx))
                what = dropped.get("where", key) if isinstance(dropped, dict) else key
                if key == "tables":
                    tm = re.match(r"spec\.tables\[\d+\]\.rows\[(\d+)\]", msg)
                    if tm and len(dropped["rows"]) > 1:
                        r = dropped["rows"].pop(int(tm.group(1)))
                        spec[key].insert(int(idx), dropped)
                        spec["_review"].append(
                            {"item": r.get("where", "row"), "what": "row dropped", "why": msg}
                        )
                        continue
                spec["_review"].append({"item": what, "what": "dropped", "why": msg})
            else:
                spec.pop(key)
                spec["_review"].append({"item": key, "what": "dropped", "why": msg})
    return spec
