"""Take what identifies the asker out of a question before it is stored.

Questions are kept for weeks and read by admins; people inside Russia sometimes write their phone
number, e-mail, @username, a link or their name and town into a question. `scrub` replaces each
with a placeholder (`PLACEHOLDERS`), so the stored text still shows what was asked but not by whom.
It errs on the side of removing: a five-digit number or a bare domain goes too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: What each kind of personal detail becomes in the stored text.
PLACEHOLDERS = {
    "link": "‹link›",
    "email": "‹email›",
    "user": "‹user›",
    "phone": "‹phone›",
    "number": "‹number›",
    "name": "‹name›",
    "place": "‹place›",
}

#: Digits in a row from which a number is taken as an identifier (ids, codes, card parts).
LONG_DIGITS = 5
#: Digits a number needs to be taken as a phone number: with a leading + / without.
PHONE_DIGITS_INTERNATIONAL = 7
PHONE_DIGITS = 10

# Top-level domains a bare "host.tld/..." is recognised by (a dot between words is not enough:
# "Mr.Smith" is no link). Links with a scheme, "www." or "t.me/" are recognised whatever the domain.
_TLDS = (
    "com|org|net|info|biz|io|me|co|tv|fm|ly|app|dev|news|media|ru|su|рф|ua|by|kz|ge|am|lt|lv|ee|"
    "pl|de|uk|fr|eu|us|ca|il|cz|fi|se|no|nl|ch|at|es|it|online|site|xyz|club|live|pro"
)
_LINK = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\bt\.me/)\S*"
    rf"|\b(?:[\w-]+\.)+(?:{_TLDS})\b(?:/\S*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_USER = re.compile(r"(?<![\w@])@\w{2,}")
# A run of digits with the separators phone numbers are written with; `_phone` counts the digits.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{4,}\d(?!\w)")
_DIGITS = re.compile(rf"\d{{{LONG_DIGITS},}}")

_WORD = r"[^\W\d_][\w'’-]*"
_CAPITAL = r"[A-ZА-ЯЁ][\w'’-]*"
# "my name is Ivan Petrov" / "меня зовут Иван": the name is up to three capitalised words, or
# (written in lower case) the next two words.
_NAME = re.compile(
    r"\b((?i:my name is|my name's|i am called|my surname is|меня зовут|моё имя|мое имя|моя фамилия))"
    rf"(\s+)({_CAPITAL}(?:\s+{_CAPITAL}){{0,2}}|{_WORD}(?:\s+{_WORD})?)"
)
# "I live in Kazan" / "я из Казани": the place is up to three capitalised words or the next word.
_PLACE = re.compile(
    r"\b((?i:i live in|i'm from|i am from|i'm in|i am in|живу в|живу во|я из|я сейчас в|я нахожусь в))"
    rf"(\s+)({_CAPITAL}(?:[\s-]+{_CAPITAL}){{0,2}}|{_WORD})"
)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    needed = PHONE_DIGITS_INTERNATIONAL if text.startswith("+") else PHONE_DIGITS
    if digits >= needed:
        return PLACEHOLDERS["phone"]
    return _DIGITS.sub(PLACEHOLDERS["number"], text)


def _keep_intro(placeholder: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + m.group(2) + placeholder


def scrub(text: str) -> str:
    """`text` with links, e-mails, @usernames, phone numbers, long numbers, the asker's own name
    and town replaced by placeholders (see `PLACEHOLDERS`); anything else is left as it was."""
    text = _EMAIL.sub(PLACEHOLDERS["email"], text)  # first: an address holds a domain
    text = _LINK.sub(PLACEHOLDERS["link"], text)
    text = _USER.sub(PLACEHOLDERS["user"], text)
    text = _PHONE.sub(_phone, text)
    text = _DIGITS.sub(PLACEHOLDERS["number"], text)
    text = _NAME.sub(_keep_intro(PLACEHOLDERS["name"]), text)
    return _PLACE.sub(_keep_intro(PLACEHOLDERS["place"]), text)
