"""Errors in what the user gave, in Japanese under ``--lang ja`` or a Japanese locale, naming the
field by its dotted path and its Japanese label, what it must be and the value given; the
English (no ``--lang ja``, C locale) is the text it always was, byte for byte."""
from __future__ import annotations

import pytest

from cyberloss import _validate
from cyberloss.cli import _describe_in_japanese, main
from cyberloss.config import schema, types

T = '\n[terms]\ndeductible = "10万円"\n[terms.sections.response]\nlimit = "1億円"\n'
ORG = '[organisation]\nindustry = "manufacturing"\nsize = "sme"\n'
H = "policy_id,industry,size,revenue,deductible,occurrence_limit,aggregate_limit,frequency_factor\n"
ROW = "A1,manufacturing,sme,3億円,10万,1億,1億,1\n"
_FILES = [
    ("integer", "quote", "p.toml", ORG + 'employees = "1.5人"\n' + T),
    ("share", "quote", "p.toml", ORG + "gross_margin = 1.5\n" + T),
    ("amount_text", "quote", "p.toml", ORG + 'revenue = "lots"\n' + T),
    ("amount_range", "quote", "p.toml", ORG + "revenue = -5\n" + T),
    ("share_percent", "quote", "p.toml", ORG + T + 'coinsurance = "150%"\n'),
    ("rate", "quote", "p.toml", ORG + "[organisation.controls]\ndowntime_scale = -1\n" + T),
    ("seed", "quote", "p.toml", ORG + T + "[quote]\nseed = -1\n"),
    ("count", "quote", "p.toml", ORG + T + "[quote]\nyears = 0\n"),
    ("not_a_number", "quote", "p.toml", ORG + "employees = [1, 2]\n" + T),
    ("unknown_field", "quote", "p.toml", ORG + "employes = 3\n" + T),
    ("unknown_table", "quote", "p.toml", ORG + T + "[quotes]\nseed = 1\n"),
    ("unknown_control", "quote", "p.toml", ORG + "[organisation.controls]\nedx = true\n" + T),
    ("missing", "quote", "p.toml", '[organisation]\nsize = "sme"\n' + T),
    ("choice_size", "quote", "p.toml", '[organisation]\nindustry = "manufacturing"\nsize = "huge"\n' + T),
    ("choice_industry", "quote", "p.toml", '[organisation]\nindustry = "bakery"\nsize = "sme"\n' + T),
    ("choice_attack_type", "scenario", "p.toml", ORG + '[scenario]\nattack_type = "alien"\n'),
    ("aggregate_below_deductible", "quote", "p.toml",
     ORG + '[terms]\ndeductible = "2億円"\naggregate_limit = "１億円"\n[terms.sections.response]\nlimit = "1億円"\n'),
    ("loads_total", "quote", "p.toml", ORG + T + '[quote.loads]\nexpense_ratio = "70%"\nprofit_ratio = "40%"\n'),
    ("flag", "quote", "p.toml", ORG + '[organisation.controls]\nedr = "maybe"\n' + T),
    ("toml_syntax", "quote", "p.toml", "[organisation\n"),
    ("not_utf8", "quote", "p.toml", b'[organisation]\nname = "\x82\xa0"\n'),
    ("not_found", "quote", "missing.toml", None),
    ("folder", "quote", "dir.toml", "DIR"),
    ("csv_cell_amount", "portfolio", "b.csv", H + "A1,manufacturing,sme,3億円,x,1億,1億,1\n"),
    ("csv_cell_range", "portfolio", "b.csv", H + "A1,manufacturing,sme,3億円,10万,1億,1億,-1\n"),
    ("csv_cell_choice", "portfolio", "b.csv", H + "A1,bakery,sme,3億円,10万,1億,1億,1\n"),
    ("csv_duplicate", "portfolio", "b.csv", H + ROW + ROW),
    ("csv_cell_optional", "portfolio", "b.csv", "policy_id,industry,size,employees\nA1,manufacturing,sme,x\n"),
    ("csv_not_utf8_nor_cp932", "portfolio", "b.csv", "policy_id,industry,size\nA1,製造業,中小企業\n".encode("euc-jp")),
    ("csv_unknown_column", "portfolio", "b.csv", H.rstrip() + ",foo\n" + ROW.rstrip() + ",2\n"),
    ("csv_missing_column", "portfolio", "b.csv", "policy_id,size\nA1,sme\n"),
    ("csv_row_fields", "portfolio", "b.csv", H + "A1,manufacturing,sme,3億円,10万,1億\n"),
]

