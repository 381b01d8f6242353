# Reference computations for src/nenaudit/stats/calibration.py: base R (glm, lowess, approx,
# quantile, cut) and rms (val.prob, calibrate). ResourceSelection::hoslem.test is not in
# Debian, so its steps are written out in base R (cal_hoslem).
# Runnable alone:  TZ=UTC Rscript reference_r/calibration.R
# Sourced by tests/test_calibration.py through rpy2.

suppressPackageStartupMessages(library(rms))

# Calibration-in-the-large (slope fixed at 1), logistic recalibration line, Brier, and the
# corresponding rms::val.prob statistics.
cal_fit <- function(y, p) {
  lp <- qlogis(p)
  f0 <- glm(y ~ 1, offset = lp, family = binomial)
  f1 <- glm(y ~ lp, family = binomial)
  vp <- val.prob(p, y, pl = FALSE)
  list(citl = unname(coef(f0)), citl_se = unname(sqrt(diag(vcov(f0)))),
       intercept = unname(coef(f1)[1]), slope = unname(coef(f1)[2]),
       intercept_se = unname(sqrt(diag(vcov(f1)))[1]), slope_se = unname(sqrt(diag(vcov(f1)))[2]),
       brier = mean((p - y)^2),
       vp_intercept = unname(vp["Intercept"]), vp_slope = unname(vp["Slope"]),
       vp_brier = unname(vp["Brier"]), vp_eavg = unname(vp["Eavg"]), vp_e90 = unname(vp["E90"]),
       vp_emax = unname(vp["Emax"]))
}

# Hosmer-Lemeshow as ResourceSelection::hoslem.test(y, p, g): type-7 quantile breaks,
# cut(include.lowest = TRUE), chi-square over both outcome columns, df = g - 2.
cal_hoslem <- function(y, p, g = 10) {
  breaks <- quantile(p, probs = seq(0, 1, 1 / g))
  grp <- cut(p, breaks = breaks, include.lowest = TRUE)
  obs <- xtabs(cbind(1 - y, y) ~ grp)
  expect <- xtabs(cbind(1 - p, p) ~ grp)
  chisq <- sum((obs - expect)^2 / expect)
  df <- g - 2
  list(statistic = chisq, df = df, p_value = 1 - pchisq(chisq, df), breaks = unname(breaks),
       n = as.numeric(table(grp)), observed = unname(obs[, 2]), expected = unname(expect[, 2]))
}

cal_lowess <- function(x, y, f = 2 / 3) {
  s <- lowess(x, y, f = f, iter = 0)
  list(x = s$x, y = s$y)
}

# ICI / E50 / E90 / Emax from val.prob's smoother: lowess(p, y, iter = 0) read at p (ties = mean).
cal_errors <- function(y, p) {
  sm <- lowess(p, y, iter = 0)
  cal <- approx(sm, xout = p, ties = mean)$y
  e <- abs(p - cal)
  list(ici = mean(e), e50 = unname(median(e)), e90 = unname(quantile(e, 0.9)), emax = max(e))
}

# rms::calibrate's apparent curve: predy = seq(p[5], p[n - 4], length = 50) of the sorted
# predictions; approx(lowess(p, y, iter = 0), xout = predy, ties = function(x) x[1]).
cal_curve <- function(y, p) {
  s <- sort(p)
  n <- length(p)
  predy <- seq(s[5], s[n - 4], length = 50)
  sm <- lowess(p, y, iter = 0)
  list(predy = predy, observed = approx(sm, xout = predy, ties = function(x) x[1])$y)
}

# The bootstrap loop of rms::calibrate written in base R, on given resamples (idx: 1-based
# rows, one resample per row). Models are glm(outcome ~ vars); a resample fails when it has
# one class, glm does not converge or warns of fitted probabilities 0 or 1, or a coefficient
# is NA. Optimism per grid point is averaged over resamples where training and test are both
# defined (rms's predab.resample does the same).
cal_boot_curve <- function(d, outcome, vars, idx) {
  f <- reformulate(vars, outcome)
  y <- d[[outcome]]
  fit0 <- glm(f, family = binomial, data = d)
  p0 <- fitted(fit0)
  s <- sort(p0)
  n <- length(p0)
  predy <- seq(s[5], s[n - 4], length = 50)
  at <- function(p, yy) approx(lowess(p, yy, iter = 0), xout = predy, ties = function(x) x[1])$y
  orig <- at(p0, y)
  tr_sum <- te_sum <- numeric(50)
  num <- integer(50)
  failed <- 0L
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    db <- d[i, , drop = FALSE]
    fb <- val_glm_or_fail(f, db)
    if (is.null(fb)) { failed <- failed + 1L; next }
    X <- model.matrix(f, d)
    lp_all <- drop(X %*% coef(fb))
    tr <- at(plogis(lp_all[i]), y[i]) - predy
    te <- at(plogis(lp_all), y) - predy
    ok <- !is.na(tr + te)
    tr[!ok] <- 0
    te[!ok] <- 0
    tr_sum <- tr_sum + tr
    te_sum <- te_sum + te
    num <- num + ok
  }
  opt <- tr_sum / num - te_sum / num
  list(predy = predy, apparent = orig, corrected = orig - opt, optimism = opt, n = num, failed = failed)
}

# glm fit that returns NULL on the failures counted by stats/validation.py.
val_glm_or_fail <- function(f, d) {
  y <- model.response(model.frame(f, d))
  if (length(unique(y)) < 2) return(NULL)
  warn <- FALSE
  fit <- withCallingHandlers(glm(f, family = binomial, data = d),
                             warning = function(w) {
                               warn <<- TRUE
                               invokeRestart("muffleWarning")
                             })
  if (warn || !fit$converged || anyNA(coef(fit))) return(NULL)
  fit
}

# rms::calibrate itself, with the resamples it draws recovered by replaying the seed:
# predab.resample calls sample(n, replace = TRUE) once per resample and nothing else random.
cal_rms_calibrate <- function(d, outcome, vars, B, seed) {
  f <- reformulate(vars, outcome)
  fit <- lrm(f, data = d, x = TRUE, y = TRUE)
  n <- nrow(d)
  set.seed(seed)
  idx <- t(replicate(B, sample(n, replace = TRUE)))
  set.seed(seed)
  cal <- calibrate(fit, B = B)
  list(idx = idx, predy = unname(cal[, "predy"]), apparent = unname(cal[, "calibrated.orig"]),
       corrected = unname(cal[, "calibrated.corrected"]), n = unname(cal[, "n"]))
}

if (sys.nframe() == 0) {
  set.seed(7)
  n <- 131
  d <- data.frame(a = rnorm(n), b = rnorm(n))
  d$y <- rbinom(n, 1, plogis(1.2 + d$a - 0.5 * d$b))
  p <- fitted(glm(y ~ a + b, binomial, d))
  str(cal_fit(d$y, p))
  str(cal_hoslem(d$y, p))
  str(cal_errors(d$y, p))
  idx <- t(replicate(20, sample(n, replace = TRUE)))
  str(cal_boot_curve(d, "y", c("a", "b"), idx)[c("corrected", "failed")])
  str(cal_rms_calibrate(d, "y", c("a", "b"), 20, 1)[c("corrected", "n")])
}
