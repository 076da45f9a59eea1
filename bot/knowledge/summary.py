"""The one-line summary of a loaded knowledge base (light: the health check prints it too)."""

from __future__ import annotations


def summary_line(counts: dict[str, int]) -> str:
    """`ok: 25 people, 9 organisations, 4 events, 160 faq`."""
    return "ok: " + ", ".join(f"{n} {kind}" for kind, n in counts.items())
