# Reference computations for the tests nenaudit recomputes from printed summaries, in R.
# Runnable alone:  Rscript reference_r/summary_tests.R
# Sourced by tests/test_summary_tests.py and tests/test_diagnostic.py through rpy2.
# The G test and the linear-by-linear test are written here in base R (DescTools::GTest and
# coin::lbl_test are not installed); everything else calls R's own functions.

# Likelihood-ratio (G) test of independence, no correction (DescTools::GTest(correct = "none")).
ref_g_test <- function(m) {
  m <- m[rowSums(m) > 0, colSums(m) > 0, drop = FALSE]
  e <- outer(rowSums(m), colSums(m)) / sum(m)
  pos <- m > 0
  g <- 2 * sum(m[pos] * log(m[pos] / e[pos]))
  df <- (nrow(m) - 1) * (ncol(m) - 1)
  list(statistic = g, df = df, p = pchisq(g, df, lower.tail = FALSE))
}

# Linear-by-linear association, M^2 = (N - 1) r^2 (Agresti 2013, 3.4.1), scores 1..r, 1..c.
ref_linear_by_linear <- function(m, u = seq_len(nrow(m)), v = seq_len(ncol(m))) {
  x <- rep(rep(u, times = ncol(m)), times = as.vector(m))
  y <- rep(rep(v, each = nrow(m)), times = as.vector(m))
  m2 <- (length(x) - 1) * cor(x, y)^2
  list(statistic = m2, df = 1, p = pchisq(m2, 1, lower.tail = FALSE))
}

# A sample of size n with exactly mean m and SD s (sd(), divisor n - 1).
with_summary <- function(m, s, n) m + s * as.numeric(scale(seq_len(n)))

# t.test on constructed samples with the printed means, SDs and sizes.
ref_t_summary <- function(m1, s1, n1, m2, s2, n2, var_equal) {
  r <- t.test(with_summary(m1, s1, n1), with_summary(m2, s2, n2), var.equal = var_equal)
  list(statistic = unname(r$statistic), df = unname(r$parameter), p = r$p.value)
}

# oneway.test (Welch or equal variances) and aov on constructed samples.
ref_oneway_summary <- function(means, sds, ns, var_equal) {
  y <- unlist(mapply(with_summary, means, sds, ns, SIMPLIFY = FALSE))
  g <- factor(rep(seq_along(ns), ns))
  r <- oneway.test(y ~ g, var.equal = var_equal)
  out <- list(statistic = unname(r$statistic), df = unname(r$parameter), p = r$p.value)
  if (var_equal) out$p_aov <- summary(aov(y ~ g))[[1]][["Pr(>F)"]][1]
  out
}

# glm with treatment contrasts against a reference level: OR, profile CI, Wald CI, Wald p.
ref_dummy_or <- function(levels, events, non_events, reference) {
  x <- factor(c(rep(levels, events), rep(levels, non_events)), levels = levels)
  x <- relevel(x, ref = reference)
  y <- rep(c(1, 0), c(sum(events), sum(non_events)))
  fit <- glm(y ~ x, family = binomial)
  prof <- suppressMessages(confint(fit))
  k <- -1
  list(or = unname(exp(coef(fit)[k])), ci_profile_lo = unname(exp(prof[k, 1])),
       ci_profile_hi = unname(exp(prof[k, 2])), ci_wald_lo = unname(exp(confint.default(fit)[k, 1])),
       ci_wald_hi = unname(exp(confint.default(fit)[k, 2])),
       p_wald = unname(summary(fit)$coefficients[k, 4]), names = levels(x)[-1])
}

# The same Wald interval with IRLS run to the optimum (epsilon 1e-14, restarted there): the exact MLE of the saturated
# model, which nenaudit computes in closed form (Woolf) as ci_wald_exact.
ref_dummy_or_converged <- function(levels, events, non_events, reference) {
  x <- factor(c(rep(levels, events), rep(levels, non_events)), levels = levels)
  x <- relevel(x, ref = reference)
  y <- rep(c(1, 0), c(sum(events), sum(non_events)))
  ctl <- glm.control(epsilon = 1e-14, maxit = 100)
  fit <- glm(y ~ x, family = binomial, control = ctl)
  # restarted twice at its own optimum: glm's SEs use the weights of the last iteration's start
  for (i in 1:2) fit <- glm(y ~ x, family = binomial, start = coef(fit), control = ctl)
  ci <- exp(confint.default(fit)[-1, , drop = FALSE])
  list(lo = unname(ci[, 1]), hi = unname(ci[, 2]), names = levels(x)[-1])
}

# Diagnostic accuracy from the four cells (caret::confusionMatrix, positive = "1").
ref_accuracy <- function(tp, fp, fn, tn) {
  pred <- factor(rep(c(1, 1, 0, 0), c(tp, fp, fn, tn)), levels = c(1, 0))
  truth <- factor(rep(c(1, 0, 1, 0), c(tp, fp, fn, tn)), levels = c(1, 0))
  cm <- caret::confusionMatrix(pred, truth, positive = "1")
  list(sensitivity = unname(cm$byClass["Sensitivity"]), specificity = unname(cm$byClass["Specificity"]),
       ppv = unname(cm$byClass["Pos Pred Value"]), npv = unname(cm$byClass["Neg Pred Value"]),
       accuracy = unname(cm$overall["Accuracy"]))
}

if (sys.nframe() == 0) {
  str(ref_g_test(matrix(c(10, 17, 14, 90), 2)))
  str(ref_linear_by_linear(matrix(c(3, 16, 4, 4, 10, 36, 9, 49), 4)))
  str(ref_t_summary(57.45, 9.69, 29, 61.30, 10.66, 70, TRUE))
  str(ref_oneway_summary(c(1, 2, 3), c(1, 1.5, 2), c(10, 12, 14), FALSE))
  str(ref_dummy_or(c("a", "b", "c"), c(5, 10, 12), c(20, 15, 9), "a"))
  str(ref_accuracy(15, 3, 1, 21))
}
