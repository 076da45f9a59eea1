"""Settings: an optional YAML file, then environment variables on top.

Read when asked for (`load`), never at import time. Every error names the key and where it came
from, so an admin can fix it without reading code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

#: Environment variable naming the config file (``--config`` wins over it).
CONFIG_ENV = "BOT_CONFIG"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which one and where."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot and its terminal commands need to know about their environment."""

    #: Bot token from @BotFather. Required by ``run`` only.
    token: str | None = field(default=None, repr=False)
    #: Root of the Bot API server; PTB's ``base_url`` is this plus ``/bot``.
    api_base_url: str = "https://api.telegram.org"
    #: SQLite file of the query log.
    database: Path = Path("querylog.sqlite3")
    #: Telegram user ids allowed to use /reload, /stats and /unanswered.
    admin_ids: frozenset[int] = frozenset()
    #: Folder with the knowledge YAML files.
    knowledge_dir: Path = Path("knowledge")
    #: Secret for the keyed hash of user ids in the query log; None: a new one each run.
    hash_secret: str | None = field(default=None, repr=False)
    #: Query log rows older than this many days are deleted.
    retention_days: int = 90
    #: Questions one user may ask per minute; over it, one notice, then silence until it eases.
    rate_limit_per_minute: int = 20
    #: Messages the bot sends per second in all chats together (Telegram's limit: 30); 0: no limit.
    send_rate_per_second: int = 30
    #: The file these settings were read from, if any.
    source: Path | None = None

    @property
    def bot_api_url(self) -> str:
        """PTB's ``base_url``: the API root plus ``/bot`` (the token is appended by PTB)."""
        return self.api_base_url.rstrip("/") + "/bot"

    @property
    def bot_file_url(self) -> str:
        """PTB's ``base_file_url``."""
        return self.api_base_url.rstrip("/") + "/file/bot"


# --- value parsers: each takes the raw value and returns it typed or raises ValueError ----------


def _text(value: object) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"must be a non-empty string, got {value!r}")
    if str(value).strip() == "":
        raise ValueError("must be a non-empty string")
    return str(value).strip()


def _optional_text(value: object) -> str | None:
    return None if value is None or value == "" else _text(value)


_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")


def _token(value: object) -> str | None:
    """A bot token; errors never repeat the value, which is a secret."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError("must be text such as 123456:ABC-def (quote it in YAML)")
    if not _TOKEN.fullmatch(value.strip()):
        raise ValueError(
            "is not a bot token: expected digits, a colon, then letters, digits, _ or - "
            "(as @BotFather gives it, e.g. 123456:ABC-def)"
        )
    return value.strip()


def _url(value: object) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http(s) URL such as http://127.0.0.1:8081, got {text!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"must be the server's root URL without query or fragment, got {text!r}")
    return text.rstrip("/")


def _positive_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"must be a positive whole number, got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a positive whole number, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"must be a positive whole number, got {value!r}")
    return number


def _non_negative_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"must be a whole number, 0 or more, got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a whole number, 0 or more, got {value!r}") from None
    if number < 0:
        raise ValueError(f"must be a whole number, 0 or more, got {value!r}")
    return number


def _admin_ids(value: object) -> frozenset[int]:
    if value is None or value == "":
        return frozenset()
    if isinstance(value, str):
        items: list[object] = [part for part in value.replace(" ", "").split(",") if part]
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise TypeError("must be a list of Telegram user ids (or a comma-separated string)")
    ids = set()
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool | float) or not text.lstrip("-").isdigit():
            raise ValueError(f"{item!r} is not a Telegram user id (a whole number)")
        if int(text) <= 0:
            raise ValueError(f"{item!r} is not a Telegram user id (user ids are positive; this is a chat)")
        ids.add(int(text))
    return frozenset(ids)


_PARSERS: dict[str, Callable[[object], Any]] = {
    "token": _token,
    "api_base_url": _url,
    "database": lambda v: Path(_text(v)),
    "admin_ids": _admin_ids,
    "knowledge_dir": lambda v: Path(_text(v)),
    "hash_secret": _optional_text,
    "retention_days": _positive_int,
    "rate_limit_per_minute": _positive_int,
    "send_rate_per_second": _non_negative_int,
}

#: Environment variables and the setting each overrides.
ENV_VARS: dict[str, str] = {
    "BOT_TOKEN": "token",
    "TELEGRAM_API_BASE_URL": "api_base_url",
    "BOT_DATABASE": "database",
    "BOT_ADMIN_IDS": "admin_ids",
    "BOT_KNOWLEDGE_DIR": "knowledge_dir",
    "BOT_HASH_SECRET": "hash_secret",
    "BOT_RATE_LIMIT": "rate_limit_per_minute",
    "BOT_SEND_RATE": "send_rate_per_second",
}

_PATH_KEYS = ("database", "knowledge_dir")


def _key_lines(text: str) -> dict[str, int]:
    """Line number of each top-level key, for error messages."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")}


def _read_file(path: Path) -> dict[str, Any]:
    """The settings in a YAML file, typed, with relative paths resolved against its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
        lines = _key_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (key: value) at the top level")
    values: dict[str, Any] = {}
    for key, raw in data.items():
        where = f"{path}:{lines[key]}" if key in lines else str(path)
        if key not in _PARSERS:
            known = ", ".join(sorted(_PARSERS))
            raise ConfigError(f"{where}: {key}: unknown setting (known: {known})")
        try:
            value = _PARSERS[key](raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None
        if key in _PATH_KEYS and not value.is_absolute():
            value = path.parent / value
        values[key] = value
    return values


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``path`` (or ``$BOT_CONFIG``; neither: defaults), then the environment.

    Raises ConfigError with the key and the file (or variable) at fault.
    """
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = env[CONFIG_ENV]
    values: dict[str, Any] = {}
    if path is not None:
        values = _read_file(Path(path))
        values["source"] = Path(path)
    for name, key in ENV_VARS.items():
        raw = env.get(name)
        if raw is None or (raw.strip() == "" and key != "admin_ids"):
            continue
        try:
            values[key] = _PARSERS[key](raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"environment variable {name} ({key}): {exc}") from None
    return Settings(**values)
