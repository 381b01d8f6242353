# Reference computations for src/nenaudit/stats/dca.py: decision curve analysis in base R,
# following Vickers & Elkin (2006, doi:10.1177/0272989X06295361) and the definitions of the
# dcurves package (dca(), standardized_net_benefit(), net_intervention_avoided()), which is not
# in Debian.
# Runnable alone:  TZ=UTC Rscript reference_r/dca.R
# Sourced by tests/test_dca.py through rpy2.

# y: 0/1 outcome; p: predicted probabilities in [0, 1]; thresholds in [0, 1).
dca_base <- function(y, p, thresholds = seq(0, 0.99, by = 0.01), nper = 100) {
  stopifnot(all(p >= 0 & p <= 1), all(y %in% c(0, 1)))
  eps <- .Machine$double.eps
  # dcurves: risks equal to 0 become -eps, equal to 1 become 1 + eps; "all" is 1 + eps and
  # "none" is -eps; test-positive when risk >= threshold
  risk <- ifelse(p == 0, 0 - eps, ifelse(p == 1, 1 + eps, p))
  pos_rate <- sum(y == 1) / length(y)
  one <- function(r) {
    tp <- vapply(thresholds, function(t) mean(r[y == 1] >= t) * pos_rate, numeric(1))
    fp <- vapply(thresholds, function(t) mean(r[y == 0] >= t) * (1 - pos_rate), numeric(1))
    nb <- tp - thresholds / (1 - thresholds) * fp
    list(tp = tp, fp = fp, nb = nb)
  }
  m <- one(risk)
  a <- one(rep(1 + eps, length(y)))
  z <- one(rep(0 - eps, length(y)))
  nia <- (m$nb - a$nb) / (thresholds / (1 - thresholds)) * nper
  list(threshold = thresholds, model = m$nb, all = a$nb, none = z$nb,
       standardized_model = m$nb / pos_rate, standardized_all = a$nb / pos_rate,
       nia = nia, tp_rate = m$tp, fp_rate = m$fp, prevalence = pos_rate)
}

# The threshold grid as R builds it (nenaudit dca --thresholds START:STOP:STEP).
dca_seq <- function(from, to, by) seq(from, to, by = by)

if (sys.nframe() == 0) {
  set.seed(1)
  x <- rnorm(131)
  y <- rbinom(131, 1, plogis(1.3 + 1.5 * x))
  p <- fitted(glm(y ~ x, binomial))
  str(dca_base(y, p, seq(0.05, 0.95, by = 0.05)))
}
