"""Checkpoints: compare a live measurement with what a lab promises, record it, show it.

Every checkpoint and every measurement becomes one JSON line in ``config.results_file()``:

    {"kind": "checkpoint", "lab": "lab02", "name": "...", "measured": 3.1, "passed": true, ...}
    {"kind": "measurement", "lab": "lab03", "variant": "jre", "metrics": {"size_bytes": ...}, ...}

One append-only file means a learner's run, CI and grading all read the same record, a
re-run simply adds lines (the latest wins), and several kernels can write at once. A line
half-written by a crash is skipped with a warning instead of breaking the whole file.

``checkpoint`` keeps the API small: one comparator per call. Relations between variants
("smaller than the single-jar push") are computed by the caller and checked as a ratio::

    checkpoint("lab02", "layered push ≤ 10 % of single jar", 100 * layered / single,
               at_most=10, unit="%", hint="Copy the dependencies layer before the app layer.")
"""

from __future__ import annotations

import html
import json
import math
import numbers
import warnings
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimlab import config, progress
from slimlab.errors import CheckpointFailed, ConfigError

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas

KIND_CHECKPOINT = "checkpoint"
KIND_MEASUREMENT = "measurement"

PASS_MARK = "✔"
FAIL_MARK = "✘"
PASS_COLOUR = "#1a7f37"
FAIL_COLOUR = "#cf222e"


# ---------------------------------------------------------------------------- formatting


def format_value(value: Any) -> str:
    """A measured value as a learner reads it: ``3.1``, ``1,234``, ``yes``, ``nothing``."""
    if value is None:
        return "nothing measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value) or "none"
    return str(value)


def _with_unit(value: Any, unit: str) -> str:
    text = format_value(value)
    return f"{text} {unit}" if unit and value is not None else text


def _points_text(points: float) -> str:
    if not points:
        return "shown, not scored"
    return f"{format_value(float(points))} {'pt' if points <= 1 else 'pts'}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- the result


