"""Single-field mutations of a study spec, shared by the spec fuzz tests (tests/test_spec_fuzz.py).

A mutation is ``(path, kind, new)``: ``path`` is a tuple of keys and indices into the raw
JSON, ``kind`` names the change, ``new`` the value put there (``DROP`` removes the field).
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any, Iterator

DROP = object()
DEEP = 2000  # deeper than Python's default recursion limit (1000)


def embedded_spec() -> dict:
    return json.loads(resources.files("nenaudit.study").joinpath("feng2025.json").read_text(encoding="utf-8"))


def deep(depth: int = DEEP) -> Any:
    x: Any = []
    for _ in range(depth):
        x = [x]
    return x


def nodes(x: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) of the JSON tree except the root, parents before children."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield path + (k,), v
            yield from nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield path + (i,), v
            yield from nodes(v, path + (i,))


def replacements(value: Any) -> list[tuple[str, Any]]:
    """The mutations tried on one value: drop, null, wrong types, empty containers, odd strings, deep nesting."""
    out: list[tuple[str, Any]] = [("drop", DROP), ("null", None), ("deep", deep())]
    if isinstance(value, bool):
        out += [("str", "true"), ("int", 1)]
    elif isinstance(value, (int, float)):
        out += [("str", str(value)), ("negative", -1), ("zero", 0), ("huge", 10**10), ("float", 0.5),
                ("bool", True), ("list", [value])]
    elif isinstance(value, str):
        out += [("empty", ""), ("word", "x"), ("p<0.05", "p<0.05"), ("int", 3), ("list", [value]), ("dict", {})]
    elif isinstance(value, list):
        out += [("empty", []), ("dict", {}), ("str", "x"), ("repeat", value + value[:1])]
    elif isinstance(value, dict):
        out += [("empty", {}), ("list", []), ("str", "x")]
    return out


def mutations(raw: dict) -> Iterator[tuple[tuple, str, Any]]:
    for path, value in nodes(raw):
        for kind, new in replacements(value):
            yield path, kind, new


def apply(raw: dict, path: tuple, new: Any) -> dict:
    return apply_all(raw, [(path, new)])


def apply_all(raw: dict, changes) -> dict:
    """A copy of ``raw`` with each ``(path, new)`` applied in turn; a path a previous change removed is skipped."""
    out = copy.deepcopy(raw)
    for path, new in changes:
        try:
            parent = functools.reduce(lambda a, k: a[k], path[:-1], out)
            if new is DROP:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.copy(new)
        except (KeyError, IndexError, TypeError):
            continue
    return out


def dotted(path: tuple) -> str:
    """``("tables", 0, "groups", 1, "n")`` -> ``"tables[0].groups[1].n"`` (the loader's field paths)."""
    s = ""
    for k in path:
        s += f"[{k}]" if isinstance(k, int) else (f".{k}" if s else str(k))
    return s
