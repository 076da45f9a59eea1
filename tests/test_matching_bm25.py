"""BM25 over bags of stems: document frequency, idf, scores and the idf-sum normaliser."""

import itertools
import math
import random
from collections import Counter

import pytest

from bot.matching.bm25 import BM25, K1, B

DOCS = {
    "kasparov": Counter({"chess": 3, "champion": 1, "putin": 1}),
    "karpov": Counter({"chess": 1, "champion": 1, "duma": 1, "deputy": 1}),
    "gudkov": Counter({"duma": 2, "deputy": 2, "kgb": 1}),
    "navalny": Counter({"putin": 1, "poison": 2, "fbk": 1, "prison": 1, "anticorruption": 1}),
}


def textbook(docs: dict[str, Counter[str]], terms: set[str]) -> dict[str, float]:
    """Okapi BM25 of every document, straight from the formula (idf with +1 inside the log)."""
    n = len(docs)
    average = sum(sum(bag.values()) for bag in docs.values()) / n
    out = {}
    for doc, bag in docs.items():
        length = sum(bag.values())
        total = 0.0
        for term in terms:
            df = sum(1 for other in docs.values() if term in other)
            tf = bag.get(term, 0)
            if df and tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        if total:
            out[doc] = total
    return out


def test_df_counts_documents_not_occurrences():
    index = BM25(DOCS)
    assert (index.df("chess"), index.df("duma"), index.df("poison"), index.df("absent")) == (2, 2, 1, 0)
    assert index.size == 4


def test_a_rarer_term_has_a_higher_idf():
    index = BM25(DOCS)
    assert index.idf["poison"] > index.idf["chess"] > 0
    assert "absent" not in index.idf


def test_scores_rank_the_document_the_words_describe_first():
    scores = BM25(DOCS).scores({"chess", "champion", "putin"})
    assert max(scores, key=scores.__getitem__) == "kasparov"
    assert set(scores) == {"kasparov", "karpov", "navalny"}  # gudkov shares no term: absent


def test_unknown_terms_add_nothing():
    index = BM25(DOCS)
    assert index.scores({"nobel"}) == {}
    assert index.scores({"kgb", "nobel"}) == index.scores({"kgb"})


def test_repeating_a_term_in_a_document_raises_its_score_with_diminishing_returns():
    base = {"other": Counter({"filler": 4})}
    gains = [
        BM25({**base, "doc": Counter({"chess": tf, "filler": 4 - tf})}).scores({"chess"})["doc"]
        for tf in (1, 2, 3)
    ]
    steps = [b - a for a, b in itertools.pairwise(gains)]
    assert all(step > 0 for step in steps) and steps == sorted(steps, reverse=True)


@pytest.mark.parametrize("seed", range(30))
def test_scores_match_the_formula_over_random_documents(seed):
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(8)]
    docs = {
        f"d{i}": Counter({w: rng.randint(1, 4) for w in rng.sample(vocabulary, rng.randint(1, 6))})
        for i in range(rng.randint(1, 7))
    }
    terms = set(rng.sample([*vocabulary, "unknown"], rng.randint(1, 4)))
    got = BM25(docs).scores(terms)
    expected = textbook(docs, terms)
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[d], expected[d]) for d in expected)


@pytest.mark.parametrize("seed", range(30))
def test_idf_sum_is_the_score_of_an_average_document_holding_each_term_once(seed):
    """Brute force: add a document of exactly average length with each term once; it scores idf_sum."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(8)]
    terms = set(rng.sample(vocabulary, rng.randint(1, 4)))
    length = len(terms) + rng.randint(0, 3)
    filler = length - len(terms)
    docs = {
        f"d{i}": Counter({w: 1 for w in rng.sample(vocabulary, length)}) for i in range(rng.randint(1, 6))
    }  # every document of the same length, so the added one is of average length
    docs["probe"] = Counter({**dict.fromkeys(terms, 1), **({"filler": filler} if filler else {})})
    index = BM25(docs)
    assert math.isclose(index.idf_sum(terms), index.scores(terms)["probe"])
    assert math.isclose(index.idf_sum(terms), sum(index.idf[t] for t in terms))


def test_idf_sum_is_not_a_maximum():
    """A document repeating a term, or shorter than average, scores above the idf sum."""
    index = BM25(DOCS)
    scores = index.scores({"chess"})
    assert scores["kasparov"] > index.idf_sum({"chess"})  # "chess" three times
    assert scores["karpov"] > index.idf_sum({"chess"})  # once, in 4 words where the average is 5


def test_idf_sum_ignores_unknown_terms_and_is_one_when_none_is_known():
    index = BM25(DOCS)
    assert index.idf_sum({"kgb", "nobel"}) == index.idf["kgb"]
    assert index.idf_sum({"nobel"}) == 1.0
    assert index.idf_sum(set()) == 1.0
    assert BM25({}).idf_sum({"anything"}) == 1.0
