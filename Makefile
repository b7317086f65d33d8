PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BACKENDS := tensorflow jax torch
PYTEST_ARGS ?= -q -n 2
# JAX keeps what it compiles on disk, so the pytest workers and the processes the tests start
# compile each function once (the same executable: results do not change).
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.cache/jax
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS ?= 0
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES ?= 0
# The tests draw initial weights with JAX's older Threefry, which compiles the draw of a new
# weight shape in about 0.26 s on CPU, against 1.3-1.9 s for the default; only the random
# values differ. The notebooks, the demo and the benchmarks keep JAX's default.
JAX_THREEFRY_PARTITIONABLE ?= false
PYTEST = JAX_THREEFRY_PARTITIONABLE=$(JAX_THREEFRY_PARTITIONABLE) $(PY) -m pytest $(PYTEST_ARGS)
CROSS = $(PYTEST) --dist loadgroup tests/cross_backend

.PHONY: install install-bench lint docs test test-cross test-tensorflow test-jax test-torch notebooks demo dist accuracy bench fuzz clean

# The exact builds tested (constraints.txt); the extras name only version ranges.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all,export,test,docs]"
	touch $@

install: $(VENV)/.installed

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# The documentation site, in site/: a broken reference, link or snippet fails the build.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

# One pytest process per backend: Keras binds its backend at import time.
test: lint docs
	@failed=""; \
	for b in $(BACKENDS); do \
		echo "=== KERAS_BACKEND=$$b ($$(date +%T))"; \
		KERAS_BACKEND=$$b $(PYTEST) tests --ignore=tests/cross_backend || failed="$$failed $$b"; \
	done; \
	echo "=== across backends (each in its own process), and the notebooks ($$(date +%T))"; \
	$(CROSS) || failed="$$failed cross-backend"; \
	if [ -n "$$failed" ]; then echo "FAILED under:$$failed"; exit 1; fi; \
	echo "All backends passed ($$(date +%T))."

test-cross: $(VENV)/.installed
	$(CROSS)

# Each notebook picks its own backend; the cross-backend notebook starts the others.
notebooks: $(VENV)/.installed
	cd notebooks && for nb in *.ipynb; do \
		env -u KERAS_BACKEND ../$(VENV)/bin/jupyter execute --inplace "$$nb" || exit 1; \
	done
	$(PY) notebooks/extract_figures.py

# A static pattern rule: make looks up no implicit rule for a .PHONY target.
$(addprefix test-,$(BACKENDS)): test-%: $(VENV)/.installed
	KERAS_BACKEND=$* $(PYTEST) tests --ignore=tests/cross_backend

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all,export,test,docs,bench]"
	touch $@

install-bench: $(VENV)/.bench-installed

accuracy: $(VENV)/.bench-installed
	$(PY) benchmarks/accuracy.py

# Not part of `test`: timings belong on an otherwise idle machine (about 40 min on 2 cores).
bench: $(VENV)/.bench-installed
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/eager_fusion.py

demo: $(VENV)/.installed
	$(VENV)/bin/keras-masked-relu demo

# The wheel and the sdist, in dist/.
dist: $(VENV)/.installed
	rm -rf dist
	$(PY) -m build --outdir dist .

# More seeds of the differential test across backends than `test` runs, float32 and float64:
# `make fuzz N=200 FIRST=5000`. Each disagreement prints the command that reruns its seed.
N ?= 100
FIRST ?= 1000
fuzz: $(VENV)/.installed
	$(PY) tests/differential/run.py --first $(FIRST) --count $(N)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache build dist site
