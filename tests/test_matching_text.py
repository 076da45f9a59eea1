"""bot.matching.text: normalisation, scripts, transliteration skeletons, keyboard layout, stemming."""

import pytest

from bot.matching.text import (
    content_words,
    language,
    normalise,
    script,
    skeleton,
    stem,
    swap_layout,
    to_cyrillic,
    words,
)


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


def test_every_form_of_a_russian_word_ending_in_en_shares_a_stem():
    """The stemmer cuts «-ен» from some forms only (обмен → обм, обмене → обмен)."""
    assert len({stem(w) for w in "обмен обмена обмене обменом".split()}) == 1
    assert stem("освобождён") == stem("освобождение")
    assert stem("член") == stem("члена") == "член"  # too short a stem to lose anything


def test_language_follows_the_script():
    assert language("где живёт Kasparov") == "ru"
    assert language("where does Каспаров live") == "en"
    assert language("?") == "en"


def test_stop_words_never_count_as_content():
    assert content_words("Who is the Kasparov?") == ["kasparov"]
    assert content_words("Кто такой Каспаров") == ["каспаров"]


# --- normalise and words ------------------------------------------------------------------------


def test_normalise_joins_words_split_by_an_apostrophe_and_drops_the_possessive():
    assert normalise("O'Brien’s book") == "obrien book"
    assert normalise("д’Артаньян") == "дартаньян"


def test_normalise_keeps_digits_and_splits_on_underscores_and_symbols():
    assert normalise("snake_case 2024 №5") == "snake case 2024 no5"  # NFKC: № is "No"
    assert normalise("ﬁnance") == "finance"  # NFKC: the ligature is two letters


def test_normalise_removes_bidi_controls_without_splitting_the_word():
    assert normalise("Kas\u202eparov\u2066") == "kasparov"
    assert normalise("Kara\u00admurza") == "karamurza"  # soft hyphen


def test_words_are_the_normalised_words():
    assert words("Hello, World!  Всё") == ["hello", "world", "все"]
    assert words("?!") == []


def test_script_is_russian_for_any_cyrillic_letter():
    assert (script("abc"), script("abcд"), script("каспаров"), script("2024")) == ("en", "ru", "ru", "en")


def test_language_counts_function_words_and_falls_back_to_the_script():
    assert language("кто is where") == "en"  # two English function words to one Russian
    assert language("who Каспаров где") == "ru"  # one each: the Cyrillic letters decide
    assert (language("Kasparov"), language("Каспаров")) == ("en", "ru")


# --- skeletons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["Навальный", "Navalny", "Navalnyi", "Nawalny", "Nawalnyj"], "navalni"),
        (["Хрущёв", "Khrushchev"], "hrushev"),  # щ, ё
        (["Евгений", "Yevgeny", "Evgeny", "Jewgeni"], "evgeni"),  # leading "ye"/"je" is "e"
        (["Юлия", "Yulia", "Julia", "Ioulia"], "iulia"),  # English, German and French
        (["Ксения", "Xenia", "Ksenia"], "ksenia"),  # x is ks
        (["Кац", "Katz", "Kats"], "kats"),  # German tz
        (["Шендерович", "Shenderovich", "Schenderowitsch", "Szenderowicz"], "shenderovih"),
        (["Чичваркин", "Cziczwarkin"], "hihvarkin"),  # Polish cz
        (["Галямина", "Galyamina"], "galiamina"),
        (["Kasparów", "Kasparov"], "kasparov"),  # diacritics go
    ],
)
def test_skeleton_of_every_spelling_of_a_name(spellings, key):
    assert {skeleton(normalise(s)) for s in spellings} == {key}


def test_skeleton_collapses_doubled_letters():
    assert skeleton("schulmann") == skeleton("shulman") == "shulman"
    assert skeleton("ходорковский") == "hodorkovski"  # the documented example


# --- keyboard layout ----------------------------------------------------------------------------


def test_swap_layout_keeps_capitals_and_maps_shifted_keys():
    assert swap_layout("Rfcgfhjd") == "Каспаров"
    assert swap_layout("RFCGFHJD") == "КАСПАРОВ"
    assert swap_layout("Ult ;bdtn Rfcgfhjd?") == "Где живет Каспаров,"  # ; is ж, ? is ,
    assert swap_layout("Рщвщклщмылн") == "Hodorkovsky"


def test_swap_layout_goes_from_the_script_most_letters_are_in():
    assert swap_layout("jnrhsnfz hjccbz") == "открытая россия"
    assert swap_layout("ghbdtn, vbh") == "приветб мир"  # a comma typed on QWERTY is б
    assert swap_layout(swap_layout("ult ;bdtn")) == "ult ;bdtn"


# --- stems, stop words and Latin-typed Russian --------------------------------------------------


def test_stem_uses_the_stemmer_of_the_words_script():
    assert stem("lives") == stem("living") == "live"
    assert (stem("каспаровым"), stem("kasparovym")) == (
        "каспаров",
        "kasparovym",
    )  # Russian endings only in Cyrillic
    assert stem("организации") == stem("организация")
    assert stem("навальной") == stem("навальная") == "навальн"


def test_content_words_drop_stop_words_in_both_languages():
    assert content_words("Where does Kasparov live now?") == ["where", "kasparov", "live"]
    assert content_words("Где сейчас живёт Каспаров?") == ["где", "живет", "каспаров"]


def test_to_cyrillic_reads_latin_letters_as_transliterated_russian():
    assert to_cyrillic("gde zhivet kasparov") == "где живет каспаров"
    assert to_cyrillic("Khodorkovskiy Shchedrin") == "ходорковский щедрин"
    assert to_cyrillic("Yulia") == "юлиа"  # ya is я, but "ia" is read letter by letter
