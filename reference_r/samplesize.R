# Reference computations for src/nenaudit/stats/samplesize.py, in base R.
# pmsampsize is not installed, so the formulas of Riley et al. (BMJ 2020, doi:10.1136/bmj.m441)
# are written out here as pmsampsize applies them for type = "b".
# Runnable alone:  TZ=UTC Rscript reference_r/samplesize.R
# Sourced by tests/test_samplesize.py through rpy2.

# Expected LR chi-square per observation when the linear predictor is N(0, 1) in non-events
# and N(mu, 1) in events, mu = sqrt(2) qnorm(C) (Riley, Van Calster & Collins 2021,
# doi:10.1002/sim.8806): twice the mutual information of outcome and linear predictor.
ss_lr_per_obs <- function(cstat, prevalence) {
  mu <- sqrt(2) * qnorm(cstat)
  a <- qlogis(prevalence)
  # log(1 + exp(x)) without overflow
  lse <- function(x) ifelse(x > 0, x + log1p(exp(-x)), log1p(exp(x)))
  ev <- integrate(function(z) -lse(-(a + mu^2 / 2 + mu * z)) * dnorm(z), -Inf, Inf,
                  rel.tol = 1e-12, abs.tol = 1e-14)$value
  nev <- integrate(function(z) -lse(a - mu^2 / 2 + mu * z) * dnorm(z), -Inf, Inf,
                   rel.tol = 1e-12, abs.tol = 1e-14)$value
  null <- prevalence * log(prevalence) + (1 - prevalence) * log(1 - prevalence)
  2 * (prevalence * ev + (1 - prevalence) * nev - null)
}

ss_cstat_to_r2cs <- function(cstat, prevalence) 1 - exp(-ss_lr_per_obs(cstat, prevalence))

# The simulation route of Riley et al. (2021): n rows, events N(mu, 1), non-events N(0, 1),
# logistic calibration fit on the linear predictor, R2_CS = 1 - exp(-LR / n).
# Also returns the Monte Carlo standard error of R2_CS, from the spread of the per-row
# log-likelihood-ratio contributions (delta method through 1 - exp(-x)).
ss_cstat_to_r2cs_sim <- function(cstat, prevalence, n = 1e6, seed = 20240601) {
  set.seed(seed)
  mu <- sqrt(2) * qnorm(cstat)
  n_ev <- round(prevalence * n)
  y <- c(rep(1, n_ev), rep(0, n - n_ev))
  lp <- c(rnorm(n_ev, mean = mu), rnorm(n - n_ev, mean = 0))
  fit <- glm(y ~ lp, family = binomial)
  lr <- fit$null.deviance - fit$deviance
  ph <- fitted(fit)
  pbar <- mean(y)
  contrib <- 2 * (y * log(ph / pbar) + (1 - y) * log((1 - ph) / (1 - pbar)))
  r2 <- 1 - exp(-lr / n)
  list(r2cs = r2, mc_se = exp(-lr / n) * sd(contrib) / sqrt(n), lr_per_obs = lr / n)
}

# Riley et al. (2020) criteria (i)-(iii) for a binary outcome, with pmsampsize's rounding of
# max R2_CS (2 decimals) and of the small-optimism shrinkage S2 (3 decimals) when rounding = TRUE.
ss_riley <- function(prevalence, parameters, r2cs, shrinkage = 0.9, delta = 0.05, margin = 0.05,
                     rounding = TRUE) {
  need <- function(s) parameters / ((s - 1) * log(1 - r2cs / s))
  mx <- 1 - exp(2 * (prevalence * log(prevalence) + (1 - prevalence) * log(1 - prevalence)))
  if (rounding) mx <- round(mx, 2)
  s2 <- r2cs / (r2cs + delta * mx)
  if (rounding) s2 <- round(s2, 3)
  n <- c(ceiling(need(shrinkage)), ceiling(need(s2)),
         ceiling((1.96 / margin)^2 * prevalence * (1 - prevalence)))
  nmin <- max(n)
  list(n = n, shrinkage = c(shrinkage, s2, max(shrinkage, s2)), max_r2cs = mx,
       n_min = nmin, events = nmin * prevalence, epp = nmin * prevalence / parameters,
       epp_criteria = n * prevalence / parameters, final_shrinkage = max(shrinkage, s2))
}

# van Houwelingen & le Cessie (1990) heuristic shrinkage.
ss_heuristic_shrinkage <- function(lr, df) (lr - df) / lr

if (sys.nframe() == 0) {
  str(ss_riley(0.174, 24, 0.288))
  print(ss_cstat_to_r2cs(0.8, 0.2))
  str(ss_cstat_to_r2cs_sim(0.8, 0.2, n = 2e5))
}
