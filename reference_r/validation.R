# Reference computations for src/nenaudit/stats/validation.py: bootstrap validation loops in
# base R (glm, pROC) on resample indices passed from Python, and rms::validate.
# Runnable alone:  TZ=UTC Rscript reference_r/validation.R
# Sourced by tests/test_validation.py and benchmarks/bench_validation.py through rpy2.

suppressPackageStartupMessages({
  library(pROC)
  library(rms)
})

# (a) as published: AUC of a fixed score on each resample (idx: 1-based rows, one resample per
# row), direction fixed; one-class resamples give NA and are counted.
val_published <- function(y, score, idx, direction = "<", level = 0.95) {
  aucs <- apply(idx, 1, function(i) {
    yy <- y[i]
    if (!any(yy == 0) || !any(yy == 1)) return(NA_real_)
    as.numeric(auc(roc(controls = score[i][yy == 0], cases = score[i][yy == 1],
                       direction = direction, quiet = TRUE)))
  })
  ok <- aucs[!is.na(aucs)]
  a <- (1 - level) / 2
  list(apparent = as.numeric(auc(roc(controls = score[y == 0], cases = score[y == 1],
                                     direction = direction, quiet = TRUE))),
       mean = mean(ok), sd = sd(ok), ci = unname(quantile(ok, c(a, 0.5, 1 - a))),
       one_class = sum(is.na(aucs)))
}

