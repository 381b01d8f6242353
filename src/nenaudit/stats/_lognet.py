"""A compiled binomial lasso path with glmnet's iterations (the solver of :mod:`.lasso`).

What it computes is ``glmnet(x, y, family = "binomial")`` with alpha = 1, unit penalty factors,
no coefficient bounds, no offset, ``standardize = TRUE``, ``intercept = TRUE`` and
``type.logistic = "Newton"``: the same path, lambda by lambda and pass by pass, as glmnet's own
two-class solver. The algorithm is the one described by Friedman, Hastie and Tibshirani (2010),
sections 2-3 (coordinate descent on the penalized weighted least-squares approximation of the
log-likelihood, an outer Newton loop, warm starts along a decreasing lambda grid) with the
sequential strong rule of Tibshirani et al. (2012), written here in the order glmnet applies its
steps, because glmnet's stopping rule (``thresh = 1e-7`` on the largest weighted squared
coefficient change of a pass, scaled by the null deviance) stops 1e-4 short of the optimum and
only the same sequence of passes gives R's numbers:

1. Observation weights 1/n; each column centred and scaled by its weighted (population) SD.
2. Null model: intercept logit(ybar), working weights v = ybar (1 - ybar) / n, residuals
   r = (y - ybar) / n; the null deviance; ``|<r, x_j>|`` for the strong rule.
3. Lambda grid: lambda_max = max_j |<r, x_j>| (the first lambda is reported as 9.9e35 and
   repaired by the caller), then geometric steps down to ``lambda_min_ratio * lambda_max``; or the
   user's grid.
4. At each lambda the strong set gains every feature with ``|<r, x_j>| > 2 lambda - lambda_prev``;
   then, until the Newton step and the KKT check are settled: per-feature curvatures
   ``sum v x_j^2`` on the strong set; coordinate passes over the strong set, each followed by
   passes over the active set until a pass moves no coefficient by more than the threshold
   (``max v_j d_j^2 < thresh * nulldev``, the intercept included); new probabilities (clamped at
   logit +-log(1/1e-9 - 1)); if neither the intercept nor any active coefficient moved by more
   than the threshold since the last Newton step, the features outside the strong set are
   checked against ``|<r, x_j>| <= lambda`` and the violators join it.
5. The path stops early as R's glmnet 4.1 (glmnetpp) does: after at least 5 lambdas of a default
   grid, when the deviance ratio exceeds 0.999 or grows by less than 1e-5, or when the working
   weights vanish (sum v <= 1e-9 (1 + 1e-9)(1 - 1e-9)). glmnet's Fortran (python-glmnet, the
   tests' oracle) checks the weights first, so on a user grid over separated data it stops earlier than
   R; this kernel follows R.

Only the summation order of the inner products differs from glmnet's (eight lanes, written as one
LLVM vector: see "Lane sums" below), so the numbers agree with R to rounding, about 1e-13
(``tests/test_lasso.py``), not bit for bit; they are the same bits on every x86-64 CPU
(``tests/test_lognet_lanes.py``). The kernel releases the GIL: the K + 1 fits of a
cross-validation run on threads.

References
----------
Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear models via
coordinate descent. J Stat Softw 2010;33(1):1-22. doi:10.18637/jss.v033.i01
Tibshirani R, Bien J, Friedman J, Hastie T, Simon N, Taylor J, Tibshirani RJ. Strong rules for
discarding predictors in lasso-type problems. J R Stat Soc B 2012;74:245-266.
doi:10.1111/j.1467-9868.2011.01004.x
"""

from __future__ import annotations

import math

import numpy as np

from nenaudit.exceptions import NenauditError

try:
    import numba
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic
except ImportError:  # pragma: no cover - numba is a dependency; a broken install says what to do
    numba = None

__all__ = ["lognet_path", "warm"]

# glmnet.control() defaults (R glmnet 4.1): fdev, eps, big, mnlam, devmax, pmin
_FDEV = 1e-5
_EPS = 1e-6
_BIG = 9.9e35
_MNLAM = 5
_DEVMAX = 0.999
_PMIN = 1e-9


def _jit(fn):
    """Compiled once per machine and cached next to this file; the GIL is released while it runs;
    no fast-math (the summation order is the one written, whatever the CPU)."""
    if numba is None:
        return fn
    return numba.njit(cache=True, nogil=True, fastmath=False)(fn)


