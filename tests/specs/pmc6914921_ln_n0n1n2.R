# R's verdicts on the printed facts of tests/specs/pmc6914921_ln_n0n1n2.json (Zhang et al., J Immunol Res 2019,
# PMC6914921): Table 1's row percentages, group sums, chi-square/Fisher and ANOVA p-values, Table 2's
# polytomous odds ratios (Wald p from each CI), the AUC's Hanley-McNeil CI for N2 against N0 + N1, the counts.
# Regenerate the stored output (tests/specs/pmc6914921_ln_n0n1n2.r.json) with:
#   Rscript tests/specs/pmc6914921_ln_n0n1n2.R tests/specs
# (`make references` runs only tests/results/gen_*.R; this command is run by hand, and by
# tests/test_papers.py when R is present.)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "spec_facts.R"))
spec_script("pmc6914921_ln_n0n1n2")
