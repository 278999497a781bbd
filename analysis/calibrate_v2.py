"""Derive the calibration-v2 parameters from the external figures, and show the fit.

    .venv/bin/python analysis/calibrate_v2.py            # derive, print every table
    .venv/bin/python analysis/calibrate_v2.py --check    # also compare with data/jnsa2025.json (exit 1 if not)

Deterministic: closed forms and an FFT on a fixed grid, no random numbers.  Each step solves
for the parameters named in its heading with every other assumption at its value in the
packaged data file (so the steps are run in this order and the file is updated between them
when a derived value changes):

1. industry weights and the minor-rate size elasticity from Teikoku Databank's shares of
   firms attacked (hazard ratios);
2. the earlier-window ransomware severity from the cumulative and recent survey figures;
3. the size normalisation: the base lognormal per attack type and period at the reference
   headcount, and the largest loss elasticity the survey figures allow;
4. P(major) of ransomware from NPA 2025's police-reported victims (least squares over the
   three published shares), with the same shares under the reading "NPA = all incidents";
5. the minor incidents from IPA 2024 (rate; loss median and sigma; recovery median and sigma);
6. (shown, not derived) what the model gives 10-, 50- and 250-person SMEs and a 1,000-person
   large manufacturer, against calibration v1.

The population formulas are ``cyberloss.validation._populations`` (docs/MODEL_NOTES.md,
Calibration v2).
"""
from __future__ import annotations

import argparse
import math
import sys

from cyberloss import calibration
from cyberloss.calibration import MAN_YEN, _size
from cyberloss.organisation import components
from cyberloss.validation import _figures, _populations as pop

NPA_KEYS = ("npa2025.share_cost_at_least_10m_h1", "npa2025.share_recovered_within_one_month",
            "npa2025.share_one_week_or_more_h1")


def figures() -> dict:
    """The packaged external figures (data/external.json), key -> value."""
    return {k: f.value for k, f in _figures.load().items()}


def hazard(share: float) -> float:
    return -math.log1p(-share)


def bisect(f, lo: float, hi: float, tol: float = 1e-12, iterations: int = 200) -> float:
    """Root of a function changing sign on [lo, hi]."""
    flo = f(lo)
    if flo * f(hi) > 0:
        raise ValueError(f"no sign change on [{lo}, {hi}]")
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo < tol * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def golden_min(f, lo: float, hi: float, tol: float = 1e-6) -> float:
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return 0.5 * (a + b)


# ----- 1. Teikoku Databank: industry weights, minor-rate elasticity ------------------------

def tdb_derivations(cal, fig) -> dict:
    by_industry = fig["tdb2025.ever_attacked_by_industry"]
    by_size = fig["tdb2025.ever_attacked_by_size"]
    base = hazard(by_size["all"])
    ratio = {k: hazard(v) / base for k, v in by_industry.items()}
    weights = {"manufacturing": ratio["manufacturing"], "services": ratio["services"],
               "construction": ratio["construction"], "other": ratio["agriculture"],
               "wholesale_retail": 0.5 * (ratio["wholesale"] + ratio["retail"])}
    headcounts = cal.class_employees("large") / cal.class_employees("sme")
    elasticity = math.log(hazard(by_size["large"]) / hazard(by_size["sme"])) / math.log(headcounts)
    print("1. Teikoku Databank (shares ever attacked -> hazard ratios to all firms)")
    for k, v in ratio.items():
        print(f"   {k:14s} share {by_industry[k]:.3f}  hazard ratio {v:.4f}")
    print(f"   large {by_size['large']:.3f} / SME {by_size['sme']:.3f}: hazard ratio "
          f"{hazard(by_size['large']) / hazard(by_size['sme']):.4f} over a headcount ratio {headcounts:.1f}"
          f" -> minor.frequency_elasticity = {elasticity:.4f}")
    return {"industry_weight.company": {k: round(v, 4) for k, v in weights.items()},
            "minor.frequency_elasticity": round(elasticity, 3)}


# ----- 2. earlier-window ransomware ---------------------------------------------------------

