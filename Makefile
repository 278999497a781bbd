# cyberloss — two commands do everything on a fresh Debian machine:
#   make demo   install what is missing, build, price an example organisation
#   make test   install what is missing, build, run Catch2 (ctest) and pytest
# Every step leaves a stamp in .make/ and is skipped when its inputs have not changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD_DIR := build/py
STAMPS := .make
# OFF: a binary for any x86-64 CPU (SIMD kernels chosen at run time). ON adds -march=native to
# the non-kernel code, for local experiments only. Passed explicitly so that a build directory
# configured before the default changed does not keep an old value.
CYBERLOSS_NATIVE ?= OFF
APT_PACKAGES := libeigen3-dev libtbb-dev catch2 librandom123-dev fonts-ipaexfont-gothic g++ make clang-format chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

CPP_SOURCES := CMakeLists.txt $(wildcard include/cyberloss/*.hpp src/*.cpp src/*.hpp src/simd/*.cpp src/simd/*.hpp python/src/*.cpp python/src/*.hpp tests/cpp/*.cpp tests/cpp/*.hpp tests/cpp/*.cmake benchmarks/*.cpp benchmarks/*.hpp)
PY_SOURCES := $(shell find python/cyberloss -type f -not -path '*/__pycache__/*' -not -name '*.so' 2>/dev/null)

# The sanitizer build: its own CMake build dir, a staged copy of the package with the sanitized
# extension, and a bare venv that sees .venv's packages without its editable-install hook.
SAN_DIR := build/sanitize
SAN_PKG := $(SAN_DIR)/pkg
SAN_VENV := $(SAN_DIR)/venv
SAN_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LD_PRELOAD="$$(g++ -print-file-name=libasan.so) $$(g++ -print-file-name=libstdc++.so)"

.PHONY: all demo docs test test-cpp test-python test-sanitize lint bench fuzz sysdeps venv build clean distclean

all: build

$(STAMPS):
	mkdir -p $(STAMPS)

# Debian libraries: installed only when one of them is missing.
$(STAMPS)/sysdeps: Makefile | $(STAMPS)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi
	touch $@

# Python environment: build tools and the runtime and test dependencies, from PyPI.
$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "scikit-build-core>=0.10" "pybind11>=2.13" cmake ninja
	$(PY) -m pip install --quiet $$($(PY) -c "import tomllib;d=tomllib.load(open('pyproject.toml','rb'))['project'];print(' '.join(repr(x) for x in d['dependencies']+d['optional-dependencies']['test']+d['optional-dependencies']['docs']))" | tr -d "'")
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# One CMake build (scikit-build-core) makes the extension and the Catch2 tests.
$(STAMPS)/build: $(STAMPS)/sysdeps $(STAMPS)/venv $(CPP_SOURCES) $(PY_SOURCES) pyproject.toml
	$(PY) -m pip install --quiet --no-build-isolation --no-deps \
	  -Cbuild-dir=$(BUILD_DIR) -Ccmake.define.CYBERLOSS_BUILD_TESTS=ON -Ceditable.rebuild=false \
	  -Ccmake.define.CYBERLOSS_NATIVE=$(CYBERLOSS_NATIVE) \
	  --editable .
	touch $@

sysdeps: $(STAMPS)/sysdeps
venv: $(STAMPS)/venv
build: $(STAMPS)/build

test-cpp: build
	$(VENV)/bin/ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

test-python: build
	$(PY) -m pytest -q

# ruff (pyproject.toml), mypy on the package, clang-format (.clang-format) on the C++.
CPP_FORMATTED := $(wildcard include/cyberloss/*.hpp src/*.cpp src/*.hpp src/*/*.cpp src/*/*.hpp python/src/*.cpp python/src/*.hpp tests/cpp/*.cpp tests/cpp/*.hpp benchmarks/*.cpp benchmarks/*.hpp)
lint: build
	$(PY) -m ruff check python tests benchmarks
	$(PY) -m mypy
	clang-format --dry-run -Werror $(CPP_FORMATTED)

# The documentation site (MkDocs, strict): build/site.  After test-python it reuses the
# notebooks that the tests executed (build/test-output/notebooks) instead of running them again.
docs: build
	$(PY) docs/build_site.py

test: lint test-cpp test-python docs

# ASan + UBSan: the Catch2 tests (leak checking on) and the Python suite minus the notebooks
# (Python itself is not instrumented: the ASan runtime is preloaded, with libstdc++ so that its
# exception interceptor finds __cxa_throw; leak checking is off). -O1 -g1: ASan's recommended
# optimisation with line tables, quicker to build than -O2 -g. test_memory_checks.py is left
# out: it measures peak memory, which ASan's shadow memory and quarantine inflate.
$(STAMPS)/sanitize-build: $(STAMPS)/sysdeps $(STAMPS)/venv $(CPP_SOURCES) $(PY_SOURCES) pyproject.toml
	$(VENV)/bin/cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCYBERLOSS_SANITIZE=ON -DCYBERLOSS_BUILD_BENCHMARKS=OFF \
	  -DPython_EXECUTABLE=$(abspath $(PY)) -Dpybind11_DIR=$$($(PY) -m pybind11 --cmakedir)
	$(VENV)/bin/cmake --build $(SAN_DIR)
	rm -rf $(SAN_PKG) $(SAN_VENV)
	$(VENV)/bin/cmake --install $(SAN_DIR) --prefix $(SAN_PKG) >/dev/null
	cp -r python/cyberloss/. $(SAN_PKG)/cyberloss/
	$(PYTHON) -m venv --without-pip $(SAN_VENV)
	{ echo $(abspath $(SAN_PKG)); $(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"; } \
	  > $$($(SAN_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/cyberloss-sanitize.pth
	printf '#!%s\nimport sys\nfrom cyberloss.cli import main\nsys.exit(main())\n' $(abspath $(SAN_VENV)/bin/python) \
	  > $(SAN_VENV)/bin/cyberloss && chmod +x $(SAN_VENV)/bin/cyberloss
	touch $@

test-sanitize: $(STAMPS)/sanitize-build
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(VENV)/bin/ctest --test-dir $(SAN_DIR) --output-on-failure -j2
	$(SAN_ENV) $(SAN_VENV)/bin/python -c "import cyberloss._core as c, sys; \
	  f = c.__file__; print('sanitized extension:', f); \
	  sys.exit(0 if f.startswith('$(abspath $(SAN_PKG))/') else 'not the sanitized extension: ' + f)"
	$(SAN_ENV) $(SAN_VENV)/bin/python -m pytest -q -p no:cacheprovider --durations=10 -m "not browser" \
	  --ignore=tests/python/test_notebooks.py --ignore=tests/python/test_memory_checks.py

demo: build
	$(VENV)/bin/cyberloss demo --out demo_out

# Coverage-guided fuzzing of the loaders (atheris); not part of `make test`.
FUZZ_MINUTES ?= 2
fuzz: build
	$(PY) -m pip install --quiet "atheris>=2.3"
	$(PY) tests/fuzz/fuzz_loaders.py --minutes $(FUZZ_MINUTES)

bench: build
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_frequency.py
	$(PY) benchmarks/bench_layers.py
	$(PY) benchmarks/bench_big_run.py
	for path in $$($(PY) -c "import cyberloss._core as c; print(*c.simd_paths_available())"); do \
	  CYBERLOSS_SIMD=$$path $(BUILD_DIR)/cyberloss_bench_kernels || exit 1; done

clean:
	rm -rf build $(STAMPS)/build $(STAMPS)/sanitize-build

distclean:
	rm -rf build $(VENV) $(STAMPS)
