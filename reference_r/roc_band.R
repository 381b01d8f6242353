# Reference for nenaudit.stats.discrimination.sensitivity_band: pROC's ci.se on given resamples.
# pROC::ci.se(roc, specificities, boot.n, boot.stratified = TRUE) draws its own resamples; here the
# resamples are given (1-based rows, one per row of idx) and the rest is ci.se's: the ROC curve of each
# resample with the direction fixed, its sensitivity at each specificity (coords(..., input =
# "specificity")), and quantile() over resamples.
# Runnable alone:  TZ=UTC Rscript reference_r/roc_band.R
suppressPackageStartupMessages(library(pROC))

band_sensitivity_at <- function(y, score, sp, direction = "<") {
  r <- roc(response = y, predictor = score, levels = c(0, 1), direction = direction, quiet = TRUE)
  as.numeric(coords(r, x = sp, input = "specificity", ret = "sensitivity", transpose = FALSE)$sensitivity)
}

band_ref <- function(y, score, idx, sp, direction = "<", level = 0.95) {
  se <- t(apply(idx, 1, function(i) band_sensitivity_at(y[i], score[i], sp, direction)))
  a <- (1 - level) / 2
  list(lower = unname(apply(se, 2, quantile, a)), median = unname(apply(se, 2, quantile, 0.5)),
       upper = unname(apply(se, 2, quantile, 1 - a)))
}

if (sys.nframe() == 0L) {
  set.seed(1)
  y <- rep(0:1, c(60, 40))
  s <- rnorm(100) + y
  str(band_ref(y, s, t(replicate(20, sample(100, replace = TRUE))), seq(0, 1, 0.1)))
}
