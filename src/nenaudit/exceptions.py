"""Errors and warnings shared by the whole package.

Hard errors (bad input, a spec that does not validate) are exceptions; numerical
trouble that R reports as a warning (separation, non-convergence) is a
``StatisticalWarning`` and is also recorded in the result objects.
"""

__all__ = [
    "NenauditError", "SpecError", "ConvergenceError", "StatisticalWarning", "ConvergenceWarning",
    "SeparationWarning",
]


class NenauditError(ValueError):
    """Bad input refused at the boundary. The message is one line and says what to do."""


class SpecError(NenauditError):
    """A study spec that does not validate; the message names the field path."""


class ConvergenceError(NenauditError):
    """An iterative fit that could not produce a usable answer."""


class StatisticalWarning(UserWarning):
    """A result was computed but needs care (R would print a warning)."""


class ConvergenceWarning(StatisticalWarning):
    """An iterative fit stopped at its iteration limit or hit a boundary."""


class SeparationWarning(StatisticalWarning):
    """Fitted probabilities numerically 0 or 1 occurred (complete or quasi-complete separation)."""
