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
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from telegram.ext import Application

from bot.config import Settings


def secret_token(settings: Settings) -> str:
    """The configured secret, or a new random one (Telegram learns it from setWebhook each start)."""
    return settings.webhook_secret or secrets.token_urlsafe(32)


def route(settings: Settings) -> str:
    """The path the server answers on: the webhook URL's (a proxy passes it on unchanged)."""
    assert settings.webhook_url is not None
    # PTB takes the path as a regular expression; a literal path must not match more.
    return re.escape(urlsplit(settings.webhook_url).path.rstrip("/"))


def run(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings, allowed: Sequence[str]) -> None:
    """Serve the webhook until SIGINT / SIGTERM (PTB's ``run_webhook``: set up, serve, shut down)."""
    assert settings.webhook_url is not None
    app.run_webhook(
        listen=settings.listen.host,
        port=settings.listen.port,
        url_path=route(settings),
        webhook_url=settings.webhook_url,
        allowed_updates=allowed,
        secret_token=secret_token(settings),
    )
