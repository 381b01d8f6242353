# The paper's pipeline after the ICC filter, in plain R, for tests/test_pipeline.py:
# scale() -> Spearman + caret::findCorrelation -> cv.glmnet(binomial, foldid) -> Radscore at
# lambda.min (intercept included) -> univariable screen + backward Wald (stepwise.R) -> glm ->
# pROC AUC. Runnable alone:  Rscript reference_r/pipeline.R   (runs on simulated data)
suppressPackageStartupMessages({library(glmnet); library(caret); library(pROC)})
local({
  here <- tryCatch(dirname(sys.frame(1)$ofile), error = function(e) "reference_r")
  if (!exists("stepwise_uni_backward")) source(file.path(here, "stepwise.R"))
})

# feats: lesion x feature matrix already through the ICC filter; clin: data frame of coded
# clinical candidates; y: 0/1; foldid: 1-based folds of cv.glmnet; names: feature names;
# candidates: the screening order (default: clinical columns, then Radscore).
pipeline_ref <- function(feats, clin, y, foldid, names = colnames(feats), candidates = NULL, cutoff = 0.9,
                         entry = 0.05, stay = 0.05) {
  F <- as.matrix(feats)
  colnames(F) <- names
  Z <- scale(F)
  C <- cor(Z, method = "spearman")
  drop <- findCorrelation(C, cutoff = cutoff)
  kept <- if (length(drop)) colnames(Z)[-drop] else colnames(Z)
  cv <- cv.glmnet(Z[, kept], y, family = "binomial", foldid = as.integer(foldid))
  cf <- coef(cv, s = "lambda.min")
  b <- as.numeric(cf)
  radscore <- drop(b[1] + Z[, kept] %*% b[-1])
  d <- data.frame(clin, check.names = FALSE)
  names(d) <- make.names(names(d))
  d$Radscore <- radscore
  d$y <- y
  cands <- if (is.null(candidates)) setdiff(names(d), "y") else make.names(candidates)
  sel <- stepwise_uni_backward(d, "y", cands, entry, stay)
  final <- sel$backward[[length(sel$backward)]]
  vars <- final$terms
  fit <- glm(reformulate(vars, "y"), family = binomial, data = d)
  list(kept = kept, lambda_min = cv$lambda.min, selected = rownames(cf)[-1][b[-1] != 0],
       radscore = radscore, terms = vars, coef = unname(coef(fit)),
       auc_radscore = as.numeric(auc(roc(y, radscore, levels = c(0, 1), direction = "<", quiet = TRUE))),
       auc_fusion = as.numeric(auc(roc(y, predict(fit), levels = c(0, 1), direction = "<", quiet = TRUE))))
}

if (sys.nframe() == 0L) {
  set.seed(4)
  n <- 131
  F <- matrix(rnorm(n * 30), n, 30, dimnames = list(NULL, paste0("f", 1:30)))
  clin <- data.frame(a = rbinom(n, 1, 0.4), k = rgamma(n, 2, 0.1))
  y <- rbinom(n, 1, plogis(1 + F[, 1] - F[, 2] + clin$a))
  str(pipeline_ref(F, clin, y, rep(1:10, length.out = n)))
}
