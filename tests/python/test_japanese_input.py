"""Japanese in: amounts written 億/万 (with or without 円, full-width digits, thousands
separators), industries and sizes by their Japanese labels or English in any case, and CSVs
from Japanese Excel (CP932), through the one parser of config.types (issue 13, acceptance 2)."""
import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cyberloss as cl
from cyberloss import config
from cyberloss.cli import _args, main
from cyberloss.config import documents, labels
from cyberloss.insurance import pricing
from cyberloss.insurance.quote import quote_profile
from cyberloss.organisation import BcpPlan, OrganisationProfile, Scenario, data_from_document
from cyberloss.portfolio import Portfolio

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, jpy", [
    ("30億円", 3e9), ("30億", 3e9), ("１億円", 1e8), ("5000万", 5e7), ("5000万円", 5e7),
    ("800,000,000", 8e8), ("８００，０００，０００円", 8e8), ("1億5000万円", 1.5e8),
    ("１０万", 1e5), ("1.5億円", 1.5e8), ("¥3,000,000", 3e6), ("￥３００万", 3e6),
    (" 500万円 ", 5e6), ("3,000万円", 3e7), ("12", 12.0), ("無制限", math.inf), ("inf", math.inf),
])
def test_amounts_in_japanese_forms(text, jpy):
    assert config.parse_amount(text, "revenue") == jpy


@pytest.mark.parametrize("text, jpy", [
    ("2.3億円", 230_000_000), ("1.1億円", 110_000_000), ("1.13万円", 11_300), ("0.7万円", 7_000),
    ("1億2.5万円", 100_025_000), ("３．３億", 330_000_000),
])
def test_decimal_man_and_oku_amounts_are_whole_yen(text, jpy):
    # read in decimal and rounded once (2.3 * 1e8 in binary is 229,999,999.99999997)
    assert config.parse_amount(text, "deductible") == float(jpy)


@pytest.mark.parametrize("text, jpy", [
    ("5千万円", 5e7), ("5000千円", 5e6), ("1,500千円", 1.5e6), ("1兆円", 1e12), ("1億5千万円", 1.5e8),
    ("２千万", 2e7), ("1万5千円", 15_000), ("5千500円", 5_500), ("3千億円", 3e11),
    ("1兆2千億5000万円", 1_200_050_000_000), ("1.5千万円", 1.5e7),
])
def test_amounts_with_sen_and_cho_read_in_the_standard_grouping(text, jpy):
    # 千 multiplies its number within a 万-group (千円 is the accounting unit); 兆 > 億 > 万
    assert config.parse_amount(text, "limit") == float(jpy)


@pytest.mark.parametrize("text", ["億円", "万", "1,00", "12,3456", "abc", "--5万", "- 万", "5万億", "1e6円", "", "万5000",
                                  "千万円", "5千千円", "5億1兆", "1兆2兆", "5万万", "5千万5千万", "1億円5千"])
def test_malformed_amounts_are_refused_naming_the_field_and_value(text):
    with pytest.raises(ValueError, match=r"^revenue must be an amount") as err:
        config.parse_amount(text, "revenue")
    assert repr(text) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("text", ["-5万円", "－５万円", "\N{MINUS SIGN}5万円", "-50000"])
def test_a_negative_amount_is_refused_for_being_negative(text):
    # as the number -50000 is: the range is what is wrong, not the way it is written
    deductible = documents.TERMS.field("deductible")
    assert config.parse_amount(text, "deductible") < 0
    with pytest.raises(ValueError) as err:
        deductible.parse(text, "terms.deductible")
    assert str(err.value) == f"terms.deductible must be a finite number >= 0, got {text!r}"


@pytest.mark.parametrize("vocabulary, text, key", [
    ("industries", "製造業", "manufacturing"), ("industries", "Manufacturing", "manufacturing"),
    ("industries", "MANUFACTURING", "manufacturing"), ("industries", "manufacturing", "manufacturing"),
    ("industries", "卸売業，小売業", "wholesale_retail"), ("industries", "小売業", "wholesale_retail"),
    ("industries", "Wholesale Retail", "wholesale_retail"), ("industries", "情報通信業", "information_communications"),
    ("industries", "医療", "medical_welfare"), ("industries", "その他", "other"),
    ("sizes", "中小企業", "sme"), ("sizes", "SME", "sme"), ("sizes", "Sme", "sme"), ("sizes", "大企業", "large"),
    ("sizes", "団体等", "organisation"), ("sizes", "Organization", "organisation"),
    # the separators Japanese writers use (、・ for the census's ，) and the usual short forms
    ("industries", "医療、福祉", "medical_welfare"), ("industries", "医療・福祉", "medical_welfare"),
    ("industries", "医療福祉", "medical_welfare"), ("industries", "卸売業、小売業", "wholesale_retail"),
    ("industries", "卸売・小売業", "wholesale_retail"), ("industries", "卸売小売業", "wholesale_retail"),
    ("industries", "運輸・郵便業", "transport_postal"), ("industries", "金融・保険業", "finance_insurance"),
    ("industries", "宿泊・飲食サービス業", "accommodation_food"),
    ("industries", "不動産・物品賃貸業", "real_estate"), ("industries", "教育・学習支援業", "education"),
])
def test_industries_and_sizes_by_label_or_english(vocabulary, text, key):
    assert labels.canonical(vocabulary, text) == key


