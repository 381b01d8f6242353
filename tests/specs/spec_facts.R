# Shared by the per-paper scripts tests/specs/<id>.R: recompute, in base R, the printed facts of a hand-written
# spec (spec_version 2) and write R's verdict on each to <out>/<id>.r.json. The numbers are read from the spec,
# which was copied from the paper as printed; every verdict is decided here, in R, and nowhere else.
#
# A printed number with d decimals stands for the interval [x - 0.5e-d, x + 0.5e-d]; "<0.001" for [0, 0.001).
# A verdict is "consistent" when the recomputed value (or its range over the rounding of the printed inputs)
# meets that interval, "inconsistent" when it does not.
#
# Facts (kind: what R computes):
#   percent     a cell's printed percent against 100 * n / N, N the row total (percent_of "row") or the group size
#   group_sum   a categorical variable's counts in one group add up to the group's n
#   categorical the printed p of a k x m count table against chisq.test (correct = FALSE and, for 2 x 2, TRUE) and
#               fisher.test (Agresti 2002, sections 3.2 and 3.5)
#   continuous  the printed p of a mean +- SD row against t.test / one-way ANOVA (var.equal = TRUE) and Welch's
#               versions (oneway.test), computed from the summary statistics over the rounding of the means and SDs
#   wald_p      a regression row's printed p against the Wald p implied by its estimate and 95% CI (SE = (log hi -
#               log lo) / (2 qnorm(0.975))), over the rounding of the estimate and the bounds (Altman & Bland 2011,
#               BMJ 343:d2304)
#   auc_hm      an AUC's Hanley-McNeil (1982) 95% CI with the events and non-events the spec's event_groups and
#               reference_groups make (recorded as a value; its verdict is "consistent" when the printed CI is
#               symmetric about the estimate within rounding)
#   count       a stated count against the column sums of the table body (several cohorts: their sum)
suppressPackageStartupMessages(library(jsonlite))

half_unit <- function(txt) {
  t <- sub("^[<>=≤≥ ]+", "", trimws(txt))
  d <- if (grepl("\\.", t)) nchar(sub("^[^.]*\\.", "", t)) else 0
  0.5 * 10^(-d)
}
num <- function(txt) as.numeric(sub("^[<>=≤≥ ]+", "", trimws(txt)))
# the interval a printed p stands for
p_interval <- function(txt) {
  t <- trimws(txt)
  if (startsWith(t, "<")) return(c(0, num(t)))
  if (startsWith(t, ">")) return(c(num(t), 1))
  x <- num(t); h <- half_unit(t)
  c(max(0, x - h), x + h)
}
meets <- function(lo, hi, iv) hi >= iv[1] && lo <= iv[2]   # [lo, hi] and the printed interval overlap
verdict <- function(ok) if (isTRUE(ok)) "consistent" else "inconsistent"

parse_count_pct <- function(txt) {
  m <- regmatches(txt, regexec("^\\s*([0-9]+)\\s*\\(\\s*([0-9.]+)\\s*%?\\s*\\)\\s*$", txt))[[1]]
  list(n = as.numeric(m[2]), pct = m[3])
}
parse_mean_sd <- function(txt) {
  p <- trimws(strsplit(txt, "±", fixed = TRUE)[[1]])
  list(mean = p[1], sd = p[2])
}
parse_est_ci <- function(txt) {
  m <- regmatches(txt, regexec("^\\s*([0-9.]+)\\s*\\(\\s*([0-9.]+)\\s*[-–,]\\s*([0-9.]+)\\s*\\)\\s*$", txt))[[1]]
  list(est = m[2], lo = m[3], hi = m[4])
}

cat_ps <- function(m) {
  out <- c(chisq = suppressWarnings(chisq.test(m, correct = FALSE))$p.value,
           fisher = fisher.test(m, workspace = 2e7)$p.value)
  if (all(dim(m) == 2)) out["chisq_yates"] <- suppressWarnings(chisq.test(m, correct = TRUE))$p.value
  out
}

