"""The runs behind the pages, in a worker process: a quote (Losses and Cover pages) and a BCP
comparison.  Each takes a checked profile document, a ``send(message)`` callable and the
language of the page that asked for it, and returns plain data (numbers in JPY, plots as SVG
text, the HTML report), which the server keeps and renders; nothing here knows about HTTP.
The result carries the figures in the page's language only: those in the other languages are
drawn after it is sent, so that no reader waits for figures in a language they are not reading.

The quote runs the steps of ``cyberloss quote`` (``insurance.quote.simulate_document`` then
``quote_events``) on the same document, so the page's numbers and hash are the CLI's.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .. import stats
from ..calibration import load as load_calibration
from ..insurance import quote as quote_mod
from ..insurance import report as quote_report
from ..insurance import terms as terms_mod
from ..organisation import bcp as bcp_mod
from ..organisation import components as comp
from ..report import excel, language, plots
from ..report import text as report_text
from . import forms, text

Send = Callable[[tuple], None]
#: A run: (document, send, the page's language) -> (result, the messages to send after it,
#: drawn as they are taken).
Run = Callable[[Mapping[str, Any], Send, str], tuple[dict[str, Any], Iterator[tuple]]]

#: The parts of an incident's loss a risk manager budgets for (費用・賠償・利益・内部工数).
COMPONENT_GROUPS = (
    ("response_costs", "費用損害", tuple(c for c in comp.RESPONSE if c != "liability")),
    ("liability", "賠償責任", ("liability",)),
    ("lost_profit", "利益損害", ("lost_profit",)),
    ("internal_effort", "内部工数", ("internal_effort",)),
)
#: The page's EP table stops at this return period (years): a risk manager's horizon.
LONGEST_RETURN_PERIOD = 1000
#: The BCP plot: its bars' axes keep this width (inches), the figure widening beside them for
#: the variants' names at about this width per display column (10 pt, a kanji two columns).
BCP_AXES_INCHES = 4.0
BCP_INCHES_PER_COLUMN = 0.075


def _estimate(e: stats.Estimate) -> dict[str, float]:
    return {"value": float(e.value), "se": float(e.se)}


def svg(fig) -> str:
    """The figure as inline SVG (text drawn as paths: no font needed in the browser), cut to
    what it draws (a title or label wider than the layout planned is kept whole)."""
    plt = plots.pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _figures(draw: Mapping[str, Callable[[str], Any]], langs) -> dict[str, dict[str, str]]:
    """Each figure of ``draw`` (name: the function drawing it in a language) in each of
    ``langs``, as SVG: {name: {lang: svg}}."""
    return {name: {lang: svg(figure(lang)) for lang in langs} for name, figure in draw.items()}


def _later_figures(draw: Mapping[str, Callable[[str], Any]], page_lang: str) -> tuple:
    """The message sent after the result: ("figures", ...) with each figure of ``draw`` in the
    languages other than ``page_lang`` (the result has those in ``page_lang``)."""
    return ("figures", _figures(draw, [lang for lang in text.LANGS if lang != page_lang]))


def _progress(send: Send, phase: str, parts: int = 1) -> Callable[[int, int], None]:
    """A simulation progress callback reporting the share done over ``parts`` simulations
    (each ends with a call where done == total)."""
    finished = [0]

    def report(done: int, total: int) -> None:
        send(("progress", (finished[0] + done / max(total, 1)) / parts, phase))
        if done >= total:
            finished[0] += 1
    return report


def run_quote(doc: Mapping[str, Any], send: Send, page_lang: str) -> tuple[dict[str, Any], Iterator[tuple]]:
    """The quote of a profile document, with the breakdowns the Losses page shows and its
    figures in ``page_lang``; then, drawn after it (the page shows the result before them), its
    figures in the other languages and its HTML report and workbook in every language."""
    profile, sim, policy, settings = quote_mod.simulate_document(doc, "profile",
                                                                 progress=_progress(send, "simulating"))
    send(("progress", 1.0, "pricing"))
    quote = quote_mod.quote_events(sim.table, sim.n_years, policy, settings,
                                   name=str(profile.name or "organisation"))
    result = quote.result
    labels = load_calibration().data.attack_labels
    by_type = []
    for t in sim.attack_types:
        e = stats.mean(sim.annual_by_type(t))
        by_type.append({"key": t, "label_ja": labels.get(t, "軽微なインシデント" if t == "minor" else t),
                        "rate": float(sim.rates[t]), **_estimate(e)})
    component_labels = profile.data.raw["components"]["labels_ja"]
    by_component = [{"key": c, "label_ja": component_labels[c], **_estimate(sim.mean(c))}
                    for c in comp.COMPONENTS]
    by_group = [{"key": key, "label_ja": label,
                 **_estimate(stats.mean(np.add.reduce([sim.annual(c) for c in parts])))}
                for key, label, parts in COMPONENT_GROUPS]
    incident_years = np.zeros(sim.n_years, dtype=bool)
    incident_years[np.asarray(sim.table.year) - sim.table.first_year] = True
    periods = [t for t in stats.default_return_periods(sim.n_years) if t <= LONGEST_RETURN_PERIOD]
    ep = {view: result.ep_curve(periods, view) for view in ("gross", "insured", "retained")}
    ep_rows = [{"return_period": float(t),
                **{f"{view}_{col}": float(ep[view][col].iloc[i])
                   for view in ep for col in ("aep", "aep_se") if col in ep[view]},
                "gross_oep": float(ep["gross"]["oep"].iloc[i]),
                "gross_oep_se": float(ep["gross"]["oep_se"].iloc[i])} for i, t in enumerate(periods)]
    draw = {"ep_svg": lambda lang: _ep_figure(ep_rows, quote.name, sim.n_years, lang),
            "decision_svg": lambda lang: quote.decision.plot(lang=lang)}

    def later() -> Iterator[tuple]:
        yield _later_figures(draw, page_lang)
        yield ("report", {"html": {lang: quote.to_html(lang) for lang in text.LANGS},
                          "xlsx": {lang: excel.to_bytes(quote.sheets(lang)) for lang in text.LANGS}})
    send(("progress", 1.0, "drawing"))
    return {
        "kind": "quote",
        "name": quote.name,
        "quote": quote.to_json(),
        "basis": sim.basis,
        "period": sim.period,
        "warnings": {lang: load_calibration().warnings_in(sim.warnings, lang) for lang in text.LANGS},
        "expected": _estimate(sim.mean()),
        "p_incident": _estimate(stats.probability(incident_years)),
        "by_attack_type": by_type,
        "by_component": by_component,
        "by_group": by_group,
        "ep": ep_rows,
        **_figures(draw, [page_lang]),
        "grid": _grid(quote.decision.grid),
        "reason": {lang: quote.decision.reason_in(lang) for lang in text.LANGS},
        "summary": {lang: _summary(quote.summary(lang)) for lang in text.LANGS},
        "policy": {lang: _policy(policy, lang) for lang in text.LANGS},
    }, later()


def _policy(policy: terms_mod.CoverageTerms, lang: str) -> dict[str, Any]:
    """Each section's terms in words, as the quote's report words them (its limit, coinsurance,
    sublimits, a business interruption's periods, or 補償対象外), and whether the
    recurrence-prevention costs are covered."""
    joined = "、" if lang == "ja" else "; "
    return {"sections": [(name, joined.join(quote_report.section_terms(name, policy.sections.get(name), lang))
                          or quote_report.covered_words(False, lang))
                         for name in terms_mod.SECTIONS if name in language.SECTIONS_JA],
            "prevention": quote_report.covered_words(policy.cover_prevention, lang)}


def _summary(table) -> list[tuple[str, dict[str, float]]]:
    """The quote table's rows as (label, amount by view): the labels in the table's language,
    the views by their keys (the table's columns are terms.VIEWS in order)."""
    return [(str(label), {view: float(v) for view, v in zip(terms_mod.VIEWS, row)})
            for label, row in zip(table.index, table.to_numpy())]


def _grid(grid) -> dict[str, Any]:
    """The total cost of risk of each (deductible, limit) option as rows x columns, and the
    cost without insurance."""
    options = grid[grid["insured"]]
    table = options.pivot(index="deductible", columns="limit", values="total_cost")
    return {"deductibles": [float(d) for d in table.index], "limits": [float(v) for v in table.columns],
            "total_cost": table.to_numpy().tolist(),
            "uninsured_total_cost": float(grid[~grid["insured"]]["total_cost"].iloc[0])}


def _ep_figure(rows: list[dict[str, float]], name: str, n_years: int, lang: str | None = None):
    """AEP of the gross (± 1 SE), insured and retained loss, and the gross OEP, by return
    period (2 to 1,000 years) on a log axis; words in ``lang`` (None: the locale's)."""
    lang = language.resolve(lang)
    with plots.style():
        fig, ax = plots.pyplot().subplots(figsize=(7, 4.2))
        _draw_ep(ax, rows, name, n_years, lang)
        fig.tight_layout()
        plots.finish(fig)
    return fig


def _draw_ep(ax, rows: list[dict[str, float]], name: str, n_years: int, lang: str) -> None:
    t = language.plot_words(lang)

    def view(key: str) -> str:
        return language.VIEWS_JA[key] if lang == "ja" else key
    periods = [r["return_period"] for r in rows]
    ax.errorbar(periods, [r["gross_aep"] for r in rows], yerr=[r["gross_aep_se"] for r in rows],
                fmt="o-", color="C0", capsize=3, label=t("{view} AEP ± SE", view=view("gross")))
    ax.plot(periods, [r["gross_oep"] for r in rows], "--", color="C0", label=f"{view('gross')} OEP")
    ax.plot(periods, [r["insured_aep"] for r in rows], "s-", color="C2", label=f"{view('insured')} AEP")
    ax.plot(periods, [r["retained_aep"] for r in rows], "^-", color="C3", label=f"{view('retained')} AEP")
    ax.set_xscale("log")
    ax.set_xlabel(t("return period (years, log scale)"))
    ax.set_ylabel(t("annual loss"))
    plots.yen_axis(ax, "y")
    ax.set_title(t("EP curve: {name}", name=name))
    ax.text(0.99, 0.01, t("{n} simulated years", n=f"{n_years:,}"), transform=ax.transAxes, ha="right",
            va="bottom", fontsize=7, color="0.4")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def run_bcp(doc: Mapping[str, Any], send: Send, page_lang: str) -> tuple[dict[str, Any], Iterator[tuple]]:
    """Controls and BCP targets compared with common random numbers ([simulation] settings,
    [[variants]] or the default variants), with its figure in ``page_lang``; then its figure in the
    other languages."""
    plan = bcp_mod.BcpPlan.from_document(doc)
    comparison = bcp_mod.run_plan(plan, progress=_progress(send, "simulating", len(plan.variants)))
    table = comparison.describe()
    rows = [{"name": name, "name_ja": variant.name_in("ja"), **{k: float(v) for k, v in row.items()}}
            for variant, (name, row) in zip(comparison.variants, table.iterrows())]
    draw = {"svg": lambda lang: _bcp_figure(rows, lang)}

    def later() -> Iterator[tuple]:
        yield _later_figures(draw, page_lang)
    return {"kind": "bcp", "rows": rows, "years": comparison.n_years, "seed": comparison.sims[0].seed,
            "basis": comparison.sims[0].basis, "period": comparison.sims[0].period,
            "assumptions": comparison.sims[0].assumptions(),
            "assumptions_ja": comparison.sims[0].assumptions("ja"),
            **_figures(draw, [page_lang])}, later()


def _bcp_figure(rows: list[dict[str, Any]], lang: str | None = None):
    """The change of each variant's expected annual loss from the first's (± 1 SE); words and
    the variants' names ("name_ja" in Japanese) in ``lang`` (None: the locale's)."""
    t = language.plot_words(lang)
    if language.resolve(lang) == "ja":   # the variants by their Japanese names where they have one
        rows = [{**r, "name": r.get("name_ja") or r["name"]} for r in rows]
    names = max((report_text.width(r["name"]) for r in rows[1:]), default=0)
    width = max(7.0, BCP_AXES_INCHES + 0.5 + BCP_INCHES_PER_COLUMN * names)
    with plots.style():
        fig, ax = plots.pyplot().subplots(figsize=(width, 0.5 * len(rows) + 1.4))
        _draw_bcp(ax, rows, t)
        fig.tight_layout()
        plots.finish(fig)
    return fig


def _draw_bcp(ax, rows: list[dict[str, Any]], t) -> None:
    others = rows[1:]
    ax.barh([r["name"] for r in others], [r["difference_to_baseline"] for r in others],
            xerr=[r["difference_to_baseline_se"] for r in others], color="C0", capsize=3)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel(t("change in expected annual loss ± SE"))
    plots.yen_axis(ax, "x")
    # over the whole figure: over the bars alone, it ran past the figure's right edge
    ax.figure.suptitle(t("BCP: {baseline} vs. variants (common random numbers)", baseline=rows[0]["name"]))


RUNS: dict[str, Run] = {"quote": run_quote, "bcp": run_bcp}


def main(kind: str, doc: Mapping[str, Any], conn, page_lang: str) -> None:
    """The worker process for a page in ``page_lang``: run, sending ("progress", share done,
    phase) on the way, then ("result", data), its figures in ``page_lang`` only, or ("error",
    one line); then ("figures", {name: {lang: SVG}}) with the same figures in the other
    languages, and ("report", {"html": {lang: HTML}, "xlsx": {lang: workbook bytes}}) where the
    run has a report; and close."""
    def send(message: tuple) -> None:
        conn.send(message)

    try:
        data, later = RUNS[kind](doc, send, page_lang)
        send(("result", data))
        for message in later:
            send(message)
    except (ValueError, MemoryError) as exc:   # in the page's language where it has the words
        said = forms.japanese(exc) if page_lang == "ja" else None
        send(("error", " ".join((said or str(exc)).split())))
    finally:
        conn.close()
