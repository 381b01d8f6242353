# Reference computations for src/nenaudit/stats/logistic.py: glm(binomial), summary.glm,
# confint (MASS's profile method in R 4.2.2), confint.default, anova LR test, brglm2 Firth.
# Runnable alone:  TZ=UTC Rscript reference_r/logistic.R
# Sourced by tests/test_logistic.py through rpy2.

suppressPackageStartupMessages(library(MASS))

# Build a data frame from a numeric matrix whose columns are named by `names`.
logit_frame <- function(x, y, names) {
  x <- as.matrix(x)
  colnames(x) <- names
  d <- as.data.frame(x)
  d$y <- y
  d
}

# Fit glm(y ~ ., binomial) and return everything the Python side reproduces.
logit_fit <- function(x, y, names, weights = NULL, level = 0.95, profile = TRUE,
                      intercept = TRUE) {
  d <- logit_frame(x, y, names)
  f <- if (intercept) y ~ . else y ~ . - 1
  warns <- character()
  fit <- withCallingHandlers(
    glm(f, family = binomial, data = d, weights = weights),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  s <- summary(fit)
  cf <- s$coefficients
  out <- list(names = rownames(cf), coef = unname(cf[, 1]), se = unname(cf[, 2]),
              z = unname(cf[, 3]), p = unname(cf[, 4]),
              ci_wald = unname(as.vector(confint.default(fit, level = level))),
              deviance = fit$deviance, null_deviance = fit$null.deviance,
              df_residual = fit$df.residual, df_null = fit$df.null, aic = fit$aic,
              loglik = as.numeric(logLik(fit)), iter = fit$iter, converged = fit$converged,
              warnings = warns)
  if (profile) {
    ci <- suppressMessages(withCallingHandlers(confint(fit, level = level),
      warning = function(w) invokeRestart("muffleWarning")))
    out$ci_profile <- unname(as.vector(ci))  # column-major: lower limits then upper limits
  }
  out
}

# The signed-root profile deviance of coefficient j at value b (nuisance refitted tightly):
# used to check the exact profile interval.
logit_signed_root <- function(x, y, names, j, b, mle, dev0) {
  d <- logit_frame(x, y, names)
  X <- model.matrix(y ~ ., d)
  fm <- glm.fit(X[, -j, drop = FALSE], d$y, offset = X[, j] * b, family = binomial(),
                control = glm.control(epsilon = 1e-14, maxit = 200))
  sign(b - mle) * sqrt(max(fm$deviance - dev0, 0))
}

# R's spline(method = "fmm") and approx(), for direct checks.
logit_spline <- function(x, y) { s <- spline(x, y); list(x = s$x, y = s$y) }
logit_approx <- function(x, y, xout) approx(x, y, xout = xout)$y

# anova(reduced, full, test = "Chisq") on the columns `keep` of x (reduced) vs all (full).
logit_lr <- function(x, y, names, keep) {
  d <- logit_frame(x, y, names)
  full <- glm(y ~ ., family = binomial, data = d)
  red <- if (length(keep)) glm(reformulate(names[keep], "y"), family = binomial, data = d)
         else glm(y ~ 1, family = binomial, data = d)
  a <- anova(red, full, test = "Chisq")
  list(statistic = a$Deviance[2], df = a$Df[2], p = a[["Pr(>Chi)"]][2])
}

# Firth: brglm2's AS_mean fit with default brglmControl.
logit_firth <- function(x, y, names, level = 0.95) {
  d <- logit_frame(x, y, names)
  fit <- glm(y ~ ., family = binomial, data = d, method = brglm2::brglmFit, type = "AS_mean")
  cf <- summary(fit)$coefficients
  list(names = rownames(cf), coef = unname(cf[, 1]), se = unname(cf[, 2]),
       z = unname(cf[, 3]), p = unname(cf[, 4]),
       ci_wald = unname(as.vector(confint.default(fit, level = level))),
       deviance = fit$deviance, iter = fit$iter, converged = fit$converged)
}

# Expand a 2 x k table (successes, failures per level 1..k) into 0/1 rows.
logit_expand <- function(succ, fail) {
  k <- length(succ)
  code <- c(rep(seq_len(k), succ), rep(seq_len(k), fail))
  y <- c(rep(1, sum(succ)), rep(0, sum(fail)))
  list(x = code, y = y)
}

if (sys.nframe() == 0) {
  e <- logit_expand(c(10, 14), c(17, 90))
  str(logit_fit(matrix(e$x), e$y, "grade"))
  set.seed(1)
  x <- matrix(rnorm(131 * 3), 131, 3)
  y <- rbinom(131, 1, plogis(-0.5 + x %*% c(1, -0.5, 0.2)))
  str(logit_fit(x, y, c("a", "b", "c")))
  str(logit_lr(x, y, c("a", "b", "c"), 1))
  str(logit_firth(x, y, c("a", "b", "c")))
}
