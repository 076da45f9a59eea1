"""What the bot's replies must be, checked from the outside: valid Telegram HTML that fits one message."""

from __future__ import annotations

import re

from telegram.constants import MessageLimit

from tests.emulator import check_text

#: The tags the bot's replies use (Telegram accepts a few more); only <a> has an attribute, href.
TAGS = frozenset({"b", "i", "a", "u", "s", "code", "pre", "blockquote"})
_TAG = re.compile(r"<(/?)([^\s>/]*)([^>]*)>")


def assert_valid_reply(html: str) -> None:
    """Telegram would accept `html` as one message in HTML parse mode, and it uses only our tags."""
    assert len(html) <= MessageLimit.MAX_TEXT_LENGTH
    plain, _ = check_text(html, "HTML")  # raises on malformed HTML or an over-long text
    assert plain.strip()
    for closing, name, attributes in _TAG.findall(html):  # every "<" starts a tag once check_text passed
        assert name in TAGS, name
        expected = r'\s+href="[^"]*"' if name == "a" and not closing else ""
        assert re.fullmatch(expected, attributes), (name, attributes)