@dataclass
class CheckpointResult:
    """One checked claim: what was expected, what was measured, and whether it held."""

    lab: str
    name: str
    points: float = 1.0
    expected: str = ""
    measured: Any = None
    unit: str = ""
    passed: bool = False
    hint: str = ""
    when: str = ""
    profile: str = ""
    learner: str = ""

    @property
    def earned(self) -> float:
        return float(self.points) if self.passed else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON line's content (with ``kind`` so measurements can share the file)."""
        return {"kind": KIND_CHECKPOINT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckpointResult:
        """Rebuild from a JSON line; unknown keys (``kind``, later additions) are ignored."""
        known = {f.name for f in fields(cls)}
        missing = {"lab", "name"} - data.keys()
        if missing:
            raise ValueError(f"a checkpoint record lacks {', '.join(sorted(missing))}")
        values = {k: v for k, v in data.items() if k in known}
        values["points"] = float(values.get("points", 1.0))
        values["passed"] = bool(values.get("passed", False))
        return cls(**values)

    def summary(self) -> str:
        """One line: ``✔ lab02 · name: 3.1 % (1 pt)`` or ``✘ … (expected …; 0 of 1 pt) — hint``."""
        measured = _with_unit(self.measured, self.unit)
        if self.passed:
            return f"{PASS_MARK} {self.lab} · {self.name}: {measured} ({_points_text(self.points)})"
        line = (
            f"{FAIL_MARK} {self.lab} · {self.name}: {measured} "
            f"(expected {self.expected}; 0 of {_points_text(self.points)})"
        )
        return f"{line} — {self.hint}" if self.hint else line

    def _repr_html_(self) -> str:
        colour = PASS_COLOUR if self.passed else FAIL_COLOUR
        mark = PASS_MARK if self.passed else FAIL_MARK
        measured = html.escape(_with_unit(self.measured, self.unit))
        head = (
            f"<b>{mark} {html.escape(self.lab)}</b> · {html.escape(self.name)}: <b>{measured}</b>"
        )
        if self.passed:
            tail = f" <span style='opacity:0.7'>({_points_text(self.points)})</span>"
            return f"<div style='color:{colour}'>{head}{tail}</div>"
        tail = (
            f" <span style='opacity:0.8'>(expected {html.escape(self.expected)}; "
            f"0 of {_points_text(self.points)})</span>"
        )
        hint = (
            f"<div style='margin-left:1.5em;color:inherit'>What to do: {html.escape(self.hint)}"
            "</div>"
            if self.hint
            else ""
        )
        return f"<div style='color:{colour}'>{head}{tail}{hint}</div>"


# ---------------------------------------------------------------------------- comparing


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """numpy/pandas scalars become Python ones, so they compare and serialise plainly."""
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, list | tuple | dict | str | bytes):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _compare(
    measured: Any,
    *,
    at_most: float | None,
    at_least: float | None,
    between: tuple[float, float] | None,
    equals: Any,
    expect: bool | None,
    unit: str,
) -> tuple[bool, str]:
    """(passed, expected text) for exactly one comparator."""
    given: dict[str, Any] = {  # each bound's type depends on its comparator: checked below
        name: value
        for name, value in (
            ("at_most", at_most),
            ("at_least", at_least),
            ("between", between),
            ("equals", equals),
            ("expect", expect),
        )
        if value is not None
    }
    if len(given) != 1:
        raise ConfigError(
            f"A checkpoint needs exactly one comparator, got {len(given)}"
            + (f" ({', '.join(given)})." if given else "."),
            hint="Pass one of at_most=, at_least=, between=(low, high), equals= or expect=.",
        )
    kind, bound = next(iter(given.items()))
    suffix = f" {unit}" if unit else ""

    if kind == "expect":
        if not isinstance(bound, bool):
            raise ConfigError(
                f"expect={bound!r} is not True or False.", hint="Use expect=True/False."
            )
        text = format_value(bound)
        return (measured is not None and bool(measured) is bound), text

    if kind == "equals":
        text = f"= {format_value(_plain(bound))}{suffix}"
        if measured is None:
            return False, text
        if _is_number(measured) and _is_number(bound):
            return math.isclose(measured, bound, rel_tol=1e-9, abs_tol=1e-12), text
        return measured == bound, text

    if kind == "between":
        try:
            low, high = (_plain(v) for v in bound)
        except (TypeError, ValueError):
            raise ConfigError(
                f"between={bound!r} is not a (low, high) pair.", hint="Use between=(5, 20)."
            ) from None
        if not (_is_number(low) and _is_number(high)) or low > high:
            raise ConfigError(
                f"between={bound!r} needs two numbers, low first.", hint="Use between=(5, 20)."
            )
        text = f"between {format_value(low)} and {format_value(high)}{suffix}"
        bounds: tuple[float, ...] = (low, high)
    else:
        bound = _plain(bound)
        if not _is_number(bound):
            raise ConfigError(f"{kind}={bound!r} is not a number.", hint=f"Pass {kind}=<number>.")
        text = f"{'≤' if kind == 'at_most' else '≥'} {format_value(bound)}{suffix}"
        bounds = (bound,)

    if measured is None:
        return False, text
    if not _is_number(measured):
        raise ConfigError(
            f"{kind} compares numbers, but the measured value is {measured!r}.",
            hint="Pass the number itself (e.g. bytes or seconds), or use equals=/expect=.",
        )
    if kind == "between":
        return bounds[0] <= measured <= bounds[1], text
    if kind == "at_most":
        return measured <= bounds[0], text
    return measured >= bounds[0], text


# ---------------------------------------------------------------------------- recording


def _append(record: dict[str, Any], path: Path | None = None) -> Path:
    """Append one JSON line with a single write, so concurrent writers never interleave.

    If a crash left the file without a final newline, a newline goes first so the new
    record starts a line of its own (the damaged fragment is skipped on reading).
    """
    target = Path(path) if path is not None else config.results_file()
    data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "ab+", buffering=0) as handle:
        size = handle.seek(0, 2)
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                data = b"\n" + data
        handle.write(data)
    return target


def _show(result: CheckpointResult) -> None:
    """HTML in JupyterLab, one plain line everywhere else (terminal, CI, grading logs)."""
    if progress.in_notebook():
        try:
            from IPython.display import display
        except ImportError:
            pass
        else:
            display(result)
            return
    print(result.summary(), flush=True)


def checkpoint(
    lab: str,
    name: str,
    measured: Any,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    between: tuple[float, float] | None = None,
    equals: Any = None,
    expect: bool | None = None,
    points: float = 1,
    unit: str = "",
    hint: str = "",
    profile: str | None = None,
    expected_text: str | None = None,
) -> CheckpointResult:
    """Check one claim against a live measurement, record it, show it; raise in strict mode.

    Exactly one comparator: ``at_most``/``at_least`` (inclusive), ``between=(low, high)``
    (inclusive), ``equals`` or ``expect=True/False`` (for yes/no facts such as "javac is
    inside"). ``measured=None`` means nothing could be measured: the checkpoint fails.
    ``expected_text`` replaces the generated "≤ 10 %" when the relation needs words
    ("≤ 0.10 × single-jar"). In a notebook the result is shown here, so assign it (or end
    the line with ``;``) to avoid seeing it twice.
    """
    measured = _plain(measured)
    passed, text = _compare(
        measured,
        at_most=at_most,
        at_least=at_least,
        between=between,
        equals=equals,
        expect=expect,
        unit=unit,
    )
    result = CheckpointResult(
        lab=lab,
        name=name,
        points=float(points),
        expected=expected_text or text,
        measured=measured,
        unit=unit,
        passed=passed,
        hint=hint,
        when=_now(),
        profile=profile if profile is not None else config.profile(),
        learner=config.learner(),
    )
    _append(result.to_dict())
    _show(result)
    from slimlab import later  # late: later reads the exercises, which read checkpoints

    later.release_attempted(name)
    if not passed and config.strict():
        raise CheckpointFailed(result.summary(), hint=hint)
    return result


