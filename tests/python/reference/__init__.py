"""NumPy reference implementations: test oracles, not shipped with the package.

These are the Python implementations the C++ core replaced (taken from the package before
issue 11), kept so the tests can still compare the core with an independent computation of
the same numbers:

* ``incident``: the per-incident organisation model (AS241 normal quantile, share draws,
  downtime, business interruption, effort; calibration v2's major / contained branches, size
  scales and minor incidents) and a NumPy ``simulate_organisation``;
* ``terms``: a policy's terms on an event table (the cumulative-sum aggregate limit);
* ``pricing``: premium principles as weights on dense annual losses, their SEs;
* ``decision``: the deductible x limit grid built from the two above;
* ``measures``: VaR / TVaR / EP tables with SEs from full sorts;
* ``portfolio``: the portfolio block (policy terms, reinsurance, per-year and per-policy
  sums) and the Python losses (survey, organisation, covered; on either basis).
"""
