"""Dask: a LocalCluster of two worker processes gives the local run's results bit for bit."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cyberloss import distributed, portfolio as pf
from cyberloss import reinsurance as re
from cyberloss.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_local_cluster_run_is_bit_identical_to_the_local_run():
    book = pf.Portfolio.synthetic(400, seed=3)
    model = pf.PortfolioModel(book, reinsurance=re.Programme(per_event=re.PerEventXL(5e7, 2e8, 1, 1e7),
                                                             quota_share=re.QuotaShare(0.25)))
    ids = book.table["policy_id"].iloc[:5].tolist()
    local = pf.simulate_portfolio(model, 12_000, 17, block_years=1000, track=ids)
    seen = []
    remote = distributed.simulate_portfolio(model, 12_000, 17, block_years=1000, track=ids,
                                            local_cluster=2, progress=lambda d, n: seen.append((d, n)))
    assert len(seen) == 12 and seen[-1] == (12_000, 12_000)
    assert local.ylt.columns.equals(remote.ylt.columns)
    for c in local.ylt.columns:
        np.testing.assert_array_equal(local.ylt[c].to_numpy(), remote.ylt[c].to_numpy())
    for c in ("mean", "std", "mean_se", "events_per_year"):
        np.testing.assert_array_equal(local.policies[c].to_numpy(), remote.policies[c].to_numpy())
    assert local.summary() == remote.summary()
    assert (local.annual("gross") > 0).any()


def test_cli_json_hashes_match_between_local_and_cluster(capsys):
    args = ["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "5000",
            "--seed", "9", "--block-years", "1000", "--json", "--quota-share", "0.3"]
    assert main(args) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(args + ["--local-cluster", "2"]) == 0
    remote = json.loads(capsys.readouterr().out)
    for view in ("gross", "ceded", "net"):
        assert local[view]["annual_loss_sha256"] == remote[view]["annual_loss_sha256"]
    assert local == remote


def test_a_cluster_must_be_asked_for():
    model = pf.PortfolioModel(pf.Portfolio.synthetic(5, seed=1))
    with pytest.raises(ValueError, match="exactly one of client, scheduler"):
        distributed.simulate_portfolio(model, 100, 1)
    with pytest.raises(ValueError, match="local_cluster must be an integer >= 1"):
        distributed.simulate_portfolio(model, 100, 1, local_cluster=0)