def earlier_ransomware(cal) -> dict:
    cum, rec = cal.severity_fit("ransomware", "cumulative"), cal.severity_fit("ransomware", "recent")
    n_cum, n_rec = cum.answers, rec.answers
    n_early = n_cum - n_rec
    mean = (n_cum * cum.mean - n_rec * rec.mean) / n_early
    w_early, w_rec = n_early / n_cum, n_rec / n_cum

    def mixture_median(median_early: float) -> float:
        sigma = math.sqrt(2 * math.log(mean / median_early))
        return _size.mixture_median([w_early, w_rec], [math.log(median_early), rec.mu], [sigma, rec.sigma])

    same_sigma = mean * math.exp(-0.5 * rec.sigma ** 2)
    best = golden_min(lambda m: -mixture_median(m), 0.3 * mean, 0.999 * mean, tol=1.0)
    print("\n2. Ransomware, earlier window (2017-01..2022-06), man-yen")
    print(f"   mean = ({n_cum} x {cum.mean / MAN_YEN:g} - {n_rec} x {rec.mean / MAN_YEN:g}) / {n_early}"
          f" = {mean / MAN_YEN:.1f}")
    print(f"   median with the recent sigma {rec.sigma:.4f}: {same_sigma / MAN_YEN:.1f}; "
          f"{n_early} + {n_rec} mixture median {mixture_median(same_sigma) / MAN_YEN:.1f} (published {cum.median / MAN_YEN:g})")
    print(f"   largest mixture median any lognormal with this mean gives: "
          f"{mixture_median(best) / MAN_YEN:.1f} at median {best / MAN_YEN:.1f} "
          f"(sigma {math.sqrt(2 * math.log(mean / best)):.3f})")
    print(f"   median at sigma 1.09 (the range's low end): {mean * math.exp(-0.5 * 1.09 ** 2) / MAN_YEN:.1f}")
    return {"severity.ransomware.earlier_mean": round(mean / MAN_YEN, 1),
            "severity.ransomware.earlier_median": round(same_sigma / MAN_YEN)}


# ----- 3. size normalisation -----------------------------------------------------------------

def size_normalisation(cal) -> None:
    scale = cal.size_scale
    print(f"\n3. Size normalisation (loss elasticity {scale.loss_elasticity:g}, reference "
          f"{scale.reference_employees:.2f} employees; class headcounts "
          + ", ".join(f"{s} {cal.class_employees(s):.1f}" for s in cal.sizes) + ")")
    print("   type               period      mix L/S/O           base median  sigma0  class medians (man-yen)   max e")
    for a in cal.attack_types:
        for period in ("cumulative", "recent", "earlier"):
            mix = cal.publicised_size_mix(a, period)
            base = cal.major_severity_parameters(a, period)
            meds = [cal.major_severity(a, s, period=period).median() / MAN_YEN for s in cal.sizes]
            fit = cal.severity_fit(a, period)
            limit = largest_elasticity(cal, a, period, fit.mean, fit.median)
            print(f"   {a:18s} {period:10s} {mix['large']:.3f}/{mix['sme']:.3f}/{mix['organisation']:.3f}"
                  f"   {base.median / MAN_YEN:9.1f}  {base.sigma:6.3f}  "
                  + " ".join(f"{m:7.0f}" for m in meds) + f"   {limit:.3f}")


def largest_elasticity(cal, attack_type, period, mean, median) -> float:
    def feasible(e: float) -> bool:
        try:
            cal.normalised_to_publicised_mix(attack_type, period, mean, median, e)
            return True
        except ValueError:
            return False
    lo, hi = 0.0, 2.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if feasible(mid) else (lo, mid)
    return lo


# ----- 4. ransomware: P(major) from NPA 2025 ------------------------------------------------

def npa_shares(population) -> list[float]:
    return [population.share_loss_at_least(1e7), 1.0 - population.share_days_at_least(30.0),
            population.share_days_at_least(7.0)]


def fit_major_probability(fig, comp) -> dict:
    targets = [fig[k] for k in NPA_KEYS]
    reported, publicised = fig["npa2025.reported_cases_h1"], fig["npa2025.publicised_h1"]

    def police(p: float):
        cal = calibration.load(overrides={"branch.ransomware.major_probability": p})
        return pop.police_reported_ransomware(cal, comp, reported, publicised)

    def loss(p: float) -> float:
        return sum((m - t) ** 2 for m, t in zip(npa_shares(police(p)), targets))

    p = golden_min(loss, 0.29, 0.9, tol=1e-5)
    fitted = police(p)
    print("\n4. Ransomware P(major) from NPA 2025 (police-reported victims; least squares over three shares)")
    print(f"   police reporting of unpublicised incidents r = "
          f"{fitted.counts['unpublicised_reporting_probability']:.4f}; per year: publicised "
          f"{fitted.counts['publicised_per_year']:.1f}, police-reported {fitted.counts['police_reported_per_year']:.1f},"
          f" all {fitted.counts['all_per_year']:.1f}")
    print(f"   P(major) = {p:.4f}; the police-reported population is {fitted.shares_by(1)['major']:.3f} major, by size "
          + ", ".join(f"{k} {v:.3f}" for k, v in fitted.shares_by(2).items()))
    names = ("cost >= 1,000万円", "recovered within a month", "one week or more")
    for name, t, m in zip(names, targets, npa_shares(fitted)):
        print(f"   {name:26s} published {t:.3f}  model {m:.3f}  difference {100 * (m - t):+.1f} points")
    # the other reading: NPA's victims as all incidents
    cal_all = calibration.load(overrides={"branch.ransomware.major_probability": p})
    print("   the same parameters read as all incidents: "
          + ", ".join(f"{n} {m:.3f}" for n, m in zip(names, npa_shares(pop.all_ransomware(cal_all, comp)))))

    def loss_all(q: float) -> float:
        c = calibration.load(overrides={"branch.ransomware.major_probability": q})
        return sum((m - t) ** 2 for m, t in zip(npa_shares(pop.all_ransomware(c, comp)), targets))

    q = golden_min(loss_all, 0.29, 0.95, tol=1e-5)
    c = calibration.load(overrides={"branch.ransomware.major_probability": q})
    print(f"   fitted under that reading instead: P(major) = {q:.4f}, shares "
          + ", ".join(f"{m:.3f}" for m in npa_shares(pop.all_ransomware(c, comp)))
          + "; but then the police-reported cases would be publicised at the all-incidents rate, "
          f"{1 / fitted.counts['all_per_year'] * fitted.counts['publicised_per_year']:.3f}, not NPA's "
          f"{publicised / reported:.3f}")
    return {"branch.ransomware.major_probability": round(p, 3)}


