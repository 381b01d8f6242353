"""Base for frozen result objects: ``Result.to_dict()`` and :func:`plain`, the JSON-ready view
shared by every module."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["Result", "plain"]


def plain(value: Any) -> Any:
    """``value`` as plain Python: dataclasses and dicts to dicts, tuples, lists and arrays to lists, NaN to None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) else v
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


class Result:
    """Mixin for frozen dataclasses: ``to_dict()`` gives JSON-ready plain Python."""

    def to_dict(self) -> dict[str, Any]:
        return plain(self)
