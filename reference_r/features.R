# Feature filters reference for nenaudit.stats.features (caret 6.0-93, R 4.2.2).
# Runnable alone:  Rscript reference_r/features.R   (prints a small demo)
# Sourced by tests/test_features.py through rpy2.
suppressPackageStartupMessages(library(caret))

# Spearman correlation matrix and caret::findCorrelation (1-based columns, caret's order).
ref_spearman_filter <- function(x, cutoff = 0.9, exact = NULL) {
  x <- as.matrix(x)
  C <- cor(x, method = "spearman")
  drop <- if (is.null(exact)) findCorrelation(C, cutoff = cutoff) else
    findCorrelation(C, cutoff = cutoff, exact = exact)
  list(cor = as.numeric(C), drop = as.integer(drop))
}

# findCorrelation on a given correlation matrix.
ref_find_correlation <- function(C, cutoff = 0.9, exact = NULL) {
  C <- as.matrix(C)
  drop <- if (is.null(exact)) findCorrelation(C, cutoff = cutoff) else
    findCorrelation(C, cutoff = cutoff, exact = exact)
  as.integer(drop)
}

# R's scale(): centre and sample-SD scale.
ref_scale <- function(x) {
  s <- scale(as.matrix(x))
  list(z = as.numeric(s), center = as.numeric(attr(s, "scaled:center")),
       scale = as.numeric(attr(s, "scaled:scale")))
}

if (sys.nframe() == 0L) {
  set.seed(1)
  z <- matrix(rnorm(100 * 3), 100)
  x <- cbind(z, z[, 1] + rnorm(100, sd = 0.1), z[, 2] + rnorm(100, sd = 0.2))
  r <- ref_spearman_filter(x)
  cat("dropped columns:", r$drop, "\n")
}

# The chain after the ICC filter, as an R analyst writes it: scale() -> Spearman ->
# findCorrelation -> cv.glmnet(binomial, foldid) -> coefficients at lambda.min.
ref_chain <- function(x, y, foldid, cutoff = 0.9) {
  suppressPackageStartupMessages(library(glmnet))
  z <- scale(as.matrix(x))
  drop <- findCorrelation(cor(z, method = "spearman"), cutoff = cutoff)
  keep <- if (length(drop)) z[, -drop, drop = FALSE] else z
  cf <- cv.glmnet(keep, y, family = "binomial", foldid = as.integer(foldid))
  co <- coef(cf, s = "lambda.min")
  list(drop = as.integer(drop), kept = colnames(keep), lambda_min = cf$lambda.min,
       coef = as.numeric(co), coef_names = rownames(co))
}
