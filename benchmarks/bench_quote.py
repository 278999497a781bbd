"""Acceptance benchmark of the quote and BCP workflows against the bare engine (issue 11).

In one process, alternately, medians of R runs:

* quote: ``cyberloss quote examples/sme_manufacturer.toml`` as the CLI runs it
  (``quote_profile`` + ``Quote.text()``: the organisation simulation, the terms, statistics,
  premiums, EP curve and the deductible x limit grid) against the bare engine run of the same
  organisation's model for the same years and seed (``engine.simulate``; target <= 3x); for
  context, also against the organisation simulation every quote runs first (its incidents drawn
  and costed, ``simulate_organisation``), the part no design of the insurance side removes;
* bcp: ``cyberloss bcp examples/manufacturer.toml`` (``run_plan`` + the table) against the
  bare engine runs of every variant's model (the engine's time for the same incidents;
  target <= 2x).

Then the wall time of each CLI command, text and ``--json`` (a fresh interpreter: start-up,
import, run, print), medians of R subprocess runs with the package's bytecode cached, as
installed (target for the quote: < 1.5 s), with the number of modules it loads and whether
pandas is among them (it should not be: its import costs about a third of the quote).

    .venv/bin/python benchmarks/bench_quote.py [--repeats R] [--threads T] [--no-cli]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import pathlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from cyberloss import engine
from cyberloss.cli import bcp as cli_bcp
from cyberloss.insurance import quote
from cyberloss.organisation import OrganisationProfile, bcp, organisation_model, simulate_organisation
from cyberloss.organisation.profile import read_profile

ROOT = pathlib.Path(__file__).resolve().parent.parent
QUOTE_EXAMPLE = ROOT / "examples" / "sme_manufacturer.toml"
BCP_EXAMPLE = ROOT / "examples" / "manufacturer.toml"
CLI = pathlib.Path(sys.executable).with_name("cyberloss")


def median_time(f: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def alternate(runs: dict[str, Callable[[], object]], repeats: int
              ) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall and CPU (all threads of this process) time of each run, the runs
    interleaved so that load on the shared machine falls on all of them alike."""
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats):
        for name, f in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            f()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return ({k: statistics.median(v) for k, v in wall.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def quote_runs(threads: int | None) -> tuple[str, dict[str, Callable[[], object]]]:
    policy, settings = quote.read_quote_toml(QUOTE_EXAMPLE)
    profile = OrganisationProfile.from_document(read_profile(QUOTE_EXAMPLE))
    model = organisation_model(profile)[0]
    years, seed = settings.years, settings.seed

    def workflow() -> None:
        quote.quote_profile(QUOTE_EXAMPLE).text()

    def bare() -> None:
        engine.simulate(model, years, seed, threads=threads)

    def simulation() -> None:
        simulate_organisation(profile, years, seed, threads=threads)

    label = (f"quote {QUOTE_EXAMPLE.name}: {years:,} years, {len(settings.decision.deductibles)} x "
             f"{len(settings.decision.limits)} grid")
    return label, {"engine": bare, "simulation": simulation, "workflow": workflow}


def bcp_runs(threads: int | None) -> tuple[str, dict[str, Callable[[], object]]]:
    plan = bcp.BcpPlan.from_toml(BCP_EXAMPLE)
    s = plan.settings
    models = [organisation_model(v.profile, s.basis, s.period)[0] for v in plan.variants]

    def workflow() -> None:
        cli_bcp.format_table(bcp.run_plan(plan, threads=threads))

    def bare() -> None:
        for m in models:
            engine.simulate(m, s.years, s.seed, threads=threads)

    label = f"bcp {BCP_EXAMPLE.name}: {len(models)} variants x {s.years:,} years"
    return label, {"engine": bare, "workflow": workflow}


def cli_wall(args: list[str], repeats: int) -> float:
    # As an installed package runs: with its modules' bytecode cached (pip compiles it at
    # install time; an editable install caches it on first import), even where the shell sets
    # PYTHONDONTWRITEBYTECODE, which would make every start compile the package again. One
    # untimed run first writes the cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run() -> None:
        subprocess.run([str(CLI), *args], check=True, stdout=subprocess.DEVNULL, env=env)
    run()
    return median_time(run, repeats)


def cli_modules(args: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after running ``cyberloss args``."""
    code = ("import sys\nfrom cyberloss.cli import main\nmain(sys.argv[1:])\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                          text=True)
    return set(done.stderr.split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI wall times")
    args = ap.parse_args()

    for (label, runs), target in ((quote_runs(args.threads), 3.0), (bcp_runs(args.threads), 2.0)):
        with contextlib.redirect_stdout(io.StringIO()):
            for f in runs.values():
                f()   # warm: calibration and component data loaded, pages touched
        t, c = alternate(runs, args.repeats)
        print(f"{label}; medians of {args.repeats} (wall, and CPU of all threads: the steadier "
              "figure on a shared machine)")
        print(f"  bare engine        {t['engine'] * 1e3:8.1f} ms wall {c['engine'] * 1e3:8.1f} ms CPU")
        print(f"  workflow           {t['workflow'] * 1e3:8.1f} ms wall {c['workflow'] * 1e3:8.1f} ms CPU")
        print(f"  ratio              {t['workflow'] / t['engine']:8.2f}x wall "
              f"{c['workflow'] / c['engine']:7.2f}x CPU   (target <= {target:g}x)")
        if "simulation" in runs:
            # Context for the target: what every quote must run before any insurance, the
            # organisation's incidents drawn and costed (the engine and the per-incident pricing).
            print(f"  simulation         {t['simulation'] * 1e3:8.1f} ms wall "
                  f"{c['simulation'] * 1e3:8.1f} ms CPU   (context: the organisation's incidents "
                  f"drawn and costed, {t['simulation'] / t['engine']:.2f}x the engine wall, "
                  f"{c['simulation'] / c['engine']:.2f}x CPU)")
            print(f"  workflow / simulation {t['workflow'] / t['simulation']:5.2f}x wall "
                  f"{c['workflow'] / c['simulation']:7.2f}x CPU")
    if not args.no_cli:
        for cmd, target in ((["quote", str(QUOTE_EXAMPLE)], " (target < 1.5 s)"),
                            (["quote", str(QUOTE_EXAMPLE), "--json"], ""),
                            (["bcp", str(BCP_EXAMPLE)], ""), (["bcp", str(BCP_EXAMPLE), "--json"], "")):
            w = cli_wall(cmd, args.repeats)
            loaded = cli_modules(cmd)
            shown = " ".join([cmd[0], f"examples/{pathlib.Path(cmd[1]).name}", *cmd[2:]])
            print(f"CLI `cyberloss {shown}` wall, median of {args.repeats}: {w:.2f} s{target}; "
                  f"{len(loaded)} modules, pandas {'loaded' if 'pandas' in loaded else 'not loaded'}")


if __name__ == "__main__":
    main()
