"""Start-up time: ``import cyberloss`` in a fresh interpreter (issue 11: under 0.25 s).

Runs R subprocesses of ``python -c "import cyberloss"`` and prints the median wall time, beside
the bare interpreter's start-up for the same command without the import (the difference is the
import's own cost), and names the heavy modules the import loaded (pandas, matplotlib, Dask,
pyarrow and scipy must load only when used).

    .venv/bin/python benchmarks/bench_import.py [--repeats R]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("pandas", "matplotlib", "dask", "distributed", "pyarrow", "scipy")
TARGET_S = 0.25


def median_wall(code: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, cyberloss; print(' '.join(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True).stdout.split()
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    bare = median_wall("pass", args.repeats)
    full = median_wall("import cyberloss", args.repeats)
    print(f"import cyberloss, medians of {args.repeats} subprocesses")
    print(f"  python -c 'pass'              {bare * 1e3:7.1f} ms")
    print(f"  python -c 'import cyberloss'  {full * 1e3:7.1f} ms   (target < {TARGET_S * 1e3:.0f} ms)")
    print(f"  the import itself             {(full - bare) * 1e3:7.1f} ms")
    print(f"  heavy modules loaded: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
