"""One described incident, evaluated component by component (deterministic: no random numbers).

``Scenario`` fixes the attack type and the downtime of one incident (e.g. the insurers'
example cases in ``examples/tmnf1.toml``) and takes the rest from the profile and the data:
response costs from the calibrated survey mean (or a given total) split by the mean shares,
business-interruption days from the core's incident model, lost profit from the profile's
daily gross profit, internal effort from the mean person-months.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import _core, config
from .. import _validate as check
from .._lazy import pandas as pd
from ..calibration import MINOR, Calibration
from ..calibration import load as load_calibration
from ..config import documents
from ..report import language
from ..report.html import Described, escape
from ..report.money import format_yen
from . import components as comp
from .incident import TypeParameters, incident_type
from .profile import OrganisationProfile, check_tables, data_from_document, read_profile, source_ja

_FIELDS = documents.SCENARIO.keys


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One described incident: attack type and downtime fixed, the rest from the profile.

    Optional fields fix what the description states: ``share_affected`` (share of gross profit
    lost while down; default the profile's EC share for web leaks, IT dependency otherwise),
    ``closure_days`` (card leaks: days the site is closed, default from the data file),
    ``response_costs`` (JPY total of the eight response components; default the calibrated
    survey mean of the type and period), ``person_months``, ``records_exposed`` and
    ``gifts_paid``.  For a card leak ``downtime_days`` is the card-payment suspension; left out
    it is the mean of the JNSA-calibrated suspension distribution.  Fields are described by
    ``config.documents.SCENARIO``.
    """

    profile: OrganisationProfile
    attack_type: str
    downtime_days: float | None = None
    name: str = "scenario"
    closure_days: float | None = None
    share_affected: float | None = None
    response_costs: float | None = None
    person_months: float | None = None
    records_exposed: int | None = None
    gifts_paid: bool | None = None
    period: str = "recent"

    def __post_init__(self) -> None:
        data = self.profile.data
        # Japanese labels and the JNSA report's names become keys (ランサムウェア, Emotet)
        object.__setattr__(self, "attack_type", documents.SCENARIO.field("attack_type").parse(self.attack_type))
        check.text("attack_type", self.attack_type, data.attack_types,
                   config.labels.japanese_names("attack_types", data.attack_types))
        for name in _FIELDS:
            if name == "attack_type":
                continue
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, documents.SCENARIO.field(name).parse(value))
        if data.closure(self.attack_type) is None and self.closure_days is not None:
            raise ValueError(f"closure_days applies to card leaks only, not to {self.attack_type!r}")

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        """``[scenario]`` table (attack_type, downtime_days, ...) and ``[organisation]`` table."""
        doc = read_profile(path)
        with check.located(f"scenario file {path}"):
            return cls.from_document(doc, f"scenario file {path}")

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], path: Any = "scenario") -> "Scenario":
        """The scenario of a parsed document with ``[scenario]`` and ``[organisation]`` tables."""
        if "scenario" not in doc or "organisation" not in doc:
            raise ValueError(f"{path}: a scenario file needs [scenario] and [organisation] tables")
        check_tables(doc)
        table = config.check_table(doc["scenario"], documents.SCENARIO, "scenario")
        profile = OrganisationProfile.from_mapping(doc["organisation"], data=data_from_document(doc))
        with check.located("scenario", _FIELDS):
            return cls(profile=profile, **table)

    def evaluate(self, calibration: Calibration | None = None) -> "ScenarioResult":
        """Components of the described incident (deterministic)."""
        profile, data, t = self.profile, self.profile.data, self.attack_type
        params = TypeParameters.for_profile(profile, t)
        sources: dict[str, str] = {}
        sources_ja: dict[str, str] = {}

        def note(key: str, en: str, ja: str) -> None:
            sources[key], sources_ja[key] = en, ja

        cal = calibration if calibration is not None else load_calibration()
        minor = cal.minor() if t == MINOR else None
        if minor is None:
            law = data.downtime(t)
            law_source, law_source_ja = data.provenance("downtime", t), data.provenance_ja("downtime", t)
            effort_mean = data.effort(t)[0]
            effort_source, effort_source_ja = data.provenance("effort", t), data.provenance_ja("effort", t)
            affects, share_label = data.affects(t), ""
            kind = incident_type(data, t)
        else:
            law = _core.DowntimeDistribution.lognormal(minor.downtime.median, minor.downtime.sigma)
            law_source = "minor.downtime_median, minor.downtime_sigma (IPA2024, calibration v2)"
            law_source_ja = "minor.downtime_median, minor.downtime_sigma（IPA2024、キャリブレーション v2）"
            effort_mean, effort_source = minor.effort_mean, "minor.effort_mean (calibration v2)"
            effort_source_ja = "minor.effort_mean（キャリブレーション v2）"
            affects, share_label = "it_dependency", f" x minor.share_affected {minor.share_affected:g}"
            kind = incident_type(data, t, downtime=law, effort=(minor.effort_mean, minor.effort_sigma))

        if self.downtime_days is not None:
            downtime = float(self.downtime_days)
            note("downtime_days", "given", "入力値")
        else:
            downtime = min(law.mean() * params.downtime_factor, data.max_downtime_days)
            note("downtime_days", f"mean of the downtime distribution, {law_source}",
                 f"停止日数の分布の平均、{law_source_ja}")
        closure = data.closure(t)
        if closure is not None and self.closure_days is not None:
            closure = (float(self.closure_days), closure[1])
            note("closure_days", "given", "入力値")
        elif closure is not None:
            note("closure_days", f"default {closure[0]:g} days, {data.provenance('downtime', t)}",
                 f"既定値 {closure[0]:g} 日、{data.provenance_ja('downtime', t)}")
        share: float = self.share_affected if self.share_affected is not None else (
            params.share_affected * (minor.share_affected if minor else 1.0))
        if self.share_affected is not None:
            note("share_affected", "given", "入力値")
        else:
            note("share_affected", f"profile {affects} ({profile.sources[affects]}){share_label}",
                 f"プロファイルの {affects}（{source_ja(profile.sources[affects])}）"
                 f"{share_label.replace(' x ', ' × ')}")
        if closure is not None:
            kind = incident_type(data, t, closure_days=closure[0])
        bi_days = _core.IncidentModel(kind, params.factors(profile)).business_interruption_days(downtime)
        lost_profit = profile.daily_gross_profit * share * bi_days
        note("lost_profit", "revenue x gross margin / 365 x share affected x interruption days",
             "売上高 × 粗利率 ÷ 365 × 影響を受けた業務の割合 × 事業中断日数")

        response = self._response(params, note, cal)

        if self.person_months is not None:
            person_months = float(self.person_months)
            note("internal_effort", "given person-months x labour cost", "入力された人月 × 月額人件費")
        else:
            person_months = effort_mean * params.effort_factor
            note("internal_effort", f"mean person-months {effort_source} x labour cost",
                 f"平均人月 {effort_source_ja} × 月額人件費")
        values = {**response, "lost_profit": lost_profit,
                  "internal_effort": person_months * profile.labour_cost_month}
        return ScenarioResult(self, downtime, closure[0] if closure else None, bi_days, share,
                              person_months, values, sources, sources_ja)

    def _response(self, params: TypeParameters, note: Callable[[str, str, str], None],
                  cal: Calibration) -> dict[str, float]:
        data, t = self.profile.data, self.attack_type
        shares = dict(zip(comp.RESPONSE, data.mean_shares(t)))
        factors = dict(zip(comp.RESPONSE, params.severity_factor))
        record_parts: dict[str, float] = {}
        if self.records_exposed is not None:
            rec = data.records(t)
            n = float(self.records_exposed)
            gift = (1.0 if self.gifts_paid else 0.0) if self.gifts_paid is not None else float(rec["gift_probability"])
            for c in rec["record_driven"]:
                spec = data.raw["records"]["unit_costs"][comp.UNIT_COSTS[c]]
                factor = gift if c == "condolence" else 1.0
                record_parts[c] = n * factor * float(spec["value"])
                gift_part = c == "condolence" and factor not in (0.0, 1.0)
                note(c, f"{self.records_exposed:,} records x {spec['value']:,} JPY"
                        + (f" x gift probability {factor:g}" if gift_part else "")
                        + f" ({spec['quality']}, {spec['source']})",
                     f"{self.records_exposed:,} 件 × {spec['value']:,} 円"
                     + (f" × 見舞品の支給確率 {factor:g}" if gift_part else "")
                     + f"（{language.QUALITIES_JA.get(spec['quality'], spec['quality'])}、{spec['source']}）")
        share_based = [c for c in comp.RESPONSE if c not in record_parts]
        if self.response_costs is not None:
            rest = float(self.response_costs) - sum(record_parts.values())
            if rest < 0:
                raise ValueError(f"response_costs must cover the record-driven costs of records_exposed = "
                                 f"{self.records_exposed:,} records ({sum(record_parts.values()):,.0f} JPY), "
                                 f"got {self.response_costs!r}")
            weight = sum(shares[c] for c in share_based)
            split = {c: rest * shares[c] / weight for c in share_based}
            label = "given response costs split by the mean shares"
            label_ja = "入力された費用損害を平均構成比で按分"
        else:
            if t == MINOR:
                profile = self.profile
                survey_mean = float(cal.minor_severity(profile.size, profile.employees).mean())
                origin = (f"minor incidents at {profile.employees:,} employees; derived, "
                          "minor.severity_median, minor.severity_sigma (IPA2024, calibration v2)")
                origin_ja = (f"従業員 {profile.employees:,} 人の軽微なインシデント、算出値、"
                             "minor.severity_median, minor.severity_sigma（IPA2024、キャリブレーション v2）")
            else:
                fit = cal.severity_fit(t, self.period)
                survey_mean = float(cal.severity(t, period=self.period).mean())
                origin = f"{self.period}; {fit.quality}, {fit.source}"
                origin_ja = (f"{language.PERIODS_JA.get(self.period, self.period)}、"
                             f"{language.QUALITIES_JA.get(fit.quality, fit.quality)}、{fit.source}")
            split = {c: survey_mean * shares[c] * factors[c] for c in share_based}
            record_parts = {c: v * factors[c] for c, v in record_parts.items()}
            label = (f"survey mean {format_yen(survey_mean)} ({origin}) "
                     f"x mean share ({data.provenance('shares', t)})")
            label_ja = (f"アンケート平均値 {format_yen(survey_mean)}（{origin_ja}）"
                        f"× 平均構成比（{data.provenance_ja('shares', t)}）")
        for c in share_based:
            note(c, label, label_ja)
        return {c: (split[c] if c in split else record_parts[c]) for c in comp.RESPONSE}


