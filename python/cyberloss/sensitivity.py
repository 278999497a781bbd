"""Assumption sensitivity: which labelled assumption moves a premium or a VaR, and by how much.

Every assumption with a stated plausible range (``low``, ``high``) — in the calibration
(``data/jnsa2025.json``: reporting factors, size elasticities, tail shape, web-leak split,
branch probabilities, contained and minor incidents, ...) and in the component data
(``data/components.json`` ``ranges``: control factors, downtime parameters, unit costs, ...) —
is set to each bound in turn, all else as it is, and the organisation of a profile is
simulated again with the same seed and years (common random numbers: every random number is
a pure function of (seed, stream, year, draw), so the runs differ only through the
assumption).  The effect is the change of the measure from the base run, with its paired
standard error: ``sd(L_k - L_0) / sqrt(n)`` for the expected loss; for a VaR the same on the
quantiles' influence values, ``sd(IF_k - IF_0) / sqrt(n)`` with
``IF(x) = (p - 1{x <= VaR_p}) / f(VaR_p)`` (the delta method for a difference of quantiles of
paired years), ``1 / f`` from the order-statistic spacing the stats module's VaR SE reads
(``se / sqrt(p (1 - p) / n)``), and the base's SE is the stats module's; for the TVaR and the
premium the delete-a-batch jackknife over ``BATCHES`` batches of consecutive years (the effect
recomputed without each batch in turn, ``sqrt((B - 1) / B * sum (e_i - mean e)^2)``; the base
measure's SE likewise).  The jackknife is inconsistent for a quantile (not a smooth function
of the years): over 20 seeds its SE of a VaR effect was 2-2.6 times the effect's spread.  The
influence values differ between the runs in the years that cross the quantile (below it in one
run, above in the other); their variance is a count of such years, and when an assumption
changes a few years only (a control's downtime factor: about 100 ransomware years in 100,000)
that count is 0, 1 or 2, so the variance at the quantile alone was 0 in half the seeds (an SE of
0 for an effect of 0 that the next seed may not have) and the mean SE 0.64 of the spread.
The variance is therefore averaged over the levels of the order statistics around the VaR's,
the fewest (0, 1, 2, 4, ... ranks either side, at most the ``n (1 - p)`` years of the tail) that
``CROSSING_YEARS`` years cross: at the VaR's level alone when that many cross it (smooth
effects: every case checked), a local rate of crossings otherwise; no year crossing any of them
counts as half a crossing over them (the Jeffreys prior's estimate of a Poisson count of 0).
Only identical runs have an SE of 0.  A range that is a point gives a zero effect exactly.

A bound the rest of the model cannot take with every other assumption as it is (a survey
median raised past what the mean and the size mix allow, a size elasticity whose classes'
log-scales no lognormal spans) is not dropped: the effect is measured at the furthest point
toward it that the model takes (bisection on the way from the value in use, to 1/4096 of it),
that point is the row's bound, and the row's ``infeasible`` note names the stated bound and
why the model refuses it.  The joint band draws between the bounds so used.

The joint band draws every ranged assumption at once (triangular on (low, value, high), one
uniform per assumption and draw from the PARAMETERS streams ``RANGE_STREAM + j``), together
with the calibration's parameter-uncertainty draw (``calibration.uncertainty.draw``), and
reports the 5% and 95% quantiles of the measure over the draws (same years in every draw).
"""
from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from . import _json, _validate, config, stats
from . import random as clrandom
from .calibration import Calibration, FittedCalibration, uncertainty
from .calibration import load as load_calibration
from .calibration.model import TAIL_ASSUMPTIONS
from .config import documents
from .insurance import pricing
from .insurance import terms as terms_mod
from .insurance.quote import QuoteSettings, quote_tables
from .organisation import profile as org_profile
from .organisation.simulate import expected_events, organisation_model, simulate_organisation
from .report import diagnostics, language, money, text
from .report.html import Described, escape

