# Stored reference for nenaudit.stats.logistic.fit_logistic (tests/test_references.py):
# glm(family = binomial), summary.glm's Wald table, confint.default (Wald) and confint (profile
# likelihood; MASS's algorithm in R 4.2) on MASS::birthwt (Hosmer & Lemeshow 1989, low birth weight).
# Run: Rscript tests/results/gen_logistic.R [OUTDIR]     (or: make references)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(MASS))

d <- MASS::birthwt
vars <- c("age", "lwt", "smoke", "ht", "ui")
fit <- glm(low ~ age + lwt + smoke + ht + ui, family = binomial, data = d)
s <- summary(fit)$coefficients
write_reference(list(
  call = "glm(low ~ age + lwt + smoke + ht + ui, family = binomial, data = MASS::birthwt)",
  input = list(y = d$low, X = as.list(d[vars])),
  names = rownames(s), coef = unname(s[, 1]), se = unname(s[, 2]), z = unname(s[, 3]), p = unname(s[, 4]),
  deviance = deviance(fit), null_deviance = fit$null.deviance, aic = AIC(fit), iterations = fit$iter,
  ci_wald = unname(confint.default(fit)),
  ci_profile = unname(suppressMessages(confint(fit)))
), "logistic")
