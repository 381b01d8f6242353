# Stored reference for nenaudit.stats.calibration (tests/test_references.py): calibration-in-the-large
# glm(y ~ offset(lp)), the recalibration line glm(y ~ lp) (rms::val.prob's Intercept and Slope), the
# Brier score, lowess(p, y, iter = 0) (val.prob's and rms::calibrate's smoother) and the
# Hosmer-Lemeshow test (ResourceSelection::hoslem.test's steps in base R, g = 10), for the
# predictions of glm(low ~ age + lwt + smoke + ht + ui) on MASS::birthwt (Hosmer & Lemeshow 1989).
# Run: Rscript tests/results/gen_calibration.R [OUTDIR]     (or: make references)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(MASS))

d <- MASS::birthwt
# rounded to the 15 significant digits jsonlite writes, so that R and the tests read the same numbers
p <- signif(unname(fitted(glm(low ~ age + lwt + smoke + ht + ui, family = binomial, data = d))), 15)
y <- d$low
lp <- qlogis(p)
f0 <- glm(y ~ 1, offset = lp, family = binomial)
f1 <- glm(y ~ lp, family = binomial)
sm <- lowess(p, y, iter = 0)
breaks <- quantile(p, probs = seq(0, 1, 0.1))
grp <- cut(p, breaks = breaks, include.lowest = TRUE)
obs <- xtabs(cbind(1 - y, y) ~ grp)
expect <- xtabs(cbind(1 - p, p) ~ grp)
hl <- sum((obs - expect)^2 / expect)
write_reference(list(
  call = "glm(y ~ offset(qlogis(p))), glm(y ~ qlogis(p)), mean((p - y)^2), lowess(p, y, iter = 0), hoslem g = 10",
  input = list(y = y, p = p),
  citl = unname(coef(f0)), intercept = unname(coef(f1)[1]), slope = unname(coef(f1)[2]),
  slope_se = unname(sqrt(diag(vcov(f1)))[2]), brier = mean((p - y)^2),
  lowess = list(x = sm$x, y = sm$y),
  hosmer_lemeshow = list(statistic = hl, df = 8, p = 1 - pchisq(hl, 8))
), "calibration")
