# Everything runs through uv with the locked dependencies (`uv sync --locked` happens on demand).
UV ?= uv
RUN := $(UV) run --locked
CELERY := $(RUN) celery

.PHONY: dev test test-faults lint format bench bot-dev celery-dev celery-beat-dev emulator install
.PHONY: webhook-set webhook-info webhook-delete

install:  ## install the locked dependencies into .venv
	$(UV) sync --locked

dev:  ## the whole stack: Redis, worker, beat, bot (and the sandbox when no token is set); reloads on code changes
	@command -v $(UV) >/dev/null 2>&1 || { echo "uv not found: install it (https://docs.astral.sh/uv/ or: pip install uv)" >&2; exit 1; }
	$(RUN) python -m devtools.devstack

test:  ## the test suite (starts its own redis-server, worker and Bot API emulator), fault injection aside
	$(RUN) pytest -m "not faults"

test-faults:  ## the fault-injection suite: Redis restarts and hangs, a broken Bot API, killed beats and workers (~2 min)
	$(RUN) pytest -m faults

lint:  ## check only: ruff, ruff format, mypy --strict
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy .

format:  ## ruff format first (it wraps long lines), then ruff check --fix, then format what the fixes touched
	$(RUN) ruff format .
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench:  ## benchmarks: figures and ratios against baselines measured in the same run
	$(RUN) python -m bench

bot-dev:  ## the bot alone, long polling
	$(RUN) python -m bot

celery-dev:  ## a worker with auto-reload-free, verbose settings for development
	$(CELERY) -A tasks.worker worker -P prefork -c 2 -l INFO

celery-beat-dev:
	$(CELERY) -A tasks.beat beat -l INFO

emulator:  ## the Bot API emulator and its chat page alone (http://127.0.0.1:8765/; token and port from .env if set)
	@command -v $(UV) >/dev/null 2>&1 || { echo "uv not found: install it (https://docs.astral.sh/uv/ or: pip install uv)" >&2; exit 1; }
	$(RUN) python -m devtools.emulator

# Webhook mode (BOT_MODE=webhook): registering the webhook is a deploy step, never a start-up side effect.
webhook-set:  ## register WEBHOOK_URL with Telegram (secret, handled update types, WEBHOOK_MAX_CONNECTIONS)
	$(RUN) python -m bot webhook set

webhook-info:  ## print getWebhookInfo: pending updates, last error (no secrets)
	$(RUN) python -m bot webhook info

webhook-delete:  ## remove the webhook (back to long polling); pending updates are kept
	$(RUN) python -m bot webhook delete
