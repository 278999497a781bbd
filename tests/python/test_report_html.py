"""The quote report people keep (issue 13, acceptance 3, HTML part): rendered from the packaged
template, one unit per money column, the profile with its defaulted fields, the terms in words,
and, in headless Chromium, every character drawn by a font that has it (no boxes), with a
screenshot saved under build/test-output/.

Marked ``browser``: they start Chromium and exercise no C++ beyond a quote, so the sanitizer
run leaves them out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import cyberloss as cl
from browser import CHROMIUM, Browser
from cyberloss.report import html as report_html

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "build" / "test-output" / "report"
NAME = "株式会社サイバー製作所"


@pytest.fixture(scope="module")
def quote():
    profile = cl.Profile("製造業", "中小企業", name=NAME, revenue="30億円", employees=120)
    sim = cl.simulate_organisation(profile, 20_000, seed=5)
    terms = cl.CoverageTerms.from_toml(ROOT / "examples" / "sme_manufacturer.toml")
    return cl.quote_events(sim, None, terms, name=NAME)


@pytest.fixture(scope="module")
def pages(quote):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    out = {}
    for lang in ("ja", "en"):
        path = OUTPUT / f"quote_{lang}.html"
        path.write_text(quote.to_html(lang), encoding="utf-8")
        out[lang] = path
    return out


def _tables(page: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", page, flags=re.S)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_sections_units_and_defaults(pages, lang):
    page = pages[lang].read_text(encoding="utf-8")
    for section in ("profile", "terms", "quote", "premiums", "ep", "decision", "assumptions"):
        assert f'<section id="{section}">' in page
    assert "<style>" in page and "text-align: right" in page and 'font-family: "IPAexGothic"' in page
    assert cl.__version__ in page and "UTC" in page
    # one unit per column: a money column's unit sits in its heading, never in its cells
    for table in _tables(page):
        for cell in re.findall(r'<td class="num">(.*?)</td>', table):
            assert "万円" not in cell and "億円" not in cell, cell
    assert page.count('<span class="unit">(億円)</span>') + page.count('<span class="unit">(万円)</span>') >= 10
    # the defaulted fields are marked with their source
    assert page.count('class="defaulted"') >= 4 and "data/components.json" in page
    assert "True" not in page and "<class" not in page and "dataframe" not in page
    if lang == "ja":
        assert "免責金額は1事故につき10.0万円" in page and "組織プロファイル" in page and "既定値" in page
    else:
        assert "Deductible 10.0万円 per occurrence" in page and "Organisation profile" in page


def test_money_column_keeps_one_unit():
    unit, cells = cl.report.money.money_column([2e7, 3e8, float("inf"), None, 0.0])
    assert unit == "億円" and cells == ["0.20", "3.00", "unlimited", "", "0.00"]
    # a small amount beside a large one keeps its digits in 万円
    assert cl.report.money.money_column([5e6, 3e8]) == ("万円", ["500", "30,000"])
    assert cl.report.money.money_column([5e4, 2.5e5]) == ("万円", ["5.0", "25.0"])
    assert cl.report.money.money_column([5e6, 3e7]) == ("万円", ["500", "3,000"])


def test_text_is_escaped():
    page = report_html.render("<b>x</b>", [report_html.section("s", "h", [report_html.text("<script>")])])
    assert "<b>x</b>" not in page and "&lt;script&gt;" in page


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.mark.browser
@needs_chromium
def test_reports_render_in_chromium_without_boxes(pages, tmp_path):
    with Browser() as browser:
        for lang, path in pages.items():
            browser.open(path.as_uri())
            shot = browser.screenshot(OUTPUT / f"quote_{lang}.png")
            assert shot.stat().st_size > 50_000
            assert browser.evaluate("document.title").startswith(("サイバー保険", "Cyber insurance"))
            assert browser.undrawable() == [], lang
            # the page's first font draws the Japanese title: IPAex Gothic, not a fallback
            assert browser.fonts("h1") == ["IPAexGothic"]
        # the check can fail: a character no installed font has is found
        probe = tmp_path / "probe.html"
        probe.write_text("<!doctype html><meta charset='utf-8'><p>保険 \U000F0000 ok</p>", encoding="utf-8")
        browser.open(probe.as_uri())
        missing = browser.undrawable()
        assert len(missing) == 1 and missing[0][1] == ["\U000F0000"]


def test_quote_and_bcp_write_excel_workbooks(tmp_path, capsys):
    import openpyxl

    from cyberloss.cli import main

    book = tmp_path / "quote.xlsx"
    assert main(["quote", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", "5000",
                 "--xlsx", str(book), "--html", str(tmp_path / "r.html"), "--lang", "ja"]) == 0
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["見積り", "統計量", "保険料", "補償項目別の保険料", "超過確率曲線", "免責金額×支払限度額"]
    assert wb["見積り"]["A2"].value == "期待損失" and isinstance(wb["見積り"]["B2"].value, float)
    assert "サイバー保険 見積り" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # a value that is not finite (the no-insurance option's deductible) is an empty cell, as
    # JSON's null, never the text "inf"
    texts = {c.value.lower() for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert not texts & {"inf", "-inf", "nan"}
    grid = wb["免責金額×支払限度額"]
    assert grid[grid.max_row][2].value is None
    bcp = tmp_path / "bcp.xlsx"
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "2000", "--xlsx", str(bcp),
                 "--lang", "en"]) == 0
    assert openpyxl.load_workbook(bcp)["bcp"]["A2"].value == "as is"
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--xlsx", str(tmp_path / "b.csv")]) == 2
    assert "--xlsx" in capsys.readouterr().err


def test_excel_columns_are_as_wide_as_their_japanese_text():
    import io

    import openpyxl
    import pandas as pd

    from cyberloss.report import excel

    name = "多要素認証とオフラインバックアップを導入した場合"      # 24 characters, 48 columns
    sheet = openpyxl.load_workbook(io.BytesIO(excel.to_bytes(
        {"bcp": pd.DataFrame({"mean": [1.0, 2.0]}, index=pd.Index(["as is", name], name="variant"))})))["bcp"]
    assert sheet.column_dimensions["A"].width == 2 * len(name) + 2
    assert sheet.column_dimensions["B"].width == 10          # "mean", numbers: the narrowest


def test_an_unlimited_policy_is_said_without_a_limit_to_reach():
    # 「1事故につき無制限まで補償」 and "covered up to unlimited per occurrence" read oddly (issue B1);
    # the web's Cover page words each section with the same section_terms
    from cyberloss.insurance import report
    policy = cl.CoverageTerms.from_dict({"deductible": "10万円", "sections": {
        "response": {"limit": "無制限"}, "liability": {"limit": "1億円"}}})
    said = {lang: "\n".join(report.terms_in_words(policy, lang)) for lang in ("ja", "en")}
    assert "無制限まで" not in said["ja"] and "up to unlimited" not in said["en"]
    assert "年間総支払限度額なし（全補償項目合計で無制限）。" in said["ja"]
    assert "No annual aggregate limit (unlimited over all sections)." in said["en"]
    assert "費用損害：1事故あたりの支払限度額なし（無制限）で補償。" in said["ja"]
    assert "(費用損害): covered with no per-occurrence limit." in said["en"]
    assert "賠償責任：1事故につき1.00億円まで補償。" in said["ja"]
    assert "(賠償責任): covered up to 1.00億円 per occurrence." in said["en"]


def test_a_policy_without_a_deductible_says_so():
    # a zero deductible read 「免責金額は1事故につき0万円」 and "Deductible 0万円 per occurrence"
    from cyberloss.insurance import report
    said = {lang: report.terms_in_words(cl.CoverageTerms.from_dict({"deductible": 0, "sections": {"response": {}}}), lang)[0]
            for lang in ("ja", "en")}
    assert said == {"ja": "免責金額なし（1事故の損害を1円目から補償）。",
                    "en": "No deductible: every incident is covered from the first yen."}


def test_the_profile_s_controls_read_as_japanese_in_japanese():
    # 「オフラインバックアップ, リモートアクセスの多要素認証; 停止期間の倍率 1」 had English punctuation
    from cyberloss.insurance import report
    profile = cl.Profile("製造業", "中小企業", controls={"offline_backups": True, "mfa_remote_access": True})
    rows = {lang: {r["cells"][0]: r["cells"][1] for r in report.profile_section(profile, lang)["blocks"][0]["rows"]}
            for lang in ("ja", "en")}
    assert rows["ja"]["対策"] == "オフラインバックアップ、リモートアクセスの多要素認証；停止期間の倍率 1"
    assert rows["en"]["controls"] == "offline_backups, mfa_remote_access; downtime x 1"
