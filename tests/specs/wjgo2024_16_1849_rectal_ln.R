# R's verdicts on the printed facts of tests/specs/wjgo2024_16_1849_rectal_ln.json (Ye et al., World J
# Gastrointest Oncol 2024;16(5):1849): Tables 1 and 2's column percentages, group sums, chi-square/Fisher
# p-values and t-test p-values from mean +- SD, and the stated counts (144 patients = training + validation).
# Regenerate the stored output (tests/specs/wjgo2024_16_1849_rectal_ln.r.json) with:
#   Rscript tests/specs/wjgo2024_16_1849_rectal_ln.R tests/specs
# (`make references` runs only tests/results/gen_*.R; this command is run by hand, and by
# tests/test_papers.py when R is present.)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "spec_facts.R"))
spec_script("wjgo2024_16_1849_rectal_ln")