# p of Student/ANOVA and Welch from summary statistics
p_means <- function(m, s, n) {
  m <- unname(m); s <- unname(s); n <- unname(n); k <- length(n); N <- sum(n)
  if (k == 2) {
    sp <- sqrt(((n[1] - 1) * s[1]^2 + (n[2] - 1) * s[2]^2) / (N - 2))
    t0 <- (m[1] - m[2]) / (sp * sqrt(1 / n[1] + 1 / n[2]))
    se <- sqrt(s[1]^2 / n[1] + s[2]^2 / n[2]); tw <- (m[1] - m[2]) / se
    dfw <- se^4 / ((s[1]^2 / n[1])^2 / (n[1] - 1) + (s[2]^2 / n[2])^2 / (n[2] - 1))
    return(c(student = 2 * pt(-abs(t0), N - 2), welch = 2 * pt(-abs(tw), dfw)))
  }
  gm <- sum(n * m) / N
  F <- (sum(n * (m - gm)^2) / (k - 1)) / (sum((n - 1) * s^2) / (N - k))
  w <- n / s^2; mw <- sum(w * m) / sum(w); tmp <- sum((1 - w / sum(w))^2 / (n - 1))
  Fw <- (sum(w * (m - mw)^2) / (k - 1)) / (1 + 2 * (k - 2) / (k^2 - 1) * tmp)
  c(anova = pf(F, k - 1, N - k, lower.tail = FALSE), welch = pf(Fw, k - 1, (k^2 - 1) / (3 * tmp), lower.tail = FALSE))
}
# range of each p over the grid {x - h, x, x + h} of every printed mean and SD
p_means_range <- function(mt, st, n) {
  axes <- c(lapply(mt, function(t) num(t) + c(-1, 0, 1) * half_unit(t)),
            lapply(st, function(t) pmax(num(t) + c(-1, 0, 1) * half_unit(t), 1e-12)))
  grid <- as.matrix(expand.grid(axes)); k <- length(n)
  ps <- t(apply(grid, 1, function(g) p_means(g[1:k], g[(k + 1):(2 * k)], n)))
  centre <- p_means(num(mt), num(st), n)
  lapply(setNames(colnames(ps), colnames(ps)), function(nm) list(p = unname(centre[nm]), range = range(ps[, nm])))
}

wald_p_range <- function(et, lt, ht) {
  z <- qnorm(0.975)
  g <- expand.grid(e = num(et) + c(-1, 0, 1) * half_unit(et), l = num(lt) + c(-1, 0, 1) * half_unit(lt),
                   h = num(ht) + c(-1, 0, 1) * half_unit(ht))
  g <- g[g$e > 0 & g$l > 0 & g$h > g$l, ]
  p <- 2 * pnorm(-abs(log(g$e)) / ((log(g$h) - log(g$l)) / (2 * z)))
  centre <- 2 * pnorm(-abs(log(num(et))) / ((log(num(ht)) - log(num(lt))) / (2 * z)))
  list(p = centre, range = range(p))
}

hanley_mcneil <- function(a, n1, n0) {
  q1 <- a / (2 - a); q2 <- 2 * a^2 / (1 + a)
  se <- sqrt((a * (1 - a) + (n1 - 1) * (q1 - a^2) + (n0 - 1) * (q2 - a^2)) / (n1 * n0))
  c(a - qnorm(0.975) * se, a + qnorm(0.975) * se)
}

