"""Diagnostic figures of the experience fit and the assumption sensitivity: QQ and
probability plots on the truncated/censored scale, and the tornado chart.  They take plain
tables (no model objects) and use the package's plot set-up (:mod:`.plots`)."""
from __future__ import annotations

import numpy as np

from . import language, plots
from .money import format_yen


def fit_plots(points, title: str = "", lang: str | None = None):
    """QQ plot (observed loss against the fitted law's quantile at the product-limit
    probability, log axes) and probability plot (product-limit CDF against the fitted and the
    naive CDF) of one attack type.  ``points``: columns ``loss``, ``empirical``, ``fitted``,
    ``fitted_quantile`` and optionally ``naive``; words in ``lang`` ("ja" or "en"; None: the
    locale's).  Returns the figure."""
    t = language.plot_words(lang)
    with plots.style():
        fig = plots.pyplot().figure(figsize=(10, 4.5))
        _draw_fit(fig, points, title, t)
        plots.finish(fig)
    return fig


def _draw_fit(fig, points, title: str, t) -> None:
    qq, pp = fig.subplots(1, 2)
    x, q = points["loss"].to_numpy(), points["fitted_quantile"].to_numpy()
    qq.loglog(q, x, ".", ms=4, alpha=0.7, label=t("claims"))
    lo, hi = float(min(x.min(), q.min())), float(max(x.max(), q.max()))
    qq.loglog([lo, hi], [lo, hi], "k--", lw=0.8, label="y = x")
    qq.set_xlabel(t("fitted quantile (log scale)"))
    qq.set_ylabel(t("observed ground-up loss (log scale)"))
    plots.yen_log_axis(qq, "x")
    plots.yen_log_axis(qq, "y")
    qq.set_title(t("QQ (truncated/censored scale)"))
    qq.legend()
    pp.plot([0, 1], [0, 1], "k--", lw=0.8)
    pp.plot(points["fitted"], points["empirical"], ".", ms=4, label=t("truncation/censoring-aware fit"))
    if "naive" in points:
        pp.plot(points["naive"], points["empirical"], "x", ms=3, alpha=0.6, label=t("naive fit"))
    pp.set_xlabel(t("model CDF given loss > deductible"))
    pp.set_ylabel(t("product-limit CDF (Turnbull)"))
    pp.set_title(t("probability plot"))
    pp.legend()
    for ax in (qq, pp):
        ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()


def tornado(table, measure: str, base: float, ax=None, top: int | None = 20, lang: str | None = None):
    """Horizontal bars of the change of ``measure`` when each assumption is set to its low
    (blue) and high (orange) bound, largest swing on top, with 2-SE whiskers.  ``table``:
    columns ``label``, ``low_effect``, ``high_effect``, ``low_se``, ``high_se`` (JPY); words in
    ``lang`` ("ja" or "en"; None: the locale's)."""
    lang = language.resolve(lang)
    with plots.style():
        ax = plots.axes(ax, figsize=(9, 0.32 * min(len(table), top or len(table)) + 1.5))
        _draw_tornado(ax, table, measure, base, top, lang)
        plots.finish(ax)
    return ax


def _draw_tornado(ax, table, measure: str, base: float, top: int | None, lang: str) -> None:
    t = language.plot_words(lang)
    if lang == "ja":
        measure = language.MEASURES_JA.get(measure, measure)
    swing = (table["high_effect"] - table["low_effect"]).abs()
    order = table.assign(_swing=swing).sort_values("_swing", ascending=False)
    if top:
        order = order.head(top)
    order = order.iloc[::-1]
    y = np.arange(len(order))
    for column, se, colour, name in (("low_effect", "low_se", "C0", t("low bound")),
                                     ("high_effect", "high_se", "C1", t("high bound"))):
        ax.barh(y, order[column], color=colour, alpha=0.8, label=name,
                xerr=2 * order[se], error_kw={"elinewidth": 0.6, "capsize": 1.5})
    ax.axvline(0.0, color="k", lw=0.8)
    ax.set_yticks(y, order["label"])
    ax.set_xlabel(t("change of {measure} (base {base})", measure=measure, base=format_yen(base)))
    plots.yen_axis(ax, "x")
    ax.set_title(t("Assumption sensitivity: {measure}", measure=measure))
    ax.legend(loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
