"""The package's plots: every one leaves the user's matplotlib settings as they were and draws
its text (tick labels drawn later included) in the package's fonts."""
from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib import font_manager

import cyberloss as cl
from cyberloss.calibration import jnsa
from cyberloss.report import diagnostics, plots
from cyberloss.web import worker

ROOT = Path(__file__).resolve().parents[2]
NAME = "株式会社テスト製作所"
TORNADO = pd.DataFrame({"label": ["前提1", "前提2"],
                        "low_effect": [-1e6, -2e6], "high_effect": [1e6, 3e6],
                        "low_se": [1e4, 1e4], "high_se": [1e4, 1e4]})
FIT_POINTS = pd.DataFrame({"loss": [1e6, 2e6, 5e6], "empirical": [0.2, 0.5, 0.8],
                           "fitted": [0.25, 0.5, 0.75], "fitted_quantile": [1.1e6, 2e6, 4e6],
                           "naive": [0.3, 0.5, 0.7]})
WEB_EP_ROWS = [{"return_period": t, "gross_aep": t * 1e5, "gross_aep_se": 1e4, "gross_oep": t * 8e4,
                "insured_aep": t * 5e4, "retained_aep": t * 5e4} for t in (2, 10, 100)]


@pytest.fixture(scope="module")
def quote():
    profile = cl.Profile("製造業", "中小企業", name=NAME, revenue="30億円")
    sim = cl.simulate_organisation(profile, 4_000, seed=5)
    terms = cl.CoverageTerms.from_toml(ROOT / "examples" / "sme_manufacturer.toml")
    return cl.quote_events(sim, None, terms, name=NAME)


@pytest.fixture(scope="module")
def survey():
    return jnsa.simulate_survey(replications=200, seed=1)


def _figures(quote, survey, **lang):
    """Every plot of the package, as (name, figure)."""
    return [("EP curve", quote.plot_ep(**lang).figure),
            ("decision", quote.decision.plot(**lang)),
            ("survey", survey.plot(**lang).figure),
            ("tornado", diagnostics.tornado(TORNADO, "expected_loss", 5e6, **lang).figure),
            ("QQ", diagnostics.fit_plots(FIT_POINTS, "ransomware", **lang)),
            ("web EP", worker._ep_figure(WEB_EP_ROWS, NAME, 4_000, **lang))]


def test_a_plot_leaves_the_users_matplotlib_settings_as_they_were(quote, survey):
    own = {"font.family": ["serif"], "font.sans-serif": ["Liberation Sans"], "font.serif": ["DejaVu Serif"]}
    with matplotlib.rc_context(own):
        before = dict(matplotlib.rcParams)
        japanese = font_manager.FontProperties(fname=str(plots.font_file())).get_name()
        for name, fig in _figures(quote, survey):
            assert dict(matplotlib.rcParams) == before, name
            fig.canvas.draw()         # tick labels are made here, with the user's settings in force
            for ax in fig.axes:
                texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
                for t in texts:
                    if t.get_text():
                        found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
                        assert font_manager.FontProperties(fname=found).get_name() == japanese, (name, t)
            plots.pyplot().close(fig)
        assert dict(matplotlib.rcParams) == before


