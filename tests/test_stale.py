"""Stale facts: which changeable facts are listed, `validate` warnings, `python -m bot stale`,
`/stale` for admins and the weekly digest (through the emulator)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from bot.answers import stale_report
from bot.answers.engine import Engine
from bot.knowledge.load import load
from bot.knowledge.stale import dated_facts, stale_facts
from bot.tg import digest, phrases
from bot.tg.delivery import split_lines, utf16_len
from tests.emulator import Emulator
from tests.helpers import bot_env, logged, person, run_cli, wait_until, write
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for
from tests.replies import NBSP, seen

YEAR = dt.date.today().year
OLD = YEAR - 3  # stale at 12 months, fresh at 48

ORG = """\
id: testorg
name: {en: Test Org, ru: Тестовая организация}
kind: {en: NGO, ru: НКО}
summary:
  en: An organisation used in tests of stale facts.
  ru: Организация для проверки устаревших фактов.
leadership:
  - post: director
    name: {en: Anna Director, ru: Анна Директор}
  - post: chair
    person: testov
    since: 2010
    until: 2012
as_of: 2026-11-23
sources:
  - title: A page
    url: https://example.org/page
    accessed: 2026-11-23
"""

MEMBERSHIPS = f"""\
organisations:
  - org: testorg
    role: {{en: director, ru: директор}}
    since: {OLD}
  - org: testorg
    role: {{en: adviser, ru: советник}}
    since: {OLD}
    as_of: {YEAR}
  - org: testorg
    role: {{en: treasurer, ru: казначей}}
    since: 2001
    until: 2003
"""


def base(root: Path, residence: int = OLD, extra: str = MEMBERSHIPS) -> Path:
    """Ivan Testov (residence reported for `residence`, three memberships) and Test Org."""
    testov = person().replace("  as_of: 2025\n", f"  as_of: {residence}\n") + extra
    return write(root, {"people/testov.yaml": testov, "organisations/testorg.yaml": ORG})


def line_of(root: Path, name: str, text: str, after: str = "") -> int:
    """The 1-based line of the first line of file `name` equal to `text` (after line `after`)."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    start = lines.index(after) if after else 0
    return lines.index(text, start) + 1


def test_every_changeable_fact_that_still_holds_is_listed_with_its_date_and_line(tmp_path: Path) -> None:
    root = base(tmp_path)
    people, org = str(root / "people/testov.yaml"), str(root / "organisations/testorg.yaml")
    facts = {(f.file, f.line, f.field, f.reported, f.fact) for f in dated_facts(load(root))}
    assert facts == {
        (org, line_of(root, "organisations/testorg.yaml", "  - post: director"), "leadership[0]", None,
         "director: Anna Director"),
        (people, line_of(root, "people/testov.yaml", f"  as_of: {OLD}"), "based_in.as_of", str(OLD),
         "based in Vilnius, Lithuania"),
        (people, line_of(root, "people/testov.yaml", f"    since: {OLD}"), "organisations[0].since", str(OLD),
         "director, Test Org"),
        (people, line_of(root, "people/testov.yaml", f"    as_of: {YEAR}"), "organisations[1].as_of", str(YEAR),
         "adviser, Test Org"),
    }  # fmt: skip


def test_stale_means_older_than_the_age_or_undated(tmp_path: Path) -> None:
    k = load(base(tmp_path))
    today = dt.date(YEAR, 6, 1)
    assert [f.field for f in stale_facts(k, 12, today)] == [
        "leadership[0]",  # nothing dates it
        "based_in.as_of",
        "organisations[0].since",
    ]
    assert [f.field for f in stale_facts(k, 48, today)] == ["leadership[0]"]


