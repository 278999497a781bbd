"""The distributable wheels in dist/ (``make test-wheel`` builds them first), installed as a user
would: a fresh venv outside the repository holding only a wheel and its PyPI dependencies,
commands run from another folder with an empty LD_LIBRARY_PATH."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WHEELS = Path(os.environ.get("CYBERLOSS_WHEELS", REPO / "dist"))
VERSION = re.search(r"project\(cyberloss VERSION ([0-9.]+)",
                    (REPO / "CMakeLists.txt").read_text()).group(1)
# What every manylinux system provides (PEP 600: glibc's libraries, libstdc++, libgcc_s):
# anything else the extension loads must come from inside the wheel.
SYSTEM_LIBRARIES = {"linux-vdso.so.1", "ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6",
                    "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0", "libdl.so.2",
                    "librt.so.1"}
# One run whose bits the SIMD paths must agree on (the same for every interpreter).
SIMULATE = ("import hashlib, cyberloss as cl; "
            "m = cl.Model([cl.AttackType('a', cl.Poisson(0.7), cl.Lognormal(15.0, 2.0)), "
            "cl.AttackType('b', cl.Poisson(0.1), cl.Lognormal(17.0, 1.5))]); "
            "r = cl.simulate(m, years=50_000, seed=11); "
            "print(cl._core.simd_path(), r.mean(), "
            "hashlib.sha256(r.annual_loss.tobytes()).hexdigest())")


def wheel_for(python: str) -> Path:
    tag = subprocess.run([python, "-c", "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')"],
                         capture_output=True, text=True, check=True).stdout.strip()
    found = sorted(WHEELS.glob(f"cyberloss-{VERSION}-{tag}-{tag}-*.whl"))
    if not found:
        pytest.fail(f"no {tag} wheel of cyberloss {VERSION} in {WHEELS}: run `make wheel`")
    return found[-1]


@dataclass
class Venv:
    root: Path
    wheel: Path
    work: Path      # a folder outside the repository to run commands from

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        """No LD_LIBRARY_PATH, no PYTHONPATH, only the venv and the system on PATH."""
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
               "LD_LIBRARY_PATH": "", "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}
        env.update(extra)
        return env

    def run(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(a) for a in args], cwd=self.work, env=self.env(**extra),
                              capture_output=True, text=True, timeout=900)
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(map(str, args))} exited {done.returncode}:\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def python(self, code: str, **extra: str) -> str:
        return self.run(self.bin / "python", "-c", code, **extra).stdout

    def site(self) -> Path:
        return Path(self.python("import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())

    def installed(self) -> set[str]:
        out = self.run(self.bin / "python", "-m", "pip", "list", "--format", "json").stdout
        return {p["name"].lower() for p in json.loads(out)}


def make_venv(tmp_path_factory, name: str, python: str, extras: str = "") -> Venv:
    root = tmp_path_factory.mktemp(name)
    assert REPO not in root.parents, f"venv {root} must lie outside the repository {REPO}"
    wheel = wheel_for(python)
    subprocess.run([python, "-m", "venv", str(root / "venv")], check=True)
    venv = Venv(root / "venv", wheel, root / "work")
    venv.work.mkdir()
    pip_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(venv.bin / "python"), "-m", "pip", "install", "--quiet",
                           f"{wheel}{extras}"], env=pip_env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


@pytest.fixture(scope="module")
def core(tmp_path_factory) -> Venv:
    """``pip install cyberloss``: the wheel with its core dependencies only."""
    return make_venv(tmp_path_factory, "core", sys.executable)


@pytest.fixture(scope="module")
def plot(tmp_path_factory) -> Venv:
    """``pip install 'cyberloss[plot,report]'``: what the demo's plot and HTML report need."""
    return make_venv(tmp_path_factory, "plot", sys.executable, "[plot,report]")


def example(venv: Venv, name: str) -> Path:
    path = venv.site() / "cyberloss" / "examples" / name
    assert path.is_file(), f"{name} is not shipped in the wheel"
    return path