def test_every_label_of_the_calibration_is_accepted():
    data = json.loads((ROOT / "python/cyberloss/data/jnsa2025.json").read_text("utf-8"))
    for vocabulary in labels.VOCABULARIES:
        for entry in data[vocabulary]:
            assert labels.canonical(vocabulary, entry["label_ja"]) == entry["key"]
            assert labels.canonical(vocabulary, entry["key"].upper()) == entry["key"]


def test_unknown_industry_and_size_are_refused_in_one_line():
    with pytest.raises(ValueError, match=r"^industry must be one of .*got '鉄鋼業'$"):
        OrganisationProfile("鉄鋼業", "中小企業")
    with pytest.raises(ValueError, match=r"^size must be one of large, sme, organisation; got '零細'$"):
        OrganisationProfile("製造業", "零細")


def test_python_api_takes_japanese_labels_and_amounts():
    ja = OrganisationProfile("製造業", "中小企業", revenue="30億円", employees=120)
    en = OrganisationProfile("Manufacturing", "SME", revenue=3_000_000_000, employees=120)
    assert ja == en and ja.industry == "manufacturing" and ja.size == "sme"
    assert ja.sources == en.sources


PROFILE_EN = """
[organisation]
name = "example"
industry = "manufacturing"
size = "sme"
revenue = 3_000_000_000
employees = 120
personal_records = 20_000

[organisation.controls]
offline_backups = true

[terms]
deductible = 100000
aggregate_limit = 100000000

[terms.sections.response]
limit = 100000000
sublimits = { investigation = 30000000 }

[terms.sections.business_interruption]
limit = 50000000
indemnity_period_days = 90

[quote]
years = 20000
seed = 7

[quote.decision]
deductibles = [0, 100000, 1000000]
limits = [50000000, 100000000]
"""

# the same profile written as a Japanese user would: labels, 億/万, full-width digits, counts
# as texts (a spreadsheet's or a form's "１２０", "20,000")
PROFILE_JA = """
[organisation]
name = "example"
industry = "製造業"
size = "中小企業"
revenue = "30億円"
employees = "１２０"
personal_records = "20,000"

[organisation.controls]
offline_backups = true

[terms]
deductible = "10万"
aggregate_limit = "１億円"

[terms.sections.response]
limit = "１億"
sublimits = { investigation = "３，０００万円" }

[terms.sections.business_interruption]
limit = "5000万"
indemnity_period_days = 90

[quote]
years = "２０，０００"
seed = "７"

[quote.decision]
deductibles = [0, "１０万円", "100万"]
limits = ["5000万円", "1億"]
"""


def test_a_japanese_profile_quotes_as_its_english_equivalent(tmp_path):
    en, ja = tmp_path / "en.toml", tmp_path / "ja.toml"
    en.write_text(PROFILE_EN, encoding="utf-8")
    ja.write_text(PROFILE_JA, encoding="utf-8")
    q_en, q_ja = quote_profile(en), quote_profile(ja)
    assert q_ja.to_json() == q_en.to_json()
    assert q_en.result.sha256() == q_ja.result.sha256()