# ---------------------------------------------------------------------------------------
# Lane sums. An inner product of n terms is summed in a fixed number of lanes: term i goes to lane
# i mod W for the whole blocks of W terms, the remaining terms to lane 0 in order, and the lanes are
# added in a fixed tree. The lanes are one LLVM vector <W x double> (plain fmul/fadd, no fast-math
# flags, no fused multiply-add), which the code generator splits into the registers the CPU has
# (one zmm, two ymm, four xmm or scalars): lane i's arithmetic is the same IEEE operations in the
# same order on every CPU, so the sums are the same bits with AVX-512, AVX2 or generic x86-64.
# numba's loop vectorizer cannot do this (it does not reorder a floating-point reduction without
# fast-math) and its SLP vectorizer is off (numba issue 8705); hence the vector type written out.
# ``tests/test_lognet_lanes.py`` checks the bits against a Python re-implementation of the order.
# ---------------------------------------------------------------------------------------

_F64 = ir.DoubleType()
_I64 = ir.IntType(64)
_I32 = ir.IntType(32)


def _lane_codegen(width: int, n_arrays: int, term):
    """IR of ``sum_i term(a_i, b_i, ...)`` over the first ``n`` elements of ``n_arrays`` contiguous
    float64 arrays, in ``width`` lanes (see above); the lanes are combined pairwise
    ``((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7))`` for 8 and ``(l0 + l1) + (l2 + l3)`` for 4."""
    vty = ir.VectorType(_F64, width)

    def codegen(context, builder, sig, args):
        ptrs = [
            context.make_array(sig.args[k])(context, builder, args[k]).data for k in range(n_arrays)
        ]
        n = args[n_arrays]
        blocks = builder.sdiv(n, ir.Constant(_I64, width))
        acc = cgutils.alloca_once_value(builder, ir.Constant(vty, [0.0] * width))
        with cgutils.for_range(builder, blocks, intp=_I64) as loop:
            off = builder.mul(loop.index, ir.Constant(_I64, width))
            vals = [
                builder.load(
                    builder.gep(p, [off], inbounds=True, source_etype=_F64), typ=vty, align=8
                )
                for p in ptrs
            ]
            builder.store(builder.fadd(builder.load(acc), term(builder, *vals)), acc)
        lanes_v = builder.load(acc)
        lane0 = cgutils.alloca_once_value(
            builder, builder.extract_element(lanes_v, ir.Constant(_I32, 0))
        )
        start = builder.mul(blocks, ir.Constant(_I64, width))
        with cgutils.for_range_slice(builder, start, n, ir.Constant(_I64, 1), intp=_I64) as (i, _):
            vals = [
                builder.load(builder.gep(p, [i], inbounds=True, source_etype=_F64), typ=_F64)
                for p in ptrs
            ]
            builder.store(builder.fadd(builder.load(lane0), term(builder, *vals)), lane0)
        s = [builder.load(lane0)] + [
            builder.extract_element(lanes_v, ir.Constant(_I32, k)) for k in range(1, width)
        ]
        add = builder.fadd
        if width == 8:
            return add(add(add(s[0], s[4]), add(s[1], s[5])), add(add(s[2], s[6]), add(s[3], s[7])))
        return add(add(s[0], s[1]), add(s[2], s[3]))

    return codegen


def _update_codegen(width: int, n_in: int, op):
    """IR of ``out_i = op(d, out_i, in1_i, ...)`` for i < n, ``width`` elements at a time; arguments
    ``(out, d, in1, ..., n)``. Elementwise: each element gets the same operations as in a scalar loop,
    whatever the vector width."""
    vty = ir.VectorType(_F64, width)

    def codegen(context, builder, sig, args):
        arrays = [0, *range(2, 2 + n_in)]
        ptrs = [context.make_array(sig.args[k])(context, builder, args[k]).data for k in arrays]
        d, n = args[1], args[2 + n_in]
        dd = ir.Constant(vty, ir.Undefined)
        for k in range(width):
            dd = builder.insert_element(dd, d, ir.Constant(_I32, k))
        blocks = builder.sdiv(n, ir.Constant(_I64, width))
        with cgutils.for_range(builder, blocks, intp=_I64) as loop:
            off = builder.mul(loop.index, ir.Constant(_I64, width))
            qs = [builder.gep(p, [off], inbounds=True, source_etype=_F64) for p in ptrs]
            vals = [builder.load(q, typ=vty, align=8) for q in qs]
            builder.store(op(builder, dd, *vals), builder.bitcast(qs[0], vty.as_pointer()), align=8)
        start = builder.mul(blocks, ir.Constant(_I64, width))
        with cgutils.for_range_slice(builder, start, n, ir.Constant(_I64, 1), intp=_I64) as (i, _):
            qs = [builder.gep(p, [i], inbounds=True, source_etype=_F64) for p in ptrs]
            vals = [builder.load(q, typ=_F64) for q in qs]
            builder.store(op(builder, d, *vals), qs[0])
        return context.get_dummy_value()

    return codegen