def record_measurement(
    lab: str, variant: str, metrics: dict[str, Any], profile: str | None = None
) -> dict[str, Any]:
    """Record what was measured for a variant so the scoreboard can be drawn from the file.

    Build, startup and inspection metrics may be recorded at different times; the loader
    merges them per variant. Returns the record written.
    """
    record = {
        "kind": KIND_MEASUREMENT,
        "lab": lab,
        "variant": variant,
        "metrics": {key: _plain(value) for key, value in metrics.items()},
        "when": _now(),
        "profile": profile if profile is not None else config.profile(),
        "learner": config.learner(),
    }
    _append(record)
    return record


# ---------------------------------------------------------------------------- loading


def _records(path: Path | None) -> list[dict[str, Any]]:
    """Every readable JSON object in file order; damaged lines are skipped with a warning."""
    target = Path(path) if path is not None else config.results_file()
    try:
        text = target.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            warnings.warn(
                f"{target}:{number}: skipped a damaged line (an interrupted write?)",
                stacklevel=3,
            )
            continue
        records.append(record)
    return records


def load_results(path: Path | None = None) -> list[CheckpointResult]:
    """Every checkpoint, the latest line per (learner, lab, name), in first-seen order.

    A re-run checkpoint keeps its place in the list but shows its newest outcome.
    """
    latest: dict[tuple[str, str, str], CheckpointResult] = {}
    for record in _records(path):
        if record.get("kind") != KIND_CHECKPOINT:
            continue
        try:
            result = CheckpointResult.from_dict(record)
        except (TypeError, ValueError) as exc:
            warnings.warn(f"skipped a checkpoint record: {exc}", stacklevel=2)
            continue
        latest[(result.learner, result.lab, result.name)] = result
    return list(latest.values())


def load_measurements(
    path: Path | None = None, *, learner: str | None = None
) -> dict[str, dict[str, Any]]:
    """The latest metrics per variant, merged over every record in file order.

    A later record updates only the keys it carries, so build metrics and startup metrics
    recorded in different labs combine. A ``None`` value never erases an earlier figure
    (it means "not measured this time"); record ``not_measured_reason=""`` to clear a
    reason. ``learner`` keeps one learner's records when several share a file.
    """
    merged: dict[str, dict[str, Any]] = {}
    for record in _records(path):
        if record.get("kind") != KIND_MEASUREMENT:
            continue
        if learner is not None and record.get("learner", "") != learner:
            continue
        variant = record.get("variant")
        metrics = record.get("metrics")
        if not isinstance(variant, str) or not isinstance(metrics, dict):
            warnings.warn("skipped a measurement record without variant or metrics", stacklevel=2)
            continue
        current = merged.setdefault(variant, {"variant": variant})
        current.update({k: v for k, v in metrics.items() if v is not None})
        current["variant"] = variant
        current.setdefault("lab", record.get("lab", ""))
    return merged


# ---------------------------------------------------------------------------- summaries


def score(results: list[CheckpointResult]) -> tuple[float, float]:
    """(points earned, points possible) over the given results."""
    earned = sum(r.earned for r in results)
    possible = sum(float(r.points) for r in results)
    return earned, possible


RESULT_COLUMNS = (
    "lab",
    "checkpoint",
    "measured",
    "expected",
    "result",
    "points",
    "of",
    "hint",
    "profile",
    "when",
)


def results_table(results: list[CheckpointResult]) -> pandas.DataFrame:
    """A table of checkpoints for the closing notebook and grading; hints only on failures."""
    import pandas as pd

    rows = [
        {
            "lab": r.lab,
            "checkpoint": r.name,
            "measured": _with_unit(r.measured, r.unit),
            "expected": r.expected,
            "result": PASS_MARK if r.passed else FAIL_MARK,
            "points": r.earned,
            "of": float(r.points),
            "hint": "" if r.passed else r.hint,
            "profile": r.profile,
            "when": r.when,
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
