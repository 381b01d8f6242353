# Stored reference for nenaudit.stats.lasso.cv_lasso (tests/test_references.py): cv.glmnet(family =
# "binomial", type.measure = "deviance", thresh = 1e-7) with a fixed foldid (1..5 in turn) on the
# eight predictors of MASS::birthwt (Hosmer & Lemeshow 1989).
# Run: Rscript tests/results/gen_lasso.R [OUTDIR]     (or: make references)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages({library(MASS); library(glmnet)})

d <- MASS::birthwt
vars <- c("age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv")
x <- as.matrix(d[vars])
foldid <- (seq_len(nrow(d)) - 1) %% 5 + 1
cf <- cv.glmnet(x, d$low, family = "binomial", foldid = foldid, type.measure = "deviance", thresh = 1e-7)
write_reference(list(
  call = "cv.glmnet(x, low, family = 'binomial', foldid = rep_len(1:5, n), type.measure = 'deviance')",
  glmnet_version = as.character(packageVersion("glmnet")),
  input = list(y = d$low, X = as.list(d[vars]), foldid = foldid),
  lambda = cf$lambda, cvm = cf$cvm, cvsd = cf$cvsd, nzero = unname(cf$nzero),
  lambda_min = cf$lambda.min, lambda_1se = cf$lambda.1se,
  coef_min = as.numeric(coef(cf, s = "lambda.min")), coef_1se = as.numeric(coef(cf, s = "lambda.1se"))
), "lasso")