#: The membership and post lines of Ivan Testov's and Test Org's cards on 1 June of this year, by
#: the age after which a fact counts as stale: the year beside each fact that may still hold, and
#: a mark on the old or undated ones; ended ones carry their span only.
CARD_LINES = {
    ("en", 12): [
        f"• Test Org: director since {OLD} (may have changed)",
        f"• Test Org: adviser since {OLD} (as of {YEAR})",
        "• Test Org: treasurer, 2001–2003",
        f"• Anna Director{NBSP}— director (undated; may have changed)",
        f"• Ivan Testov{NBSP}— chair, 2010–2012",
    ],
    ("ru", 12): [
        seen(f"• Тестовая организация: директор с {OLD} года (возможно, это уже не так)"),
        seen(f"• Тестовая организация: советник с {OLD} года (по данным на {YEAR} год)"),
        f"• Тестовая организация: казначей с{NBSP}2001 по{NBSP}2003{NBSP}год",
        seen("• Анна Директор — директор (сведения без даты, могли устареть)"),
        f"• Иван Тестов{NBSP}— председатель с{NBSP}2010 по{NBSP}2012{NBSP}год",
    ],
    ("en", 48): [
        f"• Test Org: director since {OLD}",
        f"• Test Org: adviser since {OLD} (as of {YEAR})",
        "• Test Org: treasurer, 2001–2003",
        f"• Anna Director{NBSP}— director (undated; may have changed)",
        f"• Ivan Testov{NBSP}— chair, 2010–2012",
    ],
}


@pytest.mark.parametrize(("lang", "months"), list(CARD_LINES))
def test_cards_give_each_post_and_membership_its_year_and_mark_the_old_ones(
    tmp_path: Path, lang: str, months: int
) -> None:
    engine = Engine(load(base(tmp_path)), stale_months=months, today=lambda: dt.date(YEAR, 6, 1))
    person_card = engine.open("testov", lang, frozenset({"org"})).answer
    org_card = engine.open("testorg", lang, frozenset({"org"})).answer
    shown = [
        line for card in (person_card, org_card) for line in card.short.splitlines() if line.startswith("• ")
    ]
    assert shown == CARD_LINES[lang, months]
    full = [
        line for card in (person_card, org_card) for line in card.text.splitlines() if line.startswith("• ")
    ]
    assert shown == full  # "more" shows the same lines, marks and all


def test_a_list_of_members_marks_the_old_memberships(tmp_path: Path) -> None:
    engine = Engine(load(base(tmp_path)), today=lambda: dt.date(YEAR, 6, 1))
    members = engine.open("list:org:testorg", "en").answer.text
    assert members == (
        f"• Ivan Testov{NBSP}— director since {OLD} (may have changed); adviser since {OLD} (as of {YEAR}); "
        "treasurer, 2001–2003"
    )


def test_ask_marks_stale_facts_by_the_configured_age_or_its_option(tmp_path: Path) -> None:
    root = base(tmp_path / "k")
    config = tmp_path / "config.yaml"
    config.write_text("stale_months: 60\n", encoding="utf-8")
    director = f"• Test Org: director since {OLD}"
    runs = {
        "default": run_cli("--knowledge", str(root), "ask", "--no-log", "Ivan Testov"),
        "config": run_cli("--knowledge", str(root), "ask", "--no-log", "--config", str(config), "Ivan Testov"),
        "env": run_cli("--knowledge", str(root), "ask", "--no-log", "Ivan Testov", env=bot_env(BOT_STALE_MONTHS="60")),
        "option": run_cli("--knowledge", str(root), "ask", "--no-log", "--config", str(config),
                          "--stale-months", "12", "Ivan Testov"),
    }  # fmt: skip
    for run in runs.values():
        assert run.returncode == 0, run.stderr
    assert f"{director} (may have changed)" in runs["default"].stdout
    assert f"{director}\n" in runs["config"].stdout and f"{director}\n" in runs["env"].stdout
    assert f"{director} (may have changed)" in runs["option"].stdout  # the option wins over the file
    assert run_cli("--knowledge", str(root), "ask", "--stale-months", "0", "Ivan Testov").returncode == 2


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ("    since: 2020\n    until: 2022\n    as_of: 2021\n", "drop it once `until` is set"),
        ("    since: 2020-05\n    as_of: 2019\n", "`as_of` (2019) is before `since` (2020-05)"),
    ],
)
def test_a_misdated_span_is_an_error_at_its_line(tmp_path: Path, span: str, message: str) -> None:
    extra = "organisations:\n  - org: testorg\n    role: {en: member, ru: участник}\n" + span
    root = base(tmp_path, extra=extra)
    run = run_cli("validate", str(root))
    assert run.returncode == 1
    line = line_of(root, "people/testov.yaml", "  - org: testorg")
    assert f"{root / 'people/testov.yaml'}:{line}: organisations[0]: " in run.stderr
    assert message in run.stderr


