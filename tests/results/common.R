# Shared by the gen_*.R scripts: where to write, and how (jsonlite at its full precision, which is
# 15 significant digits: a stored value is within 5e-15 relative of R's double; the tests'
# tolerances are 1e-12 or wider). Each script writes <out>/<name>.json; <out> is the first
# argument (default: this directory). Regenerate every stored reference with `make references`.
suppressPackageStartupMessages(library(jsonlite))

results_dir <- function() {
  a <- commandArgs(TRUE)
  if (length(a)) a[1] else {
    f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
    dirname(normalizePath(f))
  }
}

write_reference <- function(x, name) {
  x <- c(list(generated_by = paste0("tests/results/gen_", name, ".R"), r_version = R.version.string), x)
  write_json(x, file.path(results_dir(), paste0(name, ".json")), digits = NA, auto_unbox = TRUE,
             pretty = TRUE, na = "string")
}
