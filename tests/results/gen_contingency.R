# Stored reference for nenaudit.stats.contingency's chisq_test and fisher_test (tests/test_references.py):
# chisq.test (with and without Yates's correction) and fisher.test on four tables: the tea-tasting
# 2 x 2 and the job-satisfaction 4 x 4 of ?fisher.test (Agresti 1990, 2002), and smoke x low and
# race x low of MASS::birthwt (Hosmer & Lemeshow 1989).
# Run: Rscript tests/results/gen_contingency.R [OUTDIR]     (or: make references)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(MASS))

d <- MASS::birthwt
tables <- list(
  tea = matrix(c(3, 1, 1, 3), 2),
  job = matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4, 4),
  smoke_low = unclass(table(d$smoke, d$low)),
  race_low = unclass(table(d$race, d$low))
)
one <- function(m) {
  m <- matrix(as.numeric(m), nrow(m))
  c1 <- suppressWarnings(chisq.test(m, correct = TRUE))
  c0 <- suppressWarnings(chisq.test(m, correct = FALSE))
  f <- fisher.test(m)
  out <- list(table = m,
              chisq_yates = list(statistic = unname(c1$statistic), p = c1$p.value, df = unname(c1$parameter)),
              chisq = list(statistic = unname(c0$statistic), p = c0$p.value, df = unname(c0$parameter)),
              expected = unname(c0$expected),
              fisher = list(p = f$p.value))
  if (all(dim(m) == 2)) {
    out$fisher$odds_ratio <- unname(f$estimate)
    out$fisher$conf_int <- as.numeric(f$conf.int)
  }
  out
}
write_reference(list(
  call = "chisq.test(m, correct = TRUE / FALSE); fisher.test(m)",
  tables = lapply(tables, one)
), "contingency")
