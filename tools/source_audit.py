"""Count the cited URLs of knowledge/ by what the source registry says of their host.

    .venv/bin/python tools/source_audit.py [KNOWLEDGE_DIR] [--list]

Reads the YAML files directly (so it works on a folder `validate` rejects) and sorts every
`sources[].url` into: a registered outlet (by its kind), a host the registry does not know, a host
on the style guide's never-cite list (mirrors, proxies, wiki mirrors, content farms:
docs/knowledge-style.md, "What counts as a source"), and titles that say they are a repost
("(X, via Y)": the rule `python -m bot validate` applies, `bot.knowledge.model.repost_note`).
Exit status 1 if any URL is unknown, never-cite or a repost.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.knowledge.model import repost_note

#: The never-cite hosts of docs/knowledge-style.md §3 (a host matches itself and its subdomains).
NEVER = frozenset(
    """pledgetimes.com newstoday.app manchester-tv.com linkielist.com translate.goog translate.google.com
    a.run.app cloudfront.net appspot.com movatter.jp ceno.life kiwix.org iiab.me owiki.org enwikipedia.net
    wikisum.com askwikinow.com sagapedia.com everand.com profil123.com theindiansubcontinent.com
    successdigestonline.com b17news.com journalistwire.com aktuelnosti.com 246bajanvibesradio.com
    knowwhois.com spamchronicles.com buzzbongo.com archynewsy.com worldin.news newsflash.one
    news-pravda.com europenews.today dailywrap.net thegeopost.com brytfmonline.com russiasnews.com
    news.rambler.ru news.mail.ru""".split()
)
#: Hosts that are a proxy whatever their second-level name (Google's translation proxy).
NEVER_PARTS = ("translate.goog",)


def _covers(domains: frozenset[str] | dict[str, str], host: str) -> str | None:
    parts = host.split(".")
    for i in range(len(parts) - 1):
        suffix = ".".join(parts[i:])
        if suffix in domains:
            return suffix
    return None


def _sources(data: object) -> Iterator[dict[str, object]]:
    """Every source of a file: an entity's, or each FAQ item's."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            yield from (s for s in item.get("sources") or [] if isinstance(s, dict))


def audit(root: Path) -> list[tuple[str, str, str, str]]:
    """(verdict, file, url, title) of every cited URL; verdict is an outlet kind, or
    `unknown`, `never`, `repost`."""
    registry = yaml.safe_load((root / "sources.yaml").read_text(encoding="utf-8"))
    kinds = {domain: outlet["kind"] for outlet in registry for domain in outlet["domains"]}
    registered_never = sorted(d for d in kinds if _covers(NEVER, d))
    if registered_never:
        raise SystemExit(f"the registry lists never-cite hosts: {', '.join(registered_never)}")
    rows = []
    for path in sorted(root.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in _sources(data):
            url, title = str(source.get("url", "")), str(source.get("title", ""))
            host = (urlsplit(url).hostname or "").removesuffix(".")
            if _covers(NEVER, host) or any(part in host for part in NEVER_PARTS):
                verdict = "never"
            elif (domain := _covers(kinds, host)) is None:
                verdict = "unknown"
            elif repost_note(title):
                verdict = "repost"
            else:
                verdict = kinds[domain]
            rows.append((verdict, str(path.relative_to(root)), url, title))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", nargs="?", default="knowledge", type=Path)
    p.add_argument("--list", action="store_true", help="also list every URL that is not accepted")
    args = p.parse_args()
    rows = audit(args.dir)
    counts = Counter(verdict for verdict, *_ in rows)
    print(f"{len(rows)} cited URLs ({len({url for _, _, url, _ in rows})} distinct) in {args.dir}")
    for verdict, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {verdict:20} {n}")
    bad = [row for row in rows if row[0] in ("unknown", "never", "repost")]
    print(f"rejected (never-cite, unknown host, repost): {len(bad)}")
    if args.list:
        for verdict, file, url, title in bad:
            print(f"{verdict}\t{file}\t{url}\t{title}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
