# One image for the bot, the Celery worker and beat (docker-compose.yml picks the command).
# Stage 1 resolves the locked dependencies with a pinned uv; stage 2 is the runtime: no uv, no build
# tools, no developer tools (devtools/, tests/), a non-root user.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-default-groups --no-install-project

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH="/opt/venv/bin:$PATH"
RUN useradd --create-home --uid 10001 app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY bot ./bot
COPY tasks ./tasks
COPY ioc ./ioc
COPY core ./core
COPY LICENSE ./
RUN python -m compileall -q bot tasks ioc core
USER app
CMD ["python", "-m", "bot"]
