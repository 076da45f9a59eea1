"""The shipped knowledge base: coverage, sources, translations, and a clean validation."""

from bot.knowledge.model import Event, Organisation, Person, has_cyrillic

REQUIRED_PEOPLE = """khodorkovsky kasparov pevchikh navalnaya volkov zhdanov sobol yashin kara_murza pivovarov
    ponomarev dmitry_gudkov gennady_gudkov kasyanov katz guriev schulmann ovsyannikova martynov akunin
    evgenia_kara_murza chichvarkin navalny""".split()
REQUIRED_GROUPS = """fbk free_russia_forum anti_war_committee open_russia novaya_gazeta_europe berlin_declaration
    prisoner_exchange_2024 foreign_agent_law undesirable_organisations_law extremist_terrorist_lists
    pace_platform""".split()


def test_coverage(engine):
    k = engine.knowledge
    people = [e for e in k.entities.values() if isinstance(e, Person)]
    groups = [e for e in k.entities.values() if isinstance(e, Organisation | Event)]
    assert len(people) >= 25
    assert len(groups) >= 10
    assert len(k.faq) >= 150
    assert set(REQUIRED_PEOPLE) <= k.entities.keys()
    assert set(REQUIRED_GROUPS) <= k.entities.keys()


def test_every_entry_is_sourced_dated_and_translated(engine):
    k = engine.knowledge
    for entry in [*k.entities.values(), *k.faq.values()]:
        assert entry.sources, entry.id
        assert all(s.url.startswith(("https://", "http://")) for s in entry.sources), entry.id
        assert entry.as_of, entry.id
        texts = [entry.answer] if entry in k.faq.values() else [entry.summary, entry.name]
        for pair in texts:
            assert pair.en.strip() and has_cyrillic(pair.ru), entry.id
    for faq in k.faq.values():
        assert faq.questions.en and faq.questions.ru, faq.id


def test_people_have_names_in_both_scripts_and_questions_about_them(engine):
    k = engine.knowledge
    for person in (e for e in k.entities.values() if isinstance(e, Person)):
        names = [person.name.en, person.name.ru, *person.aliases]
        assert any(has_cyrillic(n) for n in names) and any(not has_cyrillic(n) for n in names), person.id
        assert person.id in engine.index.faq_about, f"no FAQ entry about {person.id}"
