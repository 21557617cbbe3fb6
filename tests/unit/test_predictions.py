"""Predict, then measure: guesses are recorded, shown beside the figure, never scored."""

from __future__ import annotations

import pytest
from slimlab import predictions
from slimlab.checkpoints import load_results


@pytest.fixture(autouse=True)
def results(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIMLAB_RESULTS", str(tmp_path / "results.jsonl"))
    monkeypatch.delenv("SLIMLAB_LEARNER", raising=False)


def test_the_latest_guess_is_shown_beside_the_measurement():
    predictions.predict("03-jre", "jre image size", 500, "MB")
    predictions.predict("03-jre", "jre image size", 300, "MB")  # changed their mind
    gap = predictions.compare("03-jre", "jre image size", 200, "MB")
    assert gap.guess == 300 and gap.ratio == 1.5
    assert "you predicted 300 MB, measured 200 MB (1.5 × too high)" in gap.sentence()


@pytest.mark.parametrize(("guess", "verdict"), [(190, "close"), (50, "4.0 × too low")])
def test_verdicts(guess, verdict):
    predictions.predict("04-jlink", "runtime", guess, "MB")
    assert verdict in predictions.compare("04-jlink", "runtime", 200, "MB").sentence()


def test_no_guess_says_so_and_predictions_are_never_scored():
    assert "No prediction" in predictions.predict("02", "push", None, "kB")
    assert "No prediction was written down" in predictions.compare("02", "push", 61, "kB")\
        .sentence()
    assert load_results() == []  # a prediction is not a checkpoint


def test_another_learners_guess_is_not_mine(monkeypatch):
    monkeypatch.setenv("SLIMLAB_LEARNER", "ana")
    predictions.predict("03", "size", 10, "MB")
    monkeypatch.setenv("SLIMLAB_LEARNER", "bo")
    assert predictions.compare("03", "size", 12, "MB").guess is None


def test_a_figure_not_measured_says_so(tmp_path, monkeypatch):
    from slimlab import predictions

    monkeypatch.setenv("SLIMLAB_RESULTS", str(tmp_path / "results.jsonl"))
    predictions.predict("05-native", "basic / smallest JVM image", 4.0, "×")
    gap = predictions.compare("05-native", "basic / smallest JVM image", None, "×")
    assert gap.sentence() == ("basic / smallest JVM image: not measured in this run, so "
                              "nothing to compare yet.")


def test_the_verdict_holds_at_zero_and_for_impossible_guesses():
    from slimlab.predictions import Gap

    assert Gap("x", 5.0, 0.0).verdict() == "too high"
    assert Gap("x", 0.0, 0.0).verdict() == "exact"
    assert Gap("x", 0.0, 3.0).verdict() == "too low"
    assert Gap("x", -2.0, 3.0).verdict() == "a negative guess for a figure that cannot be"
    assert Gap("x", 10.0, 2.0).verdict() == "5.0 × too high"
    assert Gap("x", 1.0, 4.0).verdict() == "4.0 × too low"
    assert Gap("x", 1.1, 1.0).verdict() == "close"
