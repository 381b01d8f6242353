"""Argument types for the command line: every numeric option is checked at the boundary.

argparse turns the ``ArgumentTypeError`` these raise into a one-line usage error and exit
code 2, with the option's name, before any file is read. The bounds are listed in the
README ("Options and their bounds").
"""

from __future__ import annotations

import argparse
import math

__all__ = [
    "seed",
    "int_range",
    "float_range",
    "boot",
    "positive",
    "digits",
    "probability",
    "level",
    "unit",
]


# One resample's AUC is kept per bootstrap resample (8 bytes each) to take its quantiles;
# the resamples themselves are drawn in chunks of constant memory. 10 million resamples keep
# 80 MB of AUCs, and a percentile CI needs about 1000-2000 (Carpenter & Bithell 2000).
MAX_BOOT = 10_000_000


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def seed(text: str) -> int:
    """A random seed: a whole number >= 0 (numpy's ``default_rng`` refuses negative seeds)."""
    v = _int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} is negative; a seed is a whole number >= 0")
    return v


def int_range(lo: int, hi: int | None = None, what: str = "value"):
    """A whole number in ``[lo, hi]`` (``hi=None``: no upper bound)."""

    def parse(text: str) -> int:
        v = _int(text)
        if v < lo or (hi is not None and v > hi):
            span = f">= {lo}" if hi is None else f"between {lo} and {hi:,}"
            raise argparse.ArgumentTypeError(f"{v} is out of range; {what} must be {span}")
        return v

    parse.__doc__ = (
        f"argparse type: {what}, a whole number "
        + (f">= {lo}" if hi is None else f"in [{lo}, {hi}]")
        + "."
    )
    return parse


def float_range(
    lo: float, hi: float, what: str = "value", *, lo_open: bool = False, hi_open: bool = False
):
    """A finite number in ``[lo, hi]`` (``lo_open``/``hi_open``: that end excluded); NaN and inf are refused."""

    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        bad = (
            not math.isfinite(v)
            or v < lo
            or v > hi
            or (lo_open and v == lo)
            or (hi_open and v == hi)
        )
        if bad:
            left, right = "(" if lo_open else "[", ")" if hi_open else "]"
            why = "is not a finite number" if not math.isfinite(v) else "is out of range"
            raise argparse.ArgumentTypeError(
                f"{text} {why}; {what} must be in {left}{lo:g}, {hi:g}{right}"
            )
        return v

    left, right = "(" if lo_open else "[", ")" if hi_open else "]"
    parse.__doc__ = f"argparse type: {what}, a finite number in {left}{lo:g}, {hi:g}{right}."
    return parse


boot = int_range(1, MAX_BOOT, "the number of bootstrap resamples")
positive = int_range(1, None, "it")
digits = int_range(0, 15, "the number of decimals")
probability = float_range(0.0, 1.0, "a probability", lo_open=True, hi_open=True)
level = float_range(0.0, 1.0, "a confidence level", lo_open=True, hi_open=True)
unit = float_range(0.0, 1.0, "it")
