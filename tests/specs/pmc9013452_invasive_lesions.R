# Hand verification in base R of the printed facts of PMC9013452 Table 1 (Respir Res 2022;23:96),
# read from the spec beside this script (tests/specs/pmc9013452_invasive_lesions.json), for
# tests/test_papers.py.
# Regenerate the stored output with one command (from the repository root):
#   Rscript tests/specs/pmc9013452_invasive_lesions.R        (writes tests/specs/pmc9013452_invasive_lesions.r.json)
#   Rscript tests/specs/pmc9013452_invasive_lesions.R OUT.json
# Each fact has the id of the audit finding it verifies and R's verdict:
#   percent   100 * n / N rounds to the printed percent (|diff| <= half a unit of the last printed place)
#   sum       the level counts of a variable add up to the column's n
#   categorical  the printed p is some 2 x 2 test's p to the printed places: chisq.test (correct = FALSE / TRUE)
#             or fisher.test; none -> inconsistent
#   rule      no single test rule (chi-square, Yates, Fisher, Fisher when an expected count < 5 else chi-square
#             with or without Yates) gives all printed categorical p-values
#   continuous  Student's (var.equal = TRUE) or Welch's t from mean +- SD; the p range over the rounding of the
#             printed means and SDs (+- half a unit, the 16 corners: p is monotone in each) must meet the printed
#             p's rounding interval. A non-negative quantity whose SD exceeds its mean (pack-years) is skewed:
#             no t-test reproduces its p and the paper almost surely used a rank test, which needs the data ->
#             not-reproducible
#   design    the stated total of a cohort equals the sum of its outcome groups
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
spec_path <- file.path(here, "pmc9013452_invasive_lesions.json")
out_path <- if (length(args)) args[1] else file.path(here, "pmc9013452_invasive_lesions.r.json")
spec <- fromJSON(spec_path, simplifyVector = FALSE)

decimals <- function(s) { s <- sub("^[<>=]", "", trimws(s)); if (grepl("\\.", s)) nchar(sub(".*\\.", "", s)) else 0L }
half <- function(s) 0.5 * 10^(-decimals(s))
agrees <- function(x, s) abs(x - as.numeric(sub("^[<>=]", "", s))) <= half(s) + 1e-12
cell <- function(s) { m <- regmatches(s, regexec("^\\s*(\\d+)\\s*\\(\\s*([0-9.]+)\\s*\\)\\s*$", s))[[1]]; list(n = as.integer(m[2]), pct = m[3]) }
msd <- function(s) { m <- regmatches(s, regexec("^\\s*([0-9.]+)\\s*±\\s*([0-9.]+)\\s*$", s))[[1]]; list(m = m[2], s = m[3]) }

facts <- list()
add <- function(id, kind, printed, r, verdict, detail) facts[[length(facts) + 1]] <<- list(
  id = id, kind = kind, printed = printed, r = r, verdict = verdict, detail = detail)

tt <- function(m1, s1, n1, m2, s2, n2, welch) {
  if (welch) {
    se <- sqrt(s1^2 / n1 + s2^2 / n2); df <- se^4 / ((s1^2 / n1)^2 / (n1 - 1) + (s2^2 / n2)^2 / (n2 - 1))
  } else {
    df <- n1 + n2 - 2; se <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / df * (1 / n1 + 1 / n2))
  }
  2 * pt(-abs((m1 - m2) / se), df)
}
rules <- list()  # per categorical row: which variants reproduce it, and the smallest expected count

