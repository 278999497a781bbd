"""A calibration file's content refused in Japanese under ``--lang ja`` (its JSON, missing keys
and numbers are test_japanese_faults.py's): each case breaks one rule of the packaged
data/jnsa2025.json and expects one line after 「エラー:」 naming the field by its dotted path,
what it must be and the value given, while the English stays word for word as it was."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cyberloss.calibration import _data
from cyberloss.cli import main

PROFILE = str(Path(__file__).resolve().parents[2] / "examples" / "sme_manufacturer.toml")
PACKAGED = json.loads(_data.DEFAULT_PATH.read_text(encoding="utf-8"))
FILE = "キャリブレーションファイル {path}: "
EN_FILE = "calibration file {path}: "


def _set(*path_and_value):
    """A change of the document: the value at a path (keys and list indices) replaced."""
    *path, last, value = path_and_value

    def change(doc):
        node = doc
        for key in path:
            node = node[key]
        node[last] = value
    return change


def _assumption(key: str, **fields):
    return lambda doc: doc["assumptions"][key].update(fields)


def _swap_web_leak_kinds(doc):
    kinds = doc["attack_types"]
    kinds[1], kinds[2] = kinds[2], kinds[1]


def _without_organisation(doc):
    doc["sizes"] = [s for s in doc["sizes"] if s["key"] != "organisation"]


def _extra(*path_and_key):
    """A copy of the entry ``copied`` added beside it as ``key``."""
    *path, copied, key = path_and_key

    def change(doc):
        node = doc
        for k in path:
            node = node[k]
        node[key] = copy.deepcopy(node[copied])
    return change


def _line(argv: list[str], lang: str, capsys) -> str:
    assert main([*argv, "--lang", lang]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    head = f"cyberloss {argv[0]}: {'エラー' if lang == 'ja' else 'error'}: "
    assert len(lines) == 1 and lines[0].startswith(head), lines
    return lines[0][len(head):]


# (id, change, Japanese, English); {path} is the file, FILE/EN_FILE its place
CASES = [
    ("duplicate key", _set("attack_types", 3, "key", "ransomware"),
     FILE + "'attack_types': キー 'ransomware' が2回以上指定されている（key: ransomware, web_leak_card, "
     "web_leak_personal, ransomware, other）",
     EN_FILE + "'attack_types' has duplicate keys: ['ransomware', 'web_leak_card', 'web_leak_personal', "
     "'ransomware', 'other']"),
    ("empty list", _set("sizes", []),
     FILE + "'sizes' には 1 個以上の値のリストを指定する（入力: リスト []）",
     EN_FILE + "'sizes' must be a non-empty list"),
    ("web_leak kinds", _swap_web_leak_kinds,
     FILE + "attack_types には margin が 'web_leak' の攻撃種別として web_leak_card と web_leak_personal を"
     "この順に含むリストを指定する（入力: margin が 'web_leak' のもの ['web_leak_personal', 'web_leak_card']）",
     EN_FILE + "attack_types must hold web_leak_card and web_leak_personal (in this order) as the two kinds "
     "of the 'web_leak' margin, got ('web_leak_personal', 'web_leak_card')"),
    ("shared margin", _set("attack_types", 3, "margin", "ransomware"),
     FILE + "attack_types には margin が互いに異なる攻撃種別（同じ margin を分けてよいのは web_leak だけ）を"
     "指定する（入力: margin 'ransomware' が ['ransomware', 'emotet'] に共通）",
     EN_FILE + "attack-type margin 'ransomware' is shared by ['ransomware', 'emotet']; only web_leak may be split"),
    ("no organisation", _without_organisation,
     FILE + "sizes には 'organisation'（団体等）を含む規模の一覧を指定する（入力: key ['large', 'sme']）",
     EN_FILE + "sizes must include 'organisation' (団体等), got ('large', 'sme')"),
    ("recent window", _set("windows", "recent", "years", 8),
     FILE + "'windows.recent.years' には 'windows.cumulative.years'（7.5）より短い年数を指定する（入力: 8.0）",
     EN_FILE + "'windows.recent.years' (8.0) must be shorter than 'windows.cumulative.years' (7.5)"),
    ("recent total", _set("margins", "total_recent", "value", 2000),
     FILE + "'margins.total_recent.value' には 'margins.total_cumulative.value'（1,842）以下の件数を指定する"
     "（入力: 2000.0）",
     EN_FILE + "'margins.total_recent.value' (2000.0) exceeds 'margins.total_cumulative.value' (1842.0)"),
    ("quality", _set("margins", "size", "quality", "guess"),
     FILE + "'margins.size.quality' には published, derived, approximate, assumption のいずれかを指定する"
     "（入力: 'guess'）",
     EN_FILE + "'margins.size.quality' must be one of published, derived, approximate, assumption, got 'guess'"),
    ("unknown size", _set("margins", "size", "values", "huge", 1),
     FILE + "'margins.size.values': 規模 'huge' はない（使える規模: large, sme, organisation）",
     EN_FILE + "unknown size 'huge' in 'margins.size.values' (known: large, sme, organisation)"),
    ("recent web_leak", _set("margins", "attack_type_recent", "values", "web_leak", 1),
     FILE + "'margins.attack_type_recent.values': 攻撃種別 'web_leak' はない（使える攻撃種別: ransomware, "
     "emotet, other）",
     EN_FILE + "unknown attack type 'web_leak' in 'margins.attack_type_recent.values' (known: ransomware, "
     "emotet, other)"),
    ("recent not an object", _set("margins", "attack_type_recent", "values", 3),
     FILE + "'margins.attack_type_recent.values' には表（テーブル）を指定する（入力: 3）",
     EN_FILE + "'margins.attack_type_recent.values' must be an object, got 3"),
    ("sizes sum", _set("margins", "size", "values", "large", 500),
     FILE + "'margins.size.values' には合計が margins.total_cumulative（1,842）に等しい件数（誤差 1 以内）を"
     "指定する（入力: 合計 1,766）",
     EN_FILE + "'margins.size.values' add to 1766, not margins.total_cumulative = 1842"),
    ("industries sum", _set("margins", "industry", "values", "services", 100),
     FILE + "'margins.industry.values' には合計が margins.total_cumulative（1,842）に等しい件数（誤差 1 以内）を"
     "指定する（入力: 合計 1,768）",
     EN_FILE + "'margins.industry.values' add to 1768, not margins.total_cumulative = 1842"),
    ("recent sum", lambda doc: doc["margins"]["attack_type_recent"]["values"].update(ransomware=340, emotet=200),
     FILE + "'margins.attack_type_recent.values' には合計が margins.total_recent（522）以下の件数を指定する"
     "（入力: 合計 540）",
     EN_FILE + "'margins.attack_type_recent.values' add to more than margins.total_recent"),
    ("recent above cumulative", _set("margins", "attack_type_recent", "values", "ransomware", 346),
     FILE + "'margins.attack_type_recent.values.ransomware' には累計の件数 'margins.attack_type.values."
     "ransomware'（345）以下の件数を指定する（入力: 346）",
     EN_FILE + "'margins.attack_type_recent.values.ransomware' (346) exceeds the cumulative count "
     "'margins.attack_type.values.ransomware' (345)"),
    ("interaction margin", _set("interactions", "ransomware_share_manufacturing", "attack_margin", "phishing"),
     FILE + "'interactions.ransomware_share_manufacturing.attack_margin': 攻撃種別 'phishing' はない"
     "（使える攻撃種別: ransomware, web_leak, emotet, other）",
     EN_FILE + "unknown attack type 'phishing' in 'interactions.ransomware_share_manufacturing.attack_margin' "
     "(known: ransomware, web_leak, emotet, other)"),
    ("interaction dimension", _set("interactions", "ransomware_share_manufacturing", "dimension", "region"),
     FILE + "'interactions.ransomware_share_manufacturing.dimension' には industry, size のいずれかを指定する"
     "（入力: 'region'）",
     EN_FILE + "'interactions.ransomware_share_manufacturing.dimension' must be one of industry, size, got 'region'"),
    ("interaction category", _set("interactions", "ransomware_share_manufacturing", "category", "tiny"),
     FILE + "'interactions.ransomware_share_manufacturing.category': 業種 'tiny' はない（使える業種: "
     "manufacturing, wholesale_retail, information_communications, services, all_other_industries）",
     EN_FILE + "unknown industry 'tiny' in 'interactions.ransomware_share_manufacturing.category' (known: "
     "manufacturing, wholesale_retail, information_communications, services, all_other_industries)"),
    ("unit", _set("severity", "unit", "yen"),
     FILE + "'severity.unit' には 'man-yen'（金額の単位は万円）を指定する（入力: 'yen'）",
     EN_FILE + "'severity.unit' must be 'man-yen', got 'yen'"),
    ("severity attack type", _extra("severity", "ransomware", "phishing"),
     FILE + "'severity': 攻撃種別 'phishing' はない（使える攻撃種別: ransomware, web_leak_card, "
     "web_leak_personal, emotet, other）",
     EN_FILE + "unknown attack type 'phishing' in 'severity' (known: ransomware, web_leak_card, "
     "web_leak_personal, emotet, other)"),
    ("severity period", _extra("severity", "ransomware", "cumulative", "older"),
     FILE + "'severity.ransomware': 期間 'older' はない（使える期間: cumulative, recent）",
     EN_FILE + "unknown period 'older' in 'severity.ransomware' (known: cumulative, recent)"),
    ("survey mean and median", _set("severity", "ransomware", "cumulative", "median", 1e6),
     FILE + "'severity.ransomware.cumulative' には平均値（mean）が中央値（median）より大きい値（対数正規分布は"
     "平均値 > 中央値）を指定する（入力: 平均値 4,959万円、中央値 1,000,000万円）",
     EN_FILE + "'severity.ransomware.cumulative': a lognormal needs mean > median, got mean 4959 <= median 1e+06"),
    ("scope empty", _set("severity_scope", "includes", []),
     FILE + "'severity_scope.includes' には 1 個以上の値のリストを指定する（入力: リスト []）",
     EN_FILE + "'severity_scope.includes' must be a non-empty list, got []"),
    ("scope item empty", _set("severity_scope", "includes", 0, ""),
     FILE + "'severity_scope.includes[0]' には空でない文字列を指定する（入力: ''）",
     EN_FILE + "'severity_scope.includes[0]' must be a non-empty string, got ''"),
    ("assumption choice", _assumption("attack_type_reconciliation", value="guess"),
     FILE + "'assumptions.attack_type_reconciliation.value' には type_events, scale_to_total のいずれかを指定する"
     "（入力: 'guess'）",
     EN_FILE + "'assumptions.attack_type_reconciliation.value' must be one of type_events, scale_to_total, "
     "got 'guess'"),
    ("shares sum", lambda doc: doc["assumptions"]["industry_share.company"]["value"].update(services=0.9),
     FILE + "'assumptions.industry_share.company.value' には合計が 1（誤差 0.005 以内）の割合を指定する"
     "（入力: 合計 1.7072）",
     EN_FILE + "'assumptions.industry_share.company.value' shares must add to 1 (within 0.005), got 1.7072"),
    ("tail xi", _assumption("tail.xi", value=1.5),
     FILE + "'assumptions.tail.xi.value' には 0 以上 1 未満の数値（GPD の形状パラメータ。1 以上では平均が"
     "有限でない）を指定する（入力: 1.5）",
     EN_FILE + "'assumptions.tail.xi.value' (GPD shape) must be in [0, 1) for a finite mean, got 1.5"),
    ("reporting factor", _assumption("reporting_factor.sme", value=0.5),
     FILE + "'assumptions.reporting_factor.sme.value' には 1 以上の数値（公表事例 1 件あたりの全インシデントの"
     "件数）を指定する（入力: 0.5）",
     EN_FILE + "'assumptions.reporting_factor.sme.value' (all incidents per publicised incident) must be >= 1, "
     "got 0.5"),
    ("range of a choice", _assumption("attack_type_reconciliation", low="type_events", high="scale_to_total"),
     FILE + "'assumptions.attack_type_reconciliation' には low と high のない前提（値が数値でも数値の表でもない"
     "前提は範囲をとらない）を指定する（入力: 'type_events'）",
     EN_FILE + "'assumptions.attack_type_reconciliation' takes no range (low, high): its value is 'type_events'"),
    ("outside the range", _assumption("tail.xi", low=0.0, high=0.01),
     FILE + "'assumptions.tail.xi.value' には妥当な範囲の下限 'assumptions.tail.xi.low'（0）以上、上限 "
     "'assumptions.tail.xi.high'（0.01）以下の値を指定する（入力: 0.3）",
     EN_FILE + "'assumptions.tail.xi.value' (0.3) must lie within its plausible range 'assumptions.tail.xi.low' "
     "(0) .. 'assumptions.tail.xi.high' (0.01)"),
    ("assumed mean and median", _assumption("severity.emotet.median", value=1e6, low=1, high=1e7),
     "'assumptions.severity.emotet.mean.value' には 'assumptions.severity.emotet.median.value'（1,000,000万円）より"
     "大きい値（対数正規分布は平均値 > 中央値）を指定する（入力: 1,000万円）",
     "'assumptions.severity.emotet.mean.value' (1000) must exceed 'assumptions.severity.emotet.median.value' "
     "(1e+06): a lognormal has mean > median"),
    ("assumed median far below", _assumption("severity.emotet.median", value=1e-90, low=1e-90, high=1e7),
     "'assumptions.severity.emotet.median.value' には 'assumptions.severity.emotet.mean.value'（1,000万円）から"
     "離れすぎない値（対数正規分布の σ = sqrt(2 ln(平均値/中央値)) は損害額の推定が扱う 20 以下: "
     "平均値/中央値は e^200（7.23e+86）以下、中央値は 1.38e-84万円 以上）を指定する（入力: 1e-90万円、σ = 20.695）",
     "'assumptions.severity.emotet.median.value' (1e-90) is too far below 'assumptions.severity.emotet.mean.value' "
     "(1000): their lognormal's sigma sqrt(2 ln(mean/median)) = 20.695 exceeds the 20 the severity fit takes "
     "(mean/median at most e^200: the median at least 1.38e-84)"),
]


@pytest.mark.parametrize("change, japanese, english", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_calibration_file_content_refused_in_japanese(change, japanese, english, tmp_path, capsys):
    doc = copy.deepcopy(PACKAGED)
    change(doc)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    argv = ["jnsa", "--data", str(path), "--replications", "20"]
    assert _line(argv, "ja", capsys) == japanese.format(path=path)
    assert _line(argv, "en", capsys) == english.format(path=path)


@pytest.mark.parametrize("what, change, head, tail", [
    ("assumption", _set("assumptions", "tail.chi", {"value": 1, "quality": "assumption", "source": "s",
                                                    "reasoning": "r"}),
     "前提 'assumptions.tail.chi' はない（使える前提: attack_type_reconciliation, web_leak_card_share, ",
     ", contained.other.effort_mean）"),
    ("industry", lambda doc: doc["assumptions"]["industry_share.company"]["value"].update(mining=0.0),
     "'assumptions.industry_share.company.value': 業種 'mining' はない（使える業種: manufacturing, ",
     ", public_administration, other）"),
], ids=["assumption", "industry"])
def test_an_unknown_name_in_a_calibration_file_in_japanese(what, change, head, tail, tmp_path, capsys):
    doc = copy.deepcopy(PACKAGED)
    change(doc)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    line = _line(["jnsa", "--data", str(path), "--replications", "20"], "ja", capsys)
    assert line.startswith(FILE.format(path=path) + head) and line.endswith(tail), line
    assert _line(["jnsa", "--data", str(path)], "en", capsys).startswith(
        f"calibration file {path}: unknown {what} ")


def test_a_missing_key_shows_no_value(tmp_path, capsys):
    doc = copy.deepcopy(PACKAGED)
    del doc["windows"]["recent"]["years"]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _line(["jnsa", "--data", str(path)], "ja", capsys) == \
        f"キャリブレーションファイル {path}: キー 'windows.recent.years' を指定する（必須）"


@pytest.mark.parametrize("assumption, said", [
    ("tail.xi=2", "'overrides.tail.xi' には 0 以上 1 未満の数値（GPD の形状パラメータ。1 以上では平均が"
                  "有限でない）を指定する（入力: 2）"),
    ("severity.emotet.median=1e6", "'assumptions.severity.emotet.mean.value' には 'assumptions.severity.emotet."
                                   "median.value'（1,000,000万円）より大きい値（対数正規分布は平均値 > 中央値）を指定する"
                                   "（入力: 1,000万円）"),
], ids=["tail xi", "mean and median"])
def test_an_assumption_set_on_the_command_line_refused_in_japanese(assumption, said, capsys):
    assert _line(["jnsa", "--set", assumption, "--replications", "20"], "ja", capsys) == said


@pytest.fixture(scope="module")
def fitted_document():
    """A calibration written by ``cyberloss fit`` (five claims on 5,000 policy-years)."""
    import pandas as pd

    from cyberloss import calibration, experience
    from cyberloss.experience import synthetic

    exposure = pd.DataFrame({"industry": ["manufacturing"], "size": ["sme"], "period": ["2024"],
                             "policy_years": [5000.0]})
    claims = synthetic.claims_book(calibration.load(), exposure, seed=1, rate_factor=2.0)
    return experience.fit(claims, exposure).calibration.to_document()


def _first_twice(doc, part):
    doc[part].append(copy.deepcopy(doc[part][0]))
    return len(doc[part]) - 1


@pytest.mark.parametrize("change, japanese, english", [
    (lambda doc: doc["settings"].update(period="older"),
     "settings.period には cumulative, recent のいずれかを指定する（入力: 'older'）",
     "settings.period must be one of cumulative, recent; got 'older'"),
    (lambda doc: doc["frequency"][0].update(size="huge"),
     "frequency[0].size には large, sme, organisation のいずれかを指定する（入力: 'huge'）",
     "frequency[0].size must be one of large, sme, organisation, got 'huge'"),
    (lambda doc: doc["severity"][0].update(attack_type="phishing"),
     "severity[0].attack_type には ransomware, web_leak_card, web_leak_personal, emotet, other のいずれかを"
     "指定する（入力: 'phishing'）",
     "severity[0].attack_type must be one of ransomware, web_leak_card, web_leak_personal, emotet, other, "
     "got 'phishing'"),
    (lambda doc: _first_twice(doc, "frequency"),
     "frequency: 攻撃種別と規模の組 '{0[attack_type]} / {0[size]}' が2回以上指定されている（frequency[0] と "
     "frequency[{n}]）",
     "frequency lists a group twice: ('{0[attack_type]}', '{0[size]}')"),
    (lambda doc: _first_twice(doc, "severity"),
     "severity: 攻撃種別 '{0[attack_type]}' が2回以上指定されている（severity[0] と severity[{n}]）",
     "severity[{n}].attack_type '{0[attack_type]}' is listed twice"),
], ids=["period", "size", "attack type", "group twice", "severity twice"])
def test_a_fitted_calibration_refused_in_japanese(fitted_document, change, japanese, english, tmp_path, capsys):
    """A file written by cyberloss fit, given to --calibration: its refusals (config's checks and
    its own) were English after 「エラー:」."""
    doc = copy.deepcopy(fitted_document)
    n = change(doc)
    first = doc["frequency" if "frequency[" in japanese else "severity"][0]
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    argv = ["quote", PROFILE, "--calibration", str(path), "--years", "1000"]
    assert _line(argv, "ja", capsys) == \
        f"cyberloss fit のキャリブレーションファイル {path}: " + japanese.format(first, n=n)
    assert _line(argv, "en", capsys) == f"fitted calibration {path}: " + english.format(first, n=n)


def test_counts_the_frequency_model_cannot_be_fitted_to_in_japanese(capsys):
    """Industry shares that leave the design without rank (every company in 'other'): the fit's
    refusal, with the override named, was English after 「エラー:」."""
    shares = dict.fromkeys(PACKAGED["assumptions"]["industry_share.company"]["value"], 0)
    shares["other"] = 1
    argv = ["jnsa", "--set", f"industry_share.company={json.dumps(shares)}", "--replications", "20"]
    names = ("intercept, type:web_leak_card, type:web_leak_personal, type:emotet, type:other, "
             "industry:wholesale_retail, industry:information_communications, industry:services, "
             "industry:all_other_industries, size:sme, size:organisation, window:recent, recent:ransomware, "
             "recent:emotet, ransomware:manufacturing, web_leak:sme")
    assert _line(argv, "ja", capsys) == (
        f"キャリブレーションファイル {_data.DEFAULT_PATH}（前提の上書き industry_share.company = 表 "
        "{'manufacturing': 0.0, 'wholesale_retail': 0.0, 'information...）: 件数の表ではモデルが識別"
        f"できない: 計画行列の階数 11 が係数の数 16 より小さい（{names}）")
    assert _line(argv, "en", capsys) == (
        f"calibration file {_data.DEFAULT_PATH} with the override industry_share.company = a table "
        "{'manufacturing': 0.0, 'wholesale_retail': 0.0, 'information...: the margins do not identify "
        f"the model: design of rank 11 < 16 coefficients ({names})")


def test_the_margin_fits_refusals_in_japanese():
    import numpy as np

    from cyberloss.calibration._glm import fit_poisson_margins

    X = np.column_stack([np.ones(4), [1.0, 1.0, 0.0, 0.0]])
    for args, kwargs, said in [
        ((X, np.array([10.0, 3.0]), np.log([1.0, 1.0, 100.0, 100.0])), {"max_iter": 2},
         "件数へのポアソン回帰の当てはめが 2 回の反復で収束しない: 件数 'a' の目標 10、当てはめ値 10.3996"
         "（相対差 4.00e-02）。互いに矛盾する件数には有限の最尤解がない"),
        ((X, np.array([10.0, 0.0]), np.zeros(4)), {},
         "件数 'b' には 0 より大きい値を指定する（入力: 0。件数 0 には有限の最尤推定の係数がない）"),
        ((X, np.array([10.0, 1e-9]), np.array([30.0, 30.0, 0.0, 0.0])), {},
         "件数へのポアソン回帰の当てはめが発散した: 係数 'b' = -53。件数がモデルで再現できる範囲の境界にある"),
    ]:
        with pytest.raises(ValueError) as refused:
            fit_poisson_margins(*args, ("a", "b"), **kwargs)
        assert refused.value.japanese() == said


def test_an_overrides_file_that_is_not_an_object_in_japanese(tmp_path):
    path = tmp_path / "o.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        _data.read(None, path)
    assert str(refused.value) == f"overrides file {path}: must hold a JSON object of key -> value"
    assert refused.value.japanese() == \
        f"上書きファイル {path}: 前提のキーと値の JSON オブジェクト（{{ }}）を指定する（入力: リスト [1, 2]）"
