"""Predict, then measure: a learner writes a guess before a measurement that matters, and
sees it beside the figure afterwards. Predictions are recorded (kind ``prediction``) but
never scored: a wrong guess that gets corrected is the point."""

from __future__ import annotations

from dataclasses import dataclass

from slimlab import config
from slimlab.checkpoints import _append, _now, _records, format_value

KIND_PREDICTION = "prediction"


@dataclass(frozen=True)
class Gap:
    """A prediction beside what was measured."""

    name: str
    guess: float | None
    measured: float | None  # None: not measured in this run
    unit: str = ""

    @property
    def ratio(self) -> float | None:
        """guess / measured, when both are positive numbers."""
        if self.guess is None or self.measured is None or self.guess <= 0 or self.measured <= 0:
            return None
        return self.guess / self.measured

    def verdict(self) -> str:
        if self.guess is None or self.measured is None:
            return ""
        if self.guess == self.measured:
            return "exact"
        if self.guess < 0:
            return "a negative guess for a figure that cannot be"
        ratio = self.ratio
        if ratio is None:  # one of them is 0
            return "too high" if self.guess > self.measured else "too low"
        if 0.8 <= ratio <= 1.25:
            return "close"
        return f"{ratio:.1f} × too high" if ratio > 1 else f"{1 / ratio:.1f} × too low"

    def sentence(self) -> str:
        if self.measured is None:
            return f"{self.name}: not measured in this run, so nothing to compare yet."
        measured = f"{format_value(self.measured)} {self.unit}".strip()
        if self.guess is None:
            return (f"{self.name}: measured {measured}. No prediction was written down; "
                    "next time, guess first: the gap is what teaches.")
        guess = f"{format_value(self.guess)} {self.unit}".strip()
        return f"{self.name}: you predicted {guess}, measured {measured} ({self.verdict()})."

    def _repr_markdown_(self) -> str:
        return f"**Prediction** · {self.sentence()}"

    def __repr__(self) -> str:
        return "Prediction · " + self.sentence()


def predict(lab: str, name: str, guess: float | None, unit: str = "") -> str:
    """Write a guess down before measuring (``None``: no guess). Returns what was noted."""
    _append({"kind": KIND_PREDICTION, "lab": lab, "name": name, "guess": guess, "unit": unit,
             "when": _now(), "learner": config.learner()})
    if guess is None:
        return f"No prediction for {name!r} yet: put a number in, then run the cell again."
    return f"Noted: {name} ≈ {format_value(guess)} {unit}".strip() + ". Now measure."


def compare(lab: str, name: str, measured: float | None, unit: str = "") -> Gap:
    """The latest prediction for (lab, name) by this learner, beside the measured value."""
    guess = None
    for record in _records(None):
        if (record.get("kind") == KIND_PREDICTION and record.get("lab") == lab
                and record.get("name") == name
                and record.get("learner", "") == config.learner()):
            guess = record.get("guess")
    return Gap(name, guess if isinstance(guess, int | float) else None, measured, unit)
