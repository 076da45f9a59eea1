"""Settings: an optional YAML file, then environment variables on top.

Read when asked for (`load`), never at import time. `Settings` is a frozen pydantic model whose
fields carry their parsers, so a value is checked the same way from the file, the environment or
code. Every error names the key and where it came from, so an admin can fix it without reading code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

#: Environment variable naming the config file (``--config`` wins over it).
CONFIG_ENV = "BOT_CONFIG"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which one and where."""


# --- value parsers: each takes the raw value (text from the environment, anything from YAML, a typed
# value from code) and returns it typed, or raises ValueError with the "what is wrong" of the message.


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Path):
        raise ValueError(f"must be a non-empty string, got {value!r}")
    if str(value).strip() == "":
        raise ValueError("must be a non-empty string")
    return str(value).strip()


def _unless_empty(parse: Callable[[object], Any], empty: Any = None) -> PlainValidator:
    """`parse`, but a missing value (YAML ``key:``, an empty string) gives `empty`."""
    return PlainValidator(lambda value: empty if value is None or value == "" else parse(value))


_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")


def _token(value: object) -> str:
    """A bot token; errors never repeat the value, which is a secret."""
    if not isinstance(value, str):
        raise ValueError("must be text such as 123456:ABC-def (quote it in YAML)")
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


def _whole(minimum: int, wording: str) -> PlainValidator:
    """A whole number (digits in text too) of at least `minimum`."""

    def parse(value: object) -> int:
        try:
            number = None if isinstance(value, bool) else int(str(value).strip())
        except ValueError:
            number = None
        if number is None or number < minimum:
            raise ValueError(f"must be {wording}, got {value!r}")
        return number

    return PlainValidator(parse)


def _admin_ids(value: object) -> frozenset[int]:
    if isinstance(value, str):
        items: list[object] = [part for part in value.replace(" ", "").split(",") if part]
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise ValueError("must be a list of Telegram user ids (or a comma-separated string)")
    ids = set()
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool | float) or not text.lstrip("-").isdigit():
            raise ValueError(f"{item!r} is not a Telegram user id (a whole number)")
        if int(text) <= 0:
            raise ValueError(f"{item!r} is not a Telegram user id (user ids are positive; this is a chat)")
        ids.add(int(text))
    return frozenset(ids)


_NonEmptyPath = Annotated[Path, PlainValidator(lambda value: Path(_text(value)))]
_Positive = Annotated[int, _whole(1, "a positive whole number")]


class Settings(BaseModel):
    """Everything the bot and its terminal commands need to know about their environment."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    #: Bot token from @BotFather. Required by ``run`` only.
    token: Annotated[str | None, _unless_empty(_token)] = Field(None, repr=False)
    #: Root of the Bot API server; PTB's ``base_url`` is this plus ``/bot``.
    api_base_url: Annotated[str, PlainValidator(_url)] = "https://api.telegram.org"
    #: SQLite file of the query log.
    database: _NonEmptyPath = Path("querylog.sqlite3")
    #: Telegram user ids allowed to use /reload, /stats and /unanswered.
    admin_ids: Annotated[frozenset[int], _unless_empty(_admin_ids, frozenset())] = frozenset()
    #: Folder with the knowledge YAML files.
    knowledge_dir: _NonEmptyPath = Path("knowledge")
    #: Secret for the keyed hash of user ids in the query log; None: a new one each run.
    hash_secret: Annotated[str | None, _unless_empty(_text)] = Field(None, repr=False)
    #: Query log rows older than this many days are deleted.
    retention_days: _Positive = 90
    #: Questions one user may ask per minute; over it, one notice, then silence until it eases.
    rate_limit_per_minute: _Positive = 20
    #: Messages the bot sends per second in all chats together (Telegram's limit: 30); 0: no limit.
    send_rate_per_second: Annotated[int, _whole(0, "a whole number, 0 or more")] = 30
    #: A dated fact (a residence...) older than this many months is marked as possibly out of date.
    #: The default is bot.knowledge.freshness.STALE_MONTHS (settings import nothing of ours).
    stale_months: _Positive = 12
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


#: The keys a config file may set (``source`` is where it was read from, not a setting).
_KEYS = tuple(key for key in Settings.model_fields if key != "source")

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


def _typed(key: str, raw: object, where: str) -> Any:
    """`raw` as the setting `key` holds it, or a ConfigError: ``where: what is wrong``."""
    try:
        return getattr(Settings.model_validate({key: raw}), key)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {exc.errors()[0]['ctx']['error']}") from None


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
        where = f"{path}:{lines[key]}: {key}" if key in lines else f"{path}: {key}"
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown setting (known: {', '.join(sorted(_KEYS))})")
        value = _typed(key, raw, where)
        if isinstance(value, Path) and not value.is_absolute():
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
        values = {**_read_file(Path(path)), "source": Path(path)}
    for name, key in ENV_VARS.items():
        raw = env.get(name)
        # Blank means unset, except that a blank admin list clears the file's.
        if raw is not None and (raw.strip() or key == "admin_ids"):
            values[key] = _typed(key, raw, f"environment variable {name} ({key})")
    return Settings(**values)