table_facts <- function(tb) {
  facts <- list()
  gids <- vapply(tb$groups, `[[`, "", "id")
  gn <- setNames(vapply(tb$groups, function(g) as.numeric(g$n), 0), gids)
  pct_of <- if (is.null(tb$percent_of)) "column" else tb$percent_of
  add <- function(f) facts[[length(facts) + 1]] <<- f
  for (r in tb$rows) {
    if (r$kind == "categorical") {
      m <- t(vapply(r$levels, function(l) vapply(gids, function(g) parse_count_pct(l$cells[[g]])$n, 0), numeric(length(gids))))
      if (length(gids) == 1) m <- t(m)
      for (i in seq_along(r$levels)) for (j in seq_along(gids)) {
        cp <- parse_count_pct(r$levels[[i]]$cells[[gids[j]]])
        den <- switch(pct_of, row = sum(m[i, ]), column = gn[[gids[j]]], total = sum(gn))
        exact <- 100 * cp$n / den; h <- half_unit(cp$pct)
        add(list(kind = "percent", table = tb$id, variable = r$variable, level = r$levels[[i]]$level,
                 group = gids[j], printed = cp$pct, r_value = exact, denominator = den, percent_of = pct_of,
                 verdict = verdict(abs(exact - num(cp$pct)) <= h + 1e-9)))
      }
      for (j in seq_along(gids))
        add(list(kind = "group_sum", table = tb$id, variable = r$variable, group = gids[j],
                 printed = gn[[gids[j]]], r_value = sum(m[, j]), verdict = verdict(sum(m[, j]) == gn[[gids[j]]])))
      if (!is.null(r$p)) {
        ps <- cat_ps(m); iv <- p_interval(r$p)
        add(list(kind = "categorical", table = tb$id, variable = r$variable, printed = r$p, r_value = as.list(ps),
                 verdict = verdict(any(ps >= iv[1] & ps <= iv[2]))))
      }
    } else if (r$kind == "mean_sd" && !is.null(r$p)) {
      ms <- lapply(gids, function(g) parse_mean_sd(r$cells[[g]]))
      rg <- p_means_range(vapply(ms, `[[`, "", "mean"), vapply(ms, `[[`, "", "sd"), unname(gn[gids]))
      iv <- p_interval(r$p)
      add(list(kind = "continuous", table = tb$id, variable = r$variable, printed = r$p, r_value = rg,
               verdict = verdict(any(vapply(rg, function(x) meets(x$range[1], x$range[2], iv), NA)))))
    }
  }
  facts
}

regression_facts <- function(rg) {
  facts <- list()
  one <- function(variable, level, column, outcome, e) {
    ec <- parse_est_ci(e$estimate_ci); w <- wald_p_range(ec$est, ec$lo, ec$hi); iv <- p_interval(e$p)
    list(kind = "wald_p", table = rg$id, variable = variable, level = level, column = column, outcome = outcome,
         printed = e$p, estimate_ci = e$estimate_ci, r_value = w, verdict = verdict(meets(w$range[1], w$range[2], iv)))
  }
  # (column, outcome level, estimate) of a row or level: univariable/multivariable, or per outcome level of a
  # polytomous table (an outcome level's cell is one estimate, read as the table's kind, or univariable/multivariable)
  cells <- function(x) {
    out <- list()
    for (cn in intersect(c("univariable", "multivariable"), names(x))) out[[length(out) + 1]] <- list(cn, NULL, x[[cn]])
    for (ol in names(x$outcome_levels)) {
      cell <- x$outcome_levels[[ol]]
      if (!is.null(cell$estimate_ci)) {
        out[[length(out) + 1]] <- list(if (is.null(rg$kind)) "multivariable" else rg$kind, ol, cell)
      } else for (cn in intersect(c("univariable", "multivariable"), names(cell)))
        out[[length(out) + 1]] <- list(cn, ol, cell[[cn]])
    }
    out
  }
  for (r in rg$rows) {
    if (is.null(r$levels)) {
      for (c in cells(r)) facts[[length(facts) + 1]] <- one(r$variable, NULL, c[[1]], c[[2]], c[[3]])
    } else for (l in r$levels) if (!isTRUE(l$reference)) {
      for (c in cells(l)) facts[[length(facts) + 1]] <- one(r$variable, l$level, c[[1]], c[[2]], c[[3]])
    }
  }
  facts
}

