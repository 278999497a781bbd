"""The experience fit: the JNSA calibration as the prior, an insurer's claims as the data.

Severity (per attack type, ``severity``): the truncated/censored lognormal MLE of the
major-incident loss at the reference headcount (each claim's loss and deductible divided by
its size class's loss scale), penalised by the JNSA major severity worth
``experience.severity_prior_claims`` claims.

Frequency (per attack type x size, gamma-Poisson credibility): the claims of a group grossed
up for the deductibles, ``N* = sum 1 / S(d_i)`` under the fitted severity (the
Horvitz-Thompson count of ground-up major incidents), against the prior's expectation on the
exposure ``m = sum_cells policy_years x rate_all(a, industry, size) x P(major | a, size)``.
With the group's factor ``theta ~ Gamma(k, k)`` (mean 1, coefficient of variation
``1 / sqrt(k)``; ``k = experience.frequency_prior_claims``) and ``N ~ Poisson(theta m)`` the
posterior mean is ``(k + N*) / (k + m) = Z (N* / m) + (1 - Z)`` with credibility
``Z = m / (k + m)``.  The factor multiplies the type's all-incidents rate of that size (major
and contained branches alike: the branch split stays JNSA's).
"""
from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import _json
from .. import random as clrandom
from ..calibration import Calibration, FittedCalibration
from ..calibration import load as load_calibration
from ..calibration.fitted import FittedSeverity, FrequencyGroup, from_document
from ..config import labels
from ..report import diagnostics, language, money, text
from ..report.html import Described, escape
from . import claims as claims_mod
from . import severity as sev

PRIOR = "JNSA 2025"
SPLICE_MIN_CLAIMS = 100


