# Reference computations for nenaudit.stats.compare, in plain R (base + stats only).
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

if (sys.nframe() == 0) {
  str(ref_chisq(matrix(c(24, 62, 3, 35, 0, 7), 2), correct = TRUE))
  str(ref_fisher(matrix(c(24, 62, 3, 35, 0, 7), 2)))
  str(ref_fisher(matrix(c(3, 10, 16, 36, 4, 9, 4, 49), 2)))
  str(ref_fisher(matrix(c(10, 17, 14, 90), 2)))
}
