# Hand verification in base R of the printed facts of the abstract of "The development and validation of
# a radiomic nomogram for the preoperative prediction of lung adenocarcinoma" (BMC Cancer 2020,
# doi:10.1186/s12885-020-07017-7), read from the spec beside this script
# (tests/specs/bmccancer2020_spn_radiomic.json), for tests/test_papers.py.
# Regenerate the stored output with one command (from the repository root):
#   Rscript tests/specs/bmccancer2020_spn_radiomic.R        (writes tests/specs/bmccancer2020_spn_radiomic.r.json)
#   Rscript tests/specs/bmccancer2020_spn_radiomic.R OUT.json
# "facts" carry the id of the audit finding that judges the same printed numbers; "unaudited" are facts R
# verifies that no finding of the audit covers (see tests/papers/bmccancer2020_spn_radiomic/README.md).
#   joint     some 2 x 2 table with the spec's positives/negatives (39/24) gives sensitivity, specificity and
#             accuracy at once, each within half a unit of its last printed place (exhaustive over TP, TN)
#   measure   the one measure alone is some k/n for its denominator (sensitivity /39, specificity /24,
#             accuracy /63); id "<finding id>#<measure>"
#   auc_ci    the CI is symmetric about the estimate within the three numbers' rounding (a Wald/DeLong-type
#             CI); its width cannot be judged because the abstract does not say which cohort the AUC is of
#             (-> not-reproducible); the Hanley-McNeil width for the validation counts is recorded
#   design    the total of 210 nodules is the training + validation counts (a count over two cohorts)
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
spec <- fromJSON(file.path(here, "bmccancer2020_spn_radiomic.json"), simplifyVector = FALSE)
out_path <- if (length(args)) args[1] else file.path(here, "bmccancer2020_spn_radiomic.r.json")

decimals <- function(s) if (grepl("\\.", s)) nchar(sub(".*\\.", "", s)) else 0L
half <- function(s) 0.5 * 10^(-decimals(s))
agrees <- function(x, s) abs(x - as.numeric(s)) <= half(s) + 1e-12
is_kn <- function(s, n, scale = 100) any(vapply(0:n, function(k) agrees(scale * k / n, s), TRUE))

# every (TP, TN) with n_pos positives and n_neg negatives that gives all three printed values
solutions <- function(d, n_pos, n_neg) {
  hits <- list()
  for (tp in 0:n_pos) for (tn in 0:n_neg) {
    if (agrees(100 * tp / n_pos, d$sensitivity) && agrees(100 * tn / n_neg, d$specificity) &&
        agrees(100 * (tp + tn) / (n_pos + n_neg), d$accuracy)) hits[[length(hits) + 1]] <- c(tp = tp, tn = tn)
  }
  hits
}
hanley_mcneil <- function(a, n1, n0) {  # Hanley & McNeil (1982) SE of an AUC, n1 positives, n0 negatives
  q1 <- a / (2 - a); q2 <- 2 * a^2 / (1 + a)
  sqrt((a * (1 - a) + (n1 - 1) * (q1 - a^2) + (n0 - 1) * (q2 - a^2)) / (n1 * n0))
}

facts <- list(); unaudited <- list()
add <- function(id, kind, printed, r, verdict, detail) facts[[length(facts) + 1]] <<- list(
  id = id, kind = kind, printed = printed, r = r, verdict = verdict, detail = detail)
note <- function(name, printed, r, verdict, detail) unaudited[[length(unaudited) + 1]] <<- list(
  name = name, printed = printed, r = r, verdict = verdict, detail = detail)