def test_validate_warns_about_stale_facts_with_file_and_line_and_still_succeeds(tmp_path: Path) -> None:
    root = base(tmp_path)
    run = run_cli("validate", str(root))
    assert run.returncode == 0, run.stderr
    assert run.stdout == "ok: 1 people, 1 organisations, 0 events, 0 faq\n"
    warnings = run.stderr.splitlines()
    line = line_of(root, "people/testov.yaml", f"  as_of: {OLD}")
    assert (f"{root / 'people/testov.yaml'}:{line}: based_in.as_of: reported {OLD}, older than 12 months "
            "(based in Vilnius, Lithuania)") in warnings  # fmt: skip
    assert warnings[-1] == "3 stale facts in 2 entries (reported more than 12 months ago, or undated)"
    assert not any("adviser" in w for w in warnings)  # reported for this year


def test_validate_takes_the_age_from_the_config_file(tmp_path: Path) -> None:
    root = base(tmp_path / "k")
    config = tmp_path / "config.yaml"
    config.write_text("stale_months: 60\n", encoding="utf-8")
    run = run_cli("validate", str(root), "--config", str(config))
    assert run.returncode == 0
    assert run.stderr.splitlines() == [
        f"{root / 'organisations/testorg.yaml'}:{line_of(root, 'organisations/testorg.yaml', '  - post: director')}: "
        "leadership[0]: no date says this still holds: add `as_of` (the year a source reports it for) "
        "(director: Anna Director)",
        "1 stale fact in 1 entry (reported more than 60 months ago, or undated)",
    ]  # fmt: skip


def test_stale_command_lists_facts_and_months_changes_the_list(tmp_path: Path) -> None:
    root = base(tmp_path)
    default = run_cli("stale", str(root))
    assert default.returncode == 0, default.stderr
    assert "based_in.as_of: reported" in default.stdout and "director, Test Org" in default.stdout
    longer = run_cli("stale", str(root), "--months", "48")
    assert longer.returncode == 0
    assert "based_in.as_of" not in longer.stdout and "director, Test Org" not in longer.stdout
    assert longer.stdout.splitlines()[-1].startswith("1 stale fact in 1 entry (reported more than 48 months")
    table = run_cli("stale", str(root), "--csv").stdout.splitlines()
    assert table[0] == "file,line,entry,field,reported,fact"
    assert f'testov,based_in.as_of,{OLD},"based in Vilnius, Lithuania"' in table[2]
    assert run_cli("stale", str(root), "--months", "0").returncode == 2


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), max_size=60))
def test_a_long_list_is_split_into_whole_lines_within_telegrams_limit(lines: list[str]) -> None:
    limit = 500
    messages = split_lines(lines, limit)
    assert all(utf16_len(m) <= limit for m in messages)
    assert "\n".join(messages).split("\n") == "\n".join(lines).split("\n") if lines else messages == []


# --- Telegram ------------------------------------------------------------------------------


def shown(messages: list[dict]) -> str:
    """The messages' text as a reader sees it (no-break spaces read as spaces)."""
    return "\n".join(m["text"] for m in messages).replace("\xa0", " ")


def run_bot(
    tmp_path: Path, emu: Emulator, script, engine: Engine | None = None, **settings: object
) -> Running:
    """The application over `base` (or `engine`); `script` starts once the admin's greeting is in."""

    def after_greeting(running: Running) -> None:
        emu.wait_for(lambda: emu._bot_messages(ADMIN_ID) or None)  # run_app's /start for the admin
        script(running)

    engine = engine or Engine.from_dir(base(tmp_path / "knowledge"))
    return run_app(settings_for(emu, tmp_path, **settings), engine, after_greeting, emu)


def test_stale_answers_an_admin_and_is_unknown_to_anyone_else(tmp_path: Path, emu: Emulator) -> None:
    admin, stranger = Emulator.user(ADMIN_ID, "Admin"), Emulator.user(42, "Stranger")

    def script(running: Running) -> None:
        listed = shown([emu.reply_to(emu.private_message(admin, "/stale"))])
        assert listed.startswith("3 stale facts in 2 entries")
        assert f"based_in.as_of: reported {OLD}, older than 12 months" in listed
        assert "director, Test Org" in listed and "adviser" not in listed
        refused = emu.reply_to(emu.private_message(stranger, "/stale"))["text"]
        assert refused == phrases.say("unknown_command", "en")

    run_bot(tmp_path, emu, script)
    assert emu.rejected() == []


