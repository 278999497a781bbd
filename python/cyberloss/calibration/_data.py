"""Reading and validating the calibration data file (``data/jnsa2025.json`` or a user copy).

Everything here is plain Python: the file is checked once, at load time, and every error
names the offending key (``margins.size.values.sme``) and value.  Assumptions can be
replaced by overrides (a mapping or a JSON file of ``key -> value``), validated by the same
rules as the file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import _arith, _validate, config
from .._validate import figure_ja
from ..config import documents
from ..report import language
from ._size import MAX_SIGMA

MAX_COUNT = 1e12        # incidents, organisations, answers: a sanity bound far above Japan's
MAX_MAN_YEN = 1e14      # 10^18 JPY
# exposure.organisation (団体等, 308,685): the frequency fit overflows below about 1,256 and
# above about 1.9e7 bodies with the shipped counts; [1e4, 1e7] is 30 times either way of the
# census figure and keeps a margin from both edges.
ORGANISATIONS = (1e4, 1e7)

MAN_YEN = 10_000.0  # JPY per man-yen (万円); the survey publishes money in man-yen
QUALITIES = ("published", "derived", "approximate", "assumption")
PERIODS = ("cumulative", "recent")
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "jnsa2025.json"
# what a survey's mean and median must be, in Japanese (the English says it in each message)
LOGNORMAL_JA = "対数正規分布は平均値 > 中央値"


@dataclass(frozen=True)
class Assumption:
    """One labelled modelling assumption: the value used, where it comes from and why, and
    the range (``low``, ``high``) within which it is plausible (None where no range is
    stated, e.g. for a choice between named options)."""

    key: str
    value: Any
    quality: str
    source: str
    reasoning: str
    overridden: bool = False
    low: Any = None
    high: Any = None


@dataclass(frozen=True)
class SurveyFigure:
    """Mean and median loss per incident (JPY) for one attack type and period."""

    attack_type: str
    period: str
    mean: float
    median: float
    answers: int
    source: str
    quality: str


@dataclass(frozen=True)
class SeverityScope:
    """What the survey loss amounts cover (and so what other parts must add on top)."""

    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Interaction:
    """A published share: ``category`` holds ``value`` of the ``attack_margin`` incidents
    (``published`` is the file's figure, ``value`` the one used, which may be overridden)."""

    name: str
    value: float
    published: float
    attack_margin: str
    dimension: str  # "industry" or "size"
    category: str
    quality: str
    source: str
    note: str


@dataclass(frozen=True)
class CalibrationData:
    """The validated content of a calibration file, with overrides applied."""

    path: str
    attack_types: tuple[str, ...]
    attack_labels: dict[str, str]
    attack_margin: dict[str, str]
    industries: tuple[str, ...]
    industry_labels: dict[str, str]
    industry_margin: dict[str, str]
    sizes: tuple[str, ...]
    size_labels: dict[str, str]
    years: dict[str, float]
    total_cumulative: float
    total_recent: float
    size_margin: dict[str, float]
    industry_group_margin: dict[str, float]
    attack_type_margin: dict[str, float]
    attack_type_recent_margin: dict[str, float]
    interactions: tuple[Interaction, ...]
    exposure: dict[str, float]
    class_employees: dict[str, float]   # mean headcount per size class
    survey: dict[tuple[str, str], SurveyFigure]
    scope: SeverityScope
    assumptions: dict[str, Assumption]

    def value(self, key: str) -> Any:
        return self.assumptions[key].value


class _Reader:
    """Walks the JSON tree and raises ValueError naming the dotted key on any problem."""

    def __init__(self, origin: str):
        self.origin = origin
        self.place = (f"calibration file {origin}", _validate.place_ja(f"calibration file {origin}"))

    def fail(self, message: str, need: _validate.Need | None = None, where: str = "",
             value: Any = _validate.NO_VALUE, value_ja: str | None = None) -> ValueError:
        """This file's error; with ``need`` (and the ``where`` and ``value`` it is about, or the
        value as ``value_ja`` words it), said in Japanese as well."""
        english = f"calibration file {self.origin}: {message}"
        if need is None:
            return ValueError(english)
        return _validate.InputError(english, need, where, value, value_ja=value_ja, context=(self.place,))

    def relation(self, message: str, where: str, need_ja: str, value: Any = _validate.NO_VALUE,
                 value_ja: str | None = None) -> ValueError:
        """This file's refusal of ``where`` by a rule between its values; ``need_ja``: what it
        must be, a Japanese noun phrase."""
        return self.fail(message, _validate.Need("relation", detail=need_ja), where, value, value_ja)

    def unknown(self, message: str, where: str, what: str, key: Any, known) -> ValueError:
        """This file's refusal of ``key``, not one of the ``known`` ``what``s (an attack type,
        an industry, ...) in ``where``."""
        noun = language.CATEGORY_HEADINGS_JA.get(what.replace(" ", "_"), what)
        return self.fail(message, _validate.Need("unknown", noun=noun, key=str(key), choices=tuple(known)), where)

    def get(self, node: Any, key: str, path: str) -> Any:
        if not isinstance(node, Mapping):
            raise self.fail(f"'{path}' must be an object, got {_validate.shown(node)}",
                            _validate.Need("table"), f"'{path}'", node)
        if key not in node:
            name = f"{path}.{key}" if path else key
            raise self.fail(f"missing key '{name}'", _validate.Need("missing", noun="key", key=name, detail=" "))
        return node[key]

    def checked(self, check, *args, **kwargs):
        """Run one of ``_validate``'s checks; its error becomes this file's error (a refusal
        said in Japanese stays one, its subject the path without the English note)."""
        try:
            return check(*args, **kwargs)
        except _validate.InputError as exc:
            raise exc.replaced(f"calibration file {self.origin}: {exc}", where=exc.where.split(" (")[0],
                               context=(self.place, *exc.context)) from None
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def number(self, value: Any, path: str, *, positive: bool = False, hi: float = MAX_COUNT) -> float:
        return self.checked(_validate.number, f"'{path}'", value, 0.0, lo_open=positive, cap=hi)

    def share(self, value: Any, path: str, *, open_interval: bool = False) -> float:
        return self.checked(_validate.number, f"'{path}' (a share)", value, 0.0, 1.0,
                            lo_open=open_interval, hi_open=open_interval)

    def integer(self, value: Any, path: str, minimum: int) -> int:
        return int(self.checked(_validate.number, f"'{path}'", value, minimum, cap=MAX_COUNT, integer=True))

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(f"'{path}' must be a non-empty string, got {_validate.shown(value)}",
                            _validate.Need("text"), f"'{path}'", value)
        return value

    def conform(self, node: Any) -> None:
        """Refuse keys the file format does not know and free-text fields that are not text
        (``config.documents.CALIBRATION``): a typo ("mediam") is an error, not an ignored line."""
        self.checked(config.check, node, documents.CALIBRATION)

    def quality(self, value: Any, path: str) -> str:
        if value not in QUALITIES:
            raise self.fail(f"'{path}' must be one of {', '.join(QUALITIES)}, got {value!r}",
                            _validate.Need("choice", choices=QUALITIES), f"'{path}'", value)
        return value

    def keyed_counts(self, node: Any, path: str, keys: tuple[str, ...], what: str,
                     positive: bool = False) -> dict[str, float]:
        """A mapping whose keys must be exactly ``keys`` (in any order), values counts."""
        if not isinstance(node, Mapping):
            raise self.fail(f"'{path}' must be an object, got {_validate.shown(node)}",
                            _validate.Need("table"), f"'{path}'", node)
        for k in node:
            if k not in keys:
                raise self.unknown(f"unknown {what} '{k}' in '{path}' (known: {', '.join(keys)})",
                                   f"'{path}'", what, k, keys)
        return {k: self.number(self.get(node, k, path), f"{path}.{k}", positive=positive) for k in keys}


def _labelled_list(r: _Reader, raw: Any, path: str) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise r.fail(f"'{path}' must be a non-empty list", _validate.Need("list_min", count=1), f"'{path}'", raw)
    keys = [r.text(r.get(item, "key", f"{path}[{n}]"), f"{path}[{n}].key") for n, item in enumerate(raw)]
    if len(set(keys)) != len(keys):
        twice = next(k for k in keys if keys.count(k) > 1)
        raise r.fail(f"'{path}' has duplicate keys: {keys}",
                     _validate.Need("twice", noun="key", key=twice, detail=f"key: {', '.join(keys)}"), f"'{path}'")
    return raw


# ----- assumptions: one validator per key -------------------------------------------------

def _industry_shares(r: _Reader, value: Any, path: str, industries: tuple[str, ...]) -> dict[str, float]:
    shares = r.keyed_counts(value, path, industries, "industry")
    for k, v in shares.items():
        r.share(v, f"{path}.{k}")
    total = sum(shares.values())
    if abs(total - 1.0) > 0.005:
        raise r.relation(f"'{path}' shares must add to 1 (within 0.005), got {total:.4f}", f"'{path}'",
                         "合計が 1（誤差 0.005 以内）の割合", value_ja=f"合計 {total:.4f}")
    return {k: v / total for k, v in shares.items()}


def _validators(r: _Reader, industries: tuple[str, ...], sizes: tuple[str, ...],
                modelled_types: tuple[str, ...], modelled_types_all: tuple[str, ...]
                ) -> dict[str, Callable[[Any, str], Any]]:
    v: dict[str, Callable[[Any, str], Any]] = {
        "attack_type_reconciliation": lambda x, p: _choice(r, x, p, ("type_events", "scale_to_total")),
        "web_leak_card_share": lambda x, p: r.share(x, p, open_interval=True),
        "exposure.organisation": lambda x, p: r.checked(_validate.number, f"'{p}' (organisations)",
                                                        x, *ORGANISATIONS),
        "industry_share.company": lambda x, p: _industry_shares(r, x, p, industries),
        "industry_share.organisation": lambda x, p: _industry_shares(r, x, p, industries),
        "tail.threshold_quantile": lambda x, p: r.share(x, p, open_interval=True),
        "tail.xi": lambda x, p: _xi(r, x, p),
    }
    for s in sizes:
        v[f"reporting_factor.{s}"] = lambda x, p: _at_least_one(r, x, p)
    for a in modelled_types:
        v[f"severity.{a}.mean"] = lambda x, p: r.number(x, p, positive=True, hi=MAX_MAN_YEN)
        v[f"severity.{a}.median"] = lambda x, p: r.number(x, p, positive=True, hi=MAX_MAN_YEN)
        v[f"severity.{a}.answers"] = lambda x, p: r.integer(x, p, 2)
    for a in ("web_leak_card", "web_leak_personal"):
        v[f"severity.{a}.recent_mean"] = lambda x, p: r.number(x, p, positive=True, hi=MAX_MAN_YEN)
        v[f"severity.{a}.recent_median"] = lambda x, p: r.number(x, p, positive=True, hi=MAX_MAN_YEN)
    v.update(_v2_validators(r, industries, modelled_types_all))
    return v


def _v2_validators(r: _Reader, industries: tuple[str, ...], attack_types: tuple[str, ...]
                   ) -> dict[str, Callable[[Any, str], Any]]:
    """Calibration v2: size scales, industry weights, the major / contained branches, minor
    incidents and the earlier ransomware window (docs/MODEL_NOTES.md, Calibration v2)."""
    money = lambda x, p: r.number(x, p, positive=True, hi=MAX_MAN_YEN)    # noqa: E731
    days = lambda x, p: r.checked(_validate.number, f"'{p}' (days)", x, 0.0, lo_open=True,   # noqa: E731
                                  cap=_validate.MAX_DAYS)
    spread = lambda x, p: r.checked(_validate.number, f"'{p}' (a log-scale sigma)", x, 0.0,   # noqa: E731
                                    10.0, lo_open=True)
    months = lambda x, p: r.checked(_validate.number, f"'{p}' (person-months)", x, 0.0,   # noqa: E731
                                    lo_open=True, cap=1e6)
    elasticity = lambda x, p: r.checked(_validate.number, f"'{p}' (an elasticity)", x, 0.0, 2.0)  # noqa: E731
    v: dict[str, Callable[[Any, str], Any]] = {
        "size.loss_elasticity": elasticity,
        "size.downtime_elasticity": elasticity,
        "size.organisation_employees": lambda x, p: r.checked(
            _validate.number, f"'{p}' (employees)", x, 1.0, cap=_validate.MAX_EMPLOYEES),
        "industry_weight.company": lambda x, p: _industry_weights(r, x, p, industries),
        "severity.ransomware.earlier_mean": money,
        "severity.ransomware.earlier_median": money,
        "minor.rate": lambda x, p: r.checked(_validate.number, f"'{p}' (incidents per year)", x, 0.0,
                                             lo_open=True, cap=1e6),
        "minor.frequency_elasticity": elasticity,
        "minor.severity_median": money,
        "minor.severity_sigma": spread,
        "minor.downtime_median": days,
        "minor.downtime_sigma": spread,
        "minor.effort_mean": months,
        "minor.effort_sigma": spread,
        "minor.share_affected": lambda x, p: r.share(x, p),
        "experience.frequency_prior_claims": lambda x, p: r.checked(
            _validate.number, f"'{p}' (expected claims)", x, 0.0, cap=1e6),
        "experience.severity_prior_claims": lambda x, p: r.checked(
            _validate.number, f"'{p}' (claims)", x, 0.0, cap=1e6),
        "reporting.police_share_publicised": lambda x, p: r.checked(
            _validate.number, f"'{p}' (a share)", x, 0.0, 1.0, lo_open=True),
    }
    for a in attack_types:
        v[f"branch.{a}.major_probability"] = lambda x, p: r.checked(
            _validate.number, f"'{p}' (a probability)", x, 0.0, 1.0, lo_open=True)
        v[f"contained.{a}.severity_median"] = money
        v[f"contained.{a}.severity_sigma"] = spread
        v[f"contained.{a}.downtime_median"] = days
        v[f"contained.{a}.downtime_sigma"] = spread
        v[f"contained.{a}.effort_mean"] = months
    return v


def _industry_weights(r: _Reader, value: Any, path: str, industries: tuple[str, ...]) -> dict[str, float]:
    weights = r.keyed_counts(value, path, industries, "industry")
    for k, w in weights.items():
        r.checked(_validate.number, f"'{path}.{k}' (a relative rate)", w, 0.0, lo_open=True, cap=1e3)
    return weights


def _choice(r: _Reader, x: Any, path: str, allowed: tuple[str, ...]) -> str:
    if x not in allowed:
        raise r.fail(f"'{path}' must be one of {', '.join(allowed)}, got {x!r}",
                     _validate.Need("choice", choices=allowed), f"'{path}'", x)
    return x


def _xi(r: _Reader, x: Any, path: str) -> float:
    value = r.number(x, path)
    if value >= 1.0:
        raise r.relation(f"'{path}' (GPD shape) must be in [0, 1) for a finite mean, got {x!r}", f"'{path}'",
                         "0 以上 1 未満の数値（GPD の形状パラメータ。1 以上では平均が有限でない）", x)
    return value


def _at_least_one(r: _Reader, x: Any, path: str) -> float:
    value = r.number(x, path, positive=True)
    if value < 1.0:
        raise r.relation(f"'{path}' (all incidents per publicised incident) must be >= 1, got {x!r}",
                         f"'{path}'", "1 以上の数値（公表事例 1 件あたりの全インシデントの件数）", x)
    return value


def _read_overrides(overrides: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, (str, Path)):
        path = Path(overrides)
        loaded = config.read_json(path, "overrides file")
        if not isinstance(loaded, dict):
            place = f"overrides file {path}"
            raise _validate.InputError(f"{place}: must hold a JSON object of key -> value",
                                       _validate.Need("relation", detail="前提のキーと値の JSON オブジェクト（{ }）"),
                                       value=loaded, context=((place, _validate.place_ja(place)),))
        return loaded
    if not isinstance(overrides, Mapping):
        raise ValueError(f"overrides must be a mapping or a JSON file path, got {type(overrides).__name__}")
    return dict(overrides)


# ----- the file ----------------------------------------------------------------------------

def read(path: str | Path | None = None,
         overrides: Mapping[str, Any] | str | Path | None = None) -> CalibrationData:
    """Load and validate a calibration file, then apply ``overrides`` to its assumptions."""
    file = DEFAULT_PATH if path is None else config.path_of(path, "calibration file")
    return parse(config.read_json(file, "calibration file"), str(file), overrides)


def _field_by_key(r: "_Reader", items, section: str, field: str) -> dict[str, str]:
    """{key: item[field]} for a labelled list, each value a non-empty text."""
    return {it["key"]: r.text(r.get(it, field, f"{section}.{it['key']}"), f"{section}.{it['key']}.{field}")
            for it in items}


def parse(raw: Any, origin: str = "<dict>",
          overrides: Mapping[str, Any] | str | Path | None = None) -> CalibrationData:
    """Validate an already-parsed calibration document (see :func:`read`)."""
    r = _Reader(origin)
    if not isinstance(raw, Mapping):
        raise r.fail(f"top level must be a JSON object, got {_validate.shown(raw)}",
                     _validate.Need("relation", detail="最上位が JSON のオブジェクト（{ }）である文書"), value=raw)
    r.conform(raw)

    types_raw = _labelled_list(r, r.get(raw, "attack_types", ""), "attack_types")
    attack_types = tuple(t["key"] for t in types_raw)
    attack_labels = _field_by_key(r, types_raw, "attack_types", "label_ja")
    attack_margin = _field_by_key(r, types_raw, "attack_types", "margin")
    web_types = tuple(a for a in attack_types if attack_margin[a] == "web_leak")
    if web_types != ("web_leak_card", "web_leak_personal"):
        raise r.relation("attack_types must hold web_leak_card and web_leak_personal (in this order) "
                         f"as the two kinds of the 'web_leak' margin, got {web_types}", "attack_types",
                         "margin が 'web_leak' の攻撃種別として web_leak_card と web_leak_personal を"
                         "この順に含むリスト", value_ja=f"margin が 'web_leak' のもの {list(web_types)}")
    for margin in set(attack_margin.values()) - {"web_leak"}:
        sharing = [a for a in attack_types if attack_margin[a] == margin]
        if len(sharing) != 1:
            raise r.relation(f"attack-type margin '{margin}' is shared by {sharing}; only web_leak may be split",
                             "attack_types", "margin が互いに異なる攻撃種別（同じ margin を分けてよいのは "
                             "web_leak だけ）", value_ja=f"margin '{margin}' が {sharing} に共通")

    ind_raw = _labelled_list(r, r.get(raw, "industries", ""), "industries")
    industries = tuple(i["key"] for i in ind_raw)
    industry_labels = _field_by_key(r, ind_raw, "industries", "label_ja")
    industry_margin = _field_by_key(r, ind_raw, "industries", "margin")
    size_raw = _labelled_list(r, r.get(raw, "sizes", ""), "sizes")
    sizes = tuple(s["key"] for s in size_raw)
    size_labels = _field_by_key(r, size_raw, "sizes", "label_ja")
    if "organisation" not in sizes:
        raise r.relation(f"sizes must include 'organisation' (団体等), got {sizes}", "sizes",
                         "'organisation'（団体等）を含む規模の一覧", value_ja=f"key {list(sizes)}")

    windows = r.get(raw, "windows", "")
    years = {p: r.number(r.get(r.get(windows, p, "windows"), "years", f"windows.{p}"),
                         f"windows.{p}.years", positive=True, hi=1000.0) for p in PERIODS}
    if years["recent"] >= years["cumulative"]:
        raise r.relation(f"'windows.recent.years' ({years['recent']}) must be shorter than "
                         f"'windows.cumulative.years' ({years['cumulative']})", "'windows.recent.years'",
                         f"'windows.cumulative.years'（{years['cumulative']:g}）より短い年数", years["recent"])

    m = r.get(raw, "margins", "")

    def published(node_path: str) -> Mapping[str, Any]:
        node = r.get(m, node_path, "margins")
        r.quality(r.get(node, "quality", f"margins.{node_path}"), f"margins.{node_path}.quality")
        r.text(r.get(node, "source", f"margins.{node_path}"), f"margins.{node_path}.source")
        return node

    total_cum = r.number(r.get(published("total_cumulative"), "value", "margins.total_cumulative"),
                         "margins.total_cumulative.value", positive=True)
    total_rec = r.number(r.get(published("total_recent"), "value", "margins.total_recent"),
                         "margins.total_recent.value", positive=True)
    if total_rec > total_cum:
        raise r.relation(f"'margins.total_recent.value' ({total_rec}) exceeds "
                         f"'margins.total_cumulative.value' ({total_cum})", "'margins.total_recent.value'",
                         f"'margins.total_cumulative.value'（{figure_ja(total_cum)}）以下の件数", total_rec)
    size_margin = r.keyed_counts(r.get(published("size"), "values", "margins.size"),
                                 "margins.size.values", sizes, "size", positive=True)
    groups = tuple(dict.fromkeys(industry_margin.values()))
    industry_group_margin = r.keyed_counts(r.get(published("industry"), "values", "margins.industry"),
                                           "margins.industry.values", groups, "industry", positive=True)
    type_margins = tuple(dict.fromkeys(attack_margin.values()))
    attack_type_margin = r.keyed_counts(r.get(published("attack_type"), "values", "margins.attack_type"),
                                        "margins.attack_type.values", type_margins, "attack type", positive=True)
    recent_node = r.get(published("attack_type_recent"), "values", "margins.attack_type_recent")
    if not isinstance(recent_node, Mapping):
        raise r.fail(f"'margins.attack_type_recent.values' must be an object, got {_validate.shown(recent_node)}",
                     _validate.Need("table"), "'margins.attack_type_recent.values'", recent_node)
    attack_type_recent_margin = {}
    for k, val in recent_node.items():
        if k not in type_margins or k == "web_leak":
            recent_types = [t for t in type_margins if t != "web_leak"]
            raise r.unknown(f"unknown attack type '{k}' in 'margins.attack_type_recent.values' "
                            f"(known: {', '.join(recent_types)})", "'margins.attack_type_recent.values'",
                            "attack type", k, recent_types)
        # a zero margin has no finite maximum-likelihood coefficient in the frequency fit
        attack_type_recent_margin[k] = r.number(val, f"margins.attack_type_recent.values.{k}", positive=True)
    for table_name, counts in (("size", size_margin), ("industry", industry_group_margin)):
        if abs(sum(counts.values()) - total_cum) > 1.0:
            raise r.relation(f"'margins.{table_name}.values' add to {sum(counts.values()):g}, "
                             f"not margins.total_cumulative = {total_cum:g}", f"'margins.{table_name}.values'",
                             f"合計が margins.total_cumulative（{figure_ja(total_cum)}）に等しい件数（誤差 1 以内）",
                             value_ja=f"合計 {figure_ja(sum(counts.values()))}")
    if sum(attack_type_recent_margin.values()) > total_rec:
        raise r.relation("'margins.attack_type_recent.values' add to more than margins.total_recent",
                         "'margins.attack_type_recent.values'", f"合計が margins.total_recent（{figure_ja(total_rec)}）"
                         "以下の件数", value_ja=f"合計 {figure_ja(sum(attack_type_recent_margin.values()))}")
    for k, val in attack_type_recent_margin.items():
        if val > attack_type_margin[k]:
            raise r.relation(f"'margins.attack_type_recent.values.{k}' ({val:g}) exceeds the cumulative "
                             f"count 'margins.attack_type.values.{k}' ({attack_type_margin[k]:g})",
                             f"'margins.attack_type_recent.values.{k}'", f"累計の件数 'margins.attack_type."
                             f"values.{k}'（{figure_ja(attack_type_margin[k])}）以下の件数", value_ja=figure_ja(val))

    inter_raw = r.get(raw, "interactions", "")
    if not isinstance(inter_raw, Mapping):
        raise r.fail("'interactions' must be an object", _validate.Need("table"), "'interactions'", inter_raw)
    interactions = []
    for name, node in inter_raw.items():
        p = f"interactions.{name}"
        value = r.share(r.get(node, "value", p), f"{p}.value", open_interval=True)
        margin = r.get(node, "attack_margin", p)
        if margin not in type_margins:
            raise r.unknown(f"unknown attack type '{margin}' in '{p}.attack_margin' (known: {', '.join(type_margins)})",
                            f"'{p}.attack_margin'", "attack type", margin, type_margins)
        dimension = _choice(r, r.get(node, "dimension", p), f"{p}.dimension", ("industry", "size"))
        category = r.get(node, "category", p)
        known = groups if dimension == "industry" else sizes
        if category not in known:
            raise r.unknown(f"unknown {dimension} '{category}' in '{p}.category' (known: {', '.join(known)})",
                            f"'{p}.category'", dimension, category, known)
        quality = r.quality(r.get(node, "quality", p), f"{p}.quality")
        interactions.append(Interaction(name, value, value, margin, dimension, category, quality,
                                        r.text(r.get(node, "source", p), f"{p}.source"),
                                        str(node.get("note", ""))))

    exp_node = r.get(raw, "exposure", "")
    exposure = {s: r.checked(_validate.number, f"'exposure.{s}.value' (organisations)",
                             r.get(r.get(exp_node, s, "exposure"), "value", f"exposure.{s}"),
                             1.0, cap=MAX_COUNT) for s in ("large", "sme")}
    employees = {s: r.checked(_validate.number, f"'exposure.employees_{s}.value' (employees)",
                              r.get(r.get(exp_node, f"employees_{s}", "exposure"), "value", f"exposure.employees_{s}"),
                              1.0, cap=MAX_COUNT) for s in ("large", "sme")}

    sev = r.get(raw, "severity", "")
    if not isinstance(sev, Mapping):
        raise r.fail(f"'severity' must be an object, got {_validate.shown(sev)}", _validate.Need("table"),
                     "'severity'", sev)
    if r.get(sev, "unit", "severity") != "man-yen":
        raise r.relation(f"'severity.unit' must be 'man-yen', got {sev['unit']!r}", "'severity.unit'",
                         "'man-yen'（金額の単位は万円）", sev["unit"])
    survey: dict[tuple[str, str], SurveyFigure] = {}
    for a, periods in sev.items():
        if a == "unit":
            continue
        if a not in attack_types:
            raise r.unknown(f"unknown attack type '{a}' in 'severity' (known: {', '.join(attack_types)})",
                            "'severity'", "attack type", a, attack_types)
        if not isinstance(periods, Mapping):
            raise r.fail(f"'severity.{a}' must be an object of periods, got {_validate.shown(periods)}",
                         _validate.Need("table"), f"'severity.{a}'", periods)
        for period, node in periods.items():
            p = f"severity.{a}.{period}"
            if period not in PERIODS:
                raise r.unknown(f"unknown period '{period}' in 'severity.{a}' (known: {', '.join(PERIODS)})",
                                f"'severity.{a}'", language.COLUMNS_JA["period"], period, PERIODS)
            mean = r.number(r.get(node, "mean", p), f"{p}.mean", positive=True, hi=MAX_MAN_YEN)
            median = r.number(r.get(node, "median", p), f"{p}.median", positive=True, hi=MAX_MAN_YEN)
            if mean <= median:
                raise r.relation(f"'{p}': a lognormal needs mean > median, got mean {mean:g} <= median {median:g}",
                                 f"'{p}'", f"平均値（mean）が中央値（median）より大きい値（{LOGNORMAL_JA}）",
                                 value_ja=f"平均値 {figure_ja(mean, '万円')}、中央値 {figure_ja(median, '万円')}")
            survey[(a, period)] = SurveyFigure(
                a, period, mean * MAN_YEN, median * MAN_YEN,
                r.integer(r.get(node, "answers", p), f"{p}.answers", 2),
                r.text(r.get(node, "source", p), f"{p}.source"),
                r.quality(r.get(node, "quality", p), f"{p}.quality"))

    scope_node = r.get(raw, "severity_scope", "")
    scope_lists = {}
    for part in ("includes", "excludes"):
        items = r.get(scope_node, part, "severity_scope")
        if not isinstance(items, list) or not items:
            raise r.fail(f"'severity_scope.{part}' must be a non-empty list, got {items!r}",
                         _validate.Need("list_min", count=1), f"'severity_scope.{part}'", items)
        scope_lists[part] = tuple(r.text(x, f"severity_scope.{part}[{n}]") for n, x in enumerate(items))
    scope = SeverityScope(scope_lists["includes"], scope_lists["excludes"],
                          r.text(r.get(scope_node, "note", "severity_scope"), "severity_scope.note"))

    unpublished = tuple(a for a in attack_types if (a, "cumulative") not in survey)
    validators = _validators(r, industries, sizes, unpublished, attack_types)
    assumptions = _assumptions(r, r.get(raw, "assumptions", ""), validators)
    # the approximate published shares ("close to 40%") are judgement too: overridable
    for inter in interactions:
        key = f"interactions.{inter.name}"
        validators[key] = lambda x, p: r.share(x, p, open_interval=True)
        # "close to 40%": five points either way
        assumptions[key] = Assumption(key, inter.value, inter.quality, inter.source,
                                      f"published share entered as an interaction margin: {inter.note}",
                                      low=max(inter.value - 0.05, 0.01), high=min(inter.value + 0.05, 0.99))
    assumptions = _apply_overrides(r, assumptions, validators, _read_overrides(overrides))
    for n, inter in enumerate(interactions):
        used = assumptions[f"interactions.{inter.name}"]
        if used.overridden:
            interactions[n] = replace(inter, value=used.value, quality="assumption")
    for a in unpublished:
        _check_mean_median(r, assumptions, f"severity.{a}.mean", f"severity.{a}.median")
    for a in ("web_leak_card", "web_leak_personal"):
        _check_mean_median(r, assumptions, f"severity.{a}.recent_mean", f"severity.{a}.recent_median")
    _check_mean_median(r, assumptions, "severity.ransomware.earlier_mean", "severity.ransomware.earlier_median")
    exposure["organisation"] = assumptions["exposure.organisation"].value
    class_employees = {"large": employees["large"] / exposure["large"],
                       "sme": employees["sme"] / exposure["sme"],
                       "organisation": float(assumptions["size.organisation_employees"].value)}

    return CalibrationData(
        path=origin, attack_types=attack_types, attack_labels=attack_labels,
        attack_margin=attack_margin, industries=industries, industry_labels=industry_labels,
        industry_margin=industry_margin, sizes=sizes, size_labels=size_labels, years=years,
        total_cumulative=total_cum, total_recent=total_rec, size_margin=size_margin,
        industry_group_margin=industry_group_margin, attack_type_margin=attack_type_margin,
        attack_type_recent_margin=attack_type_recent_margin, interactions=tuple(interactions),
        exposure=exposure, class_employees=class_employees, survey=survey, scope=scope,
        assumptions=assumptions)


def _assumptions(r: _Reader, node: Any, validators: Mapping[str, Callable[[Any, str], Any]]
                 ) -> dict[str, Assumption]:
    if not isinstance(node, Mapping):
        raise r.fail("'assumptions' must be an object", _validate.Need("table"), "'assumptions'", node)
    for key in node:
        if key not in validators:
            raise r.unknown(f"unknown assumption 'assumptions.{key}' (known: {', '.join(validators)})",
                            "", language.SENSITIVITY_COLUMNS_JA["assumption"], f"assumptions.{key}", validators)
    out = {}
    for key, validate in validators.items():
        p = f"assumptions.{key}"
        entry = r.get(node, key, "assumptions")
        value = validate(r.get(entry, "value", p), f"{p}.value")
        low, high = _plausible_range(r, entry, p, value, validate)
        out[key] = Assumption(
            key=key,
            value=value,
            quality=r.quality(r.get(entry, "quality", p), f"{p}.quality"),
            source=r.text(r.get(entry, "source", p), f"{p}.source"),
            reasoning=r.text(r.get(entry, "reasoning", p), f"{p}.reasoning"),
            low=low, high=high)
    return out


def _plausible_range(r: _Reader, entry: Mapping[str, Any], path: str, value: Any,
                     validate: Callable[[Any, str], Any]) -> tuple[Any, Any]:
    """``low`` and ``high`` of an assumption (both or neither), validated like its value and
    bracketing it (per key where the value is a table)."""
    if not isinstance(entry, Mapping) or ("low" not in entry and "high" not in entry):
        return None, None
    low = validate(r.get(entry, "low", path), f"{path}.low")
    high = validate(r.get(entry, "high", path), f"{path}.high")
    if isinstance(value, Mapping):
        pairs = [(f".{k}", low[k], value[k], high[k]) for k in value]
    elif isinstance(value, (int, float)):
        pairs = [("", low, value, high)]
    else:
        raise r.relation(f"'{path}' takes no range (low, high): its value is {_validate.shown(value)}", f"'{path}'",
                         "low と high のない前提（値が数値でも数値の表でもない前提は範囲をとらない）", value)
    for suffix, lo, v, hi in pairs:
        if not lo <= v <= hi:
            raise r.relation(f"'{path}.value{suffix}' ({v:g}) must lie within its plausible range "
                             f"'{path}.low{suffix}' ({lo:g}) .. '{path}.high{suffix}' ({hi:g})",
                             f"'{path}.value{suffix}'", f"妥当な範囲の{language.BOUNDS_JA['low']} '{path}.low{suffix}'"
                             f"（{figure_ja(lo)}）以上、{language.BOUNDS_JA['high']} "
                             f"'{path}.high{suffix}'（{figure_ja(hi)}）以下の値",
                             value_ja=figure_ja(v))
    return low, high


def _apply_overrides(r: _Reader, assumptions: dict[str, Assumption],
                     validators: Mapping[str, Callable[[Any, str], Any]],
                     overrides: Mapping[str, Any]) -> dict[str, Assumption]:
    out = dict(assumptions)
    for key, value in overrides.items():
        if key not in validators:
            raise _validate.InputError(f"unknown assumption '{key}' in overrides (known: {', '.join(validators)})",
                                       _validate.Need("unknown", noun="前提", key=key, choices=tuple(validators)))
        if isinstance(value, str) and config.number_in_text(value) is not None:   # "１２", "250,000"
            value = config.number_in_text(value)
        try:
            checked = validators[key](value, f"overrides.{key}")
        except _validate.InputError as exc:     # an override is not the file's
            raise exc.replaced(str(exc).replace(f"calibration file {r.origin}: ", ""),
                               context=exc.context[1:]) from None
        except ValueError as exc:
            raise ValueError(str(exc).replace(f"calibration file {r.origin}: ", "")) from None
        old = assumptions[key]
        out[key] = Assumption(key, checked, "assumption", "user override",
                              f"overridden by the user (default {old.value!r}: {old.reasoning})",
                              overridden=True, low=old.low, high=old.high)
    return out


def _check_mean_median(r: _Reader, assumptions: Mapping[str, Assumption], mean_key: str, median_key: str) -> None:
    mean, median = assumptions[mean_key].value, assumptions[median_key].value
    if mean <= median:
        raise _validate.InputError(
            f"'assumptions.{mean_key}.value' ({mean:g}) must exceed "
            f"'assumptions.{median_key}.value' ({median:g}): a lognormal has mean > median",
            _validate.Need("relation", detail=f"'assumptions.{median_key}.value'"
                                              f"（{figure_ja(median, '万円')}）より大きい値（{LOGNORMAL_JA}）"),
            f"'assumptions.{mean_key}.value'", value_ja=figure_ja(mean, '万円'))
    sigma = math.sqrt(2.0 * _arith.log(mean / median))
    if sigma > MAX_SIGMA:    # the size normalisation would find no lognormal (and say why less well)
        median_first = assumptions[median_key].overridden or not assumptions[mean_key].overridden
        (k1, v1), (k2, v2) = ((median_key, median), (mean_key, mean))[::1 if median_first else -1]
        ratio, lowest = _arith.exp(0.5 * MAX_SIGMA * MAX_SIGMA), mean * _arith.exp(-0.5 * MAX_SIGMA * MAX_SIGMA)
        raise _validate.InputError(
            f"'assumptions.{k1}.value' ({v1:g}) is too far {'below' if median_first else 'above'} "
            f"'assumptions.{k2}.value' ({v2:g}): their lognormal's sigma "
            f"sqrt(2 ln(mean/median)) = {sigma:.5g} exceeds the {MAX_SIGMA:g} the severity fit "
            f"takes (mean/median at most e^{0.5 * MAX_SIGMA * MAX_SIGMA:g}: the median at least "
            f"{lowest:.3g})",
            _validate.Need("relation", detail=f"'assumptions.{k2}.value'（{figure_ja(v2, '万円')}）"
                                              "から離れすぎない値（対数正規分布の "
                                              f"σ = sqrt(2 ln(平均値/中央値)) は損害額の推定が扱う {MAX_SIGMA:g} 以下: "
                                              f"平均値/中央値は e^{0.5 * MAX_SIGMA * MAX_SIGMA:g}（{ratio:.3g}）以下、"
                                              f"中央値は {figure_ja(float(f'{lowest:.3g}'), '万円')} 以上）"),
            f"'assumptions.{k1}.value'", value_ja=f"{figure_ja(v1, '万円')}、σ = {sigma:.5g}")
