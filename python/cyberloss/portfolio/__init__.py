"""Portfolios of cyber policies with year-level systemic shocks (issue 6).

    >>> from cyberloss import portfolio as pf, reinsurance as re
    >>> book = pf.Portfolio.read("examples/portfolio_small.csv")       # or .synthetic(10_000, seed=1)
    >>> model = pf.PortfolioModel(book, reinsurance=re.Programme(quota_share=re.QuotaShare(0.3)))
    >>> res = pf.simulate_portfolio(model, years=100_000, seed=1)
    >>> res.describe(); res.ylt; res.policies; res.average_correlation()

Model (docs/MODEL_NOTES.md, "Portfolio and reinsurance"): policy p has ``lambda_{a,p}``
expected incidents of attack type a per year (the calibration's rate for its industry and
size times its ``frequency_factor``); in year y every rate of type a is multiplied by one
shared ``Theta_{a,y}`` (mean-1 gamma, variance from :class:`SystemicShock`).  Each incident's
ground-up loss comes from the model's loss function (default :class:`SurveySeverity`), then
the policy's deductible, occurrence limit and annual aggregate limit, then the reinsurance
programme.  Runs are deterministic in (model, seed, years, block_years) and can be split over
Dask (:mod:`cyberloss.distributed`) with bit-identical results.
"""
from __future__ import annotations

from ._model import Portfolio, PortfolioModel
from ._result import PortfolioResult, annual_loss_sha256
from ._simulate import DEFAULT_BLOCK_YEARS, BlockResult, apply_terms, run_block, simulate_portfolio
from ._table import COLUMNS, OPTIONAL_DEFAULTS, REQUIRED
from .losses import CoveredLoss, FixedLoss, OrganisationLoss, SurveySeverity
from .systemic import SCENARIOS, Scenario, SystemicShock, derive_default_variances, scenario

__all__ = ["COLUMNS", "DEFAULT_BLOCK_YEARS", "OPTIONAL_DEFAULTS", "REQUIRED", "SCENARIOS",
           "BlockResult", "CoveredLoss", "FixedLoss", "OrganisationLoss", "Portfolio", "PortfolioModel", "PortfolioResult", "Scenario",
           "SurveySeverity", "SystemicShock", "annual_loss_sha256", "apply_terms",
           "derive_default_variances", "run_block", "scenario", "simulate_portfolio"]