# events and non-events of an AUC: event_groups against reference_groups summed over the cohort's tables
auc_facts <- function(spec) {
  facts <- list()
  for (i in seq_along(spec$auc)) {
    a <- spec$auc[[i]]
    if (is.null(a$ci)) next
    iv <- as.numeric(trimws(strsplit(a$ci, "[-–,]")[[1]])); est <- num(a$estimate); h <- half_unit(a$estimate)
    hw <- c(est - iv[1], iv[2] - est); hci <- max(half_unit(strsplit(a$ci, "[-–,]")[[1]][1]), half_unit(strsplit(a$ci, "[-–,]")[[1]][2]))
    symmetric <- abs(hw[1] - hw[2]) <= 2 * (h + hci) + 1e-9
    n1 <- n0 <- NA
    tb <- Filter(function(t) identical(t$cohort, a$cohort), spec$tables)
    if (length(tb) && !is.null(a$event_groups)) {
      g <- tb[[1]]$groups; og <- vapply(g, `[[`, "", "outcome_group"); gn <- vapply(g, function(x) as.numeric(x$n), 0)
      ev <- unlist(a$event_groups); rf <- if (is.null(a$reference_groups)) setdiff(og, ev) else unlist(a$reference_groups)
      n1 <- sum(gn[og %in% ev]); n0 <- sum(gn[og %in% rf])
    }
    hm <- if (is.na(n1)) NULL else hanley_mcneil(est, n1, n0)
    facts[[length(facts) + 1]] <- list(kind = "auc_hm", index = i - 1, model = a$model, cohort = a$cohort,
      printed = a$ci, estimate = a$estimate, n_events = n1, n_nonevents = n0, r_value = hm,
      half_widths = hw, verdict = verdict(symmetric))
  }
  facts
}

# A stated count against the counts in the table body: the column sums of the first categorical row of the
# table(s) that hold it -- a table of that cohort whose unit the quantity names ('patients', 'patients_<group>'),
# or a table without a cohort whose columns are the cohorts. A count over several cohorts
# is the sum of each cohort's ('sum_of_cohorts': [...]).
cohort_count <- function(spec, q, cohort) {
  for (tb in spec$tables) {
    unit <- tb$unit; plural <- paste0(unit, "s")
    if (q != plural && !startsWith(q, paste0(plural, "_"))) next
    grp <- if (q == plural) NULL else sub(paste0("^", plural, "_"), "", q)
    gids <- vapply(tb$groups, `[[`, "", "id")
    og <- vapply(tb$groups, function(g) if (is.null(g$outcome_group)) NA_character_ else g$outcome_group, "")
    pick <- if (identical(tb$cohort, cohort)) {
      if (is.null(grp)) gids else gids[!is.na(og) & og == grp]
    } else if (is.null(tb$cohort) && is.null(grp) && cohort %in% gids) cohort else character(0)
    if (!length(pick)) next
    r <- Filter(function(r) r$kind == "categorical", tb$rows)
    if (!length(r)) next
    return(sum(vapply(r[[1]]$levels, function(l) sum(vapply(pick, function(g) parse_count_pct(l$cells[[g]])$n, 0)), 0)))
  }
  NA
}

count_facts <- function(spec) {
  facts <- list()
  for (sc in spec$stated_counts) {
    cs <- if (!is.null(sc$sum_of_cohorts)) unlist(sc$sum_of_cohorts) else sc$cohort
    if (is.null(cs)) next
    val <- sum(vapply(cs, function(c) cohort_count(spec, sc$quantity, c), 0))
    if (is.na(val)) next
    facts[[length(facts) + 1]] <- list(kind = "count", cohort = paste(cs, collapse = "+"), quantity = sc$quantity,
      printed = sc$value, r_value = val, verdict = verdict(num(sc$value) == val))
  }
  facts
}

spec_facts <- function(spec_file, out_dir, name) {
  spec <- fromJSON(spec_file, simplifyVector = FALSE)
  facts <- c(unlist(lapply(spec$tables, table_facts), recursive = FALSE),
             unlist(lapply(if (is.null(spec$regression$rows)) spec$regression else list(spec$regression),
                           regression_facts), recursive = FALSE),
             auc_facts(spec), count_facts(spec))
  out <- list(generated_by = paste0("tests/specs/", name, ".R"), r_version = R.version.string,
              spec = basename(spec_file), spec_md5 = unname(tools::md5sum(spec_file)),
              n_facts = length(facts), facts = facts)
  dest <- if (grepl("\\.json$", out_dir)) out_dir else file.path(out_dir, paste0(name, ".r.json"))
  write_json(out, dest, digits = NA, auto_unbox = TRUE, pretty = TRUE,
             null = "null", na = "null")
  invisible(out)
}

spec_script <- function(name) {
  here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
  a <- commandArgs(TRUE); out <- if (length(a)) a[1] else here
  spec_facts(file.path(here, paste0(name, ".json")), out, name)
}