MEASURES = ("expected_loss", "premium", "var_0.99", "tvar_0.99")
BATCHES = 20
# Peak memory of a run: one organisation simulation at a time (and, for the premium, its
# policy's terms) beside the base's annual losses. Measured peaks (maximum resident size less
# that of a tiny run): 120 bytes an incident and 44 a year for the loss measures, 230 and 57 for
# the premium (a large manufacturer with 152 incidents a year and the SME example with 0.24).
SENSITIVITY_BYTES_PER_EVENT = {"premium": 250.0, "losses": 135.0}   # "losses": the other measures
SENSITIVITY_BYTES_PER_YEAR = 60.0
RANGE_STREAM = 1024
# Bisection steps to the feasible limit of a bound the model cannot take (1/4096 of the way).
FEASIBLE_STEPS = 12
# Years crossing the levels a VaR effect's SE is averaged over (``_var_effect_se``): a variance
# from C crossings has a relative SE of about 1 / sqrt(C); 5, 10 and 20 gave the same SEs
CROSSING_YEARS = 10
# the experience fit's prior weights shape `cyberloss fit`, not the simulated model
NOT_SIMULATED = ("experience.",)
# the survey period whose severities and size mix the organisation model is built on
PERIOD = "recent"
# the measures whose SEs rest on the largest years when they make much of the variance
# (stats.largest_years_share); a VaR's do not (its effects' SEs matched their spread over seeds)
MOMENT_MEASURES = ("expected_loss", "premium", "tvar_0.99")


@dataclasses.dataclass(frozen=True)
class RangedAssumption:
    """One assumption with its plausible range: ``source`` is ``calibration`` (a key of
    ``Calibration.assumptions()``) or ``components`` (an override path of the component data)."""

    source: str
    key: str
    value: Any
    low: Any
    high: Any
    reasoning: str

    @property
    def name(self) -> str:
        return f"{self.source}:{self.key}"


def ranged_assumptions(calibration: Calibration, data) -> list[RangedAssumption]:
    """Every ranged assumption of ``calibration`` and the component ``data`` (a profile's)."""
    out = [RangedAssumption("calibration", a.key, a.value, a.low, a.high, a.reasoning)
           for a in calibration.data.assumptions.values()
           if a.low is not None and not a.key.startswith(NOT_SIMULATED)]
    out += [RangedAssumption("components", path, value, low, high, why)
            for path, (value, low, high, why) in data.ranges().items()]
    return out


def unused(a: RangedAssumption, calibration: Calibration, profile: org_profile.OrganisationProfile,
           period: str = PERIOD) -> tuple[str, str] | None:
    """Why the organisation model of ``profile`` on the survey ``period`` never reads ``a``, in
    English and in Japanese; None when it does.  From the model's structure, not from a zero
    effect: its severities have no GPD tail (``tail.*``), a survey severity assumption of
    another period (``calibration.severity_periods``), a control the profile does not have."""
    if a.source == "calibration":
        if a.key in TAIL_ASSUMPTIONS:
            return ("not used by this model: its severities have no GPD tail",
                    "このモデルでは使われない: 損害額に GPD の裾を用いない")
        periods = calibration.severity_periods(a.key)
        if periods is not None and period not in periods:
            if not periods:
                return ("not used by this model: a fitted severity replaces the survey's",
                        "このモデルでは使われない: 調査の損害額を当てはめた損害額が置き換える")
            return (f"not used in this period: the model is built on the {period} period; this "
                    f"sets the {', '.join(periods)} period's survey severity",
                    f"この期間では使われない: モデルは{language.PERIODS_JA.get(period, period)}の期間で"
                    f"組み立て、この前提は{'・'.join(language.PERIODS_JA.get(p, p) for p in periods)}の期間の"
                    "調査の損害額を定める")
        return None
    parts = a.key.split(".")
    if parts[0] == "controls" and len(parts) > 1 and parts[1] not in profile.controls.enabled():
        return (f"not used by this model: the profile has no {parts[1]} control",
                f"このモデルでは使われない: プロファイルに対策「{documents.CONTROLS.field(parts[1]).label_ja}」がない")
    return None


def _measure_function(measure: str, settings: QuoteSettings) -> Callable[[np.ndarray], float]:
    if measure == "expected_loss":
        return lambda x: float(np.mean(x))
    if measure == "premium":
        principle = settings.principles[0]
        return lambda x: settings.loads.gross_up(pricing.risk_premium(x, principle))
    kind, level = measure.split("_")
    return (lambda x: float(stats.var(x, float(level)).value)) if kind == "var" else \
        (lambda x: float(stats.tvar(x, float(level)).value))


