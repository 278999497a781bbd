"""The quote assembled from an event table: JSON contract, text, EP plot and HTML report."""
import dataclasses
import json
import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cyberloss import stats
from cyberloss.insurance import pricing, quote, terms
from cyberloss.report import language, money, text

N = 20_000


def inputs():
    rng = np.random.default_rng(21)
    year = np.sort(rng.choice(N, size=600))
    ev = terms.event_table(year, downtime_days=rng.uniform(0, 30, year.size),
                           investigation=rng.lognormal(15, 1, year.size),
                           liability=rng.lognormal(14, 1.5, year.size),
                           lost_profit=rng.lognormal(16, 1, year.size),
                           prevention=rng.lognormal(14, 1, year.size), internal_effort=2e6)
    policy = terms.CoverageTerms(
        sections={"response": {"limit": "5000万円", "sublimits": {"condolence": "300万円"}},
                  "liability": {}, "business_interruption": {"waiting_period_days": 1,
                                                             "indemnity_period_days": 60}},
        deductible="50万円", aggregate_limit="1億円")
    settings = quote.QuoteSettings.from_dict(
        {"years": N, "seed": 3, "loads": {"expense_ratio": 0.25, "profit_ratio": 0.05},
         "decision": {"deductibles": [0, "100万円", "500万円"], "limits": ["5000万円", "1億円", "3億円"]}})
    return ev, N, policy, settings


@pytest.fixture(scope="module")
def q():
    return quote.quote_events(*inputs(), name="hand-made SME")


def test_quote_is_deterministic(q):
    assert quote.quote_events(*inputs(), name="hand-made SME").to_json() == q.to_json()


def test_json_contract(q):
    data = json.loads(json.dumps(q.to_json(), allow_nan=False))
    assert set(data["expected_loss"]) == {"gross", "insured", "retained"}
    el = data["expected_loss"]
    assert el["gross"] == pytest.approx(el["insured"] + el["retained"], rel=1e-12)
    assert set(data["premium"]) == {"expected_value", "standard_deviation",
                                    "tvar_cost_of_capital", "wang"}
    assert all(v > el["insured"] for v in data["premium"].values())
    assert set(data["var"]["0.99"]) == {"gross", "insured", "retained"}
    assert data["tvar"]["0.99"]["gross"] >= data["var"]["0.99"]["gross"]
    rows = data["ep_curve"]
    assert {"return_period", "aep", "oep"} <= set(rows[0])
    assert [r["return_period"] for r in rows] == sorted(r["return_period"] for r in rows)
    rec = data["recommended"]
    assert {"deductible", "limit", "reason"} <= set(rec)
    assert rec["limit"] in (0.0, 5e7, 1e8, 3e8) and rec["reason"]
    assert data["terms"]["sections"]["liability"]["limit"] is None  # unlimited


def test_json_carries_the_se_of_every_statistic(q):
    # the standard deviation's SE too: the text prints it beside the others
    data = q.to_json()
    st = q.statistics
    for key, label in (("expected_loss", "mean"), ("std", "std")):
        assert data[f"{key}_se"] == {v: st.loc[label, f"{v}_se"] for v in terms.VIEWS}
    assert all(0 < se < data["std"][v] for v, se in data["std_se"].items())


def test_json_ep_columns_are_each_views_ep_curve(q):
    # the insured and retained columns are AEP only: the same numbers as each view's full curve
    rows = q.to_json()["ep_curve"]
    periods = [r["return_period"] for r in rows]
    gross = q.result.ep_curve(periods, "gross")
    for key in ("aep", "aep_se", "oep", "oep_se"):
        assert [r[key] for r in rows] == gross[key].tolist()
    for view in ("insured", "retained"):
        assert [r[f"aep_{view}"] for r in rows] == q.result.ep_curve(periods, view)["aep"].tolist()


def test_text_plot_and_html(q, tmp_path):
    text = q.text()
    assert "万円" in text and "Recommended" in text
    ax = q.plot_ep()
    assert ax.get_xscale() == "log"
    png = tmp_path / "ep.png"
    ax.figure.savefig(png)
    assert png.stat().st_size > 10_000
    page = q.to_html()
    assert page.count("data:image/png;base64,") == 2 and "<table" in page


