# Stored reference for nenaudit.stats.discrimination (tests/test_references.py): pROC's roc (auto
# direction), auc, ci.auc (DeLong) and roc.test (DeLong, paired) on pROC::aSAH (Turck et al. 2010,
# aneurysmal subarachnoid haemorrhage: outcome Poor vs Good, markers s100b and ndka).
# Run: Rscript tests/results/gen_roc.R [OUTDIR]     (or: make references)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressPackageStartupMessages(library(pROC))

a <- pROC::aSAH
y <- as.integer(a$outcome == "Poor")
r1 <- roc(y, a$s100b, levels = c(0, 1), quiet = TRUE)
r2 <- roc(y, a$ndka, levels = c(0, 1), quiet = TRUE)
ci1 <- ci.auc(r1, method = "delong")
ci2 <- ci.auc(r2, method = "delong")
t <- roc.test(r1, r2, method = "delong", paired = TRUE)
write_reference(list(
  call = "roc(y, s100b / ndka); ci.auc(method = 'delong'); roc.test(r1, r2, method = 'delong', paired = TRUE)",
  proc_version = as.character(packageVersion("pROC")),
  input = list(y = y, s100b = a$s100b, ndka = a$ndka),
  s100b = list(auc = as.numeric(auc(r1)), lower = ci1[1], upper = ci1[3], direction = r1$direction),
  ndka = list(auc = as.numeric(auc(r2)), lower = ci2[1], upper = ci2[3], direction = r2$direction),
  roc_test = list(z = unname(t$statistic), p = t$p.value, auc1 = unname(t$estimate[1]), auc2 = unname(t$estimate[2]))
), "roc")