_FILE = {name: (command, file, content) for name, command, file, content in _FILES}

# (case, the English after "error: ", the Japanese after "エラー: "); {path} is the file
EXPECTED = [
    ('integer',
     "profile {path}: organisation.employees must be a whole number >= 1 and <= 1e+07, got '1.5人'",
     "プロファイル {path}: organisation.employees（従業員数）には整数（1 以上 1,000万 以下）を指定する（入力: '1.5人'）"),
    ('share',
     'profile {path}: organisation.gross_margin must be a finite number in [0, 1], got 1.5',
     "プロファイル {path}: organisation.gross_margin（売上総利益率）には割合（0 以上 1 以下）、または '80%' のような百分率を指定する（入力: 1.5）"),
    ('share_percent',
     "profile {path}: terms.sections.response.coinsurance must be a finite number in (0, 1], got '150%'",
     "プロファイル {path}: terms.sections.response.coinsurance（縮小てん補割合）には割合（0 超 1 以下）、または '80%' のような百分率を指定する（入力: '150%'）"),
    ('amount_text',
     "profile {path}: organisation.revenue must be an amount such as 5000000, '500万円' or '1.5億円', got 'lots'",
     "プロファイル {path}: organisation.revenue（売上高）には金額（5000000、'500万円'、'1.5億円' など）を指定する（入力: 'lots'）"),
    ('amount_range',
     'profile {path}: organisation.revenue must be a finite number > 0 and <= 1e+18, got -5',
     'プロファイル {path}: organisation.revenue（売上高）には有限の数値（0 超 100京 以下）を指定する（入力: -5）'),
    ('rate',
     'profile {path}: organisation.controls.downtime_scale must be a finite number >= 0, got -1',
     "プロファイル {path}: organisation.controls.downtime_scale（停止期間の倍率（BCP目標））には有限の数値（0 以上）、または '80%' のような百分率を指定する（入力: -1）"),
    ('seed',
     'profile {path}: quote.seed must be an integer in [0, 4294967295], got -1',
     'プロファイル {path}: quote.seed（乱数シード）には整数（0 以上 4294967295 以下）を指定する（入力: -1）'),
    ('count',
     'profile {path}: quote.years must be an integer >= 1000, got 0',
     'プロファイル {path}: quote.years（シミュレーション年数）には整数（1000 以上）を指定する（入力: 0）'),
    ('not_a_number',
     'profile {path}: organisation.employees must be a whole number >= 1 and <= 1e+07, got a list [1, 2]',
     'プロファイル {path}: organisation.employees（従業員数）には整数（1 以上 1,000万 以下）を指定する（入力: リスト [1, 2]）'),
    ('unknown_field',
     "profile {path}: organisation: unknown field 'employes'; known: name, industry, size, revenue, gross_margin, employees, personal_records, card_records, ec_share, labour_cost_month, it_dependency, controls",
     "プロファイル {path}: organisation（組織プロファイル）: 項目 'employes' はない（使える項目: name, industry, size, revenue, gross_margin, employees, personal_records, card_records, ec_share, labour_cost_month, it_dependency, controls）"),
    ('unknown_table',
     "profile {path}: unknown table 'quotes' (a profile takes [organisation], [terms], [quote], [simulation], [variants], [scenario], [overrides])",
     "プロファイル {path}: 表 'quotes' はない（使える表: [organisation], [terms], [quote], [simulation], [variants], [scenario], [overrides]）"),
    ('unknown_control',
     "profile {path}: organisation.controls: unknown control 'edx'; known: offline_backups, restore_drills, mfa_remote_access, edr, ir_retainer, downtime_scale",
     "プロファイル {path}: organisation.controls（対策）: 対策 'edx' はない（使える対策: offline_backups, restore_drills, mfa_remote_access, edr, ir_retainer, downtime_scale）"),
    ('missing',
     "profile {path}: organisation: field 'industry' is required",
     "プロファイル {path}: organisation（組織プロファイル）: 項目 'industry'（業種）を指定する（必須）"),
    ('choice_size',
     "profile {path}: organisation.size must be one of large, sme, organisation; got 'huge'",
     "プロファイル {path}: organisation.size（規模）には「大企業」「中小企業」「団体等」のいずれか（large などのキーでも可）を指定する（入力: 'huge'）"),
    ('choice_industry',
     "profile {path}: organisation.industry must be one of manufacturing, wholesale_retail, information_communications, services, construction, medical_welfare, education, finance_insurance, transport_postal, accommodation_food, real_estate, public_administration, other; got 'bakery'",
     "プロファイル {path}: organisation.industry（業種）には「製造業」「卸売業，小売業」「情報通信業」「サービス業」「建設業」「医療，福祉」「教育，学習支援業」「金融業，保険業」「運輸業，郵便業」「宿泊業，飲食サービス業」「不動産業，物品賃貸業」「公務」「その他（農林漁業・鉱業・電気ガス水道・複合サービス・その他の団体）」のいずれか（manufacturing などのキーでも可）を指定する（入力: 'bakery'）"),
    ('choice_attack_type',
     "scenario file {path}: scenario.attack_type must be one of ransomware, web_leak_card, web_leak_personal, emotet, other, minor; got 'alien'",
     "シナリオファイル {path}: scenario.attack_type（攻撃の種類）には「ランサムウェア感染」「ウェブサイトからの情報漏えい（クレジットカード情報を含む）」「ウェブサイトからの情報漏えい（個人情報のみ）」「エモテット感染」「その他（改ざん・DDoS・アカウント乗っ取り等）」「minor」のいずれか（ransomware などのキーでも可）を指定する（入力: 'alien'）"),
    ('aggregate_below_deductible',
     "profile {path}: terms.aggregate_limit must not be below terms.deductible ('2億円'), got '１億円'",
     "プロファイル {path}: terms.aggregate_limit（年間総支払限度額）には terms.deductible（免責金額、'2億円'）以上の金額を指定する（入力: '１億円'）"),
    ('loads_total',
     'profile {path}: expense_ratio + profit_ratio must be < 1, got 1.1',
     'プロファイル {path}: expense_ratio + profit_ratio には合計が 1（100%）未満になる事業費率と利潤率を指定する（入力: 1.1）'),
    ('flag',
     "profile {path}: organisation.controls.edr must be true or false, got 'maybe'",
     "プロファイル {path}: organisation.controls.edr（EDR）には true か false を指定する（入力: 'maybe'）"),
    ('toml_syntax',
     "profile {path}: not valid TOML (Expected ']' at the end of a table declaration (at line 1, column 14): [organisation)",
     "プロファイル {path}: TOML として正しくない（Expected ']' at the end of a table declaration (at line 1, column 14): [organisation）"),
    ('not_utf8',
     'profile {path}: not UTF-8 text (byte 0x82 at position 23); save the file as UTF-8',
     'プロファイル {path}: UTF-8 のテキストではない（位置 23 のバイト 0x82）。UTF-8 で保存する'),
    ('not_found',
     'profile not found: {path}',
     'プロファイル {path}: ファイルが見つからない'),
    ('folder',
     'profile {path}: is a folder, not a file',
     'プロファイル {path}: フォルダであり、ファイルではない'),
    ('csv_cell_amount',
     "portfolio file {path}: portfolio row 1 (line 2, policy_id 'A1'), column 'deductible': must be a finite number >= 0 and <= 1e+18 or an amount such as '5000万円', got 'x'",
     "ポートフォリオファイル {path}: ポートフォリオの 1 件目（ファイルの 2 行目、policy_id 'A1'）: 列 'deductible'（免責金額）には有限の数値（0 以上 100京 以下）、または '5000万円' のような金額を指定する（入力: 'x'）"),
    ('csv_cell_range',
     "portfolio file {path}: portfolio row 1 (line 2, policy_id 'A1'), column 'frequency_factor': must be a finite number > 0 and <= 1e+06, got '-1'",
     "ポートフォリオファイル {path}: ポートフォリオの 1 件目（ファイルの 2 行目、policy_id 'A1'）: 列 'frequency_factor'（頻度の倍率）には有限の数値（0 超 100万 以下）を指定する（入力: '-1'）"),
    ('csv_cell_choice',
     "portfolio file {path}: portfolio row 1 (line 2, policy_id 'A1'), column 'industry': must be one of manufacturing, wholesale_retail, information_communications, services, construction, medical_welfare, education, finance_insurance, transport_postal, accommodation_food, real_estate, public_administration, other, got 'bakery'",
     "ポートフォリオファイル {path}: ポートフォリオの 1 件目（ファイルの 2 行目、policy_id 'A1'）: 列 'industry'（業種）には「製造業」「卸売業，小売業」「情報通信業」「サービス業」「建設業」「医療，福祉」「教育，学習支援業」「金融業，保険業」「運輸業，郵便業」「宿泊業，飲食サービス業」「不動産業，物品賃貸業」「公務」「その他（農林漁業・鉱業・電気ガス水道・複合サービス・その他の団体）」のいずれか（manufacturing などのキーでも可）を指定する（入力: 'bakery'）"),
    ('csv_cell_optional',
     "portfolio file {path}: portfolio row 1 (line 2, policy_id 'A1'), column 'employees': must be a whole number >= 1 and <= 1e+07 (or empty), got 'x'",
     "ポートフォリオファイル {path}: ポートフォリオの 1 件目（ファイルの 2 行目、policy_id 'A1'）: 列 'employees'（従業員数）には整数（1 以上 1,000万 以下、空欄も可）を指定する（入力: 'x'）"),
    ('csv_not_utf8_nor_cp932',
     'portfolio file {path}: not UTF-8 nor CP932 text (byte 0xc0 at position 27); give its encoding (--encoding)',
     'ポートフォリオファイル {path}: UTF-8 でも CP932 でもない（位置 27 のバイト 0xc0）。文字コードを指定する（--encoding）'),
    ('csv_duplicate',
     "portfolio file {path}: portfolio row 2 (line 3, policy_id 'A1'), column 'policy_id': duplicates row 1 (line 2), got 'A1'",
     "ポートフォリオファイル {path}: ポートフォリオの 2 件目（ファイルの 3 行目、policy_id 'A1'）: 列 'policy_id'（証券番号）: 1 件目（ファイルの 2 行目）と重複している（入力: 'A1'）"),
    ('csv_unknown_column',
     "portfolio file {path}: portfolio has unknown column(s) ['foo']; known: ['policy_id', 'industry', 'size', 'revenue', 'deductible', 'occurrence_limit', 'aggregate_limit', 'frequency_factor', 'employees', 'controls'] or their Japanese names ['証券番号', '業種', '規模', '売上高', '免責金額', '1事故支払限度額', '年間総支払限度額', '頻度の倍率', '従業員数', '対策']",
     "ポートフォリオファイル {path}: ポートフォリオ: 不明な列 'foo'（使える列: policy_id, industry, size, revenue, deductible, occurrence_limit, aggregate_limit, frequency_factor, employees, controls、またはその日本語名）"),
    ('csv_missing_column',
     "portfolio file {path}: portfolio is missing column(s) ['industry']; required: ['policy_id', 'industry', 'size'], optional: ['revenue', 'deductible', 'occurrence_limit', 'aggregate_limit', 'frequency_factor', 'employees', 'controls']",
     "ポートフォリオファイル {path}: ポートフォリオ: 必須の列 'industry' がない（必須: policy_id, industry, size）"),
    ('csv_row_fields',
     "portfolio file {path}: portfolio row 1 (line 2) has 6 fields, the header has 8: 'A1,manufacturing,sme,3億円,10万,1億'",
     "ポートフォリオファイル {path}: ポートフォリオの 1 件目（ファイルの 2 行目）: 値が 6 個ある（見出しは 8 個）: 'A1,manufacturing,sme,3億円,10万,1億'"),
]


