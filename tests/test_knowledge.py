"""The validator: every problem at once, each as file:line: field: what is wrong."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.knowledge.load import KnowledgeError, load
from bot.knowledge.schema import schema_text
from tests.conftest import KNOWLEDGE, ROOT
from tests.helpers import FAQ, person, run_cli, write


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        Engine.from_dir(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_base_loads(tmp_path):
    write(tmp_path, {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="testov")})
    k = load(tmp_path)
    assert k.counts == {"people": 1, "organisations": 0, "events": 0, "faq": 1}


def test_every_problem_is_reported_at_once_with_file_line_and_field(tmp_path):
    broken = (
        person()
        .replace("  ru: Оппозиционный политик\n", "")
        .replace("url: https://example.org/page", "url: not a url")
    )
    broken = broken.replace("as_of: 2025", "as_of: 2025-13").replace("aliases:", "nickname: x\naliases:")
    write(tmp_path, {"people/testov.yaml": broken})
    found = problems(tmp_path)
    file = str(tmp_path / "people/testov.yaml")
    role_line = broken.splitlines().index("role:") + 1
    assert f"{file}:{role_line}: role.ru: missing translation (ru)" in found
    assert any(p.startswith(f"{file}:") and "sources[0].url: bad URL" in p for p in found)
    assert any("based_in.as_of: bad date '2025-13'" in p for p in found)
    assert any("nickname: unknown key" in p for p in found)
    assert len(found) == 4


def test_cross_file_problems(tmp_path):
    write(
        tmp_path,
        {
            "people/a.yaml": person(alias="Shared"),
            "people/b.yaml": person(id="testov", en="Petr Petrov", ru="Пётр Петров", alias="Shared"),
            "faq/a.yaml": FAQ.format(about="nobody"),
        },
    )
    found = problems(tmp_path)
    assert any("id: duplicate id 'testov'" in p for p in found)
    assert any("about[0]: refers to missing id 'nobody'" in p for p in found)


def test_alias_shared_by_two_entities(tmp_path):
    write(
        tmp_path,
        {
            "people/a.yaml": person(alias="Shared Name"),
            "people/b.yaml": person(id="petrov", en="Petr Petrov", ru="Пётр Петров", alias="shared name"),
        },
    )
    assert any("aliases: 'shared name' is also a name of" in p for p in problems(tmp_path))


def test_an_faq_entry_about_no_entry_is_refused_as_it_could_never_be_shown(tmp_path):
    write(tmp_path, {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="")})
    assert f"{tmp_path}/faq/testov.yaml:10: [0].about: must not be empty" in problems(tmp_path)


def test_a_question_written_for_two_faq_entries(tmp_path):
    faq = (
        "- id: {id}\n  questions: {{en: [Where does Testov live?], ru: [Где живёт Тестов?]}}\n"
        "  answer: {{en: In Vilnius., ru: В Вильнюсе.}}\n  about: [testov]\n  as_of: 2026-01-01\n"
        "  sources: [{{title: T, url: 'https://example.org/a', accessed: 2026-01-01}}]\n"
    )
    write(
        tmp_path,
        {"people/a.yaml": person(), "faq/a.yaml": faq.format(id="one"), "faq/b.yaml": faq.format(id="two")},
    )
    where = f"{tmp_path}/faq/b.yaml:2: questions.en[0]"
    shared = f"'Where does Testov live?' is also a question of 'one' ({tmp_path}/faq/a.yaml)"
    assert f"{where}: {shared}: keep it on one entry" in problems(tmp_path)


def test_missing_source_and_untranslated_text(tmp_path):
    no_source = person().split("sources:")[0] + "sources: []\n"
    english = person(id="petrov", en="Petr Petrov", ru="Пётр Петров", alias="Petroff")
    english = english.replace("ru: Человек для проверки валидатора.", "ru: A person used in tests.")
    write(tmp_path, {"people/testov.yaml": no_source, "people/petrov.yaml": english})
    found = problems(tmp_path)
    assert any("sources: no source" in p for p in found)
    assert any("summary.ru: missing translation" in p for p in found)


REGISTRY = "- id: example\n  name: Example\n  domains: [example.org]\n  kind: other_media\n"


def test_an_outlet_can_only_be_a_service_of_an_outlet_the_registry_has(tmp_path):
    registry = REGISTRY + "- id: example_ru\n  name: Example Russian service\n  domains: [ru.example.net]\n"
    registry += "  kind: other_media\n  part_of: exampel\n"
    write(
        tmp_path,
        {
            "sources.yaml": registry,
            "people/testov.yaml": person(),
            "faq/testov.yaml": FAQ.format(about="testov"),
        },
    )
    line = registry.splitlines().index("  part_of: exampel") + 1
    assert problems(tmp_path) == [
        f"{tmp_path / 'sources.yaml'}:{line}: [1].part_of: no outlet has the id 'exampel'"
    ]
    write(tmp_path, {"sources.yaml": registry.replace("exampel", "example")})
    assert load(tmp_path).outlet("https://ru.example.net/a").part_of == "example"


def test_a_source_whose_title_says_it_is_a_repost_is_rejected_by_validate_and_the_audit(tmp_path):
    reposted = person().replace("- title: A page", "- title: Dissidents vow to fight on (AP, via The Hill)")
    reposted += "  - title: Navalny appears via video link in court (Example)\n"
    reposted += "    url: https://example.org/court\n    accessed: 2026-11-23\n"
    faq = FAQ.format(about="testov").replace(
        "- title: A page", "- title: Yashin condemns expulsion, via FXEmpire"
    )
    write(tmp_path, {"sources.yaml": REGISTRY, "people/testov.yaml": reposted, "faq/testov.yaml": faq})
    person_line = reposted.splitlines().index("  - title: Dissidents vow to fight on (AP, via The Hill)") + 1
    faq_line = faq.splitlines().index("    - title: Yashin condemns expulsion, via FXEmpire") + 1
    advice = (
        "cite the original outlet's page, or another outlet's report you read (docs/knowledge-style.md, §3)"
    )
    assert sorted(problems(tmp_path)) == [
        f"{tmp_path / 'faq/testov.yaml'}:{faq_line}: sources[0].title: the title says the page is a repost "
        f'("via FXEmpire"): {advice}',
        f"{tmp_path / 'people/testov.yaml'}:{person_line}: sources[0].title: the title says the page is a "
        f'repost ("AP, via The Hill"): {advice}',
    ]
    audit = subprocess.run(
        [sys.executable, str(ROOT / "tools/source_audit.py"), str(tmp_path), "--list"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    reposts = sorted(line.split("\t")[1] for line in audit.stdout.splitlines() if line.startswith("repost\t"))
    assert (audit.returncode, reposts) == (1, ["faq/testov.yaml", "people/testov.yaml"]), audit.stderr


def test_malformed_yaml_is_a_problem_not_a_traceback(tmp_path):
    write(tmp_path, {"people/testov.yaml": "id: testov\nname: {en: a, ru: б\n"})
    (found,) = problems(tmp_path)
    assert found.startswith(f"{tmp_path / 'people/testov.yaml'}:") and "malformed YAML" in found


def test_alias_bombs_and_huge_files_are_refused(tmp_path):
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'
    write(tmp_path, {"people/bomb.yaml": bomb, "people/huge.yaml": "x: " + "y" * 1_100_000 + "\n"})
    found = problems(tmp_path)
    assert any("bomb.yaml" in p and "aliases are not allowed" in p for p in found)
    assert any("huge.yaml" in p and "file too large" in p for p in found)


def test_stray_files_and_links_outside(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(person(), encoding="utf-8")
    root = write(tmp_path / "kb", {"misc.yaml": "a: 1\n"})
    (root / "people").mkdir()
    (root / "people" / "link.yaml").symlink_to(outside)
    found = problems(root)
    assert any("misc.yaml" in p and "not in a known folder" in p for p in found)
    assert any("link.yaml" in p and "outside the knowledge directory" in p for p in found)


def test_missing_directory(tmp_path):
    assert problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: knowledge directory not found"]


def test_text_too_long_for_one_message(tmp_path):
    long = "Слово " * 240
    text = person().replace("ru: Человек для проверки валидатора.", f"ru: {long}")
    many = "\n".join(
        f"  - title: {'Source ' * 35}{i}\n    url: https://example.org/{'p' * 300}{i}\n    accessed: 2026-11-23"
        for i in range(12)
    )
    text = text.split("sources:")[0] + "sources:\n" + many + "\n"
    write(tmp_path, {"people/testov.yaml": text})
    assert any("text too long for one Telegram message (ru)" in p for p in problems(tmp_path))


def test_validate_command_prints_one_line_or_every_problem(tmp_path):
    write(tmp_path, {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="testov")})
    ok = run_cli("validate", str(tmp_path))
    assert (ok.returncode, ok.stdout) == (0, "ok: 1 people, 0 organisations, 0 events, 1 faq\n")
    (tmp_path / "people/testov.yaml").write_text("id: [\n", encoding="utf-8")
    bad = run_cli("validate", str(tmp_path))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"{tmp_path / 'people/testov.yaml'}:" in bad.stderr


def test_schema_file_is_generated_from_the_model():
    shipped = KNOWLEDGE / "schema.json"
    assert shipped.read_text(encoding="utf-8") == schema_text()
    schema = json.loads(schema_text())
    person_schema = schema["$defs"]["Person"]
    assert person_schema["additionalProperties"] is False
    assert {"id", "name", "summary", "role", "as_of", "sources"} <= set(person_schema["required"])


def test_an_impossible_date_does_not_hide_the_files_other_errors(tmp_path):
    broken = person().replace("as_of: 2026-11-23\n", "as_of: 2026-02-30\n", 1)
    broken = broken.replace("  ru: Оппозиционный политик\n", "").replace("aliases:", "nickname: x\naliases:")
    write(tmp_path, {"people/testov.yaml": broken})
    file = tmp_path / "people/testov.yaml"
    as_of_line = broken.splitlines().index("as_of: 2026-02-30") + 1
    assert sorted(problems(tmp_path)) == sorted(
        [
            f"{file}:{as_of_line}: as_of: bad value '2026-02-30': day is out of range for month",
            f"{file}:{broken.splitlines().index('role:') + 1}: role.ru: missing translation (ru)",
            f"{file}:{broken.splitlines().index('nickname: x') + 1}: nickname: unknown key",
        ]
    )


def test_an_impossible_date_alone_keeps_the_entry_out(tmp_path):
    write(tmp_path, {"people/testov.yaml": person().replace("as_of: 2025\n", "as_of: 2025-02-30\n")})
    k = load(tmp_path, strict=False)
    assert [p.field for p in k.problems] == ["based_in.as_of"] and "testov" in k.broken
    assert k.entities == {}


BROKEN_TESTOV = {
    "malformed YAML": person().replace("aliases: [Testoff]", "aliases: [Testoff"),
    "an impossible date": person().replace("as_of: 2026-11-23\n", "as_of: 2026-02-30\n", 1),
    "a missing field": person().replace("  ru: Оппозиционный политик\n", ""),
}


@pytest.mark.parametrize("text", BROKEN_TESTOV.values(), ids=BROKEN_TESTOV.keys())
def test_a_broken_file_is_reported_once_not_as_missing_ids_in_other_files(tmp_path, text):
    referring = (
        person(id="petrov", en="Petr Petrov", ru="Пётр Петров", alias="Petroff") + "related: [testov]\n"
    )
    write(
        tmp_path,
        {
            "people/testov.yaml": text,
            "people/petrov.yaml": referring,
            "faq/testov.yaml": FAQ.format(about="testov"),
        },
    )
    found = problems(tmp_path)
    file = tmp_path / "people/testov.yaml"
    assert all(p.startswith(f"{file}:") for p in found), found
    assert f"{file}:1: 2 references to 'testov' (whose file has errors) not checked" in found
    assert len(found) == 2