def test_a_recommended_zero_deductible_reads_as_none():
    """With only a zero deductible in the grid, the recommendation says there is none
    ("no deductible" / 「免責金額なし」), not "deductible 0万円"."""
    ev, n, policy, settings = inputs()
    only_zero = dataclasses.replace(settings, decision=dataclasses.replace(
        settings.decision, deductibles=(0.0,)))
    zq = quote.quote_events(ev, n, policy, only_zero, name="no deductible")
    rec = zq.decision.recommended
    assert rec["insured"] and rec["deductible"] == 0
    limit = money.format_yen(rec["limit"])
    assert f"Recommended: no deductible, annual aggregate limit {limit}" in zq.text("en")
    assert f"推奨: 免責金額なし、年間総支払限度額 {limit}" in zq.text("ja")
    assert zq.to_json()["recommended"]["deductible"] == 0.0   # the JSON keeps the amount


@pytest.mark.parametrize("data,field", [
    ({"years": 10}, "years"),
    ({"seed": -1}, "seed"),
    ({"levels": [1.5]}, "levels"),
    ({"principles": ["median"]}, "principle"),
    ({"loads": {"expense_ratio": 2}}, "expense_ratio"),
    ({"loads": {"expenses": 0.2}}, "expenses"),
    ({"decision": {"limit": [1]}}, "limit"),
    ({"colour": "red"}, "colour"),
])
def test_bad_quote_settings_are_refused(data, field):
    with pytest.raises(ValueError, match=field):
        quote.QuoteSettings.from_dict(data)


