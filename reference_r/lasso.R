# cv.glmnet(family = "binomial") reference for nenaudit.stats.lasso (glmnet 4.1-6, Debian 12).
# Runnable alone:  Rscript reference_r/lasso.R   (prints a small demo)
# Sourced by tests/test_lasso.py and benchmarks/bench_lasso.py through rpy2.
suppressPackageStartupMessages(library(glmnet))

# Full-data path and CV with a given foldid; everything the parity tests compare.
ref_cv_lasso <- function(x, y, foldid, measure = "deviance", thresh = 1e-7) {
  x <- as.matrix(x)
  cf <- cv.glmnet(x, y, family = "binomial", foldid = as.integer(foldid),
                  type.measure = measure, thresh = thresh)
  fit <- cf$glmnet.fit
  list(
    lambda = cf$lambda, cvm = cf$cvm, cvsd = cf$cvsd, nzero = as.numeric(cf$nzero),
    lambda_min = cf$lambda.min, lambda_1se = cf$lambda.1se,
    coef_min = as.numeric(coef(cf, s = "lambda.min")),
    coef_1se = as.numeric(coef(cf, s = "lambda.1se")),
    path_lambda = fit$lambda, path_a0 = as.numeric(fit$a0),
    path_beta = as.numeric(as.matrix(fit$beta)), dev_ratio = fit$dev.ratio, nulldev = fit$nulldev,
    measure = names(cf$name)
  )
}

# glmnet path only (optionally with a user lambda grid: then no early stop, no fix.lam).
ref_lasso_path <- function(x, y, thresh = 1e-7, lambda = NULL) {
  fit <- glmnet(as.matrix(x), y, family = "binomial", thresh = thresh, lambda = lambda)
  list(lambda = fit$lambda, a0 = as.numeric(fit$a0), beta = as.numeric(as.matrix(fit$beta)),  # column-major p x L
       dev_ratio = fit$dev.ratio, nulldev = fit$nulldev, npasses = fit$npasses)
}

# Elapsed seconds of `reps` cv.glmnet runs (mean), for benchmarks/bench_lasso.py.
ref_cv_lasso_time <- function(x, y, foldid, reps = 1L) {
  x <- as.matrix(x); foldid <- as.integer(foldid)
  t0 <- proc.time()[["elapsed"]]
  for (i in seq_len(reps)) cf <- cv.glmnet(x, y, family = "binomial", foldid = foldid)
  (proc.time()[["elapsed"]] - t0) / reps
}

if (sys.nframe() == 0L) {
  set.seed(1)
  n <- 131; p <- 60
  x <- matrix(rnorm(n * p), n); y <- c(rep(0, 27), rep(1, 104)); x[, 1:5] <- x[, 1:5] + 0.8 * y
  r <- ref_cv_lasso(x, y, rep(1:10, length = n))
  cat("lambda.min", r$lambda_min, "lambda.1se", r$lambda_1se, "\n")
  print(r$coef_min[r$coef_min != 0])
}
