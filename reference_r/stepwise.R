# Reference loops for src/nenaudit/stats/stepwise.py: backward elimination by Wald p-value
# and univariable screening, written as plain glm()/summary() loops.
# Runnable alone:  TZ=UTC Rscript reference_r/stepwise.R
# Sourced by tests/test_stepwise.py through rpy2.

# Backward elimination on data frame d (outcome column `outcome`), starting from `vars`.
# Removes the non-forced term with the largest Wald p if it exceeds `threshold`.
stepwise_backward <- function(d, outcome, vars, threshold = 0.05, forced = character()) {
  out <- list()
  repeat {
    f <- if (length(vars)) reformulate(vars, outcome) else as.formula(paste(outcome, "~ 1"))
    fit <- glm(f, family = binomial, data = d)
    cf <- summary(fit)$coefficients
    elig <- setdiff(vars, forced)
    removed <- NA_character_
    removed_p <- NA_real_
    if (length(elig)) {
      pe <- cf[elig, 4]
      j <- which.max(pe)
      if (pe[j] > threshold) {
        removed <- elig[j]
        removed_p <- unname(pe[j])
      }
    }
    out[[length(out) + 1]] <- list(terms = vars, names = rownames(cf), coef = unname(cf[, 1]),
                                   se = unname(cf[, 2]), p = unname(cf[, 4]),
                                   deviance = fit$deviance, removed = removed,
                                   removed_p = removed_p)
    if (is.na(removed)) break
    vars <- setdiff(vars, removed)
  }
  out
}

# Univariable screen (Wald p < entry enters), then backward elimination with `stay`.
stepwise_uni_backward <- function(d, outcome, candidates, entry = 0.05, stay = 0.05) {
  uni <- lapply(candidates, function(v) {
    cf <- summary(glm(reformulate(v, outcome), family = binomial, data = d))$coefficients
    list(name = v, coef = cf[v, 1], se = cf[v, 2], p = cf[v, 4])
  })
  p <- vapply(uni, function(u) u$p, numeric(1))
  entered <- candidates[p < entry]
  list(univariable = uni, entered = entered,
       backward = stepwise_backward(d, outcome, entered, stay))
}

if (sys.nframe() == 0) {
  set.seed(3)
  n <- 131
  d <- data.frame(a = rnorm(n), b = rnorm(n), c = rnorm(n), e = rbinom(n, 1, 0.4))
  d$y <- rbinom(n, 1, plogis(-0.3 + 0.9 * d$a - 0.6 * d$e + 0.1 * d$b))
  str(stepwise_backward(d, "y", c("a", "b", "c", "e"), 0.05))
  str(stepwise_uni_backward(d, "y", c("a", "b", "c", "e"), 0.2, 0.05))
}