def _contiguous(*arrays) -> bool:
    return all(
        isinstance(t, types.Array) and t.ndim == 1 and t.layout == "C" and t.dtype == types.float64
        for t in arrays
    )


if numba is not None:

    @intrinsic
    def _dot8(typingctx, a, b, n):
        """``sum a_i b_i`` over i < n in 8 lanes."""
        if not (_contiguous(a, b) and isinstance(n, types.Integer)):
            return None
        return types.float64(a, b, types.int64), _lane_codegen(
            8, 2, lambda bld, x, y: bld.fmul(x, y)
        )

    @intrinsic
    def _sum8(typingctx, a, n):
        """``sum a_i`` over i < n in 8 lanes."""
        if not (_contiguous(a) and isinstance(n, types.Integer)):
            return None
        return types.float64(a, types.int64), _lane_codegen(8, 1, lambda bld, x: x)

    @intrinsic
    def _wdot4(typingctx, v, a, n):
        """``sum v_i (a_i a_i)`` over i < n in 4 lanes."""
        if not (_contiguous(v, a) and isinstance(n, types.Integer)):
            return None
        return types.float64(v, a, types.int64), _lane_codegen(
            4, 2, lambda bld, x, y: bld.fmul(x, bld.fmul(y, y))
        )

    @intrinsic
    def _residual_update(typingctx, r, d, v, x, n):
        """``r_i = r_i - (d * v_i) * x_i`` for i < n."""
        if not (_contiguous(r, v, x) and isinstance(d, types.Float)):
            return None
        return types.void(r, types.float64, v, x, types.int64), _update_codegen(
            8, 2, lambda bld, dd, ri, vi, xi: bld.fsub(ri, bld.fmul(bld.fmul(dd, vi), xi))
        )

    @intrinsic
    def _scaled_sub(typingctx, r, d, v, n):
        """``r_i = r_i - d * v_i`` for i < n."""
        if not (_contiguous(r, v) and isinstance(d, types.Float)):
            return None
        return types.void(r, types.float64, v, types.int64), _update_codegen(
            8, 1, lambda bld, dd, ri, vi: bld.fsub(ri, bld.fmul(dd, vi))
        )

    @intrinsic
    def _axpy(typingctx, e, d, x, n):
        """``e_i = e_i + d * x_i`` for i < n."""
        if not (_contiguous(e, x) and isinstance(d, types.Float)):
            return None
        return types.void(e, types.float64, x, types.int64), _update_codegen(
            8, 1, lambda bld, dd, ei, xi: bld.fadd(ei, bld.fmul(dd, xi))
        )

else:  # pragma: no cover - numba is a dependency
    _dot8 = _sum8 = _wdot4 = _residual_update = _scaled_sub = _axpy = None


@_jit
def dot8(a, b, n):
    """``sum_{i<n} a_i b_i`` in 8 lanes (callable from Python, for the tests)."""
    return _dot8(a, b, n)


@_jit
def sum8(a, n):
    """``sum_{i<n} a_i`` in 8 lanes."""
    return _sum8(a, n)


@_jit
def wdot2(v, a, n):
    """``sum_{i<n} v_i a_i^2`` in 4 lanes."""
    return _wdot4(v, a, n)


@_jit
def residual_update(r, d, v, x, n):
    """``r_i = r_i - (d * v_i) * x_i`` for i < n (callable from Python, for the tests)."""
    _residual_update(r, d, v, x, n)


@_jit
def scaled_sub(r, d, v, n):
    """``r_i = r_i - d * v_i`` for i < n."""
    _scaled_sub(r, d, v, n)


@_jit
def axpy(e, d, x, n):
    """``e_i = e_i + d * x_i`` for i < n."""
    _axpy(e, d, x, n)