@dataclasses.dataclass
class _Setup:
    doc: dict
    calibration: Calibration
    policy: terms_mod.CoverageTerms | None
    settings: QuoteSettings
    years: int
    seed: int
    measure: str

    def profile(self, component_overrides: Mapping[str, Any]) -> org_profile.OrganisationProfile:
        doc = self.doc
        if component_overrides:
            doc = copy.deepcopy(doc)
            doc.setdefault("overrides", {}).update(component_overrides)
        return org_profile.OrganisationProfile.from_document(doc)

    def build(self, calibration: Calibration, component_overrides: Mapping[str, Any]) -> None:
        """Build the model these values give, without simulating: ValueError when the model
        cannot take them."""
        organisation_model(self.profile(component_overrides), period=PERIOD, calibration=calibration)

    def losses(self, calibration: Calibration, component_overrides: Mapping[str, Any]) -> np.ndarray:
        profile = self.profile(component_overrides)
        sim = simulate_organisation(profile, self.years, self.seed, period=PERIOD, calibration=calibration)
        if self.measure != "premium":
            return np.asarray(sim.annual("gross"), dtype=float)
        assert self.policy is not None
        return np.asarray(terms_mod.apply(self.policy, sim.table, sim.n_years).annual("insured"), dtype=float)

    def calibration_with(self, overrides: Mapping[str, Any]) -> Calibration:
        if not overrides:
            return self.calibration
        base = load_calibration(None, overrides)
        # a fitted calibration keeps its fit on the overridden JNSA base
        return self.calibration.on_base(base) if isinstance(self.calibration, FittedCalibration) else base


