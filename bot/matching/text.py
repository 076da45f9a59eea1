"""Text normalisation for matching: case, script, transliteration, keyboard layout, stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Zero-width characters, bidi controls and the soft hyphen vanish; other punctuation splits words.
_INVISIBLE = (
    dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"), None)
    | dict.fromkeys(range(0x202A, 0x202F), None)
    | dict.fromkeys(range(0x2066, 0x206A), None)
)
_POSSESSIVE = re.compile(r"(?<=\w)['’`]s\b")
_APOSTROPHE = re.compile(r"(?<=\w)['’`ʼ](?=\w)")
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-яё]")


def normalise(text: str) -> str:
    """NFKC, case-fold, ё→е, no invisible characters, punctuation to single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold().replace("ё", "е")
    if "'" in text or "’" in text or "`" in text or "ʼ" in text:
        text = _POSSESSIVE.sub("", text)
        text = _APOSTROPHE.sub("", text)  # O'Brien, д'Артаньян: one word
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalise(text).split()


def script(word: str) -> str:
    """'ru' for a Cyrillic word, 'en' otherwise."""
    return "ru" if _CYRILLIC.search(word) else "en"


def language(text: str) -> str:
    """The language a question is written in.

    Its function words decide ("where does Каспаров live" is English); without any, Cyrillic
    letters make it Russian.
    """
    ws = words(text)
    ru = sum(1 for w in ws if w in _FUNCTION_WORDS and script(w) == "ru")
    en = sum(1 for w in ws if w in _FUNCTION_WORDS and script(w) == "en")
    if ru != en:
        return "ru" if ru > en else "en"
    return "ru" if any(_CYRILLIC.search(w) for w in ws) else "en"


# --- Transliteration to a shared Latin "skeleton" -----------------------------------------------

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_TRANSLIT = str.maketrans(_CYR_TO_LAT)
# Spellings that differ between English, German, Polish and French transliterations, folded
# to one form; order matters (longer patterns first).
_FOLDS = [
    ("tsch", "ch"), ("tch", "ch"), ("sch", "sh"), ("sz", "sh"), ("cz", "ch"), ("zh", "j"), ("dj", "j"),
    ("kh", "h"), ("ch", "h"), ("ph", "f"), ("ck", "k"), ("tz", "ts"), ("x", "ks"), ("w", "v"),
    ("q", "k"), ("y", "i"), ("j", "i"), ("ou", "u"), ("ae", "e"), ("ue", "u"), ("oe", "e"),
]  # fmt: skip
_DOUBLE = re.compile(r"(.)\1+")
_LEADING_IE = re.compile(r"^ie")


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A Latin key under which spelling variants of a name meet.

    "Ходорковский", "Khodorkovsky", "Khodorkovskiy", "Chodorkowski" and "hodorkovskiy" all
    become "hodorkovski".
    """
    out = unicodedata.normalize("NFKD", word.casefold().translate(_TRANSLIT))
    out = "".join(c for c in out if not unicodedata.combining(c))
    for old, new in _FOLDS:
        out = out.replace(old, new)
    out = _DOUBLE.sub(r"\1", out)
    return _LEADING_IE.sub("e", out)


# --- Keyboard layout ----------------------------------------------------------------------------

# The same keys on a QWERTY and a ЙЦУКЕН keyboard, without and with Shift.
_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
_EN_TO_RU = str.maketrans(_EN_KEYS, _RU_KEYS)
_RU_TO_EN = str.maketrans(_RU_KEYS, _EN_KEYS)


def swap_layout(text: str) -> str:
    """Retype text as if the other keyboard layout (QWERTY ↔ ЙЦУКЕН) had been on."""
    cyr = len(re.findall(r"[А-Яа-яЁё]", text))
    lat = len(re.findall(r"[A-Za-z]", text))
    return text.translate(_RU_TO_EN if cyr > lat else _EN_TO_RU)


# --- Stemming and stop words --------------------------------------------------------------------

_STEMMERS = {"ru": snowballstemmer.stemmer("russian"), "en": snowballstemmer.stemmer("english")}


#: Shortest Russian stem that loses a final «ен» (see `stem`).
_EN_STEM = 5


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a normalised word, in the stemmer of its script.

    The Russian stemmer reads a final «-ен» as a verb ending in some forms of a word and not in
    others («обмен», «обмена» → обм, but «обмене» → обмен; «освобождён» → освобожд, but
    «освобождение» → освобожден): it is dropped from every stem, so all forms meet.
    """
    lang = script(word)
    found = _STEMMERS[lang].stemWord(word)
    if lang == "ru" and len(found) >= _EN_STEM and found.endswith("ен"):
        return found[:-2]
    return found


STOP_WORDS = frozenset(
    """
    a an the is are was were be been being am do does did doing have has had having i me my we
    our you your he him his she her it its they them their this that these those what which who
    whom whose tell about please can could would should will shall may might must of in on at to
    for from by with as into onto than then there here so and or but if not no yes any some also
    just very really s t now currently today know want like me info information give show say
    anything something someone thing things bot hi hello why when how ex
    а и в во на о об обо от ото у к ко с со из за по до для при про без над под через что кто
    как это этот эта эти тот та те такой такая такие ли же бы не ни да нет он она оно они его
    ее её их ему ей им ими мне мой моя мои ты вы вам вас нас мы я был была были было быть есть
    сейчас теперь ну вот скажи скажите расскажи расскажите подскажи подскажите пожалуйста
    можно нужно хочу знать такое такой какой какая какие которые который которая которого которой
    которому которую которым котором которых чем тем
    информация инфо инфа привет здравствуйте бот почему зачем когда экс
    """.split()
) | frozenset(
    # Chat fillers: tag questions, hedges and interjections that say nothing about an entry.
    """
    right ok okay yeah yep yup nope lol lmao pls plz hey hmm um uh oh btw u ur r ya
    got get gets getting gonna wanna gotta kinda sorta still actually exactly even again
    isnt arent wasnt werent doesnt dont didnt hasnt havent cant wont whats wheres whos hows
    these days nowadays anymore anyway quick q question guy guys dude bro mate someone anyone
    вообще ваще щас типа короче вроде че чо чё плиз пж пжлст слушай слушайте кстати ещё еще уже
    тоже там тут просто вопрос интересно
    """.split()
)


_FUNCTION_WORDS = STOP_WORDS | frozenset(
    "where why when how live lives living leave left where's whats "
    "где почему зачем когда живет живут уехал уехала сейчас".split()
)


def content_words(text: str) -> list[str]:
    """Normalised words that are not stop words."""
    return [w for w in words(text) if w not in STOP_WORDS]


# --- Russian typed in Latin letters ("gde zhivet kasparov") ---------------------------------------

_LAT_TO_CYR = [
    ("shch", "щ"), ("sch", "щ"), ("iya", "ия"), ("iye", "ие"), ("iyu", "ию"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("iy", "ий"), ("yy", "ый"), ("ye", "е"), ("ju", "ю"),
    ("ja", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("y", "ы"),
    ("w", "в"), ("x", "кс"), ("q", "к"),
]  # fmt: skip
_LAT_PATTERN = re.compile("|".join(re.escape(lat) for lat, _ in _LAT_TO_CYR))
_LAT_MAP = dict(_LAT_TO_CYR)


def to_cyrillic(text: str) -> str:
    """Read Latin letters as a Russian transliteration: "kto zhivet v vilnyuse" -> "кто живет в вилнюсе"."""
    return _LAT_PATTERN.sub(lambda m: _LAT_MAP[m.group(0)], normalise(text))