@_jit
def coordinate_pass(order, count, b, r, v, xt, xv, al1, mm, m, nin):
    """One cycle of coordinate updates over ``order[:count]``: soft-thresholded Newton steps on the
    weighted least-squares approximation, residuals ``r`` kept current; a feature that moves for the
    first time joins the active set (``m``, in the order of entry). Returns (largest ``xv_k d_k^2``, nin)."""
    no = r.size
    dlx = 0.0
    for t in range(count):
        k = order[t]
        bk = b[k]
        xk = xt[k]
        u = _dot8(r, xk, no) + xv[k] * bk
        au = abs(u) - al1
        if au <= 0.0:
            b[k] = 0.0
        else:
            b[k] = math.copysign(au, u) / xv[k]
        d = b[k] - bk
        if abs(d) <= 0.0:
            continue
        dlx = max(dlx, xv[k] * d * d)
        _residual_update(r, d, v, xk, no)
        if mm[k] == 0:
            m[nin] = k
            nin += 1
            mm[k] = nin
    return dlx, nin


@_jit
def intercept_step(r, v, xmz, b0, dlx):
    """The intercept's Newton step after a cycle (``sum r / sum v``), residuals updated; (b0, dlx)."""
    no = r.size
    d = _sum8(r, no) / xmz
    if d != 0.0:
        b0 = b0 + d
        dlx = max(dlx, xmz * d * d)
        _scaled_sub(r, d, v, no)
    return b0, dlx