def test_wheel_is_tagged_manylinux_and_carries_onetbb():
    wheel = wheel_for(sys.executable)
    assert re.search(r"-manylinux_\d+_\d+_x86_64(\.manylinux\w+)*\.whl$", wheel.name), wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    bundled = [n for n in names if n.startswith("cyberloss.libs/")]
    assert any(Path(n).name.startswith("libtbb") for n in bundled), bundled
    assert not any("sleef" in n for n in names), "SLEEF is no longer linked (issue 11)"
    assert "cyberloss/examples/sme_manufacturer.toml" in names


@pytest.mark.parametrize("wheel", sorted(WHEELS.glob(f"cyberloss-{VERSION}-*.whl")), ids=lambda w: w.name)
def test_wheel_carries_its_licence_and_those_of_what_it_bundles(wheel):
    """cyberloss's LICENSE in the .dist-info, oneTBB's (Apache-2.0) beside the bundled library,
    and the header-only libraries' compiled into _core; each listed in RECORD."""
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    record = archive.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
    own = [n for n in names if re.fullmatch(rf"cyberloss-{VERSION}\.dist-info/(licenses/)?LICENSE", n)]
    assert own and archive.read(own[0]) == (REPO / "LICENSE").read_bytes(), names
    tbb = archive.read("cyberloss.libs/LICENSE.oneTBB.txt").decode()
    assert any(re.fullmatch(r"cyberloss\.libs/libtbb[-.\w]*\.so[.\d]*", n) for n in names), names
    assert "Intel Corporation" in tbb and "Apache License" in tbb and "Version 2.0, January 2004" in tbb
    headers = archive.read("cyberloss/THIRD_PARTY_LICENSES.txt").decode()
    for needed in ("Eigen", "Mozilla Public License Version 2.0", "D. E. Shaw Research",
                   "Wenzel Jakob", "Redistributions in binary form must reproduce"):
        assert needed in headers, needed
    for name in (own[0], "cyberloss.libs/LICENSE.oneTBB.txt", "cyberloss/THIRD_PARTY_LICENSES.txt"):
        assert any(line.startswith(f"{name},") for line in record.splitlines()), name


def test_core_install_holds_only_numpy_and_pandas(core):
    installed = core.installed()
    assert {"cyberloss", "numpy", "pandas"} <= installed
    for extra in ("matplotlib", "pyarrow", "dask", "distributed", "cryptography", "openpyxl",
                  "starlette", "jinja2", "uvicorn"):
        assert extra not in installed, f"{extra} came with the core install"
    size = int(subprocess.run(["du", "-sk", str(core.root)], capture_output=True, text=True,
                              check=True).stdout.split()[0])
    assert size < 250 * 1024, f"core venv takes {size / 1024:.0f} MiB"


def test_extension_loads_nothing_from_outside_the_wheel_but_the_c_runtime(core):
    site = core.site()
    extension, = (site / "cyberloss").glob("_core*.so")
    out = core.run("ldd", extension).stdout
    bundled = []
    for line in out.strip().splitlines():
        assert "not found" not in line, out
        name, _, rest = line.strip().partition(" => ")
        path = rest.split(" (")[0] if rest else name.split(" (")[0]
        if path.startswith(str(site) + "/"):
            bundled.append(Path(path).name)
        else:
            assert Path(name.split(" (")[0]).name in SYSTEM_LIBRARIES, f"{line.strip()} is not " \
                f"in the wheel and not part of the C/C++ runtime:\n{out}"
    assert any(n.startswith("libtbb") for n in bundled), out
    assert (site / "cyberloss.libs" / "LICENSE.oneTBB.txt").is_file(), "oneTBB's licence is not installed"


def test_simulate_runs_on_every_simd_path_with_the_same_bits(core):
    default = core.python(SIMULATE).split()
    paths = core.python("import cyberloss._core as c; print(*c.simd_paths_available())").split()
    assert "baseline" in paths and default[0] == paths[-1]
    for path in paths:
        forced = core.python(SIMULATE, CYBERLOSS_SIMD=path).split()
        assert forced == [path, *default[1:]]


