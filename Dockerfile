# One image for every process of the assistant; compose.yml (or a Kubernetes manifest)
# chooses the command: `bot web`, `bot rasa ...` or the action server. See docs/deploy.md.
FROM python:3.10-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    BOT_VAR_DIR=/var/lib/kent-send \
    BOT_MODELS_DIR=/app/models

WORKDIR /app
# Dependencies first, so a content change does not reinstall them.
COPY requirements.lock ./
RUN python -m pip install 'pip==24.0' && python -m pip install -r requirements.lock

COPY . .
# Editable, as `make` installs it: the code finds content/, locales/ and migrations/ beside it.
RUN python -m pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p "$BOT_VAR_DIR" \
    && chown bot "$BOT_VAR_DIR"

# Train while building, so every Rasa replica starts from the same model, in seconds.
# Content errors stop the build here rather than a deployment later.
RUN BOT_VAR_DIR=/tmp/build-var bot content check && BOT_VAR_DIR=/tmp/build-var bot train && rm -rf /tmp/build-var

USER bot
EXPOSE 8000 5005 5055
CMD ["bot", "web"]
