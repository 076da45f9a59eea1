"""A small BM25 index over stemmed words, for questions that describe rather than name."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

K1 = 1.2
B = 0.75


class BM25:
    """Documents are bags of stems with weights; `scores` ranks them for a set of query stems."""

    def __init__(self, docs: dict[str, Counter[str]]):
        postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        lengths = {doc: sum(bag.values()) for doc, bag in docs.items()}
        average = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
        for doc, bag in docs.items():
            norm = K1 * (1 - B + B * lengths[doc] / average)
            for term, tf in bag.items():
                postings[term].append((doc, tf * (K1 + 1) / (tf + norm)))
        n = len(docs)
        self.idf = {term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()}
        #: term -> (doc, the term's score in it): idf times weight, multiplied once here.
        self._scored = {
            term: [(doc, self.idf[term] * weight) for doc, weight in p] for term, p in postings.items()
        }
        self.size = n

    def df(self, term: str) -> int:
        """In how many documents the term occurs."""
        return len(self._scored.get(term, ()))

    def scores(self, terms: set[str] | frozenset[str]) -> dict[str, float]:
        """BM25 score of every document sharing a term with the query (a new dict)."""
        out: dict[str, float] = {}
        for term in terms:
            scored = self._scored.get(term)
            if scored is None:
                continue
            if not out:
                out.update(scored)  # the first term's scores as they are (0.0 + x is x): at C speed
                continue
            for doc, score in scored:
                out[doc] = out.get(doc, 0.0) + score
        return out

    def idf_sum(self, terms: set[str] | frozenset[str]) -> float:
        """Sum of the idfs of the known terms (1.0 if none), a normaliser for `scores`.

        It is the score of a document of average length holding each term once; it is not a
        maximum: a term repeated, or a shorter document, scores more.
        """
        return sum(self.idf.get(t, 0.0) for t in terms) or 1.0
