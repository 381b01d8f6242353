"""Tables whose cells a web page ran together without separators (``Smokers12 (30.0)9 (22.5)3 (7.5)``).

The header lines (one cell a line: group labels with ``n = N``, ``P value``) give the layout; each body line
is split into its label and cells by trying every split that fits the layout, scored for plausibility
(a count's percent agrees with its group's n; a mean and its SD print the same decimals; a p-value starts
``0.`` or ``<``). Ambiguous lines are split the best-scoring way, and the table gets a ``_review`` entry.
"""

from __future__ import annotations

import re
from functools import cache

from nenaudit.draft.cells import group_n

__all__ = ["glued_table"]

_N = r"\d+(?:\.\d+)?"
_G = [
    ("count", re.compile(r"\d+\s?\(\s?" + _N + r"\s?%?\s?\)")),
    ("spread", re.compile(_N + r"\s?[(\[]\s?" + _N + r"\s?[,;]\s?" + _N + r"\s?[)\]]")),
    ("mean_sd", re.compile(_N + r"\s?±\s?" + _N)),
    ("estimate", re.compile(_N + r"\s?\(\s?" + _N + r"\s?[-–]\s?" + _N + r"\s?\)")),
]
_P = re.compile(r"(?:[<>≤]\s?)?(?:0?\.\d+|1\.0+|0)")
_PHEAD = re.compile(r"(?i)^\s*p[\s-]*values?\s*$|^\s*p\s*$")
_VALUE_START = re.compile(r"[\d<>≤.]")


def _decimals(x: str) -> int:
    return len(x.split(".", 1)[1]) if "." in x else 0


def _score(kind: str, cell: str, n: int | None) -> float:
    nums = re.findall(_N, cell)
    if kind == "p":
        if re.match(r"\s*[<≤]", cell) and float(nums[0]) == 0:
            return -3.0  # '< 0.00' cannot be a p-value
        return 1.0 if re.match(r"\s*(?:[<>≤]|0\.|1\.0)", cell) else -1.0
    if kind == "mean_sd":
        m, s = nums[0], nums[1]
        sc = 1.0 if _decimals(m) == _decimals(s) else -1.0
        if re.match(r"0\d", s) or re.match(r"0\d", m):
            sc -= 3
        if float(s) > 3 * max(float(m), 1e-9):
            sc -= 0.5
        return sc
    if kind == "count":
        c, pct = int(nums[0]), float(nums[1])
        sc = -3.0 if re.match(r"0\d", nums[0]) else 0.0
        if n:
            err, unit = abs(100 * c / n - pct), 10 ** (-_decimals(nums[1]))
            sc += 2.0 if err <= 0.5 * unit + 1e-9 else 1.0 if err <= 1.5 * unit else -1.0
        return sc
    if kind == "spread":
        sc = 0.5 if float(nums[1]) <= float(nums[0]) <= float(nums[2]) else -1.0
        return sc - (3 if any(re.match(r"0\d", x) for x in nums) else 0)
    return 0.0


def _split(text: str, kinds: tuple[str, ...], ns: tuple) -> tuple[float, list[str]] | None:
    """The best split of ``text`` into cells of ``kinds`` (g = a group cell, p = a p-value), or None."""

    @cache
    def go(i: int, k: int):
        while i < len(text) and text[i] == " ":
            i += 1
        if k == len(kinds):
            return (0.0, ()) if i == len(text) else None
        best = None
        pats = [("p", _P)] if kinds[k] == "p" else _G
        for j in range(i + 1, len(text) + 1):
            piece = text[i:j].strip()
            for name, rx in pats:
                if rx.fullmatch(piece):
                    rest = go(j, k + 1)
                    if rest is None:
                        continue
                    sc = _score(name, piece, ns[k]) + rest[0]
                    if best is None or sc > best[0]:
                        best = (sc, (piece,) + rest[1])
        return best

    got = go(0, 0)
    return None if got is None else (got[0], list(got[1]))


