# One image for the bot, the Celery worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv \
    && useradd --create-home --uid 10001 app

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY bot ./bot
COPY tasks ./tasks
COPY ioc ./ioc
COPY core ./core
# devtools/ (emulator, `make dev`) is for developers only and stays out of the image.

USER app
CMD ["python", "-m", "bot"]