@_jit
def kernel(xt, y, flmin, ulam, nlam, thr, maxit):
    ni, no = xt.shape
    w = 1.0 / no
    # glmnet's chkvars: a column with a single value takes no part
    ju = np.zeros(ni, dtype=np.int8)
    for j in range(ni):
        x0 = xt[j, 0]
        for i in range(1, no):
            if xt[j, i] != x0:
                ju[j] = 1
                break
    # standardize (weighted mean and population SD), in place
    xm = np.zeros(ni)
    xs = np.ones(ni)
    for j in range(ni):
        if ju[j] == 0:
            continue
        s = 0.0
        for i in range(no):
            s += w * xt[j, i]
        xm[j] = s
        for i in range(no):
            xt[j, i] = xt[j, i] - s
        s = 0.0
        for i in range(no):
            s += w * (xt[j, i] * xt[j, i])
        sd = math.sqrt(s)
        xs[j] = sd
        for i in range(no):
            xt[j, i] = xt[j, i] / sd

    fmax = math.log(1.0 / _PMIN - 1.0)
    fmin = -fmax
    vmin = (1.0 + _PMIN) * _PMIN * (1.0 - _PMIN)
    lam_out = np.zeros(nlam)
    a0_out = np.zeros(nlam)
    dev_out = np.zeros(nlam)
    beta = np.zeros((nlam, ni))  # standardized scale, filled per lambda
    nin_out = np.zeros(nlam, dtype=np.int64)
    q0 = 0.0
    for i in range(no):
        q0 += w * y[i]
    if q0 <= _PMIN:
        return (
            0,
            lam_out,
            a0_out,
            beta,
            dev_out,
            0.0,
            0,
            8001,
            xm,
            xs,
            np.zeros(ni, dtype=np.int64),
            nin_out,
        )
    if q0 >= 1.0 - _PMIN:
        return (
            0,
            lam_out,
            a0_out,
            beta,
            dev_out,
            0.0,
            0,
            9001,
            xm,
            xs,
            np.zeros(ni, dtype=np.int64),
            nin_out,
        )

    b = np.zeros(ni)
    bs = np.zeros(ni)
    xv = np.zeros(ni)
    ga = np.zeros(ni)
    mm = np.zeros(ni, dtype=np.int64)  # position + 1 in the entry order, 0 = never entered
    m = np.zeros(ni, dtype=np.int64)  # features in the order they entered
    ixx = np.zeros(ni, dtype=np.int8)  # strong set
    r = np.empty(no)
    v = np.empty(no)
    q = np.empty(no)
    eta = np.empty(no)
    bz = math.log(q0 / (1.0 - q0))
    vi = q0 * (1.0 - q0)
    b0 = bz
    for i in range(no):
        v[i] = vi * w
        r[i] = w * (y[i] - q0)
        q[i] = q0
    xmz = vi
    dev1 = -(bz * q0 + math.log(1.0 - q0))
    dev0 = dev1  # y is 0/1: the saturated model's terms are 0
    alf = 1.0
    if flmin < 1.0:
        eqs = max(_EPS, flmin)
        alf = eqs ** (1.0 / (nlam - 1))
    nin = 0
    nlp = 0
    jerr = 0
    lmu = 0
    mnl = min(_MNLAM, nlam)
    shr = thr * dev0
    for j in range(ni):
        if ju[j] != 0:
            ga[j] = abs(_dot8(r, xt[j], no))
    al = 0.0
    for ilm in range(nlam):
        al0 = al
        if flmin >= 1.0:
            al = ulam[ilm]
        elif ilm > 1:
            al = al * alf
        elif ilm == 0:
            al = _BIG
        else:
            al0 = 0.0
            for j in range(ni):
                if ju[j] != 0:
                    al0 = max(al0, ga[j])
            al = alf * al0  # alpha = 1: glmnet divides lambda_max by max(alpha, 1e-3) = 1
        al1 = al
        tlam = 2.0 * al - al0
        for k in range(ni):
            if ixx[k] == 1 or ju[k] == 0:
                continue
            if ga[k] > tlam:
                ixx[k] = 1
        stop = False
        while True:  # the strong set grows (glmnet's "again")
            regrow = False
            while True:  # Newton steps
                bs0 = b0
                for l in range(nin):
                    bs[m[l]] = b[m[l]]
                for j in range(ni):
                    if ixx[j] > 0:
                        xv[j] = _wdot4(v, xt[j], no)
                strong = np.flatnonzero(ixx)  # in feature order, as glmnet cycles
                while True:  # a pass over the strong set, then passes over the active set
                    nlp += 1
                    dlx, nin = coordinate_pass(
                        strong, strong.size, b, r, v, xt, xv, al1, mm, m, nin
                    )
                    b0, dlx = intercept_step(r, v, xmz, b0, dlx)
                    if dlx < shr:
                        break
                    if nlp > maxit:
                        return (
                            lmu,
                            lam_out,
                            a0_out,
                            beta,
                            dev_out,
                            (2.0 * no) * dev0,
                            nlp,
                            -(ilm + 1),
                            xm,
                            xs,
                            m,
                            nin_out,
                        )
                    while True:
                        nlp += 1
                        dlx, nin = coordinate_pass(m, nin, b, r, v, xt, xv, al1, mm, m, nin)
                        b0, dlx = intercept_step(r, v, xmz, b0, dlx)
                        if dlx < shr:
                            break
                        if nlp > maxit:
                            return (
                                lmu,
                                lam_out,
                                a0_out,
                                beta,
                                dev_out,
                                (2.0 * no) * dev0,
                                nlp,
                                -(ilm + 1),
                                xm,
                                xs,
                                m,
                                nin_out,
                            )
                # new probabilities and working weights
                for i in range(no):
                    eta[i] = 0.0
                for l in range(nin):
                    k = m[l]
                    _axpy(eta, b[k], xt[k], no)
                xmz = 0.0
                for i in range(no):
                    fi = b0 + eta[i]
                    if fi < fmin:
                        q[i] = 0.0
                    elif fi > fmax:
                        q[i] = 1.0
                    else:
                        q[i] = 1.0 / (1.0 + math.exp(-fi))
                    v[i] = w * q[i] * (1.0 - q[i])
                    xmz += v[i]
                if xmz <= vmin:
                    stop = True
                    break
                for i in range(no):
                    r[i] = w * (y[i] - q[i])
                if xmz * (b0 - bs0) * (b0 - bs0) < shr:
                    moved = False
                    for l in range(nin):
                        k = m[l]
                        if xv[k] * (b[k] - bs[k]) * (b[k] - bs[k]) < shr:
                            continue
                        moved = True
                        break
                    if not moved:
                        for k in range(ni):
                            if ixx[k] == 1 or ju[k] == 0:
                                continue
                            ga[k] = abs(_dot8(r, xt[k], no))
                            if ga[k] > al1:
                                ixx[k] = 1
                                regrow = True
                        break
            if regrow and not stop:
                continue
            break
        for l in range(nin):
            beta[ilm, m[l]] = b[m[l]]
        nin_out[ilm] = nin
        a0_out[ilm] = b0
        lam_out[ilm] = al
        lmu = ilm + 1
        pmax = 1.0 - _PMIN
        devi = 0.0
        for i in range(no):
            pi = min(max(_PMIN, q[i]), pmax)
            devi = devi - w * (y[i] * math.log(pi) + (1.0 - y[i]) * math.log(1.0 - pi))
        dev_out[ilm] = (dev1 - devi) / dev0
        # glmnetpp's order (R glmnet 4.1): the first 5 lambdas and a user grid always go on; then
        # the deviance rules; vanished working weights stop the path last (glmnet's Fortran
        # checked them first, so on a user grid R 4.1 goes further than the Fortran does)
        if ilm + 1 < mnl:
            continue
        if flmin >= 1.0:
            continue
        if dev_out[ilm] > _DEVMAX:
            break
        if dev_out[ilm] - dev_out[ilm - 1] < _FDEV:
            break
        if xmz <= vmin:
            break
    return lmu, lam_out, a0_out, beta, dev_out, (2.0 * no) * dev0, nlp, jerr, xm, xs, m, nin_out


