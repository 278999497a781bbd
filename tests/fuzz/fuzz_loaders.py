"""Coverage-guided fuzzing of every loader (``make fuzz``; not part of ``make test``).

atheris (libFuzzer for Python) mutates byte strings; the first byte picks a loader (simulate
spec, quote / bcp / scenario profiles, reinsurance and terms TOML, calibration JSON,
portfolio CSV and Parquet, ``jnsa --set``, command-line flags) and the rest is the file (or
the option text) that ``cyberloss.cli.main`` reads, in-process.  The oracle is the sweep's
(``tests/python/malformed.py``) without the field check, since a random mutation has no
field: exit 0 with strict JSON, or one line ``cyberloss <command>: error: ...`` with exit 2;
never a traceback, a crash, a Python warning, non-finite output or a run over 60 s.  The
seed corpus is the sweep's base documents and a sample of its cases.

    python tests/fuzz/fuzz_loaders.py --minutes 5    # findings in build/fuzz/
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

import atheris  # noqa: E402

import cyberloss.cli  # noqa: E402
import malformed  # noqa: E402
from cyberloss import calibration, config, engine, results, stats  # noqa: E402,F401
from cyberloss.calibration import fitted, jnsa  # noqa: E402,F401
from cyberloss.insurance import decision, pricing, quote, terms  # noqa: E402,F401
from cyberloss.organisation import bcp, components, scenario  # noqa: E402,F401
from cyberloss.portfolio import book, reinsurance  # noqa: E402,F401

cyberloss.cli.build_parser()      # imports every subcommand's module


def _instrument_package() -> int:
    """Coverage for the package's own Python code (the editable install's loader defeats
    atheris's import hook): instrument every function and method of cyberloss.*."""
    import inspect
    import types

    done = 0
    for name, module in list(sys.modules.items()):
        if not (name == "cyberloss" or name.startswith("cyberloss.")) or module is None:
            continue
        for obj in list(vars(module).values()):
            members = [obj] if inspect.isfunction(obj) else (
                [v for v in vars(obj).values()] if inspect.isclass(obj) and obj.__module__ == name else [])
            for f in members:
                f = getattr(f, "__func__", f)
                if isinstance(f, types.FunctionType) and f.__module__ == name:
                    atheris.instrument_func(f)
                    done += 1
    return done

ROOT = malformed.ROOT
OUT = ROOT / "build" / "fuzz"
BOOK = str(ROOT / "examples" / "portfolio_small.csv")
Q = malformed.QUICK

# loader: (file name or None for options, command line with {file})
LOADERS = [
    ("spec.toml", ["simulate", "{file}", *Q["simulate"]]),
    ("profile.toml", ["quote", "{file}", *Q["quote"]]),
    ("plan.toml", ["bcp", "{file}", *Q["bcp"]]),
    ("scenario.toml", ["scenario", "{file}", *Q["scenario"]]),
    ("re.toml", ["portfolio", BOOK, "--reinsurance", "{file}", *Q["portfolio"]]),
    ("terms.toml", ["portfolio", BOOK, "--loss", "covered", "--terms", "{file}", *Q["portfolio"]]),
    ("cal.json", ["jnsa", "--data", "{file}", *Q["jnsa"]]),
    ("book.csv", ["portfolio", "{file}", *Q["portfolio"]]),
    ("book.parquet", ["portfolio", "{file}", *Q["portfolio"]]),
    (None, ["jnsa", *Q["jnsa"], "--set"]),
    (None, ["portfolio", BOOK, *Q["portfolio"]]),
]
_LOADER_OF_CASE = {"simulate-spec": 0, "quote-profile": 1, "bcp-profile": 2, "scenario-profile": 3,
                   "reinsurance-toml": 4, "terms-toml": 5, "calibration-json": 6, "portfolio-csv": 7,
                   "portfolio-parquet": 8}
found: list[str] = []


def case_of(data: bytes) -> malformed.Case:
    if not data:
        data = b"\x00"
    name, argv = LOADERS[data[0] % len(LOADERS)]
    body = data[1:]
    if name is None:
        # options: the bytes are the option text(s), NUL-separated
        words = body.decode("utf-8", errors="replace").split("\x00")[:8]
        return malformed.Case("fuzz", "options", "", argv + [w for w in words if w != ""] if argv[-1] != "--set"
                              else argv + [words[0] or "x=1"])
    return malformed.Case("fuzz", name, "", [a.replace("{file}", "{dir}/" + name) for a in argv], {name: body})


def test_one_input(data: bytes) -> None:
    case = case_of(data)
    with tempfile.TemporaryDirectory(prefix="cyberloss-fuzz-") as folder:
        outcome = malformed.judge(case, Path(folder), names=False)
    if outcome.result in malformed.FAILURES:
        found.append(f"{outcome.result}: {' '.join(case.argv)[:200]} :: {outcome.detail[:400]}")
        raise RuntimeError(found[-1])


def seed_corpus(folder: Path, rng: random.Random) -> int:
    """The sweep's base documents and a sample of its cases, each behind its loader byte."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for case in rng.sample(malformed.generate(), 400):
        index = _LOADER_OF_CASE.get(case.loader)
        if index is None or not case.files:
            continue
        (folder / f"seed-{n:04d}").write_bytes(bytes([index]) + next(iter(case.files.values())))
        n += 1
    bases = [(0, malformed.dump_toml(malformed.SPEC)), (1, malformed.dump_toml(malformed.QUOTE)),
             (2, malformed.dump_toml(malformed.BCP)), (3, malformed.dump_toml(malformed.SCENARIO)),
             (4, malformed.dump_toml(malformed.REINSURANCE)), (5, malformed.dump_toml(malformed.TERMS_FILE))]
    for index, text in bases:
        (folder / f"base-{index}").write_bytes(bytes([index]) + text.encode("utf-8"))
    (folder / "base-7").write_bytes(b"\x07" + malformed.csv_bytes(malformed.BOOK_HEADER, malformed.BOOK))
    (folder / "base-9").write_bytes(b"\x09reporting_factor.sme=12")
    (folder / "base-10").write_bytes(b"\x0a--quota-share=0.3\x00--per-risk-xl=1e7:1e8:1")
    return n + 9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="how long to fuzz (default 2)")
    args, rest = parser.parse_known_args()
    corpus = OUT / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    seeds = seed_corpus(corpus, random.Random(20261130))
    print(f"instrumented {_instrument_package()} functions of cyberloss", flush=True)
    print(f"fuzzing the loaders for {args.minutes:g} min; seed corpus {seeds} inputs in {corpus}", flush=True)
    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={int(args.minutes * 60)}", "-timeout=60",
                   "-rss_limit_mb=8192", f"-artifact_prefix={OUT}/", "-print_final_stats=1", *rest],
                  test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