@dataclasses.dataclass(frozen=True)
class ScenarioResult(Described):
    """Components (JPY) of one described incident, with where each number comes from
    (``sources``; ``sources_ja`` says the same in Japanese)."""

    scenario: Scenario
    downtime_days: float
    closure_days: float | None
    interruption_days: float
    share_affected: float
    person_months: float
    components: Mapping[str, float]
    sources: Mapping[str, str]
    sources_ja: Mapping[str, str] = dataclasses.field(default_factory=dict)   # the sources in Japanese

    @property
    def lost_profit(self) -> float:
        return self.components["lost_profit"]

    def total(self) -> float:
        return float(sum(self.components.values()))

    def describe(self) -> pd.DataFrame:
        """One row per component (and the total): label, JPY, 万円 and the source."""
        data = self.scenario.profile.data
        rows = [{"component": c, "label_ja": data.label_ja(c), "jpy": self.components[c],
                 "man_yen": self.components[c] / 1e4, "source": self.sources.get(c, "")}
                for c in comp.COMPONENTS]
        rows.append({"component": "total", "label_ja": "合計", "jpy": self.total(),
                     "man_yen": self.total() / 1e4, "source": ""})
        return pd.DataFrame(rows).set_index("component")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``cyberloss scenario --json``."""
        s = self.scenario
        return {
            "name": s.name,
            "attack_type": s.attack_type,
            "downtime_days": self.downtime_days,
            "closure_days": self.closure_days,
            "interruption_days": self.interruption_days,
            "share_affected": self.share_affected,
            "person_months": self.person_months,
            **{c: float(v) for c, v in self.components.items()},
            "total": self.total(),
            "sources": dict(self.sources),
            "profile": s.profile.fields(),
        }

    def _html_title(self) -> str:
        return f"Scenario {escape(self.scenario.name)} ({escape(self.scenario.attack_type)})"
