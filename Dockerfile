# exile-desk: the Telegram bot in a small image (python:3.12-slim, non-root).
#   docker build -t exile-desk .
#   docker run -e BOT_TOKEN=... -v exile-data:/data exile-desk
# The knowledge folder (/knowledge) and the query log (/data) are volumes; compose.yaml runs both.

FROM python:3.12-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /venv/bin/pip install --no-cache-dir .

FROM python:3.12-slim
COPY --from=build /venv /venv
COPY knowledge /knowledge
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /data bot \
    && mkdir -p /data && chown -R bot:bot /data /knowledge
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOT_DATABASE=/data/querylog.sqlite3 \
    BOT_KNOWLEDGE_DIR=/knowledge \
    BOT_LOG_FORMAT=json
VOLUME ["/data", "/knowledge"]
USER bot
WORKDIR /data
# Only used in webhook mode (BOT_WEBHOOK_URL set; listen on 0.0.0.0:8080 then).
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
