"""bot.matching.names: finding names in a question across scripts, spellings, cases and typos."""

import itertools

import pytest

from bot.matching.names import PARTIAL_PENALTY, SCAN_ALL, STEM_QUALITY, Found, NameIndex
from bot.matching.text import words

NAMES = [
    ("khodorkovsky", "Mikhail Khodorkovsky"),
    ("khodorkovsky", "Ходорковский"),
    ("khodorkovsky", "Khodorkovsky"),
    ("navalny", "Alexei Navalny"),
    ("navalny", "Навальный"),
    ("navalnaya", "Yulia Navalnaya"),
    ("navalnaya", "Навальная"),
    ("kara_murza", "Vladimir Kara-Murza"),
    ("kara_murza", "Кара-Мурза"),
    ("insider", "The Insider"),
    ("exchange", "August 2024 prisoner exchange"),
    ("kasparov", "Kasparov"),
    ("kasparov", "Garry Kasparov"),
]


def make_index(names=NAMES) -> NameIndex:
    index = NameIndex()
    for owner, name in names:
        index.add(owner, name)
    index.freeze()
    return index


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return make_index()


def find(index: NameIndex, question: str, fuzzy: bool = True) -> list[tuple[str, float]]:
    """(owner, quality) of every name found, best first."""
    ws = words(question)
    return [(f.owner, round(f.quality, 3)) for f in index.find(ws, [fuzzy] * len(ws))]


@pytest.mark.parametrize("spelling", ["Ходорковский", "Khodorkovsky", "khodorkovskiy", "Chodorkowski"])
def test_any_script_or_transliteration_of_a_name_is_an_exact_match(index, spelling):
    assert find(index, spelling) == [("khodorkovsky", 1.0)]


def test_a_russian_case_ending_matches_through_the_stem_a_little_below_exact(index):
    [(owner, quality)] = find(index, "ходорковского")
    assert owner == "khodorkovsky" and STEM_QUALITY <= quality < 1.0


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("навальной", "navalnaya", "navalny"),  # feminine ending: Yulia first
        ("навального", "navalny", "navalnaya"),  # masculine ending: Alexei first
        ("навальная", "navalnaya", "navalny"),
    ],
)
def test_the_grammatical_gender_of_the_ending_ranks_the_surname_of_that_gender_first(
    index, question, first, second
):
    found = find(index, question)
    assert [owner for owner, _ in found] == [first, second]
    assert found[0][1] > found[1][1]


def test_a_hyphenated_name_is_found_written_with_a_space_or_as_one_word(index):
    assert find(index, "kara murza") == [("kara_murza", 1.0)]
    assert find(index, "karamurza") == [("kara_murza", 1.0)]
    assert find(index, "Кара-Мурза") == [("kara_murza", 1.0)]
    assert find(index, "Кара-Мурзы") == [("kara_murza", STEM_QUALITY)]  # genitive


def test_every_word_of_a_two_word_name_must_occur():
    index = make_index([("murza", "Kara-Murza"), ("kara", "Kara Sea")])
    assert find(index, "kara") == [] and find(index, "murza") == [] and find(index, "sea") == []
    assert find(index, "kara sea") == [("kara", 1.0)]


@pytest.mark.parametrize(("typo", "quality"), [("kasprov", 0.9), ("kazparov", 0.9), ("kaspar", 0.8)])
def test_typos_cost_a_tenth_per_edit(index, typo, quality):
    assert find(index, typo) == [("kasparov", quality)]


def test_typos_are_looked_for_in_the_words_own_script_too(index):
    assert find(index, "навальнаяя")[0] == ("navalnaya", 0.9)


def test_no_typo_search_where_the_caller_forbids_it_or_the_word_is_short(index):
    assert find(index, "kasprov", fuzzy=False) == []
    assert index.token_matches("kasprov", fuzzy=False) == {}
    assert find(make_index([("ria", "RIA")]), "rio") == []  # under 4 letters: exact only


def test_stop_words_in_a_name_are_ignored(index):
    assert find(index, "insider") == [("insider", 1.0)]
    [found] = index.find(words("what did the insider write"), [True] * 5)
    assert found.used == {3}  # "insider", not "the"


def test_a_name_of_three_words_or_more_may_miss_one_at_a_penalty(index):
    assert find(index, "prisoner exchange 2024") == [("exchange", 1.0 - PARTIAL_PENALTY)]
    assert find(index, "exchange 2024") == []  # two words missing


def test_the_longer_name_matched_is_the_stronger_and_records_the_words_used(index):
    [short] = index.find(["kasparov"], [True])
    [full] = index.find(["garry", "kasparov"], [True, True])
    assert (short.length, full.length) == (1, 2)
    assert full.strength > short.strength
    assert full.used == {0, 1}


def test_found_strength_adds_a_tenth_per_extra_word():
    assert Found("x", 0.9, 3, frozenset()).strength == pytest.approx(1.1)


def test_equal_strengths_are_ordered_by_owner():
    index = make_index([("b_ivanov", "Ivanov"), ("a_ivanov", "Иванов")])
    assert [f.owner for f in index.find(["ivanov"], [True])] == ["a_ivanov", "b_ivanov"]


def test_a_large_index_looks_for_typos_only_among_words_of_the_same_first_letter():
    missing_first = "asparov"
    assert find(make_index([("kasparov", "Kasparov")]), missing_first) == [("kasparov", 0.9)]
    # Letters no transliteration fold touches, never doubled: each word is its own skeleton.
    letters = "bdfglmnprt"
    fillers = (
        "".join(w)
        for w in itertools.product(letters, repeat=5)
        if all(a != b for a, b in itertools.pairwise(w))
    )
    large = make_index([("kasparov", "Kasparov")] + [(w, w) for w in itertools.islice(fillers, SCAN_ALL)])
    assert find(large, "kasprov") == [("kasparov", 0.9)]
    assert find(large, missing_first) == []
