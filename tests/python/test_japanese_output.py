"""Japanese out: plots draw Japanese with a font that has the glyphs (the font matplotlib
actually used is checked), money axes in 万円 / 億円, CLI tables aligned by display width,
``--lang`` (issue 13, acceptance 3 plots part and 6); jnsa, validate and scenario in Japanese
with their English unchanged."""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

import cyberloss as cl
from cyberloss.cli import main
from cyberloss.report import language, plots, text

ROOT = Path(__file__).resolve().parents[2]
NAME = "株式会社サイバー製作所（テスト）"


def _glyphs_missing(text_artist) -> tuple[str, list[str]]:
    """The font file matplotlib resolves for a text artist, and the characters of its text
    that file has no glyph for (drawn as boxes)."""
    path = font_manager.findfont(text_artist.get_fontproperties(), fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    return path, [ch for ch in text_artist.get_text() if not ch.isspace() and ord(ch) not in charmap]


@pytest.fixture(scope="module")
def quote():
    profile = cl.Profile("製造業", "中小企業", name=NAME, revenue="30億円")
    sim = cl.simulate_organisation(profile, 20_000, seed=5)
    terms = cl.CoverageTerms.from_toml(ROOT / "examples" / "sme_manufacturer.toml")
    return cl.quote_events(sim, None, terms, name=NAME)


def test_a_plot_from_the_python_api_uses_a_font_with_the_japanese_glyphs(quote):
    matplotlib.rcdefaults()          # as in a fresh notebook: nothing set up beforehand
    ax = quote.plot_ep()
    ax.figure.canvas.draw()          # a missing glyph would warn here (warnings are errors)
    title = ax.title
    assert NAME in title.get_text()
    path, missing = _glyphs_missing(title)
    assert Path(path).name.lower().startswith("ipaex") and missing == [], (path, missing)
    # the packaged IPAex Gothic is registered (a system copy of the same font may be chosen)
    packaged = plots.font_file()
    assert any(Path(f.fname) == packaged for f in font_manager.fontManager.ttflist)
    assert FT2Font(path).family_name == FT2Font(str(packaged)).family_name
    _, missing_label = _glyphs_missing(ax.yaxis.label)
    assert missing_label == [] and ax.yaxis.label.get_text().endswith(("(万円)", "(億円)"))
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(len(t.replace(",", "").replace(".", "").lstrip("-")) <= 6 for t in ticks), ticks
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "gross AEP" in labels and "gross OEP" in labels
    # a font without Japanese (DejaVu Sans) would miss every kana and kanji of the name: the
    # check above can fail
    fallback = FT2Font(font_manager.findfont("DejaVu Sans")).get_charmap()
    assert [ch for ch in NAME if ord(ch) not in fallback]
    plots.pyplot().close(ax.figure)


def test_the_decision_plot_on_a_given_figure_uses_the_font(quote):
    matplotlib.rcdefaults()
    plt = plots.pyplot()
    fig = plt.figure()
    matplotlib.rcdefaults()          # the figure was made before any package set-up
    quote.decision.plot(fig)
    fig.canvas.draw()
    for ax in fig.axes:
        for t in (ax.xaxis.label, ax.yaxis.label):
            if t.get_text():
                assert _glyphs_missing(t)[1] == []
    plt.close(fig)


@pytest.mark.parametrize("s, w", [("abc", 3), ("万円", 4), ("1,234万円", 9), ("ＡＢ", 4), ("ｶﾀ", 2), ("", 0)])
def test_display_width(s, w):
    assert text.width(s) == w


@pytest.mark.parametrize("s, columns, shown", [
    ("復旧訓練（リストア訓練）", 12, "復旧訓練（…"), ("復旧訓練", 8, "復旧訓練"), ("abcdef", 4, "abc…"),
    ("万円ab", 5, "万円…"), ("abc", 0, "")])
def test_a_cut_cell_ends_with_an_ellipsis(s, columns, shown):
    """A name too wide for its column is cut and marked (bcp's variant names once ended
    mid-word: "+ restore_drills (復旧訓練（リストア訓練")."""
    assert text.fit(s, columns) == shown and text.width(text.pad(s, columns)) == columns


def _at(line: str, column: int) -> str:
    """The character drawn at display ``column`` of ``line`` (" " past its end)."""
    pos = 0
    for ch in line:
        pos += text.width(ch)
        if pos > column:
            return ch
    return " "


HEADINGS = ("variant", "expected loss", "± SE", "VaR 99%", "downtime d/yr", "ransomware d/yr",
            "vs baseline", "± SE")


def test_bcp_table_columns_line_up_by_display_width(capsys):
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "20000", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("variant"))
    header, rows = lines[head], lines[head + 2:head + 8]
    assert len(rows) == 6 and any(text.width(r) > len(r) for r in rows)     # Japanese in rows
    assert all("万円" in r for r in rows)
    ends, pos = [], 0
    for cell in HEADINGS:          # display column just past each header cell
        pos = header.index(cell, pos) + len(cell)
        ends.append(text.width(header[:pos]))
    for row in rows:
        for end in ends[1:]:       # right-aligned: every row's cell ends where the header's does
            assert _at(row, end - 1) != " " and _at(row, end) == " ", (row, end)
        assert text.width(row) == text.width(header)
    assert text.width(lines[head + 1]) == text.width(header)