def _words(fig) -> list[str]:
    """Every text of a figure (titles, labels, legends, tick labels), drawn first."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


ENGLISH = {"EP curve": ["EP curves: " + NAME, "return period (years, log scale)", "gross AEP", "insured OEP",
                        "retained AEP", "4,000 simulated years"],
           "decision": ["total cost of risk", "deductible per occurrence", "annual aggregate limit",
                        "efficient frontier", "recommended", "no insurance"],
           "survey": ["simulated median", "published mean", "ransomware (cumulative), 29 answers"],
           "tornado": ["Assumption sensitivity: expected_loss", "low bound", "high bound"],
           "QQ": ["QQ (truncated/censored scale)", "probability plot", "naive fit", "fitted quantile (log scale)", "100万円"],
           "web EP": ["EP curve: " + NAME, "gross AEP ± SE", "annual loss (万円)"]}
JAPANESE = {"EP curve": ["超過確率曲線：" + NAME, "再現期間（年、対数目盛）", "総額 AEP", "保険金 OEP",
                         "自己負担 AEP", "シミュレーション 4,000 年"],
            "decision": ["リスク総コスト", "1事故あたり免責金額", "年間総支払限度額", "効率的フロンティア", "推奨"],
            "survey": ["模擬アンケートの中央値", "公表値（平均値）", "ランサムウェア感染（累計）、回答 29 件"],
            "tornado": ["前提の感応度：期待損失（総額）", "下限", "上限"],
            "QQ": ["QQプロット（切断・打ち切りの尺度）", "確率プロット", "単純なあてはめ", "あてはめた分布の分位点（対数目盛）", "100万円"],
            "web EP": ["超過確率曲線：" + NAME, "総額 AEP ± 標準誤差", "年間損害額 (万円)"]}
LATIN_WORD = re.compile(r"\b(?!AEP\b|OEP\b|TVaR\b|QQ|SE\b|Turnbull\b|x\b|y\b)[A-Za-z]{2,}")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_plot_is_in_the_language_asked_for(quote, survey, lang):
    expected = ENGLISH if lang == "en" else JAPANESE
    for name, fig in _figures(quote, survey, lang=lang):
        words = _words(fig)
        for phrase in expected[name]:
            assert any(phrase in w for w in words), (name, phrase, words)
        if lang == "ja":   # no English word left (the name of the fitted type in the QQ title aside)
            english = [w for w in words if LATIN_WORD.search(w) and "ransomware" not in w and "mathdefault" not in w]
            assert not english, (name, english)
        plots.pyplot().close(fig)


def test_a_plot_without_a_language_follows_the_locale(quote, monkeypatch):
    for env, title in (("ja_JP.UTF-8", "超過確率曲線：" + NAME), ("C.UTF-8", "EP curves: " + NAME)):
        monkeypatch.setenv("LC_ALL", env)
        ax = quote.plot_ep()
        assert ax.get_title() == title
        plots.pyplot().close(ax.figure)


def test_the_web_bcp_plot_is_in_each_language():
    rows = [{"name": "現状", "difference_to_baseline": 0.0, "difference_to_baseline_se": 0.0},
            {"name": "バックアップ強化", "difference_to_baseline": -2e6, "difference_to_baseline_se": 1e5}]
    ja, en = (_words(worker._bcp_figure(rows, lang)) for lang in ("ja", "en"))
    assert "BCP：現状と各案の比較（共通乱数）" in ja and "年間期待損失の変化 ± 標準誤差 (万円)" in ja
    assert "BCP: 現状 vs. variants (common random numbers)" in en
    plots.pyplot().close("all")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_web_bcp_plot_fits_long_variant_names_and_its_title(lang):
    """Long Japanese variant names squeezed the bars and pushed the title past the figure's
    edge (the page showed "BCP: as is vs. variants (common random num")."""
    names = ["as is", "+ offline_backups (オフライン／イミュータブルバックアップ)",
             "+ mfa_remote_access (VPN・リモートアクセスの多要素認証)", "オフラインバックアップと復旧訓練の両方を実施",
             "all controls"]
    rows = [{"name": n, "difference_to_baseline": -1e5 * i, "difference_to_baseline_se": 1e4} for i, n in enumerate(names)]
    fig = worker._bcp_figure(rows, lang)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(1)
    from matplotlib.text import Text
    for t in fig.findobj(Text):
        if t.get_text() and t.get_visible():
            box = t.get_window_extent(renderer)
            assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), (t.get_text(), box, fig.bbox)
    assert fig.axes[0].get_position().width * fig.get_figwidth() >= 3.5
    svg = worker.svg(fig)
    assert svg.startswith("<svg")


def test_a_character_no_font_has_gives_one_clear_warning():
    """𠮷 (in company names) is in neither IPAex Gothic nor DejaVu Sans: matplotlib printed two
    raw "Glyph 134071 ... missing from font(s)" lines with its source paths a drawing."""
    with pytest.warns(plots.MissingGlyphWarning) as record:
        ax = plots.ep_plot({"総額 AEP": ([2, 5], [1e6, 2e6])}, "株式会社𠮷野家", lang="ja")
    assert len(record) == 1
    assert "𠮷 (U+20BB7)" in str(record[0].message) and "□" in str(record[0].message)
    assert record[0].filename == __file__           # the line that made the plot
    assert ax.get_title() == "株式会社□野家"
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # nothing more when it is drawn
        ax.figure.savefig(io.BytesIO(), format="png")
        ax.figure.savefig(io.BytesIO(), format="svg")
    plots.pyplot().close("all")


def test_the_cli_says_once_in_one_line_what_its_plots_cannot_draw(tmp_path, capsys):
    from cyberloss.cli import main
    profile = tmp_path / "p.toml"
    text = (ROOT / "examples" / "sme_manufacturer.toml").read_text(encoding="utf-8")
    profile.write_text(re.sub(r'(?m)^name = .*$', 'name = "株式会社𠮷野家"', text, count=1), encoding="utf-8")
    assert main(["quote", str(profile), "--years", "2000", "--lang", "ja", "--plot", str(tmp_path / "ep.png"),
                 "--html", str(tmp_path / "report.html")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "warning" in line.lower() or "glyph" in line.lower()] == [
        "cyberloss quote: warning: the plot's fonts (IPAexGothic, DejaVu Sans) cannot draw 𠮷 (U+20BB7): "
        "drawn as □"]


@pytest.mark.parametrize("amount, label", [(5e3, "5,000円"), (1e4, "1万円"), (3e6, "300万円"), (1e7, "1,000万円"),
                                           (1e8, "1億円"), (2.5e9, "25億円")])
def test_log_money_ticks_carry_their_unit(amount, label):
    assert plots.log_tick_label(amount) == label


def test_a_grids_tick_labels_read_alike():
    """The decision grid's axes mixed "0万円", "50.0万円" and "100万円"."""
    assert plots.tick_labels([0, 5e5, 1e6, 3e7, 1e8, 1.5e8, 1.02e9, 123456]) == [
        "0万円", "50万円", "100万円", "3,000万円", "1億円", "1.5億円", "10.2億円", "12.3万円"]


def test_the_decision_grids_colour_bar_names_what_it_shows(quote):
    """The colour bar said 損害額 (loss) over the total cost of risk."""
    fig = quote.decision.plot(lang="ja")
    bar = fig.axes[-1]
    assert bar.get_ylabel().startswith("リスク総コスト"), bar.get_ylabel()
    plots.pyplot().close(fig)