def test_a_long_stale_list_comes_in_several_messages_within_the_limit(
    tmp_path: Path, emu: Emulator, engine: Engine
) -> None:
    admin = Emulator.user(ADMIN_ID, "Admin")
    facts = stale_facts(engine.knowledge, 1)

    def script(running: Running) -> None:
        asked = emu.private_message(admin, "/stale")

        def every_fact() -> list[dict] | None:
            sent = [m for m in emu._bot_messages(ADMIN_ID) if m["message_id"] > asked["message_id"]]
            return sent if sum(m["text"].count("\n") + 1 for m in sent) == len(facts) + 1 else None

        sent = emu.wait_for(every_fact)
        assert len(sent) > 1
        assert all(utf16_len(m["text"]) <= MessageLimit.MAX_TEXT_LENGTH for m in sent)
        text = shown(sent)
        assert all(f"{f.file}:{f.line}: {f.field}:" in text for f in facts)

    run_bot(tmp_path, emu, script, engine, stale_months=1)
    assert emu.rejected() == []


def test_the_weekly_digest_brings_stale_facts_and_top_unanswered_questions(
    tmp_path: Path, emu: Emulator
) -> None:
    user = Emulator.user(7, "Asker")

    def script(running: Running) -> None:
        job = running.app.job_queue.get_jobs_by_name(digest.JOB_NAME)[0]
        assert (job.next_t.weekday(), job.next_t.hour) == (4, 7)  # the configured Friday, 07:00 UTC
        for _ in range(2):
            emu.reply_to(emu.private_message(user, "qwzx frobnicate the blorf"))
        wait_until(lambda: logged(running.app.bot_data.settings.database) == 2, 10, "both questions logged")
        before = len(emu.bot_messages(ADMIN_ID))
        running.call(job.run(running.app))  # fire it once instead of waiting for Friday
        sent = emu.wait_for(lambda: emu._bot_messages(ADMIN_ID)[before:] or None)
        text = shown(sent)
        assert text.startswith("Weekly digest")
        assert "3 stale facts in 2 entries" in text and f"reported {OLD}" in text
        assert "Top unanswered questions, last 7 days\n1. qwzx frobnicate the blorf (2)" in text

    run_bot(tmp_path, emu, script, digest_day="friday", digest_hour=7)
    assert emu.rejected() == []


def test_the_digest_can_be_turned_off(tmp_path: Path, emu: Emulator) -> None:
    def script(running: Running) -> None:
        assert running.app.job_queue.get_jobs_by_name(digest.JOB_NAME) == ()

    run_bot(tmp_path, emu, script, digest_enabled=False)


def test_stale_lines_read_as_russian_for_a_russian_admin(tmp_path: Path) -> None:
    k = load(base(tmp_path / "knowledge"))
    lines = [line.replace("\xa0", " ") for line in stale_report.html_lines(stale_facts(k, 12), 12, "ru")]
    assert lines[0] == "<b>3 устаревших факта в 2 записях (сведения старше 12 месяцев или без даты)</b>"
    assert any(
        f"based_in.as_of: сведения на {OLD} год, они старше 12 месяцев (местонахождение — " in x
        for x in lines
    )
    assert not any("reported" in x or "older than" in x or "based in" in x for x in lines)
    one = [line.replace("\xa0", " ") for line in stale_report.html_lines(stale_facts(k, 12)[:1], 1, "ru")]
    assert one[0].startswith("<b>1 устаревший факт в 1 записи (сведения старше 1 месяца")


def test_stale_answers_a_russian_speaking_admin_in_russian(tmp_path: Path, emu: Emulator) -> None:
    admin = Emulator.user(ADMIN_ID, "Админ", language_code="ru")

    def script(running: Running) -> None:
        listed = shown([emu.reply_to(emu.private_message(admin, "/stale"))])
        assert listed.startswith("3 устаревших факта в 2 записях")
        assert f"based_in.as_of: сведения на {OLD} год, они старше 12 месяцев" in listed

    run_bot(tmp_path, emu, script)
    assert emu.rejected() == []
