# Reference computations for stats/consistency.py (printed statistics and percentages), in base R.
# Runnable alone:  Rscript reference_r/consistency.R
# Sourced by tests/test_consistency.py through rpy2.

# p of a printed test statistic, as statcheck converts it: upper tail for chi-square and F,
# two-sided for t and z.
ref_p_from_statistic <- function(name, x, df = numeric(0)) {
  switch(name,
         chi2 = pchisq(x, df[1], lower.tail = FALSE),
         F = pf(x, df[1], df[2], lower.tail = FALSE),
         t = 2 * pt(abs(x), df[1], lower.tail = FALSE),
         z = 2 * pnorm(abs(x), lower.tail = FALSE))
}

# Percentages of a levels x groups count table: "column" over each group's size n (a printed
# group size, which may exceed the column sum when values are missing), "row" over each level's
# total, "total" over sum(n).
ref_percent_table <- function(m, how, n = colSums(m)) {
  switch(how,
         column = 100 * sweep(m, 2, n, "/"),
         row = 100 * prop.table(m, 1),
         total = 100 * m / sum(n))
}

# Which printed percentages (a matrix of the same shape, rounded to `digits`) round from each reading.
ref_percent_agrees <- function(m, printed, digits, n = colSums(m)) {
  sapply(c("column", "row", "total"), function(how)
    sum(abs(ref_percent_table(m, how, n) - printed) <= 0.5 * 10^-digits + 1e-9))
}

# Upper/lower log half-width ratio of the likelihood-ratio CI of a Poisson mean with m events (Wilks):
# on u = log(lambda / m), 2 m (exp(u) - 1 - u) = qchisq(level, 1).
ref_poisson_lr_log_asymmetry <- function(m, level = 0.95) {
  f <- function(u) 2 * m * (exp(u) - 1 - u) - qchisq(level, 1)
  up <- uniroot(f, c(0, 50), tol = 1e-14)$root
  lo <- uniroot(f, c(-50, 0), tol = 1e-14)$root
  up / -lo
}

# exp of the range of the log-centre (log(lo) + log(hi)) / 2 over the printed rounding of the CI bounds
ref_log_centre_range <- function(lo, hi, half) exp(c(log(lo - half) + log(hi - half), log(lo + half) + log(hi + half)) / 2)

# Ranges of the bounds est -+ qnorm(0.975) se over the rounding of est (he) and se (hs): c(lo_min, lo_max, hi_min, hi_max)
ref_wald_ci_bound_ranges <- function(est, se, he, hs) {
  lo <- outer(est + c(-he, he), qnorm(0.975) * (se + c(-hs, hs)), "-")
  hi <- outer(est + c(-he, he), qnorm(0.975) * (se + c(-hs, hs)), "+")
  c(min(lo), max(lo), min(hi), max(hi))
}

if (sys.nframe() == 0) {
  print(ref_p_from_statistic("chi2", 12.3, 2))
  m <- matrix(c(40, 22, 8, 12, 14, 9, 6, 9, 10), 3)
  print(round(ref_percent_table(m, "row"), 1))
}
