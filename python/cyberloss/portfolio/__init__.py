"""Portfolios of cyber policies with year-level systemic shocks and reinsurance.

    >>> import cyberloss as cl
    >>> from cyberloss.portfolio import reinsurance as re
    >>> book = cl.Portfolio.read("examples/portfolio_small.csv")   # or Portfolio.synthetic(10_000, seed=1)
    >>> model = cl.PortfolioModel(book, reinsurance=re.Programme(quota_share=re.QuotaShare(0.3)))
    >>> res = cl.simulate_portfolio(model, years=100_000, seed=1)
    >>> res.describe(); res.to_frame(); res.policies; res.average_correlation()

Model (docs/MODEL_NOTES.md, "Portfolio and reinsurance"): policy p has ``lambda_{a,p}``
expected incidents of attack type a per year (the calibration's rate for its industry and
size times its ``frequency_factor``); in year y every rate of type a is multiplied by one
shared ``Theta_{a,y}`` (mean-1 gamma, variance from :class:`SystemicShock`).  Each incident's
ground-up loss comes from the model's loss (default :class:`SurveySeverity`), then the
policy's deductible, occurrence limit and annual aggregate limit, then the reinsurance
programme, all in the C++ core.  Runs are deterministic in (model, seed, years, block_years)
and can be split over Dask (:mod:`.distributed`) with bit-identical results.

Modules: ``book`` (:class:`Portfolio`), ``losses``, ``systemic``, ``reinsurance``,
``simulate`` (:class:`PortfolioModel`, :func:`simulate_portfolio`), ``result``
(:class:`PortfolioResult`, a year-loss table), ``distributed`` (Dask; loaded when used).
"""
from __future__ import annotations

from . import book, losses, reinsurance, result, simulate, systemic
from .book import COLUMNS, OPTIONAL_DEFAULTS, REQUIRED, Portfolio
from .losses import CoveredLoss, FixedLoss, OrganisationLoss, SurveySeverity
from .reinsurance import PerEventXL, PerRiskXL, Programme, QuotaShare, StopLoss
from .result import PortfolioResult
from .simulate import DEFAULT_BLOCK_YEARS, BlockResult, PortfolioModel, run_block, simulate_portfolio
from .systemic import SCENARIOS, Scenario, SystemicShock, derive_default_variances, scenario

__all__ = ["COLUMNS", "DEFAULT_BLOCK_YEARS", "OPTIONAL_DEFAULTS", "REQUIRED", "SCENARIOS",
           "BlockResult", "CoveredLoss", "FixedLoss", "OrganisationLoss", "PerEventXL",
           "PerRiskXL", "Portfolio", "PortfolioModel", "PortfolioResult", "Programme",
           "QuotaShare", "Scenario", "StopLoss", "SurveySeverity", "SystemicShock", "book",
           "derive_default_variances", "losses", "reinsurance", "result", "run_block", "scenario",
           "simulate", "simulate_portfolio", "systemic"]