# ----- 5. minor incidents from IPA 2024 ----------------------------------------------------

def fit_minor(fig, comp, base: dict) -> dict:
    share, mean_damage = fig["ipa2024.share_with_incident"], fig["ipa2024.mean_damage_among_victims"]
    share_1m, mean_days = fig["ipa2024.share_victims_damage_at_least_1m"], fig["ipa2024.mean_recovery_days"]
    share_50 = fig["ipa2024.share_recovery_50_days_or_more"]
    years = 3.0

    def sme(**over):
        return pop.sme_population(calibration.load(overrides={**base, **over}), comp)

    rate = bisect(lambda r: sme(**{"minor.rate": r}).share_with_incident(1.0) - share, 1e-3, 5.0)

    def median_for(sigma: float) -> float:
        """The minor loss median (man-yen) giving IPA's mean damage, in closed form."""
        p = sme(**{"minor.rate": rate, "minor.severity_sigma": sigma, "minor.severity_median": 1.0})
        minor_mean_at_1 = math.exp(0.5 * sigma * sigma) * MAN_YEN
        victims = p.share_with_incident(years)
        others = sum(x * years * sum(c.weight * c.loss.mean for c in p.by_industry[i].components
                                     if not c.label.startswith("minor"))
                     for i, x in p.industry_shares.items())
        minor_count = sum(x * years * sum(c.weight for c in p.by_industry[i].components if c.label.startswith("minor"))
                          for i, x in p.industry_shares.items())
        return (mean_damage * victims - others) / (minor_count * minor_mean_at_1)

    def excess_1m(sigma: float) -> float:
        p = sme(**{"minor.rate": rate, "minor.severity_sigma": sigma, "minor.severity_median": median_for(sigma)})
        return float(p.victims_damage_sf([1e6], years)[0]) - share_1m

    sigma = bisect(excess_1m, 1.5, 3.5, tol=1e-5)
    median = median_for(sigma)
    fitted = sme(**{"minor.rate": rate, "minor.severity_sigma": sigma, "minor.severity_median": median})

    def days_median_for(s: float) -> float:
        def excess(log_median: float) -> float:
            p = sme(**{"minor.rate": rate, "minor.downtime_sigma": s, "minor.downtime_median": math.exp(log_median)})
            return p.incidents().mean_days() - mean_days
        return math.exp(bisect(excess, -8.0, 4.0, tol=1e-10))

    def excess_50(s: float) -> float:
        p = sme(**{"minor.rate": rate, "minor.downtime_sigma": s, "minor.downtime_median": days_median_for(s)})
        return p.incidents().share_days_at_least(50.0) - share_50

    s_days = bisect(excess_50, 1.0, 2.6, tol=1e-6)
    d_median = days_median_for(s_days)
    print("\n5. Minor incidents from IPA 2024 (SMEs of the class's mean headcount over the census industry mix)")
    print(f"   minor.rate {rate:.4f} per year (share with an incident in a year {fitted.share_with_incident(1.0):.4f};"
          f" over three years {fitted.share_with_incident(years):.4f})")
    print(f"   loss: median {median:.3f} man-yen, sigma {sigma:.4f}")
    print("   share of victims >= 100万円 at IPA's mean damage, by sigma (one root): "
          + ", ".join(f"{x:g}: {share_1m + excess_1m(x):.4f}" for x in (0.3, 1.0, 1.5, 2.0, 2.5, 3.0)))
    sf = fitted.victims_damage_sf([1e6, fig['ipa2024.max_damage']], years)
    n_victims = fig["ipa2024.respondents"] * fitted.share_with_incident(years)
    print(f"   victims over three years: mean damage {fitted.mean_damage_among_victims(years) / MAN_YEN:.2f} man-yen,"
          f" share >= 100万円 {sf[0]:.4f}, >= 1億円 {sf[1]:.2e}; expected victims among "
          f"{fig['ipa2024.respondents']} respondents {n_victims:.0f}, P(largest damage < 1億円) = {(1 - sf[1]) ** n_victims:.3f}")
    print(f"   recovery: median {d_median:.4f} days, sigma {s_days:.4f}, capped at {comp.max_downtime_days:g}: "
          f"mean {fitted_days(sme, rate, d_median, s_days).mean_days():.3f}, >= 50 days "
          f"{fitted_days(sme, rate, d_median, s_days).share_days_at_least(50.0):.4f}")
    mean_fixed = math.log(mean_days)
    print(f"   (an uncapped lognormal with mean {mean_days} has at most "
          f"{max(_size.lognormal_sf(50.0, mean_fixed - 0.5 * x * x, x) for x in [0.01 * k for k in range(50, 400)]):.4f}"
          " at 50 days or more)")
    incidents = fitted.incidents().shares_by(0)
    print("   incidents of SMEs by type: " + ", ".join(f"{k} {v:.5f}" for k, v in incidents.items()))
    return {"minor.rate": round(rate, 4), "minor.severity_median": round(median, 3),
            "minor.severity_sigma": round(sigma, 4), "minor.downtime_median": round(d_median, 4),
            "minor.downtime_sigma": round(s_days, 4)}