# The oldest x86-64 code of glibc, NumPy, OpenBLAS and the core (tests/python/test_arith.py).
OLD_CPU = {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F",
           "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
           "OPENBLAS_CORETYPE": "Prescott", "CYBERLOSS_SIMD": "baseline"}


def quote_args(venv: Venv) -> tuple:
    return ("quote", example(venv, "sme_manufacturer.toml"), "--years", "50000", "--json")


def test_a_quote_has_the_same_bits_with_every_cpu_specific_library_path_off(core):
    # The calibration's parameters, not only the engine: glibc's, NumPy's and OpenBLAS's own
    # CPU dispatch must not reach them.
    here = core.run(core.bin / "cyberloss", *quote_args(core)).stdout
    old = core.run(core.bin / "cyberloss", *quote_args(core), **OLD_CPU).stdout
    assert json.loads(old) == json.loads(here) and old == here


def test_version_names_the_package_version_and_simd_path(core):
    out = core.run(core.bin / "cyberloss", "--version").stdout.strip()
    assert out.startswith(f"cyberloss {VERSION} (SIMD path: "), out
    assert core.python("import importlib.metadata as m, cyberloss; "
                       "print(m.version('cyberloss'), cyberloss.__version__)").split() == [VERSION] * 2
    forced = core.run(core.bin / "cyberloss", "--version", CYBERLOSS_SIMD="baseline").stdout
    assert "SIMD path: baseline;" in forced
    bad = core.run(core.bin / "cyberloss", "--version", check=False, CYBERLOSS_SIMD="sse9")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "CYBERLOSS_SIMD" in bad.stderr


def test_portfolio_on_a_local_cluster_names_the_dask_extra(core):
    done = core.run(core.bin / "cyberloss", "portfolio", example(core, "portfolio_small.csv"),
                    "--years", "1000", "--local-cluster", "2", check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "pip install 'cyberloss[dask]'" in done.stderr, done.stderr


def test_demo_without_matplotlib_names_the_plot_extra(core):
    done = core.run(core.bin / "cyberloss", "demo", "--out", "out", check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "pip install 'cyberloss[plot]'" in done.stderr, done.stderr
    assert not (core.work / "out" / "quote.json").exists()


def test_demo_runs_from_a_folder_outside_the_repository(plot):
    done = plot.run(plot.bin / "cyberloss", "demo", "--out", "demo_out")
    for name in ("ep_curve.png", "quote.html", "quote.json"):
        assert (plot.work / "demo_out" / name).stat().st_size > 0, name
    assert json.loads((plot.work / "demo_out" / "quote.json").read_text())
    assert "EP curve written to" in done.stdout


def python310() -> str | None:
    return os.environ.get("CYBERLOSS_PYTHON310") or None


@pytest.mark.skipif(python310() is None, reason="no Python 3.10 given (CYBERLOSS_PYTHON310): "
                    "requires-python's 3.10 claim is not checked")
def test_python310_reads_toml_with_tomli_and_gives_the_same_numbers(tmp_path_factory, core):
    old = make_venv(tmp_path_factory, "py310", python310())
    assert old.python("import sys; print(sys.version_info[:2])").strip() == "(3, 10)"
    assert "tomli" in old.installed()
    spec = example(old, "simulate_basic.toml")
    args = ("simulate", spec, "--years", "20000", "--seed", "5", "--json")
    assert (json.loads(old.run(old.bin / "cyberloss", *args).stdout)
            == json.loads(core.run(core.bin / "cyberloss", *args).stdout))
    assert old.python(SIMULATE).split()[1:] == core.python(SIMULATE).split()[1:]
    # pip resolves another NumPy for 3.10: the calibration's parameters keep their bits
    assert old.run(old.bin / "cyberloss", *quote_args(old)).stdout == \
        core.run(core.bin / "cyberloss", *quote_args(core)).stdout
