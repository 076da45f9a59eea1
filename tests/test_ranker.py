"""The matcher's model: decisions from scores, the shipped weights, and what a question is read as."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.matching.candidates import Candidate, collect
from bot.matching.decide import decide
from bot.matching.index import Hit
from bot.matching.reading import reading
from bot.matching.scoring import MODEL_FILE, Thresholds, parse
from tests.conftest import ROOT

T = Thresholds(unknown=0.5, answer=0.8, suggest=0.2)


def ranked(*scores: float) -> list[tuple[float, Candidate]]:
    return [(p, Candidate(f"c{i}")) for i, p in enumerate(scores)]


def test_a_clear_winner_is_answered():
    assert decide(ranked(0.85, 0.05), 0.1, T).outcome == "answer"


def test_close_candidates_are_offered_not_answered():
    d = decide(ranked(0.45, 0.4, 0.1), 0.05, T)
    assert d.outcome == "suggest" and [c.id for _, c in d.choices] == ["c0", "c1"]


def test_a_likely_none_is_declined_even_with_a_leader():
    assert decide(ranked(0.3), 0.7, T).outcome == "none"


def test_when_none_is_only_fairly_likely_a_clear_pick_is_offered_never_answered():
    doubtful = Thresholds(unknown=0.3, answer=0.8, suggest=0.2, doubt=0.6)
    d = decide(ranked(0.5, 0.05), 0.45, doubtful)
    assert d.outcome == "suggest" and [c.id for _, c in d.choices] == ["c0"]
    assert decide(ranked(0.3, 0.25), 0.45, doubtful).outcome == "none"  # no clear pick
    assert decide(ranked(0.35, 0.01), 0.64, doubtful).outcome == "none"  # "none" too likely


def test_shares_are_taken_among_the_candidates_alone():
    # 0.45 of 0.5 left by "none" is a share of 0.9: answered.
    assert decide(ranked(0.45, 0.05), 0.5 - 1e-9, T).outcome == "answer"


def test_a_list_that_ranks_first_holds_the_share_of_its_members():
    listed = Candidate("list:city:X", hit=Hit("list:city:X", "list", 0.0, (), members=("c1", "c2")))
    c1, c2, c3 = Candidate("c1"), Candidate("c2"), Candidate("c3")
    # 0.6 of its own and 0.3 of its members: "who lives in X" is a list question however many fit a little.
    assert decide([(0.6, listed), (0.15, c1), (0.15, c2), (0.1, c3)], 0.0, T).outcome == "answer"
    # A member that ranks first is not answered on the strength of a list holding it.
    assert decide([(0.5, c1), (0.4, listed), (0.1, c3)], 0.0, T).outcome == "suggest"
    # Entries that are not its members stay rivals.
    assert decide([(0.6, listed), (0.3, c3), (0.1, c1)], 0.0, T).outcome == "suggest"


def test_a_model_whose_features_are_not_the_codes_is_refused():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["weights"] = {"something_else": 1.0, **data["weights"]}
    with pytest.raises(ValueError, match="extra \\['something_else'\\]"):
        parse(data)


def test_the_shipped_weights_are_what_the_fitting_script_makes_of_the_shipped_tables():
    pytest.importorskip("scipy")
    code = "import json, sys; sys.path.insert(0, '.'); from tools.fit_ranker import refit; print(json.dumps(refit()))"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=600
    )
    fitted, shipped = json.loads(run.stdout), json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    # The same optimum; its last shipped decimal may round either way with another SciPy.
    assert fitted["thresholds"] == shipped["thresholds"]
    for part in ("weights", "none_weights"):
        assert fitted[part].keys() == shipped[part].keys()
        assert fitted[part] == {k: pytest.approx(v, abs=5e-4) for k, v in shipped[part].items()}
    assert fitted["none_bias"] == pytest.approx(shipped["none_bias"], abs=5e-4)


@pytest.mark.parametrize(
    ("question", "tie", "target"),
    [("Navalny's wife", "spouse", "navalnaya"), ("жена Навального", "spouse", "navalnaya"),
     ("husband of Evgenia Kara-Murza", "spouse", "kara_murza"), ("отец Дмитрия Гудкова", "parent", "gennady_gudkov"),
     ("who chaired FBK's board before Pevchikh", "leader", "volkov"),
     ("who replaced Volkov as FBK board chair", "leader", "pevchikh")],
)  # fmt: skip
def test_ties_in_the_data_lead_from_the_name_to_the_person_meant(engine, question, tie, target):
    r = reading(engine.index, question)
    assert tie in r.ties
    assert max(collect(engine.index, r).tie_targets.items(), key=lambda x: x[1])[0] == target


@pytest.mark.parametrize(
    ("message", "kind"),
    [("hi", "greeting"), ("Привет!", "greeting"), ("спасибо", "thanks"), ("thanks man", "thanks"),
     ("who made you", "about_bot"), ("что ты умеешь", "about_bot"), ("как дела?", "how_are_you"),
     ("hi, how are you", "how_are_you"), ("how can you help", "about_bot")],
)  # fmt: skip
def test_small_talk_is_recognised_and_answered_briefly(engine, message, kind):
    result = engine.ask(message)
    assert result.outcome == "none" and result.small_talk == kind


def test_a_greeting_before_a_question_does_not_hide_it(engine):
    assert engine.ask("привет! а где живет каспаров?").small_talk is None
    assert "kasparov" in {
        i for s in (engine.ask("привет! а где живет каспаров?").answer,) if s for i, _ in s.entities
    }
