"""Adding a question or an alias to a knowledge file: one line added, everything else kept, nothing
written when the change (or the folder with it) does not validate."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.knowledge.edit import TEMP_SUFFIX, EditError
from tests.conftest import KNOWLEDGE
from tests.helpers import FAQ, person, write

COMMENTED_FAQ = """\
# FAQ about Ivan Testov. Comments stay where they are.
- id: test_where
  questions:
    en:
    - Where does Testov live?   # the usual wording
    - testov city
    # Russian below
    ru:
    - Где живёт Тестов?
  answer:
    en: >-
      In Vilnius, as a long folded paragraph
      that spans two lines.
    ru: В Вильнюсе.
  about: [testov]
  as_of: 2026-11-23
  sources:
  - {title: A page, url: 'https://example.org/page', accessed: 2026-11-23}
"""


def added_lines(before: str, after: str) -> list[str]:
    """The lines a unified diff adds, failing if it removes any (a git diff of one addition)."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [d for d in diff[2:] if d.startswith("-")]
    assert removed == [], removed
    return [d[1:] for d in diff[2:] if d.startswith("+")]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    person_file = person().replace(
        "aliases: [Testoff]", "aliases:\n  - Testoff   # an old spelling\n  - Тестов"
    )
    return write(
        tmp_path / "knowledge", {"people/testov.yaml": person_file, "faq/testov.yaml": COMMENTED_FAQ}
    )


def test_a_question_variant_is_one_added_line_and_the_rest_is_kept_byte_for_byte(kb: Path) -> None:
    faq = kb / "faq" / "testov.yaml"
    before = faq.read_text(encoding="utf-8")
    change, engine = Engine.from_dir(kb).add_to("test_where", "Which city is Testov in these days?")
    after = faq.read_text(encoding="utf-8")
    assert added_lines(before, after) == ["    - Which city is Testov in these days?"]
    assert after.splitlines()[change.line - 1] == "    - Which city is Testov in these days?"
    assert (change.file, change.field) == (faq, "questions.en")
    assert "# Russian below" in after and "# the usual wording" in after
    answer = engine.ask("Which city is Testov in these days?").answer
    assert answer is not None and answer.id == "test_where"


def test_a_russian_question_goes_to_the_russian_list_quoted_where_yaml_needs_it(kb: Path) -> None:
    faq = kb / "faq" / "testov.yaml"
    before = faq.read_text(encoding="utf-8")
    change, _ = Engine.from_dir(kb).add_to("test_where", "  Тестов:   где   он?  ")
    assert change.field == "questions.ru" and change.value == "Тестов: где он?"
    assert added_lines(before, faq.read_text(encoding="utf-8")) == ["    - 'Тестов: где он?'"]


def test_a_name_becomes_an_alias_after_the_commented_last_one(kb: Path) -> None:
    file = kb / "people" / "testov.yaml"
    before = file.read_text(encoding="utf-8")
    change, engine = Engine.from_dir(kb).add_to("testov", "Vanya Testov")
    assert change.field == "aliases"
    assert added_lines(before, file.read_text(encoding="utf-8")) == ["  - Vanya Testov"]
    assert "  - Testoff   # an old spelling\n" in file.read_text(encoding="utf-8")
    assert engine.knowledge.entities["testov"].aliases[-1] == "Vanya Testov"


def test_shipped_files_take_one_line_each(tmp_path: Path) -> None:
    kb = shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    engine = Engine.from_dir(kb)
    for entry_id, text, relative in (
        ("kasparov", "Garik Kimovich", "people/kasparov.yaml"),
        ("kasparov_who_is", "that chess goat who hates putin", "faq/kasparov.yaml"),
    ):
        before = (KNOWLEDGE / relative).read_text(encoding="utf-8")
        _change, engine = engine.add_to(entry_id, text)
        assert [
            line.strip() for line in added_lines(before, (kb / relative).read_text(encoding="utf-8"))
        ] == [f"- {text}"]


def unchanged(kb: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in kb.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("entry_id", "text", "why"),
    [
        ("test_where", "Where is Testov " + "really " * 60, "questions.en[2]: text too long"),
        ("test_where", "where does testov live?", "is there already"),
        ("testov", "Testoff", "is there already"),
        ("nobody", "Who?", "no entry 'nobody'"),
    ],
)
def test_a_change_that_does_not_validate_is_not_written(kb: Path, entry_id: str, text: str, why: str) -> None:
    files = unchanged(kb)
    with pytest.raises(EditError) as refused:
        Engine.from_dir(kb).add_to(entry_id, text)
    assert why in str(refused.value)
    assert unchanged(kb) == files  # the original bytes, and no temporary file left behind


def test_an_edit_is_refused_while_another_file_is_invalid_and_says_which(kb: Path) -> None:
    engine = Engine.from_dir(kb)
    write(kb, {"faq/broken.yaml": FAQ.format(about="nobody")})
    files = unchanged(kb)
    with pytest.raises(EditError) as refused:
        engine.add_to("test_where", "Testov's city?")
    assert "broken.yaml" in str(refused.value) and "refers to missing id 'nobody'" in str(refused.value)
    assert unchanged(kb) == files


def test_a_file_changed_on_disk_while_the_edit_was_checked_is_left_alone(kb: Path) -> None:
    engine = Engine.from_dir(kb)
    faq = kb / "faq" / "testov.yaml"

    def edited_meanwhile(replace: object) -> None:
        faq.write_text(COMMENTED_FAQ.replace("testov city", "testov town"), encoding="utf-8")

    from bot.knowledge import edit

    with pytest.raises(EditError, match="changed on disk"):
        edit.add_question(faq, "test_where", "en", "Testov's city?", edited_meanwhile)
    assert "testov town" in faq.read_text(encoding="utf-8") and "Testov's city" not in faq.read_text(
        encoding="utf-8"
    )
    assert not list(kb.rglob(f"*{TEMP_SUFFIX}"))
    assert engine.knowledge.faq["test_where"]  # the engine it started from is untouched


def test_flow_lists_are_refused_with_how_to_fix_it(tmp_path: Path) -> None:
    kb = write(
        tmp_path / "knowledge",
        {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="testov")},
    )
    with pytest.raises(EditError, match=r"aliases: written as \[a, b\]"):
        Engine.from_dir(kb).add_to("testov", "Vanya Testov")
