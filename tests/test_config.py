"""Settings: defaults, the YAML file, environment overrides and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.config import DEFAULT_LISTEN, ConfigError, Listen, Settings, load
from tests.conftest import ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_and_no_environment_gives_defaults() -> None:
    settings = load(env={})
    assert settings == Settings()
    assert settings.token is None
    assert settings.admin_ids == frozenset()
    assert settings.bot_api_url == "https://api.telegram.org/bot"


def test_example_config_loads_and_matches_the_defaults(tmp_path: Path) -> None:
    example = ROOT / "config.example.yaml"
    settings = load(example, env={})
    defaults = Settings()
    assert settings.source == example
    assert settings.database == ROOT / defaults.database
    assert settings.knowledge_dir == ROOT / defaults.knowledge_dir
    for key in ("token", "api_base_url", "admin_ids", "hash_secret", "retention_days"):
        assert getattr(settings, key) == getattr(defaults, key), key
    assert settings.rate_limit_per_minute == defaults.rate_limit_per_minute


def test_every_setting_is_documented_in_the_example() -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    keys = set(yaml.safe_load(text))
    fields = set(Settings.model_fields) - {"source"}
    assert keys == fields
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith(("#", " ")):
            assert lines[number - 1].startswith("#"), f"{line!r} has no comment above it"


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "token: '123:abc'\n"
        "api_base_url: http://127.0.0.1:8081/\n"
        "database: data/log.sqlite3\n"
        "admin_ids: [1, 22]\n"
        "knowledge_dir: /srv/knowledge\n"
        "hash_secret: s3cret\n"
        "retention_days: 30\n"
        "rate_limit_per_minute: 5\n",
    )
    settings = load(path, env={})
    assert settings.token == "123:abc"
    assert settings.api_base_url == "http://127.0.0.1:8081"
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.bot_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.database == tmp_path / "data/log.sqlite3"
    assert settings.knowledge_dir == Path("/srv/knowledge")
    assert settings.admin_ids == {1, 22}
    assert settings.hash_secret == "s3cret"
    assert settings.retention_days == 30
    assert settings.rate_limit_per_minute == 5


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "token: 1:from-file\nadmin_ids: [1]\ndatabase: a.sqlite3\n")
    env = {
        "BOT_TOKEN": "2:from-env",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9999",
        "BOT_DATABASE": "b.sqlite3",
        "BOT_ADMIN_IDS": " 5, 6,7 ",
    }
    settings = load(path, env=env)
    assert settings.token == "2:from-env"
    assert settings.api_base_url == "http://127.0.0.1:9999"
    assert settings.database == Path("b.sqlite3")
    assert settings.admin_ids == {5, 6, 7}


def test_bot_config_variable_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "retention_days: 7\n")
    assert load(env={"BOT_CONFIG": str(path)}).retention_days == 7
    other = tmp_path / "other.yaml"
    other.write_text("retention_days: 8\n", encoding="utf-8")
    assert load(other, env={"BOT_CONFIG": str(path)}).retention_days == 8


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load(write(tmp_path, "# nothing\n"), env={}).retention_days == 90


def test_empty_admin_variable_clears_the_file_list(tmp_path: Path) -> None:
    path = write(tmp_path, "admin_ids: [1]\n")
    assert load(path, env={"BOT_ADMIN_IDS": ""}).admin_ids == frozenset()


def test_token_is_not_shown_in_repr() -> None:
    settings = Settings(token="123:secret", hash_secret="hush")
    assert "secret" not in repr(settings)
    assert "hush" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("retention_days: soon\n", "config.yaml:1: retention_days: must be a positive whole"),
        ("token: 1:x\nretention_days: 0\n", "config.yaml:2: retention_days:"),
        ("admin_ids: [1, bob]\n", "admin_ids: 'bob' is not a Telegram user id"),
        ("api_base_url: ftp://x\n", "api_base_url: must be an http(s) URL"),
        ("colour: blue\n", "config.yaml:1: colour: unknown setting"),
        ("- a\n- b\n", "config.yaml: expected a mapping"),
        ("token: [unclosed\n", "config.yaml:2: not valid YAML"),
        ("database: ''\n", "database: must be a non-empty string"),
    ],
)
def test_file_errors_name_the_key_and_file(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), env={})
    assert expected in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read config file"):
        load(tmp_path / "nope.yaml", env={})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOT_ADMIN_IDS", "1,two", "BOT_ADMIN_IDS (admin_ids): 'two' is not a Telegram user id"),
        ("TELEGRAM_API_BASE_URL", "127.0.0.1:8081", "TELEGRAM_API_BASE_URL (api_base_url)"),
    ],
)
def test_environment_errors_name_the_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(env={name: value})
    assert expected in str(caught.value)


def test_a_bad_file_value_is_an_error_even_under_an_environment_override(tmp_path: Path) -> None:
    path = write(tmp_path, "retention_days: 7\ntoken: not-a-token\nrate_limit_per_minute: none\n")
    with pytest.raises(ConfigError) as caught:
        load(path, env={"BOT_TOKEN": "1:from-env", "BOT_RATE_LIMIT": "nope"})
    message = str(caught.value)  # the file's first error, in the file's order
    assert message.startswith(f"{path}:2: token: is not a bot token"), message
    assert "not-a-token" not in message


def test_blank_variables_leave_the_file_value(tmp_path: Path) -> None:
    path = write(tmp_path, "token: '1:from-file'\nrate_limit_per_minute: 3\n")
    settings = load(path, env={"BOT_TOKEN": "  ", "BOT_RATE_LIMIT": ""})
    assert (settings.token, settings.rate_limit_per_minute) == ("1:from-file", 3)


def test_settings_made_in_code_are_checked_the_same_way() -> None:
    settings = Settings(database="x.sqlite3", admin_ids={3}, api_base_url="http://127.0.0.1:1/")
    assert settings.database == Path("x.sqlite3")
    assert settings.admin_ids == frozenset({3})
    assert settings.api_base_url == "http://127.0.0.1:1"
    with pytest.raises(ValidationError) as caught:
        Settings(token="123:sec ret")
    assert "is not a bot token" in str(caught.value)
    assert "sec ret" not in str(caught.value)
    with pytest.raises(ValidationError, match="colour"):
        Settings(colour="blue")
    with pytest.raises(ValidationError, match="frozen"):
        settings.token = "1:x"


# --- webhook mode and log format ---------------------------------------------------------------


def test_webhook_settings_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "webhook_url: https://bot.example.org/telegram\nlog_format: JSON\n")
    settings = load(path, env={"BOT_WEBHOOK_LISTEN": "0.0.0.0:8443", "BOT_WEBHOOK_SECRET": "a-Z_09" * 40})
    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert settings.listen == Listen("0.0.0.0", 8443) and str(settings.listen) == "0.0.0.0:8443"
    assert settings.webhook_secret == "a-Z_09" * 40 and "a-Z_09" not in repr(settings)
    assert settings.log_format == "json"
    assert load(env={"BOT_WEBHOOK_URL": "https://b.example.org:8443/"}).listen == DEFAULT_LISTEN
    ipv6 = load(env={"BOT_WEBHOOK_URL": "https://b.example.org/", "BOT_WEBHOOK_LISTEN": "[::]:80"})
    assert ipv6.listen == Listen("::", 80) and str(ipv6.listen) == "[::]:80"
    assert load(env={}).webhook_url is None and load(env={}).log_format == "text"


def test_with_a_self_hosted_bot_api_server_the_webhook_may_be_http_on_any_port() -> None:
    env = {"TELEGRAM_API_BASE_URL": "http://telegram-bot-api:8081", "BOT_WEBHOOK_URL": "http://bot:8080/tg"}
    assert load(env=env).webhook_url == "http://bot:8080/tg"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("webhook_url: http://bot.example.org/tg\n",
         "config.yaml:1: webhook_url: Telegram posts webhooks only to https URLs on ports 443, 80, 88, 8443"),
        ("webhook_url: https://bot.example.org:9000/tg\n", "config.yaml:1: webhook_url: Telegram posts"),
        ("webhook_url: bot.example.org/tg\n", "config.yaml:1: webhook_url: must be the URL Telegram posts"),
        ("webhook_url: https://b.example.org/?k=1\n", "webhook_url: must be a URL without query or fragment"),
        ("webhook_url: https://b.example.org:99999/\n", "webhook_url: has a port that is not a number"),
        ("webhook_url: https://b.example.org/\nwebhook_listen: 8443\n",
         "config.yaml:2: webhook_listen: must be host:port such as 0.0.0.0:8080"),
        ("webhook_url: https://b.example.org/\nwebhook_listen: 0.0.0.0:http\n",
         "config.yaml:2: webhook_listen: the port must be a number from 1 to 65535, got 'http'"),
        ("webhook_url: https://b.example.org/\nwebhook_listen: '::1:8443'\n",
         "config.yaml:2: webhook_listen: an IPv6 address goes in brackets"),
        ("webhook_url: https://b.example.org/\nwebhook_listen: '[nope]:8443'\n",
         "webhook_listen: 'nope' in brackets is not an IPv6 address"),
        ("webhook_url: https://b.example.org/\nwebhook_listen: my_host:8443\n",
         "webhook_listen: 'my_host' is not an IP address or host name"),
        ("webhook_url: https://b.example.org/\nwebhook_secret: 'with space'\n",
         "config.yaml:2: webhook_secret: must be 1-256 characters, each a letter A-Z or a-z, a digit, _ or -"),
        (f"webhook_url: https://b.example.org/\nwebhook_secret: {'x' * 257}\n", "webhook_secret: must be 1-256"),
        ("token: '1:a'\nwebhook_listen: 0.0.0.0:8080\n",
         "config.yaml:2: webhook_listen: has no effect without webhook_url"),
        ("webhook_secret: abc\n", "config.yaml:1: webhook_secret: has no effect without webhook_url"),
        ("log_format: xml\n", "config.yaml:1: log_format: must be one of text, json, got 'xml'"),
    ],
)  # fmt: skip
def test_webhook_and_log_errors_name_the_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), env={})
    assert str(caught.value).startswith(str(tmp_path)) and expected in str(caught.value), caught.value
    assert "with space" not in str(caught.value)


def test_a_mismatch_names_the_variable_it_came_from(tmp_path: Path) -> None:
    path = write(tmp_path, "webhook_url: https://b.example.org/\n")
    with pytest.raises(ConfigError, match=r"^environment variable BOT_WEBHOOK_URL \(webhook_url\): Telegram"):
        load(path, env={"BOT_WEBHOOK_URL": "http://b.example.org/"})
    with pytest.raises(
        ConfigError, match=r"^environment variable BOT_WEBHOOK_SECRET \(webhook_secret\): has no"
    ):
        load(env={"BOT_WEBHOOK_SECRET": "abc"})
    with pytest.raises(ValidationError, match="has no effect without webhook_url"):
        Settings(webhook_listen="0.0.0.0:80")