for (t in spec$tables) {
  gid <- vapply(t$groups, function(g) g$id, ""); gn <- vapply(t$groups, function(g) as.integer(g$n), 0L)
  for (row in t$rows) {
    v <- row$variable
    if (row$kind == "categorical") {
      counts <- matrix(0L, length(row$levels), length(gid))
      for (i in seq_along(row$levels)) {
        lv <- row$levels[[i]]
        for (j in seq_along(gid)) {
          c1 <- cell(lv$cells[[gid[j]]]); counts[i, j] <- c1$n
          r <- 100 * c1$n / gn[j]
          add(paste("arith.percent", t$id, v, lv$level, gid[j], sep = ":"), "percent", c1$pct, r,
              if (agrees(r, c1$pct)) "consistent" else "inconsistent", sprintf("100 x %d/%d = %.4f", c1$n, gn[j], r))
        }
      }
      for (j in seq_along(gid)) add(paste("arith.sum", t$id, v, gid[j], sep = ":"), "sum", gn[j], sum(counts[, j]),
                                    if (sum(counts[, j]) == gn[j]) "consistent" else "inconsistent",
                                    sprintf("level counts sum to %d", sum(counts[, j])))
      c0 <- suppressWarnings(chisq.test(counts, correct = FALSE)); c1 <- suppressWarnings(chisq.test(counts, correct = TRUE))
      p <- c(chisq = c0$p.value, yates = c1$p.value, fisher = fisher.test(counts)$p.value)
      ok <- vapply(p, agrees, TRUE, s = row$p)
      rules[[length(rules) + 1]] <- list(id = paste(t$id, v), ok = ok, min_e = min(c0$expected))
      add(paste("test.categorical", t$id, v, sep = ":"), "categorical", row$p, as.list(p),
          if (any(ok)) "consistent" else "inconsistent",
          if (any(ok)) paste("reproduced by", paste(names(p)[ok], collapse = ", ")) else "no 2 x 2 test gives it")
    } else if (row$kind == "mean_sd") {
      a <- msd(row$cells[[gid[1]]]); b <- msd(row$cells[[gid[2]]])
      num <- function(s) as.numeric(s)
      corners <- expand.grid(d1 = c(-1, 1), d2 = c(-1, 1), d3 = c(-1, 1), d4 = c(-1, 1))
      rng <- function(welch) range(apply(corners, 1, function(k) tt(
        num(a$m) + k[1] * half(a$m), num(a$s) + k[2] * half(a$s), gn[1],
        num(b$m) + k[3] * half(b$m), num(b$s) + k[4] * half(b$s), gn[2], welch)))
      pv <- as.numeric(row$p); hp <- half(row$p)
      hit <- function(r) r[1] <= pv + hp + 1e-12 && r[2] >= pv - hp - 1e-12
      rs <- rng(FALSE); rw <- rng(TRUE)
      central <- c(student = tt(num(a$m), num(a$s), gn[1], num(b$m), num(b$s), gn[2], FALSE),
                   welch = tt(num(a$m), num(a$s), gn[1], num(b$m), num(b$s), gn[2], TRUE))
      skewed <- num(a$s) > num(a$m) || num(b$s) > num(b$m)
      verdict <- if (hit(rs) || hit(rw)) "consistent" else if (skewed) "not-reproducible" else "inconsistent"
      add(paste("test.continuous", t$id, v, sep = ":"), "continuous", row$p,
          list(student = central[["student"]], welch = central[["welch"]], student_range = rs, welch_range = rw, skewed = skewed),
          verdict, sprintf("Student %.4g [%.4g, %.4g], Welch %.4g [%.4g, %.4g]%s", central[["student"]], rs[1], rs[2],
                           central[["welch"]], rw[1], rw[2],
                           if (skewed) "; SD above the mean of a non-negative quantity: skewed, a rank test" else ""))
    }
  }
}

# one test rule for all categorical p-values?
ok <- do.call(rbind, lapply(rules, function(r) r$ok)); me <- vapply(rules, function(r) r$min_e, 0)
rule_ok <- c(chisq = all(ok[, "chisq"]), yates = all(ok[, "yates"]), fisher = all(ok[, "fisher"]),
             fisher_if_e5_else_chisq = all(ifelse(me < 5, ok[, "fisher"], ok[, "chisq"])),
             fisher_if_e5_else_yates = all(ifelse(me < 5, ok[, "fisher"], ok[, "yates"])))
add("test.categorical.rule", "rule", NULL, as.list(rule_ok),
    if (any(rule_ok)) "consistent" else "inconsistent",
    sprintf("%d of %d printed p reproduced by some test; rules that explain all: %s", sum(apply(ok, 1, any)), nrow(ok),
            if (any(rule_ok)) paste(names(rule_ok)[rule_ok], collapse = ", ") else "none"))

# stated totals = sum of the outcome groups, per cohort
sc <- spec$stated_counts
for (coh in c("training", "validation")) {
  get <- function(q) as.integer(Filter(function(s) s$quantity == q && s$cohort == coh, sc)[[1]]$value)
  tot <- get("lesions"); parts <- get("lesions_preinvasive") + get("lesions_invasive")
  add(paste("design.counts", coh, "lesions", sep = ":"), "design", tot, parts,
      if (tot == parts) "consistent" else "inconsistent", sprintf("%d + %d = %d", get("lesions_preinvasive"), get("lesions_invasive"), parts))
}

write_json(list(generated_by = "tests/specs/pmc9013452_invasive_lesions.R", r_version = R.version.string,
                spec = "tests/specs/pmc9013452_invasive_lesions.json", facts = facts),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