@_jit
def unscale(beta, a0, xm, xs, order, nin, lmu):
    """Coefficients back on the features' own scale, as glmnet's lognet does after the solver:
    ``beta_j / sd_j`` and the intercept ``a0 - sum_j beta_j mean_j / sd_j`` (in the order of entry)."""
    p = beta.shape[1]
    coef = np.zeros((lmu, p))
    icpt = np.empty(lmu)
    for l in range(lmu):
        s = 0.0
        for t in range(nin[l]):
            j = order[t]
            c = beta[l, j] / xs[j]
            coef[l, j] = c
            s += c * xm[j]
        icpt[l] = a0[l] - s
    return coef, icpt


def _kernel():
    if numba is None:
        raise NenauditError("the lasso needs the numba package: pip install numba")
    return kernel


def lognet_path(
    xt: np.ndarray,
    y: np.ndarray,
    *,
    flmin: float,
    ulam: np.ndarray | None,
    nlam: int,
    thresh: float,
    maxit: int,
):
    """One binomial lasso path on ``xt`` (p, n), a C-ordered float64 copy that is overwritten.

    ``flmin`` is glmnet's ``lambda.min.ratio`` (1.0 with a user grid ``ulam``, decreasing).
    Returns ``(lambdas, intercept, coef (L, p), dev_ratio, nulldev, npasses, jerr)`` on the
    original scale of the features, as :func:`nenaudit.stats.lasso._fit_raw` does (the first
    lambda of a default grid still 9.9e35, repaired by the caller as ``glmnet:::fix.lam``).
    jerr follows glmnet's codes (8001/9001: a class below 1e-9; -k: no convergence at the k-th
    lambda within ``maxit`` passes, the solutions for the larger lambdas returned).
    """
    kern = _kernel()
    xt = np.ascontiguousarray(xt, dtype=float)
    yy = np.ascontiguousarray(y, dtype=float)
    grid = np.zeros(max(int(nlam), 1)) if ulam is None else np.ascontiguousarray(ulam, dtype=float)
    nl = int(nlam) if ulam is None else int(grid.size)
    lmu, lam, a0, beta, dev, nulldev, nlp, jerr, xm, xs, order, nin = kern(
        xt, yy, float(flmin), grid, nl, float(thresh), int(maxit)
    )
    coef, icpt = unscale(beta, a0, xm, xs, order, nin, int(lmu))
    return lam[:lmu].copy(), icpt, coef, dev[:lmu].copy(), float(nulldev), int(nlp), int(jerr)


def warm() -> None:
    """Compile the kernel now (or load it from numba's cache) for the argument types
    :func:`lognet_path` passes, so that the first lasso of a run does not pay the compilation
    (``make venv`` and ``make venv-run`` call this once after installing). The cache sits beside this
    file (or in numba's user cache directory when that is read-only) and is keyed on this file's
    timestamp and on the CPU model and features the code was compiled for, so a copy never runs code
    compiled for another CPU."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 24))
    y = np.r_[np.zeros(12), np.ones(12)]
    x[0] += y
    lognet_path(x, y, flmin=1e-4, ulam=None, nlam=5, thresh=1e-7, maxit=1000)
    lognet_path(x.copy(), y, flmin=1.0, ulam=np.array([0.1, 0.01]), nlam=2, thresh=1e-7, maxit=1000)