# C (concordance, ties 1/2), Dxy, calibration intercept and slope (glm(y ~ lp)), Brier.
# own_fit: lp is the model's prediction on the data it was fitted on (apparent, training): intercept and
# slope are 0 and 1 exactly, as rms's validate sets them (the refit would give 0 and 1 plus glm's residue).
val_indexes <- function(y, lp, own_fit = FALSE) {
  n1 <- sum(y == 1)
  n0 <- sum(y == 0)
  C <- (sum(rank(lp)[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
  cf <- if (own_fit && all(is.finite(lp))) c(0, 1) else suppressWarnings(coef(glm(y ~ lp, family = binomial)))
  c(C = C, Dxy = 2 * (C - 0.5), Intercept = unname(cf[1]), Slope = unname(cf[2]),
    Brier = mean((plogis(lp) - y)^2))
}

# The failure rules of validation.glm_or_fail: one class, glm warning (non-convergence or
# fitted probabilities 0/1), an NA (aliased) coefficient. With keep_separated the "fitted
# probabilities 0 or 1" warning is not a failure: the fit is returned with attribute separated.
val_fit <- function(f, d, keep_separated = FALSE) {
  y <- d[[all.vars(f)[1]]]
  if (length(unique(y)) < 2) return("one_class")
  w <- character()
  fit <- withCallingHandlers(glm(f, family = binomial, data = d),
                             warning = function(cond) {
                               w <<- c(w, conditionMessage(cond))
                               invokeRestart("muffleWarning")
                             })
  if (anyNA(coef(fit))) return("singular")
  if (!fit$converged || any(grepl("converge", w))) return("non_convergence")
  sep <- any(grepl("fitted probabilities numerically 0 or 1", w))
  if (sep && !keep_separated) return("separation")
  attr(fit, "separated") <- sep
  fit
}

# (b) Harrell's optimism on given rows (list of 1-based row vectors), test set = all rows.
val_optimism_rows <- function(d, outcome, vars, rows, keep_separated = FALSE) {
  f <- reformulate(vars, outcome)
  y <- d[[outcome]]
  X <- model.matrix(f, d)
  fit0 <- glm(f, family = binomial, data = d)
  app <- val_indexes(y, drop(X %*% coef(fit0)), own_fit = TRUE)
  tr_sum <- te_sum <- numeric(5)
  num <- integer(5)
  fails <- c(one_class = 0L, separation = 0L, non_convergence = 0L, singular = 0L)
  kept <- 0L
  for (i in rows) {
    fb <- val_fit(f, d[i, , drop = FALSE], keep_separated)
    if (is.character(fb)) {
      fails[fb] <- fails[fb] + 1L
      next
    }
    kept <- kept + isTRUE(attr(fb, "separated"))
    lp <- drop(X %*% coef(fb))
    tr <- val_indexes(y[i], lp[i], own_fit = TRUE)
    te <- val_indexes(y, lp)
    ok <- !is.na(tr + te)
    tr_sum[ok] <- tr_sum[ok] + tr[ok]
    te_sum[ok] <- te_sum[ok] + te[ok]
    num <- num + ok
  }
  train <- tr_sum / num
  test <- te_sum / num
  opt <- train - test
  list(names = names(app), apparent = unname(app), training = unname(train), test = unname(test),
       optimism = unname(opt), corrected = unname(app - opt), n = unname(num), failures = as.list(fails),
       kept_separated = kept)
}

val_optimism <- function(d, outcome, vars, idx, keep_separated = FALSE) {
  val_optimism_rows(d, outcome, vars, lapply(seq_len(nrow(idx)), function(b) idx[b, ]), keep_separated)
}

# (d) cluster bootstrap: groups are 0-based codes of the patients (sorted ids); gidx holds
# 1-based group draws, one resample per row; each draw brings all rows of that patient.
val_cluster <- function(d, outcome, vars, groups, gidx) {
  members <- split(seq_len(nrow(d)), factor(groups, levels = sort(unique(groups))))
  rows <- lapply(seq_len(nrow(gidx)), function(b) unlist(members[gidx[b, ]], use.names = FALSE))
  val_optimism_rows(d, outcome, vars, rows)
}

# rms::validate on lrm, with the resamples it draws recovered by replaying the seed
# (predab.resample draws sample(n, replace = TRUE) once per resample, nothing else random).
val_rms_validate <- function(d, outcome, vars, B, seed) {
  f <- reformulate(vars, outcome)
  fit <- lrm(f, data = d, x = TRUE, y = TRUE)
  set.seed(seed)
  idx <- t(replicate(B, sample(nrow(d), replace = TRUE)))
  set.seed(seed)
  v <- validate(fit, B = B)
  rn <- c("Dxy", "Intercept", "Slope", "B")
  list(idx = idx, names = rn, apparent = unname(v[rn, "index.orig"]), training = unname(v[rn, "training"]),
       test = unname(v[rn, "test"]), optimism = unname(v[rn, "optimism"]),
       corrected = unname(v[rn, "index.corrected"]), n = unname(v[rn, "n"]))
}

# rms::validate with its own seed and a large B (a statistical comparison, no shared indices).
val_rms_validate_free <- function(d, outcome, vars, B, seed) {
  f <- reformulate(vars, outcome)
  fit <- lrm(f, data = d, x = TRUE, y = TRUE)
  set.seed(seed)
  v <- validate(fit, B = B)
  rn <- c("Dxy", "Intercept", "Slope", "B")
  list(names = rn, optimism = unname(v[rn, "optimism"]), corrected = unname(v[rn, "index.corrected"]))
}

# Whole-pipeline loop for the benchmark: univariable screen (Wald p < entry) then backward
# Wald elimination (stay), re-run inside every resample (reference_r/stepwise.R's recipe).
val_screen_backward <- function(d, outcome, candidates, entry = 0.05, stay = 0.05) {
  p <- vapply(candidates, function(v) {
    cf <- summary(glm(reformulate(v, outcome), family = binomial, data = d))$coefficients
    if (v %in% rownames(cf)) cf[v, 4] else NA_real_  # constant in this resample: not screened
  }, numeric(1))
  vars <- candidates[!is.na(p) & p < entry]
  repeat {
    f <- if (length(vars)) reformulate(vars, outcome) else as.formula(paste(outcome, "~ 1"))
    fit <- glm(f, family = binomial, data = d)
    if (!length(vars)) break
    pv <- summary(fit)$coefficients[vars, 4]
    j <- which.max(pv)
    if (pv[j] <= stay) break
    vars <- vars[-j]
  }
  fit
}

val_pipeline <- function(d, outcome, candidates, idx, entry = 0.05, stay = 0.05) {
  y <- d[[outcome]]
  out <- matrix(NA_real_, nrow(idx), 10)
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    db <- d[i, , drop = FALSE]
    if (length(unique(db[[outcome]])) < 2) next
    fb <- tryCatch(suppressWarnings(val_screen_backward(db, outcome, candidates, entry, stay)),
                   error = function(e) NULL)  # e.g. aliased terms: counted as failed (NA row)
    if (is.null(fb)) next
    lp <- predict(fb, newdata = d)
    if (length(unique(lp)) < 2) next
    out[b, ] <- c(suppressWarnings(val_indexes(y[i], lp[i], own_fit = TRUE)), suppressWarnings(val_indexes(y, lp)))
  }
  out
}

# .632+ (Efron & Tibshirani 1997) for the AUC and the Brier score on given resamples: out-of-bag
# predictions of each resample's glm; Brier by the leave-one-out bootstrap, AUC as the mean
# out-of-bag AUC with no-information value 0.5.
val_632plus <- function(d, outcome, vars, idx) {
  f <- reformulate(vars, outcome)
  y <- d[[outcome]]
  n <- length(y)
  X <- model.matrix(f, d)
  p0 <- fitted(glm(f, family = binomial, data = d))
  cstat <- function(yy, pp) {
    n1 <- sum(yy == 1); n0 <- sum(yy == 0)
    (sum(rank(pp)[yy == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
  }
  loss_sum <- numeric(n); loss_cnt <- integer(n); aucs <- numeric(); fails <- 0L
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    fb <- val_fit(f, d[i, , drop = FALSE])
    if (is.character(fb)) { fails <- fails + 1L; next }
    p <- plogis(drop(X %*% coef(fb)))
    oob <- !(seq_len(n) %in% i)
    loss_sum[oob] <- loss_sum[oob] + (y[oob] - p[oob])^2
    loss_cnt[oob] <- loss_cnt[oob] + 1L
    if (length(unique(y[oob])) == 2) aucs <- c(aucs, cstat(y[oob], p[oob]))
  }
  plus <- function(err, err1, gamma) {
    e1 <- if (gamma > err) min(err1, gamma) else err1
    R <- if (e1 > err && gamma > err) (e1 - err) / (gamma - err) else 0
    R <- min(max(R, 0), 1)
    w <- 0.632 / (1 - 0.368 * R)
    c(R = R, w = w, e632 = 0.368 * err + 0.632 * err1, e632plus = (1 - w) * err + w * e1)
  }
  seen <- loss_cnt > 0
  b_err <- mean((y - p0)^2)
  b_err1 <- mean(loss_sum[seen] / loss_cnt[seen])
  b_gamma <- mean(outer(y, p0, function(a, b) (a - b)^2))
  a_err <- 1 - cstat(y, p0)
  a_err1 <- 1 - mean(aucs)
  list(brier = c(apparent = b_err, oob = b_err1, gamma = b_gamma, plus(b_err, b_err1, b_gamma)),
       auc = c(apparent = 1 - a_err, oob = 1 - a_err1, plus(a_err, a_err1, 0.5)),
       failed = fails, n_auc = length(aucs))
}

# The clinical half of a resample of the LASSO pipelines: the resample's Radscore joins the
# clinical candidates, screen + backward Wald, then training and test indexes; NULL when it
# fails (e.g. aliased terms) or predicts a constant (counted as a failed resample, NA row).
val_radscore_clinical <- function(d, outcome, clinical, i, rad_train, rad_all, entry, stay) {
  y <- d[[outcome]]
  db <- d[i, c(outcome, clinical), drop = FALSE]
  db$Radscore <- rad_train
  fb <- tryCatch(suppressWarnings(val_screen_backward(db, outcome, c(clinical, "Radscore"), entry, stay)),
                 error = function(e) NULL)
  if (is.null(fb)) return(NULL)
  dall <- d[, c(outcome, clinical), drop = FALSE]
  dall$Radscore <- rad_all
  lp <- predict(fb, newdata = dall)
  if (length(unique(lp)) < 2) return(NULL)
  c(suppressWarnings(val_indexes(y[i], lp[i], own_fit = TRUE)), suppressWarnings(val_indexes(y, lp)))
}

# Whole pipeline with the LASSO inside (benchmark): z-score the feature block with the
# resample's mean and SD, cv.glmnet(family = "binomial", foldid) -> Radscore at lambda.min,
# then univariable screen + backward Wald over clinical candidates + Radscore. Returns the
# training and test indexes of each resample (NA row when it fails).
val_lasso_pipeline <- function(d, feats, outcome, clinical, idx, foldid, entry = 0.05, stay = 0.05) {
  suppressPackageStartupMessages(library(glmnet))
  y <- d[[outcome]]
  F <- as.matrix(feats)
  out <- matrix(NA_real_, nrow(idx), 10)
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    yb <- y[i]
    if (length(unique(yb)) < 2) next
    Fb <- F[i, , drop = FALSE]
    mu <- colMeans(Fb)
    s <- apply(Fb, 2, sd)
    if (any(s == 0)) next
    Z <- sweep(sweep(Fb, 2, mu), 2, s, "/")
    cv <- cv.glmnet(Z, yb, family = "binomial", foldid = foldid)
    cf <- as.numeric(coef(cv, s = "lambda.min"))
    rad <- function(M) drop(cf[1] + sweep(sweep(M, 2, mu), 2, s, "/") %*% cf[-1])
    row <- val_radscore_clinical(d, outcome, clinical, i, rad(Fb), rad(F), entry, stay)
    if (!is.null(row)) out[b, ] <- row
  }
  out
}

# (c) the whole paper pipeline per resample, as nenaudit.pipeline.PaperProcedure does it:
# the ICC-kept feature columns (the ICC filter does not use the outcome and is fixed by the
# full reliability subset, so `feats` holds only the kept columns), then on each resample:
# drop constant columns, z-score (scale()), Spearman filter (caret::findCorrelation(cor(Z,
# method = "spearman"), cutoff), exact = ncol < 100 as caret's default), cv.glmnet (given
# foldid) -> Radscore at lambda.min, univariable screen + backward Wald over the clinical
# candidates + Radscore. Rows of the result as val_lasso_pipeline's (NA = failed resample).
val_paper_pipeline <- function(d, feats, outcome, clinical, idx, foldid, cutoff = 0.9,
                               entry = 0.05, stay = 0.05) {
  suppressPackageStartupMessages({
    library(glmnet)
    library(caret)
  })
  y <- d[[outcome]]
  F <- as.matrix(feats)
  if (is.null(colnames(F))) colnames(F) <- paste0("f", seq_len(ncol(F)))
  out <- matrix(NA_real_, nrow(idx), 10)
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    yb <- y[i]
    if (length(unique(yb)) < 2) next
    Fb <- F[i, , drop = FALSE]
    keep <- apply(Fb, 2, function(v) max(v) > min(v))
    Fb <- Fb[, keep, drop = FALSE]
    Z <- scale(Fb)
    center <- attr(Z, "scaled:center")
    scl <- attr(Z, "scaled:scale")
    redundant <- findCorrelation(cor(Z, method = "spearman"), cutoff = cutoff)
    if (length(redundant)) Z <- Z[, -redundant, drop = FALSE]
    cv <- cv.glmnet(Z, yb, family = "binomial", foldid = foldid)
    cf <- coef(cv, s = "lambda.min")
    nz <- setdiff(rownames(cf)[as.numeric(cf) != 0], "(Intercept)")
    if (!length(nz)) next
    mu <- center[nz]
    s <- scl[nz]
    beta <- cf[nz, 1]
    rad <- function(M) drop(cf[1, 1] + sweep(sweep(M[, nz, drop = FALSE], 2, mu), 2, s, "/") %*% beta)
    row <- val_radscore_clinical(d, outcome, clinical, i, rad(Fb), rad(F), entry, stay)
    if (!is.null(row)) out[b, ] <- row
  }
  out
}

if (sys.nframe() == 0) {
  set.seed(2)
  n <- 131
  d <- data.frame(a = rnorm(n), b = rnorm(n), c = rbinom(n, 1, 0.4))
  d$y <- rbinom(n, 1, plogis(1.2 + d$a - 0.5 * d$b))
  idx <- t(replicate(50, sample(n, replace = TRUE)))
  str(val_published(d$y, d$a, idx))
  str(val_optimism(d, "y", c("a", "b", "c"), idx))
  str(val_rms_validate(d, "y", c("a", "b", "c"), 50, 1)[-1])
  gidx <- t(replicate(20, sample(40, replace = TRUE)))
  str(val_cluster(d, "y", c("a", "b"), rep(0:39, length.out = n), gidx)$corrected)
}
