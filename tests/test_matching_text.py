"""Normalisation, transliteration, keyboard layout and stemming."""

import pytest

from bot.matching.text import content_words, language, normalise, skeleton, stem, swap_layout


def test_normalise_folds_case_yo_punctuation_and_invisible_characters():
    assert normalise("  Кто ТАКОЙ   Ходорковский?!  ") == "кто такой ходорковский"
    assert normalise("Всё ещё") == "все еще"
    assert normalise("Kas\u200bparov") == "kasparov"
    assert normalise("ＫＡＳＰＡＲＯＶ") == "kasparov"  # NFKC: full-width letters
    assert normalise("Navalny's wife") == "navalny wife"
    assert normalise("Kara-Murza") == "kara murza"
    assert normalise("<b>&amp;</b> *_[") == "b amp b"


@pytest.mark.parametrize(
    "spelling", ["Ходорковский", "Khodorkovsky", "Khodorkovskiy", "Chodorkowski", "hodorkovskiy"]
)
def test_spellings_of_one_name_share_a_skeleton(spelling):
    assert skeleton(normalise(spelling)) == skeleton("ходорковский")


@pytest.mark.parametrize(
    ("a", "b"),
    [("Яшин", "Jaschin"), ("Шульман", "Schulmann"), ("Чичваркин", "Tschitschwarkin"), ("Волков", "Wolkow")],
)
def test_german_and_polish_transliterations_meet_cyrillic(a, b):
    assert skeleton(normalise(a)) == skeleton(normalise(b))


def test_different_names_keep_different_skeletons():
    assert skeleton("navalny") != skeleton("navalnaya")
    assert skeleton("kasparov") != skeleton("kasyanov")


def test_swap_layout_both_ways():
    assert swap_layout("rfcgfhjd") == "каспаров"
    assert swap_layout("лфызфкщм") == "kasparov"
    assert swap_layout("ult ;bdtn") == "где живет"


def test_russian_case_endings_share_a_stem():
    assert stem("ходорковского") == stem("ходорковский")
    assert stem("каспаровым") == "каспаров"
    assert stem("вильнюсе") == stem("вильнюс")


def test_language_follows_the_script():
    assert language("где живёт Kasparov") == "ru"
    assert language("where does Каспаров live") == "en"
    assert language("?") == "en"


def test_stop_words_never_count_as_content():
    assert content_words("Who is the Kasparov?") == ["kasparov"]
    assert content_words("Кто такой Каспаров") == ["каспаров"]
