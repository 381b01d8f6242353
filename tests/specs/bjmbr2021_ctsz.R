# Hand verification in base R of the printed facts of Batista et al., Braz J Med Biol Res 2021;54(10):e11439
# (doi:10.1590/1414-431X2021e11439; CTSZ mRNA in blood, 20 controls vs 30 prostate cancer patients), read from
# the spec beside this script (tests/specs/bjmbr2021_ctsz.json), for tests/test_papers.py.
# Regenerate the stored output with one command (from the repository root):
#   Rscript tests/specs/bjmbr2021_ctsz.R            (writes tests/specs/bjmbr2021_ctsz.r.json)
#   Rscript tests/specs/bjmbr2021_ctsz.R OUT.json
# Each fact has the id of the audit finding it verifies and R's verdict:
#   percent      100 * n / N (N = the column's n) rounds to the printed percent (|diff| <= half a unit of the last place)
#   sum          the level counts of a variable add up to the column's n
#   categorical  the printed p is chisq.test (correct = FALSE) or fisher.test on the r x c counts, to the printed places
#   continuous   Student's or Welch's t from mean +- SD; the p range over the rounding of the printed means and SDs
#                (+- half a unit, 16 corners) must meet the printed p's rounding interval
#   claim        a 'not significant' claim on a row whose printed p is above 0.05
#   auc_ci       the printed CI is centred on the printed AUC (a Wald-type CI, to the printed places) and its half-width
#                is within a factor 2 of 1.96 x Hanley & McNeil's (1982) SE for the printed AUC and the group sizes (a
#                plausibility band: DeLong's SE, which SPSS prints, depends on the score distributions)
#   auc_repeat   an AUC printed in several places (Results, Abstract, Figure 2 legend) has the same estimate in each
#   diagnostic   some k/n_positive rounds to the printed sensitivity and some k/n_negative to the specificity
#   design       a stated count equals the sum of its parts / the table's group size
# `unmatched` holds printed facts verified here that no spec field can carry (so no audit finding judges them):
# the AUC's printed SE and the likelihood ratios.
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
spec_path <- file.path(here, "bjmbr2021_ctsz.json")
out_path <- if (length(args)) args[1] else file.path(here, "bjmbr2021_ctsz.r.json")
spec <- fromJSON(spec_path, simplifyVector = FALSE)

decimals <- function(s) { s <- sub("^[<>=]", "", trimws(s)); if (grepl("\\.", s)) nchar(sub(".*\\.", "", s)) else 0L }
half <- function(s) 0.5 * 10^(-decimals(s))
agrees <- function(x, s) abs(x - as.numeric(sub("^[<>=]", "", s))) <= half(s) + 1e-12
cell <- function(s) { m <- regmatches(s, regexec("^\\s*(\\d+)\\s*\\(\\s*([0-9.]+)\\s*\\)\\s*$", s))[[1]]; list(n = as.integer(m[2]), pct = m[3]) }
msd <- function(s) { m <- regmatches(s, regexec("^\\s*([0-9.]+)\\s*±\\s*([0-9.]+)\\s*$", s))[[1]]; list(m = m[2], s = m[3]) }
ci2 <- function(s) as.numeric(strsplit(s, "-", fixed = TRUE)[[1]])

facts <- list(); unmatched <- list()
add <- function(id, kind, printed, r, verdict, detail) facts[[length(facts) + 1]] <<- list(
  id = id, kind = kind, printed = printed, r = r, verdict = verdict, detail = detail)
add_u <- function(what, printed, r, verdict, detail) unmatched[[length(unmatched) + 1]] <<- list(
  what = what, printed = printed, r = r, verdict = verdict, detail = detail)

tt <- function(m1, s1, n1, m2, s2, n2, welch) {
  if (welch) {
    se <- sqrt(s1^2 / n1 + s2^2 / n2); df <- se^4 / ((s1^2 / n1)^2 / (n1 - 1) + (s2^2 / n2)^2 / (n2 - 1))
  } else {
    df <- n1 + n2 - 2; se <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / df * (1 / n1 + 1 / n2))
  }
  2 * pt(-abs((m1 - m2) / se), df)
}
# Hanley JA, McNeil BJ. Radiology 1982;143:29-36, eq. 2 (n_a abnormal, n_n normal)
se_hm <- function(a, na, nn) {
  q1 <- a / (2 - a); q2 <- 2 * a^2 / (1 + a)
  sqrt((a * (1 - a) + (na - 1) * (q1 - a^2) + (nn - 1) * (q2 - a^2)) / (na * nn))
}

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
                                    sprintf("level counts sum to %d of %d", sum(counts[, j]), gn[j]))
      if (!is.null(row$p) && length(gid) > 1) {
        p <- c(chisq = suppressWarnings(chisq.test(counts, correct = FALSE))$p.value, fisher = fisher.test(counts)$p.value)
        ok <- vapply(p, agrees, TRUE, s = row$p)
        add(paste("test.categorical", t$id, v, sep = ":"), "categorical", row$p, as.list(p),
            if (any(ok)) "consistent" else "inconsistent",
            if (any(ok)) paste("reproduced by", paste(names(p)[ok], collapse = ", ")) else "no test gives it")
      }
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
      add(paste("test.continuous", t$id, v, sep = ":"), "continuous", row$p,
          list(student = central[["student"]], welch = central[["welch"]], student_range = rs, welch_range = rw),
          if (hit(rs) || hit(rw)) "consistent" else "inconsistent",
          sprintf("Student %.4g [%.4g, %.4g], Welch %.4g [%.4g, %.4g]", central[["student"]], rs[1], rs[2],
                  central[["welch"]], rw[1], rw[2]))
    }
  }
}