@dataclasses.dataclass(frozen=True)
class SensitivityResult(Described):
    """One row per ranged assumption: the measure's change at each bound with its paired SE."""

    name: str
    measure: str
    base: float
    base_se: float
    years: int
    seed: int
    table: pd.DataFrame
    band: dict[str, float] | None
    calibration: str
    # For --lang ja: the calibration's provenance and the rows' notes in Japanese (by
    # assumption), the model's reason inside a note in Japanese where the model says it so.
    calibration_ja: str = ""
    notes_ja: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The share of the base run's variance its stats.LARGEST_YEARS largest years make (the
    # table's low_share / high_share: the bound runs'); None for a VaR, whose SEs do not rest on them
    largest_years_share: float | None = None

    def describe(self) -> pd.DataFrame:
        return self.table

    def ordered(self) -> pd.DataFrame:
        """The table ordered by swing (|high effect - low effect|), largest first."""
        return self.table.sort_values("swing", ascending=False, kind="stable",
                                      na_position="last").reset_index(drop=True)

    def resting_rows(self) -> list[tuple[str, float]]:
        """The rows whose changes' SEs rest on a few years (``stats.rests_on_largest_years``):
        every row the model uses when the base run's do, else those whose bound runs' do, with
        the larger share of their two runs, largest swing first; [] for a VaR."""
        if self.largest_years_share is None:
            return []
        base = stats.rests_on_largest_years(self.largest_years_share)
        out = []
        for r in self.ordered().itertuples(index=False):
            if r.unused:
                continue
            share = max((x for x in (r.low_share, r.high_share) if math.isfinite(x)), default=math.nan)
            if base or (math.isfinite(share) and stats.rests_on_largest_years(share)):
                out.append((r.assumption, share))
        return out

    def largest_years_notes(self, lang: str = "en") -> list[str]:
        """Where the SEs of the base or of the changes rest on a few years (a mean or TVaR type
        measure whose runs' ``stats.LARGEST_YEARS`` largest years make ``stats.HEAVY_SHARE`` of
        the variance or more), what the text says under its table and the JSON in its warnings,
        in English or Japanese (``lang`` "ja")."""
        w = language.words(lang)
        measure = w(self.measure, language.MEASURES_JA.get(self.measure, self.measure))
        if self.largest_years_share is None:
            return []
        if stats.rests_on_largest_years(self.largest_years_share):
            return [w("base run: ", "基準の実行: ") + stats.largest_years_note(
                self.years, [self.largest_years_share],
                w(f"the standard errors of {measure} and of its changes", f"{measure}とその変化の標準誤差"), lang)]
        rows = self.resting_rows()
        if not rows:
            return []
        shown, more = rows[:5], len(rows) - 5
        names = w(", ".join(n for n, _ in shown) + (f" and {more} more" if more > 0 else ""),
                  "・".join(n for n, _ in shown) + (f" ほか {more} 件" if more > 0 else ""))
        return [w(f"bound runs of {names}: ", f"{names} の限度での実行: ") + stats.largest_years_note(
            self.years, [x for _, x in shown],
            w("the standard errors of these rows' changes", "これらの前提の変化の標準誤差"), lang)]

    def text(self, top: int = 25, lang: str | None = None) -> str:
        """The largest ``top`` swings as plain text in ``lang`` ("ja" or "en"; default: the
        locale's)."""
        if language.resolve(lang) == "ja":
            return self._text_ja(top)
        t = self.ordered().head(top)
        shown = pd.DataFrame({
            "value": [_short(v) for v in t["value"]], "low": [_short(v) for v in t["low"]],
            "high": [_short(v) for v in t["high"]],
            **{f"at {side}": [_effect_text(e, s, unused=u != "")
                              for e, s, u in zip(t[f"{side}_effect"], t[f"{side}_se"], t["unused"])]
               for side in ("low", "high")}},
            index=pd.Index(t["assumption"].to_numpy(), name="assumption"))
        lines = [f"cyberloss sensitivity: {self.name}",
                 f"{self.measure} = {money.format_yen(self.base)} (SE {money.format_yen(self.base_se)}), "
                 f"{self.years:,} years, seed {self.seed}, common random numbers",
                 f"calibration: {self.calibration}", "",
                 f"Change of {self.measure} with each assumption at its low / high bound "
                 f"(± paired SE; {len(self.table)} assumptions, top {len(t)} by swing):",
                 shown.to_string()]
        bad = self.table[self.table["infeasible"] != ""]
        for r in bad.itertuples(index=False):
            lines.append(f"bound of {r.assumption}: {r.infeasible}")
        for r in self.table[self.table["unused"] != ""].itertuples(index=False):
            lines.append(f"{r.assumption}: {r.unused} (not run)")
        lines += self.largest_years_notes("en")
        if self.band:
            b = self.band
            lines += ["", f"All assumptions and calibration parameters drawn jointly ({b['draws']:g} draws, "
                          f"{b['infeasible_draws']:g} infeasible): 5% {money.format_yen(b['q05'])}, "
                          f"median {money.format_yen(b['median'])}, 95% {money.format_yen(b['q95'])}"]
        return "\n".join(lines)

    def _text_ja(self, top: int) -> str:
        t = self.ordered().head(top)
        measure = language.MEASURES_JA.get(self.measure, self.measure)
        rows = [[r.assumption, _short(r.value), _short(r.low), _short(r.high),
                 _effect_text(r.low_effect, r.low_se, "ja", r.unused != ""),
                 _effect_text(r.high_effect, r.high_se, "ja", r.unused != "")]
                for r in t.itertuples(index=False)]
        lines = [f"cyberloss 感度分析: {self.name}",
                 f"{measure} = {money.format_yen(self.base)}（標準誤差 {money.format_yen(self.base_se)}）、"
                 f"{self.years:,} 年、シード {self.seed}、共通乱数",
                 f"キャリブレーション: {self.calibration_ja or self.calibration}", "",
                 f"各前提を下限・上限にしたときの{measure}の変化（± 対応のある標準誤差。前提 {len(self.table)} 件の"
                 f"うち変化幅の大きい {len(t)} 件）:",
                 *text.table(list(language.SENSITIVITY_COLUMNS_JA.values()), rows, "<" + ">" * 5)]
        bad = self.table[self.table["infeasible"] != ""]
        for r in bad.itertuples(index=False):
            lines.append(f"{r.assumption} の範囲: {self.notes_ja.get(r.assumption) or r.infeasible}")
        for r in self.table[self.table["unused"] != ""].itertuples(index=False):
            lines.append(f"{r.assumption}: {self.notes_ja.get(r.assumption) or r.unused}（計算しない）")
        lines += self.largest_years_notes("ja")
        if self.band:
            b = self.band
            lines += ["", f"すべての前提とキャリブレーションのパラメータを同時に抽出（{b['draws']:g} 回、うちモデルが"
                          f"受け付けない組合せ {b['infeasible_draws']:g} 回）: 5% {money.format_yen(b['q05'])}、"
                          f"中央値 {money.format_yen(b['median'])}、95% {money.format_yen(b['q95'])}"]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        rows = []
        resting = dict(self.resting_rows())
        moments = self.largest_years_share is not None
        for r in self.ordered().itertuples(index=False):
            used = not r.unused     # an assumption the model does not use has no effects: null
            rows.append({"assumption": r.assumption, "source": r.source, "key": r.key,
                         "value": r.value, "low": r.low, "high": r.high,
                         "low_effect": r.low_effect if used else None, "low_se": r.low_se if used else None,
                         "high_effect": r.high_effect if used else None, "high_se": r.high_se if used else None,
                         "swing": r.swing if used else None,
                         "reasoning": r.reasoning, "infeasible": r.infeasible or None, "unused": r.unused or None,
                         # the share of each bound run's variance its 10 largest years make
                         # (stats.largest_years_share), and whether the SEs rest on them
                         "variance_share_of_largest_years": {"low": r.low_share, "high": r.high_share}
                         if moments and used else None,
                         "se_rests_on_largest_years": r.assumption in resting if moments and used else None})
        return _json.document({"name": self.name, "measure": self.measure, "unit": "JPY",
                               "base": self.base, "base_se": self.base_se, "years": self.years,
                               "seed": self.seed, "calibration": self.calibration,
                               "variance_share_of_largest_years": self.largest_years_share,
                               "assumptions": rows, "joint_band": self.band,
                               "warnings": self.largest_years_notes("en")})

    def plot(self, ax=None, top: int | None = 20, lang: str | None = None):
        """The tornado chart (largest swing on top); words in ``lang`` ("ja" or "en"; None: the
        locale's)."""
        mark = language.words(language.resolve(lang))(" (not used)", "（使われない）")
        label = self.table["assumption"].str.split(":", n=1).str[1] + np.where(self.table["unused"] != "", mark, "")
        return diagnostics.tornado(self.table.assign(label=label), self.measure, self.base, ax=ax, top=top, lang=lang)

    def _html_title(self) -> str:
        return f"Assumption sensitivity of {escape(self.measure)}"

    def _html_note(self) -> str:
        return escape(f"base {money.format_yen(self.base)}, {self.years:,} years, seed {self.seed}")

    def _html_table(self):
        return self.ordered()[["assumption", "value", "low", "high", "low_effect", "low_se",
                               "high_effect", "high_se", "unused"]]


