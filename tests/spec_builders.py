"""Build small made-up study specs for tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from nenaudit.study.schema import DEFAULT_STUDY

EMBEDDED = Path(__file__).resolve().parents[1] / "src" / "nenaudit" / "study" / f"{DEFAULT_STUDY}.json"


def embedded_raw() -> dict:
    return json.loads(EMBEDDED.read_text(encoding="utf-8"))


def fmt_pct(count: int, n: int, decimals: int = 2) -> str:
    return f"{100 * count / n:.{decimals}f}"


def two_group_spec(counts: np.ndarray, p: str | None = None, variable: str = "X") -> dict:
    """A spec with one 2-group table; ``counts`` is levels x 2 (non-negative, columns > 0)."""
    counts = np.asarray(counts, dtype=int)
    n = counts.sum(axis=0)
    levels = [
        {"level": f"L{i + 1}", "cells": {g: f"{counts[i, j]} ({fmt_pct(counts[i, j], n[j])})" for j, g in enumerate(("a", "b"))}}
        for i in range(counts.shape[0])
    ]
    row = {"variable": variable, "kind": "categorical", "levels": levels}
    if p is not None:
        row["p"] = p
    return {
        "spec_version": 1,
        "study": {"id": "toy", "citation": "made up"},
        "tables": [{
            "id": "t", "title": "TABLE 9 Toy", "unit": "lesion",
            "groups": [{"id": "a", "label": "A", "n": int(n[0])}, {"id": "b", "label": "B", "n": int(n[1])}],
            "rows": [row],
        }],
    }


def mutate(raw: dict, fn) -> dict:
    out = copy.deepcopy(raw)
    fn(out)
    return out
