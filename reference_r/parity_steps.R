# R side of the parity steps added in src/nenaudit/parity/steps.py (nenaudit parity calibration,
# validation): wrappers that gather several reference functions into one call.
# Runnable alone:  TZ=UTC Rscript reference_r/parity_steps.R   (prints a small demo)
local({
  here <- tryCatch(dirname(sys.frame(1)$ofile), error = function(e) "reference_r")
  if (!exists("cal_fit")) source(file.path(here, "calibration.R"))
  if (!exists("val_optimism")) source(file.path(here, "validation.R"))
})

# glm recalibration (intercept, slope), Brier, Hosmer-Lemeshow with g groups, lowess ICI/E50/E90/Emax.
parity_calibration <- function(y, p, g = 10) {
  f <- cal_fit(y, p)
  h <- cal_hoslem(y, p, g)
  e <- cal_errors(y, p)
  list(citl = f$citl, intercept = f$intercept, slope = f$slope, brier = f$brier,
       hl_statistic = h$statistic, hl_df = h$df, hl_p = h$p_value,
       ici = e$ici, e50 = e$e50, e90 = e$e90, emax = e$emax)
}

# Harrell's optimism bootstrap of glm(outcome ~ vars) on given 1-based resample rows.
parity_validation <- function(x, y, names, idx) {
  d <- data.frame(x)
  names(d) <- names
  d$y <- y
  val_optimism(d, "y", names, idx)
}

if (sys.nframe() == 0L) {
  set.seed(1)
  x <- matrix(rnorm(200), 100)
  y <- rbinom(100, 1, plogis(x[, 1]))
  str(parity_calibration(y, plogis(0.9 * x[, 1])))
  str(parity_validation(x, y, c("a", "b"), t(replicate(10, sample(100, replace = TRUE)))))
}
