"""A small BM25 index over stemmed words, for questions that describe rather than name."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

K1 = 1.2
B = 0.75


class BM25:
    """Documents are bags of stems with weights; `scores` ranks them for a set of query stems."""

    def __init__(self, docs: dict[str, Counter[str]]):
        self._postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        lengths = {doc: sum(bag.values()) for doc, bag in docs.items()}
        average = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
        for doc, bag in docs.items():
            norm = K1 * (1 - B + B * lengths[doc] / average)
            for term, tf in bag.items():
                self._postings[term].append((doc, tf * (K1 + 1) / (tf + norm)))
        n = len(docs)
        self.idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in self._postings.items()
        }
        self.size = n

    def df(self, term: str) -> int:
        """In how many documents the term occurs."""
        return len(self._postings.get(term, ()))

    def scores(self, terms: set[str] | frozenset[str]) -> dict[str, float]:
        """BM25 score of every document sharing a term with the query."""
        out: dict[str, float] = defaultdict(float)
        for term in terms:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc, weight in self._postings[term]:
                out[doc] += idf * weight
        return out

    def idf_sum(self, terms: set[str] | frozenset[str]) -> float:
        """Sum of the idfs of the known terms (1.0 if none), a normaliser for `scores`.

        It is the score of a document of average length holding each term once; it is not a
        maximum: a term repeated, or a shorter document, scores more.
        """
        return sum(self.idf.get(t, 0.0) for t in terms) or 1.0
