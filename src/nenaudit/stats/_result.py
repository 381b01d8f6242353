"""The former name of :mod:`nenaudit.stats.result` (stats modules written before issue 12 import ``Result`` from here)."""

from nenaudit.stats.result import Result, plain

__all__ = ["Result", "plain"]
