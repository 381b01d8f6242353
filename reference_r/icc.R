# Reference computations for src/nenaudit/stats/icc.py: psych::ICC (psych 2.2.9, Debian r-cran-psych).
# lmer = FALSE: the closed-form two-way ANOVA route (psych's default lmer = TRUE needs lme4,
# which is not installed, and estimates truncated variance components numerically).
# Runnable alone:  TZ=UTC Rscript reference_r/icc.R
# Sourced by tests/test_icc.py and src/nenaudit/parity/harness.py through rpy2.

suppressPackageStartupMessages(library(psych))

# One feature: x is an n x k numeric matrix (subjects x raters). Returns psych's six rows
# (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) as plain vectors, plus the mean squares.
icc_one <- function(x, alpha = 0.05) {
  x <- as.matrix(x)
  res <- psych::ICC(x, alpha = alpha, lmer = FALSE)
  r <- res$results
  st <- res$stats
  list(type = r$type, icc = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
       lower = r[["lower bound"]], upper = r[["upper bound"]],
       n_subjects = res$n.obs, n_raters = res$n.judge,
       ms_between = st["MS", "subjects"], ms_raters = st["MS", "Judges"],
       ms_error = st["MS", "Residual"], ms_within = res$MSW)
}

# Many features: values is the (n, k, p) array flattened in column-major order (as R's
# array() fills it). Each statistic comes back as a 6 x p matrix flattened column-major,
# i.e. feature by feature, six forms each.
icc_many <- function(values, n, k, p, alpha = 0.05) {
  a <- array(values, dim = c(n, k, p))
  fits <- lapply(seq_len(p), function(j) icc_one(a[, , j], alpha = alpha))
  pick <- function(s) as.vector(vapply(fits, function(f) as.numeric(f[[s]]), numeric(6)))
  pick1 <- function(s) vapply(fits, function(f) as.numeric(f[[s]]), numeric(1))
  list(icc = pick("icc"), F = pick("F"), df1 = pick("df1"), df2 = pick("df2"), p = pick("p"),
       lower = pick("lower"), upper = pick("upper"),
       ms_between = pick1("ms_between"), ms_raters = pick1("ms_raters"),
       ms_error = pick1("ms_error"), ms_within = pick1("ms_within"))
}

if (sys.nframe() == 0) {
  # Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges
  sf <- matrix(c(9, 6, 8, 7, 10, 6, 2, 1, 4, 1, 5, 2, 5, 3, 6, 2, 6, 4, 8, 2, 8, 6, 9, 7), ncol = 4)
  str(icc_one(sf))
  set.seed(1)
  a <- array(rnorm(20 * 2 * 3), dim = c(20, 2, 3))
  str(icc_many(as.vector(a), 20, 2, 3))
}
