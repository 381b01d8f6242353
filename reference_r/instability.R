# Reference computations for src/nenaudit/stats/instability.py: Riley & Collins' (Biometrical
# Journal 2023, doi:10.1002/bimj.202200302) instability measures in base R, from the same B x n
# matrix of bootstrap predictions on the original data (pminternal, which draws these plots, is
# not packaged here; its definitions are written out below).
# Runnable alone:  TZ=UTC Rscript reference_r/instability.R
# Sourced by tests/test_instability.py through rpy2 (after reference_r/dca.R).

# y: 0/1 outcome (n); p: the original model's risks (n); P: B x n bootstrap models' risks on the
# original data; t: classification threshold; grid: calibration grid; thresholds: net-benefit grid.
instability_base <- function(y, p, P, t, grid, thresholds) {
  B <- nrow(P)
  mape_i <- colMeans(abs(sweep(P, 2, p)))
  q <- apply(P, 2, quantile, probs = c(0.025, 0.975), type = 7, names = FALSE)
  cii_i <- colMeans(sweep(P >= t, 2, p >= t, FUN = "!="))
  curve <- function(pr) {  # rms::calibrate's smoother, read off the grid (NA outside, rule = 1)
    s <- lowess(pr, y, iter = 0)
    approx(s$x, s$y, xout = grid, ties = function(x) x[1])$y
  }
  orig <- curve(p)
  curves <- t(apply(P, 1, curve))
  nb <- t(apply(P, 1, function(pr) dca_base(y, pr, thresholds)$model))
  nq <- apply(nb, 2, quantile, probs = c(0.025, 0.975), type = 7, names = FALSE)
  list(mape_i = mape_i, mape = mean(mape_i), lower = q[1, ], upper = q[2, ], cii_i = cii_i, cii = mean(cii_i),
       cal_orig = orig, curves = curves, cal_mad = mean(abs(sweep(curves, 2, orig)), na.rm = TRUE),
       nb0 = dca_base(y, p, thresholds)$model, nb = nb, nb_lower = nq[1, ], nb_upper = nq[2, ])
}

# Bootstrap inclusion frequency of each name in `names` over the list of selected sets.
selection_base <- function(sets, names) rowMeans(matrix(sapply(sets, function(s) names %in% s), nrow = length(names)))

if (sys.nframe() == 0) {
  source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "dca.R"))
  set.seed(1)
  n <- 60; B <- 20
  x <- rnorm(n); y <- rbinom(n, 1, plogis(x))
  p <- plogis(x)
  P <- t(replicate(B, plogis(x * runif(1, 0.5, 1.5) + rnorm(1, 0, 0.3))))
  str(instability_base(y, p, P, 0.5, seq(0.2, 0.8, length = 10), seq(0.01, 0.99, by = 0.01))[c("mape", "cii", "cal_mad")])
  print(selection_base(list(c("a", "b"), "a", character(0)), c("a", "b", "c")))
}