den <- c(sensitivity = "n_positive", specificity = "n_negative")
for (i in seq_along(spec$diagnostic_accuracy)) {
  d <- spec$diagnostic_accuracy[[i]]
  fid <- sprintf("diagnostic:%s:%d", d$model, i - 1)
  np <- d$n_positive; nn <- d$n_negative
  s39 <- solutions(d, np, nn); s41 <- solutions(d, 41L, 22L)
  add(fid, "joint", list(sensitivity = d$sensitivity, specificity = d$specificity, accuracy = d$accuracy),
      list(solutions = length(s39)), if (length(s39)) "consistent" else "inconsistent",
      sprintf("%d 2 x 2 tables with %d positives / %d negatives give all three", length(s39), np, nn))
  for (m in c("sensitivity", "specificity", "accuracy")) {
    n <- switch(m, sensitivity = np, specificity = nn, accuracy = np + nn)
    ok <- is_kn(d[[m]], n)
    add(paste0(fid, "#", m), "measure", d[[m]], list(denominator = n), if (ok) "consistent" else "inconsistent",
        sprintf("%s %s is %sa k/%d", m, d[[m]], if (ok) "" else "not ", n))
  }
  n2 <- c(sensitivity = 41L, specificity = 22L)  # accuracy /63 is a fact above
  for (m in names(n2)) {
    ok <- is_kn(d[[m]], n2[[m]])
    note(sprintf("%s %s as k/%d", d$model, m, n2[[m]]), d[[m]], list(denominator = n2[[m]]),
         if (ok) "consistent" else "inconsistent", sprintf("%s %s is %sa k/%d", m, d[[m]], if (ok) "" else "not ", n2[[m]]))
  }
  note(sprintf("%s: one 2 x 2 table with 41 malignant / 22 benign", d$model), d[c("sensitivity", "specificity", "accuracy")],
       list(solutions = lapply(s41, as.list)), if (length(s41)) "consistent" else "inconsistent",
       if (length(s41)) sprintf("TP %d, TN %d give all three (41 + 22 = 63, not the printed 39 malignant)",
                                s41[[1]][["tp"]], s41[[1]][["tn"]]) else "none")
}

for (i in seq_along(spec$auc)) {
  a <- spec$auc[[i]]
  lohi <- strsplit(a$ci, "–", fixed = TRUE)[[1]]
  est <- as.numeric(a$estimate); lo <- as.numeric(lohi[1]); hi <- as.numeric(lohi[2])
  below <- est - lo; above <- hi - est
  sym <- abs(below - above) <= half(a$estimate) + half(lohi[1]) + half(lohi[2]) + 1e-12
  hm <- hanley_mcneil(est, 39, 24)
  ratio <- (hi - lo) / (2 * qnorm(0.975) * hm)
  add(sprintf("auc.ci:%s:%s:%d", a$model, a$kind, i - 1), "auc_ci", list(estimate = a$estimate, ci = a$ci),
      list(below = below, above = above, symmetric = sym, hanley_mcneil_se_39_24 = hm, width_ratio_39_24 = ratio),
      "not-reproducible",
      sprintf("%s about the estimate (-%.3f/+%.3f); cohort not stated, so no counts to judge the width (for 39/24 it would be %.2f x the Hanley-McNeil width)",
              if (sym) "symmetric" else "asymmetric", below, above, ratio))
}

sc <- spec$stated_counts
val <- function(q, coh) as.integer(Filter(function(s) s$quantity == q && identical(s$cohort, coh), sc)[[1]]$value)
tot <- as.integer(Filter(function(s) s$quantity == "nodules" && !is.null(s$sum_of_cohorts), sc)[[1]]$value)
parts <- val("nodules", "training") + val("nodules", "validation")
add("design.counts:training+validation:nodules", "design", tot, parts, if (tot == parts) "consistent" else "inconsistent",
    sprintf("%d + %d = %d", val("nodules", "training"), val("nodules", "validation"), parts))

write_json(list(generated_by = "tests/specs/bmccancer2020_spn_radiomic.R", r_version = R.version.string,
                spec = "tests/specs/bmccancer2020_spn_radiomic.json", facts = facts, unaudited = unaudited),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
