"""The result of a portfolio run: year-loss table (gross / ceded / net), per-policy moments."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .. import _output, stats
from .._extras import require
from ..display import man_yen, man_yen_table

VIEWS = ("gross", "ceded", "net")
LEVELS = (0.9, 0.95, 0.99, 0.995, 0.999)
YLT_COLUMNS = ("gross", "ceded", "net", "ceded_per_risk", "ceded_per_event", "ceded_quota_share",
               "ceded_stop_loss", "reinstatement_premium", "ground_up", "events")


def annual_loss_sha256(x: np.ndarray) -> str:
    """SHA-256 of the array's little-endian float64 bytes (as ``cyberloss simulate --json``)."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f8").tobytes()).hexdigest()


class PortfolioResult:
    """Simulated years of a portfolio.

    ``ylt``: DataFrame, one row per year: ``gross`` (insured losses after the policies' terms),
    ``ceded`` (sum of the contracts' ``ceded_*`` columns), ``net = gross - ceded``,
    ``reinstatement_premium``, ``ground_up`` (before terms), ``events`` and ``theta_<type>``
    (the year's systemic multipliers).  ``policies``: per policy, mean, std and mean_se of its
    annual insured loss and its incident count.  Money in JPY.  An empty portfolio gives an
    empty result: ``message`` says why, ``ylt`` has no rows.
    """

    def __init__(self, model, years: int, seed: int, block_years: int, ylt: pd.DataFrame,
                 policies: pd.DataFrame, tracked: Sequence[int] = (), cross: np.ndarray | None = None,
                 message: str = ""):
        self.model = model
        self.years, self.seed, self.block_years = years, seed, block_years
        self.ylt = ylt
        self.policies = policies
        self.tracked = list(tracked)
        self._cross = cross
        self.message = message

    @classmethod
    def empty(cls, model, years: int, seed: int, block_years: int) -> "PortfolioResult":
        cols = list(YLT_COLUMNS) + [f"theta_{a}" for a in model.attack_types]
        ylt = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in ["year"] + cols})
        policies = pd.DataFrame({"policy_id": pd.Series(dtype=object),
                                 **{c: pd.Series(dtype=np.float64)
                                    for c in ("mean", "std", "mean_se", "events_per_year")}})
        return cls(model, years, seed, block_years, ylt, policies,
                   message="the portfolio has no policies: nothing to simulate, the result is empty")

    @classmethod
    def merge(cls, model, years: int, seed: int, block_years: int, tracked: Sequence[int],
              parts) -> "PortfolioResult":
        """Concatenate block results in block order (the order fixes the per-policy sums)."""
        parts = sorted(parts, key=lambda b: b.first_year)
        data = {"year": np.arange(years, dtype=np.int64)}
        for c in YLT_COLUMNS:
            data[c] = np.concatenate([b.columns[c] for b in parts])
        theta = np.concatenate([b.theta for b in parts])
        for j, a in enumerate(model.attack_types):
            data[f"theta_{a}"] = theta[:, j]
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
        res = cls(model, years, seed, block_years, pd.DataFrame(data), policies, tracked,
                  np.column_stack([ts[:, None], tc]) if m else None)
        return res

    @property
    def is_empty(self) -> bool:
        return len(self.ylt) == 0

    def annual(self, view: str = "gross") -> np.ndarray:
        if view not in VIEWS + ("ground_up",):
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, ground_up; got {view!r}")
        return self.ylt[view].to_numpy()

    def describe(self, levels: Sequence[float] = (0.99, 0.995)) -> pd.DataFrame:
        """Gross, ceded and net annual loss: mean, mean_se, std, P(loss > 0), VaR and TVaR
        (conventions in ``cyberloss.stats``).  Empty for an empty portfolio."""
        rows = []
        if self.is_empty:
            return pd.DataFrame(rows)
        for view in VIEWS:
            x = self.annual(view)
            v, t = stats.var_tvar(x, levels)
            row = {"mean": stats.mean(x), "mean_se": stats.mean_se(x), "std": stats.std(x),
                   "p_loss": float(np.mean(x > 0))}
            for p, vv, tt in zip(levels, v, t):
                row[f"VaR {p:g}"], row[f"TVaR {p:g}"] = vv, tt
            rows.append(pd.Series(row, name=view))
        return pd.DataFrame(rows)

    def summary(self) -> dict:
        """The JSON contract of ``cyberloss portfolio --json``."""
        out = {"policies": len(self.model.portfolio), "years": self.years, "seed": self.seed,
               "block_years": self.block_years, "attack_types": self.model.attack_types,
               "systemic_variance": dict(zip(self.model.attack_types, self.model.variances())),
               "scenario": self.model.scenario.name if self.model.scenario else None,
               "reinsurance": self.model.reinsurance.to_dict(),
               "loss": type(self.model.loss).__name__}
        if self.is_empty:
            out["message"] = self.message
            for view in VIEWS:
                out[view] = None
            return out
        for view in VIEWS:
            x = self.annual(view)
            v, t = stats.var_tvar(x, LEVELS)
            out[view] = {"mean": stats.mean(x), "mean_se": stats.mean_se(x), "std": stats.std(x),
                         "var": {f"{p:g}": float(a) for p, a in zip(LEVELS, v)},
                         "tvar": {f"{p:g}": float(a) for p, a in zip(LEVELS, t)},
                         "annual_loss_sha256": annual_loss_sha256(x)}
        out["reinstatement_premium_mean"] = float(self.ylt["reinstatement_premium"].mean())
        out["average_policy_correlation"] = self.average_correlation()
        return out

    def average_correlation(self) -> float | None:
        """Average pairwise correlation of the policies' annual insured losses implied by the
        portfolio variance: ``(Var S - sum_i Var S_i) / ((sum_i sd_i)^2 - sum_i Var S_i)``.
        None when fewer than two policies have losses."""
        if self.is_empty:
            return None
        sd = self.policies["std"].to_numpy()
        denom = sd.sum() ** 2 - (sd * sd).sum()
        if not denom > 0:
            return None
        var_s = float(np.var(self.annual("gross"), ddof=1))
        return float((var_s - (sd * sd).sum()) / denom)

    def correlation(self) -> pd.DataFrame:
        """Pairwise correlation matrix of the tracked policies' annual insured losses."""
        if self._cross is None:
            raise ValueError("no policies were tracked: pass track=[policy ids] to the simulation")
        n = self.years
        s, cross = self._cross[:, 0], self._cross[:, 1:]
        cov = (cross - np.outer(s, s) / n) / (n - 1)
        sd = np.sqrt(np.diag(cov))
        if (sd == 0).any():
            i = int(np.flatnonzero(sd == 0)[0])
            pid = self.policies["policy_id"].iloc[self.tracked[i]]
            raise ValueError(f"policy {pid!r} had no loss in {n} years: its correlation is undefined")
        ids = self.policies["policy_id"].iloc[self.tracked].tolist()
        return pd.DataFrame(cov / np.outer(sd, sd), index=ids, columns=ids)

    def ep_curve(self, view: str = "gross", return_periods=stats.DEFAULT_RETURN_PERIODS) -> pd.DataFrame:
        return stats.ep_curve(self.annual(view), return_periods)

    def to_parquet(self, path: str | Path, option: str = "YLT file") -> Path:
        """Write the year-loss table to Parquet (pyarrow), atomically."""
        require("pyarrow", f"{option} {path}: writing Parquet")
        return _output.write(path, option, lambda fh: self.ylt.to_parquet(fh, index=False))

    def to_csv(self, path: str | Path, option: str = "YLT file") -> Path:
        """Write the year-loss table to CSV (UTF-8, full float64 precision), atomically."""
        text = self.ylt.to_csv(index=False, float_format="%.17g")
        return _output.write_text(path, option, text)

    def write(self, path: str | Path, option: str = "YLT file") -> Path:
        """Write the year-loss table in the format of the extension: .parquet or .csv."""
        fmt = _output.suffix(path, option, (".parquet", ".csv"))
        return (self.to_parquet if fmt == ".parquet" else self.to_csv)(path, option)

    def _repr_html_(self) -> str:
        if self.is_empty:
            return f"<p><b>cyberloss portfolio</b>: {self.message}</p>"
        shown = man_yen_table(self.describe(), not_money=("p_loss",))
        return (f"<p><b>cyberloss portfolio</b>: {len(self.model.portfolio):,} policies, {self.years:,} years, "
                f"seed {self.seed}</p>" + shown.to_html())

    def __repr__(self) -> str:
        if self.is_empty:
            return f"PortfolioResult(empty: {self.message})"
        return (f"PortfolioResult(policies={len(self.model.portfolio)}, years={self.years}, seed={self.seed}, "
                f"gross mean={stats.mean(self.annual('gross')):.6g})")