@dataclass(frozen=True)
class ExperienceFit(Described):
    """What ``cyberloss fit`` found: the fitted calibration and its diagnostics."""

    calibration: FittedCalibration
    claims: pd.DataFrame
    exposure: pd.DataFrame
    fits: dict[str, sev.LognormalFit]
    naive: dict[str, sev.LognormalFit | None]
    observations: dict[str, sev.Observations]
    spliced: dict[str, sev.SplicedFit | str]

    def splice_table(self) -> pd.DataFrame:
        """The lognormal-GPD splice fitted to each type with at least ``SPLICE_MIN_CLAIMS``
        claims (threshold at the body quantile ``tail.threshold_quantile``): mu, sigma, the
        tail shape xi with SEs and the log-likelihood beside the lognormal's; a type whose
        splice has no maximum says why."""
        rows: list[dict[str, Any]] = []
        for a, f in self.spliced.items():
            ln = self.fits[a]
            if isinstance(f, str):
                rows.append({"attack_type": a, "note": f})
                continue
            rows.append({"attack_type": a, "mu": f.mu, "sigma": f.sigma, "xi": f.xi, "se_mu": f.se_mu,
                         "se_sigma": f.se_sigma, "se_xi": f.se_xi, "threshold": f.threshold,
                         "log_likelihood": f.log_likelihood, "lognormal_log_likelihood": ln.log_likelihood,
                         "note": ""})
        return pd.DataFrame(rows)

    def severity_table(self) -> pd.DataFrame:
        """One row per fitted type: the truncated/censored fit with standard errors, the
        naive fit and the JNSA prior (mu at the reference headcount, ln JPY), and the means."""
        rows = []
        for a, s in self.calibration.fitted_severities.items():
            rows.append({**asdict(s), "label_ja": self.calibration.data.attack_labels[a],
                         "mean": math.exp(s.mu + 0.5 * s.sigma ** 2),
                         "naive_mean": math.exp(s.naive_mu + 0.5 * s.naive_sigma ** 2)
                         if math.isfinite(s.naive_mu) else math.nan,
                         "prior_mean": math.exp(s.prior_mu + 0.5 * s.prior_sigma ** 2)})
        return pd.DataFrame(rows)

    def credibility_table(self) -> pd.DataFrame:
        """One row per (attack type, size) group: claims, grossed-up claims, exposure, prior
        expected claims, credibility weight and the fitted factor on the JNSA rate."""
        return pd.DataFrame([asdict(g) for g in self.calibration.groups])

    def describe(self) -> pd.DataFrame:
        return self.severity_table()

    def text(self, lang: str | None = None) -> str:
        """The fit as plain text in ``lang`` ("ja" or "en"; default: the locale's), Japanese
        tables aligned by display width."""
        lang = language.resolve(lang)
        if lang == "ja":
            return self._text_ja()
        cal = self.calibration
        sev_t = self.severity_table()
        shown = pd.DataFrame({
            "claims": sev_t["claims"].to_numpy(), "censored": sev_t["censored"].to_numpy(),
            "median (fit)": [money.format_yen(math.exp(m)) for m in sev_t["mu"]],
            "sigma (fit)": [f"{s:.3f} ± {e:.3f}" for s, e in zip(sev_t["sigma"], sev_t["se_sigma"])],
            "mu ± se": [f"{m:.3f} ± {e:.3f}" for m, e in zip(sev_t["mu"], sev_t["se_mu"])],
            # the naive fit needs two different losses (none for a group with fewer)
            "mu (naive)": [f"{m:.3f}" if math.isfinite(m) else "n/a" for m in sev_t["naive_mu"]],
            "mu (JNSA)": [f"{m:.3f}" for m in sev_t["prior_mu"]],
            "sigma (JNSA)": [f"{s:.3f}" for s in sev_t["prior_sigma"]],
        }, index=pd.Index(sev_t["attack_type"], name="attack_type"))
        cred = self.credibility_table()
        cred_shown = cred.assign(
            ground_up_claims=cred["ground_up_claims"].round(1),
            expected_prior=cred["expected_prior"].round(1),
            credibility=cred["credibility"].round(3), factor=cred["factor"].round(3),
        ).set_index(["attack_type", "size"])
        return "\n".join([
            f"cyberloss fit: {cal.provenance}",
            f"prior weights: frequency {cal.settings['frequency_prior_weight']:g} expected claims, "
            f"severity {cal.settings['severity_prior_weight']:g} claims",
            "", "Severity of a major incident at the reference headcount "
                "(truncated/censored MLE + JNSA prior; naive fit and JNSA beside it):",
            shown.to_string(), "",
            "Frequency: credibility of the claims per group (factor = fitted / JNSA rate):",
            cred_shown.to_string(), *self._splice_lines("en")])

    def _splice_lines(self, lang: str = "en") -> list[str]:
        table = self.splice_table()
        if table.empty:
            return []
        w = language.words(lang)
        q = self.calibration.data.value("tail.threshold_quantile")
        lines = ["", w(f"Lognormal-GPD splice (plain MLE, threshold at the body's {q:g} quantile):",
                       f"対数正規・一般化パレート分布の接合（単純な最尤推定、閾値は本体の {q:g} 分位点）:")]
        labels = self.calibration.data.attack_labels if lang == "ja" else {}
        for r in table.itertuples(index=False):
            name = labels.get(r.attack_type) or r.attack_type
            if r.note:
                lines.append(f"  {name}: {r.note}")
            else:
                lines.append(w(f"  {name}: xi {r.xi:.3f} ± {r.se_xi:.3f}, mu {r.mu:.3f} ± {r.se_mu:.3f}, "
                               f"sigma {r.sigma:.3f} ± {r.se_sigma:.3f}, log-likelihood {r.log_likelihood:.1f} "
                               f"(lognormal {r.lognormal_log_likelihood:.1f})",
                               f"  {name}: ξ {r.xi:.3f} ± {r.se_xi:.3f}、μ {r.mu:.3f} ± {r.se_mu:.3f}、"
                               f"σ {r.sigma:.3f} ± {r.se_sigma:.3f}、対数尤度 {r.log_likelihood:.1f}"
                               f"（対数正規 {r.lognormal_log_likelihood:.1f}）"))
        return lines

    def _text_ja(self) -> str:
        cal, data = self.calibration, self.calibration.data
        attack = {k: data.attack_labels.get(k) or k for k in data.attack_types}
        sev_t = self.severity_table()
        severity = [[attack.get(r.attack_type, r.attack_type), f"{r.claims:d}", f"{r.censored:d}",
                     money.format_yen(math.exp(r.mu)), f"{r.sigma:.3f} ± {r.se_sigma:.3f}",
                     f"{r.mu:.3f} ± {r.se_mu:.3f}",
                     f"{r.naive_mu:.3f}" if math.isfinite(r.naive_mu) else "なし",
                     f"{r.prior_mu:.3f}", f"{r.prior_sigma:.3f}"] for r in sev_t.itertuples(index=False)]
        c = language.FIT_COLUMNS_JA
        frequency = [[attack.get(g.attack_type, g.attack_type), data.size_labels.get(g.size) or g.size,
                      f"{g.claims:d}", f"{g.ground_up_claims:.1f}", f"{g.policy_years:,.1f}",
                      f"{g.expected_prior:.1f}", f"{g.credibility:.3f}", f"{g.factor:.3f}"]
                     for g in cal.groups]
        return "\n".join([
            f"cyberloss 実績による当てはめ: {cal.provenance_ja}",
            f"事前分布の重み: 頻度 期待件数 {cal.settings['frequency_prior_weight']:g} 件分、"
            f"損害額 {cal.settings['severity_prior_weight']:g} 件分",
            "", "基準従業員数での大規模インシデントの損害額（切断・打切りを考慮した最尤推定＋JNSA事前分布、"
                "単純推定とJNSAを併記）:",
            *text.table([c[k] for k in ("attack_type", "claims", "censored", "median (fit)", "sigma (fit)",
                                        "mu ± se", "mu (naive)", "mu (JNSA)", "sigma (JNSA)")], severity),
            "", "頻度: 区分ごとの請求実績の信頼度（補正係数 = 当てはめ後の頻度 / JNSAの頻度）:",
            *text.table([c[k] for k in ("attack_type", "size", "claims", "ground_up_claims", "policy_years",
                                        "expected_prior", "credibility", "factor")], frequency, "<<" + ">" * 6),
            *self._splice_lines("ja")])

    def to_json(self) -> dict[str, Any]:
        return _json.document({"provenance": self.calibration.fit_provenance,
                               "settings": self.calibration.settings,
                               "severity": self.severity_table().to_dict(orient="records"),
                               "frequency": self.credibility_table().to_dict(orient="records"),
                               "spliced": self.splice_table().to_dict(orient="records")})

    def probability_points(self, attack_type: str) -> pd.DataFrame:
        """The product-limit estimate against the fitted and naive laws on the truncated
        scale (conditional on exceeding the smallest deductible): one row per distinct
        uncensored loss (at the reference headcount), with the empirical, fitted and naive
        CDFs and the fitted quantile at the empirical probability."""
        obs = self.observations[attack_type]
        y, surv = sev.product_limit(obs)
        left = float(np.min(obs.log_deductible))
        empirical = 1.0 - surv
        # plotting position: the midpoint of the jump, so the top point is not at probability 1
        position = empirical - 0.5 * np.diff(np.concatenate([[0.0], empirical]))
        out = {"loss": np.exp(y), "empirical": position}
        for name, fit in (("fitted", self.fits[attack_type]), ("naive", self.naive.get(attack_type))):
            if fit is None:
                continue
            s0 = 1.0 if not math.isfinite(left) else \
                float(sev.lognormal_sf(np.array([math.exp(left)]), fit.mu, fit.sigma)[0])
            out[name] = 1.0 - sev.lognormal_sf(np.exp(y), fit.mu, fit.sigma) / s0
            if name == "fitted":
                # quantile of the conditional law: F(x) = F(d) + p S(d)
                p = (1.0 - s0) + position * s0
                out["fitted_quantile"] = np.exp(fit.mu + fit.sigma * _probit(p))
        return pd.DataFrame(out)

    def plot(self, attack_type: str | None = None, lang: str | None = None):
        """QQ and probability plots of one fitted type (default: the one with most claims); words
        in ``lang`` ("ja" or "en"; None: the locale's)."""
        a = (max(self.fits, key=lambda k: self.fits[k].n) if attack_type is None
             else labels.canonical("attack_types", attack_type) or attack_type)
        if a not in self.fits:
            raise ValueError(f"attack_type must be one of the fitted types {', '.join(self.fits)}, got {a!r}")
        return diagnostics.fit_plots(self.probability_points(a),
                                     f"{a} ({self.calibration.data.attack_labels[a]})", lang)

    def _html_title(self) -> str:
        return "Experience fit"

    def _html_note(self) -> str:
        return escape(self.calibration.provenance)

    def _html_table(self):
        return self.severity_table()[["attack_type", "claims", "censored", "mu", "se_mu", "sigma",
                                      "se_sigma", "naive_mu", "naive_sigma", "prior_mu", "prior_sigma"]]


