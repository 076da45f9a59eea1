"""The baseline for bench/e2e.py: a trivial PTB echo bot.

    BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT python bench/echo_bot.py

Same library, HTTP transport (PTB's stock one, httpx), connection pool size, long polling and
update concurrency as ``python -m bot run``; it only sends the text back, so the difference to
our bot is the engine, composer, query log and the size of our replies.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.tg.app import CONNECTION_POOL_SIZE, MAX_CONCURRENT_UPDATES, POOL_TIMEOUT


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    """Long-poll until SIGINT / SIGTERM."""
    root = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(MAX_CONCURRENT_UPDATES)
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(POOL_TIMEOUT)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
