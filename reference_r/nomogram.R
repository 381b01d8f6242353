# Reference for src/nenaudit/stats/nomogram.py: rms::nomogram on an lrm fit.
# Runnable alone:  TZ=UTC Rscript reference_r/nomogram.R
# Sourced by tests/test_nomogram.py through rpy2.

suppressPackageStartupMessages(library(rms))

# d: data frame with outcome y and numeric predictors `vars`; axes: named list of axis values.
nomogram_points <- function(d, vars, axes, probs = c(0.1, 0.5, 0.9)) {
  dd <- datadist(d)
  assign("nenaudit_dd", dd, envir = globalenv())
  old <- options(datadist = "nenaudit_dd")
  on.exit(options(old))
  # lrm.fit stops when -2 log L changes by less than eps = 0.025 (its default): run to convergence (as glm does),
  # so that the points compared are those of the maximum-likelihood fit, not of where lrm stopped
  f <- lrm(reformulate(vars, "y"), data = d, eps = 1e-10, maxit = 50)
  args <- c(list(f, fun = plogis, fun.at = probs, lp = FALSE), axes)
  nom <- do.call(nomogram, args)
  info <- attr(nom, "info")
  list(coef = unname(coef(f)), names = names(coef(f)),
       points = lapply(vars, function(v) unname(nom[[v]]$points)),
       values = lapply(vars, function(v) unname(as.numeric(nom[[v]][[v]]))),
       sc = info$sc, intercept = unname(info$Intercept),
       prob_points = unname(nom[["Predicted Value"]]$x))
}

if (sys.nframe() == 0L) {
  set.seed(1)
  d <- data.frame(a = rnorm(100, 10, 3), b = rbinom(100, 1, .4))
  d$y <- rbinom(100, 1, plogis(-1 + 0.2 * (d$a - 10) + d$b))
  str(nomogram_points(d, c("a", "b"), list(a = seq(2, 18, 2), b = 0:1)))
}