@pytest.mark.parametrize("node, path, text, value", [
    (documents.ORGANISATION, "employees", "１２０", 120),
    (documents.ORGANISATION, "employees", "1,200", 1200),
    (documents.ORGANISATION, "personal_records", "２０，０００", 20000),
    (documents.ORGANISATION, "gross_margin", "０．２５", 0.25),
    (documents.CONTROLS, "downtime_scale", "0.5", 0.5),
    (documents.SECTION, "waiting_period_days", "０.５", 0.5),
    (documents.SECTION, "indemnity_period_days", "無制限", math.inf),
    (documents.SECTION, "coinsurance", "0.9", 0.9),
    (documents.QUOTE, "years", "２００，０００", 200_000),
    (documents.QUOTE, "seed", "４２", 42),
    (documents.QUOTE, "levels", ["０.９９", "0.995"], [0.99, 0.995]),
    (documents.LOADS, "expense_ratio", "０.３", 0.3),
    (documents.DECISION, "tail_level", "0.99", 0.99),
    (documents.SIMULATION, "years", "1,000", 1000),
    (documents.SCENARIO, "records_exposed", "５，０００", 5000),
    (documents.SCENARIO, "downtime_days", "１４", 14.0),
    (documents.REINSURANCE.node("per_risk"), "reinstatements", "２", 2),
    (documents.REINSURANCE.node("per_risk"), "reinstatement_rate", "1.0", 1.0),
    # counts as Japanese write them: 万 and 億, and the unit's counter word (助数詞)
    (documents.ORGANISATION, "employees", "１２０人", 120),
    (documents.ORGANISATION, "employees", "350名", 350),
    (documents.ORGANISATION, "employees", "1万", 10000),
    (documents.ORGANISATION, "personal_records", "2万件", 20000),
    (documents.ORGANISATION, "personal_records", "1.5万", 15000),
    (documents.ORGANISATION, "personal_records", "1億2,000万件", 120_000_000),
    (documents.SCENARIO, "records_exposed", "５，０００件", 5000),
    (documents.SCENARIO, "downtime_days", "１４日", 14.0),
    (documents.SECTION, "indemnity_period_days", "90日間", 90.0),
    (documents.QUOTE, "years", "20万", 200_000),
    (documents.ORGANISATION, "personal_records", "5千件", 5000),
    (documents.ORGANISATION, "employees", "1万5千人", 15000),
    # days in hours
    (documents.SECTION, "waiting_period_days", "12時間", 0.5),
    (documents.SECTION, "waiting_period_days", "３６時間", 1.5),
    (documents.SECTION, "indemnity_period_days", "2,160時間", 90.0),
    (documents.SCENARIO, "downtime_days", "6 時間", 0.25),
    # shares and probabilities as percentages
    (documents.SECTION, "coinsurance", "80%", 0.8),
    (documents.SECTION, "coinsurance", "８０％", 0.8),
    (documents.ORGANISATION, "gross_margin", "12.5 %", 0.125),
    (documents.LOADS, "expense_ratio", "30%", 0.3),
    (documents.DECISION, "tail_level", "99%", 0.99),
    (documents.QUOTE, "levels", ["99%", "99.5%"], [0.99, 0.995]),
    (documents.REINSURANCE.node("quota_share"), "share", "３０％", 0.3),
    # rates: ratios above 1 allowed
    (documents.PRINCIPLE.options["expected_value"], "loading", "30%", 0.3),
    (documents.REINSURANCE.node("per_risk"), "reinstatement_rate", "150%", 1.5),
    (documents.CONTROLS, "downtime_scale", "５０％", 0.5),
])
def test_numbers_and_counts_given_as_texts_are_read_as_amounts_are(node, path, text, value):
    # full-width digits and thousands separators, as a Japanese spreadsheet or form gives them
    got = node.field(path).parse(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("node, path, text, words", [
    (documents.ORGANISATION, "employees", "１２０件", "employees must be a whole number >= 1"),   # not its counter
    (documents.ORGANISATION, "employees", "1,20", "employees must be a whole number >= 1"),
    (documents.ORGANISATION, "employees", "0", "employees must be a whole number >= 1"),
    (documents.ORGANISATION, "employees", "1.5人", "employees must be a whole number >= 1"),
    (documents.ORGANISATION, "employees", "-3人", "employees must be a whole number >= 1"),
    (documents.ORGANISATION, "personal_records", "2万人", "personal_records must be a whole number >= 0"),
    (documents.ORGANISATION, "personal_records", "万件", "personal_records must be a whole number >= 0"),
    (documents.ORGANISATION, "gross_margin", "0.25件", "gross_margin must be a finite number in [0, 1]"),
    (documents.ORGANISATION, "gross_margin", "1.5", "gross_margin must be a finite number in [0, 1]"),
    (documents.QUOTE, "years", "1,000.0", "years must be an integer >= 1000"),
    (documents.QUOTE, "seed", "-1", "seed must be an integer in [0, 4294967295]"),
    (documents.SECTION, "waiting_period_days", "無制限", "waiting_period_days must be a finite number >= 0"),
    (documents.SECTION, "coinsurance", "80", "coinsurance must be a finite number in (0, 1]"),   # no %: 80
    (documents.SECTION, "coinsurance", "120%", "coinsurance must be a finite number in (0, 1]"),
    (documents.SECTION, "coinsurance", "%", "coinsurance must be a finite number in (0, 1]"),
    (documents.SECTION, "coinsurance", "80%%", "coinsurance must be a finite number in (0, 1]"),
    (documents.DECISION, "tail_level", "100%", "tail_level must be a finite number in (0, 1)"),
    (documents.SECTION, "waiting_period_days", "50%", "waiting_period_days must be a finite number >= 0"),
    (documents.ORGANISATION, "employees", "50%", "employees must be a whole number >= 1"),
    (documents.ORGANISATION, "employees", "12時間", "employees must be a whole number >= 1"),
    (documents.QUOTE, "years", "24時間", "years must be an integer >= 1000"),
    (documents.SECTION, "waiting_period_days", "12時", "waiting_period_days must be a finite number >= 0"),
    (documents.PRINCIPLE.options["expected_value"], "loading", "-10%", "loading must be a finite number >= 0"),
])
def test_texts_that_spell_no_acceptable_number_are_refused_showing_the_text(node, path, text, words):
    with pytest.raises(ValueError) as err:
        node.field(path).parse(text)
    assert str(err.value).startswith(words) and str(err.value).endswith(f", got {text!r}")


def test_a_profile_file_with_counts_as_texts_runs_bcp_and_scenario_as_with_numbers(tmp_path):
    body = ('[organisation]\nindustry = "製造業"\nsize = "中小企業"\nemployees = {e}\n'
            '[simulation]\nyears = {y}\nseed = {s}\n'
            '[[variants]]\nname = "larger"\nemployees = {v}\n'
            '[scenario]\nattack_type = "ransomware"\ndowntime_days = {d}\nrecords_exposed = {r}\n')
    en, ja = tmp_path / "en.toml", tmp_path / "ja.toml"
    en.write_text(body.format(e=120, y=2000, s=3, v=1200, d=14, r=5000), encoding="utf-8")
    ja.write_text(body.format(e='"１２０"', y='"2,000"', s='"３"', v='"1,200"', d='"１４"', r='"５，０００"'),
                  encoding="utf-8")
    assert BcpPlan.from_toml(ja) == BcpPlan.from_toml(en)
    assert Scenario.from_toml(ja) == Scenario.from_toml(en)


def test_a_count_that_is_no_number_is_refused_in_one_line_naming_the_file_and_key(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text(PROFILE_JA.replace('employees = "１２０"', 'employees = "１２０件"'), encoding="utf-8")
    assert main(["quote", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "organisation.employees must be a whole number >= 1" in err
    assert err.rstrip().endswith("got '１２０件'")


BOOK = [("P1", "manufacturing", "sme", "2500000000", "1000000", "100000000", "100000000"),
        ("P2", "wholesale_retail", "large", "120000000000", "10000000", "1000000000", "1000000000"),
        ("P3", "medical_welfare", "organisation", "3000000000", "1000000", "300000000", "inf")]
BOOK_JA = [("P1", "製造業", "中小企業", "250,000万円", "100万", "1億円", "１億円"),
           ("P2", "卸売業，小売業", "大企業", "1200億円", "1,000万円", "10億", "１０億円"),
           ("P3", "医療，福祉", "団体等", "30億円", "１００万円", "3億円", "inf")]
HEADER = "policy_id,industry,size,revenue,deductible,occurrence_limit,aggregate_limit"


@pytest.mark.parametrize("text, x", [("1,200", 1200.0), ("１，２００", 1200.0), (" 25,000 ", 25000.0),
                                     ("12", 12.0), ("-3.5", -3.5), ("1,234,567.5", 1234567.5)])
def test_numbers_with_thousands_separators(text, x):
    assert config.parse_number_text(text, "employees") == x


@pytest.mark.parametrize("text", ["1,20", "1,2000", "1200円", "1万", "", "1e3", "nan"])
def test_malformed_numbers_are_refused_naming_the_field_and_value(text):
    with pytest.raises(ValueError, match=f"employees must be a number such as 1200 or '1,200', got '{text}'"):
        config.parse_number_text(text, "employees")


def _csv(rows) -> str:
    return HEADER + "\n" + "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows) + "\n"


def test_a_cp932_portfolio_with_man_yen_reads_as_its_ascii_equivalent(tmp_path):
    ascii_csv, sjis_csv = tmp_path / "book.csv", tmp_path / "book_ja.csv"
    ascii_csv.write_text(_csv(BOOK), encoding="ascii")
    sjis_csv.write_bytes(_csv(BOOK_JA).replace("\n", "\r\n").encode("cp932"))   # as Excel saves it
    a, b = Portfolio.read(ascii_csv), Portfolio.read(sjis_csv)
    pd.testing.assert_frame_equal(a.table, b.table)
    ra = cl.simulate_portfolio(cl.PortfolioModel(a), 2000, seed=3)
    rb = cl.simulate_portfolio(cl.PortfolioModel(b), 2000, seed=3)
    assert ra.sha256() == rb.sha256() and np.array_equal(ra.annual(), rb.annual())


@pytest.mark.parametrize("text, x", [("80%", 0.8), ("８０％", 0.8), ("0.8", 0.8)])
def test_a_share_cell_may_be_a_percentage(text, x):
    assert config.parse_cell(text, "share", "share") == x


@pytest.mark.parametrize("node, path, text, value", [
    (documents.SECTION, "covered", "いいえ", False), (documents.SECTION, "covered", " はい ", True),
    (documents.CONTROLS, "edr", "はい", True), (documents.TERMS, "cover_prevention", "いいえ", False),
])
def test_yes_and_no_in_japanese_as_the_help_and_the_form_write_them(node, path, text, value):
    assert node.field(path).parse(text) is value


@pytest.mark.parametrize("text", ["うん", "有", "yes", "はいいいえ"])
def test_other_words_for_yes_and_no_are_refused(text):
    with pytest.raises(ValueError) as err:
        documents.SECTION.field("covered").parse(text, "terms.sections.liability.covered")
    assert str(err.value) == f"terms.sections.liability.covered must be true or false, got {text!r}"


def test_a_section_switched_off_in_japanese_is_the_section_switched_off(tmp_path):
    body = '[terms]\ndeductible = "10万円"\n[terms.sections."費用損害"]\nlimit = "1億円"\n' \
           '[terms.sections."賠償責任"]\ncovered = {}\n'
    (tmp_path / "ja.toml").write_text(body.format('"いいえ"'), encoding="utf-8")
    (tmp_path / "en.toml").write_text(body.format("false"), encoding="utf-8")
    ja, en = (cl.CoverageTerms.from_toml(tmp_path / f"{n}.toml") for n in ("ja", "en"))
    assert ja == en and ja.covered_sections == ("response",)


def test_a_policy_with_its_coinsurance_in_percent_is_the_policy_with_the_share():
    given = {"sections": {"response": {"coinsurance": "80%"}, "liability": {"coinsurance": "８０％"}}}
    share = {"sections": {"response": {"coinsurance": 0.8}, "liability": {"coinsurance": 0.8}}}
    assert cl.CoverageTerms.from_dict(given) == cl.CoverageTerms.from_dict(share)


def test_a_percentage_is_a_cell_of_shares_probabilities_and_rates_only():
    with pytest.raises(ValueError, match="^frequency_factor must be a number"):
        config.parse_cell("80%", "number", "frequency_factor")
    assert config.parse_cell("150%", "rate", "reinstatement_rate") == 1.5


def test_quota_share_option_takes_a_percentage(tmp_path, capsys):
    from cyberloss.cli import _args
    assert _args.number(0.0, 1.0, "share")("30%") == 0.3
    with pytest.raises(Exception, match=r"must be a finite number >= 0 and <= 1 \(or a percentage such as 30%\), got '130%'"):
        _args.number(0.0, 1.0, "share")("130%")


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_utf8_portfolios_with_or_without_bom(tmp_path, encoding, bom):
    path = tmp_path / "book.csv"
    path.write_bytes(bom + _csv(BOOK_JA).encode(encoding))
    assert list(Portfolio.read(path).table["industry"]) == ["manufacturing", "wholesale_retail", "medical_welfare"]


def test_encoding_given_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "book.csv"
    path.write_bytes(_csv(BOOK_JA).encode("cp932"))
    run = ["portfolio", str(path), "--years", "200", "--json"]
    assert main([*run, "--encoding", "cp932"]) == 0
    assert json.loads(capsys.readouterr().out)["policies"] == 3
    assert main([*run, "--encoding", "utf-8"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cyberloss portfolio: error: portfolio file ")
    assert "not UTF-8 text (byte 0x" in err and err.count("\n") == 1
    assert main([*run, "--encoding", "klingon"]) == 2
    assert "encoding must be 'auto' or a text encoding" in capsys.readouterr().err


@pytest.mark.parametrize("codec, named, why", [
    ("utf-16", "utf-16", "is UTF-16 text (it starts with UTF-16's byte-order mark)"),
    ("utf-16-le", "utf-16-le", "looks like UTF-16 text (a NUL byte beside each of its Latin letters and digits)"),
    ("utf-16-be", "utf-16-be", "looks like UTF-16 text (a NUL byte beside each of its Latin letters and digits)"),
    ("utf-32", "utf-32", "is UTF-32 text (it starts with UTF-32's byte-order mark)"),
])
def test_a_utf16_portfolio_is_named_as_such_with_the_encoding_to_give(tmp_path, capsys, codec, named, why):
    """A UTF-16 CSV was refused as "holds a NUL character at position 3; not a text file",
    though --encoding utf-16 reads it: the refusal now says what it is and what to give."""
    path = tmp_path / "book.csv"
    path.write_bytes(_csv(BOOK_JA).encode(codec))
    run = ["portfolio", str(path), "--years", "200", "--json"]
    for given in ([], ["--encoding", "utf-8"]):
        assert main([*run, *given]) == 2
        assert capsys.readouterr().err == (f"cyberloss portfolio: error: portfolio file {path}: {why}; "
                                           f"give its encoding (--encoding {named})\n")
    assert main([*run, "--encoding", named]) == 0
    assert json.loads(capsys.readouterr().out)["policies"] == 3


def test_a_utf16_file_that_must_be_utf8_is_named_as_such(tmp_path, capsys):
    profile = tmp_path / "profile.toml"
    profile.write_bytes((ROOT / "examples" / "sme_manufacturer.toml").read_text("utf-8").encode("utf-16"))
    assert main(["quote", str(profile)]) == 2
    assert capsys.readouterr().err.endswith(f"{profile}: is UTF-16 text (it starts with UTF-16's "
                                            "byte-order mark); save the file as UTF-8\n")


def test_portfolio_rows_name_a_bad_japanese_amount(tmp_path):
    rows = [list(r) for r in BOOK_JA]
    rows[1][4] = "千万円"
    path = tmp_path / "book.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(ValueError, match=r"portfolio row 2 \(line 3, policy_id 'P2'\), column 'deductible': .*got '千万円'"):
        Portfolio.read(path)


@pytest.mark.parametrize("word", ["無制限", "unlimited", "Unlimited", "inf", "ｉｎｆ"])
def test_portfolio_limits_take_the_unlimited_words_of_the_toml_files(tmp_path, word):
    rows = [list(r) for r in BOOK_JA]
    rows[0][6] = word
    path = tmp_path / "book.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    assert Portfolio.read(path).table["aggregate_limit"].iloc[0] == math.inf


def test_schema_marks_industry_and_size_as_label_vocabularies():
    assert documents.ORGANISATION.field("industry").vocabulary == "industries"
    assert documents.PORTFOLIO_COLUMNS.field("size").vocabulary == "sizes"


# the book of BOOK_JA as a Japanese spreadsheet writes it: the columns' Japanese names as
# headers (config.column_names, as for the claims file), headcounts with thousands separators,
# 万 and counter words (人, 名), controls by their Japanese labels (the schema's and
# data/components.json's), "；" between them
HEADER_JA = "証券番号,業種,規模,売上高,免責金額,1事故支払限度額,年間総支払限度額,頻度の倍率,従業員数,対策"
EXTRA = [("1", "1200", "offline_backups;edr"), ("0.8", "25000", ""),
         ("1", "300", "mfa_remote_access;ir_retainer;restore_drills")]
EXTRA_JA = [("1", "1,200", "オフラインバックアップ；EDR（エンドポイント検知・対応）"), ("0.8", "２．５万人", ""),
            ("1", "300名", "VPN・リモートアクセスの多要素認証;インシデント対応リテイナー契約; 復旧訓練（リストア訓練）")]


def _book(header: str, rows) -> str:
    return header + "\n" + "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows) + "\n"


def test_a_portfolio_with_japanese_headers_reads_as_its_english_equivalent(tmp_path):
    en, ja = tmp_path / "book.csv", tmp_path / "book_ja.csv"
    en.write_text(_book(HEADER + ",frequency_factor,employees,controls",
                        [b + e for b, e in zip(BOOK, EXTRA)]), encoding="utf-8")
    ja.write_bytes(_book(HEADER_JA, [b + e for b, e in zip(BOOK_JA, EXTRA_JA)]).encode("cp932"))
    a, b = Portfolio.read(en), Portfolio.read(ja)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert list(b.table["employees"]) == [1200, 25000, 300]
    assert list(b.table["controls"]) == [e[2] for e in EXTRA]
    np.testing.assert_array_equal(a.rates, b.rates)
    # the same names in a DataFrame (or Parquet) table
    frame = pd.read_csv(ja, encoding="cp932", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(Portfolio(frame).table, a.table)


def test_portfolio_header_names_are_the_schemas_as_for_the_claims_file():
    names = config.column_names(documents.PORTFOLIO_COLUMNS)
    assert [names[h] for h in HEADER_JA.split(",")] == [
        "policy_id", "industry", "size", "revenue", "deductible", "occurrence_limit",
        "aggregate_limit", "frequency_factor", "employees", "controls"]
    assert config.column_names(documents.CLAIMS_COLUMNS)["事故番号"] == "claim_id"


@pytest.mark.parametrize("header, cell, message", [
    ("従業員数", "1,2000", r"column 'employees': must be a whole number >= 1 .*got '1,2000'"),
    ("対策", "EDR;バックアップ", r"column 'controls': must name controls among .* or their Japanese "
                              r"labels \(separated by ';'\), got 'EDR;バックアップ'"),
])
def test_japanese_cells_that_name_nothing_are_refused_in_one_line(tmp_path, capsys, header, cell, message):
    path = tmp_path / "book.csv"
    path.write_text(f"証券番号,業種,規模,{header}\nP1,製造業,中小企業,\"{cell}\"\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"portfolio row 1 \(line 2, policy_id 'P1'\), " + message):
        Portfolio.read(path)
    assert main(["portfolio", str(path), "--years", "10"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_column_given_by_its_key_and_its_japanese_name_is_refused(tmp_path):
    path = tmp_path / "book.csv"
    path.write_text("policy_id,証券番号,業種,規模\nP1,P1,製造業,中小企業\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"column\(s\) \['policy_id'\] more than once "
                                         r"\(headers \['policy_id', '証券番号'\]\)"):
        Portfolio.read(path)


@pytest.mark.parametrize("parse, text, value", [
    (_args.COUNT, "２００，０００", 200_000), (_args.COUNT, "1,000", 1000), (_args.SEED, "４２", 42),
    (_args.COUNT, str(2**63 - 1), 2**63 - 1), (_args.COUNT, " +5 ", 5),
    (_args.number(0.0, 1.0), "０．５", 0.5), (_args.number(0.0), "1,500.5", 1500.5),
])
def test_command_line_numbers_are_read_as_a_profiles_are(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize("parse, text", [
    (_args.COUNT, "1,20"), (_args.COUNT, "5.0"), (_args.COUNT, "1万"), (_args.COUNT, "一二〇"), (_args.COUNT, "0"),
    (_args.SEED, "4,294,967,296"), (_args.number(0.0, 1.0), "１．５"), (_args.number(0.0), "1e400"),
])
def test_command_line_numbers_that_spell_nothing_acceptable_are_refused_with_the_text(parse, text):
    with pytest.raises(argparse.ArgumentTypeError, match=f", got {text!r}$"):
        parse(text)


def test_years_and_seed_in_full_width_run_as_in_ascii(capsys):
    spec = str(ROOT / "examples/simulate_basic.toml")
    assert main(["simulate", spec, "--years", "2000", "--seed", "42", "--json"]) == 0
    ascii_run = capsys.readouterr().out
    assert main(["simulate", spec, "--years", "２，０００", "--seed", "４２", "--json"]) == 0
    assert capsys.readouterr().out == ascii_run


@pytest.mark.parametrize("text, value", [("０.３", 0.3), ("0.3", 0.3)])
def test_profile_overrides_take_numbers_as_texts(text, value):
    doc = {"overrides": {"controls.restore_drills.downtime.ransomware": text,
                         "profile_defaults.by_size.employees.values.sme": "1,200"}}
    data = data_from_document(doc)
    assert data.raw["controls"]["restore_drills"]["downtime"]["ransomware"] == value
    assert OrganisationProfile("製造業", "中小企業", data=data).employees == 1200
    with pytest.raises(ValueError, match=r"^overrides: controls.restore_drills.downtime.ransomware must be a "
                                         r"finite number, got '０.３倍'$"):
        data_from_document({"overrides": {"controls.restore_drills.downtime.ransomware": "０.３倍"}})


def test_calibration_overrides_take_numbers_as_texts():
    from cyberloss import calibration
    given = calibration.load(overrides={"reporting_factor.sme": "１２", "exposure.organisation": "250,000"})
    plain = calibration.load(overrides={"reporting_factor.sme": 12, "exposure.organisation": 250000})
    assert given.data.exposure == plain.data.exposure and given.data.exposure["organisation"] == 250000
    assert given.data.assumptions["reporting_factor.sme"].value == 12


@pytest.mark.parametrize("text, key", [
    ("ランサムウェア感染", "ransomware"), ("ランサムウェア", "ransomware"),
    ("エモテット感染", "emotet"), ("エモテット (Emotet) 感染", "emotet"), ("エモテット（Emotet）感染", "emotet"),
    ("Emotet", "emotet"), ("エモテット", "emotet"),
    ("ウェブサイトからの情報漏えい（クレジットカード情報を含む）", "web_leak_card"),
    ("クレジットカード情報を含む", "web_leak_card"), ("個人情報のみ", "web_leak_personal"),
    ("ウェブサイト改ざん", "other"), ("ウェブサイトの改ざん", "other"), ("DDoS攻撃", "other"),
    ("不正アクセス", "other"), ("その他", "other"), ("軽微なインシデント", "minor"), ("Ransomware", "ransomware"),
])
def test_attack_types_by_the_jnsa_reports_names(text, key):
    assert labels.canonical("attack_types", text) == key


def test_a_website_leak_that_does_not_say_whose_data_names_no_type():
    # the report's class (2) covers both: card data or personal data only
    assert labels.canonical("attack_types", "ウェブサイトからの情報漏えい") is None


@pytest.mark.parametrize("text", ["個人情報の漏えい", "個人情報漏えい", "ノーウェアランサム"])
def test_names_wider_or_other_than_a_type_name_none(text):
    # a personal-data leak need not be from a website (a lost laptop, a misdirected mail); the
    # NPA counts data theft without encryption (ノーウェアランサム) apart from ransomware, whose
    # losses here include a system outage it does not have
    assert labels.canonical("attack_types", text) is None


def test_a_scenario_takes_the_attack_type_as_a_japanese_user_writes_it(tmp_path):
    body = '[organisation]\nindustry = "製造業"\nsize = "中小企業"\n[scenario]\nattack_type = "{}"\n'
    en, ja = tmp_path / "en.toml", tmp_path / "ja.toml"
    en.write_text(body.format("emotet"), encoding="utf-8")
    ja.write_text(body.format("エモテット (Emotet) 感染"), encoding="utf-8")
    assert Scenario.from_toml(ja) == Scenario.from_toml(en)
    profile = OrganisationProfile("製造業", "中小企業")
    assert Scenario(profile, "ランサムウェア").attack_type == "ransomware"
    with pytest.raises(ValueError, match=r"^attack_type must be one of ransomware, .*got 'ウェブサイトからの情報漏えい'$"):
        Scenario(profile, "ウェブサイトからの情報漏えい")


def test_claims_take_the_attack_type_as_a_japanese_user_writes_it(tmp_path):
    from cyberloss import calibration, experience
    cal = calibration.load()
    head = "claim_id,date,attack_type,industry,size,ground_up\n"
    keys, ja = tmp_path / "keys.csv", tmp_path / "ja.csv"
    keys.write_text(head + "A1,2024-03-01,ransomware,manufacturing,sme,5000000\n"
                    "A2,2024-04-01,emotet,manufacturing,sme,800000\n"
                    "A3,2024-05-01,other,manufacturing,sme,300000\n", encoding="utf-8")
    ja.write_text(head + "A1,2024-03-01,ランサムウェア,製造業,中小企業,500万円\n"
                  "A2,2024-04-01,Emotet,製造業,中小企業,80万円\n"
                  "A3,2024-05-01,ウェブサイト改ざん,製造業,中小企業,30万円\n", encoding="utf-8")
    pd.testing.assert_frame_equal(experience.read_claims(ja, cal), experience.read_claims(keys, cal))


def test_the_fit_plot_takes_the_attack_type_as_a_japanese_user_writes_it():
    from cyberloss import calibration, experience
    from cyberloss.experience import synthetic
    cal = calibration.load()
    expo = pd.DataFrame({"industry": ["manufacturing"], "size": ["sme"], "period": ["2024"],
                         "policy_years": [50_000.0]})
    res = experience.fit(synthetic.claims_book(cal, expo, seed=1, rate_factor=2.0), expo)
    fitted = max(res.fits, key=lambda k: res.fits[k].n)
    label = cal.data.attack_labels[fitted]
    assert res.plot(label).axes[0].get_title() == res.plot(fitted).axes[0].get_title()


def test_sections_and_controls_by_their_japanese_names_read_as_their_keys(tmp_path):
    from cyberloss.insurance.terms import CoverageTerms, SectionTerms
    en = PROFILE_EN.replace("[organisation.controls]\noffline_backups = true",
                            "[organisation.controls]\noffline_backups = true\nedr = true")
    ja = (PROFILE_EN.replace("[organisation.controls]\noffline_backups = true",
                             '[organisation.controls]\n"オフラインバックアップ" = true\n"ＥＤＲ" = true')
          .replace("[terms.sections.response]", '[terms.sections."費用損害"]')
          .replace("[terms.sections.business_interruption]", '[terms.sections."利益損害"]'))
    assert ja != en
    (tmp_path / "en.toml").write_text(en, encoding="utf-8")
    (tmp_path / "ja.toml").write_text(ja, encoding="utf-8")
    q_en, q_ja = quote_profile(tmp_path / "en.toml"), quote_profile(tmp_path / "ja.toml")
    assert q_ja.to_json() == q_en.to_json()
    assert CoverageTerms({"賠償責任": SectionTerms(limit="1億円")}) == CoverageTerms({"liability": SectionTerms(limit=1e8)})


def test_a_section_given_by_its_key_and_its_japanese_name_is_refused():
    from cyberloss.insurance.terms import CoverageTerms
    with pytest.raises(ValueError, match=r"^terms.sections: section 'response' is given more than once "
                                         r"\(as 'response', '費用損害'\)$"):
        CoverageTerms.from_dict({"sections": {"response": {}, "費用損害": {}}})
    with pytest.raises(ValueError, match=r"^terms.sections: unknown section '費用'; known: response, "):
        CoverageTerms.from_dict({"sections": {"費用": {}}})


@pytest.mark.parametrize("node, key, text, value", [
    (documents.SIMULATION, "basis", "公表事例", "publicised"), (documents.SIMULATION, "basis", "全インシデント", "all"),
    (documents.SIMULATION, "period", "累計", "cumulative"), (documents.SIMULATION, "period", "直近2年", "recent"),
    (documents.SIMULATION, "period", "直近２年", "recent"), (documents.SCENARIO, "period", "累計", "cumulative"),
    (documents.SIMULATION, "basis", "publicised", "publicised"),
])
def test_basis_and_period_by_the_japanese_words_of_the_outputs(node, key, text, value):
    assert node.field(key).parse(text) == value


def test_the_japanese_names_of_basis_and_period_are_the_outputs_words():
    from cyberloss.report import language
    assert documents.BASES_JA == tuple(language.BASES_JA[b] for b in documents.BASES)
    assert documents.PERIODS_JA == tuple(language.PERIODS_JA[p] for p in documents.PERIODS)
    # a principle as the quote and the web page name it (TVaR資本コスト原理), or its bracketed alias
    assert tuple(n.split("（")[0] for n in documents.PRINCIPLE_NAMES_JA) == \
        tuple(language.PRINCIPLES_JA[p] for p in documents.PRINCIPLE_NAMES)


@pytest.mark.parametrize("spec, principle", [
    ("期待値原理", pricing.ExpectedValue()), ("標準偏差原理", pricing.StandardDeviation()),
    ("資本コスト原理", pricing.TVaRCostOfCapital()), ("ワング変換", pricing.WangTransform()),
    ({"name": "ワン変換", "lam": 0.3}, pricing.WangTransform(lam=0.3)),
    ({"name": "期待値原理", "loading": "０.２"}, pricing.ExpectedValue(loading=0.2)),
])
def test_premium_principles_by_their_japanese_names(spec, principle):
    assert pricing.principle_from(spec) == principle


def test_a_principle_that_names_none_is_refused_with_the_names():
    with pytest.raises(ValueError, match=r"^principle.name must be one of expected_value, standard_deviation, "
                                         r"tvar_cost_of_capital, wang, got '分散原理'$"):
        pricing.principle_from("分散原理")


def test_views_and_sections_of_a_result_by_the_japanese_words_of_its_tables():
    gross, net, response = np.array([0.0, 5.0, 2.0, 9.0]), np.array([0.0, 3.0, 2.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.0])
    table = cl.YearLossTable(4, {"gross": gross, "net": net, "response": response}, views=("gross", "net"))
    assert table.mean("保有").value == table.mean("net").value == 2.25
    np.testing.assert_array_equal(table.annual("費用損害"), response)
    assert table.var(0.5, "総額") == table.var(0.5, "gross")
    with pytest.raises(ValueError, match=r"^view must be one of gross, net, response, got '純額'$"):
        table.annual("純額")


def test_claims_take_the_status_as_a_japanese_claims_file_writes_it(tmp_path):
    from cyberloss import calibration, experience
    cal = calibration.load()
    head = "事故番号,事故日,攻撃の種類,業種,規模,損害額,状態\n"
    keys, ja = tmp_path / "keys.csv", tmp_path / "ja.csv"
    keys.write_text(head + "A1,2024-03-01,ransomware,manufacturing,sme,5000000,closed\n"
                    "A2,2024-04-01,emotet,manufacturing,sme,800000,open\n", encoding="utf-8")
    ja.write_text(head + "A1,2024-03-01,ランサムウェア,製造業,中小企業,500万円,既決\n"
                  "A2,2024-04-01,エモテット,製造業,中小企業,80万円,未決\n", encoding="utf-8")
    read = experience.read_claims(ja, cal)
    pd.testing.assert_frame_equal(read, experience.read_claims(keys, cal))
    assert list(read["status"]) == ["closed", "open"] and list(read["censored"]) == [False, True]


def test_claims_headers_are_read_in_any_width_as_the_portfolios_are(tmp_path):
    """A full-width header (ｃｌａｉｍ＿ｉｄ, 損害額 typed in a full-width IME mode) was refused
    as an unknown column in a claims file while the portfolio read it."""
    from cyberloss import calibration, experience
    cal = calibration.load()
    rows = "A1,2024-03-01,ransomware,manufacturing,sme,5000000\n"
    narrow, wide = tmp_path / "narrow.csv", tmp_path / "wide.csv"
    narrow.write_text("claim_id,date,attack_type,industry,size,ground_up\n" + rows, encoding="utf-8")
    wide.write_text("ｃｌａｉｍ＿ｉｄ,ｄａｔｅ,攻撃の種類,業種,規模,ｇｒｏｕｎｄ＿ｕｐ\n" + rows, encoding="utf-8")
    pd.testing.assert_frame_equal(experience.read_claims(wide, cal), experience.read_claims(narrow, cal))
