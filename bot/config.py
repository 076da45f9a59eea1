"""Settings: an optional YAML file, then environment variables on top.

Read when asked for (`load`), never at import time. `Settings` is a frozen pydantic model whose
fields carry their parsers, so a value is checked the same way from the file, the environment or
code. Every error names the key and where it came from, so an admin can fix it without reading code.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

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


def _whole(minimum: int, wording: str, maximum: int | None = None) -> PlainValidator:
    """A whole number (digits in text too) of at least `minimum` (and at most `maximum`)."""

    def parse(value: object) -> int:
        try:
            number = None if isinstance(value, bool) else int(str(value).strip())
        except ValueError:
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            raise ValueError(f"must be {wording}, got {value!r}")
        return number

    return PlainValidator(parse)


def _seconds(value: object) -> float:
    try:
        number = None if isinstance(value, bool) else float(str(value).strip())
    except ValueError:
        number = None
    if number is None or not 0 < number <= 3600:
        raise ValueError(f"must be a number of seconds above 0 and at most 3600, got {value!r}")
    return number


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


#: Week days by name, Monday first (``datetime.date.weekday()`` order).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: object) -> str:
    day = str(value).strip().lower() if isinstance(value, str) else None
    if day not in WEEKDAYS:
        raise ValueError(f"must be a day of the week ({', '.join(WEEKDAYS)}), got {value!r}")
    return day


def _flag(value: object) -> bool:
    """true/false (YAML booleans, or yes/no, on/off, 1/0 as text)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


#: Telegram's rule for a webhook's ``secret_token``.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
#: The Bot API server Telegram runs, and the only ports it posts webhooks to (over https).
OFFICIAL_API_HOST = "api.telegram.org"
OFFICIAL_WEBHOOK_PORTS = (443, 80, 88, 8443)


def _webhook_url(value: object) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"must be the URL Telegram posts updates to, such as https://bot.example.org/telegram, got {text!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"must be a URL without query or fragment, got {text!r}")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        raise ValueError(f"has a port that is not a number from 1 to 65535: {text!r}") from None
    return text