def test_bcp_in_japanese(capsys):
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "20000", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "年間期待損失" in out and "ケース" in out


def test_bcp_text_has_no_english_left_under_lang_ja(capsys):
    # the basis line as the web page words it, the baseline, the lines under the table
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "2000", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    for words in ("Mid-size manufacturer (中堅製造業): シミュレーション 2,000 年、シード 2026、集計ベース: "
                  "全インシデント（公表されたものに限らない）、期間: 直近2年。各ケースは同じ乱数を共有\n", "\n現状 ",
                  "年間期待損失 = ", "の年間平均。VaR = ", "使用中の仮定（公表値ではない値）: 損害額: ",
                  "エモテット感染", "軽微なインシデント；停止日数: ", "対策の効果と未入力項目の既定値: "):
        assert words in out, words
    for english in ("basis all", "period recent", "(all)", "(recent)", "as is", "expected loss =",
                    "assumptions in use", "control factors", "emotet", "minor"):
        assert english not in out, english
    # a Japanese sentence has Japanese punctuation (the header had ", " and "; ")
    assert "; " not in out and not re.search(r"[^\x00-\x7f], ", out)


def test_quote_in_japanese(capsys):
    # the Japanese site's first command (docs/site/ja/index.md): headings, rows, columns, the
    # sections and the recommendation with its reason in Japanese, the same figures as English
    profile = str(ROOT / "examples" / "sme_manufacturer.toml")
    assert main(["quote", profile, "--years", "20000", "--lang", "ja"]) == 0
    ja = capsys.readouterr().out
    assert main(["quote", profile, "--years", "20000", "--lang", "en"]) == 0
    en = capsys.readouterr().out
    for words in ("見積り", "期待損失", "標準偏差", "総額", "保険金", "自己負担", "補償項目別の営業保険料",
                  "費用損害", "利益損害", "推奨: 免責金額", "リスクの総コストが最小"):
        assert words in ja, words
    assert "Recommended" in en and "推奨" not in en
    amount = re.compile(r"^[0-9.,]+(万円|億円)$")

    def cells(out: str) -> list[str]:          # the tables' amounts, before the recommendation
        tables = out.split("推奨" if "推奨" in out else "Recommended")[0]
        return [f for f in tables.split() if amount.match(f)]
    assert len(cells(ja)) > 40 and cells(ja) == cells(en)
    lines = ja.splitlines()
    head = next(i for i, line in enumerate(lines) if "総額" in line)
    assert len({text.width(line) for line in lines[head:head + 5]}) == 1      # aligned columns