# ----- 6. what it means for organisations of different sizes --------------------------------

def profiles(cal, comp) -> None:
    """Survey-basis loss per incident and per year (all incidents, recent period) for the
    acceptance-3 profiles, before (v1: every incident a publicised one) and after."""
    print("\n6. Manufacturing profiles, all incidents, recent period, survey basis (response costs + liability;"
          " lost profit and effort come in the incident model)")
    print("   profile              incidents/yr   median loss/incident   mean loss/incident   expected loss/yr"
          "   (v1: incidents/yr, median, expected/yr)")
    for size, employees in (("sme", 10), ("sme", 50), ("sme", 250), ("large", 1000)):
        frequency = comp.size_exposure_factor(size, employees)
        parts, v1 = [], []
        for a in cal.attack_types:
            rate = cal.rate(a, "manufacturing", size, basis="all", period="recent") * frequency
            p = cal.major_probability(a, size)
            parts.append((rate * p, cal.major_severity(a, size, employees)))
            parts.append((rate * (1 - p), cal.contained_severity(a, size, employees)))
            v1.append((rate, cal.severity(a, "recent")))
        parts.append((cal.minor_rate("manufacturing", size, employees), cal.minor_severity(size, employees)))

        def summary(items):
            total = sum(r for r, _ in items)
            w = [r / total for r, _ in items]
            median = _size.mixture_median(w, [d.mu for _, d in items], [d.sigma for _, d in items])
            mean = sum(x * d.mean() for x, (_, d) in zip(w, items))
            return total, median, mean

        n, median, mean = summary(parts)
        n1, median1, mean1 = summary(v1)
        print(f"   {size} {employees:5d} employees {n:12.4f}   {median / MAN_YEN:17.1f}万円   {mean / MAN_YEN:15.1f}万円"
              f"   {n * mean / MAN_YEN:13.1f}万円   ({n1:.5f}, {median1 / MAN_YEN:,.0f}万円, {n1 * mean1 / MAN_YEN:.1f}万円)")


def fitted_days(sme, rate, median, sigma):
    return sme(**{"minor.rate": rate, "minor.downtime_sigma": sigma, "minor.downtime_median": median}).incidents()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the packaged data file")
    args = ap.parse_args()
    fig = figures()
    comp = components.load()
    cal = calibration.load()
    derived = {}
    derived.update(tdb_derivations(cal, fig))
    derived.update(earlier_ransomware(cal))
    size_normalisation(cal)
    derived.update(fit_major_probability(fig, comp))
    derived.update(fit_minor(fig, comp, {"branch.ransomware.major_probability": derived["branch.ransomware.major_probability"]}))
    profiles(cal, comp)
    print("\nDerived values (data/jnsa2025.json):")
    mismatched = []
    for key, value in derived.items():
        stored = cal.data.value(key)
        if isinstance(value, dict):
            same = all(stored[k] == v for k, v in value.items())
        else:
            same = stored == value
        print(f"   {key:40s} {value}  {'(as stored)' if same else f'(stored: {stored})'}")
        if not same:
            mismatched.append(key)
    if args.check and mismatched:
        print(f"differs from the data file: {', '.join(mismatched)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