def _probit(p: np.ndarray) -> np.ndarray:
    return np.asarray(clrandom.normal_quantile(np.asarray(p, dtype=float)), dtype=float)


def _size_offsets(cal: Calibration) -> dict[str, float]:
    scale = cal.size_scale
    return {s: scale.offset(cal.class_employees(s), scale.loss_elasticity) for s in cal.data.sizes}


def fit(claims: str | Path | pd.DataFrame, exposure: str | Path | pd.DataFrame,
        calibration: Calibration | None = None, *, frequency_prior_weight: float | None = None,
        severity_prior_weight: float | None = None, period: str = "recent",
        fitted_on: datetime.date | None = None, encoding: str = "auto") -> ExperienceFit:
    """Fit the JNSA calibration (or ``calibration``) to an insurer's claims and exposure
    (CSV paths, their ``encoding`` detected or named as for ``read_claims``, or DataFrames
    with the files' columns).  The prior weights default to the calibration's assumptions
    ``experience.frequency_prior_claims`` and ``experience.severity_prior_claims``."""
    cal = load_calibration() if calibration is None else calibration
    if isinstance(cal, FittedCalibration):
        cal = cal.base
    table = claims_mod.read_claims(claims, cal, encoding)
    expo = claims_mod.read_exposure(exposure, cal, encoding)
    k_freq = _weight("frequency_prior_weight", frequency_prior_weight,
                     cal.data.value("experience.frequency_prior_claims"))
    k_sev = _weight("severity_prior_weight", severity_prior_weight,
                    cal.data.value("experience.severity_prior_claims"))
    cells = set(zip(expo["industry"], expo["size"]))
    for row in table.itertuples():
        if (row.industry, row.size) not in cells:
            where = "the exposure table" if isinstance(exposure, pd.DataFrame) else f"exposure file {exposure}"
            raise ValueError(f"claims: claim {row.claim_id!r} is of industry {row.industry!r} and size "
                             f"{row.size!r}, a cell {where} does not cover")
    if k_freq == 0.0:
        _claims_in_every_group(cal, table, expo)
    offsets = _size_offsets(cal)
    shift = np.exp(-table["size"].map(offsets).to_numpy(dtype=float))
    fits: dict[str, sev.LognormalFit] = {}
    naive: dict[str, sev.LognormalFit | None] = {}
    observations: dict[str, sev.Observations] = {}
    fitted: dict[str, FittedSeverity] = {}
    for a in cal.attack_types:
        mine = (table["attack_type"] == a).to_numpy()
        if not mine.any():
            continue
        obs = sev.Observations.from_losses(table["loss"].to_numpy()[mine] * shift[mine],
                                           table["censored"].to_numpy()[mine],
                                           table["deductible"].to_numpy()[mine] * shift[mine])
        prior = cal.major_severity_parameters(a, period)
        try:
            f = sev.fit_lognormal(obs, sev.LognormalPrior(prior.mu, prior.sigma, k_sev))
        except ValueError as exc:
            raise ValueError(f"claims of attack type {a!r}: {exc}") from None
        try:
            nv: sev.LognormalFit | None = sev.fit_naive(obs)
        except ValueError:
            nv = None
        fits[a], naive[a], observations[a] = f, nv, obs
        fitted[a] = FittedSeverity(a, f.mu, f.sigma, f.se_mu, f.se_sigma, f.n, f.censored, f.truncated,
                                   prior.mu, prior.sigma, nv.mu if nv else math.nan,
                                   nv.sigma if nv else math.nan,
                                   float(f.covariance[0, 1] / math.sqrt(f.covariance[0, 0] * f.covariance[1, 1])))
    if not fits:
        raise ValueError("claims: no claims to fit")
    spliced: dict[str, sev.SplicedFit | str] = {}
    q = float(cal.data.value("tail.threshold_quantile"))
    for a, obs in observations.items():
        if obs.n >= SPLICE_MIN_CLAIMS:
            try:
                spliced[a] = sev.fit_spliced(obs, q)
            except ValueError as exc:
                spliced[a] = str(exc)
    groups = _credibility(cal, table, expo, fits, shift, k_freq, period)
    name = Path(claims).name if not isinstance(claims, pd.DataFrame) else "a DataFrame"
    when = (fitted_on or datetime.datetime.now(datetime.timezone.utc).date()).isoformat()
    provenance = {
        "text": f"fitted to {len(table)} claims from {name} on {when}, prior {PRIOR}",
        "claims": len(table), "claims_file": name,
        "exposure_file": Path(exposure).name if not isinstance(exposure, pd.DataFrame) else "a DataFrame",
        "fitted_on": when, "prior": f"{PRIOR} ({cal.provenance})",
        "first_claim": min(table["date"]).isoformat(), "last_claim": max(table["date"]).isoformat()}
    settings = {"frequency_prior_weight": k_freq, "severity_prior_weight": k_sev, "period": period}
    fitted_cal = FittedCalibration(cal, groups, fitted, provenance, settings)
    _saveable(fitted_cal, cal)
    return ExperienceFit(fitted_cal, table, expo, fits, naive, observations, spliced)