# 'statistically homogeneous in terms of age (P=0.215) and race (P=0.718)': not significant, printed p above 0.05
for (cl in spec$significance_claims) for (v in cl$variables) {
  row <- Filter(function(r) r$variable == v, Filter(function(t) t$id == cl$table, spec$tables)[[1]]$rows)[[1]]
  add(paste("claim.significance", cl$table, v, sep = ":"), "claim", row$p, as.numeric(row$p),
      if (as.numeric(row$p) > 0.05) "consistent" else "inconsistent", sprintf("table p %s > 0.05", row$p))
}

# AUC CIs against Hanley & McNeil's SE for the printed AUC and group sizes
grp <- list(pilot = c(30L, 20L), pca_relapse = c(4L, 20L))  # (events, non-events): Table 1 (30 PCa / 20 controls; relapse Yes 4 / No 20)
for (i in seq_along(spec$auc)) {
  if (is.null(spec$auc[[i]]$ci)) next
  a <- spec$auc[[i]]; est <- as.numeric(a$estimate); ci <- ci2(a$ci); n <- grp[[a$cohort]]
  se <- se_hm(est, n[1], n[2]); hw <- (ci[2] - ci[1]) / 2; ratio <- hw / (qnorm(0.975) * se)
  centred <- abs(mean(ci) - est) <= half(a$estimate) + half(strsplit(a$ci, "-", fixed = TRUE)[[1]][1]) + 1e-12
  # with the SE printed beside the AUC ('0.832±0.062'): the CI must be AUC -+ 1.96 SE over the rounding of the
  # printed AUC, SE and bounds (each +- half a unit)
  wald <- NA
  if (!is.null(a$se)) {
    s <- as.numeric(a$se); hs <- half(a$se); he <- half(a$estimate); hb <- half(strsplit(a$ci, "-", fixed = TRUE)[[1]][1])
    z <- qnorm(0.975)
    lo_r <- c(est - he - z * (s + hs), est + he - z * (s - hs)); hi_r <- c(est - he + z * (s - hs), est + he + z * (s + hs))
    wald <- lo_r[1] <= ci[1] + hb + 1e-12 && ci[1] - hb <= lo_r[2] + 1e-12 && hi_r[1] <= ci[2] + hb + 1e-12 &&
      ci[2] - hb <= hi_r[2] + 1e-12
  }
  # without a printed SE, a width within a factor 2 of Hanley-McNeil's is a plausibility band, not a number
  # recomputed (DeLong's width depends on the scores): kept with the facts the format cannot check, not as a fact
  record <- if (is.na(wald)) function(id, kind, printed, r, verdict, detail) add_u(id, printed, r,
    if (verdict == "consistent") "plausible (not a recomputation)" else verdict, detail) else add
  record(sprintf("auc.ci:%s:%s:%d", a$model, a$kind, i - 1L), "auc_ci", a$ci,
      list(se_hanley_mcneil = se, half_width = hw, ratio = ratio, centre = mean(ci), wald_from_printed_se = wald),
      if (isTRUE(wald) || (is.na(wald) && centred && ratio >= 0.5 && ratio <= 2)) "consistent" else "inconsistent",
      sprintf("centre %.4f (printed AUC %s: %s); half-width %.4f = %.3f x 1.96 x SE_HM %.4f (%d events vs %d)",
              mean(ci), a$estimate, if (centred) "a symmetric Wald-type CI" else "not centred", hw, ratio, se, n[1], n[2]))
}
# the same AUC printed in several places (Results, Abstract, Figure 2 legend): the same estimate everywhere
keys <- vapply(spec$auc, function(a) paste(a$model, a$kind, a$cohort, sep = ":"), "")
for (k in unique(keys[duplicated(keys)])) {
  est <- vapply(spec$auc[keys == k], function(a) a$estimate, "")
  add(paste0("auc.repeat:", k), "auc_repeat", as.list(est), length(unique(est)),
      if (length(unique(est)) == 1) "consistent" else "inconsistent",
      sprintf("%d places print %s", length(est), paste(unique(est), collapse = " / ")))
}
# the printed SE beside the first AUC ('0.832±0.062'): AUC +- 1.96 SE gives the printed CI
# over the rounding of the printed AUC and SE (+- 0.0005 each), the limits AUC -+ 1.96 SE must reach the printed ones
z <- qnorm(0.975)
lo_rng <- c(0.8315 - z * 0.0625, 0.8325 - z * 0.0615); hi_rng <- c(0.8315 + z * 0.0615, 0.8325 + z * 0.0625)
ok <- 0.711 >= lo_rng[1] - 0.0005 && 0.711 <= lo_rng[2] + 0.0005 && 0.953 >= hi_rng[1] - 0.0005 && 0.953 <= hi_rng[2] + 0.0005
add_u("AUC 0.832±0.062 (95%CI: 0.711-0.953): the CI is AUC -+ 1.96 x the printed SE", "0.711-0.953",
      list(lower = lo_rng, upper = hi_rng, central = 0.832 + c(-1, 1) * z * 0.062), if (ok) "consistent" else "inconsistent",
      sprintf("0.832 -+ 1.96 x 0.062 = %.4f-%.4f; over the rounding of AUC and SE: lower %.4f-%.4f, upper %.4f-%.4f",
              0.832 - z * 0.062, 0.832 + z * 0.062, lo_rng[1], lo_rng[2], hi_rng[1], hi_rng[2]))