def test_profile_without_terms_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('industry = "manufacturing"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[terms\]"):
        quote.read_quote_toml(path)




# ----- the standard errors in the quote's text -------------------------------------------------
TITLES = ("Monte Carlo standard error (標準誤差) of each figure above:", "上表の各数値のモンテカルロ標準誤差:")
MEASURES = {"var": "VaR", "tvar": "TVaR"}


def se_block(out: str) -> tuple[list[str], list[str], list[str]]:
    """(the rows of the quote's table, the rows of the standard-error block under it, the lines
    after the block up to the blank line), from a quote's text."""
    lines = out.splitlines()
    head = lines.index("") + 1                       # the table's header: the view names
    title = next(i for i, line in enumerate(lines) if line in TITLES)
    assert lines[title + 1] == lines[head]           # the block's header is the table's
    table = lines[head + 1:title - 1]
    rows = lines[title + 2:title + 2 + len(table)]
    after = lines[title + 2 + len(table):lines.index("", title)]
    return table, rows, [line for line in after if not heavy_line(line)]


def heavy_line(line: str) -> bool:
    """Whether a line under the SE block is the one saying which views' SEs rest on a few years
    (test_the_text_says_which_views_rest_on_their_largest_years)."""
    return "largest of the" in line or "のうち最大の" in line


def cell_ends(line: str) -> list[int]:
    """The display column just past each cell (a run of non-blanks) of a line."""
    return [text.width(line[:m.end()]) for m in re.finditer(r"\S+", line)]


def figures(q, lang: str) -> list[tuple[str, str | None, float, float]]:
    """(row label in ``lang``, view or None for a premium, figure, SE) of every figure of the
    quote's table, from its JSON."""
    data, w = q.to_json(), language.words(lang)
    rows = [(w("expected loss", "期待損失"), data["expected_loss"], data["expected_loss_se"]),
            (w("standard deviation", "標準偏差"), data["std"], data["std_se"])]
    for p in q.settings.levels:
        rows += [(f"{MEASURES[m]} {stats.level_label(p)}", data[m][stats.level_key(p)],
                  data[f"{m}_se"][stats.level_key(p)]) for m in ("var", "tvar")]
    out: list[tuple[str, str | None, float, float]] = [
        (label, v, value[v], se[v]) for label, value, se in rows for v in terms.VIEWS]
    for p in q.settings.principles:
        detail = data["premium_detail"][p.name]
        out.append((w(f"premium: {p.label()}", f"営業保険料: {p.label('ja')}"), None,
                    detail["technical_premium"], detail["technical_premium_se"]))
    return out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_text_shows_the_se_of_each_figure_as_the_json_has_it(q, lang):
    out = q.text(lang)
    table, rows, after = se_block(out)
    want: dict[str, list[str]] = {}
    for label, _, _, se in figures(q, lang):
        want.setdefault(label, []).append(money.format_yen(se))
    assert len(rows) == len(table) == len(want)
    for line, figure_line, (label, cells) in zip(rows, table, want.items()):
        assert line.startswith(label + " ") and figure_line.startswith(label + " ")
        assert line.split()[-len(cells):] == cells, (line, cells)
        # each SE stands under its figure: gross, insured, retained; a premium's under insured
        assert cell_ends(line)[-len(cells):] == cell_ends(figure_line)[-len(cells):]
    assert "—" not in "\n".join(rows + after) and "nan" not in out and "inf" not in out
    # the figure whose SE is the largest part of it, both as the JSON has them
    label, view, figure, se = max((f for f in figures(q, lang) if f[2]), key=lambda f: f[3] / abs(f[2]))
    w, yen = language.words(lang), money.format_yen
    where = label + ("" if view is None else w(f" ({view})", f"（{language.VIEWS_JA[view]}）"))
    assert after == [w(f"largest relative standard error: {se / abs(figure):.1%}, {where}: {yen(figure)} ± {yen(se)}",
                       f"相対標準誤差が最大の数値: {se / abs(figure):.1%}、{where}: {yen(figure)} ± {yen(se)}")]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_standard_errors_leave_the_rest_of_the_text_as_it_was(q, lang):
    # the block stands between the quote's table and the premium by section, which follow each
    # other as before: the table, a blank line, the section's heading
    lines = q.text(lang).splitlines()
    title = next(i for i, line in enumerate(lines) if line in TITLES)
    end = lines.index("", title)
    assert "\n".join(lines[:title]).endswith("\n\n" + text.frame(money.yen_table(q.summary(lang))) + "\n")
    assert lines[end + 1].startswith(language.words(lang)("Technical premium by section (", "補償項目別の営業保険料（"))
    rest = "\n".join(lines[end + 2:])
    assert rest.startswith(text.frame(money.yen_table(q._by_section(lang))) + "\n\n")
    assert rest.endswith("\n" + q.decision.reason_in(lang))


def test_a_level_beyond_the_runs_reach_has_no_se_and_says_why():
    # 20,000 years: 2 expected beyond 99.99%, fewer than the 10 an EP curve's return period
    # needs, 10 beyond 99.95%; the TVaR principle at 99.99% rests on the same 2 years
    ev, n, policy, settings = inputs()
    settings = dataclasses.replace(settings, levels=(0.99, 0.9995, 0.9999), principles=(
        pricing.ExpectedValue(), pricing.TVaRCostOfCapital(level=0.9999)))
    q = quote.quote_events(ev, n, policy, settings)
    for lang in ("en", "ja"):
        out = q.text(lang)
        _, rows, after = se_block(out)
        by_label = {line.split("  ")[0]: line for line in rows}
        for level in ("99.99%", "99.95%"):
            for measure in ("VaR", "TVaR"):
                cells = by_label[f"{measure} {level}"].split()[-3:]
                assert cells == ["—"] * 3 if level == "99.99%" else "—" not in cells, (measure, level, cells)
        assert rows[-1].split()[-1] == "—" and rows[-2].split()[-1].endswith("万円")
        assert after[-1] == language.words(lang)(
            "—: fewer than 10 of the 20,000 simulated years are expected beyond the level, too few for a "
            "standard error", "—: 水準を超える年の期待数が 10 年未満（シミュレーション 20,000 年）で、標準誤差を示せない")
        assert "nan" not in out


def test_an_se_that_is_not_finite_reads_so_and_a_premium_without_one_shows_none(q):
    st = q.statistics.copy()
    st.loc["std", "gross_se"] = math.inf
    st.loc["mean", "retained_se"] = math.nan
    odd = dataclasses.replace(q, statistics=st, premiums=q.premiums.drop(columns="technical_premium_se"))
    for lang in ("en", "ja"):
        out = odd.text(lang)
        _, rows, after = se_block(out)
        assert rows[0].split()[-1] == "—" and "—" not in rows[0].split()[-3:-1]
        assert rows[1].split()[-3] == "—" and "—" not in rows[1].split()[-2:]
        premiums = [label for label, view, *_ in figures(q, lang) if view is None]
        assert [line.strip() for line in rows[-len(premiums):]] == premiums   # nothing said for them
        assert after[-1] == language.words(lang)("—: the standard error is not finite", "—: 標準誤差が有限でない")
        assert "inf" not in out and "nan" not in out


def test_within_reach_is_the_ep_curves_rule():
    for n in (1000, 20_000, 200_000, 2_000_000):
        for t in stats.DEFAULT_RETURN_PERIODS:
            assert stats.within_reach(1 - 1 / t, n) == (t * stats.MIN_EXCEEDANCES <= n), (n, t)
    assert stats.within_reach(0.9995, 20_000) and not stats.within_reach(0.9995 + 1e-6, 20_000)
    with pytest.raises(ValueError, match="p"):
        stats.within_reach(1.0, 1000)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_text_says_which_views_rest_on_their_largest_years(q, lang):
    # the JSON's shares are each view's: its 10 largest years' squared deviations over all
    data = q.to_json()
    for view, share in data["variance_share_of_largest_years"].items():
        x = q.result.annual(view)
        d = (x - x.mean()) ** 2
        assert share == pytest.approx(np.sort(d)[-10:].sum() / d.sum(), rel=1e-9), view
    heavy = {v: s for v, s in data["variance_share_of_largest_years"].items() if s >= stats.HEAVY_SHARE}
    assert heavy, "the hand-made quote's lognormal liabilities make at least one view heavy"
    lines = [line for line in q.text(lang).splitlines() if heavy_line(line)]
    w = language.words(lang)
    names = w(", ".join(heavy), "・".join(language.VIEWS_JA[v] for v in heavy))
    parts = [f"{s:.0%}" for s in heavy.values()]
    shares = w(" and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts), "・".join(parts))
    assert lines == [w(f"{names}: the 10 largest of the 20,000 years make {shares} of the variance; the "
                       "standard errors of the expected loss, standard deviation and TVaR rest on those "
                       "years and in a typical run understate the spread over seeds (the standard "
                       "deviation's most)",
                       f"{names}: 20,000 年のうち最大の 10 年が分散の {shares} を占める。期待損失・標準偏差・"
                       "TVaR の標準誤差はその数年に依存し、通常の実行ではシードを変えたときのばらつきを過小に"
                       "示す（標準偏差で最も大きい）")]


def test_a_light_view_is_not_named():
    # a view whose 10 largest years make under a quarter of its variance is left out of the line
    ev, n, policy, settings = inputs()
    q = quote.quote_events(ev, n, policy, settings)
    light = [v for v, s in q.largest_years_shares.items() if s < stats.HEAVY_SHARE]
    line = next((line for line in q.text("en").splitlines() if heavy_line(line)), "")
    assert all(not line.startswith(v) and f" {v}," not in line for v in light)


def test_the_workbook_leaves_the_ses_beyond_the_runs_reach_empty():
    """The statistics sheet's VaR and TVaR SEs at a level the years do not reach are empty
    cells (the JSON's null, the text's "—"); those within reach and the figures stay."""
    ev, n, policy, settings = inputs()
    q = quote.quote_events(ev, n, policy, dataclasses.replace(settings, levels=(0.99, 0.9999)))
    sheet, raw = q.sheets("en")["statistics"], q.statistics
    se = [f"{v}_se" for v in terms.VIEWS]
    for label in ("VaR 99.99%", "TVaR 99.99%"):      # 20,000 x 0.0001 = 2 years beyond it
        assert sheet.loc[label, se].isna().all() and raw.loc[label, se].notna().all()
        assert (sheet.loc[label, list(terms.VIEWS)] == raw.loc[label, list(terms.VIEWS)]).all()
    for label in ("mean", "VaR 99%", "TVaR 99%"):
        assert (sheet.loc[label] == raw.loc[label]).all()


def test_json_nulls_the_ses_beyond_the_runs_reach_and_says_so():
    ev, n, policy, settings = inputs()
    settings = dataclasses.replace(settings, levels=(0.99, 0.9995, 0.9999))
    data = quote.quote_events(ev, n, policy, settings).to_json()
    for kind in ("var_se", "tvar_se"):
        assert data[kind]["0.9999"] == {"gross": None, "insured": None, "retained": None}
        assert all(isinstance(se, float) for se in data[kind]["0.9995"].values())
    assert data["var"]["0.9999"]["gross"] is not None     # the figure stays; its SE says nothing
    assert data["warnings"] == ["var_se and tvar_se at 0.9999: fewer than 10 of the 20,000 simulated "
                                "years are expected beyond the level, too few for a standard error; "
                                "written as null"]
    json.dumps(data, allow_nan=False)


def test_largest_years_share_of_sparse_and_dense_samples():
    rng = np.random.default_rng(5)
    for n, m in ((1000, 50), (1000, 995), (1000, 1000), (30, 3), (200_000, 40_000)):
        x = np.zeros(n)
        at = rng.choice(n, m, replace=False)
        x[at] = rng.lognormal(0, 2, m)
        d = (x - x.mean()) ** 2
        want = np.sort(d)[-10:].sum() / d.sum()
        assert stats.largest_years_share(x[at], n) == pytest.approx(want, rel=1e-12)
        assert stats.Sample.sparse(n, x[at]).largest_years_share() == pytest.approx(want, rel=1e-9)
    y = rng.normal(size=500)
    d = (y - y.mean()) ** 2
    assert stats.Sample.dense(y).largest_years_share() == pytest.approx(np.sort(d)[-10:].sum() / d.sum(), rel=1e-9)
    assert stats.largest_years_share(np.full(7, 3.0), 7) == 0.0 and stats.largest_years_share([], 5) == 0.0
    with pytest.raises(ValueError, match="at most n_years=2"):
        stats.largest_years_share(np.ones(3), 2)
