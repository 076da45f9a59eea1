"""Command line: `python -m bot validate | stale | schema | ask | chat | run | health | stats | unanswered | feedback`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# Each command imports what it needs when it runs: `health` runs every few seconds in a container
# and needs only the settings, not PTB, pydantic models, the knowledge loader or the matcher.
if TYPE_CHECKING:
    from bot.answers.engine import Engine
    from bot.answers.result import Result
    from bot.config import Settings
    from bot.querylog.reports import Words
    from bot.querylog.store import QueryLog

DEFAULT_KNOWLEDGE = "knowledge"


def _terminal_words() -> Words:
    """How reports read in the terminal: English, plain text."""
    from bot.tg import phrases

    return phrases.words("en", as_html=False)


def _knowledge_dir(args: argparse.Namespace) -> str:
    if getattr(args, "knowledge", None):
        return args.knowledge
    if Path(DEFAULT_KNOWLEDGE).is_dir():
        return DEFAULT_KNOWLEDGE
    # Installed elsewhere: the knowledge shipped beside the package.
    return str(Path(__file__).resolve().parent.parent / DEFAULT_KNOWLEDGE)


def _load(path: str, stale_months: int | None = None, timeout: float | None = None) -> Engine:
    """The knowledge at `path`, or exit 1 listing its problems; a read that does not end within
    `timeout` s (default `READ_TIMEOUT`; a file on a hung mount) is named and given up, and the
    process exits anyway."""
    import threading

    from bot.answers.engine import Engine
    from bot.knowledge.freshness import STALE_MONTHS
    from bot.knowledge.load import READ_TIMEOUT, KnowledgeError, being_read

    timeout = READ_TIMEOUT if timeout is None else timeout
    months = STALE_MONTHS if stale_months is None else stale_months
    outcome: list[Engine | BaseException] = []

    def work() -> None:
        try:
            outcome.append(Engine.from_dir(path, months))
        except BaseException as exc:  # handed to the main thread
            outcome.append(exc)

    # A daemon thread: a read stuck in the kernel cannot be interrupted, and must not hold the exit.
    reader = threading.Thread(target=work, name="knowledge-read", daemon=True)
    reader.start()
    reader.join(timeout)
    if not outcome:
        where = being_read(reader.ident) or path
        print(f"{where}: not readable within {timeout:g} s (a file on a hung mount?)", file=sys.stderr)
        print(f"error: could not read {path}", file=sys.stderr)
        raise SystemExit(1)
    (result,) = outcome
    if isinstance(result, KnowledgeError):
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"error: {len(result.problems)} problem(s) in {path}", file=sys.stderr)
        raise SystemExit(1)
    if isinstance(result, BaseException):
        raise result
    return result


def cmd_validate(args: argparse.Namespace) -> int:
    """Report every problem in the knowledge files, or one summary line; stale facts are warnings
    (on stderr) that leave the exit status alone."""
    from bot.answers import stale_report
    from bot.knowledge.stale import stale_facts
    from bot.knowledge.summary import summary_line

    engine = _load(args.dir or _knowledge_dir(args), timeout=args.timeout)
    months = _settings(args).stale_months
    facts = stale_facts(engine.knowledge, months)
    if facts:
        print(stale_report.text(facts, months), end="", file=sys.stderr)
    print(summary_line(engine.counts))
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    """List the changeable facts reported longer ago than the configured age (or --months)."""
    from bot.answers import stale_report
    from bot.knowledge.stale import stale_facts

    engine = _load(args.dir or _knowledge_dir(args), timeout=args.timeout)
    months = args.months or _settings(args).stale_months
    facts = stale_facts(engine.knowledge, months)
    print(stale_report.as_csv(facts) if args.csv else stale_report.text(facts, months), end="")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write (or check) knowledge/schema.json from the model."""
    from bot.knowledge.schema import SCHEMA_FILE, schema_text

    target = Path(args.dir or _knowledge_dir(args)) / SCHEMA_FILE
    text = schema_text()
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target}: out of date; run `python -m bot schema`", file=sys.stderr)
            return 1
        print(f"{target}: up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:  # every line gets its reply, a blank one too, so replies pair with lines
        yield line.rstrip("\n")


def _print(result: Result, as_json: bool) -> None:
    import json

    from bot.answers import render

    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
    else:
        print(render.plain(result) + "\n", flush=True)


async def _open_log(args: argparse.Namespace) -> QueryLog | None:
    """The query log for terminal questions, or None (--no-log, or it cannot be opened)."""
    import sqlite3

    from bot.querylog.store import QueryLog, QueryLogError

    if args.no_log:
        return None
    settings = _settings(args)
    log = QueryLog(settings.database, settings.hash_secret)
    try:
        await log.start()
    except (OSError, sqlite3.Error, QueryLogError) as exc:
        print(f"warning: not logging to {settings.database}: {exc}", file=sys.stderr)
        return None
    return log


async def _answer_all(
    engine: Engine, questions: Iterable[str], args: argparse.Namespace, as_json: bool
) -> None:
    """Answer each question as it comes, and log it as asked from the terminal."""
    import asyncio

    log = await _open_log(args)
    try:
        for question in questions:
            result = engine.ask(question, args.lang)
            _print(result, as_json)
            if log:
                log.log(front="terminal", text=question, latency_ms=result.elapsed_ms, **result.log_fields())
                await asyncio.sleep(0)  # let the writer take the row
    finally:
        if log:
            await log.close()


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer a question given as arguments, or one question per line of stdin."""
    import asyncio

    engine = _load(_knowledge_dir(args), _stale_months(args))
    asyncio.run(_answer_all(engine, _questions(args), args, args.json))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive prompt; an empty line or Ctrl-D ends it."""
    import asyncio

    engine = _load(_knowledge_dir(args), _stale_months(args))
    print("exile-desk: ask about Russian opposition figures in exile (empty line to quit).")

    def prompts() -> Iterator[str]:
        while True:
            try:
                line = input("? ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
            if not line.strip():
                return
            yield line

    asyncio.run(_answer_all(engine, prompts(), args, as_json=False))
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from --config / BOT_CONFIG and the environment; --knowledge wins if given."""
    from bot import config

    try:
        settings = config.load(args.config)
    except config.ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if getattr(args, "knowledge", None):
        settings = settings.model_copy(update={"knowledge_dir": Path(args.knowledge)})
    return settings


def _stale_months(args: argparse.Namespace) -> int:
    """Age in months after which a card marks a fact as possibly out of date: --stale-months, else
    the settings' `stale_months` (config file / BOT_STALE_MONTHS), as the bot uses it."""
    return getattr(args, "stale_months", None) or _settings(args).stale_months


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling, or a webhook) until SIGINT / SIGTERM."""
    from bot.tg import app  # imported here: the other commands do without PTB

    return app.run(_settings(args))


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 if the bot running with these settings is healthy (the container's HEALTHCHECK)."""
    from bot.tg import healthcheck

    healthy, line = healthcheck.check(_settings(args))
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _report(make: Callable[[], str]) -> int:
    from bot.config import ConfigError

    try:
        print(make(), end="")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print query statistics for the last 1 and 7 days."""
    from bot.querylog import cli

    return _report(lambda: cli.stats(_settings(args), _terminal_words()) + "\n")


def cmd_unanswered(args: argparse.Namespace) -> int:
    """Print recent questions that got no answer (with --fix: walk them, fixing or dismissing each)."""
    import asyncio

    from bot.querylog import cli

    if args.fix:
        return asyncio.run(_fix_unanswered(_settings(args), args.limit))
    return _report(lambda: cli.unanswered(_settings(args), _terminal_words(), csv=args.csv, limit=args.limit)
                   + ("" if args.csv else "\n"))  # fmt: skip


def cmd_feedback(args: argparse.Namespace) -> int:
    """Print users' verdicts on answers: helpfulness per entry and what they wrote."""
    from bot.querylog import cli

    return _report(lambda: cli.feedback(_settings(args), _terminal_words(), csv=args.csv, days=args.days,
                                        unhandled=args.unhandled)
                   + ("" if args.csv else "\n"))  # fmt: skip


FIX_PROMPT = "add to 1-{n}, d=dismiss, s=skip, q=quit: "


async def _fix_unanswered(settings: Settings, limit: int) -> int:
    """``unanswered --fix``: each question the knowledge does not answer, with the entries it could
    be added to; the same edit as the bot's buttons (validated with the whole folder, then written)."""
    from bot.knowledge.edit import EditError
    from bot.querylog import reports, triage
    from bot.querylog.store import QueryLog

    if not settings.database.exists():
        print(
            f"error: no query log at {settings.database} (set BOT_DATABASE or `database:`)", file=sys.stderr
        )
        return 1
    engine = _load(str(settings.knowledge_dir), settings.stale_months)
    async with QueryLog(settings.database, settings.hash_secret) as log:
        rows = triage.group(await log.unanswered(limit=limit), await log.dismissed())
        groups = [g for g in rows if engine.ask(g.query).outcome == "none"]
        print(f"{len(groups)} unanswered question(s) in {settings.database}.")
        for number, group in enumerate(groups, 1):
            targets = engine.targets(group.query)
            print(f"\n[{number}/{len(groups)}] {reports.question_line(group)}")
            for n, target in enumerate(targets, 1):
                where = engine.knowledge.where[target.id].file
                print(f"  {n}. add as {target.adds} of {target.id} \u201c{target.title}\u201d ({where})")
            while True:
                try:
                    choice = input(
                        FIX_PROMPT.format(n=len(targets)) if targets else "d=dismiss, s=skip, q=quit: "
                    )
                except EOFError:
                    print()
                    return 0
                choice = choice.strip().lower()
                if choice == "q":
                    return 0
                if choice in ("s", ""):
                    break
                if choice == "d":
                    await log.dismiss(group.keys)
                    print("dismissed: not listed again")
                    break
                if choice.isdigit() and 1 <= int(choice) <= len(targets):
                    try:
                        change, engine = engine.add_to(targets[int(choice) - 1].id, group.query)
                    except EditError as exc:
                        print("not added; nothing was changed:", *exc.problems, sep="\n  ")
                        continue
                    now = engine.ask(group.query)
                    shown = (
                        f"{now.answer.title} ({now.answer.id})" if now.answer else f"nothing ({now.outcome})"
                    )
                    print(f"added: {change}\nvalidated; the bot answers it with {shown} "
                          "(a running bot picks the change up on /reload or SIGHUP)")  # fmt: skip
                    break
                print("?", FIX_PROMPT.format(n=len(targets)) if targets else "d, s or q")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return seconds


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="python -m bot", description="exile-desk: a sourced Q&A bot.")
    p.add_argument("--knowledge", help="knowledge directory (default: ./knowledge)")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check the knowledge files and report every problem")
    v.add_argument("dir", nargs="?", help="knowledge directory")
    v.set_defaults(func=cmd_validate)

    sl = sub.add_parser("stale", help="list changeable facts reported too long ago (residence, posts)")
    sl.add_argument("dir", nargs="?", help="knowledge directory")
    sl.add_argument("--months", type=_positive, help="older than this many months (default: stale_months)")
    sl.add_argument("--csv", action="store_true", help="CSV: file, line, entry, field, reported, fact")
    sl.set_defaults(func=cmd_stale)

    s = sub.add_parser("schema", help="write knowledge/schema.json from the model")
    s.add_argument("dir", nargs="?", help="knowledge directory")
    s.add_argument("--check", action="store_true", help="only check that it is up to date")
    s.set_defaults(func=cmd_schema)

    a = sub.add_parser("ask", help="answer a question (or one per line of stdin)")
    a.add_argument("question", nargs="*", help="the question; none: read stdin")
    a.add_argument("--lang", choices=("en", "ru"), help="reply language (default: the question's)")
    a.add_argument("--json", action="store_true", help="print one JSON object per question")
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser("chat", help="interactive prompt")
    c.add_argument("--lang", choices=("en", "ru"), help="reply language (default: the question's)")
    c.set_defaults(func=cmd_chat)

    config_help = "YAML settings file (default: $BOT_CONFIG; none: defaults + environment)"
    for terminal in (a, c):
        terminal.add_argument("--config", help=config_help)
        terminal.add_argument("--no-log", action="store_true", help="do not write to the query log")
        terminal.add_argument(
            "--stale-months",
            type=_positive,
            help="mark facts reported longer ago than this as possibly out of date (default: stale_months)",
        )
    for checker in (v, sl):
        checker.add_argument("--config", help=config_help + "; for stale_months")
        checker.add_argument("--timeout", type=_seconds,
                             help="give up a file not read within this many seconds (default: as /reload)")  # fmt: skip
    r = sub.add_parser("run", help="run the Telegram bot (long polling, or a webhook)")
    r.add_argument("--config", help=config_help)
    r.set_defaults(func=cmd_run)

    h = sub.add_parser("health", help="exit 0 if the running bot is healthy (knowledge, database, Telegram)")
    h.add_argument("--config", help=config_help)
    h.set_defaults(func=cmd_health)

    st = sub.add_parser("stats", help="query log statistics, last 1 and 7 days")
    st.add_argument("--config", help=config_help)
    st.set_defaults(func=cmd_stats)

    u = sub.add_parser("unanswered", help="recent questions without an answer")
    u.add_argument("--config", help=config_help)
    u.add_argument("--csv", action="store_true", help="CSV: last_asked, count, lang, query")
    u.add_argument("--limit", type=int, default=100, help="at most this many (default: 100)")
    u.add_argument("--fix", action="store_true", help="walk them: add each to an entry's file, or dismiss it")
    u.set_defaults(func=cmd_unanswered)

    f = sub.add_parser("feedback", help="users' verdicts on answers and their error reports")
    f.add_argument("--config", help=config_help)
    f.add_argument(
        "--csv", action="store_true", help="CSV: at, entry_id, verdict, lang, question, text, handled_at"
    )
    f.add_argument(
        "--unhandled", action="store_true", help="only the reports no admin has marked handled (any age)"
    )
    f.add_argument("--days", type=int, default=7, help="over the last this many days (default: 7)")
    f.set_defaults(func=cmd_feedback)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `exile-desk` script."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
