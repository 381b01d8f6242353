# Reference computations for the audit's recomputed numbers, in plain R.
# Runnable alone:  Rscript reference_r/audit.R
# Sourced by tests/test_audit_parity.py through rpy2.

# Chi-square (with and without Yates) and Fisher's exact test of a counts matrix,
# after dropping empty rows/columns, as the audit does.
audit_table_tests <- function(m) {
  m <- m[rowSums(m) > 0, colSums(m) > 0, drop = FALSE]
  out <- list(
    chisq = suppressWarnings(chisq.test(m, correct = FALSE))$p.value,
    fisher = fisher.test(m)$p.value
  )
  if (all(dim(m) == c(2, 2))) out$chisq_yates <- suppressWarnings(chisq.test(m, correct = TRUE))$p.value
  out
}

# Univariable logistic regression of y on x: OR, profile CI (MASS via confint), Wald CI, Wald p.
audit_univariable <- function(x, y) {
  fit <- glm(y ~ x, family = binomial)
  prof <- suppressMessages(confint(fit))
  list(
    or = unname(exp(coef(fit)[2])),
    ci_profile = unname(exp(prof[2, ])),
    ci_wald = unname(exp(confint.default(fit)[2, ])),
    p_wald = unname(summary(fit)$coefficients[2, 4])
  )
}

if (sys.nframe() == 0) {
  m <- matrix(c(10, 17, 14, 90), 2)  # Table 2, NSE: rows <=100/>100, columns effective/ineffective
  str(audit_table_tests(t(m)))
  x <- rep(c(1, 2, 1, 2), c(10, 17, 14, 90))
  y <- rep(c(0, 0, 1, 1), c(10, 17, 14, 90))
  str(audit_univariable(x, y))
}