# sensitivity / specificity against k / n
d <- spec$diagnostic_accuracy[[1]]
sens_k <- which(vapply(0:d$n_positive, function(k) agrees(100 * k / d$n_positive, d$sensitivity), TRUE)) - 1L
spec_k <- which(vapply(0:d$n_negative, function(k) agrees(100 * k / d$n_negative, d$specificity), TRUE)) - 1L
add(sprintf("diagnostic:%s:0", d$model), "diagnostic", list(sensitivity = d$sensitivity, specificity = d$specificity),
    list(sensitivity_k = as.list(sens_k), specificity_k = as.list(spec_k)),
    if (length(sens_k) && length(spec_k)) "consistent" else "inconsistent",
    sprintf("sensitivity %s%% = k/%d for k in {%s}; specificity %s%% = k/%d for k in {%s} (k/15 = 14/15 = 93.3; k/20 gives 90.0 or 95.0)",
            d$sensitivity, d$n_positive, paste(sens_k, collapse = ","), d$specificity, d$n_negative, paste(spec_k, collapse = ",")))
# likelihood ratios printed beside them: +LR 9.4, -LR 'close to 0.4'
sens <- as.numeric(d$sensitivity) / 100; spc <- as.numeric(d$specificity) / 100
lrp <- sens / (1 - spc); lrn <- (1 - sens) / spc
add_u("+LR 9.4 = sensitivity / (1 - specificity)", "9.4", lrp, if (agrees(lrp, "9.4")) "consistent" else "inconsistent",
      sprintf("0.63 / (1 - 0.933) = %.4f", lrp))
add_u("-LR 'close to 0.4' = (1 - sensitivity) / specificity", "0.4", lrn, if (agrees(lrn, "0.4")) "consistent" else "inconsistent",
      sprintf("(1 - 0.63) / 0.933 = %.4f", lrn))

# stated counts: 50 = 20 + 30; 20 and 30 are Table 1's group sizes
sc <- spec$stated_counts
get <- function(q) as.integer(Filter(function(s) s$quantity == q, sc)[[1]]$value)
add("design.counts:pilot:patients", "design", get("patients"), get("patients_control") + get("patients_pca"),
    if (get("patients") == get("patients_control") + get("patients_pca")) "consistent" else "inconsistent",
    sprintf("%d + %d = %d", get("patients_control"), get("patients_pca"), get("patients_control") + get("patients_pca")))
gsize <- function(g) as.integer(Filter(function(x) x$id == g, Filter(function(t) t$id == "table1_groups", spec$tables)[[1]]$groups)[[1]]$n)
for (g in c("control", "pca")) add(paste0("design.counts:pilot:patients_", g), "design", get(paste0("patients_", g)), gsize(g),
                                   if (get(paste0("patients_", g)) == gsize(g)) "consistent" else "inconsistent",
                                   sprintf("stated %d, Table 1 group n %d", get(paste0("patients_", g)), gsize(g)))

write_json(list(generated_by = "tests/specs/bjmbr2021_ctsz.R", r_version = R.version.string,
                spec = "tests/specs/bjmbr2021_ctsz.json", facts = facts, unmatched = unmatched),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
