# Slimlab. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

APP := sample-app
MVN ?= mvn
MVN_FLAGS ?= -B -ntp -Dstyle.color=never
# Maven's own libraries still use sun.misc.Unsafe; on Java 25 this says so once per run.
MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
export MAVEN_OPTS
SERVER_PORT ?= 8080
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SLIMLAB := $(PY) -m slimlab.cli
TIMED := bash tools/timed.sh
# Seconds one notebook cell may take under nbval (the slowest cold build fits).
CELL_TIMEOUT ?= 1800
# Extra flags for JupyterLab, e.g. LAB_FLAGS=--no-browser on a machine without a desktop.
LAB_FLAGS ?=
# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
OUT ?= build/attendee
SUBMISSIONS ?= .
GRADES ?= build/grades

# Every Java target runs on a JDK 25: JAVA_HOME if it is one, else one found on the machine.
JAVA_HOME := $(shell bash $(APP)/scripts/java-home.sh 2>/dev/null)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

.PHONY: help lab test lint unit engine-tests app-tests notebooks kit doctor student \
        grade clean package run-app maven-repo java25 venv

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-13s %s\n", $$1, $$2 }'

# --- the workbook ------------------------------------------------------------------------

lab: venv ## Open the workbook in JupyterLab on 127.0.0.1 (prepares everything first)
	@$(SLIMLAB) doctor
	@$(SLIMLAB) prepare
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. $(ROOT_FLAG) $(LAB_FLAGS) \
	    --LabApp.default_url=/lab/tree/labs/01-layers/01-layers.ipynb

venv: $(VENV)/.installed ## The Python environment with the pinned dependencies and kernel
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (slimlab)" >/dev/null
	@touch $@

kit: venv ## Build the kit's base images and prime the Maven repository (a no-op when done)
	$(SLIMLAB) kit build

doctor: venv ## Check the Docker engine and show which base images the labs will use
	$(SLIMLAB) doctor

# --- tests: what CI runs -----------------------------------------------------------------

test: ## Everything CI runs: lint, helper tests, app tests, every notebook
	@$(TIMED) python-env $(MAKE) --no-print-directory venv
	@$(TIMED) lint $(MAKE) --no-print-directory lint
	@$(TIMED) unit-tests $(MAKE) --no-print-directory unit
	@$(TIMED) kit $(MAKE) --no-print-directory kit
	@$(TIMED) engine-tests $(MAKE) --no-print-directory engine-tests
	@$(TIMED) app-tests $(MAKE) --no-print-directory app-tests
	@$(TIMED) notebooks $(MAKE) --no-print-directory notebooks

lint: venv ## ruff over the helpers, then mypy over the slimlab package
	$(VENV)/bin/ruff check helpers tests
	$(VENV)/bin/mypy

unit: venv ## The helper package's tests that need no engine
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/unit

engine-tests: venv ## The helper package's tests against the Docker engine
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/engine

notebooks: venv ## Run every notebook under labs/ top to bottom (nbval); checkpoints must pass
	CI=true $(VENV)/bin/pytest -p no:cacheprovider --nbval-lax \
	    --nbval-cell-timeout=$(CELL_TIMEOUT) --durations=10 labs

app-tests: java25 ## The sample app's JUnit tests (also builds sample-app/target/bookshelf.jar)
	$(MVN) $(MVN_FLAGS) -f $(APP)/pom.xml verify

# --- instructors --------------------------------------------------------------------------

student: venv ## Write the attendee edition into OUT (default build/attendee)
	$(SLIMLAB) student $(OUT) --force

grade: venv ## Re-run and score SUBMISSIONS (default: this checkout) into GRADES
	$(SLIMLAB) grade $(SUBMISSIONS) --out $(GRADES)

# --- the app on the host ------------------------------------------------------------------

package: java25 ## Build sample-app/target/bookshelf.jar without running the tests
	$(MVN) $(MVN_FLAGS) -f $(APP)/pom.xml -DskipTests package

$(APP)/target/bookshelf.jar: $(APP)/pom.xml $(shell find $(APP)/src/main -type f)
	$(MAKE) package

run-app: java25 $(APP)/target/bookshelf.jar ## Run the bookshelf app on http://localhost:8080 (SERVER_PORT=... to change)
	@echo "Bookshelf on http://localhost:$(SERVER_PORT)/ - stop it with Ctrl+C"
	SERVER_PORT=$(SERVER_PORT) java -jar $(APP)/target/bookshelf.jar

maven-repo: java25 ## Fill a Maven repository for offline builds (DIR=path) and prove it complete
	bash $(APP)/scripts/prime-maven-repo.sh $(DIR)

clean: ## Remove build outputs, scratch files, and every container and image Slimlab made
	-test -x $(PY) && $(SLIMLAB) clean
	rm -rf $(APP)/target $(APP)/build-proofs build

java25:
	@test -n "$(JAVA_HOME)" || bash $(APP)/scripts/java-home.sh
