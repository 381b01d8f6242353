"""Errors and warnings shared by the whole package: every error and warning class nenaudit raises.

Hard errors (bad input, a spec that does not validate) are exceptions; numerical trouble that R
reports as a warning (separation, non-convergence) is a ``StatisticalWarning`` and is also
recorded in the result objects. A procedure that cannot fit one bootstrap resample raises
:class:`FitFailure`, which the bootstrap counts by reason (it is not a user error).

Every class is imported from here, and from nowhere else (one name for each thing).
:class:`Terminated` (SIGTERM in the parent) is a ``BaseException``.
"""

import signal

__all__ = [
    "NenauditError",
    "SpecError",
    "DataError",
    "OutputError",
    "DraftInputError",
    "WorkerLost",
    "CaseError",
    "FAILURE_REASONS",
    "FitFailure",
    "RUnavailable",
    "AuditDefinitionError",
    "Terminated",
    "StatisticalWarning",
    "ConvergenceWarning",
    "SeparationWarning",
    "LeftOutWarning",
]


class NenauditError(ValueError):
    """Bad input refused at the boundary. The message is one line and says what to do."""


class SpecError(NenauditError):
    """A study spec that does not validate; the message names the field path."""


class DataError(NenauditError):
    """Bad user data (file, column, value); the CLI prints it on one line and exits 2."""


class OutputError(NenauditError):
    """An output path that cannot or must not be written; one line, exit 2."""


class DraftInputError(NenauditError):
    """A paper that cannot be drafted (empty, binary, a PDF, too large); one line saying what to give instead."""


class CaseError(NenauditError):
    """Why one case cannot be extracted (empty mask, mask outside the image, mismatched geometry...)."""


#: Why a bootstrap resample could not be used (:class:`FitFailure`, ``ResampleFailure.reason``).
FAILURE_REASONS = ("one_class", "separation", "non_convergence", "singular", "error")


class FitFailure(Exception):
    """Raised by a procedure to say why it could not fit (``reason`` in :data:`FAILURE_REASONS`)."""

    def __init__(self, reason: str, detail: str = ""):
        if reason not in FAILURE_REASONS:
            raise ValueError(f"reason must be one of {FAILURE_REASONS}, got {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class WorkerLost(Exception):
    """Worker processes kept dying (killed by the system, e.g. out of memory): ``lost`` tasks were not run."""

    def __init__(self, lost: int, breaks: int) -> None:
        super().__init__(
            f"a worker process was killed {breaks} times (by the system: out of memory?); "
            f"{lost} task(s) not run"
        )
        self.lost = lost
        self.breaks = breaks


class RUnavailable(RuntimeError):
    """R or rpy2 is not usable on this machine."""


class AuditDefinitionError(RuntimeError):
    """The audit's checks contradict each other (e.g. two findings with one id): a bug, not bad input."""


class Terminated(BaseException):
    """SIGTERM received (a BaseException, like KeyboardInterrupt: no ``except Exception`` swallows it).

    Raised in the parent by :func:`nenaudit.processes.handle_signals` (and by a running simulation).
    """

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


class StatisticalWarning(UserWarning):
    """A result was computed but needs care (R would print a warning)."""


class LeftOutWarning(StatisticalWarning):
    """Rows were left out of a summary (a missing group, missing or non-finite values); the result counts them."""


class ConvergenceWarning(StatisticalWarning):
    """An iterative fit stopped at its iteration limit or hit a boundary."""


class SeparationWarning(StatisticalWarning):
    """Fitted probabilities numerically 0 or 1 occurred (complete or quasi-complete separation)."""
