"""Reductions whose result does not depend on the CPU or the BLAS kernel.

A BLAS product (``X @ b``) sums in an order chosen by the kernel OpenBLAS picks for the CPU (and
within one call, the rows handled by the vector body and by the remainder loop may be summed
differently), so its last bits change from one machine to the next, and two equal rows may get
linear predictors one unit in the last place apart. Wherever such a value is ranked (an AUC, a
sort) or compared (a search's accept/reject), :func:`linear_predictor` is used instead: every row
is summed left to right with one IEEE multiply and one add per term (numpy's element-wise ufuncs,
exactly rounded, never fused), so the bits are the same on any x86-64 CPU and equal rows give equal
values.
"""

from __future__ import annotations

import numpy as np

__all__ = ["linear_predictor"]


def linear_predictor(x, coef, intercept: float = 0.0) -> np.ndarray:
    """``intercept + x @ coef`` summed row by row in column order: ``((b0 + x1 b1) + x2 b2) + ...``.

    R: ``drop(b0 + X %*% b)`` (``predict.glm(type = "link")``), equal to it to rounding; the order of
    the sum is fixed here (R's own ``%*%`` calls the BLAS ``dgemm``, whose order is the kernel's)."""
    xm = np.asarray(x, dtype=float)
    b = np.asarray(coef, dtype=float).ravel()
    if xm.ndim != 2 or xm.shape[1] != b.size:
        raise ValueError(f"linear_predictor: x of shape {xm.shape} and {b.size} coefficients")
    out = np.full(xm.shape[0], float(intercept))
    for j in range(b.size):
        out = out + xm[:, j] * b[j]
    return out
