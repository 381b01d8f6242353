# Reading nenaudit's --json output with jsonlite, as an R user would (tests/test_json_strict.py).
# jsonlite::fromJSON refuses NaN and Infinity, which are not JSON; nenaudit writes null plus a
# "nonfinite" list of {path, value, why}.
json_read_auc <- function(text) {
  x <- jsonlite::fromJSON(text)
  list(auc = x$auc, threshold_is_null = is.null(x$youden$threshold),
       paths = x$nonfinite$path, values = x$nonfinite$value)
}