def _argv(tmp_path, name):
    command, file, content = _FILE[name]
    path = tmp_path / file
    if content == "DIR":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return [command, str(path)] + (["--years", "100"] if command == "portfolio" else []), str(path)


def _error(argv, capsys) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("name, english, japanese", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_input_errors_in_english_and_in_japanese(name, english, japanese, tmp_path, monkeypatch, capsys):
    argv, path = _argv(tmp_path, name)
    command = argv[0]
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _error(argv, capsys) == f"cyberloss {command}: error: " + english.replace("{path}", path)
    want = f"cyberloss {command}: エラー: " + japanese.replace("{path}", path)
    assert _error([*argv, "--lang", "ja"], capsys) == want
    assert _error(["--lang", "ja", *argv], capsys) == want
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert _error(argv, capsys) == want
    assert _error([*argv, "--lang", "en"], capsys) == f"cyberloss {command}: error: " + english.replace("{path}", path)


@pytest.mark.parametrize("option, english, japanese", [
    (["--per-risk-xl", "五千万:4.5億"],
     "--per-risk-xl '五千万:4.5億': retention must be an amount such as 5000000, '500万円' or '1.5億円', got '五千万'",
     "引数 --per-risk-xl '五千万:4.5億': retention（保有額）には金額（5000000、'500万円'、'1.5億円' など）を指定する（入力: '五千万'）"),
    (["--stop-loss", "15億:10億:3"],
     "--stop-loss takes 1 to 2 numbers separated by ':' (retention:limit), got '15億:10億:3'",
     "引数 --stop-loss: ':' で区切った 1〜2 個の数値（retention:limit）を指定する（入力: '15億:10億:3'）"),
    (["--per-event-xl", "5000万:4.5億:nan"],
     "--per-event-xl '5000万:4.5億:nan': reinstatements must be a number ('inf' for unlimited), got 'nan'",
     "引数 --per-event-xl '5000万:4.5億:nan': reinstatements（復元回数）には数値（無制限は 'inf'）を指定する（入力: 'nan'）"),
    (["--per-risk-xl", "5000万:-1"],
     "--per-risk-xl '5000万:-1': PerRiskXL limit must be a number > 0 (inf: unlimited), got -1.0",
     "引数 --per-risk-xl '5000万:-1': PerRiskXL limit（限度額）には数値（0 超、inf で無制限）を指定する（入力: -1.0）"),
], ids=["amount", "parts", "reinstatements", "contract"])
def test_reinsurance_options_are_refused_in_japanese(option, english, japanese, tmp_path, monkeypatch, capsys):
    argv, _ = _argv(tmp_path, "csv_duplicate")
    (tmp_path / "b.csv").write_text(H + ROW, encoding="utf-8")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _error([*argv, *option], capsys) == "cyberloss portfolio: error: " + english
    assert _error([*argv, *option, "--lang", "ja"], capsys) == "cyberloss portfolio: エラー: " + japanese


def test_an_error_without_japanese_stays_english():
    error = _validate.InputError("x must be a number, got 'a'", _validate.Need("number"), "x", "a")
    assert error.japanese() == "x には数値を指定する（入力: 'a'）"
    assert _describe_in_japanese(ValueError("a model's own words")) == "a model's own words"


def test_located_keeps_the_class_and_the_parts():
    field = schema.Field("employees", "integer", "employees", "従業員数", lo=1.0)
    with pytest.raises(_validate.InputError) as caught:
        with _validate.located("profile p.toml"):
            with _validate.located("organisation", ("employees",)):
                field.parse("x")
    error = caught.value
    assert str(error) == "profile p.toml: organisation.employees must be a whole number >= 1, got 'x'"
    assert error.where == "organisation.employees"
    assert error.label_ja == "従業員数"
    assert error.japanese() == "プロファイル p.toml: organisation.employees（従業員数）には整数（1 以上）を指定する（入力: 'x'）"


# A value every kind refuses (kind -> value); "any" refuses none.
_REFUSED = {"number": "abc", "rate": -1, "amount": "lots", "share": 1.5, "probability": 1.0, "integer": 1.5,
            "count": 0, "seed": -1, "bool": "maybe", "choice": "z", "text": "", "list": 3}


@pytest.mark.parametrize("kind", [k for k in types.KINDS if k != "any"])
def test_every_kind_refuses_in_japanese(kind):
    extra = {"choices": ("a", "b")} if kind == "choice" else (
        {"item": schema.Field("x", "number", "x")} if kind == "list" else {})
    field = schema.Field("x", kind, "a value", "ラベル", lo=0.0 if kind == "rate" else None, **extra)
    with pytest.raises(_validate.InputError) as caught:
        field.parse(_REFUSED[kind], "t.x")
    japanese = caught.value.japanese()
    assert japanese.startswith("t.x（ラベル）には"), japanese
    assert "を指定する（入力: " in japanese and "must" not in japanese


def test_every_field_of_the_documents_refuses_in_japanese():
    """A new kind or field cannot fall back to English: every numeric, boolean or choice field
    of the documents refuses a table (no kind takes one) as an InputError said in Japanese."""
    from cyberloss.config import documents
    for document in (documents.PROFILE, documents.REINSURANCE, documents.SPEC, documents.PORTFOLIO_COLUMNS):
        for name, field in schema.walk(document):
            if field.kind == "any":
                continue
            with pytest.raises(_validate.InputError) as caught:
                field.parse({"a": 1}, name)
            assert "を指定する" in caught.value.japanese(), (name, caught.value.japanese())


@pytest.mark.parametrize("bound, shown", [
    (1e7, "1,000万"), (1e6, "100万"), (1e8, "1億"), (1.5e8, "150,000,000"), (1e18, "100京"), (1e15, "1,000兆"),
    (12_345_678.0, "12,345,678"), (9999.0, "9,999"), (0.0, "0"), (-1e4, "-1万"), (2.5, "2.5"),
    (1e300, "1e+300"), (5, "5"), ("2**63", "2**63")])
def test_a_bound_is_written_as_japanese_counts_large_numbers(bound, shown):
    """The Japanese message's bounds: a whole float in the 万 / 億 / 兆 / 京 a reader counts in
    (the English's ``:g`` says 1e+07 and 1e+18), the rest as before."""
    assert _validate._bound(bound) == shown
