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

# ---- full-data functions (pROC) --------------------------------------------------------

# pROC's ROC, AUC, DeLong placements/variance and DeLong CI. y is 0/1 (0 = control).
disc_roc <- function(y, score, direction = "auto", level = 0.95) {
  r <- roc(response = y, predictor = score, levels = c(0, 1), direction = direction, quiet = TRUE)
  pl <- pROC:::delongPlacements(r)
  ci <- ci.auc(r, conf.level = level, method = "delong")
  list(auc = as.numeric(r$auc), direction = r$direction, var = var(r, method = "delong"),
       case_placements = pl$X, control_placements = pl$Y, ci = as.numeric(ci))
}

# Bootstrap percentile CI on given resamples: `idx` holds 1-based row numbers, one resample
# per row. For each resample the AUC is pROC's, with the direction fixed at the one chosen on
# the full data (as ci.auc's bootstrap does); NA resamples (one class missing) are dropped and
# quantile() (type 7) is taken, as in pROC:::ci.auc.bootstrap.
disc_boot_ci <- function(y, score, idx, direction, level = 0.95) {
  aucs <- apply(idx, 1, function(i) {
    yy <- y[i]
    ss <- score[i]
    if (!any(yy == 0) || !any(yy == 1)) return(NA_real_)
    as.numeric(roc(controls = ss[yy == 0], cases = ss[yy == 1], direction = direction, quiet = TRUE)$auc)
  })
  ok <- aucs[!is.na(aucs)]
  list(ci = unname(quantile(ok, c((1 - level) / 2, 0.5, 1 - (1 - level) / 2))), sd = sd(ok),
       n_dropped = sum(is.na(aucs)), aucs = aucs)
}

# Paired DeLong test, each ROC with pROC's automatic direction.
disc_roc_test <- function(y, score1, score2, alternative = "two.sided", level = 0.95) {
  r1 <- roc(response = y, predictor = score1, levels = c(0, 1), quiet = TRUE)
  r2 <- roc(response = y, predictor = score2, levels = c(0, 1), quiet = TRUE)
  t <- suppressWarnings(roc.test(r1, r2, method = "delong", paired = TRUE,
                                 alternative = alternative, conf.level = level))
  list(z = unname(t$statistic), p = t$p.value, ci = as.numeric(t$conf.int),
       auc = unname(as.numeric(t$estimate)), directions = c(r1$direction, r2$direction))
}

# coords(roc, "best", best.method = "youden"): every tied row, in pROC's order.
disc_youden <- function(y, score, direction = "auto") {
  r <- roc(response = y, predictor = score, levels = c(0, 1), direction = direction, quiet = TRUE)
  co <- coords(r, "best", best.method = "youden",
               ret = c("threshold", "sensitivity", "specificity", "ppv", "npv", "youden"),
               transpose = FALSE)
  list(threshold = co$threshold, sensitivity = co$sensitivity, specificity = co$specificity,
       ppv = co$ppv, npv = co$npv, youden = co$youden, direction = r$direction)
}

if (sys.nframe() == 0) {
  print(disc_hanley_mcneil_se(0.8, 50, 70))
  str(disc_hm_exponential_sim(0.8, 50, 70, reps = 500))
  print(disc_binormal_delong_se(0.8, 50, 70))
  str(disc_binormal_delong_sim(0.8, 50, 70, reps = 50))
  print(disc_wald_ci(0.97, 0.02))
  set.seed(1)
  y <- rbinom(60, 1, 0.4)
  s <- round(rnorm(60) + y, 1)
  str(disc_roc(y, s))
  idx <- t(replicate(200, c(sample(which(y == 0), replace = TRUE), sample(which(y == 1), replace = TRUE))))
  str(disc_boot_ci(y, s, idx, "<")[1:3])
  str(disc_roc_test(y, s, s + rnorm(60)))
  str(disc_youden(y, s))
}

# ROC curve coordinates as pROC stores them (thresholds increasing).
disc_roc_coords <- function(y, score, direction = "auto") {
  r <- roc(response = y, predictor = score, levels = c(0, 1), direction = direction, quiet = TRUE)
  list(thresholds = r$thresholds, sensitivities = r$sensitivities,
       specificities = r$specificities, direction = r$direction, auc = as.numeric(r$auc))
}

# The warnings pROC's ci.auc gives (e.g. "... AUC == 1 is always 1-1 and can be misleading."),
# and the CI itself; boot.n resamples when method = "bootstrap".
disc_ci_warnings <- function(y, score, method = "delong", boot_n = 2000) {
  r <- roc(response = y, predictor = score, levels = c(0, 1), direction = "<", quiet = TRUE)
  msgs <- character(0)
  ci <- withCallingHandlers(
    ci.auc(r, method = method, boot.n = boot_n, progress = "none"),
    warning = function(w) {
      msgs <<- c(msgs, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  list(warnings = msgs, ci = as.numeric(ci))
}
