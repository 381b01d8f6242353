"""R's default sample quantiles, ``quantile(x, probs, type = 7)``: the one quantile of the package.

Used by the statistics (Table 1's median [IQR], the bootstrap percentile intervals, the
instability summaries) and by the modules above them (the simulation's seed spread, the synthetic
cohorts' printed medians).
"""

from __future__ import annotations

import numpy as np

from nenaudit.exceptions import NenauditError

__all__ = ["quantile7"]


def quantile7(x, probs) -> np.ndarray:
    """Sample quantiles by R's default definition (``quantile(x, probs, type = 7)``).

    ``h = 1 + (n - 1) p``; the result interpolates linearly between the order
    statistics ``x[floor(h)]`` and ``x[ceiling(h)]``, computed like R as
    ``(1 - f) x_lo + f x_hi`` only where the two differ. NaN values are refused
    (R's ``na.rm = FALSE``), so drop them first.

    References
    ----------
    Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat
    1996;50:361-365. doi:10.1080/00031305.1996.10473566 (definition 7).
    """
    xs = np.sort(np.asarray(x, dtype=float).ravel())
    if np.isnan(xs).any():
        raise NenauditError("quantile7: the sample contains NaN; drop missing values first")
    if xs.size == 0:
        raise NenauditError("quantile7: the sample is empty; quantiles need at least one value")
    p = np.atleast_1d(np.asarray(probs, dtype=float))
    if np.any((p < 0) | (p > 1)):
        raise NenauditError(f"quantile7: probabilities {p.tolist()} must lie in [0, 1]")
    index = 1 + (xs.size - 1) * p
    lo = np.floor(index).astype(int)
    hi = np.ceil(index).astype(int)
    qs = xs[lo - 1].copy()
    xhi = xs[hi - 1]
    i = (index > lo) & (xhi != qs)
    h = (index - lo)[i]
    qs[i] = (1 - h) * qs[i] + h * xhi[i]
    return qs
