"""Logging for ``python -m bot run``: plain text lines, or one JSON object per line for collectors.

Either way the token is redacted (`bot.tg.redact`) before a record is formatted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Literal

from bot.tg import redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message; exc and stack if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (newlines inside values are escaped)."""
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: Literal["text", "json"], token: str | None) -> None:
    """Log INFO and up to stderr in `log_format`, with `token` redacted from every record."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(handlers=[handler], level=logging.INFO, force=True)
    # APScheduler logs two lines each time a job runs: every 10 s for the health heartbeat.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    redact.install(token)
