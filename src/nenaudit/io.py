"""Reading user data at the boundary: every problem becomes a one-line :class:`DataError`.

The CLI verbs read CSV files through these functions, so that a missing column, a
non-binary outcome, a NaN or a constant predictor is refused with a message that names
the file, the column, the row and the value, and says what to do. Nothing here computes
a statistic.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.outputs import MARKER, OutputError, Outputs, check_dir, check_file, write_atomic  # noqa: F401 (the safe-output API)


class DataError(NenauditError):
    """Bad user data (file, column, value); the CLI prints it on one line and exits 2."""


NONFINITE_KEY = "nonfinite"
_NONFINITE_NAMES = {"nan": "NaN", "inf": "Inf", "-inf": "-Inf"}
_DEFAULT_WHY = {
    "NaN": "not a number: undefined (e.g. 0/0) or not computed",
    "Inf": "infinite (JSON has no infinity)",
    "-Inf": "minus infinity (JSON has no infinity)",
}


def _why_matcher(why: Mapping[str, str] | None) -> Callable[[str], str | None]:
    pats = [(re.compile(re.escape(k).replace(r"\*", ".*") + r"\Z"), v) for k, v in (why or {}).items()]

    def match(path: str) -> str | None:
        return next((v for rx, v in pats if rx.match(path)), None)

    return match


def jsonable(obj: Any, *, why: Mapping[str, str] | None = None, default: Callable[[Any], Any] | None = None) -> Any:
    """Plain, strictly JSON-able Python for ``obj``; every non-finite float becomes ``None``.

    The convention (the README's "JSON output" paragraph): JSON has no NaN or infinity, so each
    non-finite number is written as ``null`` and listed under the key ``"nonfinite"`` of the
    outermost object that holds it (the top-level object, or each element of a top-level list)
    as ``{"path": "youden.threshold", "value": "-Inf", "why": "..."}`` (the path from the document
    root: keys joined by dots, list items as ``[i]``); ``value`` is R's
    spelling (``"NaN"``, ``"Inf"``, ``"-Inf"``). ``why`` maps paths (``*`` matches any run of
    characters; list items are ``[i]``) to the reason; a generic reason is used otherwise.
    Numpy scalars and arrays, dataclasses (``Result.to_dict``), tuples and paths are converted;
    any other object goes through ``default`` (e.g. ``str``), or is a ``TypeError``.
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
                return v
            name = _NONFINITE_NAMES[str(v)]
            if notes is not None:
                notes.append({"path": path, "value": name, "why": match(path) or _DEFAULT_WHY[name]})
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


def dumps_json(obj: Any, *, indent: int | None = 2, why: Mapping[str, str] | None = None,
               default: Callable[[Any], Any] | None = None, sort_keys: bool = False) -> str:
    """Strict JSON text of ``obj`` (``allow_nan=False``): the one writer of every ``--json`` and result file.

    Non-finite numbers follow :func:`jsonable`'s convention (``null`` plus a ``"nonfinite"`` entry
    saying which and why), so R's ``jsonlite::fromJSON`` and ``JSON.parse`` read every output.
    """
    return json.dumps(jsonable(obj, why=why, default=default), indent=indent, ensure_ascii=False,
                      allow_nan=False, sort_keys=sort_keys)


def read_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV file; a missing, empty or unparsable file is a :class:`DataError`."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{path}: no such file; give the path of a CSV file")
    try:
        df = pd.read_csv(p)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    if df.shape[0] == 0:
        raise DataError(f"{path}: the file has a header but no data rows")
    dup = [c for c in df.columns if str(c).endswith(".1") and str(c)[:-2] in df.columns]
    if dup:
        raise DataError(f"{path}: duplicate column name {dup[0][:-2]!r}; column names must be unique")
    return df


def split_names(text: str | None) -> list[str] | None:
    """``"A,B, C"`` -> ``["A", "B", "C"]``; None stays None."""
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise DataError(f"{text!r}: expected a comma-separated list of column names")
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
        raise DataError(f"{source}: column {col!r}, line {i}: missing value (NaN); remove or impute the row first")
    if np.isinf(vals).any():
        i = _first_bad_row(np.isinf(vals))
        raise DataError(f"{source}: column {col!r}, line {i}: infinite value; remove or fix the row first")
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
        raise DataError(f"{source}: outcome {col!r} has only the value {values[0]:g}; both 0 and 1 are needed")
    return y


def predictor_matrix(df: pd.DataFrame, cols: Sequence[str], source: str = "data") -> np.ndarray:
    """Columns ``cols`` as an n x p float matrix; constant columns are refused (their coefficient is not identifiable)."""
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if list(cols).count(c) > 1)
        raise DataError(f"{source}: predictor {dup!r} is listed twice")
    X = np.column_stack([numeric_column(df, c, source) for c in cols]) if cols else np.empty((len(df), 0))
    for j, c in enumerate(cols):
        if np.ptp(X[:, j]) == 0:
            raise DataError(f"{source}: predictor {c!r} is constant ({X[0, j]:g} in every row); drop it")
    return X