def _webhook_secret(value: object) -> str:
    """Telegram's ``secret_token``; errors never repeat the value."""
    if not isinstance(value, str) or not _WEBHOOK_SECRET.fullmatch(value.strip()):
        raise ValueError(
            "must be 1-256 characters, each a letter A-Z or a-z, a digit, _ or - (Telegram's rule), "
            'e.g. from python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return value.strip()


class Listen(NamedTuple):
    """Address and port a server listens on."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _listen(value: object) -> Listen:
    if isinstance(value, Listen):
        return value
    text = _text(value)
    host, colon, port = text.rpartition(":")
    example = "such as 0.0.0.0:8080, 127.0.0.1:8080 or [::]:8080"
    if not colon or not host:
        raise ValueError(f"must be host:port {example}, got {text!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{host!r} in brackets is not an IPv6 address") from None
    elif ":" in host:
        raise ValueError(f"an IPv6 address goes in brackets, {example}, got {text!r}")
    elif not _HOSTNAME.fullmatch(host):
        raise ValueError(f"{host!r} is not an IP address or host name")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"the port must be a number from 1 to 65535, got {port!r}")
    return Listen(host, int(port))


def _choice(*choices: str) -> PlainValidator:
    def parse(value: object) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")
        return value.strip().lower()

    return PlainValidator(parse)


_NonEmptyPath = Annotated[Path, PlainValidator(lambda value: Path(_text(value)))]
_Positive = Annotated[int, _whole(1, "a positive whole number")]


#: Validation context for checking one value alone (how settings fit together is checked once all are in).
_ONE_KEY = {"one key": True}
#: Where the webhook server listens unless told (behind a reverse proxy on the same host).
DEFAULT_LISTEN = Listen("127.0.0.1", 8080)


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
    #: Secret for the keyed hash of user ids in the query log; None: one generated once and kept
    #: beside the database (``<database>.secret``, owner-only).
    hash_secret: Annotated[str | None, _unless_empty(_text)] = Field(None, repr=False)
    #: Query log rows older than this many days are deleted.
    retention_days: _Positive = 90
    #: Whether the text of questions from private chats and inline mode is stored (else only
    #: the outcome and the entry answered).
    log_private_text: Annotated[bool, PlainValidator(_flag)] = True
    #: Seconds without a new inline query after which a user's typing counts as settled (logged).
    inline_settle_seconds: Annotated[float, PlainValidator(_seconds)] = 20.0
    #: Questions one user may ask per minute; over it, one notice, then silence until it eases.
    rate_limit_per_minute: _Positive = 20
    #: Messages the bot sends per second in all chats together (Telegram's limit: 30); 0: no limit.
    send_rate_per_second: Annotated[int, _whole(0, "a whole number, 0 or more")] = 30
    #: Webhook mode: the https URL Telegram posts updates to; None: long polling.
    webhook_url: Annotated[str | None, _unless_empty(_webhook_url)] = None
    #: Webhook mode: where the bot's own (plain HTTP) webhook server listens.
    webhook_listen: Annotated[Listen | None, _unless_empty(_listen)] = None
    #: Webhook mode: the secret Telegram sends in each request's header; None: a new one each run.
    webhook_secret: Annotated[str | None, _unless_empty(_webhook_secret)] = Field(None, repr=False)
    #: Log lines as plain text, or as one JSON object per line.
    log_format: Annotated[Literal["text", "json"], _choice("text", "json")] = "text"
    #: A changeable fact (residence, a current post) reported longer ago than this many months is
    #: stale: replies mark it as possibly out of date; ``validate`` warns about each, ``stale``, ``/stale``
    #: and the weekly digest list them.
    #: The default is bot.knowledge.freshness.STALE_MONTHS (settings import nothing of ours).
    stale_months: _Positive = 12
    #: Whether admins get the weekly digest (stale facts, top unanswered questions).
    digest_enabled: Annotated[bool, PlainValidator(_flag)] = True
    #: Day of the week the digest is sent (monday ... sunday).
    digest_day: Annotated[str, PlainValidator(_weekday)] = "monday"
    #: Hour of that day (0-23, UTC) the digest is sent at.
    digest_hour: Annotated[int, _whole(0, "an hour from 0 to 23", 23)] = 9
    #: The file these settings were read from, if any.
    source: Path | None = None

    @model_validator(mode="after")
    def _fits_together(self, info: ValidationInfo) -> Settings:
        if info.context != _ONE_KEY and (found := self._conflict()):
            key, why = found
            raise PydanticCustomError("conflict", "{key}: {why}", {"key": key, "why": why})
        return self

    def _conflict(self) -> tuple[str, str] | None:
        """The first setting that does not fit the others, and why."""
        if not self.webhook_url:
            for key in ("webhook_listen", "webhook_secret"):
                if getattr(self, key) is not None:
                    return key, "has no effect without webhook_url: set both, or neither for long polling"
            return None
        url = urlsplit(self.webhook_url)
        if urlsplit(self.api_base_url).hostname == OFFICIAL_API_HOST and (
            url.scheme != "https" or (url.port or 443) not in OFFICIAL_WEBHOOK_PORTS
        ):
            ports = ", ".join(map(str, OFFICIAL_WEBHOOK_PORTS))
            return "webhook_url", (
                f"Telegram posts webhooks only to https URLs on ports {ports}, got {self.webhook_url!r} "
                "(http and other ports work only with a self-hosted Bot API server as api_base_url)"
            )
        return None

    @property
    def listen(self) -> Listen:
        """Where the webhook server listens (default: this host only, port 8080)."""
        return self.webhook_listen or DEFAULT_LISTEN

    @property
    def status_file(self) -> Path:
        """The running bot's health status (`python -m bot health` reads it), beside the database."""
        return self.database.with_name(self.database.name + ".status.json")

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
    "BOT_LOG_PRIVATE_TEXT": "log_private_text",
    "BOT_INLINE_SETTLE": "inline_settle_seconds",
    "BOT_WEBHOOK_URL": "webhook_url",
    "BOT_WEBHOOK_LISTEN": "webhook_listen",
    "BOT_WEBHOOK_SECRET": "webhook_secret",
    "BOT_LOG_FORMAT": "log_format",
    "BOT_STALE_MONTHS": "stale_months",
}


def _typed(key: str, raw: object, where: str) -> Any:
    """`raw` as the setting `key` holds it, or a ConfigError: ``where: what is wrong``."""
    try:
        return getattr(Settings.model_validate({key: raw}, context=_ONE_KEY), key)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {exc.errors()[0]['ctx']['error']}") from None


def _key_lines(text: str) -> dict[str, int]:
    """Line number of each top-level key, for error messages."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")}


def _read_file(path: Path, wheres: dict[str, str]) -> dict[str, Any]:
    """The settings in a YAML file, typed, with relative paths resolved against its folder.

    Where each came from (``file:line: key``) goes into `wheres`.
    """
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
        wheres[key] = where
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
    wheres: dict[str, str] = {}
    if path is not None:
        values = {**_read_file(Path(path), wheres), "source": Path(path)}
    for name, key in ENV_VARS.items():
        raw = env.get(name)
        # Blank means unset, except that a blank admin list clears the file's.
        if raw is not None and (raw.strip() or key == "admin_ids"):
            wheres[key] = f"environment variable {name} ({key})"
            values[key] = _typed(key, raw, wheres[key])
    try:
        return Settings(**values)
    except ValidationError as exc:  # settings that do not fit together
        context = exc.errors()[0].get("ctx", {})
        key = context.get("key", "")
        raise ConfigError(f"{wheres.get(key, key)}: {context.get('why', exc)}") from None
