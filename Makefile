# carclf: `make demo` trains on the embedded car pictures, `make test` runs everything CI runs.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
PY    := $(BIN)/python
# glibc hands large activation buffers back to the OS after every step unless told not to;
# keeping them is ~1.5-2x faster on CPU (measured in bench/, see nbs/explanations/benchmarks.ipynb)
export MALLOC_MMAP_THRESHOLD_ ?= 4294967296
export MALLOC_TRIM_THRESHOLD_ ?= 68719476736

.PHONY: venv demo test export outputs readme docs slides lab chromium

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt settings.ini setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# the main job: generate the car pictures, fine-tune EfficientNet-Lite0 on them, check on held-out pictures, export to model/
demo: venv
	$(BIN)/carclf train --out model

# notebooks -> package, clean notebooks, README from nbs/index.ipynb
export: venv
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	$(PY) tools/slides/rise_cells.py
	$(PY) tools/make_readme.py

# run notebooks and save their outputs, e.g. `make outputs NBS=nbs/api/01_data.ipynb`
outputs: venv
	$(PY) tools/run_nb.py "$(NBS)"

readme: venv
	$(PY) tools/make_readme.py

# the lessons as offline reveal.js decks in _slides/ (pinned reveal.js from npm); `make docs` publishes them
slides: venv
	$(PY) tools/build_slides.py

docs: venv
	$(PY) tools/build_docs.py

# JupyterLab with jupyterlab-rise, open at lesson 1: press "Render the current notebook as Reveal Slideshow" (Alt+R).
# tools/lab_config.py: notebooks from nbs/, nbdev_clean'ed when saved (presenting leaves no diff)
lab: venv
	$(BIN)/jupyter lab --config=$(CURDIR)/tools/lab_config.py --LabApp.default_url=/lab/tree/lessons/lesson1.ipynb \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root) # JupyterLab refuses root without the flag

chromium:
	command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

test: venv chromium
	$(MAKE) slides
	$(MAKE) docs
	$(BIN)/pytest tests
