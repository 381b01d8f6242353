"""Two-group comparisons for Table 1/2, by family (a re-export kept for the callers of ``stats.compare``).

* contingency tables: :mod:`nenaudit.stats.contingency` (``chisq.test``, ``fisher.test`` r x c);
* two samples of values: :mod:`nenaudit.stats.twosample` (``wilcox.test``, ``t.test``,
  ``shapiro.test``);
* Table 1 assembly: :mod:`nenaudit.stats.table1` (:func:`summarize`, :func:`summarize_overall`);
* R's ``quantile`` type 7: :func:`quantile7` (``stats._rbase``).
"""

from __future__ import annotations

from nenaudit.stats._rbase import quantile7
from nenaudit.stats.contingency import CHISQ_SMALL_EXPECTED, ContingencyTest, chisq_test, fisher_test
from nenaudit.stats.table1 import (
    DEFAULT_RULE,
    GroupCell,
    GroupComparison,
    SelectionRule,
    VariableComparison,
    summarize,
    summarize_overall,
)
from nenaudit.stats.twosample import RankSumTest, ShapiroWilk, TTest, mann_whitney, shapiro_wilk, t_test

__all__ = [
    "ContingencyTest",
    "chisq_test",
    "fisher_test",
    "CHISQ_SMALL_EXPECTED",
    "RankSumTest",
    "mann_whitney",
    "TTest",
    "t_test",
    "ShapiroWilk",
    "shapiro_wilk",
    "quantile7",
    "SelectionRule",
    "DEFAULT_RULE",
    "GroupCell",
    "VariableComparison",
    "GroupComparison",
    "summarize",
    "summarize_overall",
]
