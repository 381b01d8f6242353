# Reference computations for the Table 1/2 tests (nenaudit.stats.contingency, twosample,
# table1), in plain R (base + stats only).
# Runnable alone:  TZ=UTC Rscript reference_r/compare.R
# Sourced by tests/test_compare.py through rpy2; every function returns a plain named list.

# Run expr, collecting warning messages instead of printing them.
.collect_warnings <- function(expr) {
  msgs <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = msgs)
}

# chisq.test on a counts matrix (R's defaults apart from `correct`).
ref_chisq <- function(m, correct = TRUE) {
  res <- .collect_warnings(chisq.test(m, correct = correct))
  ht <- res$value
  list(statistic = unname(ht$statistic), df = unname(ht$parameter), p = ht$p.value,
       method = ht$method, expected = as.vector(ht$expected), warnings = res$warnings)
}

# fisher.test on a counts matrix (R's defaults; workspace enlarged so FEXACT never runs out).
ref_fisher <- function(m) {
  ht <- fisher.test(m, workspace = 2e7)
  out <- list(p = ht$p.value, method = ht$method)
  if (!is.null(ht$estimate)) {
    out$odds_ratio <- unname(ht$estimate)
    out$conf_int <- as.vector(ht$conf.int)
  }
  out
}

# wilcox.test(x, y) with R's defaults apart from exact/correct.
ref_wilcox <- function(x, y, exact = NULL, correct = TRUE) {
  res <- .collect_warnings(wilcox.test(x, y, exact = exact, correct = correct))
  ht <- res$value
  list(statistic = unname(ht$statistic), p = ht$p.value, method = ht$method, warnings = res$warnings)
}

# t.test(x, y) (Welch by default, Student with var.equal = TRUE).
ref_ttest <- function(x, y, var.equal = FALSE) {
  ht <- t.test(x, y, var.equal = var.equal)
  list(statistic = unname(ht$statistic), df = unname(ht$parameter), p = ht$p.value, method = ht$method,
       estimate = unname(ht$estimate), conf_int = as.vector(ht$conf.int), stderr = ht$stderr)
}

ref_shapiro <- function(x) {
  ht <- shapiro.test(x)
  list(statistic = unname(ht$statistic), p = ht$p.value, method = ht$method)
}

ref_quantile <- function(x, probs) unname(quantile(x, probs))

# Table 1 by the default rule, written out in R: per variable the summary and the test.
ref_table1 <- function(x, g, categorical) {
  lv <- sort(unique(g))
  if (categorical) {
    tab <- table(factor(x), factor(g, levels = lv))
    tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    e <- outer(rowSums(tab), colSums(tab)) / sum(tab)
    if (any(e < 5)) return(list(test = "fisher", p = fisher.test(tab)$p.value))
    return(list(test = if (all(dim(tab) == 2)) "chisq_yates" else "chisq",
                p = chisq.test(tab, correct = TRUE)$p.value))
  }
  xs <- lapply(lv, function(l) x[g == l & !is.na(x)])
  normal <- all(vapply(xs, function(v) shapiro.test(v)$p.value > 0.05, logical(1)))
  q <- lapply(xs, function(v) unname(quantile(v, c(0.25, 0.5, 0.75))))
  out <- list(normal = normal, mean = vapply(xs, mean, 0), sd = vapply(xs, sd, 0),
              q1 = vapply(q, `[`, 0, 1), median = vapply(q, `[`, 0, 2), q3 = vapply(q, `[`, 0, 3))
  if (normal) {
    out$test <- "welch"
    out$p <- t.test(xs[[1]], xs[[2]])$p.value
  } else {
    out$test <- "mann-whitney"
    out$p <- suppressWarnings(wilcox.test(xs[[1]], xs[[2]]))$p.value
  }
  out
}

if (sys.nframe() == 0) {
  str(ref_chisq(matrix(c(24, 62, 3, 35, 0, 7), 2), correct = TRUE))
  str(ref_fisher(matrix(c(24, 62, 3, 35, 0, 7), 2)))
  str(ref_fisher(matrix(c(3, 10, 16, 36, 4, 9, 4, 49), 2)))
  str(ref_fisher(matrix(c(10, 17, 14, 90), 2)))
  set.seed(1)
  x <- round(rnorm(20), 1); y <- round(rnorm(25, 0.5), 1)
  str(ref_wilcox(x, y)); str(ref_ttest(x, y)); str(ref_shapiro(x)); str(ref_quantile(x, c(0.25, 0.5, 0.75)))
  str(ref_table1(c(x, y), rep(c("A", "B"), c(20, 25)), FALSE))
}
