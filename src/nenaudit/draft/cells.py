"""What one printed cell is: a count with percent, mean ± SD, median and spread, estimate with CI, a p-value."""

from __future__ import annotations

import re

__all__ = [
    "NUM",
    "cell_kind",
    "is_p",
    "is_reference",
    "is_empty",
    "group_n",
    "numbers_in",
    "plain_count",
    "ESTIMATE_CI",
    "SPREAD",
]

NUM = r"[-+−]?(?:\d+(?:\.\d+)?|\.\d+)"
_D = r"\s*(?:–|—|-|‐|to|~)\s*"
COUNT = re.compile(r"\d+\s*(?:/\s*\d+\s*)?\(\s*" + NUM + r"\s*%?\s*\)|\d+\s*/\s*\d+")
MEAN_SD = re.compile(NUM + r"\s*(?:±|\+/-|\+-|\\pm)\s*" + NUM)
SPREAD = re.compile(
    r"(" + NUM + r")\s*[\[(]\s*(" + NUM + r")\s*(,|;|–|—|-|‐|to|~)\s*(" + NUM + r")\s*[\])]"
)
ESTIMATE_CI = re.compile(
    r"(" + NUM + r")\s*[\[(]\s*(" + NUM + r")\s*(?:–|—|-|‐|to|~|,|;)\s*(" + NUM + r")\s*[\])]"
)
MEAN_PAREN = re.compile(r"(" + NUM + r")\s*\(\s*(" + NUM + r")\s*\)")
P = re.compile(r"(?:[<>≤≥=]\s*)?(?:0?\.\d+|0|1(?:\.0+)?)\s*[*†‡#]*")
_REF = re.compile(
    r"(?i)^\s*(?:ref(?:erence)?\.?|1(?:\.0+)?\s*[\[(]\s*ref(?:erence)?\.?\s*[\])]|1(?:\.0+)?\s*\(?ref\.?\)?)\s*$"
)
_EMPTY = {"", "–", "—", "-", "‐", "NA", "N/A", "n/a", "/", "…", "..."}
_N = re.compile(r"(?i)(?:^|[\s(\[,;])n\s*[=:]\s*(\d[\d,]*)")


def is_empty(cell: str) -> bool:
    """An empty cell, or one that prints only a dash, NA or an ellipsis."""
    return cell.strip() in _EMPTY


def is_p(cell: str) -> bool:
    """A printed p-value: ``0.010``, ``<0.001``, ``0.005*``, ``< .05`` (not a percentage, not above 1)."""
    return bool(P.fullmatch(cell.strip().replace(" ", "")))


def is_reference(cell: str) -> bool:
    """``Reference``, ``Ref.``, ``1.00 (reference)``, ``1 [Ref]``."""
    return bool(_REF.match(cell))


def cell_kind(cell: str) -> str | None:
    """count | mean_sd | spread | mean_paren | number | None (text or empty)."""
    c = cell.strip().rstrip("*†‡§").strip()
    if is_empty(c):
        return None
    if COUNT.fullmatch(c) or re.fullmatch(r"\d+\s*\(\s*" + NUM + r"\s*%\s*\)", c):
        m = MEAN_PAREN.fullmatch(c)
        if m and "." in m.group(1) and "%" not in c:
            return "mean_paren"
        return "count"
    if MEAN_SD.fullmatch(c):
        return "mean_sd"
    if SPREAD.fullmatch(c):
        return "spread"
    if MEAN_PAREN.fullmatch(c):
        return "mean_paren"
    if re.fullmatch(
        r"\d+|\d{1,3}(?:,\d{3})+", c
    ):  # thousands separated by commas as printed: 37,801
        return "integer"
    if re.fullmatch(NUM + r"\s*%?", c):
        return "number"
    return None


def plain_count(cell: str) -> str:
    """A count cell without the thousands separators a page prints (``15,227`` -> ``15227``; the spec's counts are
    digits only); every other cell as it is."""
    c = cell.strip()
    return c.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", c) else cell


def group_n(label: str) -> int | None:
    """The group size a header prints: ``Treated group (n = 41)``, ``(All) N = 90``, ``Stage II (n=12)``."""
    m = _N.search(label)
    return int(m.group(1).replace(",", "")) if m else None


def numbers_in(text: str) -> list[str]:
    """Every number printed in ``text`` (as printed, sign dropped)."""
    return re.findall(r"\d+(?:\.\d+)?|\.\d+", text)
