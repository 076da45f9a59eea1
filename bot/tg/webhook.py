"""Webhook mode: Telegram posts each update to PTB's webhook server (tornado) instead of long polling.

The server speaks plain HTTP on `Settings.listen`; TLS is for what sits in front of it (a reverse
proxy, or a self-hosted Bot API server posting over http). Each request must carry the secret in
``X-Telegram-Bot-Api-Secret-Token`` (PTB answers 403 otherwise). On start the bot calls
setWebhook with the URL, the secret and the update types it handles; going back to long polling
calls deleteWebhook first (PTB does so before its first getUpdates).
"""

from __future__ import annotations

import re
import secrets
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from telegram.ext import Application

from bot.config import Settings
from bot.tg.journal import Journal, JournalingQueue


class ListenError(Exception):
    """The webhook server cannot listen where `webhook_listen` says; the message says why."""


def check_listen(settings: Settings) -> None:
    """Raise ListenError unless `settings.listen` can be bound now (checked before setWebhook)."""
    host, port = settings.listen
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado binds it
            probe.bind(infos[0][4])
    except OSError as exc:
        raise ListenError(
            f"cannot listen on {settings.listen} (webhook_listen or BOT_WEBHOOK_LISTEN): {exc.strerror or exc}"
        ) from None


def secret_token(settings: Settings) -> str:
    """The configured secret, or a new random one (Telegram learns it from setWebhook each start)."""
    return settings.webhook_secret or secrets.token_urlsafe(32)


def route(settings: Settings) -> str:
    """The path the server answers on: the webhook URL's (a proxy passes it on unchanged)."""
    assert settings.webhook_url is not None
    # PTB takes the path as a regular expression; a literal path must not match more.
    return re.escape(urlsplit(settings.webhook_url).path.rstrip("/"))


def run(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    allowed: Sequence[str],
    journal: Journal,
) -> None:
    """Serve the webhook until SIGINT / SIGTERM (PTB's ``run_webhook``: set up, serve, shut down).

    Each posted message is recorded in `journal` before Telegram gets its 200. Raises
    ListenError, before anything is sent to Telegram, if the address cannot be bound.
    """
    assert settings.webhook_url is not None and app.updater is not None
    check_listen(settings)
    # PTB's server puts each update in the updater's queue (the application's) and answers after.
    app.updater.update_queue = JournalingQueue(app.update_queue, journal)  # type: ignore[assignment]
    app.run_webhook(
        listen=settings.listen.host,
        port=settings.listen.port,
        url_path=route(settings),
        webhook_url=settings.webhook_url,
        allowed_updates=allowed,
        secret_token=secret_token(settings),
    )
