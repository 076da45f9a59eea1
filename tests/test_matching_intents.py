"""bot.matching.intents: what a question asks, from the stems of its cue words in either language."""

import pytest

from bot.matching.intents import CUE_STEMS, INTENT_STEMS, LIST_STEMS, RELATION_STEMS, intents
from bot.matching.text import stem, words


def stems(question: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where is Kasparov based?", {"where"}),
        ("где живёт Каспаров", {"where"}),
        ("где сейчас живут Навальные", {"where"}),  # another person and number of the verb
        ("when did Kasparov leave Russia", {"left"}),
        ("когда уехал Каспаров", {"left"}),
        ("почему эмигрировала Шульман", {"left"}),
        ("чем занимается Ходорковский", {"org"}),
        ("who leads FBK", {"org", "who"}),
        ("is Kasparov a foreign agent", {"designation"}),
        ("Каспаров иноагент?", {"designation"}),
        ("приговорили Яшина", {"designation"}),
        ("when was Kasparov born", {"born"}),
        ("where was Kasparov born", {"born", "where"}),
        ("who is Kasparov", {"who"}),
        ("кто такой Каспаров", {"who"}),
        ("кто живёт в Берлине", {"where", "who"}),
    ],
)
def test_intents_of_a_question(question, expected):
    assert intents(stems(question)) == expected


@pytest.mark.parametrize("question", ["Kasparov", "Каспаров", "Open Russia forum", ""])
def test_a_bare_name_asks_nothing_in_particular(question):
    assert intents(stems(question)) == frozenset()


def test_cue_words_are_compared_as_stems_so_inflected_forms_meet():
    assert stem("lives") in INTENT_STEMS["where"] and stem("living") in INTENT_STEMS["where"]
    assert stem("эмигрировала") in INTENT_STEMS["left"]
    assert stem("иноагентом") in INTENT_STEMS["designation"]


def test_relation_words_tie_a_list_question_to_what_it_filters_on():
    assert stems("who was freed in the 2024 exchange") & RELATION_STEMS["event"] == {
        stem("freed"),
        stem("exchange"),
    }
    assert stem("работает") in RELATION_STEMS["org"] and stem("живут") in RELATION_STEMS["place"]
    assert stems("кто работает в ФБК") & LIST_STEMS == {"кто"}


def test_cue_stems_are_the_intent_and_list_cues_not_relations_or_names():
    assert stem("freed") not in CUE_STEMS  # a relation word, not a cue
    assert {stem("кто"), stem("where"), stem("список")} <= CUE_STEMS
    assert not stems("Kasparov Ходорковский Berlin") & CUE_STEMS
