"""bot.matching.features: what a question says about each candidate, against the others."""

import pytest

from bot.matching.candidates import collect
from bot.matching.features import FEATURES, _head_type, describe
from bot.matching.reading import reading
from bot.matching.text import words


def features(engine, question: str) -> dict[str, dict[str, float]]:
    """Every candidate's features (by id) for a question."""
    pool = collect(engine.index, reading(engine.index, question))
    return {c.id: describe(engine.index, pool, c) for c in pool.candidates.values()}


def test_every_feature_described_is_one_the_model_weighs(engine):
    for f in features(engine, "the chess champion who retired and entered politics in 2005").values():
        assert set(f) <= set(FEATURES)


def test_only_the_entry_that_leads_on_the_words_gets_a_lead(engine):
    found = features(engine, "world chess champion who retired and entered politics")
    leads = {i: f["text_lead"] for i, f in found.items() if f.get("text_lead")}
    assert list(leads) == ["kasparov"] and 0 < leads["kasparov"] <= 1


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("the historian who founded a magazine in exile", "person"),
        ("the fbk guy who ran the investigations", "person"),  # a word followed by "who"
        ("газета, которую закрыли власти", "organisation"),
        ("политолог, которая преподаёт в Лондоне", "person"),
        ("which party did she join", "organisation"),
        ("the law on foreign agents", "event"),
        ("who leads it", "person"),  # "who" asks for a person
        ("кто подписал декларацию", "person"),
    ],
)
def test_the_first_type_word_says_what_sort_of_entry_is_described(question, kind):
    assert _head_type(tuple(words(question))) == kind


@pytest.mark.parametrize("question", ["where does Kasparov live", "когда это было", ""])
def test_a_question_without_a_type_word_describes_no_sort_in_particular(question):
    assert _head_type(tuple(words(question))) is None


def test_a_year_counts_with_the_words_of_what_happened_in_it(engine):
    same = features(engine, "who retired from chess in 2005")["kasparov"]
    assert same.get("year_fit") == 1.0 and same.get("year_text") == 1.0
    # A year of his, but what happened then is not what is asked.
    other = features(engine, "who retired from chess in 2014")["kasparov"]
    assert other.get("year_fit") == 1.0 and not other.get("year_text")


def test_a_bounded_year_is_read_as_the_years_it_covers_and_two_years_as_a_span(engine):
    after = reading(engine.index, "кто уехал после 2022 года")
    assert after.year_bound == ("after", "2022") and "2022" not in after.years and "2024" in after.years
    assert "2022" not in after.terms  # the bound is no word to look up
    assert reading(engine.index, "who left before 2014").years == frozenset(map(str, range(1900, 2014)))
    span = reading(engine.index, "Gudkov who sat in the duma from 2001 to 2012")
    assert span.year_bound is None and span.years == {"2001", "2012"}


def test_a_masculine_verb_after_kto_says_nothing_of_gender(engine):
    assert reading(engine.index, "кто уехал в Берлин").gender is None
    assert reading(engine.index, "кто уехала в Берлин").gender == "female"
    assert reading(engine.index, "журналист, который уехал в Латвию").gender == "male"


def test_a_list_of_an_organisation_named_is_told_from_one_found_in_the_words(engine):
    lists = {i: f for i, f in features(engine, "who works at FBK").items() if i.startswith("list:")}
    assert lists["list:org:fbk"]["list_named"] == 1.0
    assert lists["list:org:fbk"]["head_type_fit"] == 1.0  # "who" asks for people, a list holds them


def test_a_capitalised_name_we_do_not_know_counts_against_the_entries_found_by_words(engine):
    r = reading(engine.index, "Is Rafael Nadal the best tennis player now")
    assert r.unknown_capitals == 2
    assert all(f["unknown_named"] == 1.0 for f in features(engine, r.text).values() if "name" not in f)
    # Names of ours, a capital at the start, and words we know do not count.
    assert reading(engine.index, "Is Garry Kasparov the best Chess player").unknown_capitals == 0
    assert reading(engine.index, "is rafael nadal the best").unknown_capitals == 0


def test_a_family_tie_is_told_from_a_post_or_a_founding(engine):
    wife = features(engine, "Navalny's wife")
    assert wife["navalnaya"]["tie_family"] == 1.0 and wife["navalny"]["tie_anchor_family"] == 1.0
    founder = features(engine, "the founder of FBK")
    assert founder["navalny"].get("tie") and not founder["navalny"].get("tie_family")
