# Hand verification in base R of the printed facts of Boing et al., Epidemiol Serv Saude 2024;33(spe2):e20231216
# (doi:10.1590/S2237-96222024v33e20231216.especial2.en; child vaccination and maternal race/skin color, 37,801
# children), read from the spec beside this script (tests/specs/ress2024_vaccination.json), for
# tests/test_papers.py.
# Regenerate the stored output with one command (from the repository root):
#   Rscript tests/specs/ress2024_vaccination.R            (writes tests/specs/ress2024_vaccination.r.json)
#   Rscript tests/specs/ress2024_vaccination.R OUT.json
# Each fact has the id of the audit finding on the same printed numbers and R's verdict:
#   sum        the level counts of a Table 1 block add up to the column's n (37,801)
#   or_ci      an OR and its 95% CI as printed: a Wald CI on the log scale (what survey-weighted logistic regression
#              prints) is centred on log(OR); over the rounding of the three printed numbers (+- half a unit each) the
#              range of the log-centre (log lo + log hi) / 2 must meet the range of log(OR). With 36,000+ children the
#              log-likelihood is quadratic, so no profile-likelihood CI is visibly asymmetric either.
# `unmatched` holds printed facts verified here that no spec field can carry (no audit finding judges them): the
# block subtotals printed in Table 1's labels, the percentages the Results text derives from Table 1's counts, and
# the abstract's repeat of two Table 2 ORs as "% higher".
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
spec_path <- file.path(here, "ress2024_vaccination.json")
out_path <- if (length(args)) args[1] else file.path(here, "ress2024_vaccination.r.json")
spec <- fromJSON(spec_path, simplifyVector = FALSE)

decimals <- function(s) { s <- trimws(s); if (grepl("\\.", s)) nchar(sub(".*\\.", "", s)) else 0L }
half <- function(s) 0.5 * 10^(-decimals(s))
agrees <- function(x, s) abs(x - as.numeric(s)) <= half(s) + 1e-12

facts <- list(); unmatched <- list()
add <- function(id, kind, printed, r, verdict, detail) facts[[length(facts) + 1]] <<- list(
  id = id, kind = kind, printed = printed, r = r, verdict = verdict, detail = detail)
add_u <- function(what, printed, r, verdict, detail) unmatched[[length(unmatched) + 1]] <<- list(
  what = what, printed = printed, r = r, verdict = verdict, detail = detail)

# Table 1: the block counts against the column n
t1 <- spec$tables[[1]]; n_all <- as.integer(t1$groups[[1]]$n)
block_sum <- list()
for (row in t1$rows) {
  s <- sum(vapply(row$levels, function(l) as.integer(l$cells$all), 0L)); block_sum[[row$variable]] <- s
  add(paste("arith.sum", t1$id, row$variable, "all", sep = ":"), "sum", n_all, s,
      if (s == n_all) "consistent" else "inconsistent", sprintf("level counts sum to %d of %d (%+d)", s, n_all, s - n_all))
}

# Tables 2 and 3: each OR against the log-centre of its CI, over the rounding of the printed numbers
parse_or <- function(s) { m <- regmatches(s, regexec("^\\s*([0-9.]+)\\s*\\(\\s*([0-9.]+)\\s*;\\s*([0-9.]+)\\s*\\)\\s*$", s))[[1]]; m[2:4] }
for (k in seq_along(spec$regression)) {
  reg <- spec$regression[[k]]; prefix <- if (k == 1) "" else paste0(reg$id, ":")
  for (row in reg$rows) for (lv in row$levels) {
    if (isTRUE(lv$reference)) next
    for (col in c("univariable", "multivariable")) {
      p <- parse_or(lv[[col]]$estimate_ci); x <- as.numeric(p)
      or_rng <- log(x[1] + c(-1, 1) * half(p[1]))
      ctr_rng <- (log(x[2] + c(-1, 1) * half(p[2])) + log(x[3] + c(-1, 1) * half(p[3]))) / 2
      ok <- or_rng[1] <= ctr_rng[2] + 1e-12 && ctr_rng[1] <= or_rng[2] + 1e-12
      ratio <- (log(x[3]) - log(x[1])) / (log(x[1]) - log(x[2]))
      add(sprintf("triple.implied_p:%s%s: %s:%s", prefix, row$variable, lv$level, col), "or_ci", lv[[col]]$estimate_ci,
          list(log_centre = exp(mean(log(x[2:3]))), centre_range = exp(ctr_rng), upper_lower_log_ratio = ratio),
          if (ok) "consistent" else "inconsistent",
          sprintf("exp of the log-centre of (%s; %s) = %.4f (over rounding %.4f-%.4f); printed OR %s; upper/lower log half-widths %.2f",
                  p[2], p[3], exp(mean(log(x[2:3]))), exp(ctr_rng[1]), exp(ctr_rng[2]), p[1], ratio))
    }
  }
}

