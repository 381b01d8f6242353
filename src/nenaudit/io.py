"""Reading user data at the boundary: every problem becomes a one-line :class:`DataError`.

The CLI verbs read CSV files through these functions, so that a missing column, a
non-binary outcome, a NaN or a constant predictor is refused with a message that names
the file, the column, the row and the value, and says what to do. Nothing here computes
a statistic.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import DataError

__all__ = [
    "STABLE_DIGITS",
    "stable_float",
    "jsonable",
    "dumps_json",
    "read_csv_text",
    "read_csv",
    "missing_lines",
    "split_names",
    "require_columns",
    "numeric_column",
    "binary_outcome",
    "predictor_matrix",
    "identifier_columns",
]


NONFINITE_KEY = "nonfinite"
_NONFINITE_NAMES = {"nan": "NaN", "inf": "Inf", "-inf": "-Inf"}
_DEFAULT_WHY = {
    "NaN": "not a number: undefined (e.g. 0/0) or not computed",
    "Inf": "infinite (JSON has no infinity)",
    "-Inf": "minus infinity (JSON has no infinity)",
}


def _why_matcher(why: Mapping[str, str] | None) -> Callable[[str], str | None]:
    pats = [
        (re.compile(re.escape(k).replace(r"\*", ".*") + r"\Z"), v) for k, v in (why or {}).items()
    ]

    def match(path: str) -> str | None:
        return next((v for rx, v in pats if rx.match(path)), None)

    return match


#: significant digits of the floats written by ``reproduce`` (results.json), ``validate --json`` and the
#: ``simulate`` store
STABLE_DIGITS = 10


def stable_float(v: float, digits: int = STABLE_DIGITS) -> float:
    """``v`` rounded to ``digits`` significant digits, as the data outputs write it.

    The last bits of a float computed through BLAS or numpy's transcendental functions depend on the
    CPU (OpenBLAS picks its kernel, hence its summation order, by CPU; numpy its exp/log by SIMD
    level): about 1e-15 relative. Written with 10 significant digits, far above that noise, the same
    seed gives the same bytes on any x86-64 CPU, unless a value's noise straddles a rounding boundary
    (odds about 1e-5 per value). Non-finite values are returned unchanged."""
    v = float(v)
    return float(f"{v:.{digits}g}") if math.isfinite(v) else v


def jsonable(
    obj: Any,
    *,
    why: Mapping[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
    digits: int | None = None,
) -> Any:
    """Plain, strictly JSON-able Python for ``obj``; every non-finite float becomes ``None``.

    The convention (the README's "JSON output" paragraph): JSON has no NaN or infinity, so each
    non-finite number is written as ``null`` and listed under the key ``"nonfinite"`` of the
    outermost object that holds it (the top-level object, or each element of a top-level list)
    as ``{"path": "youden.threshold", "value": "-Inf", "why": "..."}`` (the path from the document
    root: keys joined by dots, list items as ``[i]``); ``value`` is R's
    spelling (``"NaN"``, ``"Inf"``, ``"-Inf"``). ``why`` maps paths (``*`` matches any run of
    characters; list items are ``[i]``) to the reason; a generic reason is used otherwise.
    Numpy scalars and arrays, dataclasses (``Result.to_dict``), tuples and paths are converted;
    any other object goes through ``default`` (e.g. ``str``), or is a ``TypeError``. With ``digits``,
    every finite float is rounded by :func:`stable_float` to that many significant digits.
    """
    match = _why_matcher(why)

    def walk(x: Any, path: str, notes: list | None) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, np.bool_):
            return bool(x)
        if isinstance(x, (int, np.integer)):
            return int(x)
        if isinstance(x, (float, np.floating)):
            v = float(x)
            if math.isfinite(v):
                return v if digits is None else stable_float(v, digits)
            name = _NONFINITE_NAMES[str(v)]
            if notes is not None:
                notes.append(
                    {"path": path, "value": name, "why": match(path) or _DEFAULT_WHY[name]}
                )
            return None
        if isinstance(x, np.ndarray):
            x = x.tolist()
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            x = {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}
        if isinstance(x, os.PathLike):
            return os.fspath(x)
        if isinstance(x, Mapping):
            own = notes is None
            here = [] if own else notes
            out = {}
            for k, v in x.items():
                key = str(k)
                out[key] = walk(v, f"{path}.{key}" if path else key, here)
            if own and here:
                out[NONFINITE_KEY] = list(out.get(NONFINITE_KEY) or []) + here
            return out
        if isinstance(x, (list, tuple, set, frozenset)):
            items = sorted(x, key=str) if isinstance(x, (set, frozenset)) else x
            return [walk(v, f"{path}[{i}]", notes) for i, v in enumerate(items)]
        if default is not None:
            return walk(default(x), path, notes)
        raise TypeError(f"{type(x).__name__} at {path or 'top level'} is not JSON-serialisable")

    return walk(obj, "", None)


def dumps_json(
    obj: Any,
    *,
    indent: int | None = 2,
    why: Mapping[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
    sort_keys: bool = False,
    ensure_ascii: bool = True,
    digits: int | None = None,
) -> str:
    """Strict JSON text of ``obj`` (``allow_nan=False``): the one writer of every ``--json`` and result file.

    Non-finite numbers follow :func:`jsonable`'s convention (``null`` plus a ``"nonfinite"`` entry
    saying which and why), so R's ``jsonlite::fromJSON`` and ``JSON.parse`` read every output.
    """
    return json.dumps(
        jsonable(obj, why=why, default=default, digits=digits),
        indent=indent,
        ensure_ascii=ensure_ascii,
        allow_nan=False,
        sort_keys=sort_keys,
    )


#: R's read.csv missing-value convention (``na.strings = "NA"``; an empty field is missing too)
NA_TOKENS = ("NA", "")
#: tokens that only ever mean "missing" in an otherwise numeric column (SAS/Stata ".", Excel "#N/A", ...)
MISSING_MARKERS = frozenset(
    {
        ".",
        "..",
        "-",
        "--",
        "?",
        "*",
        "#N/A",
        "N/A",
        "n/a",
        "NA.",
        "None",
        "none",
        "NULL",
        "null",
        "Null",
        "nan",
        "NaN",
        "missing",
        "Missing",
        "MISSING",
        "n.a.",
        "na",
    }
)
#: a column is "numeric but for a few tokens" when at least this share of its non-missing values are numbers ...
MOSTLY_NUMERIC = 0.90
#: ... and the other values are at most this many distinct tokens
FEW_TOKENS = 3


def read_csv(
    path: str | os.PathLike, na: Sequence[str] | None = None, text_columns: Iterable[str] = ()
) -> pd.DataFrame:
    """Read a CSV file as R's ``read.csv`` does; every problem is a one-line :class:`DataError`.

    Missing values follow R's ``read.csv(na.strings = "NA")``: only the token ``NA`` and the
    empty field are missing (pandas' longer default list, with "None", "NULL", "N/A", "nan", is
    *not* used: "None" is a level like any other). ``na`` adds tokens (the CLI's ``--na``). As in
    R's ``type.convert``, a column whose non-missing values all parse as numbers is numeric
    ("NaN" and "Inf" are numbers; "NaN" is then missing, as ``is.na(NaN)`` is in R); any other
    column is text.

    A column that is numeric but for a few tokens -- at least :data:`MOSTLY_NUMERIC` (90 %) of
    its non-missing values are numbers and the rest are at most :data:`FEW_TOKENS` (3) distinct
    tokens, or the rest are all missing-value markers (:data:`MISSING_MARKERS`: ".", "-", "?",
    "None", "NULL", ...) and numbers are the majority -- is refused, naming the token and its
    first line and saying ``--na TOKEN``: R would read it as text, and a numeric variable read as
    text becomes an n-level categorical variable. Columns named in ``text_columns`` are exempt
    (the user said they are categorical).

    An unreadable file (missing, a directory, no permission, not UTF-8, not CSV, empty) is
    refused with the reason.
    """
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{path}: is a directory; give the path of a CSV file")
    if not p.exists():
        raise DataError(f"{path}: no such file; give the path of a CSV file")
    return _parse_csv(p, str(path), na, text_columns)


def read_csv_text(
    text: str, source: str, na: Sequence[str] | None = None, text_columns: Iterable[str] = ()
) -> pd.DataFrame:
    """:func:`read_csv` of a CSV held in memory (a generated cohort's file); ``source`` names it in errors.
    The same parser, missing-value rules and refusals as for a file, so the same text gives the same table."""
    return _parse_csv(io.StringIO(text), source, na, text_columns)


def _parse_csv(
    src, path: str, na: Sequence[str] | None, text_columns: Iterable[str]
) -> pd.DataFrame:
    tokens = list(dict.fromkeys([*NA_TOKENS, *(na or ())]))
    try:
        df = pd.read_csv(src, keep_default_na=False, na_values=tokens, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    except OSError as exc:
        raise DataError(
            f"{path}: cannot be read ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    if df.shape[0] == 0:
        raise DataError(f"{path}: the file has a header but no data rows")
    dup = [c for c in df.columns if str(c).endswith(".1") and str(c)[:-2] in df.columns]
    if dup:
        raise DataError(
            f"{path}: duplicate column name {dup[0][:-2]!r}; column names must be unique"
        )
    exempt = set(text_columns)
    for c in df.columns:
        if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])):
            df[c] = _convert_column(df[c], str(path), c in exempt)
    return df


def _convert_column(col: pd.Series, source: str, exempt: bool) -> pd.Series:
    """R's type.convert on one column of strings: numbers if every non-missing value is one, else text."""
    present = col.notna().to_numpy()
    if not present.any():
        return col.astype(float)
    vals = col[present].astype(str)
    nums = pd.to_numeric(vals.str.strip(), errors="coerce")
    is_nan_token = vals.str.strip().str.lower() == "nan"
    bad = (nums.isna() & ~is_nan_token).to_numpy()
    if not bad.any():
        out = np.full(col.size, np.nan)
        out[present] = nums.to_numpy(dtype=float)
        return pd.Series(out, index=col.index, name=col.name)
    if exempt:
        return col
    share = 1.0 - bad.mean()
    tokens = list(dict.fromkeys(vals[bad].tolist()))
    if (share >= MOSTLY_NUMERIC and len(tokens) <= FEW_TOKENS) or (
        share > 0.5 and set(tokens) <= MISSING_MARKERS
    ):
        tok = tokens[0]
        line = int(np.flatnonzero(present)[np.flatnonzero(bad)[0]]) + 2
        opt = ",".join(tokens) if all("," not in t for t in tokens) else tok
        raise DataError(
            f"{source}: column {col.name!r}, line {line}: {tok!r} is not a number, but "
            f"{100 * share:.0f}% of the column's values are; if {tok!r} marks a missing value, "
            f"use --na {opt}"
            + (" (several tokens: " + ", ".join(map(repr, tokens)) + ")" if len(tokens) > 1 else "")
        )
    return col


def missing_lines(df: pd.DataFrame, columns: Iterable[str], source: str, what: str) -> list[str]:
    """One line per column of ``columns`` that has missing values: how many, the first lines, and ``what``
    happens to those rows (e.g. "left out of this variable's summary and test")."""
    out = []
    for c in columns:
        miss = df[c].isna().to_numpy()
        k = int(miss.sum())
        if k:
            lines = [str(i + 2) for i in np.flatnonzero(miss)[:5]]
            more = ", ..." if k > 5 else ""
            out.append(
                f"{source}: column {c!r}: {k} of {len(df)} rows missing (lines {', '.join(lines)}{more}); "
                f"{what}"
            )
    return out


def split_names(text: str | None) -> list[str] | None:
    """``"A,B, C"`` -> ``["A", "B", "C"]``; None stays None."""
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise DataError(f"{text!r}: expected a comma-separated list of column names")
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise DataError(f"{text!r}: the column {twice!r} is named twice; name each column once")
    return names


def require_columns(df: pd.DataFrame, columns: Iterable[str], source: str = "data") -> None:
    """Every name in ``columns`` is a column of ``df``; else name the first missing one."""
    cols = list(df.columns)
    for c in columns:
        if c not in cols:
            shown = ", ".join(map(str, cols[:8])) + (", ..." if len(cols) > 8 else "")
            raise DataError(f"{source}: no column {c!r} (columns are: {shown})")


def _first_bad_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 2  # 1-based, after the header line


def numeric_column(df: pd.DataFrame, col: str, source: str = "data") -> np.ndarray:
    """Column ``col`` as float; a non-number, NaN or infinity is refused with its row (file line)."""
    require_columns(df, [col], source)
    raw = df[col]
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad_text = np.isnan(vals) & raw.notna().to_numpy()
    if bad_text.any():
        i = _first_bad_row(bad_text)
        raise DataError(f"{source}: column {col!r}, line {i}: {raw.iloc[i - 2]!r} is not a number")
    if np.isnan(vals).any():
        i = _first_bad_row(np.isnan(vals))
        raise DataError(
            f"{source}: column {col!r}, line {i}: missing value (NaN); remove or impute the row first"
        )
    if np.isinf(vals).any():
        i = _first_bad_row(np.isinf(vals))
        raise DataError(
            f"{source}: column {col!r}, line {i}: infinite value; remove or fix the row first"
        )
    return vals


def binary_outcome(df: pd.DataFrame, col: str, source: str = "data") -> np.ndarray:
    """Column ``col`` as 0/1 floats; anything but exactly the values 0 and 1 (both present) is refused."""
    y = numeric_column(df, col, source)
    values = sorted(set(np.unique(y).tolist()))
    if not set(values) <= {0.0, 1.0}:
        other = next(v for v in values if v not in (0.0, 1.0))
        i = _first_bad_row(y == other)
        raise DataError(f"{source}: outcome {col!r} must be coded 0/1; line {i} has {other:g}")
    if len(values) < 2:
        raise DataError(
            f"{source}: outcome {col!r} has only the value {values[0]:g}; both 0 and 1 are needed"
        )
    return y


def predictor_matrix(df: pd.DataFrame, cols: Sequence[str], source: str = "data") -> np.ndarray:
    """Columns ``cols`` as an n x p float matrix; constant columns are refused (their coefficient
    is not identifiable)."""
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if list(cols).count(c) > 1)
        raise DataError(f"{source}: predictor {dup!r} is listed twice")
    X = (
        np.column_stack([numeric_column(df, c, source) for c in cols])
        if cols
        else np.empty((len(df), 0))
    )
    for j, c in enumerate(cols):
        if np.ptp(X[:, j]) == 0:
            raise DataError(
                f"{source}: predictor {c!r} is constant ({X[0, j]:g} in every row); drop it"
            )
    return X


#: fewest non-missing values for "unique per row" to mark a text column as an identifier
ID_MIN_ROWS = 6


def identifier_columns(df: pd.DataFrame, columns: Iterable[str]) -> dict[str, str]:
    """The identifier-like columns among ``columns``, each with the reason (``{name: reason}``).

    A column is identifier-like when it is named ``id`` or ``*_id`` / ``*.id`` (any case), or is
    an unnamed column (R's ``write.csv`` row names, read as ``Unnamed: 0``), or is text with a
    different value in every row (at least :data:`ID_MIN_ROWS` of them), or holds integers that are
    all different and consecutive (row numbers). Tabulating one is meaningless (an n-level
    categorical variable) and, by Fisher's exact test, very slow. A continuous measurement is
    unique per row too, so numbers count only when they are consecutive integers.
    """
    out: dict[str, str] = {}
    for c in columns:
        name = str(c)
        low = name.strip().lower()
        col = df[c]
        vals = col.dropna()
        if low == "id" or low.endswith("_id") or low.endswith(".id"):
            out[name] = "named id or *_id"
        elif name.startswith("Unnamed: ") or not low:
            out[name] = "unnamed column (row names)"
        elif len(vals) >= ID_MIN_ROWS and vals.is_unique:
            if not pd.api.types.is_numeric_dtype(vals):
                out[name] = "a different value in every row"
            elif not pd.api.types.is_bool_dtype(vals):
                v = vals.to_numpy(dtype=float)
                if (
                    np.all(np.isfinite(v))
                    and np.all(v == np.round(v))
                    and v.max() - v.min() + 1 == len(v)
                ):
                    out[name] = "consecutive integers, one per row"
    return out
