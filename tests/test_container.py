"""The container files (Docker is not run here): what the Dockerfile and compose.yaml must say.

Each check is something that, wrong, gives a container that runs as root, loses its database
with the container, ships a query log, or reports "healthy" with a command that does not exist.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot import __main__ as cli
from bot.config import ENV_VARS
from tests.conftest import ROOT


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def arguments(text: str) -> list[str]:
    """An instruction's arguments: exec form (JSON) or shell form."""
    return json.loads(text) if text.startswith("[") else shlex.split(text)


DOCKERFILE = instructions(ROOT / "Dockerfile")
FINAL_STAGE = DOCKERFILE[max(i for i, (word, _) in enumerate(DOCKERFILE) if word == "FROM") :]


def final(word: str) -> list[str]:
    return [rest for w, rest in FINAL_STAGE if w == word]


def environment() -> dict[str, str]:
    env = {}
    for rest in final("ENV"):
        env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
    return env


def test_the_image_is_slim_python_and_installs_without_a_pip_cache() -> None:
    assert {rest.split()[0] for word, rest in DOCKERFILE if word == "FROM"} == {"python:3.12-slim"}
    installs = [rest for word, rest in DOCKERFILE if word == "RUN" and "pip install" in rest]
    assert installs and all("--no-cache-dir" in rest for rest in installs)


def test_the_bot_runs_as_a_user_that_is_not_root() -> None:
    users = final("USER")
    assert users and users[-1] not in ("root", "0", "0:0")
    commands = " ".join(final("RUN"))
    assert re.search(rf"useradd\b.*\b{re.escape(users[-1])}\b", commands)


def test_the_database_and_the_knowledge_folder_are_volumes_the_settings_point_into() -> None:
    volumes = {v for rest in final("VOLUME") for v in arguments(rest)}
    env = environment()
    assert set(env) - {"PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"} <= set(ENV_VARS)
    assert Path(env["BOT_DATABASE"]).parent.as_posix() in volumes
    assert env["BOT_KNOWLEDGE_DIR"] in volumes
    assert any(rest.startswith(f"knowledge {env['BOT_KNOWLEDGE_DIR']}") for rest in final("COPY"))


def test_the_healthcheck_and_the_command_are_commands_of_the_cli() -> None:
    subcommands = cli.parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    (healthcheck,) = final("HEALTHCHECK")
    check = arguments(healthcheck.split(" CMD ", 1)[1])
    (command,) = final("CMD")
    for words in (check, arguments(command)):
        assert words[:3] == ["python", "-m", "bot"] and words[3] in subcommands
    assert check[3] == "health" and arguments(command)[3] == "run"


def test_no_query_log_virtualenv_or_local_config_goes_into_the_build_context() -> None:
    ignored = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    for name in (".venv", "querylog.sqlite3", "querylog.sqlite3-wal", "q.sqlite3.status.json", "config.yaml"):
        assert any(fnmatch.fnmatch(name, pattern) for pattern in ignored), name
    for needed in ("pyproject.toml", "README.md", "bot", "knowledge"):
        assert not any(fnmatch.fnmatch(needed, pattern) for pattern in ignored), needed


def test_pip_install_dot_carries_every_data_file_of_the_package() -> None:
    # A wheel holds only .py files unless package data says otherwise (the ranker's weights were
    # missing from a non-editable install, which the image uses).
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    data = [p for p in (ROOT / "bot").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert data
    for path in data:
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path


COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_the_bot_with_its_volumes_and_only_known_settings() -> None:
    bot = COMPOSE["services"]["bot"]
    env = bot["environment"]
    assert set(env) <= set(ENV_VARS)
    assert {"BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_WEBHOOK_URL", "BOT_WEBHOOK_SECRET"} <= set(env)
    sources = {volume.split(":")[1]: volume.split(":")[0] for volume in bot["volumes"]}  # by target
    assert (
        sources[Path(env["BOT_DATABASE"]).parent.as_posix()] in COMPOSE["volumes"]
    )  # outlives the container
    assert env["BOT_KNOWLEDGE_DIR"] in sources


def test_compose_can_run_a_self_hosted_bot_api_server_behind_a_profile() -> None:
    server = COMPOSE["services"]["telegram-bot-api"]
    assert server["image"].startswith("aiogram/telegram-bot-api")
    assert server["profiles"] == ["local-api"]
    assert {"TELEGRAM_API_ID", "TELEGRAM_API_HASH"} <= set(server["environment"])
    assert COMPOSE["services"]["bot"]["depends_on"]["telegram-bot-api"]["required"] is False
    header = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "TELEGRAM_API_BASE_URL=http://telegram-bot-api:8081" in header
