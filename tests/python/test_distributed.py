"""Dask: a LocalCluster of two worker processes gives the local run's results bit for bit."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cyberloss import portfolio as pf
from cyberloss.cli import main
from cyberloss.portfolio import distributed
from cyberloss.portfolio import reinsurance as re

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


def test_a_local_cluster_listens_on_loopback_with_tls_and_no_dashboard():
    import urllib.error
    import urllib.request

    from dask.distributed import Client

    with distributed.local_client(1) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        info = client.scheduler_info()
        assert all(w.startswith("tls://127.0.0.1:") for w in info["workers"])
        # Dask always opens an HTTP port; it must serve nothing (no dashboard, metrics, logs)
        port = info["services"].get("dashboard")
        for page in ("/status", "/info/main/workers.html", "/json/counts.json", "/metrics"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=10)
            assert err.value.code == 404
            err.value.close()
        # without the run's credentials nobody can connect: no plain connection, no TLS without a key
        with pytest.raises((OSError, TimeoutError)):
            Client(address.replace("tls://", "tcp://"), timeout=3)
        with pytest.raises((OSError, TimeoutError, TypeError, ValueError)):
            Client(address, timeout=3)


def test_cluster_size_and_scheduler_address_are_refused_by_name(capsys):
    too_many = distributed.max_local_workers() + 1
    args = ["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "10"]
    assert main(args + ["--local-cluster", str(too_many)]) == 2
    assert "--local-cluster must be at most" in capsys.readouterr().err
    assert main(args + ["--local-cluster", "4294967296"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--local-cluster" in err and "4294967296" in err
    assert main(args + ["--dask", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scheduler tcp://127.0.0.1:1: cannot connect within 10 s" in err