def _weight(name: str, value: float | None, default: float) -> float:
    if value is None:
        return float(default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _claims_in_every_group(cal: Calibration, table: pd.DataFrame, expo: pd.DataFrame) -> None:
    """Without a frequency prior the factor of a group is its grossed-up claims over the
    prior's expected count: 0 for a group with exposure and no claims, a rate of zero, which
    no calibration holds (the reader refuses a factor <= 0).  Refused before fitting, naming
    the first such group."""
    for a in cal.attack_types:
        for size in dict.fromkeys(expo["size"]):
            if not ((table["attack_type"] == a) & (table["size"] == size)).any():
                years = float(expo.loc[expo["size"] == size, "policy_years"].sum())
                raise ValueError(
                    f"frequency_prior_weight 0: attack type {a!r} x size {size!r} has exposure "
                    f"({years:,.0f} policy-years) but no claims, so its fitted frequency factor "
                    "would be 0 (no incidents ever), which a calibration cannot hold; give a "
                    "frequency prior weight > 0 (--frequency-prior-weight)")


def _saveable(fitted: FittedCalibration, base: Calibration) -> None:
    """Refuse a fit whose file the calibration reader would refuse (a factor or a standard
    error beyond the reader's caps): a fit never writes a file the package cannot read."""
    try:
        from_document(fitted.to_document(), base, "as fitted")
    except ValueError as exc:
        raise ValueError(f"the fit would write a calibration the package refuses ({exc})") from None


def _credibility(cal: Calibration, table: pd.DataFrame, expo: pd.DataFrame,
                 fits: dict[str, sev.LognormalFit], shift: np.ndarray, k: float,
                 period: str) -> tuple[FrequencyGroup, ...]:
    groups = []
    for a in cal.attack_types:
        for size in dict.fromkeys(expo["size"]):
            cells = expo[expo["size"] == size]
            m = sum(float(py) * cal.rate(a, ind, size, "all", period) * cal.major_probability(a, size)
                    for ind, py in zip(cells["industry"], cells["policy_years"]))
            mine = ((table["attack_type"] == a) & (table["size"] == size)).to_numpy()
            n = int(mine.sum())
            gross = 0.0
            if n:
                f = fits[a]
                surv = sev.lognormal_sf(table["deductible"].to_numpy()[mine] * shift[mine], f.mu, f.sigma)
                gross = float(np.sum(1.0 / surv))
            if k == 0.0 and m == 0.0:
                raise ValueError(f"frequency of {a} x {size}: no exposure and no prior weight")
            groups.append(FrequencyGroup(a, size, n, gross, float(cells["policy_years"].sum()), m,
                                         m / (k + m), (k + gross) / (k + m)))
    return tuple(groups)
