# Reference computations for src/nenaudit/stats/discrimination.py: pROC plus base R.
# Runnable alone:  TZ=UTC Rscript reference_r/discrimination.R
# Sourced by tests/test_discrimination.py through rpy2.

suppressPackageStartupMessages(library(pROC))

# ---- summary-statistic functions (no patient data) ------------------------------------

# Hanley & McNeil (1982, doi:10.1148/radiology.143.1.7063747) SE of an AUC.
disc_hanley_mcneil_se <- function(auc, n_pos, n_neg) {
  q1 <- auc / (2 - auc)
  q2 <- 2 * auc^2 / (1 + auc)
  sqrt((auc * (1 - auc) + (n_pos - 1) * (q1 - auc^2) + (n_neg - 1) * (q2 - auc^2)) / (n_pos * n_neg))
}

# Monte Carlo check of Hanley-McNeil: under the negative-exponential model (controls Exp(1),
# cases Exp(lambda), lambda = 1/A - 1) their Q1 and Q2 hold exactly, so the formula is the
# exact variance of the Mann-Whitney AUC. Returns the simulated variance and its MC SE.
disc_hm_exponential_sim <- function(auc, n_pos, n_neg, reps = 4000, seed = 1) {
  set.seed(seed)
  lambda <- 1 / auc - 1
  a <- replicate(reps, {
    cases <- rexp(n_pos, rate = lambda)
    controls <- rexp(n_neg, rate = 1)
    (sum(rank(c(cases, controls))[seq_len(n_pos)]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
  })
  dev2 <- (a - mean(a))^2
  list(var = var(a), mc_se_var = sd(dev2) / sqrt(reps))
}

# Variance of a DeLong placement value, equal-variance binormal model with this AUC:
# integral of (pnorm(z + d) - auc)^2 dnorm(z), d = sqrt(2) qnorm(auc).
disc_binormal_placement_var <- function(auc) {
  d <- sqrt(2) * qnorm(auc)
  integrate(function(z) (pnorm(z + d) - auc)^2 * dnorm(z), -Inf, Inf,
            rel.tol = 1e-12, abs.tol = 1e-15)$value
}

disc_binormal_delong_se <- function(auc, n_pos, n_neg) {
  v <- disc_binormal_placement_var(auc)
  sqrt(v / n_pos + v / n_neg)
}

# Monte Carlo check of the binormal DeLong SE: mean of pROC's DeLong variance over simulated
# equal-variance binormal data sets, with its MC SE.
disc_binormal_delong_sim <- function(auc, n_pos, n_neg, reps = 300, seed = 1) {
  set.seed(seed)
  d <- sqrt(2) * qnorm(auc)
  v <- replicate(reps, {
    r <- roc(controls = rnorm(n_neg), cases = rnorm(n_pos, mean = d), direction = "<", quiet = TRUE)
    var(r, method = "delong")
  })
  list(mean_var = mean(v), mc_se = sd(v) / sqrt(reps))
}

# pROC's Wald interval from an AUC and an SE (the last step of ci.auc(method = "delong")).
disc_wald_ci <- function(auc, se, level = 0.95) {
  ci <- qnorm(c((1 - level) / 2, 1 - (1 - level) / 2), mean = auc, sd = se)
  pmin(pmax(ci, 0), 1)
}

if (sys.nframe() == 0) {
  print(disc_hanley_mcneil_se(0.8, 50, 70))
  str(disc_hm_exponential_sim(0.8, 50, 70, reps = 500))
  print(disc_binormal_delong_se(0.8, 50, 70))
  str(disc_binormal_delong_sim(0.8, 50, 70, reps = 50))
  print(disc_wald_ci(0.97, 0.02))
}
