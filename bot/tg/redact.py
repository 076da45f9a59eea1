"""Keep secrets (the bot token) out of logs, error messages and tracebacks.

PTB puts the token into some messages itself ("The token `...` was rejected by the server"), and
request URLs contain it, so every log record is redacted on its way out, tracebacks included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "<redacted>"


def secret_parts(token: str | None) -> tuple[str, ...]:
    """What to hide for a bot token: the whole token and its secret half (after the colon)."""
    if not token:
        return ()
    secret = token.split(":", 1)[-1]
    return tuple(s for s in (token, secret) if len(s) >= 4)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by a mask (longest first, so the token goes whole)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message and traceback without the secrets."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message, traceback and stack; never drops a record."""
        if not self.secrets:
            return True
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install(token: str | None, logger: logging.Logger | None = None) -> RedactingFilter:
    """Redact `token` from everything the handlers of `logger` (default: root) write."""
    target = logger or logging.getLogger()
    found = RedactingFilter(secret_parts(token))
    for handler in target.handlers:
        handler.addFilter(found)
    return found