def _layout(head: list[str]) -> tuple[list[str], list[int | None], list[str]]:
    """Kinds of the value columns (g/p), the n of each (None for p) and their header labels."""
    ncells = [c for c in head if group_n(c)]
    pcells = [c for c in head if _PHEAD.match(c)]
    pos = {id(c): k for k, c in enumerate(head)}
    npos = [pos[id(c)] for c in ncells]
    interleaved = bool(
        ncells and pcells and any(min(npos) < pos[id(c)] < max(npos) for c in pcells)
    )
    seq = [c for c in head if group_n(c) or _PHEAD.match(c)] if interleaved else ncells + pcells
    kinds = ["p" if _PHEAD.match(c) else "g" for c in seq]
    return kinds, [group_n(c) if k == "g" else None for c, k in zip(seq, kinds)], seq


def glued_table(lines: list[str]) -> tuple[list[list[str]], bool] | None:
    """Rows (a header row, then label + cells per layout column) of a run-together table, and whether a line
    was ambiguous; None when the lines are not such a table."""
    head: list[str] = []
    body_start = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        # 'CharacteristicAll patients'
        if i == 0 and re.search(r"[a-z][A-Z][a-z]", s) and not group_n(s):
            parts = re.split(r"(?<=[a-z])(?=[A-Z][a-z])", s)
            head.extend(parts)
            continue
        if group_n(s) or _PHEAD.match(s) or (not re.search(r"\d", s) and not body_start and i < 12):
            head.append(s)
            continue
        body_start = i
        break
    while head and not (
        group_n(head[-1]) or _PHEAD.match(head[-1])
    ):  # trailing plain lines: variable headings
        head.pop()
        body_start = (body_start or len(lines)) - 1
    if body_start is None or not any(group_n(c) for c in head):
        return None
    kinds, ns, seq = _layout(head)
    if not kinds:
        return None
    g_idx = [k for k, x in enumerate(kinds) if x == "g"]
    p_idx = [k for k, x in enumerate(kinds) if x == "p"]
    others = [c for c in head if c not in seq]
    header = [others[0] if others else ""] + seq
    rows = [header]
    if len(others) > 1:
        rows.insert(0, [""] + others[1:])
    ambiguous = False
    data = 0
    for ln in lines[body_start:]:
        s = ln.strip()
        if not s:
            continue
        starts = [m.start() for m in _VALUE_START.finditer(s) if m.start() > 0]
        if not starts:
            rows.append([s] + [""] * len(kinds))
            continue
        best = None
        for k in starts:
            label, rest = s[:k].strip(), s[k:]
            if not label or label.endswith(("(", "[")):
                continue
            blocks, cur = [], []
            for t, kd in enumerate(
                kinds
            ):  # the group columns of each block (the groups before a p column)
                if kd == "g":
                    cur.append(t)
                elif cur:
                    blocks.append(cur)
                    cur = []
            if cur:
                blocks.append(cur)
            for target in [list(range(len(kinds))), g_idx, p_idx] + (
                blocks if len(blocks) > 1 else []
            ):
                if not target:
                    continue
                got = _split(rest, tuple(kinds[t] for t in target), tuple(ns[t] for t in target))
                if got is None:
                    continue
                got = (
                    got[0] - (5.0 if re.search(r"\d\s?[(±]", label) else 0.0),
                    got[1],
                )  # values left in the label
                if best is None or got[0] > best[0] + 1e-9:
                    best = (got[0], label, target, got[1])
                elif abs(got[0] - best[0]) <= 1e-9 and len(label) != len(best[1]):
                    ambiguous = True
        if best is None:
            rows.append([s] + [""] * len(kinds))
            continue
        label = re.sub(
            r"(?<=[a-z]{3})\d(?=\s|$)", "", best[1]
        )  # a footnote digit run into the label
        row = [label] + [""] * len(kinds)
        for t, cell in zip(best[2], best[3]):
            row[1 + t] = cell
        rows.append(row)
        data += 1
    if data < 2:
        return None
    return rows, ambiguous