@pytest.mark.parametrize("argv", [
    ["simulate", str(ROOT / "examples" / "simulate_basic.toml"), "--years", "5000", "--seed", "1"],
    ["portfolio", str(ROOT / "examples" / "portfolio_small.csv"), "--years", "2000"],
])
def test_simulate_and_portfolio_tables_in_japanese(capsys, argv):
    assert main([*argv, "--lang", "ja"]) == 0
    ja = capsys.readouterr().out
    assert main([*argv, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    for words in ("シミュレーション", "統計量", "期待損失", "標準偏差", "損害発生確率", "総額 標準誤差"):
        assert words in ja, words
    assert "simulated years" in en and "期待損失" not in en
    # the same figures
    figures = [c for c in ja.replace("、", " ").split() if c[0].isdigit()][-20:]
    assert figures == [c.rstrip(",") for c in en.split() if c[0].isdigit()][-20:]


def test_portfolio_names_attack_types_in_japanese(capsys):
    assert main(["portfolio", str(ROOT / "examples" / "portfolio_small.csv"), "--years", "500", "--lang", "ja"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith("攻撃種別ごとのシステミック分散: ランサムウェア感染 ") and "軽微なインシデント" in line
    assert not re.search(r"ransomware|emotet|minor|web_leak", line), line


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"), ({"LC_ALL": "ja_JP.eucJP"}, "ja"),
])
def test_language_follows_the_locale(env, expected):
    assert language.resolve(None, env) == expected
    assert language.resolve("en", {"LANG": "ja_JP.UTF-8"}) == "en"


def test_unknown_language_is_refused_in_one_line(capsys):
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cyberloss bcp: error: argument --lang: invalid choice: 'fr'") and err.count("\n") == 1


# ----- jnsa, validate and scenario ---------------------------------------------------------

def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def jnsa_out() -> dict[str, str]:
    return {lang: _run("jnsa", "--quiet", "--lang", lang)[1] for lang in ("ja", "en")}


@pytest.fixture(scope="module")
def validate_out() -> dict[str, str]:
    runs = {lang: _run("validate", "--quiet", "--lang", lang) for lang in ("ja", "en")}
    assert {code for code, _ in runs.values()} == {0}
    return {lang: out for lang, (_, out) in runs.items()}


TMNF = [str(ROOT / "examples" / f"tmnf{i}.toml") for i in (1, 2)]
# ASCII words a Japanese table may keep: names of sources and of the attack labels (DDoS)
NAMES = {"DDoS", "IPA", "JNSA", "TMNF"}
AMOUNT = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?(%|万円|億円)?$")


def _english_words(out: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", out)) - NAMES


def _figures(out: str) -> list[str]:
    return [c for c in out.split() if AMOUNT.match(c)]


def _blocks(out: str) -> list[list[str]]:
    """The text tables of ``out``: each a header, a rule of dashes and its rows."""
    lines = out.splitlines()
    blocks, i = [], 1
    while i < len(lines):
        if lines[i] and set(lines[i]) == {"-"}:
            end = next((j for j in range(i + 1, len(lines)) if not lines[j]), len(lines))
            blocks.append([lines[i - 1], *lines[i + 1:end]])
            i = end
        i += 1
    return blocks


def _assert_aligned(block: list[str], align: str) -> None:
    """Every row's cells start (left-aligned columns) or end (right-aligned) at the display
    column where the header's cell does; header cells have no spaces.  A character past the
    end of a line is a space (``_at``)."""
    header, rows = block[0], block[1:]
    cells = header.split()
    assert len(cells) == len(align), (cells, align)
    pos, edges = 0, []
    for cell in cells:
        start = header.index(cell, pos)
        pos = start + len(cell)
        edges.append((text.width(header[:start]), text.width(header[:pos])))
    assert rows
    for row in rows:
        for (start, end), a in zip(edges, align):
            if a == "<" and text.width(row) > start:         # (an empty last cell has no start)
                assert _at(row, start) != " " and (start == 0 or _at(row, start - 1) == " "), (row, start)
            elif a == ">":
                assert _at(row, end - 1) != " " and _at(row, end) == " ", (row, end)


def test_publicised_incidents_have_one_japanese_word_the_jnsa_reports():
    # 公表事例 is the report's word (seeds of the JNSA 2025 report); 公表ベース and 公表インシデント
    # were used beside it for the same thing
    assert language.PUBLICISED_JA == "公表事例" and language.BASES_JA["publicised"] == "公表事例"
    texts = [p for folder in ("python/cyberloss", "docs", "examples") for p in (ROOT / folder).rglob("*")
             if p.is_file() and p.suffix in (".py", ".html", ".md", ".toml", ".json", ".js", ".csv")]
    used = {str(p.relative_to(ROOT)) for p in texts for word in ("公表ベース", "公表インシデント")
            if word in p.read_text(encoding="utf-8", errors="replace")}
    assert texts and not used, used


def test_jnsa_in_japanese(jnsa_out):
    ja, en = jnsa_out["ja"], jnsa_out["en"]
    for words in ("規模別件数（累計 2017年1月～2024年6月", "業種別件数", "攻撃種別件数（直近2年", "公表事例）",
                  "公表値", "モデル値", "相対差", "数値の種類", "大企業", "中小企業", "団体等", "製造業",
                  "その他の業種", "ランサムウェア感染", "エモテット感染", "算出値", "概数",
                  "ランサムウェア感染に占める製造業の割合", "1件あたり被害額（費用損害＋賠償責任",
                  "平均値", "中央値", "累計", "直近2年", "回答数", "公表値の分位点"):
        assert words in ja, words
    assert _english_words(ja) == {"DDoS"} - NAMES, _english_words(ja)
    assert _figures(ja) == _figures(en) and len(_figures(en)) > 100
    blocks = _blocks(ja)
    assert len(blocks) == 6
    for block in blocks[:4]:
        _assert_aligned(block, "<>>>><")
    _assert_aligned(blocks[4], "<>>>><")
    _assert_aligned(blocks[5], "<<<>>>>>")


def test_jnsa_in_english_is_unchanged(jnsa_out):
    lines = jnsa_out["en"].splitlines()
    titles = ["Cases by size (cumulative 2017-01..2024-06, incidents) - publicised basis",
              "Cases by industry (cumulative, incidents) - publicised basis",
              "Cases by attack type (cumulative, attack-type events) - publicised basis",
              "Cases by attack type (recent 2022-07..2024-06) - publicised basis",
              "Approximate published shares",
              "Survey loss per incident (response costs + liability; 20,000 simulated surveys, seed 20250723)"]
    assert [lines[i] for i, line in enumerate(lines) if line == "" and i + 1 < len(lines)] == [""] * 6
    assert [lines[i + 1] for i, line in enumerate(lines) if line == ""] == titles
    margins = ["category", "published", "model", "difference", "relative_difference", "quality"]
    headers = [lines[i + 2].split() for i, line in enumerate(lines) if line == ""]
    assert headers == [margins] * 4 + [
        ["interaction", "published", "target", "model", "difference", "quality"],
        ["attack_type", "period", "statistic", "published", "model", "difference", "n_answers", "survey_quantile"]]
    assert "       ransomware cumulative      mean 4,959万円 4,959万円      0万円         29" in lines[-8]
    assert not re.search(r"[ぁ-んァ-ン]", jnsa_out["en"])


def test_validate_in_japanese(validate_out):
    ja, en = validate_out["ja"], validate_out["en"]
    first = ja.splitlines()[0]
    assert re.fullmatch(r"検証: 比較 \d+ 件、不合格 0 件（シード 20250214）", first), first
    for words in ("項目", "対象", "公表値", "モデル値", "乖離", "許容差", "合否", "合格", "規模別件数: 大企業",
                  "警察庁2025", "国内、公表事例、2017年1月～2024年6月", "（シミュレーション）"):
        assert words in ja, words
    assert _english_words(ja) == {"DDoS"} - NAMES, _english_words(ja)
    [block] = _blocks(ja)
    _assert_aligned(block, "<<>>>>>")
    assert [r.split()[-5:-1] for r in block[1:]] == [r.split()[-5:-1] for r in en.splitlines()[2:]]


def test_validate_in_english_is_unchanged(validate_out):
    lines = validate_out["en"].splitlines()
    assert re.fullmatch(r"Validation: (\d+) comparisons, 0 failing \(seed 20250214\)", lines[0])
    assert lines[1].split() == ["figure", "population", "published", "model", "distance", "tolerance", "passed"]
    # the distance is the fit's rounding (a few 1e-16), not part of the layout
    assert re.search(r"       margins\.size\.large                      Japan, publicised incidents, "
                     r"2017-01\.\.2024-06       576       576 [ \d.]{0,5}\de-1[56]     1e-06    yes$", lines[2])
    assert len(lines) == int(lines[0].split()[1]) + 2
    assert not re.search(r"[ぁ-んァ-ン]", validate_out["en"])


def test_every_validated_figure_and_population_has_a_japanese_name():
    from cyberloss import validation
    from cyberloss.calibration import load

    cal = load()
    rows = validation.report(cal).rows
    assert [r.figure for r in rows if validation.figure_ja(r.figure, cal) == r.figure] == []
    assert [r.population for r in rows if validation.population_ja(r.population) == r.population] == []


def test_a_failing_comparison_reads_fuhgoukaku(capsys):
    from cyberloss import validation
    from cyberloss.calibration import load
    from cyberloss.cli import validate

    cal = load()

    def wrong(ctx):
        return [validation._row("ipa2024.mean_recovery_days", "IPA2024", "mean days", "SMEs, incidents of victims, "
                                "all incidents", "all incidents", 5.8, 9.0, "relative difference", 0.25,
                                "test", "check")]

    validate.print_table(validation.report(cal, builders=(wrong,)), cal, "ja")
    out = capsys.readouterr().out
    assert out.startswith("検証: 比較 1 件、不合格 1 件") and out.splitlines()[-1].endswith("不合格")
    assert "IPA2024: 復旧日数の平均値" in out


@pytest.mark.parametrize("path", TMNF)
def test_scenario_in_japanese(path):
    code, ja = _run("scenario", path, "--lang", "ja")
    assert code == 0
    _, en = _run("scenario", path, "--lang", "en")
    lines = ja.splitlines()
    assert lines[0] == en.splitlines()[0]                # the scenario's name, as written
    assert lines[1].startswith("攻撃種別 ") and "影響を受けた業務の割合" in lines[2]
    for words in ("損害項目", "金額", "算出根拠", "利益損害", "内部工数", "合計", "平均人月"):
        assert words in ja, words
    assert _english_words("\n".join(lines[1:])) == set()
    [block] = _blocks(ja)
    _assert_aligned(block, "<><")
    assert [f for f in _figures(ja) if f.endswith("円")] == [f for f in _figures(en) if f.endswith("円")]


def test_scenario_in_english_is_unchanged():
    # the layout before --lang ja: name, amount (12 characters, right-aligned; it follows the
    # data) and source
    _, en = _run("scenario", TMNF[0], "--lang", "en")
    lines = en.splitlines()
    assert lines[:4] == ["TMNF-1: ransomware at a manufacturer, business stopped 2 weeks",
                         "attack type ransomware; downtime 14.0 days (given)",
                         "share of operations affected 100%; internal effort 19.7 person-months", ""]
    given = "given response costs split by the mean shares"
    rows = [*((c, given) for c in ("investigation", "recovery", "legal", "notification", "callcenter",
                                   "condolence", "liability", "prevention")),
            ("lost_profit", "revenue x gross margin / 365 x share affected x interruption days"),
            ("internal_effort", "mean person-months published (JNSA2025) x labour cost"), ("total", "")]
    assert len(lines) == 4 + len(rows)
    for line, (name, source) in zip(lines[4:], rows):
        assert line[:17] == f"{name:<16} " and line[29:] == f"  {source}", line
        assert re.fullmatch(r" *\d[\d,.]*万円", line[17:29]), line


def test_scenario_sources_in_japanese_for_every_source():
    from cyberloss.organisation.scenario import Scenario

    for path in TMNF:
        result = Scenario.from_toml(path).evaluate()
        assert result.sources_ja.keys() == result.sources.keys()
        assert all(re.search(r"[ぁ-んァ-ン一-龥]", v) for v in result.sources_ja.values()), result.sources_ja


@pytest.mark.parametrize("source, ja", [
    ("given", "入力値"),
    ("default for manufacturing (approximate, METI-EC2023)", "既定値（製造業、概数、METI-EC2023）"),
    ("default for sme (assumption, cyberloss)", "既定値（中小企業、仮定、cyberloss）"),
    ("default (assumption: Records held unknown: record-driven components follow the survey shares.)",
     "既定値（仮定、保有件数は不明として、件数で決まる費用は調査の構成比に従う）"),
    ("default (assumption: half of operations)", "既定値（仮定、half of operations）"),   # not in the data
])
def test_a_profile_default_keeps_its_quality_and_source_in_japanese(source, ja):
    """The Japanese scenario note once said only 既定値 where the English named the default's
    quality and source; the industry or size is named in Japanese, and so is a packaged
    default's reasoning."""
    from cyberloss.organisation.profile import source_ja

    assert source_ja(source) == ja


@pytest.mark.parametrize("argv, japanese", [
    (["scenario", TMNF[0]], "損害項目"), (["jnsa", "--replications", "200"], "規模別件数"),
])
def test_jnsa_and_scenario_follow_the_locale(monkeypatch, argv, japanese):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert japanese in _run(*argv, "--quiet")[1]
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert japanese not in _run(*argv, "--quiet")[1]


def test_every_lang_taking_quote_method_follows_the_locale_and_refuses_an_unknown_lang(quote, monkeypatch):
    # report/language.py: an omitted lang= follows the locale, for text() and summary() as for
    # to_html(); "jp" is refused by all of them, naming lang and the value
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert quote.text() == quote.text("ja") and "期待損失" in quote.text()
    assert list(quote.summary().columns) == list(quote.summary("ja").columns)
    assert quote.decision.reason_in() == quote.decision.reason_in("ja")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert quote.text() == quote.text("en") and "expected loss" in quote.text()
    for call in (quote.text, quote.summary, quote.to_html, quote.decision.reason_in):
        with pytest.raises(ValueError, match="lang must be one of ja, en, got 'jp'"):
            call("jp")


def test_demo_follows_lang(tmp_path, capsys):
    assert main(["demo", "--years", "5000", "--out", str(tmp_path), "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "cyberloss 見積り" in out and "期待損失" in out and "expected loss" not in out
    assert f"EP曲線の図: {tmp_path / 'ep_curve.png'}" in out and "written to" not in out


def test_quote_text_and_report_have_no_english_left_under_lang_ja(tmp_path, capsys):
    # the calibration, the sublimits' components, the profile's sources, the written-to lines
    page, book = tmp_path / "q.html", tmp_path / "q.xlsx"
    assert main(["quote", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", "2000", "--lang", "ja",
                 "--html", str(page), "--xlsx", str(book)]) == 0
    out = capsys.readouterr().out
    for words in ("キャリブレーション: JNSA 2025 調査によるキャリブレーション（jnsa2025.json）",
                  f"HTMLレポート: {page}", f"Excelブック: {book}", "補償項目別の営業保険料（期待値原理）"):
        assert words in out, words
    for english in ("survey calibration", "HTML report", "Excel workbook", "expected_value"):
        assert english not in out, english
    html = page.read_text(encoding="utf-8")
    for words in ("JNSA 2025 調査によるキャリブレーション", "縮小支払限度額：事故原因・被害範囲調査", "見舞金",
                  "既定値（製造業、概数、", "補償項目別（期待値原理（安全割増率 30%））",
                  "保険料算出原理：期待値原理（安全割増率 30%）、"):
        assert words in html, words
    for english in ("survey calibration", "investigation 3,000万円", "default for", "approximate",
                    "expected value", "loading"):
        assert english not in html, english


QUOTE_SHEETS = {"en": ["quote", "statistics", "premiums", "premium by section", "EP curve", "decision grid"],
                "ja": ["見積り", "統計量", "保険料", "補償項目別の保険料", "超過確率曲線", "免責金額×支払限度額"]}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_excel_workbooks_follow_lang_amounts_in_yen(tmp_path, capsys, lang):
    openpyxl = pytest.importorskip("openpyxl")
    book, bcp = tmp_path / "q.xlsx", tmp_path / "b.xlsx"
    assert main(["quote", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", "2000",
                 "--lang", lang, "--xlsx", str(book)]) == 0
    assert main(["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "2000",
                 "--lang", lang, "--xlsx", str(bcp)]) == 0
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == QUOTE_SHEETS[lang]
    quote, premiums, grid = wb.worksheets[0], wb.worksheets[2], wb.worksheets[5]
    b = openpyxl.load_workbook(bcp).worksheets[0]
    if lang == "ja":
        assert quote["A1"].value == "項目（金額は円）" and quote["A2"].value == "期待損失"
        assert [c.value for c in quote[1][1:]] == ["総額", "保険金", "自己負担"]
        assert (premiums["A2"].value, premiums["B2"].value) == ("期待値原理", "期待値原理（安全割増率 30%）")
        assert grid["C1"].value == "免責金額" and wb.worksheets[4]["B1"].value == "総額 AEP"
        assert b.title == "BCP比較" and b["A1"].value == "ケース（金額は円）" and b["A2"].value == "現状"
        assert [c.value for c in b[1][1:5]] == ["年間期待損失", "年間期待損失 標準誤差", "VaR 99%", "VaR 99% 標準誤差"]
    else:   # as before the Japanese workbook
        assert quote["A1"].value is None and quote["A2"].value == "expected loss"
        assert (premiums["A2"].value, premiums["B2"].value) == ("expected_value", "expected value (loading 30%)")
        assert grid["C1"].value == "deductible" and wb.worksheets[4]["B1"].value == "aep"
        assert b.title == "bcp" and b["A1"].value == "variant" and b["A2"].value == "as is"
        assert [c.value for c in b[1][1:5]] == ["expected_loss", "expected_loss_se", "var_99", "var_99_se"]
    # the same numbers whatever the language
    assert isinstance(quote["B2"].value, float) and isinstance(b["B2"].value, float)


def _heavy(xi: float) -> cl.SplicedLognormalGPD:
    return cl.SplicedLognormalGPD(cl.Lognormal(15, 1.3), 2e7, xi)


def test_every_reliability_warning_of_the_core_has_its_japanese():
    """The core words them in English (JSON keeps those); the text output's stderr gives each
    in Japanese under --lang ja, the attack types by their label_ja."""
    names = {"attack_type": {"ransomware": "ランサムウェア", "b": "ビー"}}
    models = [cl.Model([cl.AttackType("ransomware", cl.Poisson(0.5), cl.Lognormal(14.5, 10.0))]),
              cl.Model([cl.AttackType("ransomware", cl.Poisson(0.5), _heavy(1.2)),
                        cl.AttackType("b", cl.Poisson(0.5), _heavy(0.7))]),
              cl.Model([cl.AttackType("ransomware", cl.Poisson(0.5), _heavy(0.3)),
                        cl.AttackType("b", cl.Poisson(0.5), _heavy(0.4))])]
    warnings = [w for m in models for w in m.reliability_warnings(1000)]
    assert [w.split(":")[0].split(" ")[-1] for w in warnings] == ["years", "only)", "only)", "only)"]
    shown = [language.warning_words(w, "ja", names) for w in warnings]
    assert shown[0].startswith("シミュレーション 1000 年では厳密な平均に届かない: 年間期待損失の 100% は")
    assert "攻撃種別「ランサムウェア」では" in shown[0] and " 倍。" in shown[0]
    # 5.14e+27 JPY a year: beyond 1京円, in e-notation (money.yen_words)
    assert "（年 5.14e+27円）をおそらく" in shown[0]
    # amounts a loss can have in 万円 / 億円, not the core's "1.12e+08" and "4.85e+06"
    plausible = cl.Model([cl.AttackType("ransomware", cl.Poisson(0.01), cl.Lognormal(12.0, 4.0))])
    said = language.warning_words(plausible.reliability_warnings(100)[0], "ja", names)
    assert "「ランサムウェア」では 1.12億円を超える損害" in said and "（年 485万円）" in said
    assert shown[1].startswith("攻撃種別 「ランサムウェア」（0.833 次未満のモーメントのみ）: 1件あたり損害額の平均")
    assert shown[2].startswith("攻撃種別 「ビー」（1.43 次未満のモーメントのみ）: 損害額の分散が無限大")
    assert shown[3].startswith("攻撃種別 「ランサムウェア」（年間期待損失の ")
    assert "、「ビー」（年間期待損失の " in shown[3] and "損害額の4次モーメントが無限大" in shown[3]
    for line in shown:   # no English word left: numbers such as 1.75e+09 only
        assert not re.search(r"[A-Za-z]{2,}", line), line
    assert [language.warning_words(w, "en", names) for w in warnings] == warnings


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_no_exposure_cell_is_warned_of_in_the_language_asked(tmp_path, capsys, lang):
    profile = (ROOT / "examples" / "sme_manufacturer.toml").read_text(encoding="utf-8")
    profile = re.sub(r'(?m)^industry = .*$', 'industry = "製造業"', profile)
    profile = re.sub(r'(?m)^size = .*$', 'size = "団体等"', profile)
    path = tmp_path / "p.toml"
    path.write_text(profile, encoding="utf-8")
    assert main(["quote", str(path), "--years", "2000", "--lang", lang]) == 0
    err = capsys.readouterr().err
    if lang == "ja":
        assert "cyberloss quote: 警告: 業種「製造業」には規模「団体等」の組織がキャリブレーションにない" in err
        assert "この規模で推定された業種は 医療，福祉、" in err and "manufacturing" not in err
    else:
        assert ("cyberloss quote: warning: industry 'manufacturing' has no exposure of size 'organisation' in "
                "the calibration (industry_share.organisation is 0 there): its rates are the fitted model's "
                "extrapolation to a cell the survey cannot speak for; the industries fitted for this size are "
                "medical_welfare, education, public_administration, other") in err
    # JSON's warnings are read by programs: English whatever the language
    assert main(["quote", str(path), "--years", "2000", "--lang", lang, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["warnings"][0].startswith("industry 'manufacturing' has no exposure of size 'organisation'")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bcp_default_variants_and_assumptions_in_the_language_asked(capsys, lang):
    from cyberloss.organisation import bcp

    assert main(["bcp", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", "2000", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    names = [line.split("  ")[0] for line in lines[first:first + 6]]
    if lang == "ja":
        assert names == ["現状", "+ 復旧訓練（リストア訓練）の定期実施", "+ EDR（エンドポイント検知・対応）",
                         "+ インシデント対応リテイナー契約", "停止期間を半減（BCP目標）", "すべての対策"]
    else:
        assert [n[:16] for n in names[:4]] == ["as is", "+ restore_drills", "+ edr (EDR（エンドポイ",
                                               "+ ir_retainer (イ"]   # cut at 40 columns
        assert names[4:] == ["downtime halved (BCP target)", "all controls"]
    profile = cl.Profile("製造業", "中小企業")
    result = bcp.compare(profile, years=200, seed=1)
    assumed = result.sims[0].assumptions(lang)
    assert assumed and result.to_dict()["assumptions"] == result.sims[0].assumptions()   # JSON: English
    if lang == "ja":
        assert any(a.startswith("エモテット感染の損害額: 仮定（severity.emotet.") for a in assumed), assumed
        assert not any("assumption" in a for a in assumed)
        assert [v.name_in("ja") for v in result.variants][-2:] == ["停止期間を半減（BCP目標）", "すべての対策"]
    else:
        assert all(": assumption (" in a for a in assumed)
        assert [v.name for v in result.variants][-2:] == ["downtime halved (BCP target)", "all controls"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_year_loss_table_s_default_plot_title_follows_lang(lang):
    model = cl.Model([cl.AttackType("ransomware", cl.Poisson(0.5), cl.Lognormal(14, 1.5))])
    profile = cl.Profile("製造業", "中小企業", name=NAME)
    tables = (cl.simulate(model, years=2000, seed=1), cl.simulate_organisation(profile, 2000, seed=1))
    titles = [t.plot(lang=lang).get_title() for t in tables]
    assert titles == ({"ja": ["cyberloss シミュレーション", f"組織シミュレーション：{NAME}"],
                       "en": ["cyberloss simulation", f"OrganisationSimulation {NAME}"]}[lang])
    assert tables[0].plot(lang=lang, title="mine").get_title() == "mine"   # the caller's own, as given
    plots.pyplot().close("all")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_empty_portfolio_s_message_follows_lang(tmp_path, capsys, lang):
    header = (ROOT / "examples" / "portfolio_small.csv").read_text(encoding="utf-8").splitlines()[0]
    book = tmp_path / "empty.csv"
    book.write_text(header + "\n", encoding="utf-8")
    message = {"ja": "ポートフォリオに契約がない: シミュレーションするものがなく、結果は空",
               "en": "the portfolio has no policies: nothing to simulate, the result is empty"}[lang]
    assert main(["portfolio", str(book), "--years", "50", "--lang", lang]) == 0
    assert capsys.readouterr().out == f"{book}: {message}\n"
    assert main(["portfolio", str(book), "--years", "50", "--lang", lang, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"cyberloss portfolio: {message}\n"
    assert json.loads(captured.out)["message"] == "the portfolio has no policies: nothing to simulate, the result is empty"


def test_the_docs_sites_japanese_pages_are_marked_japanese():
    # mkdocs.yml's hook: the theme writes <html lang="en"> for every page
    import importlib.util
    import types
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = '<!doctype html>\n<html lang="en" class="no-js">\n<body>lang="en"</body>'

    def at(src_uri: str):
        return types.SimpleNamespace(file=types.SimpleNamespace(src_uri=src_uri))
    assert hooks.on_post_page(page, at("ja/index.md"), None) == page.replace(
        '<html lang="en"', '<html lang="ja"')
    assert hooks.on_post_page(page, at("ja/guide.md"), None).count('lang="ja"') == 1
    assert hooks.on_post_page(page, at("guide/pricing.md"), None) == page
    assert "docs/hooks.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