# block subtotals printed in Table 1's labels ('(n = 36,341)') against the sum of the block's counts
for (v in names(block_sum)) {
  lab <- as.integer(gsub(",", "", regmatches(v, regexec("n = ([0-9,]+)", v))[[1]][2]))
  add_u(sprintf("Table 1 label '%s': printed subtotal = sum of the block", v), lab, block_sum[[v]],
        if (lab == block_sum[[v]]) "consistent" else "inconsistent", sprintf("block sums to %d, label prints %d", block_sum[[v]], lab))
}
# Results text: 'more than 12 years of study (76.1%) ... 30-39 year age group (46.5%) ... had worked in the month before
# the interview (55.5%)' against Table 1's counts (denominators: the block sums)
cnt <- function(v, l) as.integer(Filter(function(x) x$level == l, Filter(function(r) startsWith(r$variable, v), t1$rows)[[1]]$levels)[[1]]$cells$all)
for (q in list(list("Mother’s schooling", "13 or over", "76.1"), list("Mother’s age", "30-39", "46.5"),
               list("Mother worked", "Yes", "55.5"))) {
  v <- names(block_sum)[startsWith(names(block_sum), q[[1]])]; r <- 100 * cnt(q[[1]], q[[2]]) / block_sum[[v]]
  add_u(sprintf("Results text %s%% for '%s: %s' = count / block sum", q[[3]], q[[1]], q[[2]]), q[[3]], r,
        if (agrees(r, q[[3]])) "consistent" else "not-reproducible",
        sprintf("100 x %d/%d = %.3f (unweighted; where it misses, the text's figure is presumably survey-weighted, which needs the weights)", cnt(q[[1]], q[[2]]), block_sum[[v]], r))
}
# Abstract: 'These proportions were 75% (95%CI 1.25;2.45) and 97% (95%CI 1.57;2.48) higher, respectively, among Black
# mothers' = Table 2's crude ORs for Black: 1.75 (1.25;2.45) and 1.97 (1.57;2.48)
blk <- function(k) Filter(function(l) l$level == "Black", spec$regression[[k]]$rows[[1]]$levels)[[1]]$univariable$estimate_ci
for (q in list(list(1, "75", "1.25;2.45"), list(2, "97", "1.57;2.48"))) {
  p <- parse_or(blk(q[[1]])); r <- 100 * (as.numeric(p[1]) - 1)
  same <- agrees(r, q[[2]]) && paste(p[2], p[3], sep = ";") == q[[3]]
  add_u(sprintf("Abstract '%s%% (95%%CI %s) higher' = Table 2 crude OR (Black) - 1", q[[2]], q[[3]]), q[[2]], r,
        if (same) "consistent" else "inconsistent", sprintf("Table 2: %s -> %.0f%% higher, CI %s;%s", blk(q[[1]]), r, p[2], p[3]))
}

write_json(list(generated_by = "tests/specs/ress2024_vaccination.R", r_version = R.version.string,
                spec = "tests/specs/ress2024_vaccination.json", facts = facts, unmatched = unmatched),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
