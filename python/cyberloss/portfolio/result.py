"""The result of a portfolio run: a year-loss table (gross / ceded / net) and per-policy moments."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import results, stats
from ..report import language

VIEWS = ("gross", "ceded", "net")
LEVELS = (0.9, 0.95, 0.99, 0.995, 0.999)
YLT_COLUMNS = ("gross", "ceded", "net", "ceded_per_risk", "ceded_per_event", "ceded_quota_share",
               "ceded_stop_loss", "reinstatement_premium", "ground_up", "events")
# money columns of the table besides the views (``events`` is a count: an extra)
_BREAKDOWN = YLT_COLUMNS[3:9]
# Each year's largest single incident, by the column it is the largest loss of: its insured
# loss (after its policy's terms) and its ground-up loss.  The ceded and net views have none: the
# programme cedes by year and attack type, not incident by incident.
OCCURRENCE = {"gross": "gross_max", "ground_up": "ground_up_max"}
# What a block gives per year: the table's columns and the largest incidents.
BLOCK_COLUMNS = YLT_COLUMNS + tuple(OCCURRENCE.values())


class PortfolioResult(results.YearLossTable):
    """Simulated years of a portfolio: a dense year-loss table.

    Views ``gross`` (insured losses after the policies' terms), ``ceded`` (sum of the
    contracts' ``ceded_*`` columns) and ``net = gross - ceded``; breakdown columns
    ``ceded_per_risk``, ``ceded_per_event``, ``ceded_quota_share``, ``ceded_stop_loss``,
    ``reinstatement_premium`` and ``ground_up`` (before terms); each year's largest single
    incident of ``gross`` and ``ground_up`` (``occurrence_max``; OEP in ``ep_curve``); extras
    ``events`` and ``theta_<type>`` (the year's systemic multipliers).  ``policies``: per
    policy, mean, std and mean_se of its annual insured loss and its incident count.  Money in
    JPY.  An empty portfolio gives an empty result: ``message`` says why and every loss and count
    of every year is 0, while ``theta_<type>`` are the multipliers drawn, as for any book.
    """

    def __init__(self, model: Any, years: int, seed: int, block_years: int,
                 columns: dict[str, np.ndarray], extras: dict[str, np.ndarray],
                 policies: pd.DataFrame, tracked: Sequence[int] = (),
                 cross: np.ndarray | None = None, message: str = "",
                 occurrence: dict[str, np.ndarray] | None = None):
        self.model = model
        self.block_years = block_years
        self.policies = policies
        self.tracked = list(tracked)
        self._cross = cross
        self.message = message
        super().__init__(years, columns, views=VIEWS, extras=extras, seed=seed,
                         occurrence=occurrence, title="cyberloss portfolio")

    @classmethod
    def empty(cls, model: Any, years: int, seed: int, block_years: int,
              theta: np.ndarray | None = None) -> "PortfolioResult":
        """The result of a book without policies: every loss and count of every year 0, and
        ``theta_<type>`` the systemic multipliers the run draws whatever the book (``theta``,
        years x types, as ``simulate.drawn_theta`` gives them; None: 1, no shock)."""
        zeros = np.zeros(years)
        policies = pd.DataFrame({"policy_id": pd.Series(dtype=object),
                                 **{c: pd.Series(dtype=np.float64)
                                    for c in ("mean", "std", "mean_se", "events_per_year")}})
        drawn = np.ones((years, len(model.attack_types))) if theta is None else np.asarray(theta, dtype=float)
        extras = {"events": zeros, **{f"theta_{a}": np.ascontiguousarray(drawn[:, j])
                                      for j, a in enumerate(model.attack_types)}}
        return cls(model, years, seed, block_years, {c: zeros for c in (*VIEWS, *_BREAKDOWN)},
                   extras, policies,
                   message=language.EMPTY_PORTFOLIO,
                   occurrence={view: zeros for view in OCCURRENCE})

    @classmethod
    def merge(cls, model: Any, years: int, seed: int, block_years: int, tracked: Sequence[int],
              parts) -> "PortfolioResult":
        """Concatenate block results in block order (the order fixes the per-policy sums)."""
        parts = sorted(parts, key=lambda b: b.first_year)
        columns = {c: np.concatenate([b.columns[c] for b in parts]) for c in (*VIEWS, *_BREAKDOWN)}
        occurrence = {view: np.concatenate([b.columns[c] for b in parts]) for view, c in OCCURRENCE.items()}
        extras = {"events": np.concatenate([b.columns["events"] for b in parts])}
        theta = np.concatenate([b.theta for b in parts])
        for j, a in enumerate(model.attack_types):
            extras[f"theta_{a}"] = np.ascontiguousarray(theta[:, j])
        n_pol = len(model.portfolio)
        s1, s2, ne = np.zeros(n_pol), np.zeros(n_pol), np.zeros(n_pol, dtype=np.int64)
        m = len(tracked)
        ts, tc = np.zeros(m), np.zeros((m, m))
        for b in parts:
            s1 = s1 + b.policy_sum
            s2 = s2 + b.policy_sumsq
            ne = ne + b.policy_events
            ts = ts + b.tracked_sum
            tc = tc + b.tracked_cross
        mean = s1 / years
        var = np.maximum(s2 / years - mean * mean, 0.0) * (years / (years - 1) if years > 1 else 0.0)
        policies = pd.DataFrame({"policy_id": model.portfolio.table["policy_id"], "mean": mean,
                                 "std": np.sqrt(var), "mean_se": np.sqrt(var / years),
                                 "events_per_year": ne / years})
        return cls(model, years, seed, block_years, columns, extras, policies, tracked,
                   np.column_stack([ts[:, None], tc]) if m else None, occurrence=occurrence)

    @property
    def is_empty(self) -> bool:
        return bool(self.message)

    def message_in(self, lang: str) -> str:
        """:attr:`message` in ``lang`` ("ja" or "en")."""
        return language.MESSAGES_JA.get(self.message, self.message) if lang == "ja" else self.message

    @property
    def ylt(self) -> pd.DataFrame:
        """The year-loss table as a DataFrame (one row per year; see :meth:`to_frame`)."""
        return self.to_frame()

    def summary(self) -> dict:
        """The JSON contract of ``cyberloss portfolio --json``."""
        out = {"policies": len(self.model.portfolio), "years": self.n_years, "seed": self.seed,
               "block_years": self.block_years, "attack_types": self.model.attack_types,
               "systemic_variance": dict(zip(self.model.attack_types, self.model.variances())),
               "scenario": self.model.scenario.name if self.model.scenario else None,
               "reinsurance": self.model.reinsurance.to_dict(),
               "loss": type(self.model.loss).__name__,
               "warnings": self.model.portfolio.warnings()}
        if self.is_empty:
            out["message"] = self.message
            for view in VIEWS:
                out[view] = None
            return out
        for view in VIEWS:
            tail = self.tail(LEVELS, view)
            mean, std = self.mean(view), self.std(view)
            out[view] = {"mean": mean.value, "mean_se": mean.se, "std": std.value, "std_se": std.se,
                         **{k: {stats.level_key(p): float(tail.loc[p, k]) for p in LEVELS} for k in ("var", "tvar")},
                         **{k: {stats.level_key(p): stats.within_reach_se(tail.loc[p, k], p, self.n_years)
                                for p in LEVELS} for k in ("var_se", "tvar_se")},
                         "annual_loss_sha256": self.sha256(view)}

        out["warnings"] += stats.beyond_reach_notes(LEVELS, self.n_years, " of " + ", ".join(VIEWS))
        premium = self.mean("reinstatement_premium")
        out["reinstatement_premium_mean"] = premium.value
        out["reinstatement_premium_mean_se"] = premium.se
        # no standard error: see average_correlation
        out["average_policy_correlation"] = self.average_correlation()
        return out

    def average_correlation(self) -> float | None:
        """Average pairwise correlation of the policies' annual insured losses implied by the
        portfolio variance: ``(Var S - sum_i Var S_i) / ((sum_i sd_i)^2 - sum_i Var S_i)``.
        None when fewer than two policies have losses.  It has no standard error (the result
        keeps no policy's losses year by year) and is mostly noise for a small book:
        docs/MODEL_NOTES.md, "Scale, determinism and Dask"."""
        if self.is_empty:
            return None
        sd = self.policies["std"].to_numpy()
        total = sd.sum()
        denom = total * total - (sd * sd).sum()     # products, not pow: the same bits on any CPU
        if not denom > 0:
            return None
        sd_s = self.std("gross").value
        var_s = sd_s * sd_s
        return float((var_s - (sd * sd).sum()) / denom)

    def correlation(self) -> pd.DataFrame:
        """Pairwise correlation matrix of the tracked policies' annual insured losses."""
        if self._cross is None:
            raise ValueError("no policies were tracked: pass track=[policy ids] to the simulation")
        n = self.n_years
        s, cross = self._cross[:, 0], self._cross[:, 1:]
        cov = (cross - np.outer(s, s) / n) / (n - 1)
        sd = np.sqrt(np.diag(cov))
        if (sd == 0).any():
            i = int(np.flatnonzero(sd == 0)[0])
            pid = self.policies["policy_id"].iloc[self.tracked[i]]
            raise ValueError(f"policy {pid!r} had no loss in {n} years: its correlation is undefined")
        ids = self.policies["policy_id"].iloc[self.tracked].tolist()
        return pd.DataFrame(cov / np.outer(sd, sd), index=ids, columns=ids)

    def _html_note(self) -> str:
        if self.is_empty:
            return self.message
        return (f"{len(self.model.portfolio):,} policies, {self.n_years:,} years, seed {self.seed}; "
                "money in JPY")

    def __repr__(self) -> str:
        if self.is_empty:
            return f"PortfolioResult(empty: {self.message})"
        return (f"PortfolioResult(policies={len(self.model.portfolio)}, years={self.n_years}, "
                f"seed={self.seed}, gross mean={self.mean('gross').value:.6g})")