def _effect_text(effect: float, se: float, lang: str = "en", unused: bool = False) -> str:
    """An effect with its SE; a bound that could not be run at all has none (NaN), nor has an
    assumption the model does not use (``unused``: not run)."""
    if unused:
        return language.words(lang)("not used", "使われない")
    if not math.isfinite(effect):
        return language.words(lang)("not run", "未実行")
    return f"{money.format_yen(effect, sign=True)} ± {money.format_yen(se)}"


def _short(v: Any) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {x:g}" for k, x in list(v.items())[:2]) + (", ..." if len(v) > 2 else "") + "}"
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def _without_each_batch(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The measure of ``x`` without each of its ``BATCHES`` batches of consecutive years."""
    return np.array([f(np.delete(x, b)) for b in np.array_split(np.arange(x.size), BATCHES)])


def _jackknife_se(values: np.ndarray) -> float:
    return float(math.sqrt((BATCHES - 1) / BATCHES * np.sum(np.square(values - values.mean()))))


@dataclasses.dataclass(frozen=True)
class _Ranked:
    """A run's years ranked for a VaR effect's SE: ``first`` the index of each year's loss in
    the sorted losses (its first occurrence, so ``x <= sorted[m]`` iff ``first <= m``), ``k``
    the VaR's index (the last of its value: ``x <= VaR`` iff ``first <= k``) and
    ``inverse_density`` the VaR's ``1 / f``, the order-statistic spacing of its SE
    (``stats``: ``se = h / f``, ``h = sqrt(p (1 - p) / n)``)."""

    first: np.ndarray
    k: int
    inverse_density: float


def _ranked(x: np.ndarray, level: float) -> _Ranked:
    ordered = np.sort(x)
    estimate = stats.var(x, level)
    h = math.sqrt(level * (1.0 - level) / x.size)
    return _Ranked(np.searchsorted(ordered, x, "left"), int(np.searchsorted(ordered, estimate.value, "right")) - 1,
                   estimate.se / h)


def _var_effect_se(r0: _Ranked, r1: _Ranked, level: float) -> float:
    """The paired SE of a VaR effect: the variance of the influence values' difference
    ``IF_1 - IF_0`` (``IF = (p - 1{x <= q}) / f``) averaged over the levels of the order
    statistics ``m = k - w .. k + w`` around the VaR's (``k``), ``w`` the least of 0, 1, 2, 4, ...
    whose levels at least ``CROSSING_YEARS`` years cross (a year crosses level ``m`` when its
    indicator differs between the runs: ``m`` between its ranks in the two), at most the tail's
    ``n (1 - p)`` ranks.  No year crossing one of them: half a crossing over them (Jeffreys)."""
    a0, a1 = r0.first, r1.first
    g0, g1 = r0.inverse_density, r1.inverse_density
    n, k = a0.size, r0.k
    lo, hi = np.minimum(a0, a1), np.maximum(a0, a1)     # a year crosses the levels lo <= m < hi
    moved = lo < hi
    lo, hi = lo[moved], hi[moved]
    cap, w = math.ceil(n * (1.0 - level)), 0
    while (crossing := np.count_nonzero((lo <= k + w) & (hi > k - w))) < CROSSING_YEARS and w < cap:
        w = min(max(1, 2 * w), cap)
    m = np.arange(max(k - w, 0), min(k + w, n - 1) + 1)
    both = np.searchsorted(np.sort(np.maximum(a0, a1)), m, "right")
    only0 = np.searchsorted(np.sort(a0), m, "right") - both
    only1 = np.searchsorted(np.sort(a1), m, "right") - both
    # I0 / f0 - I1 / f1 is g0 - g1 for a year below the level in both runs, g0 and -g1 below it
    # in one, 0 in neither
    s1 = both * (g0 - g1) + only0 * g0 - only1 * g1
    s2 = both * ((g0 - g1) * (g0 - g1)) + only0 * (g0 * g0) + only1 * (g1 * g1)   # not pow: CPU-free bits
    variance = float(np.mean((s2 - s1 * s1 / n) / (n - 1)))
    if crossing == 0:
        variance = max(variance, 0.5 / m.size * g0 * g1 / (n - 1))
    return math.sqrt(max(variance, 0.0) / n)


def _quantile_level(measure: str) -> float | None:
    """The level of a VaR measure, None for the others."""
    kind, _, level = measure.partition("_")
    return float(level) if kind == "var" else None


def _effect(f: Callable[[np.ndarray], float], x0: np.ndarray, x1: np.ndarray,
            base: np.ndarray | _Ranked | None, level: float | None = None) -> tuple[float, float]:
    """The effect and its SE: paired for the expected loss (``base`` None); for a VaR at
    ``level`` from the influence values (``_var_effect_se``), ``base`` being ``_ranked(x0, level)``;
    else by the jackknife, ``base`` being ``_without_each_batch(f, x0)`` (either the same for every
    assumption: computed once).  Identical runs have an SE of 0."""
    effect = f(x1) - f(x0)
    if base is None:
        return effect, float(np.std(x1 - x0, ddof=1) / math.sqrt(x0.size))
    if isinstance(base, _Ranked):
        assert level is not None
        return effect, 0.0 if np.array_equal(x0, x1) else _var_effect_se(base, _ranked(x1, level), level)
    return effect, _jackknife_se(_without_each_batch(f, x1) - base)


def required_bytes(measure: str, events: float, years: int) -> float:
    """Peak memory of :func:`run` for ``measure`` with ``events`` expected incidents a run."""
    per_event = SENSITIVITY_BYTES_PER_EVENT["premium" if measure == "premium" else "losses"]
    return per_event * events + SENSITIVITY_BYTES_PER_YEAR * years


def _check_measure(measure: str) -> str:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    return measure


def run(profile: str | Path, measure: str = "expected_loss", *, years: int = 100_000,
        seed: int | None = None, calibration: Calibration | None = None,
        ranges: Mapping[str, tuple[Any, Any]] | None = None, only: tuple[str, ...] | None = None,
        draws: int = 0) -> SensitivityResult:
    """Run every ranged assumption of ``profile`` (a profile TOML) at its low and high bound.

    ``ranges`` replaces the (low, high) of assumptions by name (``calibration:<key>`` or
    ``components:<path>``; a point range (v, v) at the value in use gives a zero effect
    exactly); ``only`` keeps the assumptions whose name starts with one of the prefixes;
    ``draws`` > 0 adds the joint band over that many draws.  ``seed`` defaults to the
    profile's ``[quote] seed``.
    """
    _check_measure(measure)
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 2 * BATCHES * 50:
        raise ValueError(f"years must be an integer >= {2 * BATCHES * 50}, got {years!r}")
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not (draws == 0 or draws >= 2):
        raise ValueError(f"draws must be 0 (no joint band) or an integer >= 2, got {draws!r}")
    path = Path(profile)
    doc = org_profile.read_profile(path)
    with _validate.located(f"profile {path}"):
        base_profile = org_profile.OrganisationProfile.from_document(doc)
        if measure == "premium":
            policy, settings = quote_tables(doc, str(path))
        else:
            policy, settings = None, QuoteSettings.from_dict(doc.get("quote", {}))
    cal = load_calibration() if calibration is None else calibration
    events = expected_events(base_profile, int(years), period=PERIOD, calibration=cal)
    _validate.fits_in_memory(required_bytes(measure, events, int(years)),
                             f"a sensitivity run over {int(years):,} years (about {events:,.0f} "
                             "simulated incidents a run)", "use fewer years (--years)",
                             f"{int(years):,} 年の感度分析（1回の実行でシミュレーションするインシデント約 "
                             f"{events:,.0f} 件）",
                             "年数を減らす（--years）")
    setup = _Setup(doc, cal, policy, settings, int(years), settings.seed if seed is None else int(seed), measure)
    f = _measure_function(measure, settings)
    items = ranged_assumptions(cal, base_profile.data)
    names = {a.name for a in items}
    for name in ranges or {}:
        if name not in names:
            raise ValueError(f"ranges: unknown assumption {name!r} (known: {', '.join(sorted(names))[:400]} ...)")
    if only is not None:
        items = [a for a in items if a.name.startswith(tuple(only))]
        if not items:
            raise ValueError(f"only: no assumption starts with {', '.join(only)}")
    x0 = setup.losses(cal, {})
    level = _quantile_level(measure)
    base = (None if measure == "expected_loss" else _ranked(x0, level) if level is not None
            else _without_each_batch(f, x0))
    # the share of each run's variance its largest years make, where the SEs rest on them
    share = (lambda x: stats.Sample.dense(x).largest_years_share()) if measure in MOMENT_MEASURES else None
    rows, used, notes_ja = [], [], {}
    for a in items:
        row = {"assumption": a.name, "source": a.source, "key": a.key, "value": a.value,
               "reasoning": a.reasoning, "unused": ""}
        why_unused = unused(a, cal, base_profile)
        if why_unused is not None:     # not run: the runs would be the base's, bit for bit
            row.update(low=a.low, high=a.high, low_effect=math.nan, low_se=math.nan, high_effect=math.nan,
                       high_se=math.nan, low_share=math.nan, high_share=math.nan, infeasible="",
                       unused=why_unused[0])
            notes_ja[a.name] = why_unused[1]
            rows.append(row)
            used.append(a)
            continue
        low, high = (ranges or {}).get(a.name, (a.low, a.high))
        (low, why_low, ja_low), (high, why_high, ja_high) = (_feasible_bound(setup, a, low, "low"),
                                                             _feasible_bound(setup, a, high, "high"))
        notes = [n for n in (why_low, why_high) if n]
        notes_in_ja = [n for n in (ja_low, ja_high) if n]
        row.update(low=low, high=high)
        for side, bound in (("low", low), ("high", high)):
            row[f"{side}_share"] = math.nan
            try:
                x1 = _run_one(setup, a, bound)     # also at the value in use: CRN make it exact
            except ValueError as exc:
                # a bound the model takes but cannot run is a finding, not a crash
                row[f"{side}_effect"], row[f"{side}_se"] = math.nan, math.nan
                notes.append(f"{side} {_short(bound)} not run: {exc}")
                notes_in_ja.append(f"{language.BOUNDS_JA[side]} {_short(bound)} は計算できませんでした: "
                                   f"{_reasons(exc)[1]}")
                continue
            row[f"{side}_effect"], row[f"{side}_se"] = _effect(f, x0, x1, base, level)
            if share is not None:
                row[f"{side}_share"] = share(x1)
        row["infeasible"] = "; ".join(notes)
        if notes_in_ja:
            notes_ja[a.name] = "。".join(notes_in_ja)
        rows.append(row)
        used.append(dataclasses.replace(a, low=low, high=high))
    table = pd.DataFrame(rows)
    table["swing"] = (table["high_effect"].fillna(0.0) - table["low_effect"].fillna(0.0)).abs()
    table.loc[table["unused"] != "", "swing"] = math.nan
    base_se = (float(np.std(x0, ddof=1) / math.sqrt(x0.size)) if base is None
               else float(stats.var(x0, level).se) if isinstance(base, _Ranked)
               else _jackknife_se(base))
    # the joint band draws the assumptions the model uses (the others keep their streams unused)
    band = _joint_band(setup, [None if r["unused"] else a for a, r in zip(used, rows)], f, draws) if draws else None
    return SensitivityResult(base_profile.name, measure, f(x0), base_se, setup.years, setup.seed,
                             table, band, cal.provenance, cal.provenance_ja, notes_ja,
                             None if share is None else share(x0))


def _with(setup: _Setup, a: RangedAssumption, value: Any) -> tuple[Calibration, dict[str, Any]]:
    """The calibration and component overrides with ``a`` at ``value``."""
    if a.source == "calibration":
        return setup.calibration_with({a.key: value}), {}
    return setup.calibration, {a.key: value}


def _run_one(setup: _Setup, a: RangedAssumption, value: Any) -> np.ndarray:
    return setup.losses(*_with(setup, a, value))


def _reasons(exc: ValueError) -> tuple[str, str]:
    """A refusal by the model in English and in Japanese: the Japanese it says itself (as
    ``cyberloss ... --lang ja`` prints it: ``_validate.InputError``, the size mix's
    ``calibration._size.SizeMixError``), else the English again."""
    japanese = getattr(exc, "japanese", None)
    return str(exc), (japanese(config.label_ja) if callable(japanese) else str(exc))


def _refusal(setup: _Setup, a: RangedAssumption, value: Any) -> tuple[str, str] | None:
    """Why the model cannot take ``a`` at ``value`` (all else as it is), in English and in
    Japanese (:func:`_reasons`), or None when it can."""
    try:
        setup.build(*_with(setup, a, value))
    except ValueError as exc:
        return _reasons(exc)
    return None


def _toward(a: RangedAssumption, bound: Any, t: float) -> Any:
    """The point a fraction ``t`` of the way from ``a``'s value in use to ``bound``."""
    if isinstance(a.value, Mapping):
        return {k: a.value[k] + t * (bound[k] - a.value[k]) for k in a.value}
    value = float(a.value) + t * (float(bound) - float(a.value))
    return int(round(value)) if isinstance(a.value, int) and not isinstance(a.value, bool) else value


def _feasible_bound(setup: _Setup, a: RangedAssumption, bound: Any, side: str) -> tuple[Any, str, str]:
    """``(bound, "", "")`` when the model takes the bound; else the furthest point toward it
    that the model takes (bisection from the value in use, which it takes) and a note naming
    the stated bound and the model's reason, in English and in Japanese."""
    why = _refusal(setup, a, bound)
    if why is None:
        return bound, "", ""
    taken, refused = 0.0, 1.0
    for _ in range(FEASIBLE_STEPS):
        mid = 0.5 * (taken + refused)
        if _refusal(setup, a, _toward(a, bound, mid)) is None:
            taken = mid
        else:
            refused = mid
    limit = _toward(a, bound, taken)
    return limit, (f"{side} {_short(bound)} is beyond what the model takes ({why[0]}); "
                   f"measured at {_short(limit)}, the furthest point toward it the model takes"), \
        (f"{language.BOUNDS_JA[side]} {_short(bound)} はモデルが受け付けない値です（{why[1]}）。"
         f"その方向でモデルが受け付ける最も遠い点 {_short(limit)} で計算しました")


def _triangular(u: float, low: float, mode: float, high: float) -> float:
    if high == low:
        return low
    c = (mode - low) / (high - low)
    return low + (high - low) * (math.sqrt(c * u) if u < c else 1.0 - math.sqrt((1.0 - c) * (1.0 - u)))


def _drawn(a: RangedAssumption, u: float) -> Any:
    if isinstance(a.value, Mapping):
        return {k: _triangular(u, a.low[k], a.value[k], a.high[k]) for k in a.value}
    value = _triangular(u, float(a.low), float(a.value), float(a.high))
    return int(round(value)) if isinstance(a.value, int) and not isinstance(a.value, bool) else value


def _joint_band(setup: _Setup, items: list[RangedAssumption | None], f, draws: int) -> dict[str, float]:
    """The band over ``draws`` joint draws of ``items`` (None: an assumption not drawn, the
    model not using it; each keeps its stream, ``RANGE_STREAM + j``)."""
    values = []
    infeasible = 0
    for b in range(draws):
        cal_over: dict[str, Any] = {}
        comp_over: dict[str, Any] = {}
        for j, a in enumerate(items):
            if a is None:
                continue
            stream = clrandom.stream_id(clrandom.Purpose.PARAMETERS, RANGE_STREAM + j)
            u = float(np.asarray(clrandom.uniform_at(setup.seed, stream, b, 0)).ravel()[0])
            (cal_over if a.source == "calibration" else comp_over)[a.key] = _drawn(a, u)
        try:
            cal = uncertainty.draw(setup.calibration_with(cal_over), b, setup.seed)
            values.append(f(setup.losses(cal, comp_over)))
        except ValueError:
            infeasible += 1       # a combination the model cannot take (e.g. size normalisation)
    if len(values) < 2:
        raise ValueError(f"draws: only {len(values)} of {draws} joint draws are feasible")
    v = np.asarray(values)
    return {"draws": float(draws), "infeasible_draws": float(infeasible),
            "q05": float(np.quantile(v, 0.05)), "median": float(np.median(v)),
            "q95": float(np.quantile(v, 0.95)), "mean": float(np.mean(v))}
